"""Property tests: grain and people are conserved, nothing goes negative or non-finite, for any
action in the space and any mechanism within its documented ranges; a batch, its villages one
by one, and the parallel loop agree bit for bit."""

import dataclasses

import gymnasium as gym
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from gl_env.actions import ACTION_SIZE, decode_continuous
from gl_env.core.params import SCALAR_NAMES, TIMELINE_NAMES, param_spec
from gl_env.core.random import seeds_to_keys
from gl_env.observations import OBSERVATION_HIGH, OBSERVATION_LOW
from gl_env.scenarios import SCENARIOS, make_params
from tests.helpers import Village, villages

MECHANISM = [n for n in SCALAR_NAMES if param_spec(n).group in ("mechanism", "shocks")] + list(TIMELINE_NAMES)


@st.composite
def worlds(draw):
    """A scenario with any mechanism and climate values drawn within their documented ranges."""
    params = make_params(draw(st.sampled_from(list(SCENARIOS))), num_years=2)
    names = draw(st.lists(st.sampled_from(MECHANISM), max_size=12, unique=True))
    overrides = {}
    for name in names:
        spec = param_spec(name)
        overrides[name] = draw(st.floats(spec.low, spec.high))
    return dataclasses.replace(params, **overrides, randomize=())


corner = st.sampled_from([-1.0, 1.0])
actions = st.lists(st.one_of(corner, st.floats(-1.0, 1.0, width=32)), min_size=ACTION_SIZE, max_size=ACTION_SIZE)


def grain_residual(o):
    inflow = o.harvest_kg + o.private_output_kg + o.relief_kg + o.store_start_kg + o.hidden_start_kg
    return inflow, o.procurement_kg + o.consumption_kg + o.seed_kg + o.waste_kg + o.spoilage_kg


@given(world=worlds(), plan=st.lists(actions, min_size=8, max_size=8), seed=st.integers(0, 2**32))
def test_grain_and_people_are_conserved_and_stay_valid(world, plan, seed):
    village = Village(world, seed)
    for action in plan:
        new, o = village.step(decode_continuous(action))
        inflow, outflow = grain_residual(o)
        outflow += new.store_kg + new.hidden_kg
        assert abs(inflow - outflow) <= 1e-9 * max(inflow, 1.0)
        assert new.population == o.population_start - o.deaths + o.births - o.emigrants + o.returnees
        for name, value in zip(new._fields, new, strict=True):
            assert np.isfinite(value), name
            if name not in ("t", "key"):
                assert value >= 0.0, (name, value)
        for name, value in zip(o._fields, o, strict=True):
            assert np.isfinite(value), name
            assert value >= 0.0 or name in ("excess_deaths", "standing_change"), (name, value)
        obs = village.obs
        assert np.isfinite(obs).all() and (obs >= OBSERVATION_LOW).all() and (obs <= OBSERVATION_HIGH).all()


@given(world=worlds(), seed=st.integers(0, 2**32), data=st.data())
def test_observations_stay_inside_the_space_at_every_corner(world, seed, data):
    env = gym.make("gl_env/GreatLeap-v1", params=world)
    obs, _ = env.reset(seed=seed)
    assert env.observation_space.contains(obs)
    corners = data.draw(st.lists(st.lists(corner, min_size=ACTION_SIZE, max_size=ACTION_SIZE), min_size=8, max_size=8))
    for action in corners:
        obs, reward, terminated, truncated, _ = env.step(np.asarray(action, np.float32))
        assert env.observation_space.contains(obs) and np.isfinite(reward)
        if terminated or truncated:
            break


@given(world=worlds(), plans=st.lists(st.lists(actions, min_size=8, max_size=8), min_size=3, max_size=3))
def test_a_batch_its_villages_alone_and_the_parallel_loop_agree_bit_for_bit(world, plans):
    keys = seeds_to_keys(np.arange(3))
    batches = [villages([world], 3), villages([world], 3, parallel=True)]
    singles = [villages([world], 1) for _ in range(3)]
    for batch in batches:
        batch.reset(keys)
    for i, single in enumerate(singles):
        single.reset(keys[i : i + 1])
    for t in range(8):
        actions = np.array([plan[t] for plan in plans], dtype=np.float64)
        for batch in batches:
            assert batch.decide_continuous(actions) == -1
            batch.step()
        for i, single in enumerate(singles):
            assert single.decide_continuous(actions[i : i + 1]) == -1
            single.step()
        for batch in batches:
            for i, single in enumerate(singles):
                assert np.array_equal(batch.floats[i], single.floats[0])
                assert np.array_equal(batch.record[i], single.record[0], equal_nan=True)
                assert np.array_equal(batch.obs[i], single.obs[0])
                assert batch.t[i] == single.t[0] and batch.key[i] == single.key[0]

"""Property tests: grain and people are conserved, nothing goes negative or non-finite, for any
action in the space and any mechanism within its documented ranges; the scalar and the array
backends agree bit for bit."""

import dataclasses

import gymnasium as gym
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from gl_env.actions import ACTION_SIZE, decode_continuous
from gl_env.core.dynamics import step
from gl_env.core.ops import seed_to_key, seeds_to_keys
from gl_env.core.params import SCALAR_NAMES, TIMELINE_NAMES, compile_params, param_spec, stack_params
from gl_env.core.state import initial_state
from gl_env.observations import OBSERVATION_HIGH, OBSERVATION_LOW, observe
from gl_env.scenarios import SCENARIOS, make_params

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
    p = compile_params(world)
    state = initial_state(p, seed_to_key(seed))
    for action in plan:
        new, o = step(p, state, decode_continuous(action))
        inflow, outflow = grain_residual(o)
        outflow += new.store_kg + new.hidden_kg
        assert abs(inflow - outflow) <= 1e-9 * max(inflow, 1.0)
        assert new.population == o.population_start - o.deaths + o.births
        for name, value in zip(new._fields, new, strict=True):
            assert np.isfinite(value), name
            if name not in ("t", "key"):
                assert value >= 0.0, (name, value)
        for name, value in zip(o._fields, o, strict=True):
            assert np.isfinite(value), name
            assert value >= 0.0 or name in ("excess_deaths", "standing_change"), (name, value)
        obs = observe(p, new)
        assert np.isfinite(obs).all() and (obs >= OBSERVATION_LOW).all() and (obs <= OBSERVATION_HIGH).all()
        state = new


@given(world=worlds(), seed=st.integers(0, 2**32), data=st.data())
def test_observations_stay_inside_the_space_at_every_corner(world, seed, data):
    env = gym.make("gl_env/GreatLeap-v0", params=world)
    obs, _ = env.reset(seed=seed)
    assert env.observation_space.contains(obs)
    corners = data.draw(st.lists(st.lists(corner, min_size=ACTION_SIZE, max_size=ACTION_SIZE), min_size=8, max_size=8))
    for action in corners:
        obs, reward, terminated, truncated, _ = env.step(np.asarray(action, np.float32))
        assert env.observation_space.contains(obs) and np.isfinite(reward)
        if terminated or truncated:
            break


@given(world=worlds(), plans=st.lists(st.lists(actions, min_size=8, max_size=8), min_size=3, max_size=3))
def test_batched_and_single_village_backends_agree_bit_for_bit(world, plans):
    seeds = np.arange(3)
    batch_p = stack_params([world])
    batch = initial_state(batch_p, seeds_to_keys(seeds))
    singles = [initial_state(compile_params(world), seed_to_key(int(s))) for s in seeds]
    for t in range(8):
        batch, batch_o = step(batch_p, batch, decode_continuous(np.array([plan[t] for plan in plans])))
        for i in range(3):
            singles[i], o = step(compile_params(world), singles[i], decode_continuous(plans[i][t]))
            assert [float(v[i]) for v in batch[2:]] == list(singles[i][2:])
            assert [float(v[i]) for v in batch_o] == [float(v) for v in o]

"""The native vector env is the single env, batched: same trajectories, per-village params, autoreset."""

import copy

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import data_equivalence
from gymnasium.utils.env_match import check_environments_match
from gymnasium.vector import AutoresetMode

import gl_env
from gl_env.envs.vector import GreatLeapVectorEnv
from gl_env.scenarios import SCENARIOS

IDS = ["gl_env/GreatLeap-v1", "gl_env/GreatLeapDiscrete-v1"]


class _OneVillage(gym.Env):
    """A vector env of one village seen as a single env, for Gymnasium's check_environments_match."""

    def __init__(self, env_id, scenario):
        self.vec = gym.make_vec(env_id, num_envs=1, scenario=scenario)
        self.action_space, self.observation_space = self.vec.single_action_space, self.vec.single_observation_space

    def reset(self, *, seed=None, options=None):
        obs, info = self.vec.reset(seed=seed)
        return obs[0], _row(info, 0)

    def step(self, action):
        obs, reward, terminated, truncated, info = self.vec.step(np.asarray([action]))
        return obs[0], float(reward[0]), bool(terminated[0]), bool(truncated[0]), _row(info, 0)


def _row(info, i):
    """Village i's info, without the same-step autoreset's final_* entries and the _key masks."""
    return {
        k: (_row(v, i) if isinstance(v, dict) else np.asarray(v)[i].item())
        for k, v in info.items()
        if not k.startswith(("final_", "_"))
    }


@pytest.mark.parametrize("env_id", IDS)
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_one_village_matches_the_single_env(env_id, scenario):
    check_environments_match(
        gym.make(env_id, scenario=scenario), _OneVillage(env_id, scenario), num_steps=60, seed=4, skip_render=True
    )


def lockstep(env_id, scenario, autoreset_mode, seeds, steps=70):
    """Step a vector env and len(seeds) single envs with the same actions; compare everything."""
    n = len(seeds)
    vec = gym.make_vec(env_id, num_envs=n, scenario=scenario, autoreset_mode=autoreset_mode)
    singles = [gym.make(env_id, scenario=scenario) for _ in range(n)]
    vec_obs, vec_info = vec.reset(seed=list(seeds))
    starts = [env.reset(seed=int(s)) for env, s in zip(singles, seeds, strict=True)]
    assert np.array_equal(vec_obs, np.stack([o for o, _ in starts]))
    assert all(data_equivalence(_row(vec_info, i), starts[i][1], exact=True) for i in range(n))
    vec.action_space.seed(9)
    done = [False] * n
    endings = 0
    for _ in range(steps):
        actions = vec.action_space.sample()
        obs, reward, terminated, truncated, info = vec.step(actions)
        for i, env in enumerate(singles):
            if done[i] and autoreset_mode == "next_step":
                expected = (*env.reset(), 0.0, False, False)
                expected = (expected[0], expected[2], expected[3], expected[4], expected[1])
            else:
                expected = env.step(actions[i])
                if (expected[2] or expected[3]) and autoreset_mode == "same_step":
                    assert np.array_equal(info["final_obs"][i], expected[0]) and info["_final_obs"][i]
                    assert data_equivalence(_row(info["final_info"], i), expected[4], exact=True)
                    first_obs, first_info = env.reset()
                    expected = (first_obs, expected[1], expected[2], expected[3], first_info)
            done[i] = expected[2] or expected[3]
            endings += done[i]
            assert np.array_equal(obs[i], expected[0])
            assert (reward[i], terminated[i], truncated[i]) == (expected[1], expected[2], expected[3])
            assert data_equivalence(_row(info, i), expected[4], exact=True)
    return endings


@pytest.mark.parametrize("env_id", IDS)
@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("autoreset_mode", ["next_step", "same_step"])
def test_vector_env_equals_single_envs_across_autoresets(env_id, scenario, autoreset_mode):
    assert lockstep(env_id, scenario, autoreset_mode, seeds=[5, 17, 99, 1000, 3]) >= 5


def test_metadata_and_spaces():
    vec = gym.make_vec(IDS[0], num_envs=3)
    assert vec.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
    assert vec.observation_space.shape == (3, 45) and vec.action_space.shape == (3, 10)
    same = gym.make_vec(IDS[0], num_envs=3, autoreset_mode="same_step")
    assert same.metadata["autoreset_mode"] == AutoresetMode.SAME_STEP
    assert isinstance(gym.make_vec(IDS[0], num_envs=2).unwrapped, GreatLeapVectorEnv)


def test_integer_seed_seeds_consecutive_villages():
    vec = gym.make_vec(IDS[0], num_envs=3, scenario="randomized")
    a, _ = vec.reset(seed=10)
    b, _ = gym.make_vec(IDS[0], num_envs=3, scenario="randomized").reset(seed=[10, 11, 12])
    assert np.array_equal(a, b)


def test_an_array_of_seeds_is_the_list_of_them_and_a_negative_one_is_named():
    a, _ = gym.make_vec(IDS[0], num_envs=3, scenario="randomized").reset(seed=np.array([10, 11, 12]))
    b, _ = gym.make_vec(IDS[0], num_envs=3, scenario="randomized").reset(seed=[10, 11, 12])
    assert np.array_equal(a, b)
    with pytest.raises(ValueError, match=r"seed\[1\]=-4 must be a non-negative int"):
        gym.make_vec(IDS[0], num_envs=3).reset(seed=np.array([3, -4, 5]))


def _assert_steps_match(vec, singles, action, steps=8):
    """``vec``'s villages step as ``singles`` do (the same observations and rewards) on ``action``."""
    for _ in range(steps):
        obs, reward, *_ = vec.step(np.stack([action] * len(singles)))
        expected = [env.step(action) for env in singles]
        assert np.array_equal(obs, np.stack([e[0] for e in expected]))
        assert list(reward) == [e[1] for e in expected]


def test_per_village_params_match_single_envs_made_with_them():
    audits = [0.0, 0.5, 1.0]
    vec = gym.make_vec(IDS[0], num_envs=3, scenario="reform", per_env={"audit_probability": audits})
    singles = [gym.make(IDS[0], scenario="reform", audit_probability=a) for a in audits]
    obs, _ = vec.reset(seed=[1, 1, 1])
    assert np.array_equal(obs, np.stack([env.reset(seed=1)[0] for env in singles]))
    assert len({tuple(row) for row in obs}) == 3  # the mechanism is observed
    _assert_steps_match(vec, singles, gl_env.continuous_action(report_ratio=1.2))


def test_villages_of_the_same_world_share_one_row_of_the_kernels_params():
    audits = [0.0, 0.5, 0.0, 0.5, 0.5]
    vec = GreatLeapVectorEnv(num_envs=5, per_env={"audit_probability": audits})
    villages = vec._villages
    assert villages._table.size == 2 and list(villages._param_row) == [0, 1, 0, 1, 1]
    assert list(vec.core_params.value("audit_probability")) == audits  # still one row per village
    singles = [gym.make(IDS[0], audit_probability=a) for a in audits]
    obs, _ = vec.reset(seed=[3] * 5)
    assert np.array_equal(obs, np.stack([env.reset(seed=3)[0] for env in singles]))
    _assert_steps_match(vec, singles, gl_env.continuous_action(report_ratio=1.5))


def test_per_village_params_as_params_objects():
    params = [gl_env.make_params("reform", audit_probability=a) for a in (0.1, 0.9)]
    vec = GreatLeapVectorEnv(num_envs=2, params=params)
    assert list(vec.core_params.value("audit_probability")) == [0.1, 0.9]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_envs": 0}, "num_envs=0 must be a positive integer"),
        ({"num_envs": 2, "per_env": {"audit_probability": [0.1]}}, "per_env['audit_probability'] has 1 values"),
        ({"num_envs": 2, "per_env": {"audit_probability": [0.1, 7.0]}}, "audit_probability=7.0 is out of range"),
        ({"num_envs": 2, "autoreset_mode": "never"}, "unknown autoreset_mode 'never'"),
        ({"num_envs": 2, "scenario": "utopia"}, "unknown scenario 'utopia'"),
    ],
)
def test_bad_vector_configuration(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message.replace("[", r"\[").replace("(", r"\(")):
        GreatLeapVectorEnv(**kwargs)


def test_bad_vector_actions_raise():
    vec = GreatLeapVectorEnv(num_envs=2)
    vec.reset(seed=0)
    bad = np.zeros((2, 10))
    bad[1, 3] = np.nan
    with pytest.raises(ValueError, match=r"actions\[1, 3\]=nan is not finite"):
        vec.step(bad)
    with pytest.raises(ValueError, match=r"actions must have shape \(2, 10\)"):
        vec.step(np.zeros((3, 10)))
    discrete = GreatLeapVectorEnv(num_envs=2, action_type="discrete")
    discrete.reset(seed=0)
    with pytest.raises(ValueError, match=r"action 200 is not in Discrete\(200\)"):
        discrete.step(np.array([0, 200]))


def test_partial_reset_with_mask():
    vec = GreatLeapVectorEnv(num_envs=3)
    vec.reset(seed=0)
    for _ in range(3):
        vec.step(np.zeros((3, 10), np.float32))
    obs, info = vec.reset(seed=[7, 8, 9], options={"reset_mask": np.array([False, True, False])})
    single = gym.make(IDS[0])
    assert np.array_equal(obs[1], single.reset(seed=8)[0])
    assert list(vec.state.t) == [3, 0, 3] and list(info["_season"]) == [False, True, False]


@pytest.mark.parametrize("autoreset_mode", ["next_step", "same_step"])
def test_later_steps_never_change_what_earlier_steps_returned(autoreset_mode):
    """Autoresets write the new episodes into arrays made by the current step, never into arrays
    returned before (a rollout keeps them without copying)."""
    vec = GreatLeapVectorEnv(num_envs=16, scenario="randomized", autoreset_mode=autoreset_mode)
    vec.reset(seed=0)
    vec.action_space.seed(1)
    held, endings = [], 0
    for _ in range(45):
        *returned, info = vec.step(vec.action_space.sample())
        endings += int((returned[2] | returned[3]).sum())
        held.append(((*returned, info, vec.state), copy.deepcopy((*returned, info, vec.state))))
    assert endings >= 16
    for returned, snapshot in held:
        assert data_equivalence(returned, snapshot, exact=True)


def test_steps_reuse_the_arrays_nobody_holds_and_never_those_held():
    """A step writes into arrays (state, observations, record) handed out before only when
    nothing holds them, nor a view of them: memory reused instead of fresh pages."""
    vec = GreatLeapVectorEnv(num_envs=8, scenario="randomized")
    vec.reset(seed=0)
    vec.action_space.seed(1)
    fresh, held = vec._villages._fresh, []
    for k in range(12):
        obs, _, _, _, info = vec.step(vec.action_space.sample())
        if k < 2:  # keep this step's observations and a view of its record (an info array)
            held.append((obs, info["deaths"], obs.copy(), info["deaths"].copy()))
        if k >= 4:  # the two held sets have left the pool, which cycles through the others
            assert any(vec._villages.record.base is a for a in fresh["record"]._arrays)
            assert any(obs is a for a in fresh["obs"]._arrays)
        assert len(fresh["record"]._arrays) <= fresh["record"]._KEPT
    for obs, deaths, obs_then, deaths_then in held:
        assert np.array_equal(obs, obs_then) and np.array_equal(deaths, deaths_then)

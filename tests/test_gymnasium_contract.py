"""The Gymnasium / SB3 contract as Gymnasium's own vector envs and tests define it (issue 10)."""

import json
import re
from fractions import Fraction

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import data_equivalence
from gymnasium.vector import AutoresetMode

import gl_env
from gl_env.envs.vector import GreatLeapVectorEnv

ID = "gl_env/GreatLeap-v1"
DISCRETE_ID = "gl_env/GreatLeapDiscrete-v1"


def _sync_and_native(n, mode, **kwargs):
    sync = gym.make_vec(ID, num_envs=n, vectorization_mode="sync", vector_kwargs={"autoreset_mode": mode}, **kwargs)
    return sync, gym.make_vec(ID, num_envs=n, autoreset_mode=mode, **kwargs)


# --- item 6, 7: per-village and randomised params -------------------------------------------------


def test_an_override_pins_a_field_the_scenario_randomizes():
    env = gym.make(ID, scenario="randomized", audit_probability=0.3)
    drawn = set()
    for seed in range(5):
        env.reset(seed=seed)
        assert env.unwrapped.core_params.value("audit_probability")[0] == 0.3
        drawn.add(float(env.unwrapped.core_params.value("ratchet")[0]))
    assert len(drawn) == 5  # the other fields are still drawn
    vec = GreatLeapVectorEnv(num_envs=3, scenario="randomized", per_env={"audit_probability": [0.1, 0.2, 0.3]})
    vec.reset(seed=0)
    assert list(vec.core_params.value("audit_probability")) == [0.1, 0.2, 0.3]
    with pytest.raises(ValueError, match="audit_probability both set and randomized"):
        gym.make(ID, randomize={"audit_probability": (0.0, 1.0)}, audit_probability=0.3)


def test_per_env_horizon_fields_follow_the_scenario_timeline():
    years = [1950, 1958, 1960]
    vec = GreatLeapVectorEnv(num_envs=3, per_env={"start_year": years})
    obs, _ = vec.reset(seed=[4, 4, 4])
    for i, year in enumerate(years):
        single = gym.make(ID, start_year=year)
        assert vec.params[i] == single.unwrapped.params
        assert np.array_equal(obs[i], single.reset(seed=4)[0])
    lengths = GreatLeapVectorEnv(num_envs=3, per_env={"num_years": [1, 5, 10]})
    assert [p.horizon for p in lengths.params] == [4, 20, 40]


# --- items 8, 9, 11: infos ---------------------------------------------------------------------------


def test_vector_infos_are_arrays_the_caller_owns():
    vec = GreatLeapVectorEnv(num_envs=4)
    _, info = vec.reset(seed=0)
    info["population"] *= 0.5
    info["store_kg"][:] = 0.0
    action = np.zeros((4, 10), np.float32)
    _, _, _, _, after = vec.step(action)
    reference = GreatLeapVectorEnv(num_envs=4)
    reference.reset(seed=0)
    _, _, _, _, expected = reference.step(action)
    assert data_equivalence(after, expected, exact=True)
    after["harvest_kg"][:] = -1.0
    assert (vec.step(action)[4]["store_start_kg"] == reference.step(action)[4]["store_start_kg"]).all()


@pytest.mark.parametrize("mode", ["next_step", "same_step"])
def test_a_masked_reset_leaves_earlier_infos_alone_and_returns_only_the_reset_villages(mode):
    vec = GreatLeapVectorEnv(num_envs=3, num_years=1, autoreset_mode=mode)
    vec.reset(seed=0)
    action = np.zeros((3, 10), np.float32)
    for _ in range(3):
        vec.step(action)
    *_, last = vec.step(action)  # the horizon: same-step mode reports final_* here
    kept = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in last.items()}
    _, info = vec.reset(seed=[7, 8, 9], options={"reset_mask": np.array([False, True, False])})
    assert set(last) == set(kept) and all(data_equivalence(last[k], kept[k], exact=True) for k in kept)
    assert "final_obs" not in info and "final_info" not in info
    assert list(info["_season"]) == [False, True, False] and info["population"][1] == 1000.0


def test_infos_equal_sync_vector_env_strictly_with_key_masks():
    for mode in (AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP):
        sync, native = _sync_and_native(3, mode, num_years=1)
        assert data_equivalence(sync.reset(seed=[1, 2, 3]), native.reset(seed=[1, 2, 3]), exact=True)
        sync.action_space.seed(0)
        for _ in range(10):
            action = sync.action_space.sample()
            assert data_equivalence(sync.step(action), native.step(action), exact=True)
        mask = np.array([True, False, True])
        assert data_equivalence(
            sync.reset(seed=[5, None, 6], options={"reset_mask": mask}),
            native.reset(seed=[5, None, 6], options={"reset_mask": mask}),
            exact=True,
        )


# --- item 10: reset_mask and actions, checked like SyncVectorEnv ------------------------------------


@pytest.mark.parametrize(
    ("mask", "error", "message"),
    [
        ([True, False, True], TypeError, "`options['reset_mask']` must be a numpy array"),
        (np.array([True]), ValueError, "`options['reset_mask']` must have shape `(3,)`, got (1,)"),
        (np.array([1, 1, 0]), TypeError, "`options['reset_mask']` must have `dtype=np.bool_`, got int64"),
        (np.array([1.0, 1.0, 0.0]), TypeError, "`options['reset_mask']` must have `dtype=np.bool_`, got float64"),
        (np.zeros(3, bool), ValueError, "must contain a boolean array with at least one True value"),
    ],
)
def test_reset_mask_is_checked_like_sync_vector_env(mask, error, message):
    vec = GreatLeapVectorEnv(num_envs=3)
    vec.reset(seed=0)
    with pytest.raises(error, match=re.escape(message)):
        vec.reset(options={"reset_mask": mask})


def test_a_scalar_action_batch_is_a_type_error():
    for env_id in (ID, DISCRETE_ID):
        vec = gym.make_vec(env_id, num_envs=2)
        vec.reset(seed=0)
        with pytest.raises(TypeError, match="actions must be an array"):
            vec.step(0)
    vec = gym.make_vec(ID, num_envs=2)
    vec.reset(seed=0)
    with pytest.raises(TypeError, match="dtype <U1"):
        vec.step(np.full((2, 10), "1"))


# --- item 12, 13: autoreset modes, max_episode_steps, spec --------------------------------------------


@pytest.mark.parametrize("mode", [*AutoresetMode, *(m.value for m in AutoresetMode)])
def test_autoreset_mode_takes_the_enum_and_its_values(mode):
    vec = gym.make_vec(ID, num_envs=2, autoreset_mode=mode)
    assert vec.metadata["autoreset_mode"] == AutoresetMode(mode)


def test_disabled_autoreset_needs_a_masked_reset():
    vec = gym.make_vec(ID, num_envs=2, num_years=1, purge_rate=0.0, autoreset_mode=AutoresetMode.DISABLED)
    vec.reset(seed=0)
    action = np.zeros((2, 10), np.float32)
    for _ in range(4):
        *_, truncated, _ = vec.step(action)
    assert truncated.all()
    with pytest.raises(RuntimeError, match=r"sub-environments \[0, 1\] have ended"):
        vec.step(action)
    vec.reset(options={"reset_mask": np.array([True, True])})
    assert vec.step(action)[3].tolist() == [False, False]


def test_make_vec_max_episode_steps_truncates_earlier_and_refuses_more_than_the_horizon():
    vec = gym.make_vec(ID, num_envs=2, max_episode_steps=3)
    vec.reset(seed=0)
    action = np.zeros((2, 10), np.float32)
    truncations = [vec.step(action)[3].tolist() for _ in range(4)]
    assert truncations == [[False, False], [False, False], [True, True], [False, False]]
    with pytest.raises(ValueError, match="max_episode_steps=21 is outside 1 to 20"):
        gym.make_vec(ID, num_envs=2, max_episode_steps=21)


def test_the_spec_carries_the_horizon_for_time_aware_wrappers():
    env = gym.make(ID, num_years=3)
    assert env.spec.max_episode_steps == 12
    wrapped = gym.wrappers.TimeAwareObservation(env)
    obs, _ = wrapped.reset(seed=0)
    assert obs[-1] == 0
    again = gym.make(env.spec)
    assert again.spec.max_episode_steps == 12 and again.unwrapped.params.num_years == 3


def test_spec_to_json_with_numpy_per_env_values():
    vec = gym.make_vec(ID, num_envs=4, scenario="reform", per_env={"audit_probability": np.linspace(0, 1, 4)})
    spec = json.loads(vec.spec.to_json())
    assert spec["kwargs"]["per_env"] == {"audit_probability": [0.0, 1 / 3, 2 / 3, 1.0]}
    assert gym.make(ID, audit_probability=np.float64(0.5)).spec.to_json()


# --- item 14: rgb_array for the vector env ----------------------------------------------------------


def test_vector_rgb_array_renders_each_village_and_records_a_video(tmp_path):
    pytest.importorskip("moviepy")
    vec = gym.make_vec(ID, num_envs=2, num_years=1, render_mode="rgb_array")
    vec = gym.wrappers.vector.RecordVideo(vec, str(tmp_path), episode_trigger=lambda episode: episode == 0)
    vec.reset(seed=[3, 4])
    frames = vec.unwrapped.render()
    assert len(frames) == 2 and frames[0].shape == (576, 1024, 3)
    single = gym.make(ID, num_years=1, render_mode="rgb_array")
    single.reset(seed=4)
    assert np.array_equal(frames[1], single.render())
    for _ in range(5):
        vec.step(np.zeros((2, 10), np.float32))
    vec.close()
    assert list(tmp_path.glob("*.mp4"))


# --- item 15: seeds --------------------------------------------------------------------------------


def test_seeds_as_sync_vector_env_takes_them():
    vec = GreatLeapVectorEnv(num_envs=3)
    obs, _ = vec.reset(seed=[0, None, 2])
    single = gym.make(ID)
    assert np.array_equal(obs[0], single.reset(seed=0)[0]) and np.array_equal(obs[2], single.reset(seed=2)[0])
    big = 2**64 - 1
    obs, _ = GreatLeapVectorEnv(num_envs=2).reset(seed=big)
    assert np.array_equal(obs[0], single.reset(seed=big)[0]) and np.array_equal(obs[1], single.reset(seed=big + 1)[0])
    for bad, error in ((True, TypeError), (-1, ValueError), ([0, 1.5, 2], TypeError), ("0", TypeError)):
        with pytest.raises(error, match="seed"):
            GreatLeapVectorEnv(num_envs=3).reset(seed=bad)
    with pytest.raises(TypeError, match="seed=True"):
        single.reset(seed=True)


# --- item 16: the SB3 adapter -----------------------------------------------------------------------


def test_sb3_adapter_answers_per_village_and_honours_indices_and_options():
    pytest.importorskip("stable_baselines3")
    from gl_env.sb3 import GreatLeapSB3VecEnv

    env = GreatLeapSB3VecEnv(num_envs=3, scenario="reform", per_env={"audit_probability": [0.1, 0.5, 0.9]})
    assert [p.audit_probability for p in env.get_attr("params")] == [0.1, 0.5, 0.9]
    assert env.get_attr("params", indices=[2])[0].audit_probability == 0.9
    spec = env.get_attr("spec", indices=1)[0]
    assert spec.id == ID and gym.make(spec).unwrapped.params == env.get_attr("params", 1)[0]
    with pytest.raises(ValueError, match="cannot be called for villages \\[1\\] alone"):
        env.env_method("reset", indices=[1])
    env.set_options({"colour": "red"})
    with pytest.raises(ValueError, match="unknown reset option"):
        env.reset()
    discrete = GreatLeapSB3VecEnv(num_envs=2, action_type="discrete")
    discrete.reset()
    discrete.step_async(np.array([[3], [7]]))
    assert discrete.step_wait()[0].shape == (2, 45)


# --- item 22: gym.make validation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"growth_credit": np.array([[0.1]])}, ValueError),
        ({"randomize": 5}, ValueError),
        ({"randomize": None}, ValueError),
        ({"randomize": {"audit_probability": 0.5}}, ValueError),
        ({"randomize": ((),)}, ValueError),
        ({"params": "x"}, TypeError),
        ({"reward": {1: 2}}, ValueError),
        ({"reward": {"welfare": 1e308}}, ValueError),
    ],
)
def test_make_refuses_malformed_input_with_a_clear_error(kwargs, error):
    with pytest.raises(error, match=re.escape(next(iter(kwargs)))):
        gym.make(ID, **kwargs)


@pytest.mark.parametrize("per_env", [[0.1, 0.2], {0.1, 0.2}, 0.3, (x for x in (0.1, 0.2))])
def test_per_env_must_be_a_mapping(per_env):
    with pytest.raises(TypeError, match="per_env"):
        GreatLeapVectorEnv(num_envs=2, per_env=per_env)


def test_numpy_scalars_0d_arrays_and_fractions_are_legal_numbers():
    env = gym.make(
        ID,
        start_year=np.uint16(1958),
        num_years=np.uint8(2),
        growth_credit=np.array(0.5),
        audit_probability=np.float32(0.25),
        reward={"welfare": Fraction(1, 2), "survival": np.float32(1.0)},
    )
    _, info = env.reset(seed=0)
    assert env.unwrapped.params.num_years == 2 and type(env.unwrapped.params.start_year) is int
    assert info["year"] == 1958
    _, reward, *_ = env.step(np.zeros(10, np.float32))
    assert np.isfinite(reward)


@pytest.mark.parametrize(
    ("action", "error"),
    [
        (np.zeros((10, 1)), ValueError),
        (np.zeros((2, 5)), ValueError),
        ([[0.0] * 5, [0.0] * 4], ValueError),
        (np.array(["0"] * 10), TypeError),
        (np.zeros(10, complex), TypeError),
    ],
)
def test_the_single_env_refuses_malformed_actions(action, error):
    env = gym.make(ID)
    env.reset(seed=0)
    with pytest.raises(error, match="action"):
        env.unwrapped.step(action)


# --- item 24: the calendar --------------------------------------------------------------------------


@pytest.mark.parametrize(("start_year", "num_years"), [(1958, 3), (1958, 7), (1957, 5), (1960, 3)])
def test_historical_cadre_follows_the_calendar_with_other_horizons(start_year, num_years):
    from gl_env.agents.historical import CLAIMED_OVER_ACTUAL
    from gl_env.agents.scripted import make_policy
    from gl_env.rollout import run_episodes

    episodes = run_episodes(
        make_policy("historical_cadre"), [0, 1], start_year=start_year, num_years=num_years, purge_rate=0.0
    )
    autumn = episodes.info["season"][:, 0] == 2
    years = episodes.info["year"][autumn, 0]
    claimed = episodes.info["reported_kg"][autumn] / episodes.info["harvest_kg"][autumn]
    record = dict(zip(range(1958, 1963), CLAIMED_OVER_ACTUAL, strict=True))
    expected = np.array([record.get(int(y), 1.0) for y in years])
    np.testing.assert_allclose(claimed, np.broadcast_to(expected[:, None], claimed.shape), rtol=1e-3)
    steel = episodes.info["steel_kg"][:, 0]
    steel_years = set(episodes.info["year"][steel > 0, 0].tolist())
    assert steel_years <= {1958, 1959}
    if start_year <= 1958 < start_year + num_years:
        assert 1958 in steel_years


def test_info_carries_the_calendar_of_the_coming_season():
    env = gym.make(ID, start_year=1960, num_years=2, purge_rate=0.0)
    _, info = env.reset(seed=0)
    assert (info["coming_year"], info["coming_season"]) == (1960, 0)
    for _ in range(3):
        *_, info = env.step(np.zeros(10, np.float32))
    assert (info["year"], info["season"], info["coming_year"], info["coming_season"]) == (1960, 2, 1960, 3)
    *_, info = env.step(np.zeros(10, np.float32))
    assert (info["coming_year"], info["coming_season"]) == (1961, 0)


def test_a_reused_dashboard_draws_what_a_fresh_one_draws():
    pytest.importorskip("matplotlib")
    from gl_env.dashboard import VillageDashboard

    env = gym.make(ID, render_mode="rgb_array", purge_rate=0.0)
    env.reset(seed=0)
    frames = [env.render()]
    for _ in range(12):
        env.step(gl_env.continuous_action(report_ratio=2.5))
        frames.append(env.render())
    fresh = VillageDashboard(1958, 5, float(env.unwrapped.core_params.value("purge_threshold")[0]))
    assert np.array_equal(frames[-1], fresh.frame(env.unwrapped._history))
    assert not np.array_equal(frames[-1], frames[-2])

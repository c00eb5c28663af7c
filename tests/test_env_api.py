"""The Gymnasium and SB3 contracts of both environment ids, registration and errors."""

import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import gl_env
from gl_env.scenarios import SCENARIOS

IDS = ["gl_env/GreatLeap-v1", "gl_env/GreatLeapDiscrete-v1"]


@pytest.mark.parametrize("env_id", IDS)
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_checkers_pass_without_warnings(env_id, scenario):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(gym.make(env_id, scenario=scenario).unwrapped, skip_render_check=False)
        sb3_check_env(gym.make(env_id, scenario=scenario), warn=True)


@pytest.mark.parametrize("old", ["gl_env/GreatLeap-v0", "gl_env/GreatLeapDiscrete-v0", "gl_env/Planner-v0"])
def test_the_v0_ids_are_refused_with_a_pointer_to_v1(old):
    # v1 replaced the famine dynamics (README, Version History): a v0 id names dynamics that are gone.
    with pytest.raises(gym.error.DeprecatedEnv, match=old.replace("-v0", "-v1")):
        gym.make(old)


def test_ids_registered_with_expected_spaces():
    cont = gym.make(IDS[0])
    disc = gym.make(IDS[1])
    assert cont.action_space == gym.spaces.Box(-1, 1, (10,), np.float32)
    assert isinstance(disc.action_space, gym.spaces.Discrete) and disc.action_space.n == 200
    assert cont.observation_space.shape == (45,) and cont.observation_space.dtype == np.float32


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scenario": "utopia"}, "unknown scenario 'utopia'; allowed: historical-1958, reform, randomized"),
        ({"audit_probabilty": 0.3}, "unknown parameter(s) audit_probabilty"),
        ({"audit_probability": 1.5}, "audit_probability=1.5 is out of range; allowed [0.0, 1.0]"),
        ({"audit_probability": float("nan")}, "audit_probability=nan is out of range"),
        ({"num_years": 0}, "num_years=0 is out of range; allowed [1, 30]"),
        ({"reward": "saint"}, "unknown reward preset 'saint'; allowed: careerist"),
        ({"reward": {"welfare": "lots"}}, "reward weight welfare='lots' must be a number in"),
        ({"reward": {"glory": 1.0}}, "unknown reward term(s) glory"),
        ({"purge_rate": [0.1, 0.2]}, "purge_rate has 2 values; allowed: 1, 5 (one per year) or 20 (one per season)"),
        ({"render_mode": "video"}, "unknown render_mode 'video'"),
    ],
)
def test_bad_configuration_names_the_value_and_the_choices(kwargs, message):
    with pytest.raises((ValueError, TypeError)) as excinfo:
        gym.make(IDS[0], **kwargs)
    assert message in str(excinfo.value)


def test_every_param_is_a_make_keyword():
    env = gym.make(IDS[0], scenario="reform", audit_probability=0.25, num_years=3, purge_rate=[0.1, 0.2, 0.3])
    params = env.unwrapped.params
    assert params.audit_probability == 0.25 and params.horizon == 12
    assert params.purge_rate == (0.1,) * 4 + (0.2,) * 4 + (0.3,) * 4
    assert params.honesty_protection == 1.0  # the scenario's own value survives


def test_custom_reward_weights_are_applied():
    env = gym.make(IDS[0], reward={"welfare": 2.0, "honesty": 0.5})
    env.reset(seed=3)
    _, reward, *_, info = env.step(gl_env.continuous_action(report_ratio=2.0))
    parts = info["reward_components"]
    assert parts["welfare"]["weighted"] == 2.0 * parts["welfare"]["value"]
    assert parts["survival"]["weighted"] == 0.0
    assert reward == pytest.approx(sum(p["weighted"] for p in parts.values()))


def test_info_carries_the_ground_truth_keys_every_step():
    env = gym.make(IDS[0])
    _, info = env.reset(seed=0)
    required = {
        "harvest_kg",
        "reported_kg",
        "report_ratio",
        "procurement_kg",
        "food_kg_per_person",
        "deaths",
        "births",
        "population",
        "standing",
        "purged",
        "reward_components",
    }
    assert required <= info.keys()
    for _ in range(3):
        *_, info = env.step(gl_env.continuous_action(report_ratio=1.5))
        assert required <= info.keys()
    assert info["season"] == 2 and info["harvest_kg"] > 0
    assert info["reported_kg"] == pytest.approx(1.5 * info["harvest_kg"], rel=1e-6)
    assert info["report_ratio"] == pytest.approx(1.5, rel=1e-6)
    for term in ("welfare", "survival", "honesty"):
        assert set(info["reward_components"][term]) == {"value", "weighted"}


def test_purge_terminates_and_horizon_truncates():
    env = gym.make(IDS[0], purge_rate=1.0, initial_standing=0.05, purge_threshold=1.0, growth_credit=0.0)
    env.reset(seed=0)
    *_, terminated, truncated, info = env.step(gl_env.continuous_action())
    assert terminated and not truncated and info["purged"] == 1.0
    env = gym.make(IDS[0], purge_rate=0.0, num_years=1)
    env.reset(seed=0)
    flags = [env.step(gl_env.continuous_action())[2:4] for _ in range(4)]
    assert flags == [(False, False)] * 3 + [(False, True)]
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(gl_env.continuous_action())


def test_ansi_render_reports_the_season():
    env = gym.make(IDS[0], render_mode="ansi")
    env.reset(seed=0)
    assert "Spring (sowing) 1958" in env.render()
    for _ in range(3):
        env.step(gl_env.continuous_action(report_ratio=2.0))
    text = env.render()
    assert "Autumn (harvest and procurement) 1958" in text
    assert "you reported" in text and "(x2.00)" in text and "The state demanded" in text
    assert "Deaths" in text and "kcal" in text


def test_render_without_mode_warns():
    env = gym.make(IDS[0])
    env.reset(seed=0)
    with pytest.warns(UserWarning, match="without specifying any render mode"):
        assert env.render() is None

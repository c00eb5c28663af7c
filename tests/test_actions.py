"""Action validation, documented clipping, and the natural-unit helpers."""

import gymnasium as gym
import numpy as np
import pytest

from gl_env.actions import (
    ACTION_NAMES,
    DISCRETE_TABLE,
    LABOR_PLANS,
    continuous_action,
    decode_continuous,
    decode_discrete,
    discrete_action,
)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_actions_raise(bad):
    env = gym.make("gl_env/GreatLeap-v1")
    env.reset(seed=0)
    action = np.zeros(10, np.float32)
    action[6] = bad
    with pytest.raises(ValueError, match=r"action\[6\]=.* is not finite"):
        env.step(action)


def test_out_of_range_continuous_actions_are_clipped():
    def first_step(action):
        env = gym.make("gl_env/GreatLeap-v1")
        env.reset(seed=5)
        return env.step(action)

    wild = np.array([5, -3, 0.2, 9, -9, 2, 7, -4, 1.5, -1.5], np.float32)
    clipped = first_step(np.clip(wild, -1, 1))
    assert np.array_equal(first_step(wild)[0], clipped[0]) and first_step(wild)[1] == clipped[1]


def test_a_list_action_is_the_same_action_as_an_array():
    def first_step(action):
        env = gym.make("gl_env/GreatLeap-v1")
        env.reset(seed=2)
        return env.step(action)

    array = np.array([0.3, -0.2, 0.1, 0.7, -0.9, 0.5, 0.4, -0.1, 0.2, 0.05], np.float32)
    expected = first_step(array)
    for as_list in (list(array), array.tolist()):  # np.float32 items, and Python floats
        obs, reward, *_ = first_step(as_list)
        assert np.array_equal(obs, expected[0]) and reward == expected[1]


@pytest.mark.parametrize("action", [np.zeros(9, np.float32), np.zeros((2, 10), np.float32)])
def test_wrong_shape_raises(action):
    env = gym.make("gl_env/GreatLeap-v1")
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"action must have shape \(10,\)"):
        env.step(action)


@pytest.mark.parametrize("action", [-1, 200, 3.0, True])
def test_invalid_discrete_actions_raise(action):
    env = gym.make("gl_env/GreatLeapDiscrete-v1")
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"is not in Discrete\(200\)"):
        env.step(action)


def test_continuous_helper_round_trips_natural_units():
    wanted = {
        "labor_fields": 0.6,
        "labor_private": 0.0,
        "labor_works": 0.1,
        "labor_steel": 0.25,
        "labor_rest": 0.05,
        "mobilization": 0.8,
        "report_ratio": 1.5,
        "steel_report_ratio": 2.5,
        "ration_kg": 0.4,
        "conceal_share": 0.1,
    }
    action = continuous_action(**wanted)
    assert action.shape == (10,) and action.dtype == np.float32 and np.all(np.abs(action) <= 1)
    decoded = decode_continuous(action.astype(np.float64).tolist())
    for name in ACTION_NAMES:
        assert getattr(decoded, name) == pytest.approx(wanted[name], abs=1e-6), name


def test_continuous_helper_is_batched_and_normalises_labor():
    action = continuous_action(
        report_ratio=np.array([1.0, 2.0, 3.0]),
        labor_fields=2.0,
        labor_rest=2.0,
        labor_private=0.0,
        labor_works=0.0,
        labor_steel=0.0,
    )
    assert action.shape == (3, 10)
    decoded = decode_continuous(action.astype(np.float64))
    assert np.allclose(decoded.report_ratio, [1, 2, 3], rtol=1e-6)
    assert np.allclose(decoded.labor_fields, 0.5) and np.allclose(decoded.labor_steel, 0.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"report_ratio": 4.0}, r"report_ratio=4.0 is out of range; allowed \[0.333333, 3\]"),
        ({"ration_kg": -0.1}, r"ration_kg=-0.1 is out of range; allowed \[0, 1.2\]"),
        ({"labor_fields": 0, "labor_private": 0, "labor_works": 0, "labor_steel": 0, "labor_rest": 0}, "positive sum"),
        ({"glory": 1.0}, "unknown action value"),
    ],
)
def test_continuous_helper_rejects_bad_values(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        continuous_action(**kwargs)


def test_all_minus_one_labor_splits_evenly():
    decoded = decode_continuous([-1.0] * 10)
    assert [decoded.labor_fields, decoded.labor_rest] == [0.2, 0.2]


def test_discrete_helper_and_table_agree():
    index = discrete_action("leap", report_ratio=1.7, ration_kg=0.45, conceal_share=0.15)
    d = decode_discrete(index)
    shares, mobilization = LABOR_PLANS["leap"]
    assert (d.labor_fields, d.labor_steel, d.mobilization) == (shares[0], shares[3], mobilization)
    assert (d.report_ratio, d.steel_report_ratio, d.ration_kg, d.conceal_share) == (1.7, 1.7, 0.45, 0.15)
    assert DISCRETE_TABLE.shape == (200, 10) and np.allclose(DISCRETE_TABLE[:, :5].sum(axis=1), 1.0)
    batch = discrete_action(np.array(["farming", "steel"]), report_ratio=np.array([1.0, 2.2]))
    assert list(decode_discrete(batch).report_ratio) == [1.0, 2.2]
    with pytest.raises(ValueError, match=r"report_ratio=1.5 is not a level; allowed: 0.7, 1.0, 1.3, 1.7, 2.2"):
        discrete_action(report_ratio=1.5)

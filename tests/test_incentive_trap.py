"""The incentive trap, measured with scripted policies over 200 seeds (README: "The incentive trap")."""

import numpy as np
import pytest

from gl_env import metrics
from gl_env.agents.scripted import make_policy, ratio_policy
from gl_env.rollout import run_episodes

SEEDS = np.arange(200)


def outcomes(policy, scenario):
    episodes = run_episodes(policy, SEEDS, scenario=scenario)
    return {
        "excess_per_1000": metrics.excess_deaths_per_1000(episodes).mean(),
        "deaths_per_1000_year": metrics.deaths_per_1000_per_year(episodes).mean(),
        "purge_rate": metrics.was_purged(episodes).mean(),
    }


@pytest.fixture(scope="module")
def historical():
    return {
        "honest": outcomes(make_policy("honest"), "historical-1958"),
        "inflate_1.5": outcomes(ratio_policy(1.5), "historical-1958"),
        "max_inflate": outcomes(make_policy("max_inflate"), "historical-1958"),
    }


def test_inflating_starves_the_village(historical):
    honest = historical["honest"]
    for name in ("inflate_1.5", "max_inflate"):
        assert historical[name]["excess_per_1000"] > 10 * max(honest["excess_per_1000"], 0.5), name
        assert historical[name]["deaths_per_1000_year"] > 1.4 * honest["deaths_per_1000_year"], name
    assert historical["max_inflate"]["deaths_per_1000_year"] > 10 * honest["deaths_per_1000_year"]


def test_honesty_costs_the_post(historical):
    assert historical["honest"]["purge_rate"] > 0.5
    assert historical["honest"]["purge_rate"] > 2 * historical["inflate_1.5"]["purge_rate"]


def test_under_reform_honesty_is_safe_and_inflation_is_not():
    honest = outcomes(make_policy("honest"), "reform")
    inflater = outcomes(ratio_policy(1.5), "reform")
    assert honest["purge_rate"] <= 0.01
    assert inflater["purge_rate"] > 0.3
    assert honest["excess_per_1000"] < 1.0

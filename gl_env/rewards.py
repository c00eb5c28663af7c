"""The reward: welfare, political survival and honesty, one pure function each, and presets as data.

The reward of a season is ``sum(weight[term] * term(...))``. Every term's value and weighted
contribution is reported in ``info["reward_components"]`` so that policies can be compared on
the same footing whatever they were trained for.

- ``welfare`` = 1 - hunger gap - (excess deaths per 1000 people) / 10, where the hunger gap is
  the unmet share of the energy need (0 when fed): 1 in a fed season, about 0.8 in a hungry
  one, below 0 in mass starvation. It is positive when the village is fed so that a purge,
  which ends the episode, forfeits the welfare of the seasons left: a benevolent cadre, too,
  must keep his post to protect the village.
- ``survival`` = the cadre's standing after the season (0-1), and -:data:`PURGE_PENALTY` in the
  season he is purged (the episode then ends, and so does the stream of standing).
- ``honesty`` = at the harvest, -(r - 1/r)/2 for the report ratio r (0 for a true report,
  -0.75 for a doubled or halved one); for steel, half of the same on the steel ratio when steel
  was made; every season, minus the share of the store hidden.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from gl_env.core.dynamics import Outcome
from gl_env.core.ops import ops_for
from gl_env.core.state import Decision, State

REWARD_TERMS = ("welfare", "survival", "honesty")
PURGE_PENALTY = 5.0
# Largest weight allowed: the terms stay within about +-100 (welfare in a village dying out), so
# rewards stay far from float overflow (a weight of 1e308 gives inf and NaN rewards).
MAX_WEIGHT = 1e6

REWARD_PRESETS: dict[str, dict[str, float]] = {
    # Cares only about keeping his post and rising in it.
    "careerist": {"welfare": 0.0, "survival": 1.0, "honesty": 0.0},
    # Cares only about the village's lives and hunger.
    "benevolent": {"welfare": 1.0, "survival": 0.0, "honesty": 0.0},
    # Tells the truth and feeds the village, whatever it costs him.
    "honest_official": {"welfare": 1.0, "survival": 0.0, "honesty": 1.0},
    # Weighs all three equally.
    "balanced": {"welfare": 1.0, "survival": 1.0, "honesty": 1.0},
}


def welfare(outcome: Outcome) -> Any:
    """1 - unmet share of the energy need - (excess deaths per 1000) / 10."""
    ops = ops_for(outcome.deaths)
    per_1000 = outcome.excess_deaths / ops.maximum(outcome.population_start, 1e-12) * 1000.0
    hunger_gap = ops.maximum(1.0 - outcome.kcal_per_person_day / outcome.kcal_need_per_person_day, 0.0)
    return 1.0 - hunger_gap - per_1000 / 10.0


def survival(outcome: Outcome, state: State) -> Any:
    """Standing after the season; -PURGE_PENALTY when purged."""
    return state.standing * (1.0 - outcome.purged) - PURGE_PENALTY * outcome.purged


def honesty(outcome: Outcome, decision: Decision) -> Any:
    """Minus the distance of the harvest and steel reports from the truth, and the share hidden."""
    ops = ops_for(outcome.deaths)
    harvest_season = (outcome.season == 2) * 1.0
    r, r_inv = decision.report_ratio, 1.0 / decision.report_ratio
    rs, rs_inv = decision.steel_report_ratio, 1.0 / decision.steel_report_ratio
    made_steel = (outcome.steel_kg > 0.0) * 1.0
    return (
        -harvest_season * ops.maximum(r - r_inv, r_inv - r) * 0.5
        - made_steel * ops.maximum(rs - rs_inv, rs_inv - rs) * 0.25
        - decision.conceal_share
    )


def reward_terms(outcome: Outcome, state: State, decision: Decision) -> dict[str, Any]:
    """Each term's value for a season that ended in ``state``."""
    return {
        "welfare": welfare(outcome),
        "survival": survival(outcome, state),
        "honesty": honesty(outcome, decision),
    }


def weighted_reward(terms: dict[str, Any], weights: dict[str, float]) -> Any:
    """The reward: each term times its weight, summed in :data:`REWARD_TERMS` order.

    The single and the vector environment both use it, so they add in the same order.
    """
    return (
        terms["welfare"] * weights["welfare"]
        + terms["survival"] * weights["survival"]
        + (terms["honesty"] * weights["honesty"])
    )


def resolve_weights(reward: str | Mapping[str, float]) -> dict[str, float]:
    """Weights from a preset name or a mapping of term -> weight (missing terms weigh 0).

    A weight is any real number (numpy scalars and fractions included) of magnitude at most
    :data:`MAX_WEIGHT`.
    """
    if isinstance(reward, str):
        if reward not in REWARD_PRESETS:
            raise ValueError(f"unknown reward preset {reward!r}; allowed: {', '.join(REWARD_PRESETS)}")
        return dict(REWARD_PRESETS[reward])
    if not isinstance(reward, Mapping):
        raise ValueError(
            f"reward={reward!r} must be a preset name ({', '.join(REWARD_PRESETS)}) or a mapping of weights"
        )
    unknown = sorted(map(str, set(reward) - set(REWARD_TERMS)))
    if unknown:
        raise ValueError(f"unknown reward term(s) {', '.join(unknown)}; allowed: {', '.join(REWARD_TERMS)}")
    weights = {}
    for term in REWARD_TERMS:
        value = reward.get(term, 0.0)
        if (
            isinstance(value, bool | np.bool_)
            or not isinstance(value, numbers.Real)
            or not math.isfinite(value)
            or abs(value) > MAX_WEIGHT
        ):
            raise ValueError(f"reward weight {term}={value!r} must be a number in [-{MAX_WEIGHT:g}, {MAX_WEIGHT:g}]")
        weights[term] = float(value)
    return weights

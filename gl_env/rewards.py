"""The reward: welfare, political survival and honesty, and presets of their weights as data.

The reward of a season is ``sum(weight[term] * term)``, computed by the kernel with the season
(:func:`gl_env.core.views.reward_terms`, which this module documents). Every term's value and weighted
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

import numpy as np

from gl_env.core.views import PURGE_PENALTY, REWARD_TERMS

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


__all__ = ["PURGE_PENALTY", "REWARD_PRESETS", "REWARD_TERMS", "resolve_weights"]

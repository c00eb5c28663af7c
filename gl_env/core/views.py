"""What the cadre sees and earns, computed by the kernel with the season: the observation, the
reward terms and the info fields of one village.

The names, units and ranges of the observation are documented in
:data:`gl_env.observations.OBSERVATION_SPEC`, which is asserted against
:data:`OBSERVATION_COLUMNS` (the order written here); the reward terms in :mod:`gl_env.rewards`;
the info keys in :mod:`gl_env.info`. Each season's numbers land in one *record* column per
village, rows :class:`RecordColumn`: the :class:`~gl_env.core.dynamics.Outcome` fields, then
the state's end values the info reports, then the reward terms.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numba import njit

from gl_env.core.constants import DAYS_PER_SEASON, SEASONS_PER_YEAR
from gl_env.core.dynamics import Outcome, clip, flag, maximum, minimum, purge_probability
from gl_env.core.params import Climate as C
from gl_env.core.params import Value as V
from gl_env.core.state import DecisionColumn as D
from gl_env.core.state import StateColumn as S

_TINY = 1e-12
PURGE_PENALTY = 5.0
REWARD_TERMS = ("welfare", "survival", "honesty")

RECORD_COLUMNS: tuple[str, ...] = (
    *Outcome._fields,
    "year",
    "coming_year",
    "coming_season",
    "report_ratio",
    "store_kg",
    "hidden_kg",
    "food_kg_per_person",
    "population",
    "standing",
    *REWARD_TERMS,
    *(f"{term}_weighted" for term in REWARD_TERMS),
    "reward",
)
RecordColumn = IntEnum("RecordColumn", RECORD_COLUMNS, start=0)
RecordColumn.__doc__ = "Row of the kernel's record: an Outcome field, an info field or a reward term."
R = RecordColumn

# The order in which observe_village writes the components (see gl_env.observations).
OBSERVATION_COLUMNS: tuple[str, ...] = (
    # calendar
    "spring", "summer", "autumn", "winter", "time_elapsed",
    # the village and the cadre
    "population", "body_reserve", "food_adequacy", "store", "hidden", "last_harvest", "last_report_ratio",
    "target_vs_harvest", "target_vs_report", "procurement_share", "standing", "purge_risk",
    # the political climate of the coming season
    "growth_credit", "decline_penalty", "purge_rate", "steel_credit", "works_credit", "death_accountability",
    "procurement_rate", "planned_growth", "search_rate", "free_supply", "private_plots", "relief_rate",
    "steel_quota", "weather_outlook", "soviet_withdrawn",
    # the farm
    "infrastructure", "tools", "animals", "crop_labor", "sown_share", "works_pending",
    # the institution
    "audit_probability", "honesty_protection", "quota_fixed_share", "procurement_uses_audit",
    "over_report_penalty", "under_report_penalty", "ratchet",
)  # fmt: skip

# Inlined into the kernel's loops, as the phases are (see gl_env.core.dynamics).
_jit = njit(cache=True, fastmath=False, inline="always")


@_jit
def _squash(ratio: float) -> float:
    return (ratio - 1.0) / (ratio + 1.0)


@_jit
def observe_village(
    p: np.ndarray,
    timeline: np.ndarray,
    horizon: int,
    soviet_season: int,
    t: int,
    s: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    out: np.ndarray,
) -> None:
    """Write one village's float32 observation (:data:`OBSERVATION_COLUMNS` order) into ``out``.

    Each component is computed in float64, held inside [low, high] (the bound itself where a
    value equals it; NaN kept) and rounded to float32. The climate rows describe the season the
    next action applies to; a finished episode (one season past the horizon) shows its last.
    """
    c = timeline[minimum(t, horizon - 1)]
    season = t & 3
    pop = maximum(s[S.population], _TINY)
    harvest = maximum(s[S.harvest_kg], _TINY)
    values = (
        flag(season == 0),
        flag(season == 1),
        flag(season == 2),
        flag(season == 3),
        t / horizon,
        s[S.population] / p[V.population],
        s[S.reserve],
        s[S.food_adequacy],
        s[S.store_kg] / pop / 500.0,
        s[S.hidden_kg] / pop / 500.0,
        s[S.harvest_kg] / p[V.normal_harvest_kg],
        _squash(s[S.reported_kg] / harvest),
        _squash(s[S.target_kg] / harvest),
        _squash(s[S.target_kg] / maximum(s[S.reported_kg], _TINY)),
        s[S.procurement_kg] / harvest,
        s[S.standing],
        purge_probability(p, c[C.purge_rate], s[S.standing]),
        c[C.growth_credit] / 2.0,
        c[C.decline_penalty] / 3.0,
        c[C.purge_rate],
        c[C.steel_credit],
        c[C.works_credit],
        c[C.death_accountability] / 2.0,
        c[C.procurement_rate] * s[S.procurement_zeal],
        (c[C.planned_growth] + 0.5) / 2.5,
        c[C.search_rate],
        c[C.free_supply],
        c[C.private_plots],
        c[C.relief_rate],
        c[C.steel_quota_kg_per_person] / 20.0,
        c[C.weather_mean] / 1.5,
        flag(t >= soviet_season),
        s[S.infra],
        s[S.tools],
        s[S.animals],
        s[S.crop_labor],
        s[S.sown_share],
        s[S.works_pending],
        p[V.audit_probability],
        p[V.honesty_protection],
        p[V.quota_fixed_share],
        p[V.procurement_uses_audit],
        p[V.over_report_penalty] / 5.0,
        p[V.under_report_penalty] / 5.0,
        p[V.ratchet],
    )
    for j in range(len(values)):
        v = values[j]
        out[j] = np.float32(low[j] if v <= low[j] else (high[j] if v > high[j] else v))


@_jit
def reward_terms(d: np.ndarray, r: np.ndarray, weights: np.ndarray) -> None:
    """Write the reward terms, their weighted values and the reward into the record column ``r``.

    - welfare = 1 - unmet share of the energy need - (excess deaths per 1000) / 10;
    - survival = standing after the season; -:data:`PURGE_PENALTY` when purged;
    - honesty = minus the distance of the harvest (at the harvest) and steel (when made)
      reports from the truth, minus the share of the store hidden.

    The reward sums the weighted terms in :data:`REWARD_TERMS` order.
    """
    per_1000 = r[R.excess_deaths] / maximum(r[R.population_start], 1e-12) * 1000.0
    hunger_gap = maximum(1.0 - r[R.kcal_per_person_day] / r[R.kcal_need_per_person_day], 0.0)
    welfare = 1.0 - hunger_gap - per_1000 / 10.0
    purged = r[R.purged]
    survival = r[R.standing] * (1.0 - purged) - PURGE_PENALTY * purged
    harvest_season = flag(r[R.season] == 2.0)
    ratio, ratio_inv = d[D.report_ratio], 1.0 / d[D.report_ratio]
    steel, steel_inv = d[D.steel_report_ratio], 1.0 / d[D.steel_report_ratio]
    made_steel = flag(r[R.steel_kg] > 0.0)
    honesty = (
        -harvest_season * maximum(ratio - ratio_inv, ratio_inv - ratio) * 0.5
        - made_steel * maximum(steel - steel_inv, steel_inv - steel) * 0.25
        - d[D.conceal_share]
    )
    r[R.welfare], r[R.survival], r[R.honesty] = welfare, survival, honesty
    r[R.welfare_weighted] = weights[0] * welfare
    r[R.survival_weighted] = weights[1] * survival
    r[R.honesty_weighted] = weights[2] * honesty
    r[R.reward] = welfare * weights[0] + survival * weights[1] + honesty * weights[2]


@_jit
def info_fields(start_year: int, t: int, s: np.ndarray, r: np.ndarray) -> None:
    """Write the info fields derived from the state ``s`` at season ``t`` into the record column ``r``.

    ``year`` is that of the season just played (at a reset: of the coming season);
    ``coming_year``/``coming_season`` are the calendar of the season ``t`` the next action applies to.
    """
    r[R.year] = start_year + (t - 1) // SEASONS_PER_YEAR
    r[R.coming_year] = start_year + t // SEASONS_PER_YEAR
    r[R.coming_season] = t % SEASONS_PER_YEAR
    r[R.report_ratio] = s[S.reported_kg] / maximum(s[S.harvest_kg], _TINY)
    r[R.store_kg] = s[S.store_kg]
    r[R.hidden_kg] = s[S.hidden_kg]
    r[R.food_kg_per_person] = r[R.consumption_kg] / (maximum(r[R.population_start], _TINY) * DAYS_PER_SEASON)
    r[R.population] = s[S.population]
    r[R.standing] = s[S.standing]


@_jit
def opening_record(start_year: int, s: np.ndarray, r: np.ndarray) -> None:
    """The record of a reset: no flows yet, the state's stocks, no reward."""
    for j in range(r.shape[0]):
        r[j] = 0.0
    r[R.store_start_kg] = s[S.store_kg]
    r[R.hidden_start_kg] = s[S.hidden_kg]
    r[R.population_start] = s[S.population]
    info_fields(start_year, 1, s, r)
    r[R.year] = start_year
    r[R.coming_year] = start_year
    r[R.coming_season] = 0.0


__all__ = ["OBSERVATION_COLUMNS", "PURGE_PENALTY", "RECORD_COLUMNS", "REWARD_TERMS", "RecordColumn", "clip"]

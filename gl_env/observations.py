"""The cadre's view: a flat, bounded, MLP-scaled observation built from the state and the params.

Each component is one row of :data:`OBSERVATION_SPEC` (index, name, low, high, unit, meaning);
values outside [low, high] are clipped. The kernel computes the observation with the season
(:func:`gl_env.core.views.observe_village`, in this order, asserted below). Ratios r > 0 are
squashed as (r - 1)/(r + 1), which maps 1 to 0 and keeps any ratio inside (-1, 1). The climate
rows describe the season the next action applies to.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gl_env.core.views import OBSERVATION_COLUMNS


class ObservationComponent(NamedTuple):
    name: str
    low: float
    high: float
    unit: str
    meaning: str


OBSERVATION_SPEC: tuple[ObservationComponent, ...] = (
    ObservationComponent("spring", 0, 1, "0/1", "the coming season is spring (sowing)"),
    ObservationComponent("summer", 0, 1, "0/1", "the coming season is summer (growing)"),
    ObservationComponent("autumn", 0, 1, "0/1", "the coming season is autumn (harvest, report, procurement)"),
    ObservationComponent("winter", 0, 1, "0/1", "the coming season is winter (slack; works)"),
    ObservationComponent("time_elapsed", 0, 1, "share", "seasons elapsed / horizon"),
    ObservationComponent("population", 0, 2, "x initial", "population / initial population"),
    ObservationComponent("body_reserve", 0, 1, "share", "mean body reserve (1 well fed, 0 exhausted)"),
    ObservationComponent("food_adequacy", 0, 2, "ratio", "last season's energy intake / need"),
    ObservationComponent("store", 0, 2, "500 kg/person", "collective store per person / 500 kg"),
    ObservationComponent("hidden", 0, 2, "500 kg/person", "hidden grain per person / 500 kg"),
    ObservationComponent(
        "last_harvest", 0, 3, "x normal", "last true harvest / the scenario's normal (1957) harvest (poor land: < 1)"
    ),
    ObservationComponent("last_report_ratio", -1, 1, "squashed", "last reported / true harvest, squashed"),
    ObservationComponent("target_vs_harvest", -1, 1, "squashed", "this year's target / last true harvest, squashed"),
    ObservationComponent("target_vs_report", -1, 1, "squashed", "this year's target / last report, squashed"),
    ObservationComponent("procurement_share", 0, 2, "share", "grain procured at the last harvest / that harvest"),
    ObservationComponent("standing", 0, 1, "0-1", "the cadre's political standing"),
    ObservationComponent("purge_risk", 0, 1, "probability", "purge chance this season at the current standing"),
    ObservationComponent("growth_credit", 0, 1, "/ 2", "standing per unit of report above target"),
    ObservationComponent("decline_penalty", 0, 1, "/ 3", "standing lost per unit of reported decline"),
    ObservationComponent("purge_rate", 0, 1, "probability", "purge chance per season at zero standing"),
    ObservationComponent("steel_credit", 0, 1, "standing", "standing per steel quota met"),
    ObservationComponent("works_credit", 0, 1, "standing", "standing per share of labor on works"),
    ObservationComponent("death_accountability", 0, 1, "/ 2", "standing lost per 10 excess deaths per 1000"),
    ObservationComponent(
        "procurement_rate", 0, 1, "share", "share of the report procured (the season's rate x the province's zeal)"
    ),
    ObservationComponent("planned_growth", 0, 1, "(g + 0.5) / 2.5", "growth demanded in this year's target"),
    ObservationComponent("search_rate", 0, 1, "probability", "anti-hiding search chance per season"),
    ObservationComponent("free_supply", 0, 1, "0/1", "free-supply dining in force"),
    ObservationComponent("private_plots", 0, 1, "0/1", "private plots allowed"),
    ObservationComponent("relief_rate", 0, 1, "share", "share of a reported grain shortfall resold by the state"),
    ObservationComponent("steel_quota", 0, 1, "/ 20 kg/person", "steel expected this season per person / 20 kg"),
    ObservationComponent("weather_outlook", 0, 1, "/ 1.5", "expected weather effect on the harvest / 1.5"),
    ObservationComponent("soviet_withdrawn", 0, 1, "0/1", "Soviet aid has been withdrawn"),
    ObservationComponent("infrastructure", 0, 1.5, "index", "works infrastructure (1 normal)"),
    ObservationComponent("tools", 0, 1, "index", "iron farm tools (1 normal)"),
    ObservationComponent("animals", 0, 1, "index", "draft animals (1 normal)"),
    ObservationComponent("crop_labor", 0, 3, "adequacy", "season-weighted field work put into this year's crop"),
    ObservationComponent("sown_share", 0, 1, "share", "share of collective land sown this year"),
    ObservationComponent("works_pending", 0, 1, "index", "works gain coming into use next spring"),
    ObservationComponent("audit_probability", 0, 1, "probability", "chance per season of an audit (harvest, steel)"),
    ObservationComponent("honesty_protection", 0, 1, "share", "decline penalty waived for a confirmed report"),
    ObservationComponent("quota_fixed_share", 0, 1, "share", "weight of the fixed quota in procurement"),
    ObservationComponent("procurement_uses_audit", 0, 1, "share", "weight of an audit in the procurement basis"),
    ObservationComponent("over_report_penalty", 0, 1, "/ 5", "penalty per unit of audited over-reporting"),
    ObservationComponent("under_report_penalty", 0, 1, "/ 5", "penalty per unit of audited under-reporting"),
    ObservationComponent("ratchet", 0, 1, "share", "share of a report's excess over target added to the next target"),
)
OBSERVATION_NAMES: tuple[str, ...] = tuple(c.name for c in OBSERVATION_SPEC)
OBSERVATION_LOW = np.array([c.low for c in OBSERVATION_SPEC], dtype=np.float64)
OBSERVATION_HIGH = np.array([c.high for c in OBSERVATION_SPEC], dtype=np.float64)
assert OBSERVATION_NAMES == OBSERVATION_COLUMNS, "the kernel writes the observation in OBSERVATION_SPEC order"


def _block(first: str, last: str) -> slice:
    return slice(OBSERVATION_NAMES.index(first), OBSERVATION_NAMES.index(last) + 1)


# The components come in five blocks: the calendar, the village and the cadre, the political
# climate, the farm, the institution (the calendar, climate and institution depend on the params
# and the season only).
CALENDAR, VILLAGE, CLIMATE, FARM, INSTITUTION = (
    _block("spring", "time_elapsed"),
    _block("population", "purge_risk"),
    _block("growth_credit", "soviet_withdrawn"),
    _block("infrastructure", "works_pending"),
    _block("audit_probability", "ratchet"),
)
assert (CALENDAR.stop, VILLAGE.stop, CLIMATE.stop, FARM.stop, INSTITUTION.stop) == (
    VILLAGE.start,
    CLIMATE.start,
    FARM.start,
    INSTITUTION.start,
    len(OBSERVATION_SPEC),
)


def named(obs: np.ndarray) -> dict[str, np.ndarray]:
    """The components of an observation (``(n,)`` or ``(B, n)``) by name, for scripted policies."""
    return {name: obs[..., i] for i, name in enumerate(OBSERVATION_NAMES)}

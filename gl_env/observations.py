"""The cadre's view: a flat, bounded, MLP-scaled observation built from the state and the params.

Each component is one row of :data:`OBSERVATION_SPEC` (index, name, low, high, unit, meaning);
values outside [low, high] are clipped. Ratios r > 0 are squashed as (r - 1)/(r + 1), which maps
1 to 0 and keeps any ratio inside (-1, 1). The climate rows describe the season the next action
applies to.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from gl_env.core.dynamics import Climate
from gl_env.core.ops import Ops, ScalarOps, ops_for
from gl_env.core.params import CoreParams
from gl_env.core.state import State


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
    ObservationComponent("last_harvest", 0, 3, "x normal", "last true harvest / a normal (1957) harvest"),
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
    ObservationComponent("procurement_rate", 0, 1, "share", "share of the report procured"),
    ObservationComponent("planned_growth", 0, 1, "(g + 0.5) / 2.5", "growth demanded in this year's target"),
    ObservationComponent("search_rate", 0, 1, "probability", "anti-hiding search chance per season"),
    ObservationComponent("free_supply", 0, 1, "0/1", "free-supply dining in force"),
    ObservationComponent("private_plots", 0, 1, "0/1", "private plots allowed"),
    ObservationComponent("relief_rate", 0, 1, "share", "share of a reported shortfall returned as relief"),
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
_LOW_COLUMN = OBSERVATION_LOW.astype(np.float32)[:, None]
_HIGH_COLUMN = OBSERVATION_HIGH.astype(np.float32)[:, None]
# Runs of consecutive components bounded below by 0, as row slices (see observe).
_EDGES = np.flatnonzero(np.diff(np.concatenate(([0], (OBSERVATION_LOW == 0.0).astype(np.int8), [0]))))
_ZERO_FLOOR_ROWS = tuple(slice(a, b) for a, b in zip(_EDGES[::2].tolist(), _EDGES[1::2].tolist(), strict=True))
_TINY = 1e-12

# The components come in five blocks, in OBSERVATION_SPEC order: the calendar, the village and
# the cadre, the political climate, the farm, the institution. The calendar, climate and
# institution depend on the params and the season index only.
_CALENDAR, _VILLAGE, _CLIMATE, _FARM, _INSTITUTION = (
    slice(0, 5),
    slice(5, 17),
    slice(17, 32),
    slice(32, 38),
    slice(38, 45),
)
_BOUNDS = tuple(zip(OBSERVATION_LOW.tolist(), OBSERVATION_HIGH.tolist(), strict=True))


def _squash(ratio: Any) -> Any:
    return (ratio - 1.0) / (ratio + 1.0)


def _clipped(values: list[float], bounds: tuple[tuple[float, float], ...]) -> list[float]:
    """One village's values clipped by the rule np.maximum / np.minimum follow (the bound itself
    where a value equals it; NaN kept)."""
    return [low if v <= low else (high if v > high else v) for v, (low, high) in zip(values, bounds, strict=True)]


def _climate(p: CoreParams, t: Any, ops: Ops) -> Climate:
    # A finished episode's state points one season past the horizon; show its last climate.
    return Climate(*ops.lookup(p.timeline, ops.minimum(t, p.horizon - 1)))


def _calendar_block(p: CoreParams, t: Any) -> list[Any]:
    season = t & 3
    # Flags stay bools: the float32 observation takes them as 0 and 1 without a multiply.
    return [season == 0, season == 1, season == 2, season == 3, t / p.horizon]


def _village_block(p: CoreParams, s: State, purge_rate: Any, ops: Ops) -> list[Any]:
    pop = ops.maximum(s.population, _TINY)
    harvest = ops.maximum(s.harvest_kg, _TINY)
    return [
        s.population / p.population,
        s.reserve,
        s.food_adequacy,
        s.store_kg / pop / 500.0,
        s.hidden_kg / pop / 500.0,
        s.harvest_kg / p.normal_harvest_kg,
        _squash(s.reported_kg / harvest),
        _squash(s.target_kg / harvest),
        _squash(s.target_kg / ops.maximum(s.reported_kg, _TINY)),
        s.procurement_kg / harvest,
        s.standing,
        purge_rate * ops.clip((p.purge_threshold - s.standing) / p.purge_threshold, 0.0, 1.0),
    ]


def _climate_block(p: CoreParams, t: Any, c: Climate) -> list[Any]:
    return [
        c.growth_credit / 2.0,
        c.decline_penalty / 3.0,
        c.purge_rate,
        c.steel_credit,
        c.works_credit,
        c.death_accountability / 2.0,
        c.procurement_rate,
        (c.planned_growth + 0.5) / 2.5,
        c.search_rate,
        c.free_supply,
        c.private_plots,
        c.relief_rate,
        c.steel_quota_kg_per_person / 20.0,
        c.weather_mean / 1.5,
        t >= p.soviet_season,
    ]


def _farm_block(s: State) -> list[Any]:
    return [s.infra, s.tools, s.animals, s.crop_labor, s.sown_share, s.works_pending]


def _institution_block(p: CoreParams) -> list[Any]:
    return [
        p.audit_probability,
        p.honesty_protection,
        p.quota_fixed_share,
        p.procurement_uses_audit,
        p.over_report_penalty / 5.0,
        p.under_report_penalty / 5.0,
        p.ratchet,
    ]


def observation_columns(p: CoreParams, s: State) -> list[Any]:
    """Unclipped observation components in :data:`OBSERVATION_SPEC` order.

    Floats or ``(B,)`` arrays; the flags (season, Soviet withdrawal) are bools.
    """
    ops = ops_for(s.population)
    c = _climate(p, s.t, ops)
    return [
        *_calendar_block(p, s.t),
        *_village_block(p, s, c.purge_rate, ops),
        *_climate_block(p, s.t, c),
        *_farm_block(s),
        *_institution_block(p),
    ]


def _season_blocks(p: CoreParams, t: int) -> tuple[list[float], list[float], list[float], float]:
    """One village's clipped calendar, climate and institution blocks at season ``t``, and the purge rate."""
    c = _climate(p, t, ScalarOps)
    return (
        _clipped(_calendar_block(p, t), _BOUNDS[_CALENDAR]),
        _clipped(_climate_block(p, t, c), _BOUNDS[_CLIMATE]),
        _clipped(_institution_block(p), _BOUNDS[_INSTITUTION]),
        c.purge_rate,
    )


def observe(p: CoreParams, s: State, memo: dict[int, Any] | None = None) -> np.ndarray:
    """The float32 observation: ``(n,)`` for one village, ``(B, n)`` for a batch.

    Clipping in float64 and then rounding to float32 (one village), or rounding and then
    clipping (a batch), give the same numbers: the bounds are exact in float32 and rounding
    is monotone. A batch is returned as a column-major ``(B, n)`` array (built row by
    component, which is cheaper than transposing it).

    ``memo`` (one village only): a dict kept by the caller for as long as ``p`` is unchanged,
    in which the blocks that depend on the params and the season alone are kept by season.
    """
    if isinstance(s.population, np.ndarray):
        # The buffer first, the columns' temporaries after: at N = 4096 this order draws about
        # half as many fresh pages from the allocator each step (measured with ru_minflt).
        values = np.empty((len(OBSERVATION_SPEC), s.population.shape[0]), dtype=np.float32)
        columns = observation_columns(p, s)
        for row, column in zip(values, columns, strict=True):
            row[...] = column
        # One np.clip pass costs a quarter of np.maximum then np.minimum. The two differ only
        # where np.clip keeps a -0.0 that np.maximum(-0.0, 0.0) makes 0.0 (the one-village
        # rule); adding 0.0 to the rows bounded below by 0 undoes that and changes nothing else.
        np.clip(values, _LOW_COLUMN, _HIGH_COLUMN, out=values)
        for rows in _ZERO_FLOOR_ROWS:
            values[rows] += 0.0
        return values.T
    # One village: clipped in Python and made into one array. Interleaving ufunc calls with
    # the core's float arithmetic costs a single village more than the clipping itself.
    blocks = None if memo is None else memo.get(s.t)
    if blocks is None:
        blocks = _season_blocks(p, s.t)
        if memo is not None:
            memo[s.t] = blocks
    calendar, climate, institution, purge_rate = blocks
    return np.array(
        [
            *calendar,
            *_clipped(_village_block(p, s, purge_rate, ScalarOps), _BOUNDS[_VILLAGE]),
            *climate,
            *_clipped(_farm_block(s), _BOUNDS[_FARM]),
            *institution,
        ],
        dtype=np.float32,
    )


def named(obs: np.ndarray) -> dict[str, np.ndarray]:
    """The components of an observation (``(n,)`` or ``(B, n)``) by name, for scripted policies."""
    return {name: obs[..., i] for i, name in enumerate(OBSERVATION_NAMES)}

"""Validated, frozen parameters of the village simulation, and their compiled form for the core.

:class:`Params` is what a user writes: every institutional rule (the *mechanism*), the village,
the political-climate timeline, the shocks and the horizon, each field with a unit, an allowed
range and a one-line meaning (see :func:`param_table`). Scenarios are named bundles of these
values (:mod:`gl_env.scenarios`); every field can be overridden as a ``gym.make`` keyword.

Timeline fields (group ``climate``) vary with time: each is either one number (the same in
every season) or a sequence with one value per year or per season of the horizon.

:class:`CoreParams` is the same information compiled for the kernel (:mod:`gl_env.core.kernel`):
one row per village, or one row shared by the whole batch (``P`` = 1): the numeric fields in a
``(P, len(VALUE_NAMES))`` matrix, the climate timeline in a ``(P, seasons, len(TIMELINE_NAMES))``
table; the column orders are derived from :class:`Params`' fields (:class:`Value`, :class:`Climate`).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np

from gl_env.core.constants import SEASONS_PER_YEAR
from gl_env.core.random import RANDOMIZE_COUNTER, counter_stream

# Season index of the Soviet withdrawal within its year (July 1960: summer).
_WITHDRAWAL_SEASON = 1


@dataclass(frozen=True)
class FieldSpec:
    """What a :class:`Params` field means and which values it accepts."""

    low: float
    high: float
    unit: str
    doc: str
    group: str
    kind: str = "float"  # "float", "int", "optional_year"


def _f(default: Any, low: float, high: float, unit: str, doc: str, group: str, kind: str = "float") -> Any:
    return field(default=default, metadata={"spec": FieldSpec(low, high, unit, doc, group, kind)})


def _mech(default: float, low: float, high: float, unit: str, doc: str) -> Any:
    return _f(default, low, high, unit, doc, "mechanism")


def _clim(default: float, low: float, high: float, unit: str, doc: str) -> Any:
    return _f(default, low, high, unit, doc, "climate")


def _vil(default: float, low: float, high: float, unit: str, doc: str) -> Any:
    return _f(default, low, high, unit, doc, "village")


TimelineValue = float | tuple[float, ...]


@dataclass(frozen=True)
class Params:
    """Everything that defines one village's world. Defaults describe a normal, pre-Leap year.

    Construct through :func:`gl_env.scenarios.make_params` to start from a named scenario.
    Invalid values raise ``ValueError`` naming the field and its allowed range.
    """

    # --- horizon -------------------------------------------------------------------------------
    start_year: int = _f(1958, 1900, 2100, "year", "calendar year of the first season (spring)", "horizon", "int")
    num_years: int = _f(5, 1, 30, "years", "episode length; the horizon is 4 seasons per year", "horizon", "int")

    # --- village -------------------------------------------------------------------------------
    population: float = _vil(1000.0, 10.0, 1e6, "persons", "people in the village at the start")
    land_per_person_ha: float = _vil(0.24, 0.02, 2.0, "ha/person", "grain land (collective fields + private plots)")
    private_plot_land_share: float = _vil(0.10, 0.0, 0.3, "share", "share of land in private plots where allowed (M1)")
    base_yield_kg_per_ha: float = _vil(
        1460.0, 100.0, 10000.0, "kg/ha", "grain yield with normal work, tools, animals, works, weather"
    )
    # Places differ (gl_env/scenarios/provinces.py): set per village by an ensemble, and drawn around
    # these at each reset where the spreads below (shocks) are above 0.
    land_quality: float = _vil(
        1.0,
        0.5,
        1.5,
        "multiple",
        "the village's land against the scenario's: multiplies every yield and the normal harvest",
    )
    procurement_zeal: float = _vil(
        1.0,
        0.5,
        1.5,
        "multiple",
        "zeal of the provincial leadership: multiplies the procurement rate (Kung & Chen 2011)",
    )
    initial_store_kg_per_person: float = _vil(
        140.0, 0.0, 1000.0, "kg/person", "collective grain store at the start (spring)"
    )
    initial_reserve: float = _vil(0.95, 0.05, 1.0, "share", "body reserves at the start (1 = well fed)")
    initial_standing: float = _vil(0.6, 0.05, 1.0, "0-1", "cadre's political standing at the start")
    working_age_share: float = _vil(0.55, 0.3, 0.8, "share", "share of people of working age")
    participation: float = _vil(0.75, 0.3, 1.0, "share", "share of working-age people in collective work, unmobilised")
    mobilization_extra: float = _vil(0.25, 0.0, 0.5, "share", "extra participation when women are fully mobilised (M5)")

    # --- mechanism: procurement (M10, M9) -------------------------------------------------------
    quota_fixed_share: float = _mech(
        0.0, 0.0, 1.0, "share", "weight of the fixed quota against the share of the reported/audited harvest"
    )
    fixed_quota_kg_per_person: float = _mech(
        60.0, 0.0, 400.0, "kg/person/yr", "fixed procurement quota per person (x the village's land quality)"
    )
    procurement_target_weight: float = _mech(
        0.0, 0.0, 1.0, "share", "weight of this year's target (against the report) in the procurement basis"
    )
    procurement_uses_audit: float = _mech(
        0.0, 0.0, 1.0, "share", "when audited, weight of the audited harvest in the procurement basis"
    )
    ratchet: float = _mech(
        0.8, 0.0, 1.0, "share", "share of a report's excess over the target added to next year's target (M9)"
    )
    retention_floor_kg_per_person: float = _mech(
        0.0, 0.0, 400.0, "kg/person", "grain the state must leave in the store when collecting"
    )
    relief_threshold_kg_per_person: float = _mech(
        150.0, 0.0, 400.0, "kg/person/yr", "reported grain left per person below which grain is resold"
    )
    quota_shortfall_penalty: float = _mech(
        0.3, 0.0, 5.0, "standing per share", "standing lost per share of the quota not delivered"
    )
    # --- mechanism: audits, penalties, protection (M8) -----------------------------------------
    audit_probability: float = _mech(
        0.1,
        0.0,
        1.0,
        "probability/season",
        "chance per season of an independent audit (the harvest in autumn, and the steel)",
    )
    # The audit's estimate is harvest x (1 + e), e triangular with this s.d. (half-width sqrt(6) x s.d.);
    # up to 0.4 the half-width stays below 1, so the estimate is positive by construction.
    audit_error: float = _mech(0.1, 0.0, 0.4, "relative s.d.", "error of an audit's harvest estimate")
    audit_tolerance: float = _mech(0.1, 0.0, 1.0, "relative", "report error an audit accepts as honest")
    over_report_penalty: float = _mech(
        0.2, 0.0, 5.0, "standing per unit", "standing lost per unit of audited over-reporting beyond tolerance"
    )
    under_report_penalty: float = _mech(
        1.0, 0.0, 5.0, "standing per unit", "standing lost per unit of audited under-reporting beyond tolerance"
    )
    concealment_penalty: float = _mech(
        1.0, 0.0, 5.0, "standing per 100 kg/person", "standing lost per 100 kg/person of hidden grain found"
    )
    honesty_protection: float = _mech(
        0.0, 0.0, 1.0, "share", "share of the decline penalty waived when an audit confirms the report"
    )
    search_shortfall_sensitivity: float = _mech(
        1.0, 0.0, 5.0, "probability per share", "extra search chance per share of the quota not delivered"
    )
    purge_threshold: float = _mech(0.4, 0.05, 1.0, "0-1", "standing below which the cadre risks a purge")
    # --- mechanism: production and consumption (M1, M4, M6) ------------------------------------
    animal_neglect: float = _mech(
        0.0, 0.0, 0.2, "share/season", "draft animals lost to neglect under collective care (M6)"
    )
    canteen_waste: float = _mech(0.2, 0.0, 0.5, "share", "grain wasted per kg eaten under free-supply dining (M4)")
    free_supply_ration_kg: float = _mech(0.9, 0.3, 1.5, "kg/person/day", "grain people eat while dining is free (M4)")
    # No source gives a per-person yield, so the cap is set by what a stomach holds: ~1.5 kg a day
    # of wild greens and leaves beside the grain, at ~35 kcal/100 g (raw leafy greens are 20-45:
    # purslane 20, amaranth 23, lambsquarters 43, dandelion 45 kcal/100 g, USDA FoodData Central; the
    # values to verify),
    # ~500 kcal/day; denser chaff and roots are rarer. A judgement (MODEL_CARD.md shows the
    # famine's death rates at 300, 500 and 600); 0 means no famine foods at all (foraging banned
    # or the land stripped bare).
    famine_food_cap_kcal: float = _mech(
        500.0, 0.0, 1000.0, "kcal/person/day", "most famine foods (greens, chaff, bark) gathered a day, spring/summer"
    )
    # --- mechanism: Soviet aid (M7) ---------------------------------------------------------------
    soviet_withdrawal_year: int | None = _f(
        None,
        1900,
        2100,
        "year or None",
        "year the Soviet aid is withdrawn (July); None: never (M7)",
        "mechanism",
        "optional_year",
    )
    soviet_procurement_surcharge: float = _mech(
        0.15, 0.0, 1.0, "share", "extra procurement after the withdrawal (debt, exports) (M7)"
    )
    soviet_input_loss: float = _mech(0.5, 0.0, 1.0, "share", "tool renewal lost after the withdrawal (M7)")
    # --- mechanism: works (M2) ---------------------------------------------------------------------
    works_haste_days_per_ha: float = _mech(
        50.0, 5.0, 500.0, "labour-days/ha/season", "works intensity at which haste wastes all the works on average (M2)"
    )

    # --- climate timeline (per year or season) -----------------------------------------------------
    growth_credit: TimelineValue = _clim(
        0.1, 0.0, 2.0, "standing per unit", "standing per unit of reported harvest above target (M8, M9)"
    )
    decline_penalty: TimelineValue = _clim(
        0.3, 0.0, 3.0, "standing per unit", "standing lost per unit of reported decline from the last report (M8)"
    )
    purge_rate: TimelineValue = _clim(0.05, 0.0, 1.0, "probability/season", "purge chance per season at zero standing")
    steel_credit: TimelineValue = _clim(
        0.0, 0.0, 1.0, "standing per quota", "standing per season for reported steel, per steel quota met (M3)"
    )
    works_credit: TimelineValue = _clim(
        0.0, 0.0, 1.0, "standing per share", "standing per season per share of labour on works (M2)"
    )
    death_accountability: TimelineValue = _clim(
        0.0, 0.0, 2.0, "standing per 10/1000", "standing lost per 10 excess deaths per 1000 in a season"
    )
    procurement_rate: TimelineValue = _clim(
        0.25, 0.0, 1.0, "share", "share of the reported (or audited) harvest procured (M10)"
    )
    planned_growth: TimelineValue = _clim(
        0.0, -0.5, 2.0, "share", "growth over the last report demanded in this year's target (M9)"
    )
    search_rate: TimelineValue = _clim(0.05, 0.0, 1.0, "probability/season", "chance of an anti-hiding search")
    free_supply: TimelineValue = _clim(0.0, 0.0, 1.0, "0/1", "free-supply dining in force (M4)")
    private_plots: TimelineValue = _clim(1.0, 0.0, 1.0, "0/1", "private plots allowed (M1)")
    weather_mean: TimelineValue = _clim(1.0, 0.3, 1.5, "multiple", "expected weather effect on the harvest")
    relief_rate: TimelineValue = _clim(
        0.3, 0.0, 1.0, "share", "share of the reported grain shortfall resold (half in autumn, half in spring)"
    )
    steel_quota_kg_per_person: TimelineValue = _clim(
        0.0, 0.0, 50.0, "kg/person/season", "steel the county expects per season (M3)"
    )
    death_relief_kg: TimelineValue = _clim(
        0.0,
        0.0,
        5.0,
        "kg/person per death per 1000",
        "relief grain per person per excess death per 1000 in the season before (the state sees deaths)",
    )
    migration_control: TimelineValue = _clim(
        0.3, 0.0, 1.0, "share", "share of would-be emigrants stopped (household registration, militia on roads)"
    )
    collective_effort: TimelineValue = _clim(
        1.0, 0.3, 1.5, "multiple", "effort and farming practice on collective fields relative to 1957 (M1)"
    )

    # --- shocks ----------------------------------------------------------------------------------
    weather_sd: float = _f(0.05, 0.0, 0.4, "relative s.d.", "year-to-year weather noise on the harvest", "shocks")
    land_quality_sd: float = _f(
        0.0, 0.0, 0.25, "relative s.d.", "spread of the village's land quality, drawn at reset (uniform)", "shocks"
    )
    procurement_zeal_spread: float = _f(
        0.0, 0.0, 0.4, "share", "procurement zeal drawn at reset, uniform within this share either side", "shocks"
    )

    # --- randomisation ---------------------------------------------------------------------------
    randomize: tuple[tuple[str, float, float], ...] = field(
        default=(),
        metadata={
            "spec": FieldSpec(0, 0, "", "fields drawn uniformly per episode: (name, low, high)", "shocks", "randomize")
        },
    )

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            spec: FieldSpec = f.metadata["spec"]
            value = getattr(self, f.name)
            if spec.kind == "randomize":
                object.__setattr__(self, f.name, self._check_randomize(value))
            elif spec.group == "climate":
                object.__setattr__(self, f.name, self._check_timeline(f.name, spec, value))
            else:
                # Numpy scalars and other real numbers (Fraction) are kept as Python numbers.
                object.__setattr__(self, f.name, _check_number(f.name, spec, _scalar(value)))

    def _check_timeline(self, name: str, spec: FieldSpec, value: Any) -> TimelineValue:
        value = _scalar(value)
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            _check_number(name, spec, value)
            return float(value)
        if isinstance(value, np.ndarray) and value.ndim != 1:
            raise ValueError(
                f"{name} must be a number or a one-dimensional sequence; got an array of shape {value.shape}"
            )
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence | np.ndarray):
            raise ValueError(
                f"{name}={value!r} must be a number or a sequence of {self.num_years} yearly "
                f"or {self.horizon} seasonal numbers"
            )
        values = [_scalar(v) for v in value]
        values = [float(v) if isinstance(v, numbers.Real) and not isinstance(v, bool) else v for v in values]
        if len(values) == self.num_years:
            values = [v for v in values for _ in range(SEASONS_PER_YEAR)]
        elif len(values) != self.horizon:
            raise ValueError(
                f"{name} has {len(values)} values; allowed: 1, {self.num_years} (one per year) "
                f"or {self.horizon} (one per season)"
            )
        for i, v in enumerate(values):
            _check_number(f"{name}[{i}]", spec, v)
        return tuple(values)

    def _check_randomize(self, value: Any) -> tuple[tuple[str, float, float], ...]:
        form = "randomize must be {name: (low, high)} or a sequence of (name, low, high)"
        if isinstance(value, Mapping):
            items = list(value.items())
        elif isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise ValueError(f"{form}; got {value!r}")
        else:
            if any(isinstance(v, str | bytes) or not isinstance(v, Sequence) or len(v) != 3 for v in value):
                raise ValueError(f"{form}; got {value!r}")
            items = [(v[0], tuple(v[1:])) for v in value]
        specs = {f.name: f.metadata["spec"] for f in dataclasses.fields(self)}
        checked = []
        for name, bounds in items:
            spec = specs.get(name) if isinstance(name, str) else None
            if spec is None or spec.kind != "float":
                allowed = ", ".join(n for n, s in specs.items() if s.kind == "float")
                raise ValueError(f"randomize: {name!r} is not a numeric parameter; allowed: {allowed}")
            if isinstance(bounds, str | bytes) or not isinstance(bounds, Sequence) or len(bounds) != 2:
                raise ValueError(f"randomize[{name!r}]={bounds!r} must be a (low, high) pair")
            low, high = (_scalar(b) for b in bounds)
            _check_number(f"randomize[{name!r}] low", spec, low)
            _check_number(f"randomize[{name!r}] high", spec, high)
            low, high = float(low), float(high)
            if low > high:
                raise ValueError(f"randomize[{name!r}]: low {low} is above high {high}")
            checked.append((name, low, high))
        return tuple(sorted(checked))

    @property
    def horizon(self) -> int:
        """Episode length in seasons."""
        return self.num_years * SEASONS_PER_YEAR

    def replace(self, **overrides: Any) -> Params:
        """A copy with ``overrides`` applied; unknown names raise ``TypeError`` listing the fields."""
        unknown = sorted(set(overrides) - set(PARAM_NAMES))
        if unknown:
            raise TypeError(f"unknown parameter(s) {', '.join(unknown)}; allowed: {', '.join(PARAM_NAMES)}")
        return dataclasses.replace(self, **overrides)


def _scalar(value: Any) -> Any:
    """A 0-d numpy array as its number (what ``np.float64(x)`` and ``np.array(x)`` both mean)."""
    return value.item() if isinstance(value, np.ndarray) and value.ndim == 0 else value


def _check_number(name: str, spec: FieldSpec, value: Any) -> Any:
    """``value`` as a Python int or float, if it is a number in the field's range."""
    if spec.kind == "optional_year" and value is None:
        return None
    integral = spec.kind in ("int", "optional_year")
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral if integral else numbers.Real):
        kind = "an integer" if integral else "a number"
        raise ValueError(f"{name}={value!r} must be {kind} in [{spec.low}, {spec.high}] ({spec.unit})")
    if not math.isfinite(value) or not spec.low <= value <= spec.high:
        raise ValueError(f"{name}={value!r} is out of range; allowed [{spec.low}, {spec.high}] ({spec.unit})")
    return int(value) if integral else float(value)


PARAM_FIELDS: tuple[dataclasses.Field, ...] = dataclasses.fields(Params)
PARAM_NAMES: tuple[str, ...] = tuple(f.name for f in PARAM_FIELDS)
TIMELINE_NAMES: tuple[str, ...] = tuple(f.name for f in PARAM_FIELDS if f.metadata["spec"].group == "climate")
SCALAR_NAMES: tuple[str, ...] = tuple(
    f.name for f in PARAM_FIELDS if f.metadata["spec"].group != "climate" and f.metadata["spec"].kind == "float"
)


def param_spec(name: str) -> FieldSpec:
    """The :class:`FieldSpec` of field ``name``."""
    return next(f.metadata["spec"] for f in PARAM_FIELDS if f.name == name)


def param_table() -> list[tuple[str, str, str, str, str]]:
    """Rows (name, group, allowed range, unit, meaning) documenting every field."""
    rows = []
    for f in PARAM_FIELDS:
        s: FieldSpec = f.metadata["spec"]
        allowed = "list of (name, low, high)" if s.kind == "randomize" else f"{s.low:g} to {s.high:g}"
        if s.kind == "optional_year":
            allowed += ", or None"
        rows.append((f.name, s.group, allowed, s.unit, s.doc))
    return rows


# Numeric columns of CoreParams.values: Params' numeric fields in declaration order, then derived ones.
VALUE_NAMES: tuple[str, ...] = (*SCALAR_NAMES, "normal_harvest_kg")
Value = IntEnum("Value", VALUE_NAMES, start=0)
Value.__doc__ = "Column of :attr:`CoreParams.values` (a :class:`Params` numeric field, or ``normal_harvest_kg``)."
Climate = IntEnum("Climate", TIMELINE_NAMES, start=0)
Climate.__doc__ = "Column of :attr:`CoreParams.timeline`: the political climate and state policy of a season."
assert tuple(Value.__members__) == VALUE_NAMES and tuple(Climate.__members__) == TIMELINE_NAMES


class CoreParams(NamedTuple):
    """:class:`Params` compiled for the kernel: ``P`` rows, one per village or one shared by all.

    - ``values``: ``(P, len(VALUE_NAMES))`` float64; column :class:`Value` ``.name`` holds that
      field (``normal_harvest_kg``: the collective harvest of a normal year, the 1957 report);
    - ``timeline``: ``(P, T, len(TIMELINE_NAMES))`` float64, season by season, columns
      :class:`Climate` (shorter horizons padded with their last season);
    - ``horizon``: ``(P,)`` episode length in seasons; ``start_year``: ``(P,)`` calendar year of
      season 0; ``soviet_season``: ``(P,)`` season of the Soviet withdrawal (10**9 if never);
    - ``randomize``: the randomised fields, as in :class:`Params` (the same for every row).
    """

    values: np.ndarray
    timeline: np.ndarray
    horizon: np.ndarray
    start_year: np.ndarray
    soviet_season: np.ndarray
    randomize: tuple[tuple[str, float, float], ...]

    @property
    def size(self) -> int:
        """``P``: the number of rows."""
        return self.values.shape[0]

    def value(self, name: str) -> np.ndarray:
        """Column ``name`` of :attr:`values`, ``(P,)``."""
        return self.values[:, Value[name]]

    def climate(self, t: int, row: int = 0) -> dict[str, float]:
        """The climate of season ``t`` (held at the last season past the horizon) of row ``row``, by name."""
        season = min(int(t), int(self.horizon[row]) - 1)
        return dict(zip(TIMELINE_NAMES, self.timeline[row, season].tolist(), strict=True))

    def rows(self, index: np.ndarray) -> CoreParams:
        """Params restricted to rows ``index`` (a shared row is kept as is)."""
        return self if self.size == 1 else self.take(index)

    def take(self, index: np.ndarray) -> CoreParams:
        """Rows ``index``, copied: one per entry of ``index`` (a row may repeat)."""
        return self._replace(
            values=self.values[index],
            timeline=self.timeline[index],
            horizon=self.horizon[index],
            start_year=self.start_year[index],
            soviet_season=self.soviet_season[index],
        )

    def village(self, row: int = 0) -> SimpleNamespace:
        """Row ``row`` as Python numbers by field name, with ``horizon``, ``start_year``,
        ``soviet_season`` and ``timeline`` (a tuple of seasons' climate tuples); for displays."""
        numbers = dict(zip(VALUE_NAMES, self.values[row].tolist(), strict=True))
        return SimpleNamespace(
            **numbers,
            horizon=int(self.horizon[row]),
            start_year=int(self.start_year[row]),
            soviet_season=int(self.soviet_season[row]),
            timeline=tuple(map(tuple, self.timeline[row].tolist())),
        )

    def replaced(self, **values: float) -> CoreParams:
        """A copy with the numeric fields ``values`` set in every row (e.g. for a what-if preview)."""
        table = self.values.copy()
        for name, value in values.items():
            table[:, Value[name]] = value
        return self._replace(values=table)


def _row(params: Params) -> tuple[list[float], list[list[float]], int, int, int]:
    values = [float(getattr(params, name)) for name in SCALAR_NAMES]
    values.append(
        params.population
        * params.land_per_person_ha
        * (1.0 - params.private_plot_land_share)
        * params.base_yield_kg_per_ha
        * params.land_quality
    )
    horizon = params.horizon
    columns = []
    for name in TIMELINE_NAMES:
        v = getattr(params, name)
        columns.append([v] * horizon if isinstance(v, float) else list(v))
    timeline = [[col[t] for col in columns] for t in range(horizon)]
    year = params.soviet_withdrawal_year
    soviet = 10**9 if year is None else (year - params.start_year) * SEASONS_PER_YEAR + _WITHDRAWAL_SEASON
    return values, timeline, horizon, params.start_year, soviet


def compile_params(params: Params) -> CoreParams:
    """Params for one village (one row)."""
    return stack_params([params])


def stack_params(params: Sequence[Params]) -> CoreParams:
    """Params for a batch: one row per entry (pass one entry to share it across the batch).

    Horizons may differ; shorter timelines are padded with their last season.
    """
    table, row = distinct_params(params)
    return table.take(row)


def distinct_params(params: Sequence[Params]) -> tuple[CoreParams, np.ndarray]:
    """The distinct entries of ``params`` as rows, and each entry's row ``(len(params),)`` int64.

    Batches often repeat a few worlds (a sweep: one per grid cell): each is compiled once, and
    the kernel reads the shared rows through the index (see :class:`~gl_env.core.batch.Villages`).
    """
    if not params:
        raise ValueError("params must hold at least one Params; got none")
    randomize = params[0].randomize
    if any(p.randomize != randomize for p in params):
        raise ValueError("all sub-environments must randomise the same fields over the same ranges")
    # Equal Params share a row; the same object repeated (a sweep's cell, once per village) is
    # looked up by identity first, since hashing a Params walks all its fields.
    distinct: dict[Params, int] = {}
    seen: dict[int, int] = {}
    row = np.empty(len(params), dtype=np.int64)
    for i, p in enumerate(params):
        found = seen.get(id(p))
        if found is None:
            found = seen[id(p)] = distinct.setdefault(p, len(distinct))
        row[i] = found
    rows = [_row(p) for p in distinct]
    longest = max(r[2] for r in rows)
    timeline = [r[1] + [r[1][-1]] * (longest - r[2]) for r in rows]
    table = CoreParams(
        values=np.asarray([r[0] for r in rows], dtype=np.float64),
        timeline=np.asarray(timeline, dtype=np.float64),
        horizon=np.asarray([r[2] for r in rows], dtype=np.int64),
        start_year=np.asarray([r[3] for r in rows], dtype=np.int64),
        soviet_season=np.asarray([r[4] for r in rows], dtype=np.int64),
        randomize=randomize,
    )
    return table, row


class RandomizeTable(NamedTuple):
    """:attr:`CoreParams.randomize` as the kernel reads it: one entry per randomised field.

    Entry ``j`` draws uniform ``j % 4`` of the hash ``multiplier[j]`` (counter -2, stream
    ``j // 4``) of the episode key and sets ``column[j]`` of the values (or, where
    ``in_timeline[j]``, of every season of the timeline) to ``low + u * (high - low)``.
    """

    column: np.ndarray  # int64
    in_timeline: np.ndarray  # bool
    low: np.ndarray
    high: np.ndarray
    multiplier: np.ndarray  # uint64
    uniform: np.ndarray  # int64, 0-3


def randomize_table(core: CoreParams) -> RandomizeTable:
    """The kernel's table of :attr:`CoreParams.randomize`."""
    entries = core.randomize
    return RandomizeTable(
        column=np.asarray([Climate[n] if n in TIMELINE_NAMES else Value[n] for n, _, _ in entries], dtype=np.int64),
        in_timeline=np.asarray([n in TIMELINE_NAMES for n, _, _ in entries], dtype=np.bool_),
        low=np.asarray([low for _, low, _ in entries], dtype=np.float64),
        high=np.asarray([high for _, _, high in entries], dtype=np.float64),
        multiplier=np.asarray(
            [counter_stream(RANDOMIZE_COUNTER, j // 4) for j in range(len(entries))], dtype=np.uint64
        ),
        uniform=np.asarray([j % 4 for j in range(len(entries))], dtype=np.int64),
    )

"""Famine measures: how deaths spread over villages, how they answer to grain, what a diet kills.

Three measurements of the famine dynamics. They read played episodes (:class:`~gl_env.rollout.Episodes`)
or drive the core's own ``step``, so they work on today's dynamics and on any later version:

- **Across villages** (:class:`VillageYears`, :func:`death_rate_distribution`,
  :func:`province_aggregates`): each village's crude death rate per calendar year (deaths per
  1000 person-years), its percentiles over villages and the shares above 50 and 200, and the
  same per province.
- **Dose-response** (:class:`CropYears`, :func:`dose_response`, :func:`worst_step_ratio`): the
  deaths of the *crop year* that a harvest feeds against the grain the village holds once the
  state has taken its autumn procurement and given its relief, binned in 5% steps of grain.
- **Constant diet** (:func:`constant_diet_mortality`): deaths per 1000 a year in a village held
  at a fixed energy intake (kcal per person per day), with no grain economy.

**Provinces.** Every village carries a province label (``VillageYears.province``, one string
per village). The national figures are sums over all villages, as a national statistic is; a
province's figures are the same sums over its villages. Today's ensemble is one representative
village repeated (:data:`REPRESENTATIVE`), so it has a single province. A heterogeneous,
province-structured ensemble plugs in by playing each village with its own parameters (the
vector environment takes one :class:`~gl_env.core.params.Params` per village) and passing the
labels: draw villages per province in proportion to its rural population, so that plain sums
over villages remain national statistics and no weights are needed.

**Why the crop year.** The autumn harvest of year Y feeds four seasons: autumn and winter of Y,
spring and summer of Y+1; the next harvest refeeds the village in autumn Y+1 before anyone eats.
The deaths of those four seasons (about July to June) are the deaths that harvest's grain decides.
A calendar year (spring to winter of Y+1) would miss the first two seasons and count two seasons
fed by the next harvest, mixing two doses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gl_env.actions import NORMAL_SEASON
from gl_env.core.batch import Villages
from gl_env.core.constants import SEASONS, SEASONS_PER_YEAR
from gl_env.core.params import Params
from gl_env.core.random import seeds_to_keys
from gl_env.core.state import Decision, StateColumn
from gl_env.core.views import REWARD_TERMS
from gl_env.metrics import emigrants_away_at_season_start, population_at_season_start
from gl_env.observations import OBSERVATION_HIGH, OBSERVATION_LOW
from gl_env.rollout import Episodes

AUTUMN = SEASONS.index("autumn")
REPRESENTATIVE = "representative"
"""Province label of today's ensemble: the one representative village of national-average parameters."""
PERCENTILES = {"p10": 10.0, "p25": 25.0, "p50": 50.0, "p75": 75.0, "p90": 90.0}
SHARES_ABOVE = {"share_above_50": 50.0, "share_above_200": 200.0}
DOSE_STEP = 0.05
"""Width of a dose-response bin: each bin's upper edge is 5% above its lower edge."""
DOSE_MIN_VILLAGES = 20
"""Bins with fewer village-years than this are shown but left out of :func:`worst_step_ratio`."""
# Bins are anchored on a fixed geometric grid through this grain (kg/person), so tables of
# different runs and models share their edges.
_DOSE_ANCHOR_KG = 100.0
CONSTANT_DIET_KCAL = (2000.0, 1800.0, 1600.0, 1450.0, 1300.0, 1150.0, 1000.0, 800.0)
"""Default intakes of the constant-diet curve, kcal per person per day."""
MINNESOTA_KCAL = 1570.0
"""Keys et al. (1950), *The Biology of Human Starvation*: 24 weeks of semi-starvation at a mean
1,570 kcal/day, with about a quarter of body weight lost and no deaths among the healthy young men."""
MINNESOTA_WEEKS = 24


# --- across villages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VillageYears:
    """Each village's demography by calendar year: arrays ``(Y, B)`` (year, village).

    ``deaths`` and ``births`` are persons in the year; ``person_years`` the years lived (the
    population at the start of each season, over four), by the residents and by the villagers
    away (fled, not returned: flight does not lower a death rate by leaving the count; the model
    gives those away no deaths); ``province`` one label per village ``(B,)``.
    """

    years: tuple[int, ...]
    deaths: np.ndarray
    births: np.ndarray
    person_years: np.ndarray
    province: np.ndarray

    def __post_init__(self) -> None:
        shape = (len(self.years), len(self.province))
        for name in ("deaths", "births", "person_years"):
            if np.shape(getattr(self, name)) != shape:
                raise ValueError(
                    f"{name} has shape {np.shape(getattr(self, name))}; expected (years, villages) {shape}"
                )

    @property
    def death_rates(self) -> np.ndarray:
        """Crude death rate of each village and year, per 1000 person-years, ``(Y, B)``."""
        return 1000.0 * self.deaths / self.person_years

    def select(self, villages: np.ndarray) -> VillageYears:
        """The villages where the boolean mask ``villages`` ``(B,)`` is True."""
        return VillageYears(
            self.years,
            self.deaths[:, villages],
            self.births[:, villages],
            self.person_years[:, villages],
            self.province[villages],
        )


def province_labels(provinces: Sequence[str] | None, villages: int) -> np.ndarray:
    """One province label per village: ``provinces`` checked, or :data:`REPRESENTATIVE` for all."""
    if provinces is None:
        return np.full(villages, REPRESENTATIVE, dtype=object)
    labels = np.asarray(list(provinces), dtype=object)
    if labels.shape != (villages,):
        raise ValueError(f"provinces has {labels.size} labels; expected one per village ({villages})")
    if not all(isinstance(label, str) and label for label in labels):
        raise ValueError("province labels must be non-empty strings")
    return labels


def village_years(episodes: Episodes, provinces: Sequence[str] | None = None) -> VillageYears:
    """:class:`VillageYears` of episodes that start in spring and run whole years (none may end early)."""
    if not episodes.alive.all():
        raise ValueError("village_years needs every episode played to its end (run with purge_rate=0)")
    seasons = episodes.alive.shape[0]
    if seasons % SEASONS_PER_YEAR or np.any(episodes.info["season"][0] != 0):
        raise ValueError(f"episodes must start in spring and last whole years; got {seasons} seasons")
    start = population_at_season_start(episodes)

    def by_year(values: np.ndarray) -> np.ndarray:
        return values.reshape(seasons // SEASONS_PER_YEAR, SEASONS_PER_YEAR, -1).sum(axis=1)

    years = tuple(int(y) for y in episodes.info["year"][::SEASONS_PER_YEAR, 0])
    return VillageYears(
        years=years,
        deaths=by_year(episodes.info["deaths"].astype(np.float64)),
        births=by_year(episodes.info["births"].astype(np.float64)),
        person_years=by_year(start + emigrants_away_at_season_start(episodes)) / SEASONS_PER_YEAR,
        province=province_labels(provinces, start.shape[1]),
    )


def join_years(earlier: VillageYears, later: VillageYears) -> VillageYears:
    """The same villages over ``earlier``'s years followed by ``later``'s (e.g. 1957, then 1958-62)."""
    if not np.array_equal(earlier.province, later.province):
        raise ValueError("join_years needs the same villages, with the same provinces, in both")
    return VillageYears(
        earlier.years + later.years,
        np.concatenate([earlier.deaths, later.deaths]),
        np.concatenate([earlier.births, later.births]),
        np.concatenate([earlier.person_years, later.person_years]),
        earlier.province,
    )


def death_rate_distribution(villages: VillageYears) -> dict[int, dict[str, float]]:
    """Per year, the distribution over villages of the crude death rate (per 1000 person-years).

    ``{year: {p10, p25, p50, p75, p90, share_above_50, share_above_200}}``: percentiles (numpy's
    linear interpolation) and the shares of villages whose rate exceeds 50 and 200.
    """
    rates = villages.death_rates
    result = {}
    for i, year in enumerate(villages.years):
        row = dict(
            zip(PERCENTILES, (float(q) for q in np.percentile(rates[i], list(PERCENTILES.values()))), strict=True)
        )
        row.update({name: float(np.mean(rates[i] > level)) for name, level in SHARES_ABOVE.items()})
        result[year] = row
    return result


def aggregate(villages: VillageYears) -> dict[int, dict[str, float]]:
    """Per year, the sums over villages as a statistical office would make them: crude death and
    birth rates (per 1000 person-years), person-years and the number of villages."""
    person_years = villages.person_years.sum(axis=1)
    return {
        year: {
            "villages": int(villages.province.size),
            "person_years": float(person_years[i]),
            "crude_death_rate": float(1000.0 * villages.deaths[i].sum() / person_years[i]),
            "crude_birth_rate": float(1000.0 * villages.births[i].sum() / person_years[i]),
        }
        for i, year in enumerate(villages.years)
    }


def province_aggregates(villages: VillageYears) -> dict[str, dict[int, dict[str, float]]]:
    """Per province (sorted by label) and year: :func:`aggregate` and :func:`death_rate_distribution`
    of its villages."""
    result = {}
    for province in sorted(set(villages.province)):
        own = villages.select(villages.province == province)
        distribution = death_rate_distribution(own)
        result[province] = {year: {**row, **distribution[year]} for year, row in aggregate(own).items()}
    return result


# --- dose-response -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CropYears:
    """One entry per village and complete crop year (the autumn harvest to the summer after), ``(N,)``.

    ``grain_left_kg_per_person``: collective and hidden grain once the autumn harvest is in, the
    procurement taken (confiscations included) and the relief given, per person alive at the
    start of autumn. ``deaths`` and ``person_years``: the four seasons that grain feeds.
    """

    harvest_year: np.ndarray
    grain_left_kg_per_person: np.ndarray
    deaths: np.ndarray
    person_years: np.ndarray

    @property
    def death_rates(self) -> np.ndarray:
        """Deaths per 1000 person-years in each crop year, ``(N,)``."""
        return 1000.0 * self.deaths / self.person_years


def crop_years(episodes: Episodes) -> CropYears:
    """Every crop year that ``episodes`` play whole (all four seasons from an autumn)."""
    info = episodes.info
    start = population_at_season_start(episodes)
    seasons = episodes.alive.shape[0]
    parts: list[tuple[np.ndarray, ...]] = []
    for t in range(seasons - SEASONS_PER_YEAR + 1):
        window = slice(t, t + SEASONS_PER_YEAR)
        whole = episodes.alive[window].all(axis=0) & (info["season"][t] == AUTUMN)
        if not whole.any():
            continue
        grain = (
            info["store_start_kg"][t]
            + info["hidden_start_kg"][t]
            + info["harvest_kg"][t]
            - info["procurement_kg"][t]
            + info["relief_kg"][t]
        )
        parts.append(
            (
                info["year"][t][whole].astype(np.int64),
                (grain / start[t])[whole],
                info["deaths"][window].sum(axis=0)[whole],
                (start[window].sum(axis=0) / SEASONS_PER_YEAR)[whole],
            )
        )
    if not parts:
        raise ValueError("the episodes play no whole crop year (autumn to the summer after)")
    year, grain, deaths, person_years = (
        np.concatenate(column).astype(np.float64) for column in zip(*parts, strict=True)
    )
    return CropYears(year.astype(np.int64), grain, deaths, person_years)


def dose_response(crops: CropYears, step: float = DOSE_STEP) -> list[dict[str, float]]:
    """Deaths against grain, binned on a geometric grid of ``step`` (a bin's top is ``1 + step`` times its bottom).

    One row per non-empty bin, by rising grain: ``grain_low_kg``, ``grain_high_kg``,
    ``grain_centre_kg`` (geometric middle), ``grain_mean_kg`` (mean of its village-years),
    ``villages`` (village-years in it) and ``deaths_per_1000`` (the bin's deaths over its
    person-years). Grain below 1 kg/person (nothing left) falls in a bin from 0 kg.
    """
    if not 0.0 < step <= 1.0:
        raise ValueError(f"step={step!r} is out of range; allowed (0, 1]")
    grain = crops.grain_left_kg_per_person
    if not np.all(np.isfinite(grain)):
        raise ValueError("grain left per person must be finite")
    ratio = math.log1p(step)
    index = np.floor(np.log(np.maximum(grain, 1.0) / _DOSE_ANCHOR_KG) / ratio).astype(np.int64)
    rows = []
    for k in np.unique(index):
        members = index == k
        low = _DOSE_ANCHOR_KG * math.exp(k * ratio)
        high = _DOSE_ANCHOR_KG * math.exp((k + 1) * ratio)
        if np.any(grain[members] < 1.0):
            low = 0.0
        rows.append(
            {
                "grain_low_kg": low,
                "grain_high_kg": high,
                "grain_centre_kg": math.sqrt(low * high) if low > 0.0 else high / 2.0,
                "grain_mean_kg": float(grain[members].mean()),
                "villages": int(members.sum()),
                "deaths_per_1000": float(1000.0 * crops.deaths[members].sum() / crops.person_years[members].sum()),
            }
        )
    return rows


def worst_step_ratio(
    grain: Sequence[float] | np.ndarray, rate: Sequence[float] | np.ndarray, step: float = DOSE_STEP
) -> float:
    """The largest factor by which deaths rise when grain falls by ``step``: max of rate(g / (1+step)) / rate(g).

    ``rate`` is known at the points ``grain`` (rising, positive); between them log rate is
    taken as linear in log grain. The largest factor of that piecewise-linear curve over any
    window of width log(1 + step) is found exactly at its break points. 1.0 where deaths never
    rise as grain falls; the issue-12 criterion is a worst ratio of at most 2. A range of grain
    narrower than one step is measured across the whole range, scaled to one step.
    """
    x = np.log(np.asarray(grain, dtype=np.float64))
    rates = np.asarray(rate, dtype=np.float64)
    if x.ndim != 1 or x.shape != rates.shape or x.size < 2:
        raise ValueError("grain and rate must be 1-d sequences of the same length, at least 2")
    if not (np.all(np.isfinite(x)) and np.all(np.diff(x) > 0.0)):
        raise ValueError("grain must be positive, finite and strictly rising")
    if not (np.all(np.isfinite(rates)) and np.all(rates > 0.0)):
        raise ValueError("rates must be positive and finite (a rate of 0 makes any ratio infinite)")
    y = np.log(rates)
    h = math.log1p(step)
    if x[-1] - x[0] <= h:
        return float(math.exp(max(y[0] - y[-1], 0.0) * h / (x[-1] - x[0])))
    candidates = np.concatenate([x, x - h])
    candidates = candidates[(candidates >= x[0]) & (candidates <= x[-1] - h)]
    rise = np.interp(candidates, x, y) - np.interp(candidates + h, x, y)
    return float(math.exp(max(float(rise.max()), 0.0)))


def dose_worst_ratio(
    rows: Sequence[Mapping[str, float]], min_villages: int = DOSE_MIN_VILLAGES, step: float = DOSE_STEP
) -> float:
    """:func:`worst_step_ratio` of :func:`dose_response` rows holding at least ``min_villages``
    village-years (bins from 0 kg left out); NaN where fewer than two bins qualify."""
    kept = [r for r in rows if r["villages"] >= min_villages and r["grain_low_kg"] > 0.0]
    if len(kept) < 2:
        return math.nan
    return worst_step_ratio([r["grain_centre_kg"] for r in kept], [r["deaths_per_1000"] for r in kept], step)


# --- constant diet -----------------------------------------------------------------------------

ACTIVITIES: dict[str, dict[str, float]] = {
    # A normal 1957 season's work, with the private-plot share worked on the fields instead (the
    # same labor-days, but no private produce: the diet must be the only food).
    "farm": {
        **{k: NORMAL_SEASON[k] for k in ("labor_works", "labor_steel", "labor_rest")},
        "labor_fields": NORMAL_SEASON["labor_fields"] + NORMAL_SEASON["labor_private"],
        "labor_private": 0.0,
    },
    # No work at all: the energy need is the base need alone.
    "rest": {"labor_fields": 0.0, "labor_private": 0.0, "labor_works": 0.0, "labor_steel": 0.0, "labor_rest": 1.0},
}
# Grain ration (kg/person/day) the intake search starts below: 6 kg is ~18,000 kcal a day.
_RATION_CEILING_KG = 6.0
_SEARCH_ITERATIONS = 64
_INTAKE_TOLERANCE_KCAL = 0.01
# Grain in the village store: enough that the ration never runs short (the store plays no other part).
_BOTTOMLESS_STORE_KG = 1e15


def constant_diet_mortality(
    kcal_per_day: Sequence[float] = CONSTANT_DIET_KCAL,
    years: int = 2,
    activity: str = "farm",
    params: Params | None = None,
) -> np.ndarray:
    """Deaths per 1000 person-years in each year of a diet held at each intake, ``(years, K)``.

    One village per intake, of ``params`` (default: the default, pre-Leap village), starting
    in its normal state. Every season its energy intake (``Outcome.kcal_per_person_day``: grain,
    other food and whatever famine foods the model lets people find) is held at the intake asked:
    the season's grain ration is searched (bisection on the core's own ``step``, which is pure)
    until the intake matches. The store never runs short, so the harvest, procurement and relief
    change nothing the village eats. ``activity``: ``"farm"`` (a normal season's work) or
    ``"rest"`` (none), see :data:`ACTIVITIES`.
    """
    if activity not in ACTIVITIES:
        raise ValueError(f"activity={activity!r} is not known; allowed: {', '.join(ACTIVITIES)}")
    if not isinstance(years, int) or years < 1:
        raise ValueError(f"years={years!r} must be a positive integer")
    target = np.asarray(kcal_per_day, dtype=np.float64)
    if target.ndim != 1 or target.size == 0 or not np.all(np.isfinite(target)) or np.any(target <= 0.0):
        raise ValueError(f"kcal_per_day={kcal_per_day!r} must be a non-empty sequence of positive intakes")
    params = (params or Params()).replace(num_years=years, purge_rate=0.0)
    villages = Villages([params], target.size, dict.fromkeys(REWARD_TERMS, 0.0), OBSERVATION_LOW, OBSERVATION_HIGH)
    villages.reset(seeds_to_keys(np.arange(target.size, dtype=np.uint64)))
    villages.floats[:, StateColumn.store_kg] = _BOTTOMLESS_STORE_KG
    shares = {**NORMAL_SEASON, **ACTIVITIES[activity], "mobilization": 0.0, "conceal_share": 0.0}
    decisions = np.array([[shares[name]] * target.size for name in Decision._fields]).T.copy()
    ration = Decision._fields.index("ration_kg")
    deaths = np.zeros((years, target.size))
    person_years = np.zeros((years, target.size))
    for t in range(years * SEASONS_PER_YEAR):
        low, high = np.zeros(target.size), np.full(target.size, _RATION_CEILING_KG)
        for _ in range(_SEARCH_ITERATIONS):
            decisions[:, ration] = 0.5 * (low + high)
            _, outcome = villages.foresee_decisions(decisions)
            short = outcome.kcal_per_person_day < target
            low, high = np.where(short, decisions[:, ration], low), np.where(short, high, decisions[:, ration])
        population = villages.state().population.copy()
        decisions[:, ration] = high
        villages.decisions[:] = decisions
        villages.step()
        outcome = villages.outcome()
        missed = np.abs(outcome.kcal_per_person_day - target) > _INTAKE_TOLERANCE_KCAL
        if missed.any():
            raise ValueError(
                f"intakes {target[missed].tolist()} kcal/day cannot be held in this model "
                f"(reached {outcome.kcal_per_person_day[missed].tolist()} with rations of 0-{_RATION_CEILING_KG:g} kg)"
            )
        deaths[t // SEASONS_PER_YEAR] += outcome.deaths
        person_years[t // SEASONS_PER_YEAR] += population / SEASONS_PER_YEAR
    return 1000.0 * deaths / person_years


# --- report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FamineReport:
    """The famine measures of one ensemble, ready to print, plot and write as JSON."""

    villages: VillageYears
    dose: list[dict[str, float]]
    diet_kcal: tuple[float, ...]
    diet_deaths: dict[str, np.ndarray]  # activity -> (years, K) deaths per 1000 person-years
    dose_window: str = "crop year: the four seasons from the autumn harvest to the summer after"

    @property
    def worst_step_ratio(self) -> float:
        return dose_worst_ratio(self.dose)

    def to_json(self) -> dict[str, Any]:
        """The JSON sections: ``death_rate_distribution``, ``provinces``, ``dose_response``, ``constant_diet``."""
        return {
            "death_rate_distribution": {str(y): row for y, row in death_rate_distribution(self.villages).items()},
            "provinces": {
                province: {str(y): row for y, row in rows.items()}
                for province, rows in province_aggregates(self.villages).items()
            },
            "dose_response": {
                "window": self.dose_window,
                "grain": "collective and hidden grain after the autumn procurement and relief, kg per person",
                "step": DOSE_STEP,
                "min_villages": DOSE_MIN_VILLAGES,
                # null where fewer than two bins hold enough village-years to judge (JSON has no NaN).
                "worst_step_ratio": None if math.isnan(self.worst_step_ratio) else self.worst_step_ratio,
                "rows": self.dose,
            },
            "constant_diet": {
                "kcal_per_day": list(self.diet_kcal),
                "deaths_per_1000": {
                    activity: {f"year_{i + 1}": rates[i].tolist() for i in range(rates.shape[0])}
                    for activity, rates in self.diet_deaths.items()
                },
                "minnesota": {"kcal_per_day": MINNESOTA_KCAL, "weeks": MINNESOTA_WEEKS, "deaths": 0},
            },
        }


def format_report(report: FamineReport) -> str:
    """The printed famine section: the distribution per year, the dose-response, the constant diet."""
    lines = ["crude death rate across villages (per 1000 person-years):"]
    lines.append("  year    " + "  ".join(f"{name:>7s}" for name in (*PERCENTILES, ">50", ">200")))
    for year, row in death_rate_distribution(report.villages).items():
        cells = [f"{row[name]:7.1f}" for name in PERCENTILES] + [f"{row[name]:7.1%}" for name in SHARES_ABOVE]
        lines.append(f"  {year}  " + "  ".join(cells))
    provinces = sorted(set(report.villages.province))
    lines.append(f"  provinces: {', '.join(provinces)}")
    lines += ["", f"dose-response ({report.dose_window}); grain left after procurement and relief:"]
    lines.append("  grain kg/person   village-years   deaths/1000")
    for row in report.dose:
        mark = "" if row["villages"] >= DOSE_MIN_VILLAGES else "  (too few to judge)"
        lines.append(
            f"  {row['grain_low_kg']:6.0f}-{row['grain_high_kg']:<6.0f}   {row['villages']:13d}   "
            f"{row['deaths_per_1000']:11.1f}{mark}"
        )
    lines.append(
        f"  worst 5% step in grain multiplies deaths by {report.worst_step_ratio:.2f} "
        f"(issue 12 asks for at most 2; bins of at least {DOSE_MIN_VILLAGES} village-years)"
    )
    lines += ["", "constant diet: deaths per 1000 a year at a sustained intake (kcal/day):"]
    lines.append("  activity  year  " + "  ".join(f"{k:6.0f}" for k in report.diet_kcal))
    for activity, rates in report.diet_deaths.items():
        for i in range(rates.shape[0]):
            lines.append(f"  {activity:8s}  {i + 1:4d}  " + "  ".join(f"{r:6.1f}" for r in rates[i]))
    minnesota = f"{MINNESOTA_KCAL:.0f} kcal/day for {MINNESOTA_WEEKS} weeks, no deaths (Keys et al. 1950)"
    lines.append(f"  Minnesota experiment: {minnesota}")
    return "\n".join(lines)

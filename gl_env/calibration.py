"""Calibration of ``historical-1958`` against the historical record, 1957-1962.

``python -m gl_env.calibration OUT_DIR [--seeds N] [--overwrite]`` plays the historical cadre
(:func:`gl_env.agents.historical.historical_cadre`) on a province-structured ensemble of
``historical-1958`` villages (:mod:`gl_env.scenarios.provinces`: land quality, weather with a
shared provincial component, provincial zeal in procurement and in the cadre's reports), one
village per seed (the first N of the evaluation range of :mod:`gl_env.seeds`, from 1,000,000:
a measurement, like the benchmark, on villages no training run or search plays), aggregates
the villages as a national statistic would (sums over villages, per person-year), and compares
each year with the national record of ``shared/data/calibration_targets.csv`` scaled per capita.
It prints the table, the targets (:data:`TARGETS`) with their tolerances, and the Li & Yang
(2005) counterfactual, and writes ``calibration.csv``, ``calibration.json`` and
``calibration.png`` to ``OUT_DIR``. It also prints and writes the famine measures of
:mod:`gl_env.famine` (:func:`famine_report`): the death rate across villages (and provinces),
the crop-year dose-response and the constant-diet curve.

How the simulated series are measured (a year is spring to winter; 1957 is the normal pre-Leap
year that the episode starts after: the same village under the default, pre-Leap
:class:`~gl_env.core.params.Params`, farmed by the honest cadre, who acts as the historical
cadre did in 1957):

- ``output_vs_1958``: the collective grain harvest per person-year, relative to 1958. Private
  plots' produce (kitchen gardens and pig feed) is not grain output. The plots' land is in the
  collective fields from autumn 1958 to autumn 1960 only, so 1957 and 1961-62 harvest a tenth
  less land than 1958-60 (the record's grain area was 5% smaller in 1961-62 than in 1958);
- ``claimed_over_actual``: reported / true harvest;
- ``procurement_share``: grain procured (confiscations included) / true harvest, in percent;
- ``consumption_kg``: collective grain eaten per person-year (private-plot produce is not grain,
  as in the record); ``consumption_vs_1957``: the same relative to 1957;
- ``farm_labor_vs_1957``: people working the fields and private plots in the growing seasons
  (spring to autumn) per person, relative to 1957;
- ``crude_death_rate`` and ``crude_birth_rate``: deaths and births per 1000 person-years. They
  are the model's own result (mortality and fertility follow from energy intake and body
  reserves, :mod:`gl_env.core.constants`); the record holds no demographic target on purpose.
  The person-years are national: they count the villagers away (fled, not returned) beside the
  residents, so flight cannot lower the death rate by moving people out of the count. The
  model gives those away no deaths and no births (they are counted, not simulated);
- ``population``: mean village population at the end of the year, residents and villagers away
  (persons; 1000 at the start); ``emigrants``: of whom away at the end of the year.

Grain per person (output, consumption, farm labour) is per resident person-year: what villagers
away eat and grow elsewhere is not in the record's rural series either.

A purge ends a :class:`~gl_env.envs.great_leap.GreatLeapEnv` episode, but the village lives on
under a successor who, in the record, acted the same; so calibration runs switch purges off
(``purge_rate=0``), which changes nothing else in the dynamics.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gl_env import famine, metrics
from gl_env.actions import NORMAL_SEASON
from gl_env.agents.historical import historical_cadre
from gl_env.agents.scripted import Decide, ScriptedPolicy, honest
from gl_env.core.constants import SEASONS_PER_YEAR
from gl_env.core.params import PARAM_FIELDS, Params
from gl_env.output_folders import check_writable, staged_folder
from gl_env.rollout import Episodes, run_episodes
from gl_env.scenarios import make_params
from gl_env.scenarios.provinces import ProvinceEnsemble, province_ensemble
from gl_env.seeds import EVALUATION

SCENARIO = "historical-1958"
NORMAL_YEAR = 1957
YEARS: tuple[int, ...] = (1957, 1958, 1959, 1960, 1961, 1962)
DEFAULT_SEEDS = 1000
MAX_SEEDS = 100_000  # about 1 GB of recorded seasons per rollout
OUTPUT_FILES = ("calibration.csv", "calibration.json", "calibration.png")

# --- the record (rows of shared/data/calibration_targets.csv) ---------------------------------------
# grain_output_official_old_series, Mt (1957 and 1962 rows marked unconfirmed).
GRAIN_OUTPUT_MT = {1957: 195.05, 1958: 200.0, 1959: 170.0, 1960: 143.5, 1961: 147.5, 1962: 160.0}
# Claims made at the time, Mt: grain_output_claimed_at_the_time (1957), grain_output_announced_dec1958,
# grain_output_claimed_nov1959, grain_output_claim_mao_to_montgomery (1960). None for 1961-62.
GRAIN_CLAIMED_MT = {1957: 185.0, 1958: 375.0, 1959: 275.0, 1960: 150.0}
# procurement_share_gross, percent of output (old series).
PROCUREMENT_SHARE_PERCENT = {1957: 24.6, 1958: 29.4, 1959: 39.6, 1960: 35.6, 1961: 27.4, 1962: 23.8}
# procurement_share_net, percent of output: gross less resales (relief in the model).
PROCUREMENT_SHARE_NET_PERCENT = {1957: 19.9, 1958: 20.9, 1959: 28.0, 1960: 21.5, 1961: 17.5, 1962: 16.1}
# rural_grain_consumption_per_capita, kg trade grain per person per year.
RURAL_CONSUMPTION_KG = {1957: 204.5, 1958: 201.0, 1959: 183.0, 1960: 156.0, 1961: 153.5, 1962: 160.6}
# employment_primary_sector, million (year end).
FARM_EMPLOYMENT_MILLION = {1957: 193.09, 1958: 154.9, 1959: 162.73, 1960: 170.16, 1961: 197.47, 1962: 212.76}
# population_yearend, million.
POPULATION_YEAREND_MILLION = {
    1956: 628.28,
    1957: 646.53,
    1958: 659.94,
    1959: 672.07,
    1960: 662.07,
    1961: 658.59,
    1962: 672.95,
}
# liyang_output_decline_due_to_policy: diversion of labor plus excessive procurement, 1958-1961.
LI_YANG_POLICY_SHARE_PERCENT = 61.0


def _mid_year_population(year: int) -> float:
    return 0.5 * (POPULATION_YEAREND_MILLION[year - 1] + POPULATION_YEAREND_MILLION[year])


def recorded_series() -> dict[str, dict[int, float]]:
    """The record, scaled like the simulated series (per capita where the record is a national total)."""
    per_capita = {y: GRAIN_OUTPUT_MT[y] / _mid_year_population(y) for y in YEARS}
    employment = {y: FARM_EMPLOYMENT_MILLION[y] / _mid_year_population(y) for y in YEARS}
    return {
        "output_vs_1958": {y: per_capita[y] / per_capita[1958] for y in YEARS},
        "claimed_over_actual": {y: GRAIN_CLAIMED_MT[y] / GRAIN_OUTPUT_MT[y] for y in GRAIN_CLAIMED_MT},
        "procurement_share": dict(PROCUREMENT_SHARE_PERCENT),
        "relief_share": {y: PROCUREMENT_SHARE_PERCENT[y] - PROCUREMENT_SHARE_NET_PERCENT[y] for y in YEARS},
        "consumption_kg": dict(RURAL_CONSUMPTION_KG),
        "consumption_vs_1957": {y: RURAL_CONSUMPTION_KG[y] / RURAL_CONSUMPTION_KG[NORMAL_YEAR] for y in YEARS},
        "farm_labor_vs_1957": {y: employment[y] / employment[NORMAL_YEAR] for y in YEARS},
    }


SERIES: dict[str, str] = {
    "output_vs_1958": "grain output per person, relative to 1958",
    "claimed_over_actual": "claimed / actual harvest",
    "procurement_share": "procurement, % of actual output",
    "relief_share": "relief grain (record: resales), % of actual output",
    "consumption_kg": "grain eaten, kg per person-year (record: trade grain)",
    "consumption_vs_1957": "grain eaten per person, relative to 1957",
    "farm_labor_vs_1957": "farm labor per person, relative to 1957 (record: farm employment)",
    "crude_death_rate": "deaths per 1000 per year (model only)",
    "crude_birth_rate": "births per 1000 per year (model only)",
    "population": "village population at year end, villagers away included (model only)",
    "emigrants": "villagers away (fled, not returned) at year end (model only)",
}


@dataclass(frozen=True)
class Target:
    """A recorded value the calibrated model must reproduce, within ``[low, high]``."""

    series: str
    year: int
    record: float
    low: float
    high: float
    reason: str

    def met(self, simulated: float) -> bool:
        """Whether ``simulated`` lies within the tolerance."""
        return self.low <= simulated <= self.high


def _targets() -> tuple[Target, ...]:
    record = recorded_series()
    output, share = record["output_vs_1958"], record["procurement_share"]
    claims, eaten = record["claimed_over_actual"], record["consumption_vs_1957"]
    output_reason = (
        "old official series per person; +-5 points: the old and revised NBS series differ by up to "
        "4 points in these years (grain_output_nbs_revised)"
    )
    share_reason = (
        "gross procurement over old-series output; +-5 points: the Lin & Yang (2000) shares differ from "
        "this series by up to 3 points (procurement_share_of_output_linyang), and the row is unconfirmed"
    )
    claim_reason = (
        "claims ran from 263 to 425 Mt for 1958 (Li Xiannian's April 1959 figure to the provinces' sum), "
        "so any ratio in 1.5-2.1 is a claim someone made at the time"
    )
    eaten_reason = (
        "'roughly a quarter': the record (trade grain, unconfirmed) is a national mean of very unequal "
        "villages; a fall of 17% to 33% keeps the size and the sign"
    )
    return (
        Target("output_vs_1958", 1959, output[1959], output[1959] - 0.05, output[1959] + 0.05, output_reason),
        Target("output_vs_1958", 1960, output[1960], output[1960] - 0.05, output[1960] + 0.05, output_reason),
        Target("procurement_share", 1959, share[1959], share[1959] - 5.0, share[1959] + 5.0, share_reason),
        Target("procurement_share", 1962, share[1962], share[1962] - 5.0, share[1962] + 5.0, share_reason),
        Target("claimed_over_actual", 1958, claims[1958], 1.5, 2.1, claim_reason),
        Target("claimed_over_actual", 1959, claims[1959], 1.5, 2.1, claim_reason),
        Target("consumption_vs_1957", 1960, eaten[1960], 0.67, 0.83, eaten_reason),
        Target("consumption_vs_1957", 1961, eaten[1961], 0.67, 0.83, eaten_reason),
    )


TARGETS: tuple[Target, ...] = _targets()
"""The calibration targets, each with its tolerance and the reason for it. Beyond these, the
procurement share must peak in 1959 (checked by :func:`peak_year`)."""


def _recording(decide: Decide, decisions: list[dict[str, np.ndarray]]) -> ScriptedPolicy:
    """``decide`` as a scripted policy that also appends what it decided each season to ``decisions``."""

    def remember(o: dict[str, np.ndarray]) -> dict[str, Any]:
        values = decide(o)
        batch = o["private_plots"].shape
        decided = {k: np.broadcast_to(np.asarray(v, dtype=np.float64), batch) for k, v in values.items()}
        decisions.append({**decided, "private_plots": np.asarray(o["private_plots"], dtype=np.float64)})
        return values

    return ScriptedPolicy(remember)


def _farm_workers(params: Params, population: np.ndarray, decision: Mapping[str, np.ndarray]) -> np.ndarray:
    """People working fields and (allowed) private plots in a season, per village."""
    v = {k: decision.get(k, NORMAL_SEASON[k]) for k in NORMAL_SEASON}
    labor = v["labor_fields"] + v["labor_private"] + v["labor_works"] + v["labor_steel"] + v["labor_rest"]
    farm = (v["labor_fields"] + v["labor_private"] * decision["private_plots"]) / labor
    workforce = params.working_age_share * (params.participation + params.mobilization_extra * v["mobilization"])
    return population * workforce * farm


def _yearly(episodes: Episodes, decisions: Sequence[Mapping[str, np.ndarray]], params: Params) -> dict[str, np.ndarray]:
    """Village totals summed over villages, by year: the simulated series of one rollout."""
    if not episodes.alive.all():
        raise RuntimeError("calibration rollouts must not end early; run them with purge_rate=0")
    info = episodes.info
    start = metrics.population_at_season_start(episodes)
    away = metrics.emigrants_away_at_season_start(episodes)
    away_at_year_end = (away + info["emigrants"] - info["returnees"])[SEASONS_PER_YEAR - 1 :: SEASONS_PER_YEAR]
    years = info["harvest_kg"].shape[0] // SEASONS_PER_YEAR

    def by_year(values: np.ndarray) -> np.ndarray:
        return values.reshape(years, SEASONS_PER_YEAR, -1).sum(axis=(1, 2))

    workers = np.stack([_farm_workers(params, start[t], d) for t, d in enumerate(decisions)])
    growing = (np.arange(len(decisions)) % SEASONS_PER_YEAR != SEASONS_PER_YEAR - 1)[:, None]
    resident_years = by_year(start) / SEASONS_PER_YEAR
    person_years = by_year(start + away) / SEASONS_PER_YEAR
    harvest = by_year(info["harvest_kg"])
    return {
        "person_years": person_years,
        "resident_years": resident_years,
        "output_per_person": harvest / resident_years,
        "claimed_over_actual": by_year(info["reported_kg"]) / harvest,
        "procurement_share": 100.0 * by_year(info["procurement_kg"]) / harvest,
        "relief_share": 100.0 * by_year(info["relief_kg"]) / harvest,
        "consumption_kg": by_year(info["consumption_kg"] - info["private_output_kg"]) / resident_years,
        "farm_workers_per_person": by_year(np.where(growing, workers, 0.0)) / by_year(np.where(growing, start, 0.0)),
        "crude_death_rate": 1000.0 * by_year(info["deaths"]) / person_years,
        "crude_birth_rate": 1000.0 * by_year(info["births"]) / person_years,
        "population": (info["population"][SEASONS_PER_YEAR - 1 :: SEASONS_PER_YEAR] + away_at_year_end).mean(axis=1),
        "emigrants": away_at_year_end.mean(axis=1),
    }


def calibration_seeds(seeds: int | Sequence[int]) -> np.ndarray:
    """The villages' seeds: a count means the first N evaluation seeds (:mod:`gl_env.seeds`)."""
    seeds = EVALUATION.block(0, seeds, "seeds") if isinstance(seeds, int) else np.asarray(seeds)
    if seeds.size == 0:
        raise ValueError("seeds must name at least one village")
    return seeds


def _rollout(decide: Decide, seeds: np.ndarray, params: Sequence[Params]) -> dict[str, np.ndarray]:
    decisions: list[dict[str, np.ndarray]] = []
    episodes = run_episodes(_recording(decide, decisions), seeds, params=list(params))
    return _yearly(episodes, decisions, params[0])


def ensemble(seeds: np.ndarray, **overrides: Any) -> ProvinceEnsemble:
    """The calibration's villages: ``historical-1958`` (purges off, ``overrides`` applied) drawn
    into a province-structured ensemble, one village per seed (:mod:`gl_env.scenarios.provinces`)."""
    return province_ensemble(make_params(SCENARIO, **{"purge_rate": 0.0, **overrides}), len(seeds))


def zealous(decide: Decide, villages: ProvinceEnsemble) -> Decide:
    """``decide`` with each village's report inflated by its province's zeal (an honest report stays honest)."""

    def act(o: dict[str, np.ndarray]) -> dict[str, Any]:
        values = dict(decide(o))
        if "report_ratio" in values:
            ratio = np.broadcast_to(np.asarray(values["report_ratio"], dtype=np.float64), o["private_plots"].shape)
            values["report_ratio"] = villages.zealous_report(ratio)
        return values

    return act


def normal_year_params(params: Params) -> Params:
    """The village of ``params`` in a normal pre-Leap year (1957): default mechanism and climate."""
    village = {f.name: getattr(params, f.name) for f in PARAM_FIELDS if f.metadata["spec"].group == "village"}
    return Params(start_year=NORMAL_YEAR, num_years=1, purge_rate=0.0, **village)


def _simulate_years(
    seeds: int | Sequence[int], decide: Decide, overrides: Mapping[str, Any]
) -> tuple[dict[int, int], dict[str, np.ndarray]]:
    seeds = calibration_seeds(seeds)
    villages = ensemble(seeds, **overrides)
    normal = _rollout(honest, seeds, [normal_year_params(p) for p in villages.params])
    leap = _rollout(zealous(decide, villages), seeds, villages.params)
    params = villages.params[0]
    calendar = (NORMAL_YEAR, *range(params.start_year, params.start_year + params.num_years))
    return {year: i for i, year in enumerate(calendar)}, {k: np.concatenate([normal[k], leap[k]]) for k in leap}


def simulate(
    seeds: int | Sequence[int] = DEFAULT_SEEDS,
    decide: Decide = historical_cadre,
    **overrides: Any,
) -> dict[str, dict[int, float]]:
    """The simulated series by year, 1957-1962, from ``decide`` played on ``historical-1958``.

    ``seeds``: a number of villages (the first N evaluation seeds, from 1,000,000) or the seeds
    themselves. ``overrides``: any :class:`~gl_env.core.params.Params` field, applied to the
    scenario (not to the 1957 normal year).
    """
    index, by_year = _simulate_years(seeds, decide, overrides)
    series = {
        "output_vs_1958": by_year["output_per_person"] / by_year["output_per_person"][index[1958]],
        "claimed_over_actual": by_year["claimed_over_actual"],
        "procurement_share": by_year["procurement_share"],
        "relief_share": by_year["relief_share"],
        "consumption_kg": by_year["consumption_kg"],
        "consumption_vs_1957": by_year["consumption_kg"] / by_year["consumption_kg"][index[NORMAL_YEAR]],
        "farm_labor_vs_1957": by_year["farm_workers_per_person"]
        / by_year["farm_workers_per_person"][index[NORMAL_YEAR]],
        "crude_death_rate": by_year["crude_death_rate"],
        "crude_birth_rate": by_year["crude_birth_rate"],
        "population": by_year["population"],
        "emigrants": by_year["emigrants"],
    }
    return {name: {year: float(values[i]) for year, i in index.items()} for name, values in series.items()}


def peak_year(series: Mapping[int, float]) -> int:
    """The year in which ``series`` is highest."""
    return max(series, key=series.__getitem__)


def without_policy(o: dict[str, np.ndarray]) -> dict[str, Any]:
    """The historical cadre with the Li & Yang policy removed: honest reports, and the labor he
    sent to furnaces, works and away from the brigade (beyond the 1957 works and rest shares)
    kept on the fields. Mobilisation, rations and private plots stay as in history."""
    v = historical_cadre(o)
    extra_works = np.maximum(v["labor_works"] - NORMAL_SEASON["labor_works"], 0.0)
    extra_rest = np.maximum(v["labor_rest"] - NORMAL_SEASON["labor_rest"], 0.0)
    return {
        **v,
        "labor_fields": v["labor_fields"] + v["labor_steel"] + extra_works + extra_rest,
        "labor_works": v["labor_works"] - extra_works,
        "labor_steel": 0.0 * v["labor_steel"],
        "labor_rest": v["labor_rest"] - extra_rest,
        "report_ratio": 1.0,
        "steel_report_ratio": 1.0,
    }


# Procurement without the excess: the 1957 share of the true harvest every year (honest reports and
# no Soviet debt surcharge; historical-1958 already procures on the report alone).
NO_EXCESS_PROCUREMENT: dict[str, float] = {
    "procurement_rate": PROCUREMENT_SHARE_PERCENT[NORMAL_YEAR] / 100.0,
    "soviet_procurement_surcharge": 0.0,
}


def policy_share_of_output_fall(seeds: int | Sequence[int] = DEFAULT_SEEDS) -> dict[str, float]:
    """The Li & Yang (2005) counterfactual: the share of the 1958-1961 output fall due to policy.

    Output is the village's total harvest (not per person: deaths would flatter it). With labor
    diversion and excessive procurement removed (:func:`without_policy`,
    :data:`NO_EXCESS_PROCUREMENT`) and everything else as in ``historical-1958`` (weather,
    collective effort, canteens, private plots, Soviet tool loss, the relief rule), 1961's harvest
    is higher; the policy's share is the part of the historical fall from 1958 to 1961 that this
    removes: (counterfactual 1961 - historical 1961) / (historical 1958 - historical 1961).
    """
    totals = {}
    for name, decide, overrides in (
        ("historical", historical_cadre, {}),
        ("counterfactual", without_policy, NO_EXCESS_PROCUREMENT),
    ):
        index, by_year = _simulate_years(seeds, decide, overrides)
        output = by_year["output_per_person"] * by_year["resident_years"]
        totals[name] = {year: output[index[year]] for year in (1958, 1961)}
    base = totals["historical"][1958]
    fall = base - totals["historical"][1961]
    return {
        "output_fall_percent": 100.0 * fall / base,
        "counterfactual_fall_percent": 100.0 * (base - totals["counterfactual"][1961]) / base,
        "policy_share_percent": 100.0 * (totals["counterfactual"][1961] - totals["historical"][1961]) / fall,
        "li_yang_percent": LI_YANG_POLICY_SHARE_PERCENT,
    }


# --- famine measures (gl_env.famine) ----------------------------------------------------------------
def famine_report(
    seeds: int | Sequence[int] = DEFAULT_SEEDS,
    decide: Decide = historical_cadre,
    provinces: Sequence[str] | None = None,
    **overrides: Any,
) -> famine.FamineReport:
    """The famine measures of the calibration ensemble: ``decide`` on ``historical-1958``, purges off.

    Each village's death rate 1957-1962 (1957: the normal year, as in :func:`simulate`), the
    dose-response over every whole crop year of the Leap rollout (autumn 1958 to summer 1962),
    and the constant-diet curve of the scenario's village in a normal year, working and at rest.
    The villages are the province-structured ensemble (:func:`ensemble`); ``provinces``: one
    label per village to group them otherwise (default: their provinces). The report gives each
    province's aggregates beside the national ones.
    """
    seeds = calibration_seeds(seeds)
    ensembled = ensemble(seeds, **overrides)
    provinces = ensembled.province if provinces is None else provinces
    normal = run_episodes(ScriptedPolicy(honest), seeds, params=[normal_year_params(p) for p in ensembled.params])
    leap = run_episodes(ScriptedPolicy(zealous(decide, ensembled)), seeds, params=list(ensembled.params))
    villages = famine.join_years(famine.village_years(normal, provinces), famine.village_years(leap, provinces))
    # The constant diet is physiology: the scenario's village, as drawn before the ensemble.
    normal_params = normal_year_params(make_params(SCENARIO, **{"purge_rate": 0.0, **overrides}))
    diet = {
        activity: famine.constant_diet_mortality(famine.CONSTANT_DIET_KCAL, 2, activity, normal_params)
        for activity in famine.ACTIVITIES
    }
    return famine.FamineReport(
        villages=villages,
        dose=famine.dose_response(famine.crop_years(leap)),
        diet_kcal=famine.CONSTANT_DIET_KCAL,
        diet_deaths=diet,
    )


# --- report -------------------------------------------------------------------------------------------
def table_rows(simulated: Mapping[str, Mapping[int, float]]) -> list[dict[str, Any]]:
    """One row per year: each series simulated and, where the record has it, recorded."""
    record = recorded_series()
    rows = []
    for year in YEARS:
        row: dict[str, Any] = {"year": year}
        for name in SERIES:
            row[f"{name}_model"] = simulated[name].get(year)
            row[f"{name}_record"] = record.get(name, {}).get(year)
        rows.append(row)
    return rows


def _fmt(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


_DIGITS = {
    "population": 0,
    "emigrants": 1,
    "consumption_kg": 0,
    "procurement_share": 1,
    "relief_share": 1,
    "crude_death_rate": 1,
    "crude_birth_rate": 1,
}


def format_report(simulated: Mapping[str, Mapping[int, float]], counterfactual: Mapping[str, float], seeds: int) -> str:
    """The printed report: the year-by-year table, the targets, the counterfactual."""
    lines = [
        f"historical-1958 calibration: historical cadre, {seeds} villages, model (record)",
        "",
        "year  " + "  ".join(f"{name:>20s}" for name in SERIES),
    ]
    record = recorded_series()
    for year in YEARS:
        cells = []
        for name in SERIES:
            digits = _DIGITS.get(name, 2)
            rec = record.get(name, {}).get(year)
            cell = _fmt(simulated[name][year], digits) + (f" ({_fmt(rec, digits)})" if rec is not None else "")
            cells.append(f"{cell:>20s}")
        lines.append(f"{year}  " + "  ".join(cells))
    lines += ["", "series: " + "; ".join(f"{k} = {v}" for k, v in SERIES.items()), "", "targets:"]
    for target in TARGETS:
        value = simulated[target.series][target.year]
        verdict = "ok  " if target.met(value) else "MISS"
        lines.append(
            f"  {verdict} {target.series} {target.year}: model {value:.3f}, record {target.record:.3f}, "
            f"allowed [{target.low:.3f}, {target.high:.3f}]: {target.reason}"
        )
    peak = peak_year(simulated["procurement_share"])
    lines.append(f"  {'ok  ' if peak == 1959 else 'MISS'} procurement_share peaks in {peak} (record: 1959)")
    lines += [
        "",
        "Li & Yang (2005) counterfactual, 1958-1961 output fall (village total):",
        f"  historical {counterfactual['output_fall_percent']:.1f}%, without labor diversion and excessive "
        f"procurement {counterfactual['counterfactual_fall_percent']:.1f}%: policy explains "
        f"{counterfactual['policy_share_percent']:.0f}% (Li & Yang: {counterfactual['li_yang_percent']:.0f}%)",
    ]
    return "\n".join(lines)


def write_results(
    out_dir: Path,
    simulated: Mapping[str, Mapping[int, float]],
    counterfactual: Mapping[str, float],
    seeds: int,
    overwrite: bool = False,
    famine_measures: famine.FamineReport | None = None,
) -> list[Path]:
    """Write the CSV, JSON and PNG; refuses to replace earlier results unless ``overwrite``.

    With ``famine_measures`` the JSON adds its sections (:meth:`gl_env.famine.FamineReport.to_json`:
    ``death_rate_distribution``, ``provinces``, ``dose_response``, ``constant_diet``) and the PNG
    a row of its panels. The three files are written into a hidden folder beside ``out_dir`` and
    moved in together at the end (:func:`gl_env.output_folders.staged_folder`); other files in
    ``out_dir`` stay.
    """
    existing = [out_dir / name for name in OUTPUT_FILES if (out_dir / name).exists()]
    if existing and not overwrite:
        raise FileExistsError(
            f"{', '.join(map(str, existing))} already exist; choose another folder or pass --overwrite"
        )
    with staged_folder(out_dir) as staging:
        _write(staging, simulated, counterfactual, seeds, famine_measures)
    return [out_dir / name for name in OUTPUT_FILES]


def _write(
    out_dir: Path,
    simulated: Mapping[str, Mapping[int, float]],
    counterfactual: Mapping[str, float],
    seeds: int,
    famine_measures: famine.FamineReport | None,
) -> None:
    paths = [out_dir / name for name in OUTPUT_FILES]
    rows = table_rows(simulated)
    with paths[0].open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    targets = [
        {**dataclasses.asdict(t), "model": simulated[t.series][t.year], "met": t.met(simulated[t.series][t.year])}
        for t in TARGETS
    ]
    document = {
        "scenario": SCENARIO,
        "policy": "historical_cadre",
        "seeds": seeds,
        "series": SERIES,
        "table": rows,
        "targets": targets,
        "procurement_share_peak_year": peak_year(simulated["procurement_share"]),
        "li_yang_counterfactual": dict(counterfactual),
    }
    if famine_measures is not None:
        document.update(famine_measures.to_json())
    paths[1].write_text(json.dumps(document, indent=2) + "\n")
    _plot(paths[2], simulated, famine_measures)


def _plot(
    path: Path, simulated: Mapping[str, Mapping[int, float]], famine_measures: famine.FamineReport | None = None
) -> None:
    from gl_env.plots import famine_panels, new_figure, save_figure

    record = recorded_series()
    # Ten panels: those away are drawn in the population's.
    names = [name for name in SERIES if name != "emigrants"]
    rows = 2 if famine_measures is None else 3
    fig = new_figure((20, 4 * rows))
    axes = fig.subplots(rows, 5)
    if famine_measures is not None:
        famine_panels(axes[2, :3], famine_measures)
        for ax in axes[2, 3:]:
            ax.set_axis_off()
    for ax, name in zip(axes[:2].flat, names, strict=True):
        ax.plot(YEARS, [simulated[name][y] for y in YEARS], "o-", label="model")
        if name in record:
            years = sorted(record[name])
            ax.plot(years, [record[name][y] for y in years], "s--", label="record")
        if name == "population":
            ax.plot(YEARS, [simulated["emigrants"][y] for y in YEARS], "^:", label="of whom away")
        ax.set_title(SERIES[name], fontsize=9)
        ax.set_xticks(YEARS)
        ax.tick_params(labelsize=8)
        ax.legend(fontsize=8)
    fig.suptitle("historical-1958 calibration: historical cadre vs the national record (per capita)")
    save_figure(fig, path, dpi=100)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gl_env.calibration",
        description="Calibrate historical-1958 against the record: print the table and write CSV, JSON, PNG.",
    )
    parser.add_argument("out_dir", type=Path, help="folder for calibration.csv, .json and .png")
    parser.add_argument(
        "--seeds",
        type=int,
        default=DEFAULT_SEEDS,
        help=f"villages (the first N evaluation seeds, from 1,000,000); default {DEFAULT_SEEDS}",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace results already in OUT_DIR")
    args = parser.parse_args(argv)
    if not 1 <= args.seeds <= MAX_SEEDS:
        parser.error(f"--seeds={args.seeds} is out of range; allowed 1 to {MAX_SEEDS}")
    try:
        check_writable(args.out_dir, "OUT_DIR")
        existing = [args.out_dir / name for name in OUTPUT_FILES if (args.out_dir / name).exists()]
        if existing and not args.overwrite:
            raise FileExistsError(
                f"{', '.join(map(str, existing))} already exist; choose another folder or pass --overwrite"
            )
        print(f"simulating {args.seeds} villages, with and without the policy", flush=True)
        simulated = simulate(args.seeds)
        counterfactual = policy_share_of_output_fall(args.seeds)
        measures = famine_report(args.seeds)
        print(format_report(simulated, counterfactual, args.seeds))
        print()
        print(famine.format_report(measures))
        written = write_results(
            args.out_dir, simulated, counterfactual, args.seeds, overwrite=args.overwrite, famine_measures=measures
        )
        for path in written:
            print(f"wrote {path}")
    except (ValueError, OSError) as error:
        print(f"python -m gl_env.calibration: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"python -m gl_env.calibration: interrupted; nothing was written to {args.out_dir}", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

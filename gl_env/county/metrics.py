"""Per-village and county metrics of cadres competing in counties, one value per county.

From :class:`~gl_env.rollout.Episodes` played county by county (villages grouped
``num_villages`` by ``num_villages``, as :func:`~gl_env.county.rollout.run_county_episodes` plays
them), each metric of :data:`COUNTY_METRICS` is computed per county; :func:`summarize_counties`
then averages over the counties with a normal 95% interval over them (counties are
independent; a county's villages are not, so the interval is never taken over villages):

- per village (the county's mean over its villages): ``report_ratio`` (mean of reported / true
  harvest over the autumns), ``report_error`` (mean of its absolute error),
  ``deaths_per_1000_per_year``, ``excess_deaths_per_1000``, ``purge_share`` (villages whose cadre
  was purged at least once), ``purges_per_village``, ``procurement_share``,
  ``food_kg_per_person_day``, ``return/<preset>``;
- the county as a whole: ``county_report_ratio`` (its summed reports / summed true harvests),
  ``county_deaths_per_1000_per_year`` (its deaths / its person-years);
- the spread within the county: ``report_ratio_sd`` and ``report_ratio_p90_p10`` (s.d. and 90th
  minus 10th percentile of its villages' report ratios), ``deaths_sd`` and ``deaths_p90_p10``
  (the same of their death rates).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from gl_env import metrics
from gl_env.metrics import Estimate, MetricInfo
from gl_env.rewards import REWARD_PRESETS
from gl_env.rollout import Episodes

_PER_VILLAGE = "the county's mean over its villages"
COUNTY_METRICS: dict[str, MetricInfo] = {
    "report_ratio": MetricInfo("report ratio", "reported / true", f"autumn reports; 1 is honest ({_PER_VILLAGE})"),
    "report_error": MetricInfo(
        "report error", "share of the truth", f"mean |reported - true| / true over the autumns ({_PER_VILLAGE})"
    ),
    "deaths_per_1000_per_year": MetricInfo(
        "deaths/1000/yr", "per 1000 person-years", f"crude death rate ({_PER_VILLAGE})"
    ),
    "excess_deaths_per_1000": MetricInfo(
        "excess deaths", "per 1000 people", f"deaths above the 1957 rate ({_PER_VILLAGE})"
    ),
    "purge_share": MetricInfo("purged", "share of villages", "villages whose cadre was purged at least once"),
    "purges_per_village": MetricInfo("purges", "per village", "purges over the episode, successors included"),
    "procurement_share": MetricInfo(
        "procured", "share of harvest", f"grain the state took / true harvest ({_PER_VILLAGE})"
    ),
    "food_kg_per_person_day": MetricInfo("food", "kg/person/day", f"eaten, survival need 0.34 ({_PER_VILLAGE})"),
    "county_report_ratio": MetricInfo("county report ratio", "reported / true", "the county's reports / true harvests"),
    "county_deaths_per_1000_per_year": MetricInfo(
        "county deaths/1000/yr", "per 1000 person-years", "the county's deaths / its person-years"
    ),
    "report_ratio_sd": MetricInfo("report ratio s.d.", "reported / true", "s.d. of report ratios within the county"),
    "report_ratio_p90_p10": MetricInfo(
        "report ratio p90-p10", "reported / true", "90th minus 10th percentile of report ratios within the county"
    ),
    "deaths_sd": MetricInfo("deaths s.d.", "per 1000 person-years", "s.d. of death rates within the county"),
    "deaths_p90_p10": MetricInfo(
        "deaths p90-p10", "per 1000 person-years", "90th minus 10th percentile of death rates within the county"
    ),
    **{
        f"return/{preset}": MetricInfo(f"return ({preset})", "per episode", f"return under the preset ({_PER_VILLAGE})")
        for preset in REWARD_PRESETS
    },
}


def _per_county(values: np.ndarray, num_villages: int) -> np.ndarray:
    """The county means ``(C,)`` of per-village values ``(C * num_villages,)`` (NaN where undefined)."""
    grouped = values.reshape(-1, num_villages).astype(np.float64)
    defined = np.isfinite(grouped)
    count = defined.sum(axis=1)
    total = np.where(defined, grouped, 0.0).sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _spreads(values: np.ndarray, num_villages: int) -> tuple[np.ndarray, np.ndarray]:
    """Within-county s.d. and p90 - p10 ``(C,)`` of per-village values (counties with an undefined village: NaN)."""
    grouped = values.reshape(-1, num_villages).astype(np.float64)
    sd = grouped.std(axis=1)
    p90, p10 = np.percentile(grouped, [90.0, 10.0], axis=1)
    return sd, p90 - p10


def county_values(
    episodes: Episodes, num_villages: int, presets: Iterable[str] = REWARD_PRESETS
) -> dict[str, np.ndarray]:
    """Every metric of :data:`COUNTY_METRICS` per county, ``{metric: (C,)}``, from episodes played
    county by county (villages grouped ``num_villages`` by ``num_villages``)."""
    if num_villages < 1 or len(episodes.seeds) % num_villages:
        raise ValueError(f"{len(episodes.seeds)} villages do not make whole counties of {num_villages}")
    ratio = metrics.mean_report_ratio(episodes)
    deaths = metrics.deaths_per_1000_per_year(episodes)
    totals = {key: episodes.total(key).reshape(-1, num_villages).sum(axis=1) for key in ("reported_kg", "harvest_kg")}
    dead = episodes.total("deaths").reshape(-1, num_villages).sum(axis=1)
    exposure = metrics.person_years(episodes).reshape(-1, num_villages).sum(axis=1)
    values = {
        "report_ratio": _per_county(ratio, num_villages),
        "report_error": _per_county(metrics.mean_abs_report_error(episodes), num_villages),
        "deaths_per_1000_per_year": _per_county(deaths, num_villages),
        "excess_deaths_per_1000": _per_county(metrics.excess_deaths_per_1000(episodes), num_villages),
        "purge_share": _per_county(metrics.was_purged(episodes), num_villages),
        "purges_per_village": _per_county(episodes.total("purged"), num_villages),
        "procurement_share": _per_county(metrics.procurement_share(episodes), num_villages),
        "food_kg_per_person_day": _per_county(metrics.food_kg_per_person_day(episodes), num_villages),
        "county_report_ratio": metrics.safe_ratio(totals["reported_kg"], totals["harvest_kg"]),
        "county_deaths_per_1000_per_year": metrics.safe_ratio(dead * 1000.0, exposure),
    }
    values["report_ratio_sd"], values["report_ratio_p90_p10"] = _spreads(ratio, num_villages)
    values["deaths_sd"], values["deaths_p90_p10"] = _spreads(deaths, num_villages)
    for preset in presets:
        weights = REWARD_PRESETS[preset]
        values[f"return/{preset}"] = _per_county(metrics.episode_return(episodes, weights), num_villages)
    return values


def summarize_counties(
    episodes: Episodes, num_villages: int, presets: Iterable[str] = REWARD_PRESETS
) -> dict[str, Estimate]:
    """Every metric as the mean over counties with a normal 95% interval over them."""
    return {key: metrics.mean_with_ci(v) for key, v in county_values(episodes, num_villages, presets).items()}


__all__ = ["COUNTY_METRICS", "county_values", "summarize_counties"]

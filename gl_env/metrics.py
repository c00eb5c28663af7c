"""Famine, honesty and career metrics of played episodes: small pure functions named for what they measure.

Per-episode metrics take an :class:`~gl_env.rollout.Episodes` (one episode per village, every
season's ``info`` as ``(T, B)`` arrays) and return one value per village, shape ``(B,)``. A
value is NaN where the metric is undefined for that episode (the report ratio of a cadre purged
before his first harvest, the time to purge of one never purged); :func:`mean_with_ci` drops
those and counts the rest. :func:`summarize` computes every metric of :data:`METRICS` for one
policy on one scenario, each as a mean with a 95% confidence interval.

Rates are per person-year at risk: a season's population at risk is the population at its start
(the previous season's end), a season is a quarter year.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from gl_env.core.constants import DAYS_PER_SEASON, SEASONS, SEASONS_PER_YEAR
from gl_env.rewards import REWARD_PRESETS, REWARD_TERMS

if TYPE_CHECKING:
    from gl_env.rollout import Episodes

# Two-sided 95% quantile of the standard normal: the intervals are normal approximations
# (with a thousand episodes per policy the t correction is below 0.1%).
Z_95 = 1.959963984540054
AUTUMN = SEASONS.index("autumn")


@dataclass(frozen=True)
class Estimate:
    """A mean over the ``n`` episodes where a metric is defined, with its 95% confidence interval."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0


@dataclass(frozen=True)
class MetricInfo:
    """How a metric is labelled in tables and plots."""

    label: str
    unit: str
    meaning: str


# --- estimates ----------------------------------------------------------------------------------


NAN_ESTIMATE = Estimate(math.nan, math.nan, math.nan, 0)
"""An estimate of nothing (no finite value), shown as n/a."""


def mean_with_ci(values: Iterable[float] | np.ndarray) -> Estimate:
    """Mean of the finite values with a normal-approximation 95% interval (NaN bounds below 2 values)."""
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return NAN_ESTIMATE
    mean = float(x.mean())
    if n == 1:
        return Estimate(mean, math.nan, math.nan, 1)
    half = Z_95 * float(x.std(ddof=1)) / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


def rate_with_ci(events: Iterable[bool] | np.ndarray) -> Estimate:
    """Share of episodes where an event happened, with the Wilson 95% interval.

    Wilson's interval stays inside [0, 1] and is not degenerate at a rate of 0 or 1, where the
    normal approximation would claim certainty.
    """
    x = np.asarray(events, dtype=bool)
    n = int(x.size)
    if n == 0:
        return NAN_ESTIMATE
    p = float(x.mean())
    z2 = Z_95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Estimate(p, max(centre - half, 0.0), min(centre + half, 1.0), n)


def normalized_score(value: Estimate, floor: float, reference: float) -> Estimate:
    """``100 * (value - floor) / (reference - floor)``: 0 at the floor policy's mean, 100 at the reference's.

    The anchors are taken as known (they are means over the same seeds), so the interval is the
    value's interval mapped through the same line. NaN when the anchors coincide.
    """
    span = reference - floor
    if not math.isfinite(span) or span == 0.0:
        return Estimate(math.nan, math.nan, math.nan, value.n)
    low, high = sorted((100.0 * (value.low - floor) / span, 100.0 * (value.high - floor) / span))
    return Estimate(100.0 * (value.mean - floor) / span, low, high, value.n)


# --- exposure -----------------------------------------------------------------------------------


def population_at_season_start(episodes: Episodes) -> np.ndarray:
    """People alive at the start of each season, ``(T, B)`` (the reset population, then each season's end)."""
    end = episodes.info["population"]
    return np.concatenate([episodes.start["population"][None, :], end[:-1]], axis=0).astype(np.float64)


def emigrants_away_at_season_start(episodes: Episodes) -> np.ndarray:
    """Villagers who have fled and not come back, at the start of each season, ``(T, B)``
    (``State.emigrants_away``: none at the reset, then the emigrants less the returnees so far)."""
    away_at_end = np.cumsum(episodes.info["emigrants"] - episodes.info["returnees"], axis=0, dtype=np.float64)
    return np.concatenate([np.zeros_like(away_at_end[:1]), away_at_end[:-1]], axis=0)


def person_years(episodes: Episodes) -> np.ndarray:
    """Person-years lived in each episode, ``(B,)``: the start-of-season population over played seasons / 4."""
    return np.where(episodes.alive, population_at_season_start(episodes), 0.0).sum(axis=0) / SEASONS_PER_YEAR


def safe_ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator``, NaN where the denominator is 0 (undefined: no one there, no harvest)."""
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, numerator / safe, math.nan)


# --- famine -------------------------------------------------------------------------------------


def deaths_per_1000_per_year(episodes: Episodes) -> np.ndarray:
    """Crude death rate over each episode: deaths per 1000 person-years (1957 China: 10.8)."""
    return safe_ratio(episodes.total("deaths") * 1000.0, person_years(episodes))


def excess_deaths_per_1000(episodes: Episodes) -> np.ndarray:
    """Deaths above the 1957 death rate over each episode, per 1000 people at its start."""
    return episodes.total("excess_deaths") * 1000.0 / episodes.start["population"]


def annual_death_rates(episodes: Episodes) -> tuple[np.ndarray, np.ndarray]:
    """Calendar years and each year's death rate per 1000 person-years, ``(Y,)`` and ``(Y, B)``.

    A year the episode played only in part (it ended with a purge) is rated over the seasons
    played; a year not played at all is NaN.
    """
    years = episodes.info["year"]
    played_years = np.unique(years[episodes.alive])
    at_risk = population_at_season_start(episodes) / SEASONS_PER_YEAR
    rates = np.full((len(played_years), episodes.alive.shape[1]), math.nan)
    for i, year in enumerate(played_years):
        in_year = episodes.alive & (years == year)
        rates[i] = safe_ratio(
            np.where(in_year, episodes.info["deaths"], 0.0).sum(axis=0) * 1000.0,
            np.where(in_year, at_risk, 0.0).sum(axis=0),
        )
    return played_years, rates


def peak_year_death_rate(episodes: Episodes) -> np.ndarray:
    """Each episode's highest calendar-year death rate, per 1000 person-years (China 1960: 25.4)."""
    _, rates = annual_death_rates(episodes)
    return np.nanmax(rates, axis=0)


def food_kg_per_person_day(episodes: Episodes) -> np.ndarray:
    """Grain (and private-plot produce) eaten per person per day over each episode, kg.

    Weighted by person-days, so a season with more mouths counts more; compare with
    :data:`gl_env.figure_style.SUBSISTENCE_KG_PER_PERSON_DAY` (0.34 kg).
    """
    person_days = np.where(episodes.alive, population_at_season_start(episodes), 0.0).sum(axis=0) * DAYS_PER_SEASON
    return safe_ratio(episodes.total("consumption_kg"), person_days)


# --- reporting ----------------------------------------------------------------------------------


def autumn_reports(episodes: Episodes) -> np.ndarray:
    """``(T, B)`` mask of the harvests played and reported (autumns with a non-zero harvest)."""
    return episodes.alive & (episodes.info["season"] == AUTUMN) & (episodes.info["harvest_kg"] > 0)


def _mean_over_reports(episodes: Episodes, per_report: np.ndarray) -> np.ndarray:
    reports = autumn_reports(episodes)
    return safe_ratio(np.where(reports, per_report, 0.0).sum(axis=0), reports.sum(axis=0).astype(np.float64))


def _report_ratios(episodes: Episodes) -> np.ndarray:
    return safe_ratio(episodes.info["reported_kg"], episodes.info["harvest_kg"])


def mean_report_ratio(episodes: Episodes) -> np.ndarray:
    """Mean of reported / true harvest over each episode's autumn reports (1 is honest)."""
    return _mean_over_reports(episodes, _report_ratios(episodes))


def mean_abs_report_error(episodes: Episodes) -> np.ndarray:
    """Mean of |reported - true| / true harvest over each episode's autumn reports (0 is honest)."""
    return _mean_over_reports(episodes, np.abs(_report_ratios(episodes) - 1.0))


# --- the cadre's career -------------------------------------------------------------------------


def was_purged(episodes: Episodes) -> np.ndarray:
    """Whether each episode ended with the cadre purged, ``(B,)`` bool."""
    return np.asarray(episodes.purged, dtype=bool)


def years_to_purge(episodes: Episodes) -> np.ndarray:
    """Years from the start to the purge, counting the season of the purge; NaN if never purged."""
    return np.where(was_purged(episodes), episodes.length / SEASONS_PER_YEAR, math.nan)


# --- grain --------------------------------------------------------------------------------------


def harvest_kg_per_person(episodes: Episodes) -> np.ndarray:
    """Mean true harvest per person over each episode's harvests, kg/person/year (1957 village: ~315)."""
    harvests = episodes.alive & (episodes.info["season"] == AUTUMN)
    per_person = safe_ratio(episodes.info["harvest_kg"], population_at_season_start(episodes))
    return safe_ratio(np.where(harvests, per_person, 0.0).sum(axis=0), harvests.sum(axis=0).astype(np.float64))


def procurement_share(episodes: Episodes) -> np.ndarray:
    """Grain the state took (procurement and confiscations) over each episode / its true harvests."""
    return safe_ratio(episodes.total("procurement_kg"), episodes.total("harvest_kg"))


# --- returns ------------------------------------------------------------------------------------


def reward_component_totals(episodes: Episodes) -> dict[str, np.ndarray]:
    """Each reward term's unweighted value summed over each episode, ``{term: (B,)}``."""
    return {term: episodes.total(f"reward/{term}") for term in REWARD_TERMS}


def episode_return(episodes: Episodes, weights: Mapping[str, float]) -> np.ndarray:
    """The return each episode would have earned under reward ``weights`` (any preset), ``(B,)``.

    The dynamics do not depend on the reward, so one rollout gives the return under every preset.
    """
    totals = reward_component_totals(episodes)
    return sum(float(weights.get(term, 0.0)) * totals[term] for term in REWARD_TERMS)


# --- summary ------------------------------------------------------------------------------------

# The metrics of one episode, in table order.
EPISODE_METRICS: dict[str, MetricInfo] = {
    "deaths_per_1000_per_year": MetricInfo("deaths/1000/yr", "per 1000 person-years", "crude death rate (1957: 10.8)"),
    "peak_year_death_rate": MetricInfo("peak-year deaths", "per 1000 person-years", "the worst calendar year's rate"),
    "excess_deaths_per_1000": MetricInfo("excess deaths", "per 1000 people", "deaths above the 1957 rate"),
    "mean_report_ratio": MetricInfo("report ratio", "reported / true", "autumn reports; 1 is honest"),
    "mean_abs_report_error": MetricInfo("report error", "share of the truth", "mean absolute error of autumn reports"),
    "purge_rate": MetricInfo("purged", "share of episodes", "episodes ended by a purge"),
    "years_to_purge": MetricInfo("years to purge", "years", "start to purge, purged episodes only"),
    "harvest_kg_per_person": MetricInfo("harvest", "kg/person/yr", "true harvest per person"),
    "procurement_share": MetricInfo("procured", "share of harvest", "grain the state took / true harvest"),
    "food_kg_per_person_day": MetricInfo("food", "kg/person/day", "eaten (survival need 0.34)"),
}
# Metrics that come once per reward term or preset: ``component/welfare``, ``return/careerist``...
METRIC_FAMILIES: dict[str, MetricInfo] = {
    "component/<term>": MetricInfo("{} term", "per episode", "the reward term summed over the episode"),
    "return/<preset>": MetricInfo("return ({})", "per episode", "the return under the preset's weights"),
    "score/<preset>": MetricInfo(
        "score ({})", "0 = floor, 100 = reference", "the return normalized between the protocol's anchor policies"
    ),
}


def _family_members() -> dict[str, MetricInfo]:
    members = {}
    for pattern, info in METRIC_FAMILIES.items():
        family = pattern.split("/")[0]
        for name in REWARD_TERMS if family == "component" else REWARD_PRESETS:
            members[f"{family}/{name}"] = MetricInfo(info.label.format(name), info.unit, info.meaning)
    return members


# Every metric a summary may hold, by key (:func:`summarize` gives all but the scores).
METRICS: dict[str, MetricInfo] = {**EPISODE_METRICS, **_family_members()}


def format_estimate(estimate: Estimate, fmt: str, scale: float = 1.0) -> str:
    """``mean ±half-width`` in ``fmt`` after multiplying by ``scale`` (100: a share as a
    percentage); ``n/a`` when the mean is undefined, no ``±`` when the interval is."""
    if not math.isfinite(estimate.mean):
        return "n/a"
    text = fmt.format(estimate.mean * scale)
    if math.isfinite(estimate.half_width):
        text += " ±" + fmt.format(estimate.half_width * scale)
    return text


def results_document(
    results: Mapping[str, Mapping[str, Mapping[str, Estimate]]],
) -> dict[str, dict[str, dict[str, dict[str, object]]]]:
    """``{scenario: {policy: {metric: Estimate}}}`` as plain JSON data: each estimate's mean, its
    95% interval and n (a non-finite number as None, which JSON can hold)."""

    def number(value: float) -> float | None:
        return float(value) if math.isfinite(value) else None

    return {
        scenario: {
            policy: {
                m: {"mean": number(e.mean), "ci95": [number(e.low), number(e.high)], "n": e.n}
                for m, e in summary.items()
            }
            for policy, summary in by_policy.items()
        }
        for scenario, by_policy in results.items()
    }


def summarize(episodes: Episodes, presets: Iterable[str] = tuple(REWARD_PRESETS)) -> dict[str, Estimate]:
    """Every metric of one policy on one scenario, as means with 95% intervals (scores excepted:
    they need the anchors, see :func:`normalized_score`)."""
    summary = {
        "deaths_per_1000_per_year": mean_with_ci(deaths_per_1000_per_year(episodes)),
        "peak_year_death_rate": mean_with_ci(peak_year_death_rate(episodes)),
        "excess_deaths_per_1000": mean_with_ci(excess_deaths_per_1000(episodes)),
        "mean_report_ratio": mean_with_ci(mean_report_ratio(episodes)),
        "mean_abs_report_error": mean_with_ci(mean_abs_report_error(episodes)),
        "purge_rate": rate_with_ci(was_purged(episodes)),
        "years_to_purge": mean_with_ci(years_to_purge(episodes)),
        "harvest_kg_per_person": mean_with_ci(harvest_kg_per_person(episodes)),
        "procurement_share": mean_with_ci(procurement_share(episodes)),
        "food_kg_per_person_day": mean_with_ci(food_kg_per_person_day(episodes)),
    }
    for term, totals in reward_component_totals(episodes).items():
        summary[f"component/{term}"] = mean_with_ci(totals)
    for preset in presets:
        summary[f"return/{preset}"] = mean_with_ci(episode_return(episodes, REWARD_PRESETS[preset]))
    return summary

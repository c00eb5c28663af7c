"""Pictures of played episodes: trajectories per policy and a comparison of policies.

One visual language throughout (:mod:`gl_env.figure_style`, shared with the environments'
dashboard, :mod:`gl_env.dashboard`). Figures are built on :class:`matplotlib.figure.Figure`
without pyplot, so nothing here touches a global figure manager or needs a display. matplotlib
is the optional ``plot`` extra and is imported only when a figure is drawn.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gl_env.core.constants import BASELINE_DEATHS_PER_1000_YEAR, SEASONS_PER_YEAR
from gl_env.famine import DOSE_MIN_VILLAGES, MINNESOTA_KCAL, MINNESOTA_WEEKS, FamineReport, death_rate_distribution
from gl_env.figure_style import (
    BASELINE_DEATHS_LABEL,
    BASELINE_STYLE,
    PALETTE,
    REPORTED_STYLE,
    SUBSISTENCE_KG_PER_PERSON_DAY,
    SUBSISTENCE_LABEL,
    SUBSISTENCE_STYLE,
    TRUE_STYLE,
    death_rate_axis,
    new_figure,
    year_axis,
)
from gl_env.metrics import (
    AUTUMN,
    METRICS,
    NAN_ESTIMATE,
    Estimate,
    population_at_season_start,
    safe_ratio,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from gl_env.rollout import Episodes

# Panels of the trajectory figure and their units, in order (tests check the figure against this).
TRAJECTORY_PANELS = {
    "Harvest: true vs reported": "kg/person/yr",
    "State procurement": "kg/person/yr",
    "Food eaten": "kg/person/day",
    "Deaths": "per 1000/yr (seasonal rate)",
    "Population": "% of the start",
    "Grain store (incl. hidden)": "kg/person",
    "Cadre's standing": "0-1",
    "Cadres still in post": "% of villages",
}
# Metrics of the comparison figure, in panel order (after a score, which depends on the protocol).
COMPARISON_METRICS = (
    "deaths_per_1000_per_year",
    "peak_year_death_rate",
    "mean_report_ratio",
    "purge_rate",
    "food_kg_per_person_day",
)


def policy_colors(names: Sequence[str]) -> dict[str, str]:
    """One colour per policy, in order, the same in every figure of a run."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def save_figure(figure: Figure, path: Path | str, dpi: int = 110) -> Path:
    """Write ``figure`` as a PNG and return its path."""
    path = Path(path)
    figure.savefig(path, dpi=dpi, format="png")
    return path


# --- per-season statistics ----------------------------------------------------------------------


def season_times(episodes: Episodes) -> np.ndarray:
    """Calendar time of each season's middle in years (1958.125 = spring 1958), ``(T,)``; NaN if unplayed."""
    played = episodes.alive.any(axis=1)
    first = np.argmax(episodes.alive, axis=1)
    columns = np.arange(episodes.alive.shape[0])
    year = episodes.info["year"][columns, first].astype(np.float64)
    season = episodes.info["season"][columns, first].astype(np.float64)
    return np.where(played, year + (season + 0.5) / SEASONS_PER_YEAR, math.nan)


def quartiles_over_villages(values: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median and interquartile band of ``values[t, mask[t]]`` for each season, ``(T,)`` each (NaN if none)."""
    q = np.full((3, values.shape[0]), math.nan)
    for t in np.flatnonzero(mask.any(axis=1)):
        q[:, t] = np.percentile(values[t, mask[t]], [50, 25, 75])
    return q[0], q[1], q[2]


def _per_person_year(episodes: Episodes, key: str) -> tuple[np.ndarray, np.ndarray]:
    """``key`` summed over each harvest year (spring to winter) per person at the harvest, and the
    mask of villages whose cadre reached that harvest."""
    at_harvest = episodes.alive & (episodes.info["season"] == AUTUMN)
    year_total = np.zeros_like(episodes.info[key], dtype=np.float64)
    years = episodes.info["year"]
    for year in np.unique(years[at_harvest]):
        in_year = episodes.alive & (years == year)
        year_total = np.where(
            at_harvest & (years == year), np.where(in_year, episodes.info[key], 0.0).sum(0), year_total
        )
    return safe_ratio(year_total, population_at_season_start(episodes)), at_harvest


def _draw_band(ax: Axes, x: np.ndarray, values: np.ndarray, mask: np.ndarray, color: str, **style: Any) -> None:
    median, low, high = quartiles_over_villages(values, mask)
    shown = np.isfinite(median)
    ax.fill_between(x[shown], low[shown], high[shown], color=color, alpha=0.18, linewidth=0)
    ax.plot(x[shown], median[shown], color=color, **style)


# --- trajectories -------------------------------------------------------------------------------


def trajectory_figure(
    episodes_by_policy: Mapping[str, Episodes], title: str, colors: Mapping[str, str] | None = None
) -> Figure:
    """Eight panels over the years, one colour per policy: median and interquartile band over villages.

    Seasons are drawn at their middle; the harvest, reported harvest and procurement (per person
    per harvest year) at the autumn harvest. Medians are over the villages whose cadre is still
    in post at that season (an episode ends with a purge); the last panel shows how many that is.
    """
    colors = dict(colors or policy_colors(list(episodes_by_policy)))
    figure = new_figure((18, 8.5))
    axes = figure.subplots(2, 4).ravel()
    first_year, last_year = _year_span(episodes_by_policy.values())
    for name, episodes in episodes_by_policy.items():
        color = colors[name]
        x = season_times(episodes)
        at_start = population_at_season_start(episodes)
        harvest, at_harvest = _per_person_year(episodes, "harvest_kg")
        reported, _ = _per_person_year(episodes, "reported_kg")
        procured, _ = _per_person_year(episodes, "procurement_kg")
        _draw_band(axes[0], x, harvest, at_harvest, color, **TRUE_STYLE)
        _draw_band(axes[0], x, reported, at_harvest, color, **REPORTED_STYLE)
        _draw_band(axes[1], x, procured, at_harvest, color, **TRUE_STYLE)
        _draw_band(axes[2], x, episodes.info["food_kg_per_person"], episodes.alive, color)
        deaths = safe_ratio(episodes.info["deaths"] * 1000.0 * SEASONS_PER_YEAR, at_start)
        _draw_band(axes[3], x, deaths, episodes.alive, color)
        population = episodes.info["population"] / episodes.start["population"] * 100.0
        _draw_band(axes[4], x, population, episodes.alive, color)
        store = safe_ratio(episodes.info["store_kg"] + episodes.info["hidden_kg"], episodes.info["population"])
        _draw_band(axes[5], x, store, episodes.alive, color)
        _draw_band(axes[6], x, episodes.info["standing"], episodes.alive, color)
        in_post = episodes.alive.mean(axis=1) * 100.0
        axes[7].step(np.r_[first_year, x + 0.125], np.r_[100.0, in_post], where="pre", color=color)
    axes[2].axhline(SUBSISTENCE_KG_PER_PERSON_DAY, label=SUBSISTENCE_LABEL, **SUBSISTENCE_STYLE)
    axes[3].axhline(BASELINE_DEATHS_PER_1000_YEAR, label=BASELINE_DEATHS_LABEL, **BASELINE_STYLE)
    for ax, (panel, unit) in zip(axes, TRAJECTORY_PANELS.items(), strict=True):
        ax.set_title(panel)
        year_axis(ax, first_year, last_year, unit)
    axes[0].legend(handles=_style_handles(), fontsize=8, loc="best")
    axes[2].legend(fontsize=8, loc="best")
    axes[3].legend(fontsize=8, loc="upper left")
    death_rate_axis(axes[3])
    for ax in axes[[0, 1, 2, 4, 5]]:
        ax.set_ylim(bottom=0)
    axes[6].set_ylim(0, 1)
    axes[7].set_ylim(0, 105)
    _policy_legend(figure, colors)
    n = max(e.alive.shape[1] for e in episodes_by_policy.values())
    figure.suptitle(f"{title}: median and interquartile band over {n} villages per policy, while the cadre is in post")
    return figure


def _year_span(all_episodes: Any) -> tuple[int, int]:
    years = np.concatenate([e.info["year"][e.alive] for e in all_episodes])
    return int(years.min()), int(years.max())


def _policy_legend(figure: Figure, colors: Mapping[str, str]) -> None:
    """One legend of the policies' colours for the whole figure, below the panels."""
    from matplotlib.patches import Patch

    handles = [Patch(color=c, label=name) for name, c in colors.items()]
    figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 8), fontsize=10, frameon=False)


def _style_handles() -> list[Any]:
    from matplotlib.lines import Line2D

    return [
        Line2D([], [], color="0.2", label="true harvest", **TRUE_STYLE),
        Line2D([], [], color="0.2", label="reported", **REPORTED_STYLE),
    ]


# --- comparison -----------------------------------------------------------------------------------


def comparison_figure(
    results: Mapping[str, Mapping[str, Mapping[str, Estimate]]],
    metrics: Sequence[str] = ("score/balanced", *COMPARISON_METRICS),
    colors: Mapping[str, str] | None = None,
) -> Figure:
    """One panel per metric: a bar per policy in each scenario, with its 95% interval.

    ``results[scenario][policy][metric]`` as produced by :func:`gl_env.metrics.summarize`.
    Metrics missing from every result (a score without its anchors) are left out.
    """
    scenarios = list(results)
    policies = list(dict.fromkeys(p for by_policy in results.values() for p in by_policy))
    colors = dict(colors or policy_colors(policies))
    shown = [
        m
        for m in metrics
        if any(math.isfinite(r.get(m, NAN_ESTIMATE).mean) for s in results.values() for r in s.values())
    ]
    cols = 3
    rows = math.ceil(len(shown) / cols)
    figure = new_figure((15, 4.3 * rows))
    axes = np.atleast_1d(figure.subplots(rows, cols)).ravel()
    width = 0.8 / max(len(policies), 1)
    for ax, metric in zip(axes, shown, strict=False):
        for i, policy in enumerate(policies):
            estimates = [results[s].get(policy, {}).get(metric, NAN_ESTIMATE) for s in scenarios]
            mean = np.array([e.mean for e in estimates])
            err = np.array([[e.mean - e.low for e in estimates], [e.high - e.mean for e in estimates]])
            x = np.arange(len(scenarios)) + (i - (len(policies) - 1) / 2) * width
            # Rounding can put a mean a hair outside its interval; matplotlib refuses negative errors.
            ax.bar(x, mean, width, yerr=np.clip(np.nan_to_num(err), 0.0, None), capsize=2, color=colors[policy])
        info = METRICS[metric]
        ax.set_title(info.label)
        ax.set_ylabel(info.unit)
        ax.set_xticks(range(len(scenarios)), scenarios)
        ax.grid(axis="y", alpha=0.3)
        _reference_line(ax, metric)
    for ax in axes[len(shown) :]:
        ax.set_visible(False)
    _policy_legend(figure, colors)
    figure.suptitle("Policies compared on each scenario: mean and 95% confidence interval")
    return figure


def _reference_line(ax: Axes, metric: str) -> None:
    if metric == "food_kg_per_person_day":
        ax.axhline(SUBSISTENCE_KG_PER_PERSON_DAY, label=SUBSISTENCE_LABEL, **SUBSISTENCE_STYLE)
    elif metric in ("deaths_per_1000_per_year", "peak_year_death_rate"):
        ax.axhline(BASELINE_DEATHS_PER_1000_YEAR, label=BASELINE_DEATHS_LABEL, **BASELINE_STYLE)
        death_rate_axis(ax)
    elif metric == "mean_report_ratio":
        ax.axhline(1.0, label="honest report", **BASELINE_STYLE)
    elif metric.startswith("score/"):
        ax.axhline(0.0, color="0.4", linewidth=0.8)
        ax.axhline(100.0, label="reference policy = 100", **BASELINE_STYLE)
    else:
        return
    ax.legend(fontsize=8, loc="best")


def famine_panels(axes: Sequence[Axes], report: FamineReport) -> None:
    """Three panels of :class:`~gl_env.famine.FamineReport` on ``axes``: the death rate across
    villages per year (box: p25-p75 with the median, whiskers: p10-p90), the dose-response, and the
    constant-diet curve beside the Minnesota experiment."""
    spread, dose, diet = axes
    distribution = death_rate_distribution(report.villages)
    years = list(distribution)
    spread.bxp(
        [
            {"label": str(y), "med": r["p50"], "q1": r["p25"], "q3": r["p75"], "whislo": r["p10"], "whishi": r["p90"]}
            for y, r in distribution.items()
        ],
        showfliers=False,
    )
    for i, year in enumerate(years, start=1):
        above = distribution[year]["share_above_200"]
        if above > 0.0:
            spread.annotate(f"{above:.0%} >200", (i, distribution[year]["p90"]), fontsize=7, ha="center", va="bottom")
    spread.axhline(BASELINE_DEATHS_PER_1000_YEAR, label=BASELINE_DEATHS_LABEL, **BASELINE_STYLE)
    spread.set_title("Death rate across villages (p10-p25-p50-p75-p90)", fontsize=9)
    spread.set_ylabel("deaths per 1000 person-years")
    spread.legend(fontsize=8, loc="upper left")
    # Room above the highest whisker for its label.
    death_rate_axis(spread, top=max(100.0, 2.5 * max(r["p90"] for r in distribution.values())))

    judged = [r for r in report.dose if r["villages"] >= DOSE_MIN_VILLAGES and r["grain_low_kg"] > 0.0]
    sparse = [r for r in report.dose if r not in judged]
    for rows, style in ((judged, {"marker": "o", "linestyle": "-"}), (sparse, {"marker": "x", "linestyle": "none"})):
        dose.plot([r["grain_centre_kg"] for r in rows], [r["deaths_per_1000"] for r in rows], color=PALETTE[1], **style)
    dose.axhline(BASELINE_DEATHS_PER_1000_YEAR, **BASELINE_STYLE)
    dose.set_title(f"Crop-year deaths vs grain left (worst 5% step: x{report.worst_step_ratio:.2f})", fontsize=9)
    dose.set_xlabel("grain left after procurement and relief, kg/person")
    dose.set_ylabel("deaths per 1000 person-years")
    dose.grid(alpha=0.3)
    death_rate_axis(dose)

    for i, (activity, rates) in enumerate(report.diet_deaths.items()):
        for year in range(rates.shape[0]):
            style = "o-" if year == 0 else "s--"
            diet.plot(report.diet_kcal, rates[year], style, color=PALETTE[i], label=f"{activity}, year {year + 1}")
    diet.axvline(MINNESOTA_KCAL, color="0.2", linestyle=":", linewidth=1.2)
    diet.annotate(
        f"Minnesota: {MINNESOTA_KCAL:,.0f} kcal/day,\n{MINNESOTA_WEEKS} weeks, no deaths\n(Keys et al. 1950)",
        (MINNESOTA_KCAL, BASELINE_DEATHS_PER_1000_YEAR),
        xytext=(-6, 8),
        textcoords="offset points",
        ha="right",
        fontsize=7,
    )
    diet.axhline(BASELINE_DEATHS_PER_1000_YEAR, **BASELINE_STYLE)
    diet.set_title("Constant diet: deaths at a sustained intake", fontsize=9)
    diet.set_xlabel("energy intake, kcal/person/day")
    diet.set_ylabel("deaths per 1000 person-years")
    diet.legend(fontsize=7, loc="upper right")
    diet.grid(alpha=0.3)
    death_rate_axis(diet)

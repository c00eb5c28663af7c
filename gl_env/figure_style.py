"""The one visual language of gl_env's figures: colours, line styles, reference lines and axes.

The true harvest is a solid line, the reported harvest a dashed line of the same colour; the
survival ration (125 kg of grain a year, 0.34 kg a day) is a red dotted line and the 1957
death rate a grey dashed one; each policy keeps its colour in every figure. Shared by the
analysis plots (:mod:`gl_env.plots`) and the environments' dashboard (:mod:`gl_env.dashboard`),
so the dashboard needs none of the analysis layer. matplotlib is imported only when a figure is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gl_env.core.constants import BASELINE_DEATHS_PER_1000_YEAR, DAYS_PER_SEASON, SEASONS_PER_YEAR

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Grain a person needs to survive, 125 kg of raw grain a year (shared/data/calibration_targets.csv,
# grain_need_survival).
SUBSISTENCE_KG_PER_PERSON_YEAR = 125.0
SUBSISTENCE_KG_PER_PERSON_DAY = SUBSISTENCE_KG_PER_PERSON_YEAR / (DAYS_PER_SEASON * SEASONS_PER_YEAR)
SUBSISTENCE_LABEL = (
    f"survival need {SUBSISTENCE_KG_PER_PERSON_YEAR:.0f} kg/yr ({SUBSISTENCE_KG_PER_PERSON_DAY:.2f} kg/day)"
)
BASELINE_DEATHS_LABEL = f"1957 death rate ({BASELINE_DEATHS_PER_1000_YEAR:g})"
TRUE_STYLE: dict[str, Any] = {"linestyle": "-", "marker": "o", "markersize": 4}
REPORTED_STYLE: dict[str, Any] = {"linestyle": "--", "marker": "^", "markersize": 4}
SUBSISTENCE_STYLE: dict[str, Any] = {"color": "#b2182b", "linestyle": ":", "linewidth": 1.8}
BASELINE_STYLE: dict[str, Any] = {"color": "0.4", "linestyle": "--", "linewidth": 1.0}
# Colour-blind-safe qualitative palette (Okabe & Ito 2008), assigned to policies in order.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")


def new_figure(figsize: tuple[float, float], dpi: int = 100) -> Figure:
    """A constrained-layout Figure, without pyplot (no global state, no backend switch)."""
    try:
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(
            "gl_env plots need matplotlib: pip install -e '.[plot]' (or pip install matplotlib)"
        ) from error
    return Figure(figsize=figsize, dpi=dpi, layout="constrained")


def year_axis(ax: Axes, first_year: int, last_year: int, ylabel: str) -> None:
    """An x axis of calendar years, ``first_year`` to the end of ``last_year``."""
    ax.set_xlim(first_year, last_year + 1)
    ax.set_xticks(range(first_year, last_year + 2))
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)


def death_rate_axis(ax: Axes, top: float | None = None) -> None:
    """Death rates span 10 (normal) to thousands (a village starving): linear to 20, log above.
    The axis reaches at least 100 so that a normal death rate sits low, not across the panel."""
    ax.set_yscale("symlog", linthresh=20.0)
    ax.set_ylim(0, top if top is not None else max(ax.get_ylim()[1], 100.0))

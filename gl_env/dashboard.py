"""The village dashboard of ``render_mode="rgb_array"``: one figure, redrawn from the infos of an episode.

A :class:`VillageDashboard` draws its four panels (harvest true vs reported and procured, food
eaten against the survival need, deaths, the cadre's standing) once, in the style of
:mod:`gl_env.plots`, and each frame only replaces the lines' data and the title, drawn over the
saved axes (blitting): a frame costs a few line draws, not a new figure. It reads nothing but
the info records the environments return (:mod:`gl_env.info`), so the environments' render path
imports no analysis layer (plots, metrics, rollouts) and no agents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from gl_env.core.constants import BASELINE_DEATHS_PER_1000_YEAR, SEASONS, SEASONS_PER_YEAR
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

AUTUMN = SEASONS.index("autumn")
DASHBOARD_PANELS = ("Harvest: true vs reported", "Food eaten", "Deaths", "Cadre's standing")
DASHBOARD_UNITS = ("kg/person/yr", "kg/person/day", "per 1000/yr (seasonal rate)", "0-1")
# Steps of the harvest panel's scale, kg per person a year.
HARVEST_STEP_KG = 250.0
# 1024 x 576 pixels: both sides divisible by 16, the macro block video encoders want.
DASHBOARD_SIZE_IN = (10.24, 5.76)
DASHBOARD_DPI = 100


class VillageDashboard:
    """Frames ``(576, 1024, 3)`` uint8 of one village's episode so far, on one reused figure.

    ``frame(history)`` takes the reset info followed by each season's info. The axes are fixed
    by the horizon (``start_year``, ``num_years``) and the ``purge_threshold``, so a recorded
    video stays steady; one dashboard may draw several villages of the same horizon in turn.
    """

    def __init__(self, start_year: int, num_years: int, purge_threshold: float):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.start_year, self.num_years, self.purge_threshold = start_year, num_years, purge_threshold
        self.figure = new_figure(DASHBOARD_SIZE_IN, DASHBOARD_DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        axes = self.figure.subplots(2, 2).ravel()
        self.axes = axes
        color = PALETTE[0]
        empty: list[float] = []
        self.harvest = axes[0].plot(empty, empty, color=color, label="true", **TRUE_STYLE)[0]
        self.reported = axes[0].plot(empty, empty, color=color, label="reported", **REPORTED_STYLE)[0]
        self.procured = axes[0].plot(empty, empty, color=PALETTE[1], label="procured", **TRUE_STYLE)[0]
        self.food = axes[1].plot(empty, empty, color=color, label="eaten", **TRUE_STYLE)[0]
        axes[1].axhline(SUBSISTENCE_KG_PER_PERSON_DAY, label=SUBSISTENCE_LABEL, **SUBSISTENCE_STYLE)
        self.deaths = axes[2].plot(empty, empty, color=color, label="deaths", **TRUE_STYLE)[0]
        axes[2].axhline(BASELINE_DEATHS_PER_1000_YEAR, label=BASELINE_DEATHS_LABEL, **BASELINE_STYLE)
        self.standing = axes[3].plot(empty, empty, color=color, label="standing", **TRUE_STYLE)[0]
        axes[3].axhline(purge_threshold, label="purge risk below", **SUBSISTENCE_STYLE)
        last_year = start_year + num_years - 1
        for ax, panel, unit in zip(axes, DASHBOARD_PANELS, DASHBOARD_UNITS, strict=True):
            ax.set_title(panel)
            year_axis(ax, start_year, last_year, unit)
            ax.legend(fontsize=8, loc="upper right")
        axes[1].set_ylim(0, 1.3)
        # Fixed axes keep a recorded video steady; 4000 per 1000 a year is everyone dying in one season.
        death_rate_axis(axes[2], top=4000.0)
        axes[3].set_ylim(0, 1.05)
        self.title = self.figure.suptitle("")
        # The layout depends on the titles and ticks, not on the data: solve it once, then keep it.
        self.canvas.draw()
        self.figure.set_layout_engine("none")
        # What changes from frame to frame is drawn over a saved background (blitting); the
        # background is redrawn only when the harvest panel's scale moves up a step.
        self.changing = (self.harvest, self.reported, self.procured, self.food, self.deaths, self.standing, self.title)
        for artist in self.changing:
            artist.set_animated(True)
        self.harvest_top = 0.0
        self.background: Any = None

    def frame(self, history: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """The dashboard of the episode recorded in ``history`` (reset info, then each season's)."""
        opening, seasons = history[0], list(history[1:])
        x = np.array([s["year"] + (s["season"] + 0.5) / SEASONS_PER_YEAR for s in seasons], dtype=np.float64)
        people = np.array([opening["population"], *(s["population"] for s in seasons)], dtype=np.float64)
        at_start = people[:-1]
        autumns = [i for i, s in enumerate(seasons) if s["season"] == AUTUMN]

        def per_person_at_harvest(key: str) -> np.ndarray:
            return _per_person(np.array([seasons[i][key] for i in autumns], dtype=np.float64), at_start[autumns])

        harvest = per_person_at_harvest("harvest_kg")
        reported = per_person_at_harvest("reported_kg")
        procured = per_person_at_harvest("procurement_kg")
        self.harvest.set_data(x[autumns], harvest)
        self.reported.set_data(x[autumns], reported)
        self.procured.set_data(x[autumns], procured)
        # The harvest panel alone scales with the data: from 0 to the largest value drawn, rounded
        # up to a step of HARVEST_STEP_KG.
        drawn = np.concatenate([harvest, reported, procured])
        drawn = drawn[np.isfinite(drawn)]
        top = HARVEST_STEP_KG * max(1.0, np.ceil(float(drawn.max()) * 1.05 / HARVEST_STEP_KG) if drawn.size else 1.0)
        if top != self.harvest_top:
            self.harvest_top = top
            self.axes[0].set_ylim(0, top)
            self.background = None
        self.food.set_data(x, [s["food_kg_per_person"] for s in seasons])
        deaths = np.array([s["deaths"] for s in seasons], dtype=np.float64) * 1000.0 * SEASONS_PER_YEAR
        self.deaths.set_data(x, _per_person(deaths, at_start))
        self.standing.set_data(np.r_[self.start_year, x], [opening["standing"], *(s["standing"] for s in seasons)])
        self.title.set_text(dashboard_title(history[-1], opening=not seasons))
        if self.background is None:
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self.background)
        for artist in self.changing:
            self.figure.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba())[..., :3].copy()

    def close(self) -> None:
        """Release the figure."""
        self.figure.clear()


def _per_person(values: np.ndarray, people: np.ndarray) -> np.ndarray:
    """``values / people``, NaN (not drawn) where no one is left."""
    return np.divide(values, people, out=np.full_like(values, np.nan), where=people > 0)


def dashboard_title(info: Mapping[str, Any], opening: bool) -> str:
    season = SEASONS[int(info["season"])].capitalize()
    when = f"Before {season} {int(info['year'])}" if opening else f"{season} {int(info['year'])}"
    status = "PURGED" if info["purged"] else f"standing {info['standing']:.2f}"
    return (
        f"{when}: village of {info['population']:,.0f}, store {info['store_kg'] / 1000:,.1f} t "
        f"(hidden {info['hidden_kg'] / 1000:,.1f} t), cadre {status}"
    )

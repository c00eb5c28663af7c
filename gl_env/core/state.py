"""What changes during an episode (:class:`State`) and what the cadre decides (:class:`Decision`).

Both are named tuples whose fields are floats (one village) or arrays of shape ``(B,)`` (a
batch); :func:`gl_env.core.dynamics.step` reads them and returns a new :class:`State`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from gl_env.core.constants import BASELINE_BIRTHS_PER_1000_YEAR, SEASONS_PER_YEAR
from gl_env.core.params import TIMELINE_NAMES, CoreParams

_PROCUREMENT_RATE = TIMELINE_NAMES.index("procurement_rate")


class State(NamedTuple):
    """One village's (or a batch's) situation at the start of a season.

    Units: kg of raw grain, persons, seasons; indices are 1 in a normal (1957) year.
    """

    t: Any  # season counter since the start (0 = spring of start_year)
    key: Any  # episode key of the counter-based random numbers (int / uint64)
    population: Any  # persons
    reserve: Any  # mean body reserve, share of the lethal reserve left (1 = well fed, 0 = exhausted)
    food_adequacy: Any  # last season's energy intake / need
    store_kg: Any  # collective granary
    hidden_kg: Any  # grain concealed from the state
    infra: Any  # irrigation and works index, multiplies yields (M2)
    tools: Any  # iron farm tools index (M3)
    animals: Any  # draft animal index (M6)
    crop_labor: Any  # season-weighted field-work adequacy of the growing crop so far
    sown_share: Any  # share of collective land sown this year (seed grain permitting)
    works_pending: Any  # infrastructure gain from this year's works, in use from next spring
    harvest_kg: Any  # last true harvest
    reported_kg: Any  # last reported harvest
    target_kg: Any  # harvest target for the current crop year (M9)
    procurement_kg: Any  # grain procured at the last harvest
    standing: Any  # cadre's political standing, 0-1 (M8)
    born_next: Any  # births due next season (conceived three seasons earlier)
    born_in_2: Any  # births due in two seasons
    born_in_3: Any  # births due in three seasons


class Decision(NamedTuple):
    """The cadre's choices for one season, in natural units.

    Labor shares are of the village's available labor-days and sum to 1.
    """

    labor_fields: Any  # share to collective fields
    labor_private: Any  # share to private plots (idle where plots are abolished)
    labor_works: Any  # share to water conservancy and other works
    labor_steel: Any  # share to backyard furnaces
    labor_rest: Any  # share resting
    mobilization: Any  # 0-1, share of the extra (women's) labor mobilised (M5)
    report_ratio: Any  # reported / true harvest, applied at the autumn harvest (M9)
    steel_report_ratio: Any  # reported / true steel
    ration_kg: Any  # grain ration, kg per person per day (M4)
    conceal_share: Any  # share of the collective store moved into hiding this season


def initial_state(p: CoreParams, key: Any) -> State:
    """The state at spring of ``start_year`` for episodes keyed ``key`` (int, or uint64 array)."""
    batch = isinstance(key, np.ndarray)
    if batch:
        n = key.shape[0]
        full = lambda v: np.full(n, v, dtype=np.float64)  # noqa: E731
        rate = p.timeline[:, 0, _PROCUREMENT_RATE]
        t = np.zeros(n, np.int64)
    else:
        full = float
        rate = p.timeline[0][_PROCUREMENT_RATE]
        t = 0
    normal = p.normal_harvest_kg
    conceived = p.population * BASELINE_BIRTHS_PER_1000_YEAR / 1000.0 / SEASONS_PER_YEAR
    return State(
        t=t,
        key=key,
        population=full(p.population),
        reserve=full(p.initial_reserve),
        food_adequacy=full(1.0),
        store_kg=full(p.initial_store_kg_per_person * p.population),
        hidden_kg=full(0.0),
        infra=full(1.0),
        tools=full(1.0),
        animals=full(1.0),
        crop_labor=full(0.0),
        sown_share=full(1.0),
        works_pending=full(0.0),
        harvest_kg=full(normal),
        reported_kg=full(normal),
        # 1957's target was met and honestly reported; spring sets 1958's target from it.
        target_kg=full(normal),
        procurement_kg=full(normal * rate),
        standing=full(p.initial_standing),
        born_next=full(conceived),
        born_in_2=full(conceived),
        born_in_3=full(conceived),
    )

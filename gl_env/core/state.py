"""What changes during an episode (:class:`State`) and what the cadre decides (:class:`Decision`).

The kernel keeps a batch's state as three arrays: the season counters ``t`` ``(N,)`` int64, the
episode keys ``key`` ``(N,)`` uint64, and the other fields, rows of one ``(len(STATE_FLOATS), N)``
float64 matrix (columns :class:`StateColumn`). :class:`State` is the named view of those arrays
(or of one village's numbers). Decisions are rows ``(N, 10)`` float64 (columns :class:`DecisionColumn`).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, NamedTuple


class State(NamedTuple):
    """One village's (or a batch's) situation at the start of a season.

    Units: kg of raw grain, persons, seasons; indices are 1 in a normal (1957) year.
    """

    t: Any  # season counter since the start (0 = spring of start_year)
    key: Any  # episode key of the counter-based random numbers (uint64)
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
    frailty: Any  # survivors' mean frailty (multiplies the hunger-related hazard; 1 = a normal village)
    postponed_conceptions: Any  # conceptions lost to hunger and mobilisation, not yet made up or given up
    emigrants_away: Any  # villagers who fled and have not come back (persons)
    excess_deaths_per_1000: Any  # last season's excess deaths per 1000 (what the state can see)
    land_quality: Any  # the village's land, multiplies every yield (drawn at reset; 1 = the scenario's)
    procurement_zeal: Any  # its province's zeal, multiplies the procurement rate (drawn at reset)


STATE_FLOATS: tuple[str, ...] = State._fields[2:]
StateColumn = IntEnum("StateColumn", STATE_FLOATS, start=0)
StateColumn.__doc__ = "Row of the kernel's float state matrix: a :class:`State` field other than ``t`` and ``key``."


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


# Upper ends of the ration and concealment decisions (the action space maps [-1, 1] onto [0, these]).
RATION_MAX_KG = 1.2
CONCEAL_MAX = 0.5

DecisionColumn = IntEnum("DecisionColumn", Decision._fields, start=0)
DecisionColumn.__doc__ = "Column of the kernel's ``(N, 10)`` decision rows: a :class:`Decision` field."

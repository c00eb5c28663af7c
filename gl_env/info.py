"""The ``info`` dict of every step: the ground truth, whatever the reward (floats, or arrays over a batch).

Keys (per season; kg of raw grain, persons):

- ``year``, ``season`` (0 spring .. 3 winter) of the season just played (at reset: of the first);
- ``coming_year``, ``coming_season``: the calendar of the season the next action applies to
  (after the episode's last season, the season after the horizon), for agents that follow the
  calendar whatever the episode's ``start_year`` and ``num_years``;
- ``harvest_kg``, ``reported_kg`` (autumn only, else 0), ``report_ratio`` (of the latest report),
  ``steel_kg``, ``reported_steel_kg``;
- ``procurement_kg`` (taken, confiscations included), ``procurement_due_kg``, ``confiscated_kg``,
  ``relief_kg``, ``concealed_kg``;
- grain-balance flows ``private_output_kg``, ``consumption_kg``, ``seed_kg``, ``waste_kg``,
  ``spoilage_kg``, ``store_start_kg``, ``hidden_start_kg``, ``store_kg``, ``hidden_kg`` (end);
- ``food_kg_per_person`` (eaten per person per day), ``kcal_per_person_day``, ``kcal_need_per_person_day``;
- ``deaths``, ``excess_deaths`` (above the 1957 rate), ``births``, ``population`` (end);
- ``standing`` (end), ``purge_probability``, ``purged``, ``audited``, ``searched`` (0/1);
- ``reward_components``: ``{term: {"value": v, "weighted": weight * v}}`` for each reward term.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gl_env.core.constants import DAYS_PER_SEASON, SEASONS_PER_YEAR
from gl_env.core.dynamics import Outcome
from gl_env.core.ops import ops_for
from gl_env.core.params import CoreParams
from gl_env.core.state import State
from gl_env.rewards import REWARD_TERMS

_TINY = 1e-12


def step_info(
    p: CoreParams, outcome: Outcome, state: State, terms: dict[str, Any], weights: dict[str, float]
) -> dict[str, Any]:
    """Info of a season that produced ``outcome`` and ended in ``state``."""
    ops = ops_for(state.population)
    person_days = ops.maximum(outcome.population_start, _TINY) * DAYS_PER_SEASON
    return {
        "year": p.start_year + (state.t - 1) // SEASONS_PER_YEAR,
        "season": outcome.season,
        "coming_year": p.start_year + state.t // SEASONS_PER_YEAR,
        "coming_season": state.t & 3,
        "harvest_kg": outcome.harvest_kg,
        "reported_kg": outcome.reported_kg,
        "report_ratio": state.reported_kg / ops.maximum(state.harvest_kg, _TINY),
        "steel_kg": outcome.steel_kg,
        "reported_steel_kg": outcome.reported_steel_kg,
        "procurement_kg": outcome.procurement_kg,
        "procurement_due_kg": outcome.procurement_due_kg,
        "confiscated_kg": outcome.confiscated_kg,
        "relief_kg": outcome.relief_kg,
        "concealed_kg": outcome.concealed_kg,
        "private_output_kg": outcome.private_output_kg,
        "consumption_kg": outcome.consumption_kg,
        "seed_kg": outcome.seed_kg,
        "waste_kg": outcome.waste_kg,
        "spoilage_kg": outcome.spoilage_kg,
        "store_start_kg": outcome.store_start_kg,
        "hidden_start_kg": outcome.hidden_start_kg,
        "store_kg": state.store_kg,
        "hidden_kg": state.hidden_kg,
        "food_kg_per_person": outcome.consumption_kg / person_days,
        "kcal_per_person_day": outcome.kcal_per_person_day,
        "kcal_need_per_person_day": outcome.kcal_need_per_person_day,
        "deaths": outcome.deaths,
        "excess_deaths": outcome.excess_deaths,
        "births": outcome.births,
        "population": state.population,
        "standing": state.standing,
        "purge_probability": outcome.purge_probability,
        "purged": outcome.purged,
        "audited": outcome.audited,
        "searched": outcome.searched,
        "reward_components": {
            term: {"value": terms[term], "weighted": weights[term] * terms[term]} for term in REWARD_TERMS
        },
    }


def reset_info(p: CoreParams, state: State) -> dict[str, Any]:
    """Info at reset: the same keys, with the state's stocks and no flows yet."""
    zero = state.population * 0.0
    outcome = Outcome(*([zero] * len(Outcome._fields)))._replace(
        season=state.t & 3,
        store_start_kg=state.store_kg,
        hidden_start_kg=state.hidden_kg,
        population_start=state.population,
    )
    info = step_info(p, outcome, state, dict.fromkeys(REWARD_TERMS, zero), dict.fromkeys(REWARD_TERMS, 0.0))
    info["year"] = p.start_year + state.t // SEASONS_PER_YEAR
    return info


def per_village(info: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """One info dict of Python numbers per village, from a batch's dict of ``(n,)`` arrays
    (nested dicts kept nested; the ``_key`` masks of a vector env's info left out)."""
    columns = {
        k: (per_village(v, n) if isinstance(v, dict) else np.broadcast_to(v, (n,)).tolist())
        for k, v in info.items()
        if not k.startswith("_")
    }
    return [{k: v[i] for k, v in columns.items()} for i in range(n)]

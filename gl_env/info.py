"""The ``info`` dict of every step: the ground truth, whatever the reward (floats, or arrays over a batch).

Keys (per season; kg of raw grain, persons):

- ``year``, ``season`` (0 spring .. 3 winter) of the season just played (at reset: of the first);
- ``coming_year``, ``coming_season``: the calendar of the season the next action applies to
  (after the episode's last season, the season after the horizon), for agents that follow the
  calendar whatever the episode's ``start_year`` and ``num_years``;
- ``harvest_kg``, ``reported_kg`` (autumn only, else 0), ``report_ratio`` (of the latest report),
  ``steel_kg``, ``reported_steel_kg``;
- ``procurement_kg`` (taken, confiscations included), ``procurement_due_kg``, ``confiscated_kg``,
  ``relief_kg`` (lean-season resales and relief for visible deaths), ``concealed_kg``;
- grain-balance flows ``private_output_kg``, ``consumption_kg``, ``seed_kg``, ``waste_kg``,
  ``spoilage_kg``, ``store_start_kg``, ``hidden_start_kg``, ``store_kg``, ``hidden_kg`` (end);
- ``food_kg_per_person`` (eaten per person per day), ``kcal_per_person_day``, ``kcal_need_per_person_day``;
- ``deaths``, ``excess_deaths`` (above the 1957 rate), ``births``, ``emigrants`` (left this season,
  alive elsewhere), ``returnees`` (came back), ``population`` (end: start - deaths + births -
  emigrants + returnees);
- ``standing`` (end), ``purge_probability``, ``purged``, ``audited``, ``searched`` (0/1);
- ``reward_components``: ``{term: {"value": v, "weighted": weight * v}}`` for each reward term.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

import numpy as np

from gl_env.core.views import RECORD_COLUMNS, REWARD_TERMS, RecordColumn

INFO_KEYS: tuple[str, ...] = (
    "year",
    "season",
    "coming_year",
    "coming_season",
    "harvest_kg",
    "reported_kg",
    "report_ratio",
    "steel_kg",
    "reported_steel_kg",
    "procurement_kg",
    "procurement_due_kg",
    "confiscated_kg",
    "relief_kg",
    "concealed_kg",
    "private_output_kg",
    "consumption_kg",
    "seed_kg",
    "waste_kg",
    "spoilage_kg",
    "store_start_kg",
    "hidden_start_kg",
    "store_kg",
    "hidden_kg",
    "food_kg_per_person",
    "kcal_per_person_day",
    "kcal_need_per_person_day",
    "deaths",
    "excess_deaths",
    "births",
    "emigrants",
    "returnees",
    "population",
    "standing",
    "purge_probability",
    "purged",
    "audited",
    "searched",
)
"""The flat keys of an info, in the documented order (``reward_components`` comes last)."""
assert set(INFO_KEYS) <= set(RECORD_COLUMNS)
_INTEGER_KEYS = ("year", "season", "coming_year", "coming_season")
_ROWS = [RecordColumn[key] for key in INFO_KEYS]
_TERM_ROWS = [(term, RecordColumn[term], RecordColumn[f"{term}_weighted"]) for term in REWARD_TERMS]
_PICK = itemgetter(*_ROWS)
assert REWARD_TERMS == ("welfare", "survival", "honesty")
_PICK_TERMS = itemgetter(*(row for _, value, weighted in _TERM_ROWS for row in (value, weighted)))


def batch_info(record: np.ndarray) -> dict[str, Any]:
    """The info of a batch from the kernel's record ``(N, len(RECORD_COLUMNS))``: ``(N,)`` arrays
    (views of the record's columns; ``year`` and ``season`` as int64)."""
    info: dict[str, Any] = {key: record[:, row] for key, row in zip(INFO_KEYS, _ROWS, strict=True)}
    for key in _INTEGER_KEYS:
        info[key] = info[key].astype(np.int64)
    info["reward_components"] = {
        term: {"value": record[:, value], "weighted": record[:, weighted]} for term, value, weighted in _TERM_ROWS
    }
    return info


def village_info(record: np.ndarray, i: int = 0) -> dict[str, Any]:
    """The info of village ``i`` as Python numbers (``year`` and ``season`` as ints)."""
    column = record[i].tolist()
    info = dict(zip(INFO_KEYS, _PICK(column), strict=True))
    for key in _INTEGER_KEYS:
        info[key] = int(info[key])
    w, w_weighted, s, s_weighted, h, h_weighted = _PICK_TERMS(column)
    info["reward_components"] = {
        "welfare": {"value": w, "weighted": w_weighted},
        "survival": {"value": s, "weighted": s_weighted},
        "honesty": {"value": h, "weighted": h_weighted},
    }
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

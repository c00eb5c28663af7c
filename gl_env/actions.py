"""The cadre's levers: continuous and discrete actions, and a helper that builds them from natural units.

Continuous action (``gl_env/GreatLeap-v1``): ``Box(-1, 1, (10,), float32)``.

=====  ======================  ==================================================================
index  name                    meaning (decoded value)
=====  ======================  ==================================================================
0      ``labor_fields``        weight of collective field work
1      ``labor_private``       weight of private-plot work (idle where plots are abolished)
2      ``labor_works``         weight of water conservancy and other works
3      ``labor_steel``         weight of backyard steel furnaces
4      ``labor_rest``          weight of rest
5      ``mobilization``        share of the extra (women's) labor mobilised, (a+1)/2 in [0, 1]
6      ``report_ratio``        reported / true harvest, (1+a/2)/(1-a/2) in [1/3, 3]; 0 -> honest
7      ``steel_report_ratio``  reported / true steel, same mapping
8      ``ration_kg``           grain ration, (a+1)/2 x 1.2 in [0, 1.2] kg/person/day
9      ``conceal_share``       share of the store hidden this season, (a+1)/2 x 0.5 in [0, 0.5]
=====  ======================  ==================================================================

Labor weights become shares of the village's labor-days: share_i = w_i / sum(w), with
w_i = (a_i + 1)/2 (all -1: an even split). The report ratio applies at the autumn
harvest; in other seasons it is ignored. Values outside [-1, 1] are clipped to it; NaN or
infinite values raise ``ValueError``.

Discrete action (``gl_env/GreatLeapDiscrete-v1``): ``Discrete(200)``, the product of a labor
plan (:data:`LABOR_PLANS`), a report ratio (:data:`REPORT_LEVELS`, steel reported alike), a
ration (:data:`RATION_LEVELS`) and a concealment level (:data:`CONCEAL_LEVELS`);
``index = ((plan * 5 + report) * 4 + ration) * 2 + conceal``.

Build either from named values with :func:`continuous_action` and :func:`discrete_action`;
scripted policies never need the indices above.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gl_env.core import kernel
from gl_env.core.state import CONCEAL_MAX, RATION_MAX_KG, Decision

# The action's components are the Decision's fields, decoded one to one.
ACTION_NAMES: tuple[str, ...] = Decision._fields
ACTION_SIZE = len(ACTION_NAMES)
LABOR_NAMES = ACTION_NAMES[:5]
REPORT_RATIO_MIN, REPORT_RATIO_MAX = 1.0 / 3.0, 3.0

# Named labor plans of the discrete action: shares (fields, private, works, steel, rest), mobilisation.
LABOR_PLANS: dict[str, tuple[tuple[float, float, float, float, float], float]] = {
    "farming": ((0.70, 0.10, 0.05, 0.00, 0.15), 0.0),
    "works": ((0.45, 0.05, 0.35, 0.00, 0.15), 0.5),
    "leap": ((0.40, 0.00, 0.25, 0.25, 0.10), 1.0),
    "steel": ((0.25, 0.00, 0.10, 0.55, 0.10), 1.0),
    "recovery": ((0.55, 0.25, 0.00, 0.00, 0.20), 0.0),
}
REPORT_LEVELS = (0.7, 1.0, 1.3, 1.7, 2.2)
RATION_LEVELS = (0.3, 0.45, 0.6, 0.75)
CONCEAL_LEVELS = (0.0, 0.15)
DISCRETE_SIZE = len(LABOR_PLANS) * len(REPORT_LEVELS) * len(RATION_LEVELS) * len(CONCEAL_LEVELS)

# A normal 1957 season: the defaults of the helpers.
NORMAL_SEASON: dict[str, float] = {
    "labor_fields": 0.70,
    "labor_private": 0.10,
    "labor_works": 0.05,
    "labor_steel": 0.0,
    "labor_rest": 0.15,
    "mobilization": 0.0,
    "report_ratio": 1.0,
    "steel_report_ratio": 1.0,
    "ration_kg": 0.55,
    "conceal_share": 0.0,
}


def decode_continuous(a: Any) -> Decision:
    """Decision from continuous actions: 10 numbers (a Decision of floats) or ``(B, 10)`` (of arrays).

    Decoded by the kernel (:func:`gl_env.core.kernel.decode_continuous`), as the envs decode them.
    """
    actions = np.ascontiguousarray(np.atleast_2d(np.asarray(a, dtype=np.float64)))
    decisions = np.empty((actions.shape[0], ACTION_SIZE))
    bad = kernel.decode_continuous(actions, decisions)
    if bad >= 0:
        raise ValueError(f"action component {bad} is not finite; actions must lie in [-1, 1]")
    return _decision(decisions, np.ndim(a) == 1)


def _decision(decisions: np.ndarray, one: bool) -> Decision:
    return Decision(*decisions[0].tolist()) if one else Decision(*decisions.T.copy())


def real_array(values: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """``values`` as an int or float array of ``shape``; anything else (another shape, a ragged
    list, strings, complex numbers, bools) raises, naming what came and what is expected."""
    try:
        array = np.asarray(values)
    except ValueError:
        raise ValueError(f"{name} {values!r} is ragged; expected an array of shape {shape}") from None
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be real numbers (ints or floats) of shape {shape}; got dtype {array.dtype}")
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {array.shape} (see gl_env.actions)")
    return array


def _discrete_table() -> np.ndarray:
    rows = []
    for shares, mobilization in LABOR_PLANS.values():
        for report in REPORT_LEVELS:
            for ration in RATION_LEVELS:
                for conceal in CONCEAL_LEVELS:
                    rows.append((*shares, mobilization, report, report, ration, conceal))
    return np.asarray(rows, dtype=np.float64)


DISCRETE_TABLE: np.ndarray = _discrete_table()
"""Natural-unit decision of each discrete action, ``(200, 10)``, columns as :data:`ACTION_NAMES`."""


def decode_discrete(index: Any) -> Decision:
    """Decision from discrete actions: an int (a Decision of floats) or an int array ``(B,)`` (of arrays)."""
    indices = np.atleast_1d(np.asarray(index, dtype=np.int64))
    decisions = np.empty((indices.shape[0], ACTION_SIZE))
    bad = kernel.decode_discrete(indices, DISCRETE_TABLE, decisions)
    if bad >= 0:
        raise ValueError(f"action {int(indices[bad])} is not in Discrete({DISCRETE_SIZE})")
    return _decision(decisions, np.ndim(index) == 0)


def _as_array(name: str, value: Any, low: float, high: float) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(array)) or np.any(array < low) or np.any(array > high):
        raise ValueError(f"{name}={value!r} is out of range; allowed [{low:g}, {high:g}]")
    return array


def continuous_action(**values: Any) -> np.ndarray:
    """A ``GreatLeap-v1`` action from named natural-unit values.

    Keywords are :data:`ACTION_NAMES`; missing ones take :data:`NORMAL_SEASON`'s value.
    Labor shares need not sum to 1 (they are normalised) but must be >= 0 with a positive
    sum. Each value may be a number (returns shape ``(10,)``) or an array ``(B,)`` (returns
    ``(B, 10)``). Example: ``continuous_action(report_ratio=1.5, labor_fields=0.6,
    labor_steel=0.25, labor_rest=0.05, labor_private=0.0, labor_works=0.1, ration_kg=0.4)``.

    Round trip: decoding the result gives the requested values up to float32 rounding.
    """
    unknown = sorted(set(values) - set(ACTION_NAMES))
    if unknown:
        raise TypeError(f"unknown action value(s) {', '.join(unknown)}; allowed: {', '.join(ACTION_NAMES)}")
    v = {**NORMAL_SEASON, **values}
    labor = np.broadcast_arrays(*(_as_array(n, v[n], 0.0, np.inf) for n in LABOR_NAMES))
    largest = np.maximum.reduce(labor)
    if np.any(largest <= 0.0):
        raise ValueError("labor shares must have a positive sum; got all zero")
    # Scale so the largest weight is the top of the range: w = share / largest.
    columns = [2.0 * share / largest - 1.0 for share in labor]
    columns.append(2.0 * _as_array("mobilization", v["mobilization"], 0.0, 1.0) - 1.0)
    for name in ("report_ratio", "steel_report_ratio"):
        ratio = _as_array(name, v[name], REPORT_RATIO_MIN, REPORT_RATIO_MAX)
        columns.append(2.0 * (ratio - 1.0) / (ratio + 1.0))
    columns.append(2.0 * _as_array("ration_kg", v["ration_kg"], 0.0, RATION_MAX_KG) / RATION_MAX_KG - 1.0)
    columns.append(2.0 * _as_array("conceal_share", v["conceal_share"], 0.0, CONCEAL_MAX) / CONCEAL_MAX - 1.0)
    # Component by component into a (10, B) block, then one transposing cast: the same numbers as
    # stacking the broadcast columns, 1.3 against 6.1 ms at 10^5 villages.
    shape = np.broadcast_shapes(*(np.shape(column) for column in columns))
    action = np.empty((len(columns), *shape))
    for j, column in enumerate(columns):
        action[j] = column
    np.clip(action, -1.0, 1.0, out=action)
    return np.moveaxis(action, 0, -1).astype(np.float32, order="C")


def discrete_action(
    labor_plan: Any = "farming", report_ratio: Any = 1.0, ration_kg: Any = 0.6, conceal_share: Any = 0.0
) -> Any:
    """A ``GreatLeapDiscrete-v1`` action from named levels (an int, or an int array if any input is one).

    ``labor_plan`` is a key of :data:`LABOR_PLANS`; the others must be one of
    :data:`REPORT_LEVELS`, :data:`RATION_LEVELS`, :data:`CONCEAL_LEVELS`.
    """
    plan_names = list(LABOR_PLANS)

    def level(name: str, value: Any, levels: Any) -> np.ndarray:
        index = {v: i for i, v in enumerate(levels)}
        try:
            return np.vectorize(index.__getitem__, otypes=[np.int64])(value)
        except KeyError:
            raise ValueError(f"{name}={value!r} is not a level; allowed: {', '.join(map(str, levels))}") from None

    plan = level("labor_plan", labor_plan, plan_names)
    report = level("report_ratio", report_ratio, REPORT_LEVELS)
    ration = level("ration_kg", ration_kg, RATION_LEVELS)
    conceal = level("conceal_share", conceal_share, CONCEAL_LEVELS)
    index = ((plan * len(REPORT_LEVELS) + report) * len(RATION_LEVELS) + ration) * len(CONCEAL_LEVELS) + conceal
    return int(index) if index.ndim == 0 else index

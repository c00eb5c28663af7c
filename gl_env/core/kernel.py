"""The compiled batch loops: decode actions, reset villages, step a season; the envs' only way in.

Every loop runs one village at a time through the per-village code of
:mod:`gl_env.core.dynamics` and :mod:`gl_env.core.views` and writes into arrays the caller
allocated: the state ``(t, key, floats)``, the observations ``(N, 45)`` float32 and the
records ``(N, len(RECORD_COLUMNS))`` float64 (outcome, info fields, reward terms). Every array
holds one row per village, so that a village's numbers lie together in memory, except the
record, which the envs lay out by columns (Fortran order: its columns are the infos' arrays,
handed out without a copy; a village's fields are then written with a stride). The params'
arrays (``values``, ``timeline``, ``horizon``, ``start_year``, ``soviet_season``) hold one row
per distinct world; village ``i`` reads row ``param_row[i]`` (a sweep's villages share their
cell's row, so that it stays in cache; randomised villages each own one).

A season runs in two passes over the villages: up to the report
(:func:`~gl_env.core.dynamics.until_report`, into a ``midseason`` scratch), then from the
procurement on (:func:`~gl_env.core.dynamics.from_procurement`). Between them is the seam for
coupling villages: a county's procurement and review read a reduction over its villages'
reports, computed there (:func:`~gl_env.core.county.county_review`).

Each loop exists serial and parallel (numba ``prange``, threads over villages). A village's
numbers depend on its own inputs only, so both give the same bits on any thread count.
Compiled with ``cache=True``: the first use compiles (seconds) and caches on disk; later
processes load the cache. ``NUMBA_DISABLE_JIT=1`` runs the same functions as plain Python,
the readable reference the tests compare against.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import numpy as np
from numba import config, njit, prange
from numba.core import cgutils
from numba.core.extending import intrinsic
from numba.core.registry import CPUDispatcher

from gl_env.core.constants import BASELINE_BIRTHS_PER_1000_YEAR, SEASONS_PER_YEAR
from gl_env.core.county import county_review
from gl_env.core.dynamics import from_procurement, until_report, village_normal_kg, write_midseason
from gl_env.core.params import Climate, Value
from gl_env.core.random import NEXT_EPISODE_STREAM, PLACE_STREAM, splitmix64, uniforms
from gl_env.core.state import CONCEAL_MAX, RATION_MAX_KG
from gl_env.core.state import DecisionColumn as D
from gl_env.core.state import StateColumn as S
from gl_env.core.views import info_fields, observe_village, opening_record, reward_terms

_jit = njit(cache=True, fastmath=False)
_inline = njit(cache=True, fastmath=False, inline="always")
_parallel = njit(cache=True, fastmath=False, parallel=True)
_PROCUREMENT_RATE = int(Climate.procurement_rate)
_PLACE_STREAM = PLACE_STREAM
_SQRT3 = 3.0**0.5  # a uniform on [-sqrt(3), sqrt(3)] has s.d. 1


def _borrowed_view(typingctx, array):
    """The array itself, without its reference count: a view numba does not count.

    Every row view the per-village code takes (``floats[i]``, ``values[row]``, ...) would
    otherwise increment and decrement the batch array's reference count, an atomic operation,
    a few dozen times a village: measured, more than half of the serial loop's time. The batch
    arrays outlive the call (the caller holds them), so the counts are not needed. (numba's
    parallel loops do the same to the arrays they receive, which is why ``prange`` on one thread
    was three times faster than the serial loop.)
    """

    def codegen(context, builder, signature, args):
        view = context.make_array(signature.args[0])(context, builder, value=args[0])
        view.meminfo = cgutils.get_null_value(view.meminfo.type)
        view.parent = cgutils.get_null_value(view.parent.type)
        return view._getvalue()

    return array(array), codegen


# Plain Python (NUMBA_DISABLE_JIT, the reference) has no reference counts to skip.
_borrowed = (lambda array: array) if config.DISABLE_JIT else intrinsic(_borrowed_view)


@_jit
def _unit(v: float) -> float:
    """An action component as float64, held inside [-1, 1] (the documented clipping)."""
    x = np.float64(v)
    return -1.0 if x < -1.0 else (1.0 if x > 1.0 else x)


# --- actions -------------------------------------------------------------------------------------
@_jit
def decode_continuous(actions: np.ndarray, out: np.ndarray) -> int:
    """Decisions ``out`` ``(N, 10)`` from continuous actions ``(N, 10)`` (see :mod:`gl_env.actions`).

    Components outside [-1, 1] are clipped to it. Returns -1, or the flat index of the first
    non-finite component (then ``out`` is not written).
    """
    # The loop takes row views of both: uncounted (see _borrowed_view).
    actions, out = _borrowed(actions), _borrowed(out)
    n = actions.shape[0]
    for i in range(n):
        for j in range(actions.shape[1]):
            if not np.isfinite(actions[i, j]):
                return i * actions.shape[1] + j
    for i in range(n):
        a = actions[i]
        # Clipped to [-1, 1], then each labor weight (a + 1)/2 in [0, 1].
        c0, c1, c2, c3, c4 = _unit(a[0]), _unit(a[1]), _unit(a[2]), _unit(a[3]), _unit(a[4])
        w0, w1, w2, w3, w4 = (c0 + 1.0) * 0.5, (c1 + 1.0) * 0.5, (c2 + 1.0) * 0.5, (c3 + 1.0) * 0.5, (c4 + 1.0) * 0.5
        total = w0 + w1 + w2 + w3 + w4
        # All weights zero (every labor component at -1): an even split rather than 0/0.
        zero = 1.0 if total <= 0.0 else 0.0
        even = zero * 0.2
        total = total + zero * 1.0
        report, steel_report = _unit(a[6]) * 0.5, _unit(a[7]) * 0.5
        d = out[i]
        d[D.labor_fields] = w0 / total + even
        d[D.labor_private] = w1 / total + even
        d[D.labor_works] = w2 / total + even
        d[D.labor_steel] = w3 / total + even
        d[D.labor_rest] = w4 / total + even
        d[D.mobilization] = (_unit(a[5]) + 1.0) * 0.5
        d[D.report_ratio] = (1.0 + report) / (1.0 - report)
        d[D.steel_report_ratio] = (1.0 + steel_report) / (1.0 - steel_report)
        d[D.ration_kg] = (_unit(a[8]) + 1.0) * (0.5 * RATION_MAX_KG)
        d[D.conceal_share] = (_unit(a[9]) + 1.0) * (0.5 * CONCEAL_MAX)
    return -1


@_jit
def decode_discrete(index: np.ndarray, table: np.ndarray, out: np.ndarray) -> int:
    """Decisions ``out`` ``(N, 10)``: rows ``index`` of ``table``. Returns -1, or the position of the
    first index outside the table (then ``out`` is not written)."""
    table, out = _borrowed(table), _borrowed(out)
    for i in range(index.shape[0]):
        if index[i] < 0 or index[i] >= table.shape[0]:
            return i
    for i in range(index.shape[0]):
        out[i, :] = table[index[i]]
    return -1


# --- reset -----------------------------------------------------------------------------------------
@_inline
def _reset_village(
    i, key, base_values, base_timeline, rz_column, rz_in_timeline, rz_low, rz_high, rz_multiplier, rz_uniform,
    values, timeline, horizon, start_year, soviet_season, param_row, t_out, key_out, floats_out, obs, record, low, high,
):  # fmt: skip
    """Start village ``i``'s episode keyed ``key``: its randomised params (drawn into its own row
    of ``values``/``timeline`` from the shared ``base_*``), opening state, observation and record."""
    row = param_row[i]
    if rz_column.shape[0] > 0:
        base = i if base_values.shape[0] > 1 else 0
        values[row, :] = base_values[base]
        timeline[row, :, :] = base_timeline[base]
        for j in range(rz_column.shape[0]):
            u = uniforms(key, rz_multiplier[j])[rz_uniform[j]]
            value = rz_low[j] + u * (rz_high[j] - rz_low[j])
            if rz_in_timeline[j]:
                timeline[row, :, rz_column[j]] = value
            else:
                values[row, rz_column[j]] = value
    p = values[row]
    s = floats_out[i]
    # The village's own land and its province's zeal, drawn around the params' (uniform, s.d. or
    # half-width as given; a spread of 0 keeps the params' value exactly).
    u = uniforms(key, _PLACE_STREAM)
    s[S.land_quality] = p[Value.land_quality] * (1.0 + p[Value.land_quality_sd] * _SQRT3 * (2.0 * u[0] - 1.0))
    s[S.procurement_zeal] = p[Value.procurement_zeal] * (1.0 + p[Value.procurement_zeal_spread] * (2.0 * u[1] - 1.0))
    normal = village_normal_kg(p, s)
    conceived = p[Value.population] * BASELINE_BIRTHS_PER_1000_YEAR / 1000.0 / SEASONS_PER_YEAR
    s[S.population] = p[Value.population]
    s[S.reserve] = p[Value.initial_reserve]
    s[S.food_adequacy] = 1.0
    s[S.store_kg] = p[Value.initial_store_kg_per_person] * p[Value.population]
    s[S.hidden_kg] = 0.0
    s[S.infra] = 1.0
    s[S.tools] = 1.0
    s[S.animals] = 1.0
    s[S.crop_labor] = 0.0
    s[S.sown_share] = 1.0
    s[S.works_pending] = 0.0
    s[S.harvest_kg] = normal
    s[S.reported_kg] = normal
    # 1957's target was met and honestly reported; spring sets 1958's target from it.
    s[S.target_kg] = normal
    s[S.procurement_kg] = normal * timeline[row, 0, _PROCUREMENT_RATE] * s[S.procurement_zeal]
    s[S.standing] = p[Value.initial_standing]
    s[S.born_next] = conceived
    s[S.born_in_2] = conceived
    s[S.born_in_3] = conceived
    s[S.frailty] = 1.0
    s[S.postponed_conceptions] = 0.0
    s[S.emigrants_away] = 0.0
    s[S.excess_deaths_per_1000] = 0.0
    t_out[i] = 0
    key_out[i] = key
    observe_village(p, timeline[row], horizon[row], soviet_season[row], 0, s, low, high, obs[i])
    opening_record(start_year[row], s, record[i])


@_jit
def reset(
    index, keys, base_values, base_timeline, rz_column, rz_in_timeline, rz_low, rz_high, rz_multiplier, rz_uniform,
    values, timeline, horizon, start_year, soviet_season, param_row, t_out, key_out, floats_out, obs, record, low, high,
):  # fmt: skip
    """Start new episodes, keyed ``keys``, in villages ``index``; the other columns are left alone."""
    # The loop takes row views of these: uncounted (see _borrowed_view).
    base_values, base_timeline, values, timeline = (
        _borrowed(base_values),
        _borrowed(base_timeline),
        _borrowed(values),
        _borrowed(timeline),
    )
    floats_out, obs, record = _borrowed(floats_out), _borrowed(obs), _borrowed(record)
    for n in range(index.shape[0]):
        _reset_village(
            index[n], keys[n], base_values, base_timeline, rz_column, rz_in_timeline, rz_low, rz_high, rz_multiplier,
            rz_uniform, values, timeline, horizon, start_year, soviet_season, param_row, t_out, key_out, floats_out,
            obs, record, low, high,
        )  # fmt: skip


# --- step ------------------------------------------------------------------------------------------
@_inline
def _first_half(i, values, timeline, param_row, t, key, floats, decisions, restart, midseason):
    if restart[i]:
        return
    row = param_row[i]
    # Past its horizon a village is held at its last season's climate (as its observation is),
    # never read beyond the timeline.
    season = min(t[i], timeline.shape[1] - 1)
    midseason_values = until_report(values[row], timeline[row, season], floats[i], decisions[i], t[i], key[i])
    write_midseason(midseason[i], midseason_values)


@_inline
def _second_half(
    i, base_values, base_timeline, rz_column, rz_in_timeline, rz_low, rz_high, rz_multiplier, rz_uniform,
    values, timeline, horizon, start_year, soviet_season, param_row, t, key, floats, decisions, restart, weights,
    midseason, t_out, key_out, floats_out, obs, record, low, high,
):  # fmt: skip
    if restart[i]:
        # Next-step autoreset: the village starts its next episode instead of playing a season.
        _reset_village(
            i, splitmix64(key[i], NEXT_EPISODE_STREAM), base_values, base_timeline, rz_column, rz_in_timeline, rz_low,
            rz_high, rz_multiplier, rz_uniform, values, timeline, horizon, start_year, soviet_season, param_row, t_out,
            key_out, floats_out, obs, record, low, high,
        )  # fmt: skip
        return
    row = param_row[i]
    p = values[row]
    new, r = floats_out[i], record[i]
    season = min(t[i], timeline.shape[1] - 1)
    from_procurement(
        p, timeline[row, season], floats[i], decisions[i], t[i], key[i], soviet_season[row], midseason[i], new, r
    )
    t_out[i] = t[i] + 1
    key_out[i] = key[i]
    info_fields(start_year[row], t[i] + 1, new, r)
    reward_terms(decisions[i], r, weights)
    observe_village(p, timeline[row], horizon[row], soviet_season[row], t[i] + 1, new, low, high, obs[i])


@_jit
def step(
    base_values, base_timeline, rz_column, rz_in_timeline, rz_low, rz_high, rz_multiplier, rz_uniform,
    values, timeline, horizon, start_year, soviet_season, param_row, t, key, floats, decisions, restart, weights,
    midseason, t_out, key_out, floats_out, obs, record, low, high, county_start, coupling,
):  # fmt: skip
    """One season of every village (or, where ``restart``, its next episode's opening), in two passes.

    Reads the state ``(t, key, floats)`` and ``decisions``; writes the new state
    ``(t_out, key_out, floats_out)``, ``obs`` and ``record``. ``midseason`` is scratch.
    Between the passes each county (``county_start``, ``coupling``: see :mod:`gl_env.core.county`;
    none where ``county_start`` is empty) reviews its villages' reports.
    """
    # Every array the loops pass on or view, uncounted (see _borrowed_view).
    base_values, base_timeline, values, timeline = (
        _borrowed(base_values),
        _borrowed(base_timeline),
        _borrowed(values),
        _borrowed(timeline),
    )
    rz_column, rz_in_timeline, rz_low, rz_high = (
        _borrowed(rz_column),
        _borrowed(rz_in_timeline),
        _borrowed(rz_low),
        _borrowed(rz_high),
    )
    rz_multiplier, rz_uniform, horizon, start_year = (
        _borrowed(rz_multiplier),
        _borrowed(rz_uniform),
        _borrowed(horizon),
        _borrowed(start_year),
    )
    soviet_season, param_row = _borrowed(soviet_season), _borrowed(param_row)
    t, key, floats = _borrowed(t), _borrowed(key), _borrowed(floats)
    decisions, restart, weights = _borrowed(decisions), _borrowed(restart), _borrowed(weights)
    midseason, t_out, key_out = _borrowed(midseason), _borrowed(t_out), _borrowed(key_out)
    floats_out, obs, record, low, high = (
        _borrowed(floats_out),
        _borrowed(obs),
        _borrowed(record),
        _borrowed(low),
        _borrowed(high),
    )
    n = t.shape[0]
    for i in range(n):
        _first_half(i, values, timeline, param_row, t, key, floats, decisions, restart, midseason)
    county_review(
        county_start, coupling, values, timeline, soviet_season, param_row, t, key, floats, decisions, restart,
        midseason,
    )
    for i in range(n):
        _second_half(
            i, base_values, base_timeline, rz_column, rz_in_timeline, rz_low, rz_high, rz_multiplier, rz_uniform,
            values, timeline, horizon, start_year, soviet_season, param_row, t, key, floats, decisions, restart,
            weights, midseason, t_out, key_out, floats_out, obs, record, low, high,
        )  # fmt: skip


@_parallel
def step_parallel(
    base_values, base_timeline, rz_column, rz_in_timeline, rz_low, rz_high, rz_multiplier, rz_uniform,
    values, timeline, horizon, start_year, soviet_season, param_row, t, key, floats, decisions, restart, weights,
    midseason, t_out, key_out, floats_out, obs, record, low, high, county_start, coupling,
):  # fmt: skip
    """:func:`step` with each pass's villages spread over threads (``prange``); the same bits."""
    n = t.shape[0]
    # (The prange index is unsigned; the row arithmetic wants it signed.)
    for i in prange(n):
        _first_half(np.int64(i), values, timeline, param_row, t, key, floats, decisions, restart, midseason)
    # (Serial: a county's villages are few, and counties are many only in big batches.)
    county_review(
        county_start, coupling, values, timeline, soviet_season, param_row, t, key, floats, decisions, restart,
        midseason,
    )
    for i in prange(n):
        _second_half(
            np.int64(i), base_values, base_timeline, rz_column, rz_in_timeline, rz_low, rz_high, rz_multiplier,
            rz_uniform,
            values, timeline, horizon, start_year, soviet_season, param_row, t, key, floats, decisions, restart,
            weights, midseason, t_out, key_out, floats_out, obs, record, low, high,
        )  # fmt: skip


# --- the disk cache --------------------------------------------------------------------------------
def _guard_cache() -> None:
    """Drop numba's cached machine code when any core module's source changed.

    numba checks only the source file of each cached function, while the kernel's functions
    bake in other modules' values (the constants, the column orders of the params, the state
    and the record): a changed constant must not leave a stale compiled kernel. The cache is
    dropped when the fingerprint of every core module's source differs from the one stored
    beside it.
    """
    from gl_env.core import constants, county, dynamics, params, random, state, views

    modules = (constants, county, dynamics, kernel_module, params, random, state, views)
    text = "".join(Path(m.__file__).read_text() for m in modules)
    fingerprint = hashlib.sha256(text.encode()).hexdigest()
    dispatchers = [
        f for m in modules for f in vars(m).values() if isinstance(f, CPUDispatcher) and f._cache is not None
    ]
    if not dispatchers:  # NUMBA_DISABLE_JIT: nothing compiled, nothing cached
        return
    stamp = Path(dispatchers[0]._cache._cache_path) / "gl_env_core.fingerprint"
    try:
        if stamp.read_text() == fingerprint:
            return
    except OSError:
        pass
    for dispatcher in dispatchers:
        dispatcher._cache.flush()
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        tmp = stamp.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(fingerprint)
        tmp.replace(stamp)
    except OSError:  # a read-only cache location: numba then compiles in memory
        pass


kernel_module = sys.modules[__name__]
_guard_cache()

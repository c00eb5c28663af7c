"""N villages in the kernel's arrays: the small interface through which the envs run the core.

A single environment is a batch of one. Every step writes into arrays nobody else holds (state,
observations, records: new ones, or ones handed out before that every holder has since let
go, see :class:`_Recycled`), so arrays a caller holds are never changed by later steps; a
partial reset copies before writing, unless told the arrays are its own (``in_place``).

The record is laid out by columns (Fortran order): each field's values over the villages lie
together, so that an info array is a view of one column rather than a copy gathered across
rows (the kernel writes each village's fields with a stride instead; measured faster, see the
README's Performance section).
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Mapping, Sequence

import numpy as np

from gl_env.core import kernel
from gl_env.core.county import COUPLING_NAMES
from gl_env.core.dynamics import Midseason, Outcome
from gl_env.core.params import CoreParams, Params, distinct_params, randomize_table
from gl_env.core.state import STATE_FLOATS, Decision, State
from gl_env.core.views import OBSERVATION_COLUMNS, RECORD_COLUMNS, REWARD_TERMS, RecordColumn


class Villages:
    """``num_villages`` villages of ``params`` (one entry shared by all, or one per village).

    ``weights``: the reward weights by term (:data:`~gl_env.core.views.REWARD_TERMS`).
    ``obs_low``/``obs_high``: the observation bounds (``(45,)``, in
    :data:`~gl_env.core.views.OBSERVATION_COLUMNS` order). ``parallel``: run the kernel's
    threaded loop (numba ``prange``) instead of the serial one; the results are the same bits.
    Off by default: on the 2-core machine of the README's Performance section threads paid for
    thousands of villages (1.0-1.7x at 4,096-65,536; the sweep runs them), not for one, and they
    take cores a caller may be using (``benchmarks/throughput.py``, ``threads`` and ``kernel``
    sections). ``private_state``: the
    caller never hands ``t``, ``key``, ``floats`` or ``record`` out (the single env copies them
    into Python numbers), so a step may write into a spare set of them instead of fresh ones.
    ``county``: each village's county index (non-decreasing, from 0: a county is a run of
    consecutive villages), with ``coupling`` its rules, ``(1 or counties, len(COUPLING_NAMES))``
    (:mod:`gl_env.core.county`); None: every village alone.

    After :meth:`reset` or :meth:`step`: ``t``, ``key``, ``floats`` ``(N, len(STATE_FLOATS))``
    (the state), ``obs`` ``(N, 45)`` float32 and ``record`` ``(N, len(RECORD_COLUMNS))`` float64,
    laid out by columns (its columns contiguous).
    """

    def __init__(
        self,
        params: Sequence[Params],
        num_villages: int,
        weights: Mapping[str, float],
        obs_low: np.ndarray,
        obs_high: np.ndarray,
        parallel: bool = False,
        private_state: bool = False,
        county: np.ndarray | None = None,
        coupling: np.ndarray | None = None,
    ):
        if len(obs_low) != len(OBSERVATION_COLUMNS) or len(obs_high) != len(OBSERVATION_COLUMNS):
            raise ValueError(f"observation bounds must have {len(OBSERVATION_COLUMNS)} entries")
        self.size = int(num_villages)
        self._use_params(params)
        self.weights = np.asarray([float(weights[term]) for term in REWARD_TERMS], dtype=np.float64)
        self.low = np.ascontiguousarray(obs_low, dtype=np.float64)
        self.high = np.ascontiguousarray(obs_high, dtype=np.float64)
        self.parallel = bool(parallel)
        self._step = kernel.step_parallel if self.parallel else kernel.step
        self.county_start, self.coupling = _counties(county, coupling, self.size)
        self._midseason = np.empty((self.size, len(Midseason._fields)))
        self._decisions = np.empty((self.size, len(Decision._fields)))
        self._no_restart = np.zeros(self.size, dtype=np.bool_)
        self.private_state = bool(private_state)
        self._spare: tuple[np.ndarray, ...] | None = None
        self._args: tuple[np.ndarray, ...] | None = None
        self._args_table: CoreParams | None = None
        self._fresh = {
            "t": _Recycled((self.size,), np.int64),
            "key": _Recycled((self.size,), np.uint64),
            "floats": _Recycled((self.size, len(STATE_FLOATS)), np.float64),
            "obs": _Recycled((self.size, len(OBSERVATION_COLUMNS)), np.float32),
            # The record by columns: the owner of its memory is (columns, villages).
            "record": _Recycled((len(RECORD_COLUMNS), self.size), np.float64),
        }
        self.t: np.ndarray | None = None
        self.key = np.zeros(self.size, dtype=np.uint64)
        self.floats = np.zeros((self.size, len(STATE_FLOATS)))
        self.obs = np.zeros((self.size, len(OBSERVATION_COLUMNS)), dtype=np.float32)
        self.record = np.zeros((len(RECORD_COLUMNS), self.size)).T

    def _use_params(self, params: Sequence[Params]) -> None:
        """Compile ``params``: :attr:`base` and :attr:`core` (one row, or one per village) and the
        kernel's table of them, each distinct world once with ``param_row`` pointing to it (a
        sweep's thousands of villages read a few cached rows instead of a copy each)."""
        table, row = distinct_params(params)
        if len(row) not in (1, self.size):
            raise ValueError(f"params has {len(row)} rows; expected 1 or {self.size}")
        self.base = table.take(row)
        self.randomize = randomize_table(table)
        if table.randomize:
            # Randomised fields are drawn per village into its own row, which the kernel writes.
            self.core = self._table = self._own_rows(self.base)
            self._param_row = np.arange(self.size)
        else:
            self.core, self._table = self.base, table
            self._param_row = np.zeros(self.size, dtype=np.int64) if len(row) == 1 else row

    def _own_rows(self, core: CoreParams) -> CoreParams:
        """A copy of ``core`` with a row of its own for every village."""
        return core.take(np.zeros(self.size, dtype=np.int64) if core.size == 1 else np.arange(self.size))

    def set_params(self, params: Sequence[Params]) -> None:
        """Play on under ``params`` (one shared, or one per village) from the next step; the state is kept.

        A new compiled batch replaces the old one (arrays handed out earlier are never written over).
        Randomised params are refused: they are drawn at a reset, and this is not one.
        """
        if any(p.randomize for p in params):
            raise ValueError("randomised params are drawn at a reset; set_params takes fixed ones")
        self._use_params(params)

    # --- the kernel's arguments ------------------------------------------------------------------
    def _params_args(self) -> tuple[np.ndarray, ...]:
        """The params' arrays, in the kernel's order (the same objects for the batch's life: the
        randomised rows are redrawn in place)."""
        if self._args is not None and self._args_table is self._table:
            return self._args
        b, z, c = self.base, self.randomize, self._table
        self._args_table = c
        self._args = (
            b.values, b.timeline, z.column, z.in_timeline, z.low, z.high, z.multiplier, z.uniform,
            c.values, c.timeline, c.horizon, c.start_year, c.soviet_season, self._param_row,
        )  # fmt: skip
        return self._args

    # --- reset and step ----------------------------------------------------------------------------
    def reset(self, keys: np.ndarray, index: np.ndarray | None = None, in_place: bool = False) -> None:
        """Start episodes keyed ``keys`` (uint64) in villages ``index`` (all when None).

        A partial reset writes into copies of the current arrays (unless ``in_place``).
        """
        if index is None:
            index = np.arange(self.size)
            self._new_arrays()
            self.obs = self._fresh["obs"].take()
        elif not in_place:
            self.t, self.key, self.floats = self.t.copy(), self.key.copy(), self.floats.copy()
            self.obs, self.record = self.obs.copy(), self.record.copy(order="F")
        kernel.reset(
            np.asarray(index, dtype=np.int64),
            np.asarray(keys, dtype=np.uint64),
            *self._params_args(),
            self.t,
            self.key,
            self.floats,
            self.obs,
            self.record,
            self.low,
            self.high,
        )

    def decide_continuous(self, actions: np.ndarray) -> int:
        """Decide from continuous actions ``(N, 10)`` float64 for the next :meth:`step`.

        Returns -1, or the flat index of the first non-finite component (nothing decided).
        """
        return kernel.decode_continuous(actions, self._decisions)

    def decide_discrete(self, index: np.ndarray, table: np.ndarray) -> int:
        """Decide from discrete actions ``(N,)`` int64 (rows of ``table``) for the next :meth:`step`.

        Returns -1, or the position of the first action outside the table (nothing decided).
        """
        return kernel.decode_discrete(index, table, self._decisions)

    @property
    def decisions(self) -> np.ndarray:
        """The decisions of the next step, ``(N, 10)`` (columns :class:`~gl_env.core.state.DecisionColumn`)."""
        return self._decisions

    def step(self, restart: np.ndarray | None = None) -> None:
        """Play one season in every village on :attr:`decisions`, except in those ``restart`` marks,
        which start their next episode instead."""
        t, key, floats = self.t, self.key, self.floats
        if self.private_state and self._spare is not None:
            self.t, self.key, self.floats = self._spare
        else:
            self._new_arrays()
        if self.private_state:
            self._spare = (t, key, floats)
        self.obs = self._fresh["obs"].take()
        self._step(
            *self._params_args(),
            t,
            key,
            floats,
            self._decisions,
            self._no_restart if restart is None else restart,
            self.weights,
            self._midseason,
            self.t,
            self.key,
            self.floats,
            self.obs,
            self.record,
            self.low,
            self.high,
            self.county_start,
            self.coupling,
        )

    def _new_arrays(self) -> None:
        """Fresh (or recycled: nobody else holds them) state and record arrays for the next write."""
        fresh = self._fresh
        self.t, self.key, self.floats = fresh["t"].take(), fresh["key"].take(), fresh["floats"].take()
        self.record = fresh["record"].take().T

    def foresee(self, actions: np.ndarray, **values: float) -> tuple[State, Outcome]:
        """What one season would bring from the current state on continuous ``actions`` ``(N, 10)``,
        with the numeric params ``values`` set in every row (e.g. audits fixed), changing nothing
        here. Returns the new state and the outcome, ``(N,)`` arrays."""
        decisions = np.empty_like(self._decisions)
        bad = kernel.decode_continuous(np.ascontiguousarray(actions, dtype=np.float64), decisions)
        if bad >= 0:
            raise ValueError(f"actions hold a non-finite value at flat index {bad}")
        return self.foresee_decisions(decisions, **values)

    def foresee_decisions(self, decisions: np.ndarray, **values: float) -> tuple[State, Outcome]:
        """As :meth:`foresee`, from decisions ``(N, 10)`` (columns :class:`~gl_env.core.state.DecisionColumn`)."""
        preview = copy.copy(self)
        preview.private_state, preview._spare = False, None
        if values:
            preview.core, preview._table = self.core.replaced(**values), self._table.replaced(**values)
        preview._decisions = np.ascontiguousarray(decisions, dtype=np.float64)
        preview._midseason = np.empty_like(self._midseason)
        preview.step()
        return preview.state(), preview.outcome()

    # --- views ---------------------------------------------------------------------------------------
    @property
    def terminated(self) -> np.ndarray:
        """Villages whose cadre was purged this season."""
        return self.record[:, RecordColumn.purged] > 0.0

    @property
    def truncated(self) -> np.ndarray:
        """Villages that reached their horizon."""
        return self.t >= self.core.horizon

    def state(self) -> State:
        """The state as a :class:`State` of ``(N,)`` arrays (views of the current arrays)."""
        return State(self.t, self.key, *self.floats.T)

    def outcome(self) -> Outcome:
        """The last season's :class:`Outcome`, ``(N,)`` arrays (views of the current record)."""
        return Outcome(*self.record[:, : len(Outcome._fields)].T)


class _Recycled:
    """Uninitialised arrays of one shape and dtype for the kernel to write: a new one, or one
    handed out before that nobody holds any more (no reference to it, nor to a view of it), so
    that what a caller holds is never written over.

    Why: memory fresh from the system costs a page fault per 4 KiB at its first write. At 10^5
    villages that was 30% of the kernel's time: the record (39 MB) is larger than the largest
    block malloc keeps for reuse (32 MB), so every step's record was new memory.
    """

    _KEPT = 3  # the latest arrays: the current step's, the caller's previous ones, one more

    def __init__(self, shape: tuple[int, ...], dtype: type):
        self.shape, self.dtype = shape, dtype
        self._arrays: list[np.ndarray] = []
        # The count of an array held by a list alone, as take's loop sees it (measured, not
        # assumed: interpreters differ in the references a loop and a call add).
        for array in [np.empty(0)]:
            self._alone = sys.getrefcount(array)

    def take(self) -> np.ndarray:
        for array in self._arrays:
            if sys.getrefcount(array) == self._alone:
                return array
        array = np.empty(self.shape, self.dtype)
        self._arrays.append(array)
        if len(self._arrays) > self._KEPT:
            # The oldest is held (or it would have been taken): left to its holder.
            del self._arrays[0]
        return array


def _counties(county: np.ndarray | None, coupling: np.ndarray | None, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The kernel's ``county_start`` (offsets, ``(counties + 1,)``) and ``coupling`` arrays."""
    if county is None:
        return np.zeros(0, dtype=np.int64), np.zeros((1, len(COUPLING_NAMES)))
    county = np.asarray(county)
    if county.shape != (size,) or not np.issubdtype(county.dtype, np.integer):
        raise ValueError(f"county must be {size} integers (one per village); got shape {county.shape}")
    steps = np.diff(county)
    if county[0] != 0 or (steps < 0).any() or (steps > 1).any():
        raise ValueError(f"county indices must start at 0 and rise by 0 or 1 from village to village; got {county}")
    counties = int(county[-1]) + 1
    coupling = np.ascontiguousarray(coupling, dtype=np.float64)
    if coupling.ndim != 2 or coupling.shape[0] not in (1, counties) or coupling.shape[1] != len(COUPLING_NAMES):
        raise ValueError(f"coupling must have shape (1 or {counties}, {len(COUPLING_NAMES)}); got {coupling.shape}")
    start = np.searchsorted(county, np.arange(counties + 1)).astype(np.int64)
    return start, coupling


def compile_kernel() -> None:
    """Compile (or load from the disk cache) every kernel entry point the envs use, on a tiny batch.

    The test suite calls it once before its workers start, so that they load the cache instead
    of each compiling; anyone may call it to pay the compile cost up front.
    """
    from gl_env.core.dynamics import next_target
    from gl_env.core.random import next_episode_keys, seeds_to_keys

    params = [Params()]
    table = np.zeros((2, len(Decision._fields)))
    table[:, 0] = 1.0
    bounds = np.zeros(len(OBSERVATION_COLUMNS)), np.ones(len(OBSERVATION_COLUMNS))
    # A batch of one (the single env) is compiled apart: its record, one row, is C- as well as
    # F-contiguous, which numba types as C.
    for size, parallel in ((2, False), (2, True), (1, False)):
        villages = Villages(params, size, dict.fromkeys(REWARD_TERMS, 1.0), *bounds, parallel=parallel)
        villages.reset(seeds_to_keys(np.arange(size)))
        villages.decide_continuous(np.zeros((size, len(Decision._fields))))
        villages.step()
        villages.decide_discrete(np.zeros(size, dtype=np.int64), table)
        villages.step(np.ones(size, dtype=np.bool_))
        villages.reset(next_episode_keys(villages.key[:1]), np.zeros(1, dtype=np.int64))
    next_target(1.0, 1.0, 0.5, 0.0)

"""Running groups of sweep cells as Ray Tune trials, on a local Ray or a cluster.

``python -m gl_env.sweep --ray [ADDRESS]`` splits the grid into groups of ``--cells-per-task``
consecutive cells and hands each group to one Ray Tune trial (a function trainable): the trial
computes its cells' best responses and measures them exactly as the local run does, and reports
them back; the sweep then writes them with the same code as a local run. A cell's randomness
comes from ``--seed`` and its own grid values (its candidates) and from the seed ranges (its
villages), never from the cells beside it, so the grouping cannot change a result and
``cells.csv`` is byte for byte the local run's.

Ray is optional (``pip install 'gl_env[ray]'``); this module imports it only when called.
Tune keeps its trial records in a hidden folder beside the sweep's output folder, removed at
the end: on a cluster that folder's parent must be shared storage mounted at the same path on
every node (see the README).
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

INSTALL_HINT = "--ray needs Ray Tune; install it with pip install 'gl_env[ray]'"
# --ray without an address: start a Ray on this machine (ray.init() with no address would
# instead join a cluster already running here, which a user did not ask for).
LOCAL = "local"

# What a group's computation returns: named arrays with one row per cell of the group.
Solve = Callable[[Any, Any], dict[str, np.ndarray]]


@contextlib.contextmanager
def _quiet_tune() -> Iterator[None]:
    """Tune without its progress tables and its automatic CSV and TensorBoard loggers, for the block
    (the sweep writes its own results; TensorBoard's would warn that the cells' lists are not scalars)."""
    settings = {"TUNE_DISABLE_AUTO_CALLBACK_LOGGERS": "1", "RAY_AIR_NEW_OUTPUT": "0"}
    before = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class TaskFailed(RuntimeError):
    """A Ray task (one group of cells) raised; the message names the task and the error."""


def check_installed() -> None:
    """Raise ``ImportError`` with the install command unless Ray Tune can be imported."""
    if importlib.util.find_spec("ray") is None or importlib.util.find_spec("ray.tune") is None:
        raise ImportError(INSTALL_HINT)


def groups_of(n_cells: int, per_group: int) -> list[list[int]]:
    """Consecutive cell indices, ``per_group`` to a group (the last may hold fewer)."""
    return [list(range(start, min(start + per_group, n_cells))) for start in range(0, n_cells, per_group)]


def _trial(config: dict[str, Any], solve: Solve, args: Any, parts: Sequence[Any]) -> None:
    from ray import tune

    result = solve(args, parts[config["group"]])
    # Lists of Python floats and strings: exact for float64, and plain data for Tune's loggers.
    tune.report({"cells": {name: np.asarray(values).tolist() for name, values in result.items()}})


def run_groups(
    solve: Solve, args: Any, parts: Sequence[Any], address: str, storage: Path, log: Callable[[str], Any] = print
) -> list[dict[str, np.ndarray]]:
    """``solve(args, part)`` for every part, each as one Ray Tune trial; the results in the order of ``parts``.

    ``address`` is :data:`LOCAL` (start a Ray on this machine, unless one is already initialised
    in this process) or a cluster's address (``ray.init(address=...)``); a Ray this call started
    or joined is shut down (left) at the end. ``storage`` is the
    folder Tune keeps its records in (a temporary folder is made inside it and removed).
    A trial that fails raises :class:`TaskFailed` naming it.
    """
    check_installed()
    import ray

    started = not ray.is_initialized()  # a Ray this call starts or joins, it also leaves
    if started:
        if address == LOCAL:
            ray.init(include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
        else:
            ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
    try:
        return _fit(solve, args, parts, storage, log)
    finally:
        if started:
            ray.shutdown()


def _fit(
    solve: Solve, args: Any, parts: Sequence[Any], storage: Path, log: Callable[[str], Any]
) -> list[dict[str, np.ndarray]]:
    import ray
    from ray import tune
    from ray.tune.logger import JsonLoggerCallback

    log(f"Ray: {len(parts)} task(s) on {ray.cluster_resources().get('CPU', 0):g} CPUs")
    storage.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=storage, prefix=".ray-tune-") as records:
        tuner = tune.Tuner(
            tune.with_resources(tune.with_parameters(_trial, solve=solve, args=args, parts=list(parts)), {"cpu": 1}),
            param_space={"group": tune.grid_search(list(range(len(parts))))},
            tune_config=tune.TuneConfig(reuse_actors=False),
            run_config=tune.RunConfig(
                storage_path=str(Path(records).resolve()), name="sweep", verbose=0, callbacks=[JsonLoggerCallback()]
            ),
        )
        with _quiet_tune():
            results = tuner.fit()
        by_group: dict[int, dict[str, np.ndarray]] = {}
        for result in results:
            group = result.config["group"]
            if result.error is not None:
                lines = str(result.error).strip().splitlines()
                raise TaskFailed(f"Ray task {group} failed: {lines[-1] if lines else type(result.error).__name__}")
            by_group[group] = {name: np.asarray(values) for name, values in result.metrics["cells"].items()}
    return [by_group[g] for g in range(len(parts))]

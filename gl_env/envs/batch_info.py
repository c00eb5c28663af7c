"""The vector env's infos in the layout of ``SyncVectorEnv``: arrays the caller owns, with ``_key`` masks.

``SyncVectorEnv`` gathers its sub-environments' infos into one dict in which every key has an
array with one entry per sub-environment and a bool mask ``"_" + key`` saying which entries
are set (nested dicts alike). :func:`batch_info` builds that dict from the batched core's info:
every array is a fresh copy (the caller may change it; the environment never reads or writes
it again), and only the villages of ``index`` are set (the others are zero, masked False).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def batch_info(
    info: dict[str, Any], num_envs: int, index: np.ndarray | None = None, fresh: bool = False
) -> dict[str, Any]:
    """``info`` (arrays of ``num_envs`` rows, or of ``len(index)`` rows when ``index`` is given,
    or 0-d arrays shared by the batch) as ``SyncVectorEnv`` would return it.

    ``fresh``: the ``(num_envs,)`` arrays of ``info`` are already copies nobody else holds
    (e.g. the columns of a copy of the record), handed out as they are.
    """
    set_mask = np.ones(num_envs, dtype=np.bool_)
    if index is not None:
        set_mask[:] = False
        set_mask[index] = True
    out: dict[str, Any] = {}
    for key, value in info.items():
        if isinstance(value, dict):
            out[key] = batch_info(value, num_envs, index, fresh)
        else:
            out[key] = _rows(np.asarray(value), num_envs, index, fresh)
        out[f"_{key}"] = set_mask.copy()
    return out


def _rows(value: np.ndarray, num_envs: int, index: np.ndarray | None, fresh: bool) -> np.ndarray:
    if index is None:
        if fresh and value.shape[:1] == (num_envs,):
            return value
        return np.array(np.broadcast_to(value, (num_envs, *value.shape[1:])))
    rows = np.zeros((num_envs, *value.shape[1:]), dtype=value.dtype)
    rows[index] = value
    return rows


def rows_of(info: dict[str, Any], index: np.ndarray) -> dict[str, Any]:
    """The rows ``index`` of a batch's ``info`` (0-d arrays, shared by the batch, kept)."""
    return {
        key: rows_of(value, index) if isinstance(value, dict) else (value if np.ndim(value) == 0 else value[index])
        for key, value in info.items()
    }


def final_observations(obs: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``info["final_obs"]`` as ``SyncVectorEnv`` makes it: an object array holding the last
    observation of each village in ``index`` (None for the others)."""
    final = np.full(obs.shape[0], None, dtype=object)
    for i in index.tolist():
        final[i] = obs[i].copy()
    return final

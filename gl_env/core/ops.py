"""The two numeric backends of the core: Python floats (one village) and numpy arrays (a batch).

The dynamics in :mod:`gl_env.core.dynamics` are written once, in plain arithmetic, and run on
either backend. A single environment steps one village on Python floats, which costs a few
microseconds where numpy's per-call overhead would cost tens; a vector environment steps a
whole batch on arrays of shape ``(num_envs,)``.

The dynamics use only ``+ - * /``, ``sqrt``, ``min``/``max`` and comparisons. IEEE 754 rounds
each of these exactly, in Python as in numpy, so the two backends give bit-identical results
for the same inputs. (Transcendental functions such as ``exp`` and ``log`` are avoided on
purpose: numpy's vectorised versions may differ from the C library's in the last bit.)

Randomness is counter-based: each draw is a hash (splitmix64) of the village's episode key,
the season counter and a stream number. A village's random numbers therefore depend on its
own key only, never on the batch it is stepped in, which is what makes N single environments
and one vector environment of N villages give the same trajectories.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB
_TO_UNIT = 1.0 / 65536.0


class ScalarOps:
    """Backend for one village: every quantity is a Python ``float`` (or ``int``/``bool``)."""

    sqrt = staticmethod(math.sqrt)

    # min(a, b) and max(a, b) exactly (the second argument only if strictly smaller / larger),
    # written out: a Python-level conditional costs a third of a call to the builtins.
    @staticmethod
    def minimum(a: float, b: float) -> float:
        return b if b < a else a

    @staticmethod
    def maximum(a: float, b: float) -> float:
        return b if b > a else a

    @staticmethod
    def clip(x: float, low: float, high: float) -> float:
        return low if x < low else (high if x > high else x)

    @staticmethod
    def where(condition: bool, if_true: Any, if_false: Any) -> Any:
        return if_true if condition else if_false

    @staticmethod
    def lookup(table: tuple[tuple[float, ...], ...], t: int) -> tuple[float, ...]:
        """Row ``t`` of a per-season table (``table[t][k]``)."""
        return table[t]

    @staticmethod
    def uniforms(key: int, counter: int, stream: int) -> tuple[float, float, float, float]:
        """Four independent uniforms in [0, 1) for (key, counter, stream)."""
        z = splitmix64(key, counter, stream)
        return (
            (z & 0xFFFF) * _TO_UNIT,
            ((z >> 16) & 0xFFFF) * _TO_UNIT,
            ((z >> 32) & 0xFFFF) * _TO_UNIT,
            (z >> 48) * _TO_UNIT,
        )


class ArrayOps:
    """Backend for a batch of villages: every quantity is a numpy array of shape ``(B,)``."""

    minimum = staticmethod(np.minimum)
    maximum = staticmethod(np.maximum)
    sqrt = staticmethod(np.sqrt)
    where = staticmethod(np.where)

    @staticmethod
    def clip(x: np.ndarray, low: Any, high: Any) -> np.ndarray:
        # np.minimum(np.maximum(...)) is the scalar backend's rule exactly, and cheaper than np.clip.
        return np.minimum(np.maximum(x, low), high)

    @staticmethod
    def lookup(table: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Each village's season ``t`` of a ``(P, T, K)`` table, as ``(K, B)`` rows.

        Gathering whole seasons (rows of ``K`` values) and viewing them transposed is several
        times cheaper than gathering each field's row: the rows returned are strided views.
        """
        if table.shape[0] == 1:
            return table[0].take(t, axis=0).T
        return table[np.arange(t.shape[0]), t].T

    @staticmethod
    def uniforms(
        key: np.ndarray, counter: np.ndarray, stream: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        z = splitmix64_array(key, counter, stream)
        # The four 16-bit fields, low to high, read in place as little-endian uint16 (B, 4) and
        # scaled to float64 in one multiply each: the same numbers as the scalar backend's.
        fields = z.astype("<u8", copy=False).view("<u2").reshape(-1, 4)
        return fields[:, 0] * _TO_UNIT, fields[:, 1] * _TO_UNIT, fields[:, 2] * _TO_UNIT, fields[:, 3] * _TO_UNIT


Ops = type[ScalarOps] | type[ArrayOps]


def ops_for(value: Any) -> Ops:
    """The backend matching a state value: arrays for a batch, floats for one village."""
    return ArrayOps if isinstance(value, np.ndarray) else ScalarOps


def splitmix64(key: int, counter: int, stream: int) -> int:
    """splitmix64 finaliser of ``key + (4 * counter + stream + 1) * golden``, on Python ints."""
    z = (key + ((4 * counter + stream + 1) * _GOLDEN)) & _MASK64
    z = ((z ^ (z >> 30)) * _MIX1) & _MASK64
    z = ((z ^ (z >> 27)) * _MIX2) & _MASK64
    return z ^ (z >> 31)


def splitmix64_array(key: np.ndarray, counter: np.ndarray, stream: int) -> np.ndarray:
    """:func:`splitmix64` on uint64 arrays (numpy's uint64 arithmetic wraps modulo 2**64)."""
    offset = (counter.astype(np.uint64) * np.uint64(4) + np.uint64(stream + 1)) * np.uint64(_GOLDEN)
    z = key + offset
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_MIX1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_MIX2)
    return z ^ (z >> np.uint64(31))


def seed_to_key(seed: int) -> int:
    """The episode key of a village reset with ``seed`` (any non-negative int)."""
    return splitmix64(seed & _MASK64, -1, 0)


def next_episode_key(key: int) -> int:
    """The key of the episode after the one keyed ``key`` (a reset without a seed)."""
    return splitmix64(key, -1, 1)


def seeds_to_keys(seeds: np.ndarray) -> np.ndarray:
    """:func:`seed_to_key` over an array of seeds."""
    return splitmix64_array(seeds.astype(np.uint64), np.full(seeds.shape, -1, np.int64), 0)


def next_episode_keys(keys: np.ndarray) -> np.ndarray:
    """:func:`next_episode_key` over an array of keys."""
    return splitmix64_array(keys, np.full(keys.shape, -1, np.int64), 1)

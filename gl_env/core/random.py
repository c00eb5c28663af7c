"""Counter-based random numbers: each draw is a hash (splitmix64) of the village's episode key,
a counter and a stream number.

A village's random numbers therefore depend on its own key only, never on the batch it is
stepped in, nor on the thread that steps it: N single environments and one vector environment
of N villages give the same trajectories, with any number of threads.

Per season ``t`` a village draws two 64-bit hashes, ``counter = t`` and streams 0 and 1, each
cut into four 16-bit uniforms. Keys come from seeds (counter -1, stream 0), the next episode's
key from the last (counter -1, stream 1), randomised parameters from counter -2, and the
village's land quality and procurement zeal from counter -3.

All arithmetic is on uint64 and wraps modulo 2**64 (compiled, as in C; run uncompiled, numpy's
uint64 scalars wrap the same way, with an overflow warning that the reference run silences).
"""

from __future__ import annotations

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_LOW16 = np.uint64(0xFFFF)
_TO_UNIT = 1.0 / 65536.0
_MASK64 = (1 << 64) - 1


def counter_stream(counter: int, stream: int) -> np.uint64:
    """The hash's multiplier ``4 * counter + stream + 1`` modulo 2**64 (``counter`` may be negative)."""
    return np.uint64((4 * counter + stream + 1) & _MASK64)


# Multipliers of the draws made outside the seasons (see the module docstring).
SEED_STREAM = counter_stream(-1, 0)
NEXT_EPISODE_STREAM = counter_stream(-1, 1)
RANDOMIZE_COUNTER = -2
PLACE_STREAM = counter_stream(-3, 0)


@njit(cache=True, fastmath=False)
def splitmix64(key: np.uint64, multiplier: np.uint64) -> np.uint64:
    """splitmix64 finaliser of ``key + multiplier * golden``."""
    z = key + multiplier * _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, fastmath=False)
def uniforms(key: np.uint64, multiplier: np.uint64) -> tuple[float, float, float, float]:
    """Four independent uniforms in [0, 1), the 16-bit fields of one hash, low to high."""
    z = splitmix64(key, multiplier)
    return (
        np.float64(z & _LOW16) * _TO_UNIT,
        np.float64((z >> np.uint64(16)) & _LOW16) * _TO_UNIT,
        np.float64((z >> np.uint64(32)) & _LOW16) * _TO_UNIT,
        np.float64(z >> np.uint64(48)) * _TO_UNIT,
    )


@njit(cache=True, fastmath=False)
def season_uniforms(key: np.uint64, t: int, stream: int) -> tuple[float, float, float, float]:
    """The four uniforms of stream ``stream`` (0 or 1) in season ``t`` (>= 0)."""
    return uniforms(key, np.uint64(4 * t + stream + 1))


@njit(cache=True, fastmath=False)
def _hash_all(keys: np.ndarray, multiplier: np.uint64, out: np.ndarray) -> None:
    for i in range(keys.shape[0]):
        out[i] = splitmix64(keys[i], multiplier)


def seeds_to_keys(seeds: np.ndarray) -> np.ndarray:
    """The episode keys of villages reset with ``seeds`` (non-negative ints; uint64 array)."""
    keys = np.empty(len(seeds), np.uint64)
    _hash_all(np.asarray(seeds).astype(np.uint64), SEED_STREAM, keys)
    return keys


def next_episode_keys(keys: np.ndarray) -> np.ndarray:
    """The keys of the episodes after those keyed ``keys`` (resets without a seed)."""
    out = np.empty(len(keys), np.uint64)
    _hash_all(np.asarray(keys, dtype=np.uint64), NEXT_EPISODE_STREAM, out)
    return out


def seed_to_key(seed: int) -> int:
    """The episode key of one village reset with ``seed`` (any non-negative int)."""
    return int(seeds_to_keys(np.array([seed & _MASK64], dtype=np.uint64))[0])

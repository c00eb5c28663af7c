"""What a user hands the environments at the Gymnasium boundary, checked the way Gymnasium does.

Seeds, reset options, autoreset modes, the ``reset_mask``, and the ``EnvSpec`` kwargs made
JSON-able. Errors name the bad value and what is allowed; the messages of ``reset_mask``
are those of ``gymnasium.vector.SyncVectorEnv``.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
from gymnasium.vector import AutoresetMode

# Our own spellings (kept from before AutoresetMode was accepted) and the enum's values.
AUTORESET_MODES: dict[str, AutoresetMode] = {
    "next_step": AutoresetMode.NEXT_STEP,
    "same_step": AutoresetMode.SAME_STEP,
    "disabled": AutoresetMode.DISABLED,
    **{mode.value: mode for mode in AutoresetMode},
}


def check_seed(seed: Any, name: str = "seed") -> int | None:
    """``seed`` as a Python int (None kept): any non-negative integer, numpy integers included."""
    if seed is None:
        return None
    if isinstance(seed, bool | np.bool_) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name}={seed!r} must be None or a non-negative int")
    if seed < 0:
        raise ValueError(f"{name}={seed!r} must be a non-negative int")
    return int(seed)


def check_seeds(seed: Any, num_envs: int) -> list[int | None]:
    """One seed (or None) per sub-environment, as ``SyncVectorEnv`` reads ``reset(seed=...)``:
    None (every one unseeded), an int ``s`` (``s, s + 1, ...``) or a sequence of ints or None."""
    if seed is None:
        return [None] * num_envs
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool | np.bool_):
        first = check_seed(seed)
        return [first + i for i in range(num_envs)]
    if isinstance(seed, str | bytes | Mapping) or not hasattr(seed, "__len__"):
        raise TypeError(f"seed={seed!r} must be None, a non-negative int or a sequence of {num_envs} of them")
    if len(seed) != num_envs:
        raise ValueError(f"seed has {len(seed)} entries; expected one per sub-environment ({num_envs})")
    if isinstance(seed, np.ndarray) and np.issubdtype(seed.dtype, np.integer) and seed.ndim == 1:
        # A whole array at once (the sweep and the benchmarks reset tens of thousands of villages).
        if len(seed) and seed.min() < 0:
            i = int(np.argmax(seed < 0))
            raise ValueError(f"seed[{i}]={int(seed[i])!r} must be a non-negative int")
        return seed.tolist()
    return [check_seed(s, f"seed[{i}]") for i, s in enumerate(seed)]


def check_options(options: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    """``options`` of ``reset`` as a dict (None: empty); unknown keys are refused, not ignored."""
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise TypeError(f"options={options!r} must be None or a dict")
    unknown = sorted(map(str, set(options) - set(allowed)))
    if unknown:
        choices = ", ".join(allowed) if allowed else "none"
        raise ValueError(f"unknown reset option(s) {', '.join(unknown)}; allowed: {choices}")
    return dict(options)


def check_reset_mask(mask: Any, num_envs: int) -> np.ndarray:
    """A ``reset_mask`` exactly as ``SyncVectorEnv`` accepts it: a bool array of shape
    ``(num_envs,)`` with at least one True."""
    if not isinstance(mask, np.ndarray):
        raise TypeError(f"`options['reset_mask']` must be a numpy array, got {type(mask)}")
    if mask.shape != (num_envs,):
        raise ValueError(f"`options['reset_mask']` must have shape `({num_envs},)`, got {mask.shape}")
    if mask.dtype != np.bool_:
        raise TypeError(f"`options['reset_mask']` must have `dtype=np.bool_`, got {mask.dtype}")
    if not mask.any():
        raise ValueError(
            f"`options['reset_mask']` must contain a boolean array with at least one True value, got reset_mask={mask}"
        )
    return mask.copy()


def check_autoreset_mode(mode: Any) -> AutoresetMode:
    """An :class:`~gymnasium.vector.AutoresetMode`, its value (``"NextStep"``) or our spelling (``"next_step"``)."""
    if isinstance(mode, AutoresetMode):
        return mode
    if isinstance(mode, str) and mode in AUTORESET_MODES:
        return AUTORESET_MODES[mode]
    raise ValueError(f"unknown autoreset_mode {mode!r}; allowed: an AutoresetMode or {', '.join(AUTORESET_MODES)}")


def plain(value: Any) -> Any:
    """``value`` with numpy arrays and scalars made Python lists and numbers, inside dicts,
    lists and tuples too (what ``EnvSpec.to_json`` can write)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    return value

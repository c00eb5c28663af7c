"""Golden trajectories: the envs' outputs recorded once, replayed by tests/test_golden.py bit for bit.

A refactor of the core must reproduce these exactly (observations, rewards, terminated,
truncated and every info key, NaN positions included). Record them anew only for a model
change, and say which published figures it moves:

    .venv/bin/python -m tests.golden          # rewrites tests/data/golden/*.npz

Last recorded for v1 (gl_env/GreatLeap-v1): the famine dynamics v1 of issue 12 (graded works,
resales and relief for deaths, famine foods, adaptation, disease, frailty, fertility, flight) is
a model change, not a refactor; it moves every published demographic figure (MODEL_CARD.md).
Re-recorded when the famine-food cap became a parameter (``famine_food_cap_kcal``, default
unchanged): only the corner cases moved (they set every bounded field, now this one too, to its
ends); every other trajectory reproduced bit for bit.

Coverage: every scenario, both action types, the scripted cadres, seeded random actions
(uniform, corner and out-of-range values), mechanisms at the ends of their documented ranges,
several seeds and consecutive episodes (resets with and without a seed), through the single
env and through the vector env in both autoreset modes (with per-village params, different
horizons and masked resets).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

import gl_env  # noqa: F401  (registers the environments)
from gl_env.actions import ACTION_SIZE, DISCRETE_SIZE
from gl_env.agents.scripted import SCRIPTED_POLICIES
from gl_env.core.params import PARAM_FIELDS
from gl_env.scenarios import SCENARIOS, make_params

GOLDEN_DIR = Path(__file__).resolve().parent / "data" / "golden"
SEEDS = (0, 7, 20261201)
EPISODES_PER_SEED = 2
# Mechanism, climate, village and shock fields (not the horizon, not the randomisation).
_BOUNDED = [f for f in PARAM_FIELDS if f.metadata["spec"].kind == "float" and f.metadata["spec"].group != "horizon"]

Actor = Callable[[np.ndarray, dict[str, Any]], Any]
# Info keys added after the goldens were recorded (calendar-following agents read them).
_ADDED_INFO_KEYS = ("coming_year", "coming_season")


def _corner_params(scenario: str, which: str) -> dict[str, Any]:
    """Every bounded field at its low end, its high end, or alternating between them."""
    values = {}
    for i, f in enumerate(_BOUNDED):
        spec = f.metadata["spec"]
        end = {"low": spec.low, "high": spec.high, "mixed": spec.low if i % 2 else spec.high}[which]
        values[f.name] = float(end)
    if scenario == "randomized":
        # Randomised draws at the ends of their ranges (a draw from an empty range is its end);
        # those fields are given by their ranges only (a value beside a range is refused).
        base = make_params(scenario)
        ends = {n: values.pop(n) for n, _, _ in base.randomize}
        values["randomize"] = tuple((n, end, end) for n, end in ends.items())
    values["soviet_withdrawal_year"] = 1959
    return values


def _actors(action_type: str, seed: int, batch: int | None) -> Iterator[tuple[str, Actor]]:
    """Named action makers for ``batch`` villages (None: one village)."""
    shape = (ACTION_SIZE,) if batch is None else (batch, ACTION_SIZE)
    if action_type == "discrete":
        rng = np.random.default_rng(seed)
        yield "random", lambda obs, info: _discrete(rng.integers(0, DISCRETE_SIZE, size=batch))
        edges = np.random.default_rng(seed + 1)
        yield (
            "edges",
            lambda obs, info: _discrete(edges.choice([0, 1, DISCRETE_SIZE - 2, DISCRETE_SIZE - 1], size=batch)),
        )
        return
    # The vector cases take the cadres that exercise the most mechanisms (steel, reports, hiding).
    scripted = (
        ("historical_cadre", "concealer")
        if batch
        else ("honest", "max_inflate", "historical_cadre", "concealer", "welfare_planner")
    )
    for name in scripted:
        policy = SCRIPTED_POLICIES[name](seed)
        yield name, lambda obs, info, policy=policy: np.asarray(policy(obs, info), dtype=np.float32)
    uniform = np.random.default_rng(seed)
    yield "random", lambda obs, info: uniform.uniform(-1.0, 1.0, shape).astype(np.float32)
    corners = np.random.default_rng(seed + 1)
    yield "corners", lambda obs, info: corners.choice([-1.0, 1.0], size=shape).astype(np.float32)
    # Out of range (clipped), exact ends, zero, and every labor weight at -1 (the even split).
    wild_values = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5], dtype=np.float32)
    wild = np.random.default_rng(seed + 2)

    def wild_action(obs: np.ndarray, info: dict[str, Any]) -> np.ndarray:
        action = wild.choice(wild_values, size=shape).astype(np.float32)
        if wild.random() < 0.3:
            action[..., :5] = -1.0
        return action

    yield "wild", wild_action


def _discrete(index: Any) -> Any:
    return int(index) if np.ndim(index) == 0 else index.astype(np.int64)


def _flat(info: dict[str, Any], prefix: str = "info/") -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for key, value in info.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}/"))
        else:
            out[prefix + key] = np.asarray(value)
    return out


def _unmasked(info: dict[str, Any]) -> dict[str, Any]:
    """A vector info without its ``_key`` masks and ``final_*`` entries (nested dicts too)."""
    return {
        k: _unmasked(v) if isinstance(v, dict) else v
        for k, v in info.items()
        if not k.startswith("_") and k not in ("final_obs", "final_info")
    }


def _where(mask: np.ndarray, new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    return {
        k: _where(mask, v, old[k])
        if isinstance(v, dict)
        else np.where(mask.reshape(-1, *[1] * (np.ndim(v) - 1)), v, old[k])
        for k, v in new.items()
    }


def _vector_recorded_layout(
    info: dict[str, Any], obs: np.ndarray, last: dict[str, Any] | None, mask: np.ndarray | None = None
) -> dict[str, Any]:
    """A vector info in the layout the goldens recorded (before the infos took SyncVectorEnv's),
    with the keys added since (which the actors read; the trace leaves them out).

    Then a masked reset returned the last info with the reset villages' rows replaced (its
    ``final_*`` keys included), and ``final_obs``/``final_info`` held every village's row (the
    step's own for the villages that had not ended). Only the layout differs: the numbers are the same.
    """
    plain = _unmasked(info)
    if mask is not None:
        return {**last, **_where(mask, plain, {k: last[k] for k in plain})}
    if "final_obs" in info:
        ended = info["_final_obs"]
        plain["final_obs"] = np.stack(
            [o if e else row for o, e, row in zip(info["final_obs"], ended, obs, strict=True)]
        )
        plain["final_info"] = _where(ended, _unmasked(info["final_info"]), plain)
        plain["_final_obs"], plain["_final_info"] = ended, info["_final_info"]
    return plain


def _traced(info: dict[str, Any]) -> dict[str, Any]:
    """An info without the keys added after the goldens were recorded (nested ``final_info`` too)."""
    return {k: _traced(v) if k == "final_info" else v for k, v in info.items() if k not in _ADDED_INFO_KEYS}


class _Trace:
    """Events (resets and steps) of one case, stacked per key with a presence mask."""

    def __init__(self) -> None:
        self.events: list[dict[str, np.ndarray]] = []

    def add(self, kind: int, obs: Any, info: dict[str, Any], **rest: Any) -> None:
        event = {"kind": np.asarray(kind), "obs": np.asarray(obs), **_flat(info)}
        event.update({k: np.asarray(v) for k, v in rest.items()})
        self.events.append(event)

    def arrays(self) -> dict[str, np.ndarray]:
        keys = sorted({k for e in self.events for k in e})
        out: dict[str, np.ndarray] = {}
        for key in keys:
            present = [key in e for e in self.events]
            rows = [e[key] for e in self.events if key in e]
            out[key] = np.stack(rows)
            if not all(present):
                out["present:" + key] = np.asarray(present)
        return out


def pack(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Stacked arrays packed compactly (an npz entry costs a few hundred bytes of headers).

    Keys with one value per event (or per village and event) go into one float64 matrix per
    trailing shape, ``values<shape>`` (exact for an info's bools, ints and floats; NaN where a
    key is absent), with ``present<shape>`` (which events hold each key), ``names<shape>`` and
    ``dtypes<shape>``. Observations and larger entries are kept as they are.
    """
    events = len(arrays["kind"])
    groups: dict[tuple[int, ...], list[str]] = {}
    out: dict[str, np.ndarray] = {}
    for key, value in arrays.items():
        if key.startswith("present:"):
            continue
        if key == "obs" or value.ndim > 2:
            out[key] = value
            if f"present:{key}" in arrays:
                out[f"present:{key}"] = arrays[f"present:{key}"]
        else:
            groups.setdefault(value.shape[1:], []).append(key)
    for shape, keys in groups.items():
        tag = "x".join(map(str, shape))
        present = np.stack([arrays.get(f"present:{k}", np.ones(events, bool)) for k in keys], axis=1)
        values = np.full((events, len(keys), *shape), np.nan)
        for j, key in enumerate(keys):
            values[present[:, j], j] = arrays[key]
        out[f"values{tag}"] = values
        out[f"present{tag}"] = present
        out[f"names{tag}"] = np.asarray(keys)
        out[f"dtypes{tag}"] = np.asarray([arrays[k].dtype.str for k in keys])
    return out


def _types(value: Any) -> str:
    """The Python types of an info's values (a refactor must not turn floats into numpy scalars)."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_types(v)}" for k, v in value.items()) + "}"
    return type(value).__name__


def single_cases() -> Iterator[tuple[str, dict[str, Any], str]]:
    """(name, gym.make kwargs, action type) of the single-env cases."""
    for scenario in SCENARIOS:
        for action_type in ("continuous", "discrete"):
            yield f"{scenario}.{action_type}", {"scenario": scenario}, action_type
            for which in ("low", "high", "mixed"):
                kwargs = {"scenario": scenario, "num_years": 2, **_corner_params(scenario, which)}
                yield f"{scenario}.{action_type}.corner-{which}", kwargs, action_type


def run_single(kwargs: dict[str, Any], action_type: str) -> dict[str, np.ndarray]:
    """Every actor, seed and episode of one single-env case, as stacked arrays."""
    env_id = "gl_env/GreatLeap-v1" if action_type == "continuous" else "gl_env/GreatLeapDiscrete-v1"
    out: dict[str, np.ndarray] = {}
    for seed in SEEDS:
        for actor_name, actor in _actors(action_type, seed, None):
            env = gym.make(env_id, disable_env_checker=True, **kwargs).unwrapped
            trace = _Trace()
            types = set()
            for episode in range(EPISODES_PER_SEED):
                obs, info = env.reset(seed=seed if episode == 0 else None)
                trace.add(0, obs, _traced(info))
                types.add(_types(_traced(info)))
                done = False
                while not done:
                    obs, reward, terminated, truncated, info = env.step(actor(obs, info))
                    trace.add(1, obs, _traced(info), reward=reward, terminated=terminated, truncated=truncated)
                    types.add(f"{type(reward).__name__}{_types(_traced(info))}")
                    done = terminated or truncated
            for key, value in pack(trace.arrays()).items():
                out[f"{seed}/{actor_name}/{key}"] = value
            out[f"{seed}/{actor_name}/types"] = np.asarray(sorted(types))
    return out


def vector_cases() -> Iterator[tuple[str, dict[str, Any], str]]:
    """(name, gym.make_vec kwargs, action type) of the vector-env cases."""
    n = 4
    for scenario in SCENARIOS:
        for action_type in ("continuous", "discrete"):
            for mode in ("next_step", "same_step"):
                base = {"num_envs": n, "scenario": scenario, "autoreset_mode": mode}
                yield f"{scenario}.{action_type}.{mode}", {**base, "num_years": 2}, action_type
                per_env = {"audit_probability": np.linspace(0.0, 1.0, n), "weather_sd": [0.0, 0.4, 0.1, 0.2]}
                yield (
                    f"{scenario}.{action_type}.{mode}.per_env",
                    {**base, "num_years": 2, "per_env": per_env},
                    action_type,
                )
                horizons = [make_params(scenario, num_years=y) for y in (1, 2, 3, 2)]
                mixed = {"num_envs": n, "params": horizons, "autoreset_mode": mode}
                yield f"{scenario}.{action_type}.{mode}.horizons", mixed, action_type
                corner = make_params(scenario, num_years=2, **_corner_params(scenario, "mixed"))
                params = [corner, dataclasses.replace(corner, audit_error=0.0)] * (n // 2)
                corner_kwargs = {"num_envs": n, "params": params, "autoreset_mode": mode}
                yield f"{scenario}.{action_type}.{mode}.corner", corner_kwargs, action_type


def run_vector(kwargs: dict[str, Any], action_type: str, steps: int = 24) -> dict[str, np.ndarray]:
    """Every actor of one vector case over ``steps`` steps (with a masked reset midway)."""
    env_id = "gl_env/GreatLeap-v1" if action_type == "continuous" else "gl_env/GreatLeapDiscrete-v1"
    out: dict[str, np.ndarray] = {}
    seed = SEEDS[1]
    for actor_name, actor in _actors(action_type, seed, kwargs["num_envs"]):
        env = gym.make_vec(env_id, vectorization_mode="vector_entry_point", **kwargs)
        trace = _Trace()
        obs, info = env.reset(seed=seed)
        last = _vector_recorded_layout(info, obs, None)
        trace.add(0, obs, _traced(last))
        for t in range(steps):
            if t == steps // 2:
                mask = np.arange(kwargs["num_envs"]) % 3 == 0
                obs, info = env.reset(options={"reset_mask": mask})
                last = _vector_recorded_layout(info, obs, last, mask)
                trace.add(0, obs, _traced(last))
            obs, reward, terminated, truncated, info = env.step(actor(obs, last))
            last = _vector_recorded_layout(info, obs, last)
            trace.add(1, obs, _traced(last), reward=reward, terminated=terminated, truncated=truncated)
        obs, info = env.reset()
        trace.add(0, obs, _traced(_vector_recorded_layout(info, obs, last)))
        for key, value in pack(trace.arrays()).items():
            out[f"{actor_name}/{key}"] = value
    return out


def record() -> None:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for kind, cases, runner in (("single", single_cases, run_single), ("vector", vector_cases, run_vector)):
        arrays: dict[str, np.ndarray] = {}
        for name, kwargs, action_type in cases():
            for key, value in runner(kwargs, action_type).items():
                arrays[f"{name}/{key}"] = value
        path = GOLDEN_DIR / f"{kind}.npz"
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, **arrays)
        tmp.replace(path)
        print(f"{path}: {len(arrays)} arrays, {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    record()

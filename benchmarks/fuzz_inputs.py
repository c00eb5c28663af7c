"""Fuzz the Gymnasium boundary with bad input: ``gym.make`` / ``gym.make_vec`` arguments, actions and resets.

Every case is an input that must be refused. Each outcome is counted as

- ``clean``: an exception of a documented kind (ValueError, TypeError, RuntimeError, or
  Gymnasium's own error) raised by gl_env's or Gymnasium's checking code;
- ``silent``: no exception (the bad input was accepted);
- ``deep``: any other exception, or one raised from inside numpy or Python internals (a crash
  the user cannot read).

Run: ``python benchmarks/fuzz_inputs.py`` (about a minute; ``--json out.json`` writes the
counts and every non-clean case; ``--show`` prints them). The target is 0 silent, 0 deep.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

import gl_env
from gl_env.core.params import Params

ID, DISCRETE_ID = "gl_env/GreatLeap-v1", "gl_env/GreatLeapDiscrete-v1"
CLEAN_TYPES = (ValueError, TypeError, RuntimeError, gym.error.Error)
OWN_CODE = (str(Path(gl_env.__file__).parent), str(Path(gym.__file__).parent))
GARBAGE: tuple[Any, ...] = (None, "x", b"1", True, 1 + 2j, [], {}, set(), object(), [[1.0]], np.array([[0.5]]))


def classify(call: Callable[[], Any]) -> tuple[str, str]:
    """Run ``call``; return its outcome (clean / silent / deep) and a one-line description."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call()
    except CLEAN_TYPES as error:
        frame = traceback.extract_tb(error.__traceback__)[-1]
        where = frame.filename
        if where.startswith(OWN_CODE) and not isinstance(error, (OverflowError, FloatingPointError)):
            return "clean", f"{type(error).__name__}: {error}"[:200]
        return "deep", f"{type(error).__name__} in {where}:{frame.lineno}: {error}"[:300]
    except Exception as error:
        frame = traceback.extract_tb(error.__traceback__)[-1]
        return "deep", f"{type(error).__name__} in {frame.filename}:{frame.lineno}: {error}"[:300]
    return "silent", "accepted"


def bad_numbers(low: float, high: float, integral: bool) -> Iterator[Any]:
    span = max(high - low, 1.0)
    yield from (low - span * 0.01 - 1e-9, high + span * 0.01 + 1e-9, low - 1e6, high * 10 + 1)
    yield from (math.nan, math.inf, -math.inf, np.float64(math.nan), np.array(high + span))
    yield from (np.float32(high + span), np.int64(int(high + span + 1)))
    if integral:
        yield from (low + 0.5, np.float64(low + 0.5), str(int(low)))
    yield from GARBAGE


def make_cases() -> Iterator[tuple[str, str, Callable[[], Any]]]:
    """(group, description, call) for every bad input."""
    params = {f.name: f.metadata["spec"] for f in dataclasses.fields(Params)}
    for name, spec in params.items():
        if spec.kind == "randomize":
            continue
        integral = spec.kind in ("int", "optional_year")
        for value in bad_numbers(spec.low, spec.high, integral):
            if spec.kind == "optional_year" and value is None:
                continue
            label = f"{name}={value!r}"
            yield "make", label, lambda n=name, v=value: gym.make(ID, **{n: v})
            yield "make_vec", label, lambda n=name, v=value: gym.make_vec(ID, num_envs=2, **{n: v})
            yield "per_env", label, lambda n=name, v=value: gym.make_vec(ID, num_envs=2, per_env={n: [v, v]})
        if spec.group == "climate":
            for value in ([spec.low] * 3, [spec.high + 1] * 5, [[spec.low]] * 5, ["a"] * 20, np.zeros((5, 4))):
                yield "make", f"{name}={value!r}", lambda n=name, v=value: gym.make(ID, **{n: v})
    for value in (
        5,
        None,
        {"audit_probability": 0.5},
        ((),),
        [("audit_probability", 0.5)],
        "audit_probability",
        {"audit_probability": (0.0, 2.0)},
        {"num_years": (1, 2)},
        {"nope": (0, 1)},
        {"audit_probability": (0.9, 0.1)},
        [("audit_probability", "a", "b")],
        {1: (0, 1)},
        {"audit_probability": (math.nan, 1.0)},
    ):
        yield "make", f"randomize={value!r}", lambda v=value: gym.make(ID, randomize=v)
    for value in (
        {1: 2},
        {"welfare": 1e308},
        {"welfare": math.nan},
        {"welfare": "1"},
        {"glory": 1.0},
        "glory",
        5,
        None,
        {"welfare": True},
        {"welfare": [1.0]},
        {"welfare": 1 + 1j},
        {"welfare": -math.inf},
    ):
        yield "make", f"reward={value!r}", lambda v=value: gym.make(ID, reward=v)
    for key, values in (
        ("scenario", ("utopia", 5, None, ["reform"])),
        ("action_type", ("box", 0, None)),
        ("render_mode", ("video", 1)),
        ("params", ("x", 5, {}, [Params()])),
    ):
        for value in values:
            yield "make", f"{key}={value!r}", lambda k=key, v=value: gym.make(ID, **{k: v})
    for key, values in (
        (
            "per_env",
            (
                [0.1, 0.2],
                {0.1, 0.2},
                0.3,
                (x for x in (0.1,)),
                {"audit_probability": 0.3},
                {"audit_probability": "ab"},
                {"nope": [1, 2]},
                {"audit_probability": [0.1]},
                {"audit_probability": np.zeros((2, 2))},
                {"audit_probability": {0: 0.1, 1: 0.2}},
            ),
        ),
        ("autoreset_mode", ("never", 1, None, "NEXT_STEP")),
        ("max_episode_steps", (0, -1, 21, 1.5, "5", True)),
        ("params", ("x", [Params()], [Params(), "y"], 5)),
    ):
        for value in values:
            yield "make_vec", f"{key}={value!r}", lambda k=key, v=value: gym.make_vec(ID, num_envs=2, **{k: v})
    for value in (0, -1, 1.5, "2", True, None):
        yield "make_vec", f"num_envs={value!r}", lambda v=value: gym.make_vec(ID, num_envs=v)
    yield from action_cases()
    yield from reset_cases()


def _stepped(env_id: str, action: Any, vector: bool) -> Callable[[], Any]:
    def call() -> None:
        env = gym.make_vec(env_id, num_envs=2) if vector else gym.make(env_id)
        env.reset(seed=0)
        env.step(action)

    return call


def action_cases() -> Iterator[tuple[str, str, Callable[[], Any]]]:
    continuous = (
        np.zeros((10, 1)),
        np.zeros((2, 5)),
        np.zeros(9),
        np.zeros(11),
        [[0.0] * 5, [0.0] * 4],
        np.array(["0"] * 10),
        np.zeros(10, complex),
        np.full(10, math.nan),
        np.full(10, math.inf),
        [None] * 10,
        "0" * 10,
        None,
        0,
        {},
        np.zeros(10, bool),
        np.zeros((1, 10)),
        [0.0] * 10 + ["x"],
    )
    for action in continuous:
        yield "action", f"single continuous {_short(action)}", _stepped(ID, action, False)
    discrete = (-1, 200, 1.5, "3", None, True, np.array([1, 2]), np.float64(3.0), [3], 2**70, np.array(3.0))
    for action in discrete:
        yield "action", f"single discrete {_short(action)}", _stepped(DISCRETE_ID, action, False)
    batches = (
        0,
        None,
        "x",
        np.zeros((2, 9)),
        np.zeros((3, 10)),
        np.zeros(10),
        np.full((2, 10), "1"),
        np.zeros((2, 10), complex),
        np.full((2, 10), math.nan),
        [[0.0] * 10, [0.0] * 9],
        np.zeros((2, 10, 1)),
        np.zeros((2, 10), object),
    )
    for action in batches:
        yield "action", f"vector continuous {_short(action)}", _stepped(ID, action, True)
    for action in (
        0,
        np.array([0, 200]),
        np.array([-1, 0]),
        np.array([0.5, 1.0]),
        np.array(["1", "2"]),
        np.array([1, 2, 3]),
        np.zeros((2, 2), int),
        None,
        np.array([True, False]),
    ):
        yield "action", f"vector discrete {_short(action)}", _stepped(DISCRETE_ID, action, True)


def _reset(vector: bool, **kwargs: Any) -> Callable[[], Any]:
    def call() -> None:
        env = gym.make_vec(ID, num_envs=3) if vector else gym.make(ID)
        env.reset(seed=0)
        env.reset(**kwargs)

    return call


def reset_cases() -> Iterator[tuple[str, str, Callable[[], Any]]]:
    for seed in (-1, 1.5, "0", True, [0], np.float64(1.0), -(2**70), {}, b"1", np.bool_(True)):
        yield "reset", f"single seed={seed!r}", _reset(False, seed=seed)
    for seed in (
        -1,
        1.5,
        "0",
        True,
        [0, 1],
        [0, 1, 2, 3],
        [0, -1, 2],
        [0, 1.5, 2],
        [0, "1", 2],
        [0, True, 2],
        np.array([0.0, 1.0, 2.0]),
        {},
        (x for x in range(3)),
    ):
        yield "reset", f"vector seed={seed!r}", _reset(True, seed=seed)
    for options in ("x", 5, {"colour": 1}, ["reset_mask"]):
        yield "reset", f"single options={options!r}", _reset(False, options=options)
    for options in (
        "x",
        5,
        {"colour": 1},
        {"reset_mask": [True, False, True]},
        {"reset_mask": np.zeros(3, bool)},
        {"reset_mask": np.ones(2, bool)},
        {"reset_mask": np.array([1, 0, 1])},
        {"reset_mask": np.ones((1, 3), bool)},
        {"reset_mask": None},
        {"reset_mask": True},
    ):
        yield "reset", f"vector options={_short(options)}", _reset(True, options=options)


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array(shape={value.shape}, dtype={value.dtype})"
    return repr(value)[:60]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the counts and every non-clean case here")
    parser.add_argument("--show", action="store_true", help="print every non-clean case")
    args = parser.parse_args(argv)
    counts: dict[str, Counter] = {}
    findings = []
    for group, label, call in make_cases():
        outcome, detail = classify(call)
        counts.setdefault(group, Counter())[outcome] += 1
        if outcome != "clean":
            findings.append({"group": group, "case": label, "outcome": outcome, "detail": detail})
    total: Counter = sum(counts.values(), Counter())
    print(f"{'group':<10} {'cases':>6} {'clean':>6} {'silent':>6} {'deep':>6}")
    for group, c in [*counts.items(), ("total", total)]:
        print(f"{group:<10} {sum(c.values()):>6} {c['clean']:>6} {c['silent']:>6} {c['deep']:>6}")
    if args.show:
        for f in findings:
            print(f"{f['outcome']:<7} {f['group']:<9} {f['case']}: {f['detail']}")
    if args.json:
        document = {"counts": {g: dict(c) for g, c in counts.items()}, "findings": findings}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.json.with_suffix(".tmp")
        tmp.write_text(json.dumps(document, indent=2))
        tmp.replace(args.json)
    return 0 if not findings else 1


if __name__ == "__main__":
    sys.exit(main())

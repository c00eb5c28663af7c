"""Throughput of gl_env side by side with its references, measured in one run on this machine.

    python benchmarks/throughput.py --json results/throughput.json   # the README table (~3 min)
    python benchmarks/throughput.py --quick --json /tmp/bench.json   # tiny sizes: a smoke run

What is measured (each entry against a reference measured in the same run):

- ``single``: µs per step of ``gym.make("gl_env/GreatLeap-v1")`` against ``gym.make("CartPole-v1")``
  (``single_vs_cartpole``: our µs / CartPole's µs, lower is better);
- ``vector``: env-steps/s of ``gym.make_vec("gl_env/GreatLeap-v1", N)`` (the native batched env)
  against CartPole's own numpy vector env at the same N (``vector_vs_cartpole_vector_N``) and,
  at the ``--sync-sizes``, against ``SyncVectorEnv`` over our single env (``vector_vs_sync_N``);
- ``policy``: end-to-end env-steps/s with a random policy and with a torch MLP policy (batched
  inference) in the loop, against the same loop on CartPole's vector env
  (``random_policy_vs_cartpole_N``, ``mlp_policy_vs_cartpole_N``);
- ``ppo``: stable-baselines3 PPO training steps/s through :class:`gl_env.sb3.GreatLeapSB3VecEnv`
  against ``DummyVecEnv`` over 8 single envs, same hyperparameters (SB3's defaults;
  ``ppo_adapter_vs_dummy``), and at the other ``--ppo-envs`` with the same samples per update
  (``ppo_adapter_vs_dummy_N``);
- ``threads``: the vector env with the kernel's parallel loop (``parallel=True``, numba's
  threads on every core) against CartPole's vector env (``vector_threads_vs_cartpole_vector_N``);
  the ``vector`` section runs the serial loop (one thread);
- ``kernel``: the compiled kernel alone (:func:`gl_env.core.kernel.step` on preallocated arrays,
  no env around it), village-steps/s at ``--kernel-sizes``, on one thread and on all;
- ``start``: seconds of ``python -c "import gl_env, gymnasium as gym;
  gym.make('gl_env/GreatLeap-v1').reset()"`` cold (empty numba cache: it compiles what it uses)
  and warm (cache on disk), and of compiling every kernel entry point cold
  (:func:`gl_env.core.batch.compile_kernel`);
- ``county``: village-steps/s of the county batch (:func:`gl_env.county.vector`: counties of
  ``--county-villages`` villages under ``county-1958``, every coupling rule on) against
  :class:`gl_env.sb3.GreatLeapSB3VecEnv` (single villages under ``historical-1958``), both
  SB3 VecEnvs with the same number of villages (``county_vs_vector_N``, at ``--county-sizes``);
- ``memory``: bytes of core state per village, and tracemalloc's peak and held bytes while
  stepping ``--memory-envs`` villages.

The machine is shared and noisy, so every timing is repeated (``--repeats``), ours and the
reference interleaved within each repeat (alternating which goes first), and reported as the
median with its spread (min, max and interquartile range). A ratio's median and spread are
over the per-repeat ratios, so that noise hitting both sides of a repeat cancels.
Actions are sampled from the action space before timing and cycled, except in ``policy``
where producing them is the point.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
import numba
import numpy as np

import gl_env
from gl_env.envs.vector import GreatLeapVectorEnv

ENV_ID = "gl_env/GreatLeap-v1"
CARTPOLE = "CartPole-v1"
ACTION_POOL = 16  # pre-sampled actions (or batches of actions) cycled through while timing
PPO_ENVS = 8
# The issues' acceptance targets, checked against the measured medians.
TARGETS = {
    "single_vs_cartpole": ("<=", 2.0),
    "vector_vs_cartpole_vector_4096": (">=", 0.3),
    "vector_threads_vs_cartpole_vector_4096": (">=", 0.5),
    "vector_vs_sync_1024": (">=", 50.0),
    "ppo_adapter_vs_dummy": (">=", 1.2),
    "state_bytes_per_env": ("<=", 1024.0),
    "warm_start_s": ("<=", 2.0),
    # Issue 13: the county env within 2x of the single-village vector env at the same villages.
    "county_vs_vector_4096": (">=", 0.5),
}
START_COMMAND = "import gl_env, gymnasium as gym; gym.make('gl_env/GreatLeap-v1').reset()"

# A timed run: steps the environment n times and returns the seconds it took.
Runner = Callable[[int], float]


def summary(values: list[float]) -> dict[str, Any]:
    """Median and spread of repeated measurements."""
    a = np.asarray(values, dtype=np.float64)
    q1, median, q3 = np.percentile(a, [25, 50, 75])
    return {
        "median": float(median),
        "min": float(a.min()),
        "max": float(a.max()),
        "q1": float(q1),
        "q3": float(q3),
        "samples": [float(v) for v in a],
    }


class Recorder:
    """Collects the comparisons as the sections run."""

    def __init__(self, repeats: int, seconds: float):
        self.repeats = repeats
        self.seconds = seconds
        self.measurements: dict[str, dict[str, Any]] = {}
        self.ratios: dict[str, dict[str, Any]] = {}

    def steps_for(self, runner: Runner, min_steps: int = 3) -> int:
        """How many steps make one timing last about ``self.seconds`` (after a warm-up)."""
        # The warm-up is not timed: a first step pays one-off costs (Gymnasium's env checker runs
        # on the first step only, ~10 ms), which would otherwise size every timing at a few steps.
        runner(min_steps)
        n, elapsed = min_steps, runner(min_steps)
        while elapsed < self.seconds / 10 and n < 10**6:
            n *= 4
            elapsed = runner(n)
        return max(min_steps, int(n * self.seconds / max(elapsed, 1e-9)))

    def compare(
        self,
        key: str,
        ours: tuple[str, Runner],
        reference: tuple[str, Runner],
        *,
        unit: str,
        per_step: float,
        steps: int | None = None,
        repeats: int | None = None,
    ) -> None:
        """Time ``ours`` and ``reference`` interleaved; record both and their ratio under ``key``.

        ``unit`` is ``"us/step"`` (ratio: ours / reference µs) or ``"steps/s"`` (ratio: ours /
        reference rate); ``per_step`` is the number of env-steps in one step (the batch size).
        ``steps`` fixes the steps per timing (after one warm-up run) instead of calibrating them.
        """
        runs = [ours, reference]
        if steps is None:
            counts = [self.steps_for(runner) for _, runner in runs]
        else:
            counts = [steps, steps]
            for _, runner in runs:
                runner(steps)
        values: list[list[float]] = [[], []]
        for r in range(repeats or self.repeats):
            for i in (0, 1) if r % 2 == 0 else (1, 0):
                seconds = runs[i][1](counts[i])
                rate = counts[i] * per_step / seconds
                values[i].append(1e6 / rate if unit == "us/step" else rate)
        self.measurements[key] = {
            side: {"label": label, "unit": unit, **summary(v)}
            for side, (label, _), v in zip(("ours", "reference"), runs, values, strict=True)
        }
        self.ratios[key] = summary([a / b for a, b in zip(values[0], values[1], strict=True)])

    def measure(self, key: str, label: str, runner: Runner, *, per_step: float) -> dict[str, Any]:
        """Time ``runner`` alone (no reference): steps/s over the repeats."""
        count = self.steps_for(runner)
        rates = [count * per_step / runner(count) for _ in range(self.repeats)]
        self.measurements[key] = {"ours": {"label": label, "unit": "steps/s", **summary(rates)}}
        return self.measurements[key]


# --- runners ------------------------------------------------------------------------------------
def single_runner(env: gym.Env) -> Runner:
    env.reset(seed=0)
    env.action_space.seed(0)
    actions = [env.action_space.sample() for _ in range(ACTION_POOL)]

    def run(n: int) -> float:
        start = time.perf_counter()
        for i in range(n):
            _, _, terminated, truncated, _ = env.step(actions[i % ACTION_POOL])
            if terminated or truncated:
                env.reset()
        return time.perf_counter() - start

    return run


def vector_runner(env: gym.vector.VectorEnv, policy: Callable[[Any], Any] | None = None) -> Runner:
    """Steps ``env``; actions come from ``policy(obs)`` if given, else from a pre-sampled pool."""
    obs, _ = env.reset(seed=0)
    env.action_space.seed(0)
    actions = [env.action_space.sample() for _ in range(ACTION_POOL)]

    def run(n: int) -> float:
        nonlocal obs
        start = time.perf_counter()
        for i in range(n):
            obs, *_ = env.step(actions[i % ACTION_POOL] if policy is None else policy(obs))
        return time.perf_counter() - start

    return run


def mlp_policy(env: gym.vector.VectorEnv) -> Callable[[np.ndarray], np.ndarray]:
    """A 64x64 tanh MLP (PPO's default size) mapping a batch of observations to actions."""
    import torch

    obs_dim = env.single_observation_space.shape[0]
    discrete = isinstance(env.single_action_space, gym.spaces.Discrete)
    out_dim = env.single_action_space.n if discrete else env.single_action_space.shape[0]
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(obs_dim, 64),
        torch.nn.Tanh(),
        torch.nn.Linear(64, 64),
        torch.nn.Tanh(),
        torch.nn.Linear(64, out_dim),
    )

    @torch.no_grad()
    def policy(obs: np.ndarray) -> np.ndarray:
        out = net(torch.as_tensor(obs, dtype=torch.float32))
        return out.argmax(dim=1).numpy() if discrete else torch.tanh(out).numpy()

    return policy


# --- sections -----------------------------------------------------------------------------------
def bench_single(rec: Recorder) -> None:
    rec.compare(
        "single_vs_cartpole",
        ("gl_env single env", single_runner(gym.make(ENV_ID))),
        ("CartPole-v1 (gym.make)", single_runner(gym.make(CARTPOLE))),
        unit="us/step",
        per_step=1,
    )


def bench_vector_against(
    rec: Recorder, sizes: list[int], key: str, label: str, reference: Callable[[int], Any]
) -> None:
    """Our native vector env against ``reference(n)``, stepped alike, at each size ``n``."""
    for n in sizes:
        ours, theirs = gym.make_vec(ENV_ID, n), reference(n)
        rec.compare(
            f"{key}_{n}",
            (f"gl_env vector env, N={n}", vector_runner(ours)),
            (f"{label}, N={n}", vector_runner(theirs)),
            unit="steps/s",
            per_step=n,
        )
        ours.close()
        theirs.close()


def bench_vector(rec: Recorder, sizes: list[int], parallel: bool = False) -> None:
    """Our vector env on the kernel's serial loop (one thread), or its parallel loop (all cores)."""
    key = "vector_threads_vs_cartpole_vector" if parallel else "vector_vs_cartpole_vector"
    for n in sizes:
        ours = gym.make_vec(ENV_ID, n, parallel=parallel)
        theirs = gym.make_vec(CARTPOLE, n, vectorization_mode="vector_entry_point")
        threads = f"{numba.get_num_threads()} threads" if parallel else "1 thread"
        rec.compare(
            f"{key}_{n}",
            (f"gl_env vector env, N={n}, {threads}", vector_runner(ours)),
            (f"CartPole vector env, N={n}", vector_runner(theirs)),
            unit="steps/s",
            per_step=n,
        )
        ours.close()
        theirs.close()


def kernel_runner(n: int, parallel: bool) -> Runner:
    """The kernel's step alone over ``n`` villages, on preallocated arrays (no allocation, no env)."""
    from gl_env.core import kernel
    from gl_env.core.batch import Villages
    from gl_env.core.random import seeds_to_keys
    from gl_env.observations import OBSERVATION_HIGH, OBSERVATION_LOW
    from gl_env.rewards import REWARD_PRESETS
    from gl_env.scenarios import make_params

    villages = Villages([make_params("historical-1958")], n, REWARD_PRESETS["careerist"], OBSERVATION_LOW,
                        OBSERVATION_HIGH, parallel=parallel)  # fmt: skip
    villages.reset(seeds_to_keys(np.arange(n)))
    rng = np.random.default_rng(0)
    villages.decide_continuous(rng.uniform(-1.0, 1.0, (n, 10)))
    step = kernel.step_parallel if parallel else kernel.step
    # Two state buffers, swapped: each step reads one and writes the other.
    t, key = [villages.t, villages.t.copy()], [villages.key, villages.key.copy()]
    floats = [villages.floats, villages.floats.copy()]
    obs, record, restart = villages.obs, villages.record, np.zeros(n, dtype=np.bool_)
    args = villages._params_args()

    def run(steps: int) -> float:
        start = time.perf_counter()
        for i in range(steps):
            a, b = i % 2, 1 - i % 2
            if i % 20 == 19:  # start a new episode now and then, before the horizon
                t[a][:] = 0
            step(*args, t[a], key[a], floats[a], villages.decisions, restart, villages.weights, villages._midseason,
                 t[b], key[b], floats[b], obs, record, villages.low, villages.high, villages.county_start,
                 villages.coupling)  # fmt: skip
        return time.perf_counter() - start

    return run


def sb3_runner(venv: Any) -> Runner:
    """Steps an SB3 ``VecEnv`` on a pre-sampled pool of actions."""
    venv.seed(0)
    venv.reset()
    rng = np.random.default_rng(0)
    actions = [rng.uniform(-1.0, 1.0, (venv.num_envs, 10)).astype(np.float32) for _ in range(ACTION_POOL)]

    def run(n: int) -> float:
        start = time.perf_counter()
        for i in range(n):
            venv.step(actions[i % ACTION_POOL])
        return time.perf_counter() - start

    return run


def bench_county(rec: Recorder, sizes: list[int], villages: int) -> None:
    from gl_env.county import vector
    from gl_env.sb3 import GreatLeapSB3VecEnv

    for n in sizes:
        counties = max(n // villages, 1)
        rec.compare(
            f"county_vs_vector_{counties * villages}",
            (f"county batch, {counties} counties x {villages}", sb3_runner(vector(counties, villages, "county-1958"))),
            (f"GreatLeapSB3VecEnv, N={counties * villages}", sb3_runner(GreatLeapSB3VecEnv(counties * villages))),
            unit="steps/s",
            per_step=counties * villages,
        )


def bench_kernel(rec: Recorder, sizes: list[int]) -> dict[str, Any]:
    results = {}
    for n in sizes:
        for parallel in (False, True):
            threads = f"{numba.get_num_threads()} threads" if parallel else "1 thread"
            key = f"kernel_{n}_{'threads' if parallel else '1thread'}"
            results[key] = rec.measure(key, f"kernel alone, N={n}, {threads}", kernel_runner(n, parallel), per_step=n)
    return results


def _run_seconds(code: str, cache_dir: str) -> float:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
    return time.perf_counter() - start


def bench_start(repeats: int, compile_all: bool = True) -> dict[str, Any]:
    """Cold and warm start of ``START_COMMAND``, and the cold compile of every entry point (seconds;
    None when not ``compile_all``: a minute on 2 cores, too long for a smoke run)."""
    with tempfile.TemporaryDirectory() as cache:
        cold = _run_seconds(START_COMMAND, cache)
        warm = [_run_seconds(START_COMMAND, cache) for _ in range(repeats)]
    compile_s = None
    if compile_all:
        with tempfile.TemporaryDirectory() as cache:
            compile_s = _run_seconds("from gl_env.core.batch import compile_kernel; compile_kernel()", cache)
    return {"command": START_COMMAND, "cold_s": cold, "warm": summary(warm), "compile_kernel_cold_s": compile_s}


def bench_sync(rec: Recorder, sizes: list[int]) -> None:
    bench_vector_against(
        rec,
        sizes,
        "vector_vs_sync",
        "SyncVectorEnv of gl_env",
        lambda n: gym.make_vec(ENV_ID, n, vectorization_mode="sync"),
    )


def bench_policy(rec: Recorder, n: int) -> None:
    for name in ("random", "mlp"):
        runners = []
        for env_id, kwargs in ((ENV_ID, {}), (CARTPOLE, {"vectorization_mode": "vector_entry_point"})):
            env = gym.make_vec(env_id, n, **kwargs)
            policy = (lambda _obs, env=env: env.action_space.sample()) if name == "random" else mlp_policy(env)
            runners.append(vector_runner(env, policy))
        rec.compare(
            f"{name}_policy_vs_cartpole_{n}",
            (f"gl_env vector env + {name} policy, N={n}", runners[0]),
            (f"CartPole vector env + {name} policy, N={n}", runners[1]),
            unit="steps/s",
            per_step=n,
        )


def bench_ppo(rec: Recorder, sizes: list[int], samples: int, ppo_kwargs: dict[str, Any], repeats: int) -> None:
    """PPO through the adapter vs DummyVecEnv at each number of envs in ``sizes``, with
    ``samples`` env-steps per iteration (n_steps = samples / num_envs) and ``ppo_kwargs`` otherwise."""
    from stable_baselines3 import PPO
    from stable_baselines3.common.vec_env import DummyVecEnv

    from gl_env.sb3 import GreatLeapSB3VecEnv

    def runner(env: Any, n_steps: int) -> Runner:
        model = PPO("MlpPolicy", env, n_steps=n_steps, seed=0, device="cpu", **ppo_kwargs)

        def run(n: int) -> float:
            # One timed "step" is one PPO iteration: a rollout of n_steps per env and its update.
            start = time.perf_counter()
            model.learn(total_timesteps=n * n_steps * env.num_envs, reset_num_timesteps=False)
            return time.perf_counter() - start

        return run

    for n in sizes:
        n_steps = samples // n
        rec.compare(
            "ppo_adapter_vs_dummy" if n == PPO_ENVS else f"ppo_adapter_vs_dummy_{n}",
            (f"PPO on GreatLeapSB3VecEnv({n}), n_steps={n_steps}", runner(GreatLeapSB3VecEnv(num_envs=n), n_steps)),
            (
                f"PPO on DummyVecEnv of {n} single envs, n_steps={n_steps}",
                runner(DummyVecEnv([lambda: gym.make(ENV_ID)] * n), n_steps),
            ),
            unit="steps/s",
            per_step=n_steps * n,
            steps=1,  # one timing is one PPO iteration, already long
            repeats=repeats,
        )


def bench_memory(n: int, steps: int) -> dict[str, Any]:
    """Core state bytes per village; tracemalloc's peak and held bytes over reset and ``steps`` steps."""
    tracemalloc.start()
    env = GreatLeapVectorEnv(num_envs=n)
    env.reset(seed=0)
    env.action_space.seed(0)
    actions = env.action_space.sample()
    for _ in range(steps):
        env.step(actions)
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    state_bytes = sum(np.asarray(field).nbytes for field in env.state)
    return {
        "num_envs": n,
        "state_bytes_per_env": state_bytes / n,
        "held_bytes": held,
        "held_bytes_per_env": held / n,
        "peak_bytes": peak,
        "peak_bytes_per_env": peak / n,
    }


# --- report -------------------------------------------------------------------------------------
def _fmt(value: float) -> str:
    if value >= 1e4:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def _spread(m: dict[str, Any]) -> str:
    return f"{_fmt(m['median'])} [{_fmt(m['min'])}, {_fmt(m['max'])}]"


def markdown(result: dict[str, Any]) -> str:
    """The results as a markdown table: median [min, max] over the repeats."""
    meta = result["meta"]
    lines = [
        f"Measured {meta['date']} on {meta['nproc']} CPU cores ({meta['machine']}) with "
        f"`{meta['command']}`: median [min, max] of {meta['repeats']} interleaved repeats "
        f"(PPO: {meta['ppo_repeats']}).",
        "",
        "| key | ours | reference | ours / reference | target |",
        "|---|---|---|---|---|",
    ]
    for key, ratio in result["ratios"].items():
        if key not in result["measurements"] or "reference" not in result["measurements"][key]:
            continue
        ours, ref = result["measurements"][key]["ours"], result["measurements"][key]["reference"]
        target = result["targets"].get(key)
        check = "" if target is None else f"{target['op']} {target['target']:g}: {'met' if target['met'] else 'missed'}"
        lines.append(
            f"| `{key}` | {ours['label']}: {_spread(ours)} {ours['unit']} | {ref['label']}: {_spread(ref)} "
            f"{ref['unit']} | **{_fmt(ratio['median'])}** [{_fmt(ratio['min'])}, {_fmt(ratio['max'])}] | {check} |"
        )
    memory = result.get("memory")
    if memory:
        target = result["targets"]["state_bytes_per_env"]
        lines.append(
            f"| `state_bytes_per_env` | core state {memory['state_bytes_per_env']:.0f} B/env; env holds "
            f"{memory['held_bytes_per_env']:.0f} B/env; peak while stepping N={memory['num_envs']:,}: "
            f"{memory['peak_bytes'] / 2**20:.1f} MiB ({memory['peak_bytes_per_env']:.0f} B/env) | | | "
            f"{target['op']} {target['target']:g}: {'met' if target['met'] else 'missed'} |"
        )
    for key, m in result.get("kernel", {}).items():
        lines.append(f"| `{key}` | {m['label']}: {_spread(m)} {m['unit']} | | | |")
    start = result.get("start")
    if start:
        target = result["targets"]["warm_start_s"]
        lines.append(
            f'| `warm_start_s` | `python -c "{start["command"]}"`: warm {_spread(start["warm"])} s; cold (empty '
            f"numba cache) {start['cold_s']:.1f} s; every kernel entry point compiled cold "
            f"{start['compile_kernel_cold_s'] or float('nan'):.1f} s | | | {target['op']} {target['target']:g}: "
            f"{'met' if target['met'] else 'missed'} |"
        )
    return "\n".join(lines)


def check_targets(result: dict[str, Any]) -> dict[str, Any]:
    values = {key: r["median"] for key, r in result["ratios"].items()}
    if "memory" in result:
        values["state_bytes_per_env"] = result["memory"]["state_bytes_per_env"]
    if "start" in result:
        values["warm_start_s"] = result["start"]["warm"]["median"]
    return {
        key: {
            "op": op,
            "target": target,
            "value": values[key],
            "met": bool(values[key] <= target if op == "<=" else values[key] >= target),
        }
        for key, (op, target) in TARGETS.items()
        if key in values
    }


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "numpy": np.__version__, "gymnasium": gym.__version__}
    versions["numba"] = numba.__version__
    versions["gl_env"] = gl_env.__version__
    for name in ("torch", "stable_baselines3"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = "not installed"
    return versions


def _nproc() -> int:
    """Cores this process may run on (what ``nproc`` prints)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _sizes(text: str) -> list[int]:
    return [int(v) for v in text.split(",") if v.strip()]


SECTIONS = ("single", "vector", "threads", "sync", "policy", "ppo", "kernel", "start", "memory", "county")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat: a smoke run, not a measurement")
    parser.add_argument("--sizes", type=_sizes, default=[1, 64, 1024, 4096, 65536], help="vector env sizes")
    parser.add_argument("--sync-sizes", type=_sizes, default=[64, 1024], help="sizes compared with SyncVectorEnv")
    parser.add_argument("--thread-sizes", type=_sizes, default=[4096, 65536], help="sizes with the parallel loop")
    parser.add_argument("--kernel-sizes", type=_sizes, default=[1, 64, 4096, 65536], help="sizes of the kernel alone")
    parser.add_argument("--start-repeats", type=int, default=5, help="warm starts timed")
    parser.add_argument("--policy-envs", type=int, default=4096, help="batch size of the end-to-end policy loops")
    parser.add_argument("--county-sizes", type=_sizes, default=[64, 4096], help="villages in the county comparison")
    parser.add_argument("--county-villages", type=int, default=8, help="villages per county")
    parser.add_argument("--memory-envs", type=int, default=65536, help="villages in the memory measurement")
    parser.add_argument("--repeats", type=int, default=15, help="interleaved repeats of each comparison")
    parser.add_argument("--seconds", type=float, default=0.1, help="approximate length of one timing")
    parser.add_argument("--ppo-repeats", type=int, default=5, help="interleaved repeats of the PPO comparison")
    parser.add_argument("--ppo-envs", type=_sizes, default=[PPO_ENVS, 64], help="numbers of envs PPO trains on")
    parser.add_argument(
        "--ppo-samples", type=int, default=2048 * PPO_ENVS, help="env-steps per PPO update (SB3's n_steps=2048 x 8)"
    )
    parser.add_argument("--torch-threads", type=int, default=1, help="torch.set_num_threads for the MLP and PPO")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma list of {', '.join(SECTIONS)}")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.sync_sizes, args.policy_envs, args.memory_envs = [1, 8], [8], 8, 256
        args.thread_sizes, args.kernel_sizes, args.start_repeats, args.county_sizes = [8], [1, 8], 1, [16]
        args.repeats, args.seconds, args.ppo_repeats, args.ppo_envs, args.ppo_samples = 1, 0.01, 1, [PPO_ENVS], 128
    args.sections = [s for s in args.sections.split(",") if s]
    unknown = sorted(set(args.sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; allowed: {', '.join(SECTIONS)}")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    gym.logger.min_level = gym.logger.ERROR  # the env checkers' first-step warnings are not results
    if "ppo" in args.sections or "policy" in args.sections:
        import torch

        torch.set_num_threads(args.torch_threads)
    # SB3's PPO defaults (batch_size, n_epochs), shortened in --quick runs; both sides share them.
    ppo_kwargs = {"batch_size": 64, "n_epochs": 1 if args.quick else 10}
    rec = Recorder(args.repeats, args.seconds)
    memory = kernel = start = None
    started = time.perf_counter()
    for section in args.sections:
        print(f"[{time.perf_counter() - started:6.1f}s] {section}", file=sys.stderr, flush=True)
        if section == "single":
            bench_single(rec)
        elif section == "vector":
            bench_vector(rec, args.sizes)
        elif section == "threads":
            bench_vector(rec, args.thread_sizes, parallel=True)
        elif section == "kernel":
            kernel = bench_kernel(rec, args.kernel_sizes)
        elif section == "start":
            start = bench_start(args.start_repeats, compile_all=not args.quick)
        elif section == "sync":
            bench_sync(rec, args.sync_sizes)
        elif section == "policy":
            bench_policy(rec, args.policy_envs)
        elif section == "ppo":
            bench_ppo(rec, args.ppo_envs, args.ppo_samples, ppo_kwargs, args.ppo_repeats)
        elif section == "county":
            bench_county(rec, args.county_sizes, args.county_villages)
        elif section == "memory":
            memory = bench_memory(args.memory_envs, steps=3 if args.quick else 20)
    result: dict[str, Any] = {
        "meta": {
            "date": datetime.date.today().isoformat(),
            "nproc": _nproc(),
            "machine": f"{platform.system()} {platform.machine()}",
            "versions": _versions(),
            "repeats": args.repeats,
            "ppo_repeats": args.ppo_repeats,
            "seconds_per_timing": args.seconds,
            "torch_threads": args.torch_threads,
            "ppo": {
                **ppo_kwargs,
                "num_envs": args.ppo_envs,
                "samples_per_update": args.ppo_samples,
                "policy": "MlpPolicy",
            },
            "command": " ".join(["python benchmarks/throughput.py", *argv]),
        },
        "measurements": rec.measurements,
        "ratios": rec.ratios,
    }
    if memory is not None:
        result["memory"] = memory
    if kernel is not None:
        result["kernel"] = {key: m["ours"] for key, m in kernel.items()}
    if start is not None:
        result["start"] = start
    result["targets"] = check_targets(result)
    print(markdown(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()

"""Wall time of the user-facing jobs on two commits, measured side by side in one run.

    python benchmarks/before_after.py                      # numpy core (b019fec) against HEAD
    python benchmarks/before_after.py --jobs evaluate --repeats 5
    python benchmarks/before_after.py --base <commit> --head <commit>

Each commit is checked out into a temporary git worktree (removed afterwards) and every job
runs there with this Python (the same virtualenv, so the same libraries), the two commits
interleaved within each repeat (alternating which goes first) so that the load of a shared
machine hits both. Before the timed repeats, each tree runs ``evaluate.py`` once untimed and
compiles every kernel entry point (``compile_kernel``, where the tree has one): numba caches
the kernel, the threaded loop the sweep takes included, and Python writes its bytecode. The jobs:

- ``evaluate``: ``python evaluate.py --no-plots`` (gl-bench-v1: the scripted policies x 3
  scenarios x 1000 episodes; a fresh worktree holds no trained run, so no PPO policy);
- ``sweep``: ``python -m gl_env.sweep`` on the default grid (or ``--sweep-args``), heatmaps included.

Reported: the median [min, max] seconds of each job on each commit, the speed-up
(base / head, median of the per-repeat ratios), and whether the two commits wrote the same
result files (``results.csv``, ``cells.csv``): a speed-up compares like with like only where the
model is the same (the default base, the numpy core, runs dynamics v0: against a head on
dynamics v1 the result files differ, and the speed-up is only indicative).
"""

from __future__ import annotations

import argparse
import filecmp
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The last commit of main with the numpy core (before the compiled kernel was merged).
NUMPY_CORE = "b019fec"
JOBS = {
    "evaluate": (["evaluate.py", "--no-plots"], "results.csv"),
    "sweep": (["-m", "gl_env.sweep"], "cells.csv"),
}


_COMPILE_ALL = """
try:
    from gl_env.core.batch import compile_kernel
except ImportError:
    pass
else:
    compile_kernel()
"""


def _worktree(commit: str, where: Path) -> Path:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), commit],
                   check=True, capture_output=True)  # fmt: skip
    return where


def _run(tree: Path, args: list[str], out: Path) -> float:
    command = [sys.executable, *args, "--out", str(out)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=tree, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{shlex.join(command)} failed in {tree}:\n{done.stderr[-2000:]}")
    return seconds


def _summary(values: list[float]) -> str:
    return f"{statistics.median(values):.3g} [{min(values):.3g}, {max(values):.3g}]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=NUMPY_CORE, help=f"the commit before (default {NUMPY_CORE}, the numpy core)")
    parser.add_argument("--head", default="HEAD", help="the commit after (default HEAD)")
    parser.add_argument("--jobs", default="evaluate,sweep", help=f"comma list of {', '.join(JOBS)}")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repeats of each job (>= 1)")
    parser.add_argument("--sweep-args", default="", help="extra arguments of the sweep job, e.g. '--iterations 10'")
    args = parser.parse_args(argv)
    jobs = [job.strip() for job in args.jobs.split(",") if job.strip()]
    unknown = sorted(set(jobs) - set(JOBS))
    if unknown or not jobs:
        parser.error(f"--jobs {args.jobs!r}: each must be one of {', '.join(JOBS)}")
    if args.repeats < 1:
        parser.error(f"--repeats {args.repeats} must be >= 1")
    commands = {job: (JOBS[job][0] + (shlex.split(args.sweep_args) if job == "sweep" else []), JOBS[job][1])
                for job in jobs}  # fmt: skip

    # A terminated run still removes its worktrees (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated; removing the worktrees"))
    with tempfile.TemporaryDirectory(prefix="gl_env-before-after-") as scratch:
        scratch_dir = Path(scratch)
        trees = {}
        try:
            for side, commit in (("base", args.base), ("head", args.head)):
                trees[side] = _worktree(commit, scratch_dir / side)
            for side, tree in trees.items():  # warm-up: compile and cache the kernel, write bytecode
                _run(tree, JOBS["evaluate"][0], scratch_dir / f"warmup-{side}")
                # Every entry point, the parallel loop the sweep takes included (a tree without a
                # compiled kernel, the numpy core, has nothing to compile).
                subprocess.run([sys.executable, "-c", _COMPILE_ALL], cwd=tree, check=True, capture_output=True)
            rows = []
            for job, (job_args, result) in commands.items():
                times: dict[str, list[float]] = {"base": [], "head": []}
                for repeat in range(args.repeats):
                    order = ("base", "head") if repeat % 2 == 0 else ("head", "base")
                    for side in order:
                        out = scratch_dir / f"{job}-{side}-{repeat}"
                        times[side].append(_run(trees[side], job_args, out))
                same = filecmp.cmp(scratch_dir / f"{job}-base-0" / result, scratch_dir / f"{job}-head-0" / result,
                                   shallow=False)  # fmt: skip
                ratios = [b / h for b, h in zip(times["base"], times["head"], strict=True)]
                rows.append((job_args, times, statistics.median(ratios), min(ratios), max(ratios), same, result))
        finally:
            for tree in trees.values():
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                               capture_output=True)  # fmt: skip

    print(f"Measured {time.strftime('%Y-%m-%d')} with `python benchmarks/before_after.py "
          f"{shlex.join(argv if argv is not None else sys.argv[1:])}`: {args.base} (before) against {args.head} "
          f"(after), median [min, max] of {args.repeats} interleaved repeats, seconds of wall time.\n")  # fmt: skip
    print("| job | before | after | speed-up (before / after) | same result file |")
    print("|---|---|---|---|---|")
    for job_args, times, ratio, low, high, same, result in rows:
        agree = "identical" if same else "differs"
        print(f"| `python {shlex.join(job_args)}` | {_summary(times['base'])} s | {_summary(times['head'])} s | "
              f"**{ratio:.2f}x** [{low:.2f}, {high:.2f}] | {result}: {agree} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

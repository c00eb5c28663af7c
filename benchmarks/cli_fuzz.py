"""Fuzz the five command-line apps with bad input and interrupts; count how each ends.

    .venv/bin/python benchmarks/cli_fuzz.py                 # every case: a table, then the counts
    .venv/bin/python benchmarks/cli_fuzz.py --only train.py # one command's cases

Each case runs a command as a user would (a subprocess in a fresh temporary folder) with a bad
path (not a folder, under a file, a read-only file system, someone else's folder, the working
folder), a bad value, a corrupted file, or a Ctrl-C (SIGINT) once the command has said it started its
work, and is counted as:

- ``clean``: exit status 2 with a message (or 130 after Ctrl-C; the game shows the results so
  far and exits 0; a bad answer in the game is asked again), no traceback;
- ``silent``: the bad input was accepted (exit status 0), or a Ctrl-C was ignored;
- ``traceback``: a Python traceback, or any other ending (killed, hung past the time limit).

The target is 0 silent and 0 tracebacks. Runs as root cannot make a folder unwritable with
``chmod``; ``/proc`` stands in for a read-only file system. The budgets are tiny, so a bad input
that is wrongly accepted ends quickly too.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
COMMANDS = {
    "train.py": [PYTHON, str(ROOT / "train.py")],
    "evaluate.py": [PYTHON, str(ROOT / "evaluate.py")],
    "sweep": [PYTHON, "-m", "gl_env.sweep"],
    "play": [PYTHON, "-m", "gl_env.play"],
    "calibration": [PYTHON, "-m", "gl_env.calibration"],
}
TRAIN = ["--timesteps", "1024", "--num-envs", "4", "--eval-freq", "512", "--eval-episodes", "8",
         "--checkpoint-freq", "512", "--no-progress"]  # fmt: skip
LONG_TRAIN = ["--timesteps", "400000", "--num-envs", "4", "--eval-freq", "100000", "--eval-episodes", "8"]
EVALUATE = ["--episodes", "3", "--scenario", "reform", "--no-plots"]
SWEEP = ["--grid", "audit_probability=0.05,1", "--iterations", "1", "--population", "4", "--seeds", "2",
         "--eval-seeds", "4"]  # fmt: skip
TIMEOUT_S = 180


@dataclass(frozen=True)
class Case:
    """One run: ``args`` (``{tmp}`` is the case's folder, ``{base}`` a trained run's copy in it)."""

    command: str
    name: str
    args: tuple[str, ...]
    setup: Callable[[Path], None] | None = None
    stdin: bytes = b""
    interrupt: str | float | None = None  # SIGINT after this text appears on stdout, or after seconds
    expect: str = "error"  # "interrupt", or "reprompt" (the game asks again, then the input ends)


# --- set-ups ----------------------------------------------------------------------------------------
BASE_RUN: Path | None = None  # a tiny trained run, copied into each case that damages one


def _file(tmp: Path) -> None:
    (tmp / "file").write_text("not a folder")


def _foreign(tmp: Path) -> None:
    (tmp / "thesis").mkdir()
    (tmp / "thesis" / "thesis.tex").write_text("\\documentclass{article}")


def _run_copy(damage: Callable[[Path], None] | None = None) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        shutil.copytree(BASE_RUN, tmp / "run")
        if damage is not None:
            damage(tmp / "run")

    return setup


def _edit_config(**edit: object) -> Callable[[Path], None]:
    def damage(run: Path) -> None:
        config = json.loads((run / "config.json").read_text())
        (run / "config.json").write_text(json.dumps({**config, **edit}))

    return damage


def _write(name: str, content: bytes) -> Callable[[Path], None]:
    def damage(run: Path) -> None:
        (run / name).write_bytes(content)

    return damage


def _all_checkpoints_empty(run: Path) -> None:
    for path in (run / "checkpoints").glob("model_*_steps.zip"):
        path.write_bytes(b"")


def _yaml(text: str) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        (tmp / "h.yml").write_text(text)

    return setup


def _results(tmp: Path) -> None:
    (tmp / "c").mkdir()
    for name in ("calibration.csv", "calibration.json", "calibration.png"):
        (tmp / "c" / name).write_text("earlier")


# --- the cases --------------------------------------------------------------------------------------
def cases() -> list[Case]:
    t = "train.py"
    train = [
        Case(t, "output under a file", ("--output", "{tmp}/file/run", *TRAIN), _file),
        Case(t, "output is a file", ("--output", "{tmp}/file", *TRAIN), _file),
        Case(t, "output on a read-only file system", ("--output", "/proc/gl_env_fuzz", *TRAIN)),
        Case(t, "output in /dev/full", ("--output", "/dev/full/run", *TRAIN)),
        Case(t, "overwrite someone's folder", ("--output", "{tmp}/thesis", "--overwrite", *TRAIN), _foreign),
        Case(t, "overwrite the working folder", ("--output", ".", "--overwrite", *TRAIN), _foreign),
        Case(t, "overwrite the parent folder", ("--output", "..", "--overwrite", *TRAIN), _foreign),
        Case(t, "output empty string", ("--output", "", *TRAIN), _foreign),
        Case(t, "existing run without --overwrite", ("--output", "{tmp}/run", *TRAIN), _run_copy()),
        Case(t, "resume: no such folder", ("--output", "{tmp}/none", "--resume", *TRAIN)),
        Case(t, "resume: output is a file", ("--output", "{tmp}/file", "--resume", *TRAIN), _file),
        Case(t, "threads 0", ("--output", "{tmp}/r", "--threads", "0", *TRAIN)),
        Case(t, "threads -3", ("--output", "{tmp}/r", "--threads", "-3", *TRAIN)),
        Case(t, "threads huge", ("--output", "{tmp}/r", "--threads", "100000", *TRAIN)),
        Case(t, "device banana", ("--output", "{tmp}/r", "--device", "banana", *TRAIN)),
        Case(t, "device cuda (absent)", ("--output", "{tmp}/r", "--device", "cuda:3", *TRAIN)),
        Case(t, "timesteps 0", ("--output", "{tmp}/r", *TRAIN, "--timesteps", "0")),
        Case(t, "timesteps not a number", ("--output", "{tmp}/r", *TRAIN, "--timesteps", "1e3x")),
        Case(t, "num-envs 0", ("--output", "{tmp}/r", *TRAIN, "--num-envs", "0")),
        Case(t, "num-envs huge", ("--output", "{tmp}/r", *TRAIN, "--num-envs", "500000")),
        Case(t, "eval-episodes huge", ("--output", "{tmp}/r", *TRAIN, "--eval-episodes", "1000000")),
        Case(t, "eval-freq 0", ("--output", "{tmp}/r", *TRAIN, "--eval-freq", "0")),
        Case(t, "checkpoint-freq -1", ("--output", "{tmp}/r", *TRAIN, "--checkpoint-freq", "-1")),
        Case(t, "seed -1", ("--output", "{tmp}/r", "--seed", "-1", *TRAIN)),
        Case(t, "seed beyond the training range", ("--output", "{tmp}/r", "--seed", "10000000", *TRAIN)),
        Case(t, "unknown parameter", ("--output", "{tmp}/r", "--set", "audit_probabilty=0.3", *TRAIN)),
        Case(t, "parameter NaN", ("--output", "{tmp}/r", "--set", "audit_probability=NaN", *TRAIN)),
        Case(t, "parameter out of range", ("--output", "{tmp}/r", "--set", "audit_probability=7", *TRAIN)),
        Case(t, "reward weight NaN", ("--output", "{tmp}/r", "--reward", "welfare=nan", *TRAIN)),
        Case(t, "reward unknown preset", ("--output", "{tmp}/r", "--reward", "saint", *TRAIN)),
        Case(t, "hyperparams missing", ("--output", "{tmp}/r", "--hyperparams", "{tmp}/none.yml", *TRAIN)),
        Case(t, "hyperparams a folder", ("--output", "{tmp}/r", "--hyperparams", "{tmp}", *TRAIN)),
        Case(
            t,
            "hyperparams not YAML",
            ("--output", "{tmp}/r", "--hyperparams", "{tmp}/h.yml", *TRAIN),
            _yaml("gl_env/GreatLeap-v1: [unclosed\n"),
        ),
        Case(
            t,
            "hyperparams a list",
            ("--output", "{tmp}/r", "--hyperparams", "{tmp}/h.yml", *TRAIN),
            _yaml("- 1\n- 2\n"),
        ),
        Case(
            t,
            "hyperparams bad value",
            ("--output", "{tmp}/r", "--hyperparams", "{tmp}/h.yml", *TRAIN),
            _yaml("gl_env/GreatLeap-v1:\n  n_timesteps: 512\n  learning_rate: fast\n"),
        ),
        Case(
            t,
            "hyperparams gamma 2",
            ("--output", "{tmp}/r", "--hyperparams", "{tmp}/h.yml", *TRAIN),
            _yaml("gl_env/GreatLeap-v1:\n  n_timesteps: 512\n  gamma: 2\n"),
        ),
        Case(
            t,
            "hyperparams unknown key",
            ("--output", "{tmp}/r", "--hyperparams", "{tmp}/h.yml", *TRAIN),
            _yaml("gl_env/GreatLeap-v1:\n  n_timesteps: 512\n  learnin_rate: 0.1\n"),
        ),
        Case(
            t,
            "resume: config.json garbage",
            ("--output", "{tmp}/run", "--resume", "--timesteps", "2048"),
            _run_copy(_write("config.json", b"\x00\xffgarbage")),
        ),
        Case(
            t,
            "resume: config.json a list",
            ("--output", "{tmp}/run", "--resume", "--timesteps", "2048"),
            _run_copy(_write("config.json", b"[1, 2]")),
        ),
        Case(
            t,
            "resume: config eval seeds",
            ("--output", "{tmp}/run", "--resume", "--timesteps", "2048"),
            _run_copy(_edit_config(eval_seeds=[1_000_000])),
        ),
        Case(
            t,
            "resume: config algorithm",
            ("--output", "{tmp}/run", "--resume", "--timesteps", "2048"),
            _run_copy(_edit_config(algo="a2c")),
        ),
        Case(
            t,
            "resume: config unknown algorithm",
            ("--output", "{tmp}/run", "--resume", "--timesteps", "2048"),
            _run_copy(_edit_config(algo="foo")),
        ),
        Case(
            t,
            "resume: config negative seed",
            ("--output", "{tmp}/run", "--resume", "--timesteps", "2048"),
            _run_copy(_edit_config(seed=-1)),
        ),
        Case(
            t,
            "resume: every checkpoint empty",
            ("--output", "{tmp}/run", "--resume", "--timesteps", "2048"),
            _run_copy(_all_checkpoints_empty),
        ),
        Case(
            t,
            "resume: evaluations.csv garbage",
            ("--output", "{tmp}/run", "--resume", "--timesteps", "2048"),
            _run_copy(_write("evaluations.csv", b"\x89PNG garbage\n1,2,3\n")),
        ),
        Case(t, "resume: fewer timesteps", ("--output", "{tmp}/run", "--resume", "--timesteps", "512"), _run_copy()),
        Case(t, "resume: changed flag", ("--output", "{tmp}/run", "--resume", "--algo", "a2c"), _run_copy()),
        Case(
            t, "Ctrl-C while training", ("--output", "{tmp}/r", *LONG_TRAIN), interrupt="train.py: ", expect="interrupt"
        ),
    ]
    e = "evaluate.py"
    evaluate = [
        Case(e, "out under a file", ("--out", "{tmp}/file/b", *EVALUATE), _file),
        Case(e, "out is a file", ("--out", "{tmp}/file", *EVALUATE), _file),
        Case(e, "out on a read-only file system", ("--out", "/proc/gl_env_fuzz", *EVALUATE)),
        Case(e, "overwrite someone's folder", ("--out", "{tmp}/thesis", "--overwrite", *EVALUATE), _foreign),
        Case(e, "overwrite the working folder", ("--out", ".", "--overwrite", *EVALUATE), _foreign),
        Case(e, "episodes 0", (*EVALUATE, "--episodes", "0")),
        Case(e, "episodes huge", (*EVALUATE, "--episodes", "1000000000")),
        Case(e, "unknown policy", (*EVALUATE, "--policy", "saint")),
        Case(e, "unknown scenario", (*EVALUATE, "--scenario", "utopia")),
        Case(e, "unknown protocol", (*EVALUATE, "--protocol", "gl-bench-v9")),
        Case(
            e,
            "run with garbage config.json",
            (*EVALUATE, "--policy", "{tmp}/run"),
            _run_copy(_write("config.json", b"{not json")),
        ),
        Case(
            e,
            "run with an empty best model",
            (*EVALUATE, "--policy", "{tmp}/run"),
            _run_copy(_write("best_model.zip", b"")),
        ),
        Case(
            e,
            "run with a truncated best model",
            (*EVALUATE, "--policy", "{tmp}/run"),
            _run_copy(lambda run: (run / "best_model.zip").write_bytes((run / "best_model.zip").read_bytes()[:900])),
        ),
        Case(e, "readme missing", (*EVALUATE, "--readme", "{tmp}/none.md")),
        Case(e, "readme a folder", (*EVALUATE, "--readme", "{tmp}")),
        Case(
            e,
            "Ctrl-C while evaluating",
            ("--out", "{tmp}/b", "--episodes", "1000"),
            interrupt="playing",
            expect="interrupt",
        ),
    ]
    s = "sweep"
    sweep = [
        Case(s, "out under a file", ("--out", "{tmp}/file/s", *SWEEP), _file),
        Case(s, "out is a file", ("--out", "{tmp}/file", *SWEEP), _file),
        Case(s, "out on a read-only file system", ("--out", "/proc/gl_env_fuzz", *SWEEP)),
        Case(s, "overwrite someone's folder", ("--out", "{tmp}/thesis", "--overwrite", *SWEEP), _foreign),
        Case(s, "overwrite the working folder", ("--out", ".", "--overwrite", *SWEEP), _foreign),
        Case(s, "grid value NaN", (*SWEEP, "--out", "{tmp}/s", "--grid", "growth_credit=nan,1")),
        Case(s, "grid value inf", (*SWEEP, "--out", "{tmp}/s", "--grid", "growth_credit=0,inf")),
        Case(s, "grid not a parameter", (*SWEEP, "--out", "{tmp}/s", "--grid", "audits=0,1")),
        Case(s, "grid malformed", (*SWEEP, "--out", "{tmp}/s", "--grid", "audit_probability")),
        Case(s, "iterations -1", (*SWEEP, "--out", "{tmp}/s", "--iterations", "-1")),
        Case(s, "population huge", (*SWEEP, "--out", "{tmp}/s", "--population", "100000")),
        Case(s, "seeds 0", (*SWEEP, "--out", "{tmp}/s", "--seeds", "0")),
        Case(s, "eval-seeds huge", (*SWEEP, "--out", "{tmp}/s", "--eval-seeds", "5000000")),
        Case(s, "seed beyond the training range", (*SWEEP, "--out", "{tmp}/s", "--seed", "999999")),
        Case(s, "elite share NaN", (*SWEEP, "--out", "{tmp}/s", "--elite-share", "nan")),
        Case(s, "unknown lever", (*SWEEP, "--out", "{tmp}/s", "--levers", "steel")),
        Case(s, "unknown reward", (*SWEEP, "--out", "{tmp}/s", "--reward", "saint")),
        Case(s, "Ctrl-C while searching", ("--out", "{tmp}/s"), interrupt="iteration 1/", expect="interrupt"),
    ]
    p = "play"
    play = [
        Case(p, "seed -1", ("--seed", "-1")),
        Case(p, "seed 2**63", ("--seed", str(2**63))),
        Case(p, "seed 2**64", ("--seed", str(2**64))),
        Case(p, "years 0", ("--years", "0")),
        Case(p, "years 6", ("--years", "6")),
        Case(p, "unknown scenario", ("--scenario", "utopia")),
        Case(p, "seed not a number", ("--seed", "abc")),
        Case(p, "Ctrl-C while starting", ("--years", "1"), interrupt="[", expect="interrupt"),
        Case(p, "Ctrl-C at the first question", ("--years", "1"), interrupt="]: ", expect="interrupt"),
        Case(p, "answers not UTF-8", ("--years", "1"), stdin=b"\xff\xfe\n\xc3\x28\n" * 3, expect="reprompt"),
        Case(p, "answers out of range", ("--years", "1"), stdin=b"-5\n1e999\nnan\n" * 3, expect="reprompt"),
    ]
    c = "calibration"
    calibration = [
        Case(c, "out under a file", ("{tmp}/file/c", "--seeds", "3"), _file),
        Case(c, "out is a file", ("{tmp}/file", "--seeds", "3"), _file),
        Case(c, "out on a read-only file system", ("/proc/gl_env_fuzz", "--seeds", "3")),
        Case(c, "earlier results without --overwrite", ("{tmp}/c", "--seeds", "3"), _results),
        Case(c, "seeds 0", ("{tmp}/c", "--seeds", "0")),
        Case(c, "seeds -5", ("{tmp}/c", "--seeds", "-5")),
        Case(c, "seeds huge", ("{tmp}/c", "--seeds", "1000000000")),
        Case(c, "seeds not a number", ("{tmp}/c", "--seeds", "many")),
        Case(
            c, "Ctrl-C while simulating", ("{tmp}/c", "--seeds", "100000"), interrupt="simulating", expect="interrupt"
        ),
    ]
    return train + evaluate + sweep + play + calibration


# --- running and judging ----------------------------------------------------------------------------
def run_case(case: Case, tmp: Path) -> tuple[int | None, str, str]:
    """Run ``case`` in ``tmp``; returns the exit status (None: hung), stdout and stderr."""
    if case.setup is not None:
        case.setup(tmp)
    argv = [*COMMANDS[case.command], *(a.format(tmp=tmp) for a in case.args)]
    process = subprocess.Popen(
        argv, cwd=tmp, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        # A harness started in the background inherits SIGINT ignored; a user's terminal sends it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    if case.interrupt is None:
        try:
            out, err = process.communicate(case.stdin, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            return None, out.decode(errors="replace"), err.decode(errors="replace")
        return process.returncode, out.decode(errors="replace"), err.decode(errors="replace")
    seen = b""
    deadline = time.monotonic() + TIMEOUT_S
    if isinstance(case.interrupt, float):
        time.sleep(case.interrupt)
    else:
        while case.interrupt.encode() not in seen and time.monotonic() < deadline and process.poll() is None:
            ready, _, _ = select.select([process.stdout], [], [], 1.0)
            if ready:
                seen += os.read(process.stdout.fileno(), 65536)
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        return None, (seen + out).decode(errors="replace"), err.decode(errors="replace")
    return process.returncode, (seen + out).decode(errors="replace"), err.decode(errors="replace")


def judge(case: Case, code: int | None, out: str, err: str) -> str:
    if code is None or "Traceback (most recent call last)" in out + err:
        return "traceback"
    if case.expect == "reprompt":
        return "clean" if code == 0 and "Please" in out else "silent"
    if case.expect == "interrupt":
        ok = (0, 130) if case.command == "play" else (130,)
        return "clean" if code in ok else ("silent" if code == 0 else "traceback")
    if code == 0:
        return "silent"
    return "clean" if code == 2 and err.strip() else "traceback"


def message(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    return lines[-1][:150] if lines else ""


def main(argv: list[str] | None = None) -> int:
    global BASE_RUN
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=list(COMMANDS), help="run one command's cases")
    args = parser.parse_args(argv)
    selected = [c for c in cases() if args.only in (None, c.command)]
    counts: dict[str, Counter] = {}
    with tempfile.TemporaryDirectory(prefix="gl_env_fuzz_") as root:
        BASE_RUN = Path(root) / "base"
        trained = subprocess.run([*COMMANDS["train.py"], "--output", str(BASE_RUN), *TRAIN], capture_output=True)
        if trained.returncode != 0:
            sys.exit(f"could not train the base run: {trained.stderr.decode()[-500:]}")
        started = time.perf_counter()
        for i, case in enumerate(selected):
            tmp = Path(root) / f"case{i}"
            tmp.mkdir()
            code, out, err = run_case(case, tmp)
            verdict = judge(case, code, out, err)
            counts.setdefault(case.command, Counter())[verdict] += 1
            print(f"{verdict:9s} {case.command:11s} {case.name:38s} exit {code}: {message(err)}", flush=True)
            shutil.rmtree(tmp, ignore_errors=True)
    total: Counter = sum(counts.values(), Counter())
    print(f"\n{len(selected)} cases in {time.perf_counter() - started:.0f} s")
    print(f"{'command':12s} {'clean':>6s} {'silent':>7s} {'traceback':>10s}")
    for command, count in [*counts.items(), ("all", total)]:
        print(f"{command:12s} {count['clean']:6d} {count['silent']:7d} {count['traceback']:10d}")
    return 0 if total["silent"] == total["traceback"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Train a stable-baselines3 cadre on gl_env.

    python train.py                                   # PPO, careerist reward, historical-1958
    python train.py --scenario reform --output runs/reform
    python train.py --algo sac --reward welfare=1,honesty=0.5 --set audit_probability=0.3
    python train.py --output runs/default --resume    # continue from the latest checkpoint
    python train.py --role planner --responder best_response --cadre runs/sweep-historical-1958
    python train.py --role alternate --rounds 3       # cadre, then planner, three times
    python train.py --county 8 --output runs/county   # one policy for every cadre of counties of 8 (county-1958)

``--role planner`` and ``--role alternate`` train the state (:mod:`gl_env.planner_runs`; their
flags: ``python train.py --role planner --help``); the rest of this docstring is the cadre's.

The run folder holds ``config.json`` (everything needed to rebuild the environment, read by
``evaluate.py``), ``best_model.zip`` (best mean return on held-out evaluation seeds),
``final_model.zip``, ``checkpoints/``, ``evaluations.csv`` (the learning curve) and
``tensorboard/`` (``tensorboard --logdir <run>/tensorboard``: every reward component and the
honesty and famine metrics of training episodes and of each evaluation).

``--county N`` trains parameter-shared PPO (or any algorithm) over every cadre of
``num_envs / N`` counties of N villages (:mod:`gl_env.county.training`): ``--scenario`` is then a
county scenario (default ``county-1958``), ``--set`` takes county fields too, ``--num-envs``
counts cadres and ``--eval-episodes`` held-out counties.

Seeds (:mod:`gl_env.seeds`): training villages are seeded from ``seed * num_envs`` upward in
the training range; the held-out evaluation that picks the best model plays the held-out range
(900000 and up); neither touches the benchmark's evaluation seeds (1000000 and up).

Every file is written atomically (:mod:`gl_env.files`), so a kill or a full disk never leaves
a truncated checkpoint; ``--resume`` skips an unreadable newest checkpoint with a warning, cuts
the learning curve (and the best model) back to the checkpoint it continues from, and refuses
while another process trains in the folder. Ctrl-C saves a checkpoint, says where, and exits
with status 130.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import csv
import dataclasses
import inspect
import json
import os
import re
import shutil
import sys
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import gl_env
from gl_env import files, metrics, planner_runs
from gl_env.agents.learned import (
    ALGORITHM_ACTIONS,
    ALGORITHMS,
    CONFIG_FILE,
    ENV_IDS,
    LearnedPolicy,
    RunConfig,
    algorithm_class,
)
from gl_env.output_folders import FolderKind, check_writable, is_empty, locked
from gl_env.rewards import REWARD_PRESETS, REWARD_TERMS, resolve_weights
from gl_env.scenarios import SCENARIOS, make_params
from gl_env.seeds import HELD_OUT, TRAINING

HYPERPARAMS_DIR = Path(__file__).resolve().parent / "hyperparams"
CHECKPOINT_PATTERN = re.compile(r"model_(\d+)_steps\.zip$")
BEST_PATTERN = re.compile(r"best_model_(\d+)_steps\.zip$")
# Algorithms with a replay buffer, saved beside each checkpoint.
OFF_POLICY = ("sac", "td3", "dqn")
# What a run folder holds: --overwrite replaces only a folder holding config.json and nothing else.
RUN_FOLDER = FolderKind(
    "train.py", CONFIG_FILE, ("best_model.zip", "final_model.zip", "checkpoints", "evaluations.csv", "tensorboard")
)
# Without a terminal (a file, a pipe) a progress line is printed every this share of the steps.
PROGRESS_EVERY = 0.05
INTERRUPTED = 130  # the shell's status for a process ended by SIGINT
MAX_ENVS = 65_536  # villages stepped at once: beyond this the batch outgrows a machine's memory


class UsageError(Exception):
    """A problem with the command line: reported in one line, exit status 2."""


@dataclass(frozen=True)
class Args:
    """The parsed command line (see ``python train.py --help``)."""

    algo: str
    scenario: str
    reward: str
    set: list[str]
    timesteps: int | None
    num_envs: int | None
    seed: int
    device: str
    threads: int
    output: Path
    overwrite: bool
    resume: bool
    eval_freq: int
    eval_episodes: int
    checkpoint_freq: int
    hyperparams: Path | None
    progress: bool
    role: str = "cadre"
    county: int = 0
    given: frozenset[str] = frozenset()  # the flags written on the command line (their dest names)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="train.py",
        description="Train a stable-baselines3 cadre on gl_env (defaults: PPO, careerist reward, historical-1958).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--role",
        choices=planner_runs.ROLES,
        default="cadre",
        help="cadre: train a cadre (the flags below); planner, alternate: train the state (--role planner --help)",
    )
    parser.add_argument(
        "--algo",
        choices=ALGORITHMS,
        default="ppo",
        help="algorithm; sac and td3 need continuous actions, dqn trains on GreatLeapDiscrete-v1",
    )
    parser.add_argument(
        "--scenario",
        default=None,
        help=f"scenario to train on ({', '.join(SCENARIOS)}; default historical-1958), or with --county a county "
        "scenario (county-1958, the default, or county-reform)",
    )
    parser.add_argument(
        "--county",
        type=int,
        default=0,
        metavar="N",
        help="train one policy for every cadre of counties of N villages (gl_env.county; 0: lone villages)",
    )
    parser.add_argument(
        "--reward",
        default="careerist",
        help=f"a preset ({', '.join(REWARD_PRESETS)}) or weights like welfare=1,survival=0.5,honesty=0",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a mechanism parameter, e.g. --set audit_probability=0.3 (repeatable; "
        "VALUE is JSON: a number, a list per year/season, or null)",
    )
    parser.add_argument(
        "--timesteps", type=int, default=None, help="environment steps to train (default: the YAML's n_timesteps)"
    )
    parser.add_argument(
        "--num-envs", type=int, default=None, help="villages stepped in parallel (default: the YAML's n_envs)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the model, the training villages and the run")
    parser.add_argument("--device", default="cpu", help="torch device (cpu, cuda, auto)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads (1 keeps runs reproducible and is fastest for small nets)",
    )
    parser.add_argument("--output", type=Path, default=Path("runs/default"), help="run folder")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace an existing run folder (only one train.py wrote)"
    )
    parser.add_argument("--resume", action="store_true", help="continue the run in --output from its latest checkpoint")
    parser.add_argument("--eval-freq", type=int, default=100_000, help="evaluate every this many environment steps")
    parser.add_argument("--eval-episodes", type=int, default=100, help="held-out episodes per evaluation")
    parser.add_argument(
        "--checkpoint-freq", type=int, default=100_000, help="checkpoint every this many environment steps"
    )
    parser.add_argument(
        "--hyperparams", type=Path, default=None, help="rl-zoo3 style YAML (default: hyperparams/<algo>.yml)"
    )
    parser.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="hide the progress (a bar on a terminal, a line every 5%% otherwise)",
    )
    return parser


def parse_args(argv: Sequence[str] | None = None) -> Args:
    parser = build_parser()
    values = vars(parser.parse_args(argv))
    # The same parser without defaults tells which flags were written (a --resume checks only those).
    for action in parser._actions:
        action.default = argparse.SUPPRESS
    given = frozenset(vars(parser.parse_args(argv)))
    return Args(**values, given=given)


# --- configuration -------------------------------------------------------------------------------
def parse_reward(text: str) -> str | dict[str, float]:
    """A preset name, or ``term=weight,...`` weights."""
    if "=" not in text:
        resolve_weights(text)  # raises naming the presets
        return text
    weights: dict[str, float] = {}
    for item in text.split(","):
        term, _, value = item.partition("=")
        term = term.strip()
        try:
            weights[term] = float(value)
        except ValueError:
            raise UsageError(f"reward weight {term}={value!r} is not a number") from None
    resolve_weights(weights)  # raises naming unknown terms
    return weights


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs, VALUE read as JSON (falls back to the plain string)."""
    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--set {item!r} must look like KEY=VALUE, e.g. audit_probability=0.3")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    return overrides


def load_hyperparams(path: Path, env_id: str) -> dict[str, Any]:
    """The block for ``env_id`` of an rl-zoo3 style YAML file."""
    import yaml

    if not path.is_file():
        raise UsageError(f"hyperparameter file {path} not found")
    try:
        table = yaml.safe_load(path.read_text()) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise UsageError(f"{path} is not valid YAML: {' '.join(str(error).split())}") from None
    if not isinstance(table, dict):
        raise UsageError(f"{path} must map environment ids to hyperparameters; it holds a {type(table).__name__}")
    if env_id not in table:
        raise UsageError(f"{path} has no entry for {env_id}; it has: {', '.join(map(str, table)) or 'none'}")
    if not isinstance(table[env_id], dict):
        raise UsageError(f"{path}: the entry for {env_id} must be a mapping of hyperparameters")
    return dict(table[env_id])


# Hyperparameters SB3 takes without checking their range (a discount of 2 trains, to nonsense).
_HYPER_RANGES = (
    ("gamma", 0.0, 1.0),
    ("gae_lambda", 0.0, 1.0),
    ("tau", 0.0, 1.0),
    ("learning_rate", 1e-12, 1.0),
    ("ent_coef", 0.0, 10.0),
    ("vf_coef", 0.0, 10.0),
    ("max_grad_norm", 0.0, 1e6),
)


def _positive(flag: str, value: Any) -> int:
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        raise UsageError(f"{flag}={value!r} must be a positive integer") from None
    if number < 1 or number != float(value):
        raise UsageError(f"{flag}={value} must be a positive integer")
    return number


def build_config(args: Args) -> RunConfig:
    env_id = ENV_IDS[ALGORITHM_ACTIONS[args.algo]]
    hyper = load_hyperparams(args.hyperparams or HYPERPARAMS_DIR / f"{args.algo}.yml", env_id)
    overrides = parse_overrides(args.set)
    scenario = args.scenario or ("county-1958" if args.county else "historical-1958")
    env_kwargs = {"scenario": scenario, "reward": parse_reward(args.reward), **overrides}
    if not args.county:
        make_params(scenario, **overrides)  # validates every override, naming bad ones
    yaml_envs, yaml_timesteps = hyper.pop("n_envs", 8), hyper.pop("n_timesteps", None)
    num_envs = _positive(
        "--num-envs" if args.num_envs is not None else "n_envs",
        args.num_envs if args.num_envs is not None else yaml_envs,
    )
    if args.timesteps is None and yaml_timesteps is None:
        raise UsageError(f"the hyperparameters for {env_id} set no n_timesteps; pass --timesteps")
    timesteps = _positive(
        "--timesteps" if args.timesteps is not None else "n_timesteps",
        args.timesteps if args.timesteps is not None else yaml_timesteps,
    )
    for flag, value in (
        ("--eval-episodes", args.eval_episodes),
        ("--eval-freq", args.eval_freq),
        ("--checkpoint-freq", args.checkpoint_freq),
    ):
        _positive(flag, value)
    if num_envs > MAX_ENVS:
        raise UsageError(f"--num-envs={num_envs} is out of range; allowed 1 to {MAX_ENVS}")
    if args.seed < 0 or (args.seed + 1) * num_envs > len(TRAINING):
        raise UsageError(f"--seed={args.seed} is out of range; allowed 0 to {len(TRAINING) // num_envs - 1}")
    if args.county:
        from gl_env.county.training import check_county_run, held_out_seeds

        check_county_run(args.county, num_envs, env_kwargs)
        eval_seeds = held_out_seeds(args.eval_episodes, args.county)
    elif args.eval_episodes > len(HELD_OUT):
        raise UsageError(f"--eval-episodes={args.eval_episodes} is out of range; allowed 1 to {len(HELD_OUT)}")
    else:
        eval_seeds = HELD_OUT.block(0, args.eval_episodes, "--eval-episodes").tolist()
    if isinstance(hyper.get("policy_kwargs"), str):
        raise UsageError("policy_kwargs must be a YAML mapping (rl-zoo3's Python-string form is not evaluated here)")
    for name, low, high in _HYPER_RANGES:
        value = hyper.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool) and not low <= value <= high:
            raise UsageError(f"{name}={value} is out of range; allowed [{low}, {high}]")
    accepted = set(inspect.signature(algorithm_class(args.algo)).parameters) | {"policy", "normalize"}
    unknown = sorted(set(hyper) - accepted, key=str)
    if unknown:
        raise UsageError(f"unknown hyperparameter(s) {', '.join(map(str, unknown))} for {args.algo}")
    config = RunConfig(
        algo=args.algo,
        env_id=env_id,
        env_kwargs=env_kwargs,
        seed=args.seed,
        num_envs=num_envs,
        total_timesteps=timesteps,
        hyperparams=hyper,
        eval_seeds=eval_seeds,
        device=args.device,
        gl_env_version=gl_env.__version__,
        county=args.county,
    )
    # What config.json will hold, as it will read back (YAML tuples become lists, and so on).
    return RunConfig(**_as_json(dataclasses.asdict(config)))


def _as_json(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError) as error:
        raise UsageError(f"a setting cannot be stored in {CONFIG_FILE}: {error}") from None


def configure_torch(args: Args, device: str) -> None:
    """Refuse a thread count or a device that torch cannot use (before any folder is made), then set
    the threads and deterministic algorithms (one thread and a fixed seed give the same curve)."""
    import torch

    if not 1 <= args.threads <= 1024:
        raise UsageError(f"--threads={args.threads} is out of range; allowed 1 to 1024")
    try:
        kind = torch.device("cuda" if device == "auto" else device).type
    except (RuntimeError, ValueError):
        raise UsageError(f"--device={device!r} is not a torch device (cpu, cuda, cuda:0, mps, auto)") from None
    available = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": torch.backends.mps.is_available()}
    if device != "auto" and not available.get(kind, False):
        raise UsageError(f"--device={device!r} is not available: torch sees no such device here")
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)


# --- checkpoints ----------------------------------------------------------------------------------
def checkpoint_path(run_dir: Path, steps: int) -> Path:
    return run_dir / "checkpoints" / f"model_{steps}_steps.zip"


def checkpoints_newest_first(run_dir: Path, pattern: re.Pattern[str] = CHECKPOINT_PATTERN) -> list[tuple[int, Path]]:
    found = [
        (int(m.group(1)), p) for p in (run_dir / "checkpoints").glob("*_steps.zip") if (m := pattern.fullmatch(p.name))
    ]
    return sorted(found, reverse=True)


def checkpoint_steps(checkpoint: Path) -> int:
    return int(CHECKPOINT_PATTERN.search(checkpoint.name).group(1))


def replay_buffer_of(checkpoint: Path) -> Path:
    """The replay buffer saved beside ``checkpoint`` (off-policy algorithms)."""
    return checkpoint.with_name(f"model_replay_buffer_{checkpoint_steps(checkpoint)}_steps.pkl")


def save_checkpoint(model: Any, run_dir: Path, off_policy: bool) -> Path:
    """Save ``model`` (and its replay buffer) as the checkpoint of its step count, atomically.

    The buffer goes first: a checkpoint a resume can see always has its buffer beside it.
    """
    path = checkpoint_path(run_dir, model.num_timesteps)
    path.parent.mkdir(exist_ok=True)
    if off_policy:
        with files.atomic_path(replay_buffer_of(path)) as temporary:
            model.save_replay_buffer(temporary)
    with files.atomic_path(path) as temporary:
        model.save(temporary)
    return path


# Hyperparameters each algorithm stores in its zip and the others do not (checked in this order).
_ZIP_SIGNATURES = (
    ("dqn", "exploration_fraction"),
    ("td3", "policy_delay"),
    ("sac", "target_entropy"),
    ("ppo", "clip_range"),
    ("a2c", "gae_lambda"),
)


def zip_algorithm(path: Path) -> str:
    """The algorithm an SB3 zip was saved by; ``ValueError`` if the file is not a readable SB3 zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            data = json.loads(archive.read("data"))
    except (zipfile.BadZipFile, KeyError, OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"not a readable model ({error})") from None
    for algo, key in _ZIP_SIGNATURES:
        if key in data:
            return algo
    raise ValueError("not a stable-baselines3 model of a known algorithm")


def load_checkpoint(config: RunConfig, run_dir: Path, env: Any) -> Any:
    """The newest checkpoint that loads, with its replay buffer; unreadable ones are skipped with a warning."""
    found = checkpoints_newest_first(run_dir)
    if not found:
        raise UsageError(f"--resume: {run_dir / 'checkpoints'} holds no checkpoint")
    for _, path in found:
        try:
            algo = zip_algorithm(path)
        except ValueError as error:
            warn(f"skipping {path}: {error}")
            continue
        if algo != config.algo:
            raise UsageError(f"--resume: {path} is a {algo} model but {run_dir / CONFIG_FILE} says {config.algo}")
        try:
            model = algorithm_class(config.algo).load(path, env=env, device=config.device)
            if config.algo in OFF_POLICY:
                model.load_replay_buffer(replay_buffer_of(path))
        except Exception as error:  # a damaged file fails in many ways (zip, pickle, torch); all mean "skip it"
            warn(f"skipping {path}: it does not load ({type(error).__name__}: {' '.join(str(error).split())[:200]})")
            continue
        return model
    raise UsageError(f"--resume: no checkpoint in {run_dir / 'checkpoints'} is readable")


def warn(message: str) -> None:
    print(f"train.py: warning: {message}", file=sys.stderr, flush=True)


# --- the learning curve and the best model --------------------------------------------------------
def read_curve(run_dir: Path) -> list[dict[str, str]]:
    """The rows of a run's ``evaluations.csv`` (none before its first evaluation)."""
    path = run_dir / "evaluations.csv"
    if not path.is_file():
        return []
    try:
        with path.open(newline="") as f:
            rows = list(csv.DictReader(f))
        for row in rows:
            int(row["timesteps"]), float(row["mean_return"])
    except (KeyError, TypeError, ValueError, UnicodeDecodeError, csv.Error):
        raise UsageError(f"{path} is not a learning curve train.py wrote; move it away to resume") from None
    return rows


def write_curve(run_dir: Path, rows: Sequence[dict[str, Any]]) -> None:
    with files.atomic_open(run_dir / "evaluations.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def rewind(run_dir: Path, steps: int) -> None:
    """Cut the learning curve and the best model back to ``steps`` (the checkpoint a resume continues).

    Rows after it belong to a segment the resume discards; the best model is restored to the
    best row kept (each new best is also kept as ``checkpoints/best_model_<steps>_steps.zip``).
    """
    rows = read_curve(run_dir)
    kept = [r for r in rows if int(r["timesteps"]) <= steps]
    if len(kept) < len(rows):
        warn(f"dropping {len(rows) - len(kept)} evaluation(s) after step {steps} from {run_dir / 'evaluations.csv'}")
        if kept:
            write_curve(run_dir, kept)
        else:
            (run_dir / "evaluations.csv").unlink()
    for best_steps, path in checkpoints_newest_first(run_dir, BEST_PATTERN):
        if best_steps > steps:
            path.unlink()
    best = run_dir / "best_model.zip"
    if not kept:
        best.unlink(missing_ok=True)
        return
    best_row = max(kept, key=lambda r: float(r["mean_return"]))  # the first of equal ones, as training kept it
    copy = run_dir / "checkpoints" / f"best_model_{best_row['timesteps']}_steps.zip"
    if copy.is_file():
        with files.atomic_path(best) as temporary:
            shutil.copyfile(copy, temporary)
    elif len(kept) < len(rows):
        warn(f"{best} may come from the discarded steps (no copy of the best model at step {best_row['timesteps']})")


def evaluation_row(timesteps: int, episodes: Any) -> dict[str, float]:
    """Mean return (with a 95% CI half-width), reward components and famine/honesty metrics,
    as :mod:`gl_env.metrics` defines them for the benchmark (means over the episodes)."""
    mean_return = metrics.mean_with_ci(episodes.returns)
    row = {
        "timesteps": timesteps,
        "mean_return": mean_return.mean,
        "return_ci95": mean_return.half_width if mean_return.n > 1 else 0.0,
        "report_ratio": metrics.mean_with_ci(metrics.mean_report_ratio(episodes)).mean,
        "deaths_per_1000_year": metrics.mean_with_ci(metrics.deaths_per_1000_per_year(episodes)).mean,
        "excess_deaths_per_1000": metrics.mean_with_ci(metrics.excess_deaths_per_1000(episodes)).mean,
        "purge_rate": float(metrics.was_purged(episodes).mean()),
    }
    for term, totals in metrics.reward_component_totals(episodes).items():
        row[f"reward_{term}"] = float(totals.mean())
    return row


# --- callbacks ------------------------------------------------------------------------------------
def make_callbacks(config: RunConfig, args: Args, run_dir: Path) -> list[Any]:
    from stable_baselines3.common.callbacks import BaseCallback

    from gl_env.rollout import run_episodes
    from gl_env.sb3 import EPISODE_SUMS

    class EpisodeMetrics(BaseCallback):
        """Logs each training episode's reward components and famine/honesty metrics, summed by the
        adapter in arrays and handed over in the info of the step that ends the episode."""

        def _on_step(self) -> bool:
            for info in self.locals["infos"]:
                metrics = info.get("episode_metrics")
                if metrics is None:
                    continue
                for key in (*(f"reward/{t}" for t in REWARD_TERMS), *EPISODE_SUMS):
                    self.logger.record_mean(f"episode/{key}", metrics[key])
                if metrics["harvest_kg"] > 0:  # no harvest, no report to rate
                    self.logger.record_mean("episode/report_ratio", metrics["reported_kg"] / metrics["harvest_kg"])
                self.logger.record_mean("episode/purged", metrics["purged"])
            return True

    class HeldOutEvaluation(BaseCallback):
        """Every ``eval_freq`` steps: play the held-out seeds on the batched core, log, keep the best."""

        def __init__(self) -> None:
            super().__init__()
            self.rows = read_curve(run_dir)
            self.best = max((float(r["mean_return"]) for r in self.rows), default=-np.inf)
            self.next_eval = (int(self.rows[-1]["timesteps"]) if self.rows else 0) + args.eval_freq

        def _on_rollout_start(self) -> None:
            # A rollout starts right after a policy update: evaluate the updated policy.
            if self.num_timesteps >= self.next_eval:
                self.next_eval += args.eval_freq
                self.evaluate()

        def _on_step(self) -> bool:
            return True

        def _on_training_end(self) -> None:
            self.evaluate()

        def evaluate(self) -> None:
            policy = LearnedPolicy(self.model, config.action_type)
            if config.county:
                from gl_env.county.training import play_held_out

                episodes = play_held_out(
                    policy, config.eval_seeds, config.county, config.action_type, config.env_kwargs
                )
            else:
                episodes = run_episodes(policy, config.eval_seeds, action_type=config.action_type, **config.env_kwargs)
            row = evaluation_row(self.num_timesteps, episodes)
            for key, value in row.items():
                self.logger.record(f"eval/{key}", value)
            self.logger.dump(self.num_timesteps)
            if row["mean_return"] > self.best:
                self.best = row["mean_return"]
                # A copy per new best lets a resume restore the best model of the steps it keeps.
                copy = run_dir / "checkpoints" / f"best_model_{self.num_timesteps}_steps.zip"
                copy.parent.mkdir(exist_ok=True)
                with files.atomic_path(copy) as temporary:
                    self.model.save(temporary)
                with files.atomic_path(run_dir / "best_model.zip") as temporary:
                    shutil.copyfile(copy, temporary)
            self.rows.append(row)
            write_curve(run_dir, self.rows)

    class Checkpoints(BaseCallback):
        """Every ``checkpoint_freq`` steps, an atomic checkpoint (SB3's CheckpointCallback writes in place)."""

        def __init__(self) -> None:
            super().__init__()
            self.every = max(args.checkpoint_freq // config.num_envs, 1)

        def _on_step(self) -> bool:
            if self.n_calls % self.every == 0:
                save_checkpoint(self.model, run_dir, config.algo in OFF_POLICY)
            return True

    class ProgressLines(BaseCallback):
        """Without a terminal: ``train.py: 35% (525,000 of 1,500,000 steps, 42 s)`` every 5% of the steps."""

        def _on_training_start(self) -> None:
            self.started = time.perf_counter()
            self.next = self.mark_after(self.num_timesteps)

        @staticmethod
        def mark_after(steps: int) -> int:
            every = max(round(config.total_timesteps * PROGRESS_EVERY), 1)
            return (steps // every + 1) * every

        def _on_step(self) -> bool:
            if self.num_timesteps >= self.next:
                print(
                    f"train.py: {min(self.num_timesteps / config.total_timesteps, 1.0):.0%} ({self.num_timesteps:,} "
                    f"of {config.total_timesteps:,} steps, {time.perf_counter() - self.started:.0f} s)",
                    flush=True,
                )
                self.next = self.mark_after(self.num_timesteps)
            return True

    callbacks = [EpisodeMetrics(), HeldOutEvaluation(), Checkpoints()]
    if args.progress and not sys.stdout.isatty():
        callbacks.append(ProgressLines())
    return callbacks


# --- main -------------------------------------------------------------------------------------------
@dataclass
class Prepared:
    """A run ready to learn: its configuration, environment and model."""

    config: RunConfig
    env: Any
    model: Any
    resumed: bool


def make_env(config: RunConfig) -> Any:
    if config.county:
        from gl_env.county.training import make_vec_env

        return make_vec_env(config.county, config.num_envs, config.action_type, config.env_kwargs)
    from stable_baselines3.common.vec_env import VecMonitor

    from gl_env.sb3 import GreatLeapSB3VecEnv

    return VecMonitor(GreatLeapSB3VecEnv(num_envs=config.num_envs, action_type=config.action_type, **config.env_kwargs))


def seed_training_villages(config: RunConfig, env: Any) -> None:
    """Seed the first training villages ``seed * num_envs`` upward (after the model is made: SB3 seeds
    the env with the model's own seed, which would give runs of neighbouring seeds shared villages)."""
    env.seed(int(TRAINING.block(config.seed * config.num_envs, config.num_envs, "--seed")[0]))


def make_model(config: RunConfig, env: Any, tensorboard: Path) -> Any:
    hyper = copy.deepcopy(config.hyperparams)  # A2C adds its optimizer class to policy_kwargs in place
    policy = hyper.pop("policy", "MlpPolicy")
    hyper.pop("normalize", None)  # observations are already bounded and scaled
    try:
        return algorithm_class(config.algo)(
            policy, env, seed=config.seed, device=config.device, tensorboard_log=str(tensorboard), verbose=0, **hyper
        )
    except (TypeError, ValueError, KeyError, AssertionError, RuntimeError) as error:
        raise UsageError(f"the {config.algo} hyperparameters are refused: {' '.join(str(error).split())}") from None


def resume_conflicts(args: Args, config: RunConfig) -> list[str]:
    """Flags written on a --resume command line that differ from the run's configuration."""
    stored_overrides = {k: v for k, v in config.env_kwargs.items() if k not in ("scenario", "reward")}
    checks = {
        "algo": ("--algo", lambda: args.algo, config.algo),
        "scenario": ("--scenario", lambda: args.scenario, config.env_kwargs.get("scenario")),
        "reward": ("--reward", lambda: _as_json(parse_reward(args.reward)), config.env_kwargs.get("reward")),
        "set": ("--set", lambda: _as_json(parse_overrides(args.set)), stored_overrides),
        "num_envs": ("--num-envs", lambda: args.num_envs, config.num_envs),
        "seed": ("--seed", lambda: args.seed, config.seed),
        "device": ("--device", lambda: args.device, config.device),
        "eval_episodes": (
            "--eval-episodes",
            lambda: args.eval_episodes,
            len(config.eval_seeds) // max(config.county, 1),
        ),
        "county": ("--county", lambda: args.county, config.county),
        "hyperparams": ("--hyperparams", lambda: _resume_hyperparams(args, config), config.hyperparams),
    }
    return [flag for name, (flag, value, stored) in checks.items() if name in args.given and value() != stored]


def _resume_hyperparams(args: Args, config: RunConfig) -> dict[str, Any]:
    hyper = load_hyperparams(args.hyperparams, config.env_id)
    hyper.pop("n_envs", None)
    hyper.pop("n_timesteps", None)
    return _as_json(hyper)


def prepare_resume(args: Args, stack: contextlib.ExitStack) -> Prepared | None:
    """Lock the run folder, check its configuration against the flags, load the newest readable
    checkpoint and rewind the curve to it; ``None`` when the run has already trained its steps."""
    run_dir = args.output
    if not (run_dir / CONFIG_FILE).is_file():
        raise UsageError(f"--resume: {run_dir} holds no run to resume (no {CONFIG_FILE})")
    stack.enter_context(locked(run_dir, "train.py"))
    config = RunConfig.load(run_dir)
    if not config.eval_seeds:
        raise UsageError(f"--resume: {run_dir / CONFIG_FILE} names no eval_seeds to pick the best model on")
    changed = resume_conflicts(args, config)
    if changed:
        raise UsageError(
            f"--resume continues {run_dir} as its {CONFIG_FILE} says; {', '.join(changed)} cannot change "
            "(give the original values or leave them out)"
        )
    if args.timesteps is not None:
        config = dataclasses.replace(config, total_timesteps=_positive("--timesteps", args.timesteps))
    configure_torch(args, config.device)
    env = make_env(config)
    stack.callback(env.close)
    model = load_checkpoint(config, run_dir, env)
    seed_training_villages(config, env)
    if model.num_timesteps >= config.total_timesteps:
        if args.timesteps is not None and args.timesteps < model.num_timesteps:
            raise UsageError(
                f"--timesteps={args.timesteps} must exceed the {model.num_timesteps} steps already trained"
            )
        print(f"{run_dir} has already trained {model.num_timesteps} of {config.total_timesteps} steps; nothing to do")
        return None
    rewind(run_dir, model.num_timesteps)
    model.tensorboard_log = str(run_dir / "tensorboard")  # the zip keeps the folder it was trained in
    config.save(run_dir)
    return Prepared(config, env, model, resumed=True)


def prepare_new(args: Args, stack: contextlib.ExitStack) -> Prepared:
    """Check everything, then create (or clear, with --overwrite) the run folder and write config.json."""
    config = build_config(args)
    configure_torch(args, config.device)
    run_dir = args.output
    check_writable(run_dir, "--output")
    if not is_empty(run_dir):
        if not args.overwrite:
            raise UsageError(
                f"{run_dir} already exists and is not empty; pass --overwrite to replace it or --resume to continue it"
            )
        RUN_FOLDER.check_replaceable(run_dir)
    env = make_env(config)
    stack.callback(env.close)
    model = make_model(config, env, run_dir / "tensorboard")  # refuses bad hyperparameter values
    seed_training_villages(config, env)
    run_dir.mkdir(parents=True, exist_ok=True)
    stack.enter_context(locked(run_dir, "train.py"))
    if args.overwrite:
        RUN_FOLDER.clear(run_dir)
    config.save(run_dir)
    return Prepared(config, env, model, resumed=False)


def train(args: Args, run: Prepared) -> int:
    """Learn; save the final model (or, on Ctrl-C, a checkpoint) and report."""
    run_dir, config, model = args.output, run.config, run.model
    off_policy = config.algo in OFF_POLICY
    try:
        model.learn(
            total_timesteps=max(config.total_timesteps - model.num_timesteps, 0),
            callback=make_callbacks(config, args, run_dir),
            reset_num_timesteps=not run.resumed,
            tb_log_name=config.algo,
            progress_bar=args.progress and sys.stdout.isatty(),
        )
    except KeyboardInterrupt:
        saved = save_checkpoint(model, run_dir, off_policy)
        print(
            f"train.py: interrupted at {model.num_timesteps} steps; saved {saved}; "
            f"continue with: python train.py --output {run_dir} --resume",
            file=sys.stderr,
            flush=True,
        )
        return INTERRUPTED
    with files.atomic_path(run_dir / "final_model.zip") as temporary:
        model.save(temporary)
    # Periodic checkpoints are saved during a rollout, before that rollout's update; the last one
    # is saved again here, after it, so that a resume continues from the final policy.
    save_checkpoint(model, run_dir, off_policy)
    last = read_curve(run_dir)[-1]
    print(
        f"trained {last['timesteps']} steps -> {run_dir}; held-out mean return {float(last['mean_return']):.2f} "
        f"± {float(last['return_ci95']):.2f}, report ratio {float(last['report_ratio']):.2f}, "
        f"deaths {float(last['deaths_per_1000_year']):.1f}/1000/yr, purged {float(last['purge_rate']):.0%}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if planner_runs.role_of(argv) != "cadre":
        # The state as the learner (or the two-level curriculum, which trains its cadres with this main).
        return planner_runs.main(argv, train_cadre=main)
    args = parse_args(argv)
    # Deterministic cuBLAS on a GPU needs a fixed workspace (set before torch starts CUDA).
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    try:
        with contextlib.ExitStack() as stack:
            run = prepare_resume(args, stack) if args.resume else prepare_new(args, stack)
            return 0 if run is None else train(args, run)
    except (UsageError, ValueError, TypeError) as error:
        # Bad input (unknown parameter, weight or preset, existing folder): one line, no traceback.
        print(f"train.py: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        # The disk or the folder: not a folder, read-only, no permission, no space.
        print(f"train.py: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("train.py: interrupted before training started; nothing was trained", file=sys.stderr)
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())

"""Train a stable-baselines3 cadre on gl_env.

    python train.py                                   # PPO, careerist reward, historical-1958
    python train.py --scenario reform --output runs/reform
    python train.py --algo sac --reward welfare=1,honesty=0.5 --set audit_probability=0.3
    python train.py --output runs/default --resume    # continue from the latest checkpoint

The run folder holds ``config.json`` (everything needed to rebuild the environment, read by
``evaluate.py``), ``best_model.zip`` (best mean return on held-out evaluation seeds),
``final_model.zip``, ``checkpoints/``, ``evaluations.csv`` (the learning curve) and
``tensorboard/`` (``tensorboard --logdir <run>/tensorboard``: every reward component and the
honesty and famine metrics of training episodes and of each evaluation).

Training villages are seeded from ``seed * num_envs`` upward and stay below 900000; the held-out
evaluation that picks the best model uses seeds 900000 and up. Both stay below the benchmark's
evaluation seeds (``gl_env.benchmark``: 1000000 and up), which no training run ever plays.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import inspect
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import gl_env
from gl_env import metrics
from gl_env.agents.learned import ALGORITHM_ACTIONS, ALGORITHMS, ENV_IDS, LearnedPolicy, RunConfig, algorithm_class
from gl_env.benchmark import HELD_OUT_SEED_START, check_training_seeds
from gl_env.rewards import REWARD_PRESETS, REWARD_TERMS, resolve_weights
from gl_env.scenarios import SCENARIOS, make_params

HYPERPARAMS_DIR = Path(__file__).resolve().parent / "hyperparams"
CHECKPOINT_PATTERN = re.compile(r"model_(\d+)_steps\.zip$")
# Algorithms with a replay buffer, saved beside each checkpoint.
OFF_POLICY = ("sac", "td3", "dqn")


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


def parse_args(argv: list[str] | None = None) -> Args:
    parser = argparse.ArgumentParser(
        prog="train.py",
        description="Train a stable-baselines3 cadre on gl_env (defaults: PPO, careerist reward, historical-1958).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--algo",
        choices=ALGORITHMS,
        default="ppo",
        help="algorithm; sac and td3 need continuous actions, dqn trains on GreatLeapDiscrete-v0",
    )
    parser.add_argument("--scenario", choices=list(SCENARIOS), default="historical-1958", help="scenario to train on")
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
    parser.add_argument("--overwrite", action="store_true", help="delete an existing run folder first")
    parser.add_argument("--resume", action="store_true", help="continue the run in --output from its latest checkpoint")
    parser.add_argument("--eval-freq", type=int, default=100_000, help="evaluate every this many environment steps")
    parser.add_argument("--eval-episodes", type=int, default=100, help="held-out episodes per evaluation")
    parser.add_argument(
        "--checkpoint-freq", type=int, default=100_000, help="checkpoint every this many environment steps"
    )
    parser.add_argument(
        "--hyperparams", type=Path, default=None, help="rl-zoo3 style YAML (default: hyperparams/<algo>.yml)"
    )
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="hide the progress bar")
    return Args(**vars(parser.parse_args(argv)))


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
    table = yaml.safe_load(path.read_text()) or {}
    if env_id not in table:
        raise UsageError(f"{path} has no entry for {env_id}; it has: {', '.join(table) or 'none'}")
    return dict(table[env_id])


def build_config(args: Args) -> RunConfig:
    env_id = ENV_IDS[ALGORITHM_ACTIONS[args.algo]]
    hyper = load_hyperparams(args.hyperparams or HYPERPARAMS_DIR / f"{args.algo}.yml", env_id)
    overrides = parse_overrides(args.set)
    make_params(args.scenario, **overrides)  # validates every override, naming bad ones
    yaml_envs, yaml_timesteps = hyper.pop("n_envs", 8), hyper.pop("n_timesteps", None)
    num_envs = args.num_envs if args.num_envs is not None else int(yaml_envs)
    if args.timesteps is None and yaml_timesteps is None:
        raise UsageError(f"the hyperparameters for {env_id} set no n_timesteps; pass --timesteps")
    timesteps = args.timesteps if args.timesteps is not None else int(float(yaml_timesteps))
    for flag, value in (
        ("--num-envs", num_envs),
        ("--timesteps", timesteps),
        ("--eval-episodes", args.eval_episodes),
        ("--eval-freq", args.eval_freq),
        ("--checkpoint-freq", args.checkpoint_freq),
    ):
        if value < 1:
            raise UsageError(f"{flag}={value} must be a positive integer")
    if args.seed < 0 or (args.seed + 1) * num_envs > HELD_OUT_SEED_START:
        raise UsageError(f"--seed={args.seed} is out of range; allowed 0 to {HELD_OUT_SEED_START // num_envs - 1}")
    if isinstance(hyper.get("policy_kwargs"), str):
        raise UsageError("policy_kwargs must be a YAML mapping (rl-zoo3's Python-string form is not evaluated here)")
    accepted = set(inspect.signature(algorithm_class(args.algo)).parameters) | {"policy", "normalize"}
    unknown = sorted(set(hyper) - accepted)
    if unknown:
        raise UsageError(f"unknown hyperparameter(s) {', '.join(unknown)} for {args.algo}")
    eval_seeds = list(range(HELD_OUT_SEED_START, HELD_OUT_SEED_START + args.eval_episodes))
    check_training_seeds(eval_seeds)  # held-out, but still never the benchmark's seeds
    return RunConfig(
        algo=args.algo,
        env_id=env_id,
        env_kwargs={"scenario": args.scenario, "reward": parse_reward(args.reward), **overrides},
        seed=args.seed,
        num_envs=num_envs,
        total_timesteps=timesteps,
        hyperparams=hyper,
        eval_seeds=eval_seeds,
        device=args.device,
        gl_env_version=gl_env.__version__,
    )


def prepare_run_dir(args: Args) -> None:
    """Create the run folder; refuse to replace an existing one unless --overwrite."""
    out = args.output
    if out.exists() and any(out.iterdir()):
        if not args.overwrite:
            raise UsageError(
                f"{out} already exists and is not empty; pass --overwrite to replace it or --resume to continue it"
            )
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


# --- model ----------------------------------------------------------------------------------------
def make_model(config: RunConfig, env: Any, tensorboard: Path) -> Any:
    hyper = dict(config.hyperparams)
    policy = hyper.pop("policy", "MlpPolicy")
    hyper.pop("normalize", None)  # observations are already bounded and scaled
    return algorithm_class(config.algo)(
        policy, env, seed=config.seed, device=config.device, tensorboard_log=str(tensorboard), verbose=0, **hyper
    )


def latest_checkpoint(run_dir: Path) -> Path | None:
    found = [
        (int(m.group(1)), p)
        for p in (run_dir / "checkpoints").glob("model_*_steps.zip")
        if (m := CHECKPOINT_PATTERN.search(p.name))
    ]
    return max(found)[1] if found else None


def checkpoint_steps(checkpoint: Path) -> int:
    return int(CHECKPOINT_PATTERN.search(checkpoint.name).group(1))


def replay_buffer_of(checkpoint: Path) -> Path:
    """The replay buffer CheckpointCallback saves beside ``checkpoint`` (off-policy algorithms)."""
    return checkpoint.with_name(f"model_replay_buffer_{checkpoint_steps(checkpoint)}_steps.pkl")


def make_callbacks(config: RunConfig, args: Args, run_dir: Path) -> list[Any]:
    from stable_baselines3.common.callbacks import BaseCallback, CheckpointCallback

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
            self.curve = run_dir / "evaluations.csv"
            rows = read_curve(run_dir)
            self.best = max((float(r["mean_return"]) for r in rows), default=-np.inf)
            self.next_eval = (int(rows[-1]["timesteps"]) if rows else 0) + args.eval_freq

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
            episodes = run_episodes(policy, config.eval_seeds, action_type=config.action_type, **config.env_kwargs)
            row = evaluation_row(self.num_timesteps, episodes)
            for key, value in row.items():
                self.logger.record(f"eval/{key}", value)
            self.logger.dump(self.num_timesteps)
            new = not self.curve.is_file()
            with self.curve.open("a", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=list(row))
                if new:
                    writer.writeheader()
                writer.writerow(row)
            if row["mean_return"] > self.best:
                self.best = row["mean_return"]
                self.model.save(run_dir / "best_model.zip")

    checkpoints = CheckpointCallback(
        save_freq=max(args.checkpoint_freq // config.num_envs, 1),
        save_path=str(run_dir / "checkpoints"),
        name_prefix="model",
        save_replay_buffer=config.algo in OFF_POLICY,
    )
    return [EpisodeMetrics(), HeldOutEvaluation(), checkpoints]


def read_curve(run_dir: Path) -> list[dict[str, str]]:
    """The rows of a run's ``evaluations.csv`` (none before its first evaluation)."""
    path = run_dir / "evaluations.csv"
    if not path.is_file():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


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


# --- main -------------------------------------------------------------------------------------------
def configure(args: Args) -> RunConfig:
    """Check the command line, prepare the run folder and write the run's configuration."""
    if args.resume:
        try:
            config = RunConfig.load(args.output)
        except FileNotFoundError:
            raise UsageError(f"--resume: {args.output} holds no run to resume (no config.json)") from None
        changed = resume_conflicts(args, config)
        if changed:
            raise UsageError(
                f"--resume continues {args.output} as its config.json says; {', '.join(changed)} cannot change"
            )
        checkpoint = latest_checkpoint(args.output)
        if checkpoint is None:
            raise UsageError(f"--resume: {args.output / 'checkpoints'} holds no checkpoint")
        if args.timesteps is not None:
            done = checkpoint_steps(checkpoint)
            if args.timesteps <= done:
                raise UsageError(f"--timesteps={args.timesteps} must exceed the {done} steps already trained")
            config = dataclasses.replace(config, total_timesteps=args.timesteps)
    else:
        config = build_config(args)
        prepare_run_dir(args)
    config.save(args.output)
    return config


def resume_conflicts(args: Args, config: RunConfig) -> list[str]:
    """Flags given to a --resume that differ from the run's configuration (they would be ignored)."""
    defaults = parse_args([])
    given = {
        "--algo": (args.algo, defaults.algo, config.algo),
        "--scenario": (args.scenario, defaults.scenario, config.env_kwargs.get("scenario")),
        "--num-envs": (args.num_envs, defaults.num_envs, config.num_envs),
        "--seed": (args.seed, defaults.seed, config.seed),
        "--device": (args.device, defaults.device, config.device),
        "--eval-episodes": (args.eval_episodes, defaults.eval_episodes, len(config.eval_seeds)),
        "--reward": (args.reward, defaults.reward, None),
        "--set": (args.set, defaults.set, None),
        "--hyperparams": (args.hyperparams, defaults.hyperparams, None),
    }
    return [flag for flag, (value, default, kept) in given.items() if value != default and value != kept]


def train(args: Args, config: RunConfig) -> Path:
    # Deterministic cuBLAS on a GPU needs a fixed workspace (set before torch starts CUDA).
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    import torch
    from stable_baselines3.common.vec_env import VecMonitor

    from gl_env.sb3 import GreatLeapSB3VecEnv

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    run_dir = args.output
    env = VecMonitor(GreatLeapSB3VecEnv(num_envs=config.num_envs, action_type=config.action_type, **config.env_kwargs))
    env.seed(config.seed * config.num_envs)
    tensorboard = run_dir / "tensorboard"
    checkpoint = latest_checkpoint(run_dir) if args.resume else None
    if checkpoint is not None:
        model = algorithm_class(config.algo).load(checkpoint, env=env, device=config.device)
        if replay_buffer_of(checkpoint).is_file():
            model.load_replay_buffer(replay_buffer_of(checkpoint))
    else:
        model = make_model(config, env, tensorboard)
    remaining = max(config.total_timesteps - model.num_timesteps, 0)
    model.learn(
        total_timesteps=remaining,
        callback=make_callbacks(config, args, run_dir),
        reset_num_timesteps=checkpoint is None,
        tb_log_name=config.algo,
        progress_bar=args.progress,
    )
    model.save(run_dir / "final_model.zip")
    # CheckpointCallback saves during a rollout, before that rollout's update; the last one is
    # saved again here, after it, so that a resume continues from the final policy.
    last = run_dir / "checkpoints" / f"model_{model.num_timesteps}_steps.zip"
    model.save(last)
    if config.algo in OFF_POLICY:
        model.save_replay_buffer(replay_buffer_of(last))
    env.close()
    return run_dir


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = configure(args)
    except (UsageError, ValueError, TypeError) as error:
        # Bad input (unknown parameter, weight or preset, existing folder): one line, no traceback.
        print(f"train.py: error: {error}", file=sys.stderr)
        return 2
    run_dir = train(args, config)
    last = read_curve(run_dir)[-1]
    print(
        f"trained {last['timesteps']} steps -> {run_dir}; held-out mean return {float(last['mean_return']):.2f} "
        f"± {float(last['return_ci95']):.2f}, report ratio {float(last['report_ratio']):.2f}, "
        f"deaths {float(last['deaths_per_1000_year']):.1f}/1000/yr, purged {float(last['purge_rate']):.0%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

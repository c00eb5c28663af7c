"""Training the state: PPO planner runs and the two-level curriculum (``train.py --role ...``).

``train.py --role planner`` trains a PPO planner on :class:`~gl_env.envs.planner.PlannerEnv`
against a chosen responder (``--responder scripted|learned|best_response`` and ``--cadre``);
``train.py --role alternate --rounds K`` alternates cadre and planner training for K rounds, the
AI Economist's two-level curriculum: round k trains a cadre (``train.py``'s own training, handed
in as ``train_cadre``) under the institution the planner of round k-1 chose (the first under the
scenario's own institution), then a planner against that frozen cadre. This module imports no app
(``train.py`` hands its cadre training in; the exploitability report, which needs the sweep, is
:mod:`gl_env.exploitability`).

A planner run folder::

    <run>/planner.json        the configuration (:class:`PlannerConfig`): env kwargs, seeds, budget
    <run>/best_model.zip      the best model on the held-out planner seeds
    <run>/final_model.zip     the model at the end of training
    <run>/checkpoints/        model_<steps>_steps.zip every --checkpoint-freq steps
    <run>/evaluations.csv     the learning curve: held-out return (95% CI), reward terms, institution

An alternation folder holds ``alternate.json``, ``round-<k>/cadre`` (a ``train.py`` run),
``round-<k>/planner`` (a planner run) and ``rounds.csv`` (each round's held-out evaluation).

Seeds (:mod:`gl_env.seeds`): a planner episode seeded ``s`` plays villages ``s * num_villages``
to ``(s + 1) * num_villages - 1``. Training episodes play training villages (the first reset of
env ``i`` is seeded ``seed * num_envs + i``, later ones drawn from the training range by the
env); the held-out evaluation plays the first held-out planner seeds
(:func:`held_out_seeds`), never the benchmark's evaluation seeds.

Limits: no ``--resume`` for planner runs (a run is short; retrain with ``--overwrite``). The
cadre of round k trains on a fixed institution, the round k-1 planner's choices year by year
(:func:`schedule_overrides`): the climate fields follow the planner's year-by-year means, the
scalar fields (``quota_fixed_share``, ``audit_probability``, ``over_report_penalty``,
``honesty_protection``, which a scenario holds constant) their means over the episode; the cadre
does not face the planner's reaction to what the cadre itself reports.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import gl_env
from gl_env import files, metrics
from gl_env.core.params import TIMELINE_NAMES, Params
from gl_env.envs.planner import (
    INSTITUTION,
    INSTITUTION_NAMES,
    PLANNER_REWARD_TERMS,
    PLANNER_REWARDS,
    RESPONDERS,
    PlannerEnv,
    planner_weights,
)
from gl_env.output_folders import FolderKind, check_writable, is_empty, locked
from gl_env.scenarios import SCENARIOS, make_params
from gl_env.seeds import HELD_OUT, TRAINING

ROLES = ("cadre", "planner", "alternate")
PLANNER_CONFIG = "planner.json"
ALTERNATE_CONFIG = "alternate.json"
PLANNER_FOLDER = FolderKind(
    "train.py --role planner", PLANNER_CONFIG, ("best_model.zip", "final_model.zip", "checkpoints", "evaluations.csv")
)
ALTERNATE_FOLDER = FolderKind("train.py --role alternate", ALTERNATE_CONFIG, ("round-*", "rounds.csv"))
# PPO for the planner (a judgement, not tuned): short episodes (a year a step), so a short rollout.
PLANNER_PPO: dict[str, Any] = {
    "n_steps": 64,
    "batch_size": 64,
    "n_epochs": 10,
    "learning_rate": 3e-4,
    "gamma": 0.99,
    "gae_lambda": 0.95,
    "ent_coef": 0.0,
    "policy_kwargs": {"net_arch": [64, 64], "log_std_init": -0.5},
}
DEFAULT_SWEEP = Path("runs/sweep-historical-1958")


class UsageError(Exception):
    """A problem with the command line or a folder: one line, exit status 2."""


def held_out_seeds(count: int, num_villages: int) -> list[int]:
    """The first ``count`` planner seeds whose villages are all held-out ones (900,000 up)."""
    first = math.ceil(HELD_OUT.start / num_villages)
    last = HELD_OUT.stop // num_villages - 1
    if not 1 <= count <= last - first + 1:
        raise ValueError(
            f"--eval-episodes={count} is out of range with {num_villages} villages an episode; "
            f"allowed 1 to {last - first + 1}"
        )
    return list(range(first, first + count))


@dataclass(frozen=True)
class PlannerConfig:
    """What a planner run was: ``PlannerEnv(**env_kwargs)``, the PPO budget and the seeds."""

    env_kwargs: dict[str, Any]
    seed: int
    num_envs: int
    total_timesteps: int
    eval_seeds: list[int]
    hyperparams: dict[str, Any] = field(default_factory=lambda: dict(PLANNER_PPO))
    gl_env_version: str = gl_env.__version__

    def save(self, run_dir: Path) -> None:
        files.write_text(run_dir / PLANNER_CONFIG, json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, run_dir: Path | str) -> PlannerConfig:
        path = Path(run_dir) / PLANNER_CONFIG
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found: {run_dir} is not a planner run (train.py --role planner)")
        try:
            return cls(**json.loads(path.read_text()))
        except (ValueError, TypeError) as error:
            raise ValueError(f"{path} is not a planner run configuration ({error})") from None


def is_planner_run(folder: Path | str) -> bool:
    return (Path(folder) / PLANNER_CONFIG).is_file()


def load_planner(run_dir: Path | str, which: str = "best") -> tuple[Callable[[np.ndarray], np.ndarray], PlannerConfig]:
    """A trained planner as ``obs -> action`` (deterministic), with its configuration."""
    from stable_baselines3 import PPO

    config = PlannerConfig.load(run_dir)
    names = {"best": ["best_model.zip", "final_model.zip"], "final": ["final_model.zip"]}[which]
    path = next((Path(run_dir) / n for n in names if (Path(run_dir) / n).is_file()), None)
    if path is None:
        raise FileNotFoundError(f"no {' or '.join(names)} in {run_dir}")
    model = PPO.load(path, device="cpu")
    return (lambda obs: model.predict(obs, deterministic=True)[0]), config


class FixedInstitution:
    """A planner that keeps an institution given as :class:`Params`: each year it sets each parameter
    to its value in the year's first season, clipped to the ranges of :data:`INSTITUTION` (a
    climate field that changes within a year, such as historical-1958's death accountability
    from the winter of 1960, changes only at the next year)."""

    def __init__(self, params: Params):
        self.params = params

    def __call__(self, obs: np.ndarray) -> np.ndarray:
        season = min(round(float(obs[0]) * self.params.horizon), self.params.horizon - 1)
        action = []
        for name, low, high in INSTITUTION:
            value = getattr(self.params, name)
            value = float(value[season]) if isinstance(value, tuple) else float(value)
            action.append(np.clip(2.0 * (value - low) / (high - low) - 1.0, -1.0, 1.0))
        return np.array(action, dtype=np.float32)


@dataclass(frozen=True)
class PlannerEpisodes:
    """Held-out planner episodes: ``returns`` ``(n,)``, ``components`` ``{term: (n,)}`` (episode
    sums of the reward terms' values) and ``institutions`` ``(n, steps, 8)`` (natural units)."""

    seeds: np.ndarray
    returns: np.ndarray
    components: dict[str, np.ndarray]
    institutions: np.ndarray


def play(
    policy: Callable[[np.ndarray], np.ndarray], env_kwargs: Mapping[str, Any], seeds: Sequence[int]
) -> PlannerEpisodes:
    """One planner episode per seed, ``policy`` choosing each step's institution."""
    env = PlannerEnv(**env_kwargs)
    returns, components, institutions = [], {t: [] for t in PLANNER_REWARD_TERMS}, []
    for seed in seeds:
        obs, _ = env.reset(seed=int(seed))
        total, sums, chosen, done = 0.0, dict.fromkeys(PLANNER_REWARD_TERMS, 0.0), [], False
        while not done:
            action = np.clip(np.asarray(policy(obs), dtype=np.float64), -1.0, 1.0)
            obs, reward, terminated, truncated, info = env.step(action)
            total += reward
            for term, parts in info["reward_components"].items():
                sums[term] += parts["value"]
            chosen.append([info["institution"][n] for n in INSTITUTION_NAMES])
            done = terminated or truncated
        returns.append(total)
        for term in PLANNER_REWARD_TERMS:
            components[term].append(sums[term])
        institutions.append(chosen)
    env.close()
    return PlannerEpisodes(
        np.asarray(seeds),
        np.array(returns),
        {t: np.array(v) for t, v in components.items()},
        np.array(institutions),
    )


def evaluation_row(timesteps: int, episodes: PlannerEpisodes) -> dict[str, float]:
    """Held-out mean return with its 95% CI half-width, reward terms and the mean institution."""
    estimate = metrics.mean_with_ci(episodes.returns)
    row: dict[str, float] = {
        "timesteps": timesteps,
        "mean_return": estimate.mean,
        "return_ci95": estimate.half_width if estimate.n > 1 else 0.0,
    }
    row |= {f"term_{t}": float(v.mean()) for t, v in episodes.components.items()}
    mean = episodes.institutions.mean(axis=(0, 1))
    row |= {name: float(v) for name, v in zip(INSTITUTION_NAMES, mean, strict=True)}
    return row


def schedule_overrides(
    params: Params, institutions: np.ndarray, seasons_per_step: int
) -> tuple[dict[str, Any], dict[str, float]]:
    """A planner's choices as scenario overrides: ``institutions`` ``(n, steps, 8)`` averaged over
    the episodes; a climate field follows the steps (each held for its seasons), a scalar field
    takes its mean over the steps. Also returns each scalar's largest distance from that mean
    (how far the single institution is from what the planner did)."""
    schedule = institutions.mean(axis=0)
    overrides: dict[str, Any] = {}
    spread: dict[str, float] = {}
    for i, name in enumerate(INSTITUTION_NAMES):
        if name in TIMELINE_NAMES:
            seasons = np.repeat(schedule[:, i], seasons_per_step)[: params.horizon]
            overrides[name] = [round(float(v), 6) for v in seasons]
        else:
            overrides[name] = round(float(schedule[:, i].mean()), 6)
            spread[name] = float(np.abs(schedule[:, i] - schedule[:, i].mean()).max())
    return overrides, spread


def grid_institutions(sweep_folder: Path | str) -> dict[str, Params]:
    """The institutions of a sweep's grid cells (``python -m gl_env.sweep`` output), named by their values."""
    folder = Path(sweep_folder)
    try:
        config = json.loads((folder / "config.json").read_text())
        cells = json.loads((folder / "policies.json").read_text())["cells"]
    except (OSError, ValueError, KeyError) as error:
        raise ValueError(f"{folder} is not a readable sweep folder (python -m gl_env.sweep): {error}") from None
    return {
        ", ".join(f"{k}={v:g}" for k, v in cell["cell"].items()): make_params(
            config["scenario"], **config["fixed"], **cell["cell"]
        )
        for cell in cells
    }


@dataclass(frozen=True)
class Comparison:
    """The planner's held-out episodes and each fixed institution's, on the same seeds."""

    planner: PlannerEpisodes
    fixed: dict[str, PlannerEpisodes]

    def best_fixed(self) -> str:
        return max(self.fixed, key=lambda name: self.fixed[name].returns.mean())

    def rows(self) -> list[dict[str, Any]]:
        """One row per policy, best first: mean return with its 95% CI, the paired difference from
        the planner (planner minus it, with its CI), and the reward terms."""
        rows = [row(name, e, self.planner) for name, e in {"learned planner": self.planner, **self.fixed}.items()]
        return sorted(rows, key=lambda r: -r["mean_return"])


def row(name: str, episodes: PlannerEpisodes, planner: PlannerEpisodes) -> dict[str, Any]:
    """A policy's held-out row: mean return (95% CI), the paired difference ``planner`` minus it, the terms."""
    estimate = metrics.mean_with_ci(episodes.returns)
    difference = metrics.mean_with_ci(planner.returns - episodes.returns)
    return {
        "policy": name,
        "mean_return": estimate.mean,
        "return_ci95": estimate.half_width,
        "planner_minus_this": difference.mean,
        "planner_minus_this_ci95": difference.half_width,
        **{f"term_{t}": float(v.mean()) for t, v in episodes.components.items()},
    }


def compare(
    run_dir: Path | str,
    institutions: Mapping[str, Params],
    episodes: int | None = None,
    which: str = "best",
    ray: str | None = None,
    per_task: int = 4,
    log: Callable[[str], Any] = print,
) -> Comparison:
    """A planner run against fixed institutions (:class:`FixedInstitution`), against the run's
    responder, on ``episodes`` held-out planner seeds that follow the run's own evaluation seeds
    (those picked its best model, so they would flatter it).

    ``ray``: play the fixed institutions as Ray Tune trials, ``per_task`` institutions to a trial,
    on a local Ray (:data:`gl_env.sweep_ray.LOCAL`) or a cluster's address (:mod:`gl_env.sweep_ray`;
    its records are kept in a hidden folder inside ``run_dir``, removed at the end, so on a cluster
    the run folder must be on shared storage). The same numbers as the local run: each episode's
    randomness is its seed's.
    """
    policy, config = load_planner(run_dir, which)
    num_villages = config.env_kwargs.get("num_villages", 16)
    used = len(config.eval_seeds)
    seeds = held_out_seeds(used + (used if episodes is None else episodes), num_villages)[used:]
    if ray is None:
        fixed = {name: play(FixedInstitution(p), config.env_kwargs, seeds) for name, p in institutions.items()}
    else:
        from gl_env import sweep_ray

        if per_task < 1:
            raise ValueError(f"per_task={per_task} must be at least 1")
        names = list(institutions)
        groups_of = sweep_ray.groups_of(len(names), per_task)
        parts = [[(names[i], institutions[names[i]]) for i in group] for group in groups_of]
        groups = sweep_ray.run_groups(_play_fixed, (dict(config.env_kwargs), seeds), parts, ray, Path(run_dir), log)
        fixed = {}
        for part, result in zip(parts, groups, strict=True):
            for row_index, (name, _) in enumerate(part):
                fixed[name] = PlannerEpisodes(
                    np.asarray(seeds),
                    result["returns"][row_index],
                    {t: result[f"term_{t}"][row_index] for t in PLANNER_REWARD_TERMS},
                    result["institutions"][row_index],
                )
    return Comparison(play(policy, config.env_kwargs, seeds), fixed)


def _play_fixed(args: tuple[dict[str, Any], list[int]], part: Sequence[tuple[str, Params]]) -> dict[str, np.ndarray]:
    """One Ray trial of :func:`compare`: the fixed institutions ``part`` on ``args`` (env kwargs,
    seeds), as arrays with one row per institution."""
    env_kwargs, seeds = args
    played = [play(FixedInstitution(params), env_kwargs, seeds) for _, params in part]
    return {
        "returns": np.stack([e.returns for e in played]),
        **{f"term_{t}": np.stack([e.components[t] for e in played]) for t in PLANNER_REWARD_TERMS},
        "institutions": np.stack([e.institutions for e in played]),
    }


# --- training ---------------------------------------------------------------------------------------
def _prepare_folder(out: Path, kind: FolderKind, overwrite: bool) -> None:
    check_writable(out, "--output")
    if not is_empty(out):
        if not overwrite:
            raise UsageError(f"{out} already exists and is not empty; pass --overwrite to replace it")
        kind.check_replaceable(out)
        kind.clear(out)
    out.mkdir(parents=True, exist_ok=True)


def _write_rows(path: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    with files.atomic_open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def train_planner(
    config: PlannerConfig,
    out: Path,
    *,
    eval_freq: int,
    checkpoint_freq: int,
    overwrite: bool = False,
    log: Callable[[str], Any] = print,
) -> dict[str, float]:
    """Train a PPO planner into ``out`` (module docstring); returns the final held-out evaluation row."""
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.vec_env import DummyVecEnv, VecMonitor

    PlannerEnv(**config.env_kwargs).close()  # refuses bad env arguments before any folder is made
    _prepare_folder(out, PLANNER_FOLDER, overwrite)
    with locked(out, "train.py"):
        config.save(out)
        env = VecMonitor(DummyVecEnv([lambda: PlannerEnv(**config.env_kwargs)] * config.num_envs))
        first = config.seed * config.num_envs
        if first + config.num_envs > len(TRAINING) // config.env_kwargs.get("num_villages", 16):
            raise UsageError(f"--seed={config.seed} is out of range for {config.num_envs} envs")
        model = PPO("MlpPolicy", env, seed=config.seed, device="cpu", verbose=0, **config.hyperparams)
        env.seed(first)
        rows: list[dict[str, float]] = []
        started = time.perf_counter()

        class HeldOut(BaseCallback):
            def __init__(self) -> None:
                super().__init__()
                self.next_eval, self.next_checkpoint, self.best = eval_freq, checkpoint_freq, -np.inf

            def _on_rollout_start(self) -> None:  # right after an update: evaluate the updated policy
                if self.num_timesteps >= self.next_eval:
                    self.next_eval += eval_freq
                    self.evaluate()

            def _on_step(self) -> bool:
                if self.num_timesteps >= self.next_checkpoint:
                    self.next_checkpoint += checkpoint_freq
                    path = out / "checkpoints" / f"model_{self.num_timesteps}_steps.zip"
                    path.parent.mkdir(exist_ok=True)
                    with files.atomic_path(path) as temporary:
                        self.model.save(temporary)
                return True

            def _on_training_end(self) -> None:
                self.evaluate()

            def evaluate(self) -> None:
                policy = lambda obs: self.model.predict(obs, deterministic=True)[0]  # noqa: E731
                row = evaluation_row(self.num_timesteps, play(policy, config.env_kwargs, config.eval_seeds))
                if row["mean_return"] > self.best:
                    self.best = row["mean_return"]
                    with files.atomic_path(out / "best_model.zip") as temporary:
                        self.model.save(temporary)
                rows.append(row)
                _write_rows(out / "evaluations.csv", rows)
                log(
                    f"planner: {self.num_timesteps:,} of {config.total_timesteps:,} steps, held-out return "
                    f"{row['mean_return']:.3f} ± {row['return_ci95']:.3f} ({time.perf_counter() - started:.0f} s)"
                )

        try:
            model.learn(total_timesteps=config.total_timesteps, callback=HeldOut())
        finally:
            env.close()
        with files.atomic_path(out / "final_model.zip") as temporary:
            model.save(temporary)
    return rows[-1]


def _cadre_row(cadre_dir: Path) -> dict[str, str]:
    with (cadre_dir / "evaluations.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))[-1]


def alternate(
    options: argparse.Namespace, train_cadre: Callable[[list[str]], int], log: Callable[[str], Any] = print
) -> list[dict[str, Any]]:
    """The two-level curriculum (module docstring); returns the rows of ``rounds.csv``."""
    out: Path = options.output
    _prepare_folder(out, ALTERNATE_FOLDER, options.overwrite)
    files.write_text(out / ALTERNATE_CONFIG, json.dumps(_jsonable(vars(options)), indent=2, sort_keys=True) + "\n")
    base = make_params(options.scenario)
    overrides: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    for k in range(1, options.rounds + 1):
        cadre_dir, planner_dir = out / f"round-{k}" / "cadre", out / f"round-{k}" / "planner"
        argv = ["--output", str(cadre_dir), "--scenario", options.scenario, "--reward", options.cadre_reward]
        argv += ["--seed", str(options.seed + k - 1), "--threads", str(options.threads), "--no-progress"]
        argv += ["--eval-episodes", str(options.eval_episodes), "--eval-freq", str(options.eval_freq)]
        argv += ["--checkpoint-freq", str(options.checkpoint_freq)]
        if options.cadre_timesteps is not None:
            argv += ["--timesteps", str(options.cadre_timesteps)]
        if options.cadre_num_envs is not None:
            argv += ["--num-envs", str(options.cadre_num_envs)]
        for name, value in overrides.items():
            argv += ["--set", f"{name}={json.dumps(value)}"]
        under = "the scenario's institution" if k == 1 else f"the round-{k - 1} planner's institution"
        log(f"round {k}/{options.rounds}: training the cadre under {under}")
        status = train_cadre(argv)
        if status != 0:
            raise UsageError(f"round {k}: the cadre's training (train.py {' '.join(argv)}) ended with status {status}")
        config = planner_config(options, responder="learned", cadre=str(cadre_dir), seed=options.seed + k - 1)
        log(f"round {k}/{options.rounds}: training the planner against the round-{k} cadre")
        final = train_planner(
            config, planner_dir, eval_freq=options.eval_freq, checkpoint_freq=options.checkpoint_freq, log=log
        )
        policy, _ = load_planner(planner_dir)
        episodes = play(policy, config.env_kwargs, config.eval_seeds)
        best = evaluation_row(final["timesteps"], episodes)
        cadre = _cadre_row(cadre_dir)
        row = {
            "round": k,
            "cadre_return": float(cadre["mean_return"]),
            "cadre_return_ci95": float(cadre["return_ci95"]),
            "cadre_report_ratio": float(cadre["report_ratio"]),
            "cadre_deaths_per_1000_year": float(cadre["deaths_per_1000_year"]),
            "cadre_purge_rate": float(cadre["purge_rate"]),
            **{f"planner_{key}": value for key, value in best.items() if key != "timesteps"},
        }
        rows.append(row)
        _write_rows(out / "rounds.csv", rows)
        log(format_rows([row]))
        overrides, spread = schedule_overrides(
            base, episodes.institutions, config.env_kwargs.get("seasons_per_step", 4)
        )
        if spread and max(spread.values()) > 0:
            worst = max(spread, key=spread.get)
            log(f"round {k}: the next cadre trains on the mean {worst} (the planner moved it by {spread[worst]:.3g})")
    return rows


def format_rows(rows: Sequence[Mapping[str, Any]]) -> str:
    """A round's line: the cadre's and the planner's held-out results."""
    return "\n".join(
        f"round {r['round']}: cadre return {r['cadre_return']:.2f} ± {r['cadre_return_ci95']:.2f}, report ratio "
        f"{r['cadre_report_ratio']:.2f}, deaths {r['cadre_deaths_per_1000_year']:.1f}/1000/yr, purged "
        f"{r['cadre_purge_rate']:.0%}; planner return {r['planner_mean_return']:.3f} ± {r['planner_return_ci95']:.3f}"
        for r in rows
    )


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in values.items()}


# --- command line ------------------------------------------------------------------------------------
def role_of(argv: Sequence[str]) -> str:
    """The ``--role`` of a ``train.py`` command line (``cadre`` when none is given)."""
    parser = argparse.ArgumentParser(prog="train.py", add_help=False)
    parser.add_argument("--role", choices=ROLES, default="cadre")
    return parser.parse_known_args(argv)[0].role


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="train.py --role planner|alternate",
        description="Train the state (a PPO planner on gl_env/Planner-v1), or alternate cadre and planner training.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--role", choices=ROLES[1:], required=True, help="planner: train the state; alternate: K rounds"
    )
    parser.add_argument("--responder", choices=RESPONDERS, default="best_response", help="the cadres below (planner)")
    parser.add_argument(
        "--cadre",
        default=str(DEFAULT_SWEEP),
        help="scripted: a policy name; learned: a train.py run folder; best_response: a python -m gl_env.sweep folder",
    )
    parser.add_argument("--scenario", choices=list(SCENARIOS), default="historical-1958", help="the villages' scenario")
    parser.add_argument(
        "--reward", default="balanced", help=f"the planner's reward: {', '.join(PLANNER_REWARDS)} or term=weight,..."
    )
    parser.add_argument("--num-villages", type=int, default=16, help="villages below the planner, each episode")
    parser.add_argument("--timesteps", type=int, default=50_000, help="planner steps (years) to train, each round")
    parser.add_argument("--num-envs", type=int, default=4, help="planner envs stepped in parallel")
    parser.add_argument("--seed", type=int, default=0, help="seed of the model and the training villages")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument(
        "--output", type=Path, default=None, help="run folder (default: runs/planner or runs/alternate)"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier output of this command")
    parser.add_argument("--eval-freq", type=int, default=5_000, help="evaluate every this many steps")
    parser.add_argument("--eval-episodes", type=int, default=50, help="held-out episodes per evaluation")
    parser.add_argument("--checkpoint-freq", type=int, default=10_000, help="checkpoint every this many steps")
    parser.add_argument("--rounds", type=int, default=None, help="alternate: rounds of cadre then planner training")
    parser.add_argument("--cadre-timesteps", type=int, default=None, help="alternate: the cadre's steps each round")
    parser.add_argument("--cadre-num-envs", type=int, default=None, help="alternate: the cadre's villages in parallel")
    parser.add_argument("--cadre-reward", default="careerist", help="alternate: the cadre's reward (train.py --reward)")
    return parser


def parse_reward(text: str) -> str | dict[str, float]:
    if "=" not in text:
        planner_weights(text)
        return text
    weights = {}
    for item in text.split(","):
        term, _, value = item.partition("=")
        try:
            weights[term.strip()] = float(value)
        except ValueError:
            raise ValueError(f"--reward: weight {term.strip()}={value!r} is not a number") from None
    return planner_weights(weights)


def parse_options(argv: Sequence[str]) -> argparse.Namespace:
    """The options of a planner or alternation run; a bad one exits (status 2) naming it."""
    parser = build_parser()
    options = parser.parse_args(argv)
    if options.output is None:
        options.output = Path(f"runs/{options.role}")
    try:
        options.reward = parse_reward(options.reward)
        for flag in ("num_villages", "timesteps", "num_envs", "eval_freq", "eval_episodes", "checkpoint_freq"):
            if getattr(options, flag) < 1:
                raise ValueError(f"--{flag.replace('_', '-')}={getattr(options, flag)} must be a positive integer")
        if not 1 <= options.threads <= 1024:
            raise ValueError(f"--threads={options.threads} is out of range; allowed 1 to 1024")
        held_out_seeds(options.eval_episodes, options.num_villages)
        if options.role == "planner":
            extra = [f for f in ("rounds", "cadre_timesteps", "cadre_num_envs") if getattr(options, f) is not None]
            if extra:
                raise ValueError(f"--{extra[0].replace('_', '-')} is for --role alternate only")
            if options.responder == "best_response" and not (Path(options.cadre) / "policies.json").is_file():
                raise ValueError(
                    f"--cadre {options.cadre} holds no sweep (policies.json) for --responder best_response; "
                    f"run python -m gl_env.sweep --out {options.cadre} first"
                )
        else:
            if options.rounds is None or not 1 <= options.rounds <= 100:
                raise ValueError(f"--role alternate needs --rounds K with K in [1, 100]; got {options.rounds}")
            given = {a.split("=")[0] for a in argv}
            if given & {"--responder", "--cadre"}:
                raise ValueError("--role alternate trains its own cadres: leave out --responder and --cadre")
            for flag in ("cadre_timesteps", "cadre_num_envs"):
                if getattr(options, flag) is not None and getattr(options, flag) < 1:
                    raise ValueError(f"--{flag.replace('_', '-')}={getattr(options, flag)} must be a positive integer")
    except ValueError as error:
        parser.error(str(error))
    return options


def planner_config(options: argparse.Namespace, *, responder: str, cadre: str, seed: int) -> PlannerConfig:
    env_kwargs = {
        "responder": responder,
        "cadre": cadre,
        "scenario": options.scenario,
        "num_villages": options.num_villages,
        "reward": options.reward,
    }
    return PlannerConfig(
        env_kwargs=env_kwargs,
        seed=seed,
        num_envs=options.num_envs,
        total_timesteps=options.timesteps,
        eval_seeds=held_out_seeds(options.eval_episodes, options.num_villages),
    )


def main(argv: Sequence[str], train_cadre: Callable[[list[str]], int]) -> int:
    """``train.py --role planner|alternate``; returns the exit status (2: bad input, 130: Ctrl-C)."""
    import torch

    options = parse_options(argv)
    torch.set_num_threads(options.threads)
    torch.use_deterministic_algorithms(True)
    try:
        if options.role == "planner":
            config = planner_config(options, responder=options.responder, cadre=options.cadre, seed=options.seed)
            row = train_planner(
                config,
                options.output,
                eval_freq=options.eval_freq,
                checkpoint_freq=options.checkpoint_freq,
                overwrite=options.overwrite,
            )
            print(
                f"trained {int(row['timesteps'])} steps -> {options.output}; held-out return "
                f"{row['mean_return']:.3f} ± {row['return_ci95']:.3f}"
            )
        else:
            alternate(options, train_cadre)
            print(f"{options.rounds} round(s) -> {options.output} (rounds.csv)")
    except (UsageError, ValueError, OSError) as error:
        print(f"train.py: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"train.py: interrupted; {options.output} holds what was saved so far", file=sys.stderr)
        return 130
    return 0


__all__ = [
    "PLANNER_PPO",
    "ROLES",
    "FixedInstitution",
    "PlannerConfig",
    "PlannerEpisodes",
    "alternate",
    "held_out_seeds",
    "is_planner_run",
    "load_planner",
    "play",
    "schedule_overrides",
    "train_planner",
]

"""Learned cadres: stable-baselines3 algorithms, and trained runs loaded back as policies.

A training run (``train.py``) writes a folder::

    <run_dir>/config.json      the full run configuration (see :class:`RunConfig`)
    <run_dir>/best_model.zip   the best model on held-out evaluation seeds
    <run_dir>/final_model.zip  the model at the end of training
    <run_dir>/checkpoints/     periodic checkpoints (resumable)
    <run_dir>/tensorboard/     logs

``config.json`` holds everything needed to rebuild the exact environment, so evaluation never
guesses: ``gym.make(config.env_id, **config.env_kwargs)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from gl_env import files
from gl_env.rewards import resolve_weights
from gl_env.scenarios import make_params
from gl_env.seeds import HELD_OUT, TRAINING

ALGORITHMS = ("ppo", "a2c", "sac", "td3", "dqn")
# Which action space each algorithm trains on (SAC and TD3 need a Box; DQN a Discrete).
ALGORITHM_ACTIONS = {
    "ppo": "continuous",
    "a2c": "continuous",
    "sac": "continuous",
    "td3": "continuous",
    "dqn": "discrete",
}
ENV_IDS = {"continuous": "gl_env/GreatLeap-v1", "discrete": "gl_env/GreatLeapDiscrete-v1"}
CONFIG_FILE = "config.json"


@dataclass(frozen=True)
class RunConfig:
    """What a run was: enough to rebuild its environment and to resume it."""

    algo: str
    env_id: str
    env_kwargs: dict[str, Any]
    seed: int
    num_envs: int
    total_timesteps: int
    hyperparams: dict[str, Any] = field(default_factory=dict)
    eval_seeds: list[int] = field(default_factory=list)
    device: str = "cpu"
    gl_env_version: str = ""
    # Villages per county of a parameter-shared county run (train.py --county; 0: lone villages).
    # Then num_envs counts cadres, env_kwargs holds a county scenario and eval_seeds whole counties.
    county: int = 0

    def save(self, run_dir: Path) -> None:
        files.write_text(run_dir / CONFIG_FILE, json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, run_dir: Path | str) -> RunConfig:
        """The checked configuration of a run; ``FileNotFoundError`` without one, ``ValueError`` naming a bad value."""
        path = Path(run_dir) / CONFIG_FILE
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found: {run_dir} is not a gl_env training run")
        try:
            document = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(f"{path} is not valid JSON ({error})") from None
        names = {f.name for f in fields(cls)}
        if not isinstance(document, dict) or not {"algo", "env_id", "env_kwargs", "seed", "num_envs"} <= set(document):
            raise ValueError(f"{path} is not a run configuration (it needs algo, env_id, env_kwargs, seed, num_envs)")
        unknown = sorted(set(document) - names)
        if unknown:
            raise ValueError(f"{path}: unknown field(s) {', '.join(unknown)}")
        config = cls(**document)
        config.check(str(path))
        return config

    def check(self, where: str) -> None:
        """Raise ``ValueError`` naming the first value no training run could have written."""
        if self.algo not in ALGORITHMS:
            raise ValueError(f"{where}: unknown algorithm {self.algo!r}; allowed: {', '.join(ALGORITHMS)}")
        if self.env_id == ENV_IDS[self.action_type].replace("-v1", "-v0"):
            raise ValueError(
                f"{where}: this run was trained on {self.env_id}, the v0 dynamics (famine dynamics v1 replaced "
                f"them: README, Version History); retrain it with train.py on {ENV_IDS[self.action_type]}"
            )
        if self.env_id != ENV_IDS[self.action_type]:
            raise ValueError(
                f"{where}: env_id {self.env_id!r} does not fit {self.algo} (it trains on {ENV_IDS[self.action_type]})"
            )
        for name in ("seed", "num_envs", "total_timesteps"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < (0 if name == "seed" else 1):
                raise ValueError(
                    f"{where}: {name}={value!r} must be a {'non-negative' if name == 'seed' else 'positive'} integer"
                )
        TRAINING.block(
            self.seed * self.num_envs, self.num_envs, f"{where}: seed={self.seed} with num_envs={self.num_envs}"
        )
        if not all(isinstance(s, int) and not isinstance(s, bool) for s in self.eval_seeds):
            raise ValueError(f"{where}: eval_seeds must be integers")
        HELD_OUT.check(self.eval_seeds, f"{where}: eval_seeds")
        if not isinstance(self.env_kwargs, dict) or not isinstance(self.hyperparams, dict):
            raise ValueError(f"{where}: env_kwargs and hyperparams must be mappings")
        overrides = {k: v for k, v in self.env_kwargs.items() if k not in ("scenario", "reward")}
        try:
            if self.county:
                from gl_env.county.training import check_county_run

                check_county_run(self.county, self.num_envs, self.env_kwargs)
                if len(self.eval_seeds) % self.county:
                    raise ValueError(f"{len(self.eval_seeds)} eval_seeds do not make whole counties of {self.county}")
            else:
                make_params(self.env_kwargs.get("scenario", "historical-1958"), **overrides)
            resolve_weights(self.env_kwargs.get("reward", "careerist"))
        except (ValueError, TypeError) as error:
            raise ValueError(f"{where}: {error}") from None

    @property
    def action_type(self) -> str:
        return ALGORITHM_ACTIONS[self.algo]


def algorithm_class(algo: str) -> Any:
    """The stable-baselines3 class of ``algo`` (imported lazily: SB3 is the ``train`` extra)."""
    if algo not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algo!r}; allowed: {', '.join(ALGORITHMS)}")
    import stable_baselines3

    return getattr(stable_baselines3, algo.upper())


class LearnedPolicy:
    """A trained SB3 model behind the batched policy protocol (deterministic actions)."""

    def __init__(self, model: Any, action_type: str):
        self.model = model
        self.action_type = action_type

    def __call__(self, obs: np.ndarray, info: Mapping[str, Any] | None = None) -> np.ndarray:
        actions, _ = self.model.predict(obs, deterministic=True)
        return actions


def model_path(run_dir: Path | str, which: str = "best") -> Path:
    """``best_model.zip`` (or ``final_model.zip``) of a run; ``which="best"`` falls back to final."""
    run_dir = Path(run_dir)
    candidates = {"best": ["best_model.zip", "final_model.zip"], "final": ["final_model.zip"]}[which]
    for name in candidates:
        if (run_dir / name).is_file():
            return run_dir / name
    raise FileNotFoundError(f"no {' or '.join(candidates)} in {run_dir}")


def load_policy(run_dir: Path | str, which: str = "best", device: str = "cpu") -> tuple[LearnedPolicy, RunConfig]:
    """A trained run as a policy, with the configuration that rebuilds its environment."""
    config = RunConfig.load(run_dir)
    path = model_path(run_dir, which)
    try:
        model = algorithm_class(config.algo).load(path, device=device)
    except ImportError:
        raise
    except Exception as error:  # a damaged zip fails in many ways (zip, pickle, torch): all mean unreadable
        raise ValueError(f"{path} is not a readable {config.algo} model ({type(error).__name__}: {error})") from None
    return LearnedPolicy(model, config.action_type), config


__all__ = ["ALGORITHMS", "ENV_IDS", "LearnedPolicy", "RunConfig", "algorithm_class", "load_policy", "model_path"]

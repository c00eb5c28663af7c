"""Small helpers to drive the core directly in tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from gl_env.actions import NORMAL_SEASON
from gl_env.core.batch import Villages
from gl_env.core.dynamics import Outcome
from gl_env.core.params import Params
from gl_env.core.random import seeds_to_keys
from gl_env.core.state import Decision, State
from gl_env.observations import OBSERVATION_HIGH, OBSERVATION_LOW
from gl_env.rewards import REWARD_PRESETS


def decision(**values: float) -> Decision:
    """A scalar Decision from natural units (labor shares normalised), defaults as a normal season."""
    v = {**NORMAL_SEASON, **values}
    labor = [v[n] for n in ("labor_fields", "labor_private", "labor_works", "labor_steel", "labor_rest")]
    total = sum(labor)
    return Decision(
        *(x / total for x in labor),
        *(float(v[n]) for n in ("mobilization", "report_ratio", "steel_report_ratio", "ration_kg", "conceal_share")),
    )


def villages(params: list[Params], n: int, parallel: bool = False) -> Villages:
    """``n`` villages of ``params`` in the kernel's arrays (balanced reward weights)."""
    return Villages(params, n, REWARD_PRESETS["balanced"], OBSERVATION_LOW, OBSERVATION_HIGH, parallel=parallel)


class Village:
    """One village stepped on natural-unit decisions, its state and outcomes as Python numbers."""

    def __init__(self, params: Params, seed: int = 0):
        self.villages = villages([params], 1)
        self.villages.reset(seeds_to_keys(np.array([seed])))

    @property
    def state(self) -> State:
        return State(*(v.item() for v in self.villages.state()))

    @property
    def obs(self) -> np.ndarray:
        return self.villages.obs[0]

    def step(self, d: Decision) -> tuple[State, Outcome]:
        self.villages.decisions[0] = d
        self.villages.step()
        return self.state, Outcome(*(v.item() for v in self.villages.outcome()))


def run(
    params: Params, policy: Callable[[State], Decision], seasons: int | None = None, seed: int = 0
) -> list[tuple[State, Outcome]]:
    """Step one village with ``policy`` for ``seasons`` (default: the horizon), never purging early."""
    village = Village(params, seed)
    return [village.step(policy(village.state)) for _ in range(seasons or params.horizon)]


def total(trajectory: list[tuple[State, Outcome]], field: str) -> float:
    return sum(getattr(o, field) for _, o in trajectory)


def assert_trained_run(run: Path, checkpoints: Sequence[int]) -> None:
    """``run`` holds what train.py writes: config, best and final models, the learning curve, a
    checkpoint at each of ``checkpoints`` (steps) and TensorBoard events."""
    for name in ("config.json", "best_model.zip", "final_model.zip", "evaluations.csv"):
        assert (run / name).is_file(), name
    found = sorted(int(p.name.split("_")[1]) for p in (run / "checkpoints").glob("model_*_steps.zip"))
    assert found == sorted(checkpoints)
    assert list((run / "tensorboard").rglob("events.out.tfevents.*"))

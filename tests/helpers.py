"""Small helpers to drive the core directly in tests."""

from __future__ import annotations

from collections.abc import Callable

from gl_env.actions import NORMAL_SEASON
from gl_env.core.dynamics import Outcome, step
from gl_env.core.ops import seed_to_key
from gl_env.core.params import Params, compile_params
from gl_env.core.state import Decision, State, initial_state


def decision(**values: float) -> Decision:
    """A scalar Decision from natural units (labor shares normalised), defaults as a normal season."""
    v = {**NORMAL_SEASON, **values}
    labor = [v[n] for n in ("labor_fields", "labor_private", "labor_works", "labor_steel", "labor_rest")]
    total = sum(labor)
    return Decision(
        *(x / total for x in labor),
        *(float(v[n]) for n in ("mobilization", "report_ratio", "steel_report_ratio", "ration_kg", "conceal_share")),
    )


def run(
    params: Params, policy: Callable[[State], Decision], seasons: int | None = None, seed: int = 0
) -> list[tuple[State, Outcome]]:
    """Step one village with ``policy`` for ``seasons`` (default: the horizon), never purging early."""
    p = compile_params(params)
    state = initial_state(p, seed_to_key(seed))
    out = []
    for _ in range(seasons or params.horizon):
        state, outcome = step(p, state, policy(state))
        out.append((state, outcome))
    return out


def total(trajectory: list[tuple[State, Outcome]], field: str) -> float:
    return sum(getattr(o, field) for _, o in trajectory)

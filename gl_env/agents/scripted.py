"""Scripted baseline cadres, each a theory of what a cadre believes and does.

Every policy follows :class:`Policy`: a batch of observations ``(B, n)`` (and the batch's
``info``) in, a batch of actions out. Scripted cadres read observations by name
(:func:`gl_env.observations.named`) and the calendar from the info (:func:`readings`), and
build actions from natural units (:func:`gl_env.actions.continuous_action`), never by index.
:data:`SCRIPTED_POLICIES` maps each name to a factory ``seed -> Policy``; :func:`make_policy`
builds one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

import numpy as np

from gl_env.actions import ACTION_SIZE, continuous_action
from gl_env.agents.historical import historical_cadre
from gl_env.agents.rationing import budget_ration, season_of
from gl_env.observations import named

# Info keys a scripted cadre reads besides the observation.
CALENDAR_KEYS = ("coming_year", "coming_season")

Decide = Callable[[dict[str, np.ndarray]], dict[str, Any]]


class Policy(Protocol):
    """A cadre: observations (and info) of a batch of villages in, actions out."""

    action_type: str  # "continuous" or "discrete"

    def __call__(self, obs: np.ndarray, info: Mapping[str, Any] | None = None) -> np.ndarray: ...


def readings(obs: np.ndarray, info: Mapping[str, Any] | None) -> dict[str, np.ndarray]:
    """What a scripted cadre reads: the observation ``(B, n)`` by name, and, when the step's
    ``info`` is given, the calendar of the coming season (``coming_year``, ``coming_season``)."""
    o = named(obs)
    if info is not None:
        for key in CALENDAR_KEYS:
            o[key] = np.broadcast_to(np.asarray(info[key]), obs.shape[:1])
    return o


class ScriptedPolicy:
    """A decision rule in natural units, as a batched continuous-action policy."""

    action_type = "continuous"

    def __init__(self, decide: Decide):
        self.decide = decide

    def __call__(self, obs: np.ndarray, info: Mapping[str, Any] | None = None) -> np.ndarray:
        batch = np.atleast_2d(obs)
        action = continuous_action(**self.decide(readings(batch, info)))
        action = np.broadcast_to(action, (batch.shape[0], ACTION_SIZE))
        return action if obs.ndim == 2 else action[0]


class RandomPolicy:
    """Uniform random actions over the continuous action space (seeded)."""

    action_type = "continuous"

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)

    def __call__(self, obs: np.ndarray, info: Mapping[str, Any] | None = None) -> np.ndarray:
        shape = (obs.shape[0], ACTION_SIZE) if obs.ndim == 2 else (ACTION_SIZE,)
        return self.rng.uniform(-1.0, 1.0, shape).astype(np.float32)


def honest(o: dict[str, np.ndarray]) -> dict[str, Any]:
    """Believes the state must know the truth: reports the real harvest and steel, farms
    normally, never mobilises for campaigns, budgets the store to feed the village."""
    return {"report_ratio": 1.0, "ration_kg": budget_ration(o)}


def max_inflate(o: dict[str, np.ndarray]) -> dict[str, Any]:
    """Believes only reported growth keeps him in office: always reports three times the true
    harvest and steel, otherwise farms and feeds the village like the honest cadre."""
    return {"report_ratio": 3.0, "steel_report_ratio": 3.0, "ration_kg": budget_ration(o)}


def concealer(o: dict[str, np.ndarray]) -> dict[str, Any]:
    """Believes the state will take whatever it sees: under-reports the harvest by 30% and
    hides a fifth of the grain once the harvest is in, eating from the hidden store when the
    granary runs low; farms normally."""
    autumn = season_of(o) == 2
    return {"report_ratio": 0.7, "conceal_share": np.where(autumn, 0.2, 0.0), "ration_kg": budget_ration(o)}


def welfare_planner(o: dict[str, np.ndarray]) -> dict[str, Any]:
    """Believes a cadre can only protect the village while he keeps his post, and reads the
    institution to see what keeping it takes: where reports are audited or honest reports
    protected he tells the truth; otherwise he reports a modest 1.3 times the harvest, enough
    to survive the campaign against 'right deviation', too little to strip the granary. He
    farms with the private plots worked, keeps up the irrigation in winter, never makes steel
    or hides grain (searches punish it), and budgets the store until the next harvest."""
    watched = (o["audit_probability"] >= 0.25) | (o["honesty_protection"] >= 0.5)
    report = np.where(watched, 1.0, 1.3)
    return {
        "report_ratio": report,
        "steel_report_ratio": report,
        "labor_fields": 0.7,
        "labor_private": 0.1,
        "labor_works": np.where(season_of(o) == 3, 0.1, 0.0),
        "labor_steel": 0.0,
        "labor_rest": 0.15,
        "ration_kg": budget_ration(o),
    }


def ratio_policy(report_ratio: float) -> ScriptedPolicy:
    """The honest cadre's farming and rationing, reporting ``report_ratio`` times the truth."""
    return ScriptedPolicy(
        lambda o: {"report_ratio": report_ratio, "steel_report_ratio": report_ratio, "ration_kg": budget_ration(o)}
    )


def scripted(decide: Decide) -> Callable[[int], Policy]:
    """A registry entry for a deterministic decision rule (the seed is not needed)."""
    return lambda seed=0: ScriptedPolicy(decide)


SCRIPTED_POLICIES: dict[str, Callable[[int], Policy]] = {
    "honest": scripted(honest),
    "max_inflate": scripted(max_inflate),
    "historical_cadre": scripted(historical_cadre),
    "concealer": scripted(concealer),
    "welfare_planner": scripted(welfare_planner),
    "random": RandomPolicy,
}


def make_policy(name: str, seed: int = 0) -> Policy:
    """The scripted policy called ``name`` (see :data:`SCRIPTED_POLICIES`); ``seed`` seeds ``random``."""
    if name not in SCRIPTED_POLICIES:
        raise ValueError(f"unknown scripted policy {name!r}; allowed: {', '.join(SCRIPTED_POLICIES)}")
    return SCRIPTED_POLICIES[name](seed)

"""Scripted baseline cadres, each a theory of what a cadre believes and does.

Every policy follows :class:`Policy`: a batch of observations ``(B, n)`` (and optionally the
batch's ``info``) in, a batch of continuous actions ``(B, 10)`` out. Policies read
observations by name (:func:`gl_env.observations.named`) and build actions from natural units
(:func:`gl_env.actions.continuous_action`), never by index.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

import numpy as np

from agents.historical import historical_cadre
from gl_env.actions import continuous_action
from gl_env.core.constants import DAYS_PER_SEASON, SEED_KG_PER_HA
from gl_env.observations import named

# Store per person is observed in units of 500 kg.
_STORE_UNIT_KG = 500.0
# Seasons the store must feed before the next harvest, by the coming season (spring..winter).
# In autumn the harvest arrives before the village eats, so the cadre eats a normal ration.
_SEASONS_TO_FEED = np.array([2.0, 1.0, 1.0, 3.0])
NORMAL_RATION_KG = 0.55


class Policy(Protocol):
    """A cadre: observations (and info) of a batch of villages in, actions out."""

    action_type: str  # "continuous" or "discrete"

    def __call__(self, obs: np.ndarray, info: Mapping[str, Any] | None = None) -> np.ndarray: ...


def budget_ration(o: dict[str, np.ndarray], land_per_person_ha: float = 0.216) -> np.ndarray:
    """The ration (kg/person/day) that makes the store last until the next harvest.

    In spring the seed for the fields is set aside first; in autumn the harvest comes in
    before the village eats, so the normal ration is kept. Floored at 0.2 and capped at 0.7.
    """
    season = np.argmax(np.stack([o["spring"], o["summer"], o["autumn"], o["winter"]], axis=-1), axis=-1)
    store = o["store"] * _STORE_UNIT_KG
    seed = np.where(season == 0, land_per_person_ha * SEED_KG_PER_HA, 0.0)
    ration = (store - seed) / (_SEASONS_TO_FEED[season] * DAYS_PER_SEASON)
    return np.where(season == 2, NORMAL_RATION_KG, np.clip(ration, 0.2, 0.7))


class _Scripted:
    action_type = "continuous"

    def __init__(self, decide: Callable[[dict[str, np.ndarray]], dict[str, Any]]):
        self._decide = decide

    def __call__(self, obs: np.ndarray, info: Mapping[str, Any] | None = None) -> np.ndarray:
        batch = np.atleast_2d(obs)
        action = continuous_action(**self._decide(named(batch)))
        action = np.broadcast_to(action, (batch.shape[0], action.shape[-1]))
        return action if obs.ndim == 2 else action[0]


def honest(o: dict[str, np.ndarray]) -> dict[str, Any]:
    """Believes the state must know the truth: reports the real harvest and steel, farms
    normally, never mobilises for campaigns, budgets the store to feed the village."""
    return {"report_ratio": 1.0, "ration_kg": budget_ration(o)}


def max_inflate(o: dict[str, np.ndarray]) -> dict[str, Any]:
    """Believes only reported growth keeps him in office: always reports three times the true
    harvest and steel, otherwise farms and feeds the village like the honest cadre."""
    return {"report_ratio": 3.0, "steel_report_ratio": 3.0, "ration_kg": budget_ration(o)}


SCRIPTED_POLICIES: dict[str, Callable[[dict[str, np.ndarray]], dict[str, Any]]] = {
    "honest": honest,
    "max_inflate": max_inflate,
    "historical_cadre": historical_cadre,
}


def ratio_policy(report_ratio: float) -> Policy:
    """The honest cadre's farming and rationing, reporting ``report_ratio`` times the truth."""
    return _Scripted(
        lambda o: {"report_ratio": report_ratio, "steel_report_ratio": report_ratio, "ration_kg": budget_ration(o)}
    )


def make_policy(name: str) -> Policy:
    """The scripted policy called ``name`` (see :data:`SCRIPTED_POLICIES`)."""
    if name not in SCRIPTED_POLICIES:
        raise ValueError(f"unknown scripted policy {name!r}; allowed: {', '.join(SCRIPTED_POLICIES)}")
    return _Scripted(SCRIPTED_POLICIES[name])

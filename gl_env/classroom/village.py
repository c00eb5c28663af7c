"""A student's village in one round: the terminal play mode's game, driven by web requests.

The game is :class:`gl_env.play.Game` (the single env underneath): the briefing, the food
outlook, the hunger forecast, the report previews, the season reports and the way decisions
become an action are the play mode's own. This module only checks a request's decisions (with
the play mode's limits and messages), turns them into the game's standing orders, and rebuilds
a village from its stored moves after a restart (the core is deterministic given the seed and
the actions, so replaying the decisions reproduces every season).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from gl_env.actions import LABOR_NAMES, LABOR_PLANS
from gl_env.play import (
    LIMITS,
    PLAN_MEANINGS,
    QUESTIONS,
    RULES,
    Game,
    check_number,
    match_choice,
)

PLANS: tuple[str, ...] = (*LABOR_PLANS, "custom")
# The keys a move may carry; the others are refused by name.
MOVE_KEYS = ("t", "plan", "labor", "mobilization", "ration_kg", "conceal_share", "steel_report_ratio", "report_ratio")


def _unwrap(text: str) -> list[str]:
    """The play mode's terminal text as paragraphs: its 100-column wrapping undone, for any screen width."""
    joined = re.sub(r"\n {4}(?=\S)", " ", text.strip("\n"))
    return [line.strip() for line in joined.splitlines() if line.strip()]


def _plain(value: Any) -> Any:
    """``value`` with numpy numbers as Python numbers (nested dicts and lists too), ready for JSON."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value.item() if isinstance(value, np.generic | np.ndarray) else value


class Village:
    """One student's game in one round; ``moves`` (stored decisions, in order) are replayed first."""

    def __init__(self, scenario: str, overrides: Mapping[str, Any], seed: int, num_years: int, moves: Sequence[Any]):
        self.game = Game(scenario, seed, num_years, **overrides)
        self.reports: list[str] = []
        self.ended = False
        for decisions in moves:
            self._play(decisions)

    @property
    def t(self) -> int:
        """The coming season's index (0 = the first spring); the horizon once the game has ended."""
        return int(self.game.env.state.t)

    @property
    def horizon(self) -> int:
        return int(self.game.env.core_params.horizon)

    @property
    def start_population(self) -> float:
        return self.game.start_population

    # --- what the student reads ---------------------------------------------------------------------
    def orders(self) -> dict[str, Any]:
        """The standing orders, the defaults of the next move (the ration: the play mode's suggestion)."""
        m = self.game.moves
        return {
            "plan": m.plan,
            "labor": dict(m.labor),
            "mobilization": m.mobilization,
            "ration_kg": self.game.suggested_ration(),
            "conceal_share": m.conceal_share,
            "steel_report_ratio": m.steel_report_ratio,
            "report_ratio": 1.0,
        }

    def view(self) -> dict[str, Any]:
        """Everything the student page shows: the briefing and questions, or the end of the game."""
        game = self.game
        view: dict[str, Any] = {
            "t": self.t,
            "horizon": self.horizon,
            "ended": self.ended,
            "reports": [_unwrap(r) for r in self.reports],
            "rules": RULES,
        }
        if self.ended:
            purged = bool(game.infos and game.infos[-1]["purged"])
            view["ending"] = "You have been purged from your post." if purged else "Your term is over."
            return view
        view.update(
            season=game.season,
            briefing=_unwrap(game.briefing()),
            orders=_plain(self.orders()),
            plans=[
                {"name": name, "shares": list(shares), "mobilization": mob, "meaning": PLAN_MEANINGS[name]}
                for name, (shares, mob) in LABOR_PLANS.items()
            ],
            plans_help=game.plans().splitlines(),
            questions={
                name: {"question": QUESTIONS[name], "help": " ".join(text.split()), "limits": LIMITS[name]}
                for name, text in game.help_texts().items()
            },
            limits=LIMITS,
        )
        return view

    def preview(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """The play mode's forecasts for the orders in ``request``: the season's hunger (outside autumn) or
        what each report would bring (autumn). The village is not touched."""
        decisions = self.decisions(request, partial=True)
        saved = self._orders_from(decisions)
        try:
            if self.game.season == "autumn":
                return {
                    "harvest": self.game.harvest_in(decisions["ration_kg"]),
                    "reports": _plain(self.game.report_previews(decisions["ration_kg"])),
                    "audit_probability": float(self.game.env.core_params.audit_probability),
                }
            text, deadly = self.game.hunger_forecast(decisions["ration_kg"])
            return {"hunger": text, "deadly": deadly}
        finally:
            self._restore(saved)

    # --- the student's move -------------------------------------------------------------------------
    def decisions(self, request: Mapping[str, Any], partial: bool = False) -> dict[str, Any]:
        """The move's full decisions from ``request`` (missing values: the standing orders), checked.

        ``ValueError`` names the first bad value and what is allowed: the play mode's limits and
        messages. ``partial`` (previews) allows a report ratio outside autumn and a missing ``t``.
        """
        unknown = sorted(set(request) - set(MOVE_KEYS))
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(MOVE_KEYS)}")
        if self.ended:
            raise ValueError("Your village's game has ended; wait for the next round.")
        if not partial:
            if request.get("t") != self.t:
                raise ValueError(
                    f"This move is for season {request.get('t')!r}, but your village is at season {self.t} "
                    "(another tab played it?); reload the page."
                )
            if "report_ratio" in request and self.game.season != "autumn":
                raise ValueError("report_ratio is decided only at the autumn harvest; leave it out this season.")
        orders = self.orders()
        plan = request.get("plan", orders["plan"])
        if not isinstance(plan, str):
            raise ValueError(f"plan={plan!r} must be one of: {', '.join(PLANS)}")
        plan = match_choice(plan.strip().lower(), PLANS)
        if plan == "custom":
            labor = dict(orders["labor"])
            given = request.get("labor", {})
            if not isinstance(given, Mapping) or set(given) - set(LABOR_NAMES):
                raise ValueError(f"labor must map some of {', '.join(LABOR_NAMES)} to shares from 0 to 1")
            labor.update({name: check_number(name, value) for name, value in given.items()})
            if sum(labor.values()) <= 0:
                raise ValueError("All labor shares are 0; at least one must be above 0 (they are normalised to sum 1).")
            mobilization = check_number("mobilization", request.get("mobilization", orders["mobilization"]))
        else:
            if "labor" in request or "mobilization" in request:
                raise ValueError(f"labor and mobilization are set only with plan 'custom'; plan {plan!r} sets them")
            shares, mobilization = LABOR_PLANS[plan]
            labor = dict(zip(LABOR_NAMES, shares, strict=True))
        numbers = {
            name: check_number(name, request.get(name, orders[name]))
            for name in ("ration_kg", "conceal_share", "steel_report_ratio", "report_ratio")
        }
        if self.game.season != "autumn" and not partial:
            numbers["report_ratio"] = 1.0  # the play mode's report outside autumn (the env ignores it)
        return {"plan": plan, "labor": labor, "mobilization": mobilization, **numbers}

    def play(self, decisions: Mapping[str, Any]) -> dict[str, Any]:
        """Play the coming season with checked ``decisions``; returns the season's ``info`` (plain numbers)."""
        self._play(decisions)
        return _plain(self.game.infos[-1])

    def _play(self, decisions: Mapping[str, Any]) -> None:
        self._orders_from(decisions)
        action = self.game.action(decisions["report_ratio"], decisions["ration_kg"])
        report, self.ended = self.game.advance(action)
        self.reports.append(report)

    def _orders_from(self, decisions: Mapping[str, Any]) -> tuple[Any, ...]:
        """Set the game's standing orders from ``decisions``; returns the previous ones."""
        m = self.game.moves
        saved = (m.plan, dict(m.labor), m.mobilization, m.conceal_share, m.steel_report_ratio)
        m.plan, m.labor, m.mobilization = decisions["plan"], dict(decisions["labor"]), decisions["mobilization"]
        m.conceal_share, m.steel_report_ratio = decisions["conceal_share"], decisions["steel_report_ratio"]
        return saved

    def _restore(self, saved: tuple[Any, ...]) -> None:
        m = self.game.moves
        m.plan, m.labor, m.mobilization, m.conceal_share, m.steel_report_ratio = saved

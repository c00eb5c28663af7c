"""Play the cadre yourself, season by season, in the terminal.

``python -m gl_env.play --scenario historical-1958`` puts you in charge of a village of about
1,000 people from the spring of 1958. Each season you set the village's work, the grain ration
and how much grain to hide; at the autumn harvest you also decide what to report upward. After
each move you read the season's report (what was grown, reported, taken, eaten, and who died).
At the end your results stand beside the scripted cadres' on the same village and weather.

At every question, Enter keeps the value in brackets; ``help`` explains the question and the
rules; ``quit`` (or the end of the input) ends the game and shows the results so far.
Only the standard library does the input and output, so the game runs in any terminal and can
be driven through standard input.
"""

from __future__ import annotations

import argparse
import copy
import math
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gl_env.actions import (
    CONCEAL_MAX,
    LABOR_NAMES,
    LABOR_PLANS,
    RATION_MAX_KG,
    REPORT_RATIO_MAX,
    REPORT_RATIO_MIN,
    continuous_action,
    decode_continuous,
)
from gl_env.agents.rationing import NORMAL_RATION_KG
from gl_env.agents.scripted import SCRIPTED_POLICIES, make_policy
from gl_env.core import dynamics
from gl_env.core.constants import DAYS_PER_SEASON, SEASONS, SEASONS_PER_YEAR, SEED_KG_PER_HA
from gl_env.core.ops import ScalarOps
from gl_env.core.params import TIMELINE_NAMES
from gl_env.envs.great_leap import GreatLeapEnv
from gl_env.observations import named
from gl_env.rewards import REWARD_PRESETS, REWARD_TERMS
from gl_env.rollout import run_episodes
from gl_env.scenarios import SCENARIOS

QUIT_WORDS = ("quit", "exit", "q")
HELP_WORDS = ("help", "?", "h")
# Report ratios shown side by side before the autumn report.
REPORT_PREVIEW = (1.0, 1.3, 1.6, 2.0, 3.0)
# Below this ration (kg/day) villagers lose weight: 0.45 kg of grain (1,350 kcal), other food
# (150) and famine foods (at most 400) fall short of a working villager's need of about 2,000 kcal
# (gl_env.core.constants).
HUNGER_RATION_KG = 0.45
# A season's forecast above this many excess deaths per 1000 asks the player to confirm the ration.
DEADLY_EXCESS_PER_1000 = 2.0
# The suggested ration never exceeds this (kg/day): more is waste once people are fed.
MAX_SUGGESTED_RATION_KG = 0.7
# Seasons from the coming one until the next harvest (autumn: the harvest comes before eating).
_SEASONS_TO_HARVEST = {"spring": 2, "summer": 1, "winter": 3}
# Returns shown at the end, by reward preset (see gl_env.rewards).
SHOWN_PRESETS = ("careerist", "benevolent")

# What each of the player's numbers may be: (low, high, unit), as the questions and the classroom check them.
LIMITS: dict[str, tuple[float, float, str]] = {
    **{name: (0.0, 1.0, "") for name in LABOR_NAMES},
    "mobilization": (0.0, 1.0, ""),
    "ration_kg": (0.0, RATION_MAX_KG, "kg"),
    "conceal_share": (0.0, CONCEAL_MAX, ""),
    "steel_report_ratio": (REPORT_RATIO_MIN, REPORT_RATIO_MAX, "x"),
    "report_ratio": (REPORT_RATIO_MIN, REPORT_RATIO_MAX, "x"),
}

# The season's questions about numbers, by decision name.
QUESTIONS: dict[str, str] = {
    "ration_kg": "Ration, kg of grain a person a day",
    "conceal_share": "Share of the store to hide from the state",
    "steel_report_ratio": "Report steel as how many times the truth",
    "report_ratio": "Report the harvest as how many times the truth (1 = honest)",
}

PLAN_MEANINGS = {
    "farming": "a normal year",
    "works": "water conservancy: yields rise from next spring",
    "leap": "fields, works and steel furnaces at once",
    "steel": "the backyard furnaces first",
    "recovery": "fields and private plots, more rest",
}

RULES = """\
How the village works
- A year has four seasons: spring (sowing: seed comes out of the store), summer (growing),
  autumn (harvest; you report it; the state procures grain on your REPORT), winter (slack
  season, good for works). People eat from the collective store every season.
- The state takes a share of what you report, not of what you harvested. Report more than the
  truth and it takes grain that does not exist: the village eats less, and hungry people work
  less, die, and have fewer children.
- Your standing (0 to 1) rises when you report growth above the target, steel, and works; it
  falls when you report a decline, when an audit catches a false report, when hidden grain is
  found, and (in some years) when villagers starve. Below the purge line you risk being purged,
  which ends the game.
- Targets ratchet up from your past reports.
Commands: Enter keeps the value in [brackets]; 'help' explains; 'quit' ends the game."""


def allowed(low: float, high: float, unit: str) -> str:
    """The allowed values of a number, as the questions name them: 'a number from 0 to 1.2 kg'."""
    return f"a number from {low:.3g} to {high:.3g} {unit}".rstrip()


def check_number(name: str, value: Any) -> float:
    """``value`` as the float of decision ``name`` (a key of :data:`LIMITS`); ``ValueError`` naming the
    value and the allowed range otherwise."""
    low, high, unit = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name}={value!r} is not a number. Please enter {allowed(low, high, unit)}.")
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name}={value!r} is out of range. Please enter {allowed(low, high, unit)}.")
    return float(value)


def match_choice(text: str, choices: Sequence[str]) -> str:
    """The one of ``choices`` that ``text`` names (a unique prefix will do); ``ValueError`` saying why not."""
    matches = [c for c in choices if c == text] or [c for c in choices if c.startswith(text)]
    if len(matches) == 1:
        return matches[0]
    problem = f"could be {' or '.join(matches)}" if matches else f"is not one of: {', '.join(choices)}"
    raise ValueError(f"'{text}' {problem}")


class Quit(Exception):
    """The player typed quit, or the input ended."""


@dataclass
class Console:
    """Questions and answers through ``read`` (``input``) and ``write`` (``print``)."""

    read: Callable[[str], str] = input
    write: Callable[[str], Any] = print

    def _answer(self, prompt: str, help_text: str) -> str:
        while True:
            try:
                line = self.read(prompt)
            except EOFError:
                self.write("")
                raise Quit from None
            text = line.strip().lower()
            if text in QUIT_WORDS:
                raise Quit
            if text in HELP_WORDS:
                self.write(help_text)
                continue
            return text

    def number(self, question: str, default: float, low: float, high: float, unit: str, help_text: str) -> float:
        """A number in [low, high]; Enter gives ``default``; anything else re-asks with the allowed values."""
        allowed_values = allowed(low, high, unit)
        while True:
            text = self._answer(f"{question} [{default:g}]: ", f"{help_text}\n  Allowed: {allowed_values}.")
            if text == "":
                return default
            try:
                value = float(text.removeprefix("x").removesuffix("x"))
            except ValueError:
                self.write(
                    f"  '{text}' is not a number. Please enter {allowed_values}, Enter for {default:g}, or 'help'."
                )
                continue
            if not math.isfinite(value) or not low <= value <= high:
                self.write(f"  {text} is out of range. Please enter {allowed_values} (Enter for {default:g}).")
                continue
            return value

    def choice(self, question: str, default: str, choices: Sequence[str], help_text: str) -> str:
        """One of ``choices`` (a unique prefix will do); Enter gives ``default``."""
        while True:
            text = self._answer(f"{question} [{default}]: ", f"{help_text}\n  Allowed: {', '.join(choices)}.")
            if text == "":
                return default
            try:
                return match_choice(text, choices)
            except ValueError as problem:
                self.write(f"  {problem}. Please choose one (Enter for {default}), or 'help'.")


@dataclass
class Moves:
    """The player's standing orders: kept from season to season unless changed."""

    plan: str = "farming"
    labor: dict[str, float] = field(
        default_factory=lambda: dict(zip(LABOR_NAMES, LABOR_PLANS["farming"][0], strict=True))
    )
    mobilization: float = 0.0
    conceal_share: float = 0.0
    steel_report_ratio: float = 1.0


@dataclass
class Record:
    """What one cadre's episode did: per-season arrays (seasons played only)."""

    name: str
    season: np.ndarray
    year: np.ndarray
    deaths: np.ndarray
    excess_deaths: np.ndarray
    population: np.ndarray  # at the end of each season
    start_population: float  # at the start of the first
    report_ratio: np.ndarray
    standing: np.ndarray  # at the end of each season
    purged: bool
    terms: dict[str, np.ndarray]  # reward term -> value per season

    @property
    def deaths_per_1000_year(self) -> float:
        """Deaths per 1000 person-years, person-years counted at each season's start as in
        :func:`gl_env.metrics.deaths_per_1000_per_year`."""
        person_years = (self.start_population + self.population[:-1].sum()) / SEASONS_PER_YEAR
        return float(self.deaths.sum() / max(person_years, 1e-9) * 1000.0)

    def returns(self, preset: str) -> float:
        weights = REWARD_PRESETS[preset]
        return float(sum(weights[t] * self.terms[t].sum() for t in REWARD_TERMS))

    @property
    def autumn_reports(self) -> list[tuple[int, float]]:
        autumn = self.season == SEASONS.index("autumn")
        return [(int(y), float(r)) for y, r in zip(self.year[autumn], self.report_ratio[autumn], strict=True)]


def _record(name: str, column: Callable[[str], np.ndarray], start_population: float, purged: bool) -> Record:
    """A Record from ``column(info_key)`` (reward terms under ``reward/<term>``), per season played."""
    return Record(
        name=name,
        season=column("season").astype(int),
        year=column("year").astype(int),
        deaths=column("deaths"),
        excess_deaths=column("excess_deaths"),
        population=column("population"),
        start_population=start_population,
        report_ratio=column("report_ratio"),
        standing=column("standing"),
        purged=purged,
        terms={t: column(f"reward/{t}") for t in REWARD_TERMS},
    )


def record_from_infos(name: str, start_population: float, infos: list[dict[str, Any]]) -> Record:
    def column(key: str) -> np.ndarray:
        if key.startswith("reward/"):
            return np.array([float(i["reward_components"][key[len("reward/") :]]["value"]) for i in infos])
        return np.array([float(i[key]) for i in infos])

    return _record(name, column, start_population, purged=bool(infos and infos[-1]["purged"]))


def baselines(scenario: str, seed: int, num_years: int) -> list[Record]:
    """Every scripted cadre of :data:`gl_env.agents.scripted.SCRIPTED_POLICIES` on the same village (seed)."""
    return [villages[0] for villages in scripted_records(scenario, [seed], num_years).values()]


def scripted_records(scenario: str, seeds: Sequence[int], num_years: int, **overrides: Any) -> dict[str, list[Record]]:
    """Each scripted cadre's Record in each village of ``seeds`` (one batch per cadre), by cadre name.

    ``overrides`` are :class:`~gl_env.core.params.Params` fields, as for ``gym.make``.
    """
    records = {}
    for name in SCRIPTED_POLICIES:
        policy = make_policy(name)
        episodes = run_episodes(
            policy, seeds, action_type=policy.action_type, scenario=scenario, num_years=num_years, **overrides
        )
        records[name] = []
        for b in range(len(seeds)):
            played = episodes.alive[:, b]

            def column(key: str, played: np.ndarray = played, b: int = b, episodes: Any = episodes) -> np.ndarray:
                return np.asarray(episodes.info[key][played, b], dtype=float)

            start = float(episodes.start["population"][b])
            records[name].append(_record(name, column, start, purged=bool(episodes.purged[b])))
    return records


def results_table(records: Sequence[Record], first_year: int, num_years: int) -> str:
    """The end-of-game comparison: deaths, excess deaths, purge, reports, returns, one row per cadre."""
    years = range(first_year, first_year + num_years)
    name = max(14, *(len(r.name) for r in records))
    title = "autumn reports (x truth)"
    width = max(6 * num_years, len(title))
    returns_width = 11 * len(SHOWN_PRESETS) - 1
    lines = [
        f"{'':{name}s} {'deaths per':>11s} {'excess':>7s} {'purged':>12s}  {title:<{width}s}  "
        f"{'returns':^{returns_width}s}",
        f"{'cadre':{name}s} {'1000 a year':>11s} {'deaths':>7s} {'':12s}  "
        f"{''.join(f'{y:>6d}' for y in years):<{width}s}  " + " ".join(f"{p:>10s}" for p in SHOWN_PRESETS),
    ]
    lines.append("-" * len(lines[1]))
    for r in records:
        purged = f"{SEASONS[r.season[-1]]} {r.year[-1]}" if r.purged else "no"
        made = dict(r.autumn_reports)
        shown = "".join(f"{made[y]:6.2f}" if y in made else f"{'-':>6s}" for y in years)
        lines.append(
            f"{r.name:{name}s} {r.deaths_per_1000_year:11.1f} {r.excess_deaths.sum():7.1f} {purged:>12s}  "
            f"{shown:<{width}s}  " + " ".join(f"{r.returns(p):10.2f}" for p in SHOWN_PRESETS)
        )
    return "\n".join(lines)


def _wrap(text: str) -> str:
    """A line of the briefing, wrapped for an 100-column terminal."""
    return textwrap.fill(text, width=100, initial_indent="  ", subsequent_indent="    ")


class Game:
    """One game: the environment, the player's standing orders, and the seasons played."""

    def __init__(self, scenario: str, seed: int, num_years: int, console: Console | None = None, **overrides: Any):
        """``overrides``: institution and other :class:`~gl_env.core.params.Params` fields, as for ``gym.make``
        (bad values raise its ``ValueError``); ``console`` is needed only to :meth:`move` and :meth:`play`."""
        self.console = console or Console()
        self.env = GreatLeapEnv(scenario=scenario, render_mode="ansi", num_years=num_years, **overrides)
        self.obs, info = self.env.reset(seed=seed)
        self.start_population = float(info["population"])
        self.infos: list[dict[str, Any]] = []
        self.moves = Moves()

    # --- what the player is told ------------------------------------------------------------------
    def _climate(self) -> dict[str, float]:
        core, t = self.env.core_params, self.env.state.t
        return dict(zip(TIMELINE_NAMES, core.timeline[min(t, core.horizon - 1)], strict=True))

    @property
    def season(self) -> str:
        return SEASONS[self.env.state.t % SEASONS_PER_YEAR]

    def lasting_ration(self) -> float | None:
        """The ration (kg/person/day) the store allows until the next harvest, seed for the coming
        spring set aside; None in autumn, when the harvest comes in before the village eats."""
        state, core, c = self.env.state, self.env.core_params, self._climate()
        if self.season == "autumn":
            return None
        seed = 0.0
        if self.season in ("winter", "spring"):
            private = core.private_plot_land_share * c["private_plots"]
            seed = core.population * core.land_per_person_ha * (1.0 - private) * SEED_KG_PER_HA
        # Canteens draw on hidden grain once the store is empty.
        grain = state.store_kg + state.hidden_kg
        return max(grain - seed, 0.0) / state.population / (_SEASONS_TO_HARVEST[self.season] * DAYS_PER_SEASON)

    def suggested_ration(self) -> float:
        """The store spread evenly until the harvest (a normal ration in autumn), in steps of 0.05 kg."""
        lasting = self.lasting_ration()
        return NORMAL_RATION_KG if lasting is None else min(math.floor(lasting * 20) / 20, MAX_SUGGESTED_RATION_KG)

    def food_outlook(self) -> str:
        """How long the store lasts: the ration it allows until the next harvest."""
        state, lasting = self.env.state, self.lasting_ration()
        if lasting is None:
            return "Food: the harvest comes in this season, before the village eats."
        seasons = _SEASONS_TO_HARVEST[self.season]
        text = (
            f"Food: the store holds {state.store_kg / state.population:,.0f} kg a person"
            + (f" and {state.hidden_kg / state.population:,.0f} kg is hidden" if state.hidden_kg > 0 else "")
            + "; "
            + ("with seed for the spring sowing set aside, " if self.season in ("winter", "spring") else "")
            + f"that is {lasting:.2f} kg a day each until the harvest, {seasons} season{'s' * (seasons > 1)} away."
        )
        if lasting < HUNGER_RATION_KG:
            text += f" WARNING: below {HUNGER_RATION_KG:g} kg a day people lose weight, then die."
        return text

    def briefing(self) -> str:
        """The situation before the season's move: village, food, standing, the state's demands."""
        state, core, c = self.env.state, self.env.core_params, self._climate()
        o = named(self.obs)
        year = core.start_year + state.t // SEASONS_PER_YEAR
        lines = [
            f"\n=== {self.season.capitalize()} {year} (season {state.t + 1} of {core.horizon}) ===",
            _wrap(
                f"Village: {state.population:,.0f} people; store {state.store_kg / 1000:,.1f} t, hidden "
                f"{state.hidden_kg / 1000:,.1f} t; body reserves {state.reserve:.0%} (100% = well fed)."
            ),
            _wrap(self.food_outlook()),
            _wrap(
                f"Your standing {state.standing:.2f} (purge risk when below {core.purge_threshold:.2f}; "
                f"now {float(o['purge_risk']):.0%} a season)."
            ),
        ]
        demands = [f"procurement {c['procurement_rate']:.0%} of your report"]
        if c["growth_credit"] > 0:
            demands.append(f"growth above target rewarded ({c['growth_credit']:g}/unit)")
        if c["decline_penalty"] > 0:
            demands.append(f"reported decline punished ({c['decline_penalty']:g}/unit)")
        demands.append(
            f"deaths held against you ({c['death_accountability']:g} per 10 excess deaths per 1000)"
            if c["death_accountability"] > 0
            else "no one is held to account for deaths"
        )
        rules = []
        if self.season == "autumn":
            rules.append(f"{core.audit_probability:.0%} of harvests are audited")
        if c["steel_quota_kg_per_person"] > 0:
            rules.append(f"steel quota {c['steel_quota_kg_per_person']:g} kg a person (credit {c['steel_credit']:g})")
        if c["works_credit"] > 0:
            rules.append(f"works earn credit ({c['works_credit']:g} per share of labor)")
        if c["search_rate"] > 0.1:
            rules.append(f"anti-hiding searches ({c['search_rate']:.0%} a season)")
        rules.append("private plots allowed" if c["private_plots"] > 0 else "private plots abolished")
        if c["free_supply"] > 0:
            rules.append(f"free canteens: everyone eats at least {core.free_supply_ration_kg:g} kg a day")
        lines.append(_wrap("The state: " + "; ".join(demands) + "."))
        lines.append(_wrap("This season: " + "; ".join(rules) + "."))
        if self.season == "autumn":
            lines.append(
                _wrap(
                    f"This year's target: {state.target_kg / 1000:,.0f} t; last year you reported "
                    f"{state.reported_kg / 1000:,.0f} t (true harvest {state.harvest_kg / 1000:,.0f} t)."
                )
            )
        return "\n".join(lines)

    def _foresee(self, report_ratio: float, ration_kg: float, audited: bool) -> tuple[Any, Any]:
        """The season's end state and outcome if played now, with or without an exact audit.

        Only what the cadre could know is read from it: the harvest, what the state demands, his
        standing, and how hunger will strike (nutrition and deaths are deterministic). Audits are
        fixed (never, or surely and exactly) and found hidden grain costs nothing, so the preview
        leaks none of the season's random draws.
        """
        foreseen = copy.copy(self.env.core_params)
        foreseen.audit_probability = 1.0 if audited else 0.0
        foreseen.audit_error = 0.0
        foreseen.concealment_penalty = 0.0
        action = self.action(report_ratio, ration_kg)
        return dynamics.step(foreseen, self.env.state, decode_continuous(action.astype(float).tolist()))

    def report_previews(self, ration_kg: float, ratios: Sequence[float] = REPORT_PREVIEW) -> list[dict[str, float]]:
        """What each report ratio would bring, one row each: ``ratio``, ``reported_kg``, ``of_target`` (share),
        ``state_takes_kg``, ``grain_left_kg_per_person`` (store and harvest after the state's take),
        ``next_target_kg``, ``standing`` and ``standing_if_audited`` after the review."""
        state, core = self.env.state, self.env.core_params
        # M9: next spring's target ratchets from this report (see gl_env.core.dynamics.step).
        next_spring = min(state.t + 2, core.horizon - 1)
        growth = dict(zip(TIMELINE_NAMES, core.timeline[next_spring], strict=True))["planned_growth"]
        rows = []
        for ratio in ratios:
            _, plain = self._foresee(ratio, ration_kg, audited=False)
            _, audit = self._foresee(ratio, ration_kg, audited=True)
            left = (state.store_kg + plain.harvest_kg - plain.procurement_due_kg) / state.population
            rows.append(
                {
                    "ratio": float(ratio),
                    "reported_kg": plain.reported_kg,
                    "of_target": plain.reported_kg / max(state.target_kg, 1.0),
                    "state_takes_kg": plain.procurement_due_kg,
                    "grain_left_kg_per_person": max(left, 0.0),
                    "next_target_kg": dynamics.next_target(
                        ScalarOps, state.target_kg, plain.reported_kg, core.ratchet, growth
                    ),
                    "standing": state.standing + plain.standing_change,
                    "standing_if_audited": state.standing + audit.standing_change,
                }
            )
        return rows

    def harvest_in(self, ration_kg: float) -> str:
        """The autumn's harvest against the target, the last report and the standing, in a line."""
        state = self.env.state
        harvest = self._foresee(1.0, ration_kg, audited=False)[1].harvest_kg
        return (
            f"The harvest is in: {harvest / 1000:,.1f} t. This year's target {state.target_kg / 1000:,.0f} t; "
            f"last year's report {state.reported_kg / 1000:,.0f} t; your standing {state.standing:.2f}."
        )

    def report_options(self, ration_kg: float) -> str:
        """What each report would bring: the state's take, the grain left, next year's target, the standing."""
        core = self.env.core_params
        lines = [
            f"  {self.harvest_in(ration_kg)}",
            "  If you report:",
            f"    {'':6s}{'reported':>10s} {'of target':>9s} {'state takes':>11s} {'grain left':>10s} "
            f"{'next target':>11s}   your standing after the review",
        ]
        for row in self.report_previews(ration_kg):
            lines.append(
                f"    x{row['ratio']:<4g} {row['reported_kg'] / 1000:8,.1f} t {row['of_target']:9.0%} "
                f"{row['state_takes_kg'] / 1000:9,.1f} t {row['grain_left_kg_per_person']:5,.0f} kg/p. "
                f"{row['next_target_kg'] / 1000:9,.0f} t   "
                f"{row['standing']:.2f} ({row['standing_if_audited']:.2f} if audited)"
            )
        lines.append(
            f"  (grain left: store and harvest after the state's take, per person, for the year; "
            f"{core.audit_probability:.0%} of harvests are audited)"
        )
        return "\n".join(lines)

    # --- the player's move --------------------------------------------------------------------------
    def action(self, report_ratio: float, ration_kg: float) -> np.ndarray:
        m = self.moves
        return continuous_action(
            **m.labor,
            mobilization=m.mobilization,
            report_ratio=report_ratio,
            steel_report_ratio=m.steel_report_ratio,
            ration_kg=ration_kg,
            conceal_share=m.conceal_share,
        )

    def plans(self) -> str:
        """The labor plans, one line each."""
        lines = [
            "Labor plans: shares of labor on fields/private plots/works/steel/rest, and women mobilised:",
        ]
        for name, (shares, mobilization) in LABOR_PLANS.items():
            split = "/".join(f"{s:.0%}" for s in shares)
            lines.append(f"  {name:9s} {split:19s} women {mobilization:4.0%}  {PLAN_MEANINGS[name]}")
        lines.append("  custom    type your own shares (then 'same' keeps them)")
        if self._climate()["private_plots"] == 0:
            lines.append("  (Private plots are abolished now: labor sent there idles.)")
        return "\n".join(lines)

    def ask_labor(self) -> None:
        m = self.moves
        # Once the player has typed his own shares, Enter keeps them ("same") rather than asking again.
        plans = [*LABOR_PLANS, "custom", *(["same"] if m.plan == "custom" else [])]
        default = "same" if m.plan == "custom" else m.plan
        plan = self.console.choice(f"Labor plan ({', '.join(plans)})", default, plans, self.plans())
        if plan == "same":
            return
        if plan == "custom":
            labor = {}
            for name in LABOR_NAMES:
                labor[name] = self.console.number(
                    f"  share of labor on {name.removeprefix('labor_')}",
                    m.labor[name],
                    0.0,
                    1.0,
                    "",
                    "Shares are normalised to sum to 1; at least one must be above 0.",
                )
            if sum(labor.values()) <= 0:
                self.console.write("  All shares were 0; keeping the previous plan.")
                return
            m.labor = labor
            m.mobilization = self.console.number(
                "  share of women mobilised for collective work",
                m.mobilization,
                0.0,
                1.0,
                "",
                "More labor-days, but more energy spent and more child deaths (collective child care).",
            )
        else:
            shares, m.mobilization = LABOR_PLANS[plan]
            m.labor = dict(zip(LABOR_NAMES, shares, strict=True))
        m.plan = plan

    def hunger_forecast(self, ration: float) -> tuple[str, bool]:
        """The season's hunger at ``ration`` (kcal, body reserves, deaths), and whether people will starve
        (more than :data:`DEADLY_EXCESS_PER_1000` excess deaths per 1000)."""
        after, outcome = self._foresee(1.0, ration, audited=False)
        per_1000 = outcome.excess_deaths / outcome.population_start * 1000.0
        text = (
            f"At {ration:g} kg a day: {outcome.kcal_per_person_day:,.0f} kcal against a need of "
            f"{outcome.kcal_need_per_person_day:,.0f}; body reserves {self.env.state.reserve:.0%} -> "
            f"{after.reserve:.0%}; about {outcome.deaths:,.0f} deaths this season "
            f"({outcome.excess_deaths:,.0f} above normal)."
        )
        return text, per_1000 >= DEADLY_EXCESS_PER_1000

    def confirm_ration(self, ration: float, ration_help: str) -> float:
        """Forecast the season's hunger at ``ration``; while it kills, offer to change it."""
        while True:
            text, deadly = self.hunger_forecast(ration)
            self.console.write(_wrap(text))
            if not deadly:
                return ration
            changed = self.console.number(
                f"  People will starve. Keep {ration:g} kg (Enter), or another ration",
                ration,
                *LIMITS["ration_kg"],
                ration_help,
            )
            if changed == ration:
                return ration
            ration = changed

    def help_texts(self) -> dict[str, str]:
        """What the season's questions mean, by decision name (keys of :data:`QUESTIONS`)."""
        c, core = self._climate(), self.env.core_params
        ration = (
            f"Grain from the collective store, per person per day. {NORMAL_RATION_KG:g} kg is a normal ration;\n"
            f"  below about {HUNGER_RATION_KG:g} kg people lose weight, and once their reserves are gone, they die.\n"
            f"  The suggestion spreads the store evenly until the harvest (at most {MAX_SUGGESTED_RATION_KG:g} kg)."
        )
        if c["free_supply"] > 0:
            ration += f"\n  Free canteens this season: people eat at least {core.free_supply_ration_kg:g} kg."
        return {
            "ration_kg": ration,
            "conceal_share": "Hidden grain escapes procurement and feeds the village later, but an anti-hiding search\n"
            f"  confiscates most of it and costs you standing ({core.concealment_penalty:g} per 100 kg a person"
            " found).",
            "steel_report_ratio": "Reported steel earns standing (up to twice the quota); audits check it like the "
            "harvest.",
            "report_ratio": "The state procures on your report. Reporting above the target earns standing; "
            "reporting\n  less than last year loses it. An audit that finds your report more than "
            f"{core.audit_tolerance:.0%} off the truth\n"
            f"  costs {core.over_report_penalty:g} standing per unit over and {core.under_report_penalty:g} per "
            f"unit under; where an audit\n  confirms the report, {core.honesty_protection:.0%} of the decline "
            "penalty is waived.",
        }

    def move(self) -> np.ndarray:
        """Ask the season's questions and return the action."""
        m = self.moves
        self.console.write(self.briefing())
        if self.env.state.t == 0:
            self.console.write(self.plans())
        self.ask_labor()
        helps = self.help_texts()
        ration = self.console.number(
            QUESTIONS["ration_kg"], self.suggested_ration(), *LIMITS["ration_kg"], helps["ration_kg"]
        )
        if self.season != "autumn":
            ration = self.confirm_ration(ration, helps["ration_kg"])
        m.conceal_share = self.console.number(
            QUESTIONS["conceal_share"], m.conceal_share, *LIMITS["conceal_share"], helps["conceal_share"]
        )
        if m.labor["labor_steel"] > 0:
            m.steel_report_ratio = self.console.number(
                QUESTIONS["steel_report_ratio"],
                m.steel_report_ratio,
                *LIMITS["steel_report_ratio"],
                helps["steel_report_ratio"],
            )
        report_ratio = 1.0
        if self.season == "autumn":
            self.console.write(self.report_options(ration))
            report_ratio = self.console.number(
                QUESTIONS["report_ratio"], 1.0, *LIMITS["report_ratio"], helps["report_ratio"]
            )
        return self.action(report_ratio, ration)

    def advance(self, action: np.ndarray) -> tuple[str, bool]:
        """Play the season with ``action``: its report (the ansi render) and whether the episode has ended."""
        self.obs, _, terminated, truncated, info = self.env.step(action)
        self.infos.append(info)
        return self.env.render(), terminated or truncated

    def play(self) -> bool:
        """Play until the episode ends or the player quits; True if it ran to its end."""
        while True:
            try:
                action = self.move()
            except Quit:
                return False
            report, ended = self.advance(action)
            self.console.write("\n" + report.rstrip())
            if ended:
                return True

    def record(self) -> Record:
        return record_from_infos("you", self.start_population, self.infos)


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    """Run a game from the command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m gl_env.play",
        description="Play the village cadre season by season, then compare yourself with the scripted cadres.",
        epilog="At every question: Enter keeps the value in [brackets], 'help' explains, 'quit' ends the game.",
    )
    parser.add_argument("--scenario", default="historical-1958", choices=list(SCENARIOS), help="the world you play")
    parser.add_argument("--seed", type=int, default=0, help="the village's seed (weather, audits, purges)")
    parser.add_argument("--years", type=int, default=5, help="years to play (1 to 5; 4 seasons each)")
    args = parser.parse_args(argv)
    if not 1 <= args.years <= 5:
        parser.error(f"--years={args.years} is out of range; allowed 1 to 5")
    if not 0 <= args.seed < 2**63:  # the batched baselines seed villages with 64-bit signed integers
        parser.error(f"--seed={args.seed} is out of range; allowed 0 to 2**63-1 ({2**63 - 1})")
    console = console or Console()
    try:
        return _play(args, console)
    except KeyboardInterrupt:  # Ctrl-C outside a question (starting up, replaying the scripted cadres)
        console.write("\n=== Interrupted ===")
        return 130


def _play(args: argparse.Namespace, console: Console) -> int:
    game = Game(args.scenario, args.seed, args.years, console)
    console.write(
        f"You are the cadre of a production brigade of {game.start_population:,.0f} people.\n"
        f"Scenario {args.scenario}: {SCENARIOS[args.scenario].description}\n\n{RULES}"
    )
    try:
        finished = game.play()
    except KeyboardInterrupt:
        finished = False
    console.write("\n=== Your term is over ===" if finished else "\n=== You left the game ===")
    start_year = game.env.core_params.start_year
    records = [game.record(), *baselines(args.scenario, args.seed, args.years)] if game.infos else []
    if not records:
        console.write("No season was played.")
        return 0
    console.write(
        f"Your results beside the scripted cadres on the same village (seed {args.seed}):\n"
        + results_table(records, start_year, args.years)
    )
    if not finished:
        console.write(
            f"(You played {len(game.infos)} of {game.env.core_params.horizon} seasons; "
            "the scripted cadres played to the end or to their purge.)"
        )
    console.write(
        "Deaths per 1000 a year: per 1000 person-years lived; excess deaths: above the 1957 death rate.\n"
        "Careerist return: your standing summed over the seasons (-5 at a purge); benevolent return:\n"
        "1 a season, minus the hunger gap and the excess deaths per 1000 / 10, summed over the seasons."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

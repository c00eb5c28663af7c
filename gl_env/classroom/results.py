"""The class's results: each student's village, the scripted cadres on the same villages, the CSV
export and the debrief's best-response map.

A student's village is summarised from its stored seasons with the play mode's
:class:`~gl_env.play.Record` (the same deaths per 1000 a year, autumn reports and purge as the
terminal's end-of-game table). The scripted cadres (:data:`gl_env.agents.scripted.SCRIPTED_POLICIES`)
play the same villages (seeds) under the round's institution, as the play mode compares them.
The debrief's map is the mechanism sweep's (:mod:`gl_env.sweep`): its default grid (growth credit x
audit probability) laid over the round's institution, searched with a small budget, plus one
cell that is exactly the round's institution; the result is cached in the database.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from functools import lru_cache
from typing import Any

import numpy as np

from gl_env import sweep
from gl_env.actions import ACTION_NAMES
from gl_env.classroom.store import Store
from gl_env.core.constants import SEASONS
from gl_env.play import SHOWN_PRESETS, Record, record_from_infos, scripted_records
from gl_env.scenarios import make_params

# What the CSV export keeps of each season's info (see gl_env.info), after the decisions.
OUTCOME_COLUMNS: tuple[str, ...] = (
    "year",
    "season",
    "harvest_kg",
    "reported_kg",
    "procurement_due_kg",
    "procurement_kg",
    "relief_kg",
    "confiscated_kg",
    "concealed_kg",
    "steel_kg",
    "reported_steel_kg",
    "food_kg_per_person",
    "kcal_per_person_day",
    "deaths",
    "excess_deaths",
    "births",
    "population",
    "store_kg",
    "hidden_kg",
    "standing",
    "purge_probability",
    "purged",
    "audited",
    "searched",
)
DECISION_COLUMNS: tuple[str, ...] = ("plan", *ACTION_NAMES)
# The debrief's search budget: small enough for a second or two on one core (the sweep's default
# budget takes minutes), at the price of noisier best responses; the page says so.
MAP_BUDGET: dict[str, int] = {"iterations": 8, "population": 16, "seeds": 8, "eval_seeds": 50}
_MAP_METRICS = (*sweep.METRICS, "honest_return")
_map_lock = threading.Lock()


def summary(record: Record) -> dict[str, Any]:
    """A village's results: deaths, excess deaths (also per 1000 villagers, as the sweep counts them),
    purge, standing, autumn reports (x truth) and the returns the play mode shows."""
    reports = record.autumn_reports
    purged_when = f"{SEASONS[record.season[-1]]} {record.year[-1]}" if record.purged else None
    return {
        "name": record.name,
        "seasons": len(record.season),
        "deaths": float(record.deaths.sum()),
        "excess_deaths": float(record.excess_deaths.sum()),
        "excess_per_1000": float(record.excess_deaths.sum() / record.start_population * 1000.0),
        "deaths_per_1000_year": record.deaths_per_1000_year,
        "purged": record.purged,
        "purged_when": purged_when,
        "standing": float(record.standing[-1]),
        "standing_series": record.standing.tolist(),
        "reports": reports,
        "mean_report": float(np.mean([r for _, r in reports])) if reports else None,
        "returns": {preset: record.returns(preset) for preset in SHOWN_PRESETS},
    }


def _mean(values: list[Any]) -> float | None:
    defined = [v for v in values if v is not None]
    return float(np.mean(defined)) if defined else None


def aggregate(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """The mean of villages' summaries (reports over the villages that made one; purges as a share)."""
    return {
        "villages": len(summaries),
        "mean_report": _mean([s["mean_report"] for s in summaries]),
        "deaths_per_1000_year": _mean([s["deaths_per_1000_year"] for s in summaries]),
        "excess_per_1000": _mean([s["excess_per_1000"] for s in summaries]),
        "purged": _mean([float(s["purged"]) for s in summaries]),
        "standing": _mean([s["standing"] for s in summaries]),
    }


@lru_cache(maxsize=64)
def _scripted(scenario: str, overrides_json: str, seeds: tuple[int, ...], num_years: int) -> list[dict[str, Any]]:
    records = scripted_records(scenario, list(seeds), num_years, **json.loads(overrides_json))
    return [{"name": name, **aggregate([summary(r) for r in villages])} for name, villages in records.items()]


def round_results(store: Store, session: dict[str, Any], round_row: dict[str, Any]) -> dict[str, Any]:
    """One round: every student's village, the class's means, and the scripted cadres on the same villages."""
    villages = store.villages(session["id"], round_row["number"])
    students = []
    for village in villages:
        infos = [m["info"] for m in store.moves(village["player_id"], round_row["number"])]
        record = record_from_infos(village["nickname"], village["start_population"], infos)
        students.append({**summary(record), "seed": village["seed"]})
    seeds = tuple(v["seed"] for v in villages)
    scripted = (
        _scripted(
            round_row["scenario"], json.dumps(round_row["overrides"], sort_keys=True), seeds, session["num_years"]
        )
        if seeds
        else []
    )
    return {
        "number": round_row["number"],
        "scenario": round_row["scenario"],
        "overrides": round_row["overrides"],
        "open": round_row["open"],
        "horizon": session["num_years"] * len(SEASONS),
        "students": students,
        "class": aggregate(students),
        "scripted": scripted,
    }


def class_results(store: Store, session_id: str) -> dict[str, Any]:
    """The session and every round's results (what the projector page charts)."""
    session = store.session(session_id)
    return {
        "session": session,
        "players": len(store.players(session_id)),
        "moves": store.move_count(session_id),
        "rounds": [round_results(store, session, r) for r in store.rounds(session_id)],
    }


def export_csv(store: Store, session_id: str) -> str:
    """Every stored move, one row per student, round and season: who, where, the decisions, the outcome."""
    session = store.session(session_id)
    rounds = {r["number"]: r for r in store.rounds(session_id)}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["session", "round", "scenario", "institution", "nickname", "seed", "t",
                     *DECISION_COLUMNS, *OUTCOME_COLUMNS])  # fmt: skip
    for number, round_row in rounds.items():
        for village in store.villages(session["id"], number):
            for move in store.moves(village["player_id"], number):
                d, info = move["decisions"], move["info"]
                decisions = [d["plan"], *(d["labor"][n] for n in ACTION_NAMES[:5])]
                decisions += [d[n] for n in ACTION_NAMES[5:]]
                writer.writerow(
                    [session["id"], number, round_row["scenario"], json.dumps(round_row["overrides"], sort_keys=True),
                     village["nickname"], village["seed"], move["t"], *decisions, *(info[c] for c in OUTCOME_COLUMNS)]
                )  # fmt: skip
    return out.getvalue()


def _map_point(params: Any) -> dict[str, Any]:
    """Where an institution lies on the map: its audit probability, and its growth credit (the mean over
    the seasons where the scenario's timeline varies it)."""
    credit = params.growth_credit
    varies = not isinstance(credit, float)
    return {
        "growth_credit": float(np.mean(credit)) if varies else credit,
        "growth_credit_varies": varies,
        "audit_probability": params.audit_probability,
    }


def best_response_map(store: Store, session: dict[str, Any], round_row: dict[str, Any]) -> dict[str, Any]:
    """The careerist's computed best response over the sweep's default grid laid on the round's institution,
    and in the round's institution itself (``own``); cached in ``store`` by its arguments."""
    scenario, overrides, num_years = round_row["scenario"], round_row["overrides"], session["num_years"]
    key = json.dumps(
        {"scenario": scenario, "overrides": overrides, "num_years": num_years, "budget": MAP_BUDGET,
         "grid": sweep.DEFAULT_GRID},
        sort_keys=True,
    )  # fmt: skip
    with _map_lock:
        cached = store.cached(key)
        if cached is not None:
            return dict(cached)
        start = time.perf_counter()
        args = sweep.Args(scenario=scenario, **MAP_BUDGET)
        default = sweep.build_grid(args)
        own = make_params(scenario, num_years=num_years, **overrides)
        params = [make_params(scenario, num_years=num_years, **{**overrides, **p}) for p in default.points]
        grid = sweep.Grid(default.axes, overrides, [*default.points, {}], [*params, own])
        best = sweep.search(args, grid, log=lambda _: None)
        cells = sweep.evaluate(args, grid, best["weights"])
        result = {
            "axes": [[name, values] for name, values in default.axes],
            "cells": {m: cells[m][:-1].tolist() for m in _MAP_METRICS},
            "own": {m: float(cells[m][-1]) for m in _MAP_METRICS},
            "point": _map_point(own),
            "budget": MAP_BUDGET,
            "wall_s": round(time.perf_counter() - start, 2),
        }
        store.cache(key, result)
        return result

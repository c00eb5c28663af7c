"""The report on a trained planner (``evaluate.py --planner RUN``): against fixed institutions, and exploitability.

Three parts, each printed and, with ``--out``, written:

- ``comparison.csv``: the planner and every fixed institution on the planner's own reward, over
  held-out planner seeds that come after the run's own evaluation seeds (those picked the best
  model, so they would flatter it): mean return with its 95% CI, the paired difference
  planner minus institution (same villages, same responder) with its CI, and the reward terms.
  The fixed institutions are the grid cells of the run's sweep when its responder is
  ``best_response``, and the scenario's own institution always.
- ``exploitability.csv``: :func:`gl_env.exploitability.exploitability` of the planner's
  institution (its choices averaged over those episodes, :func:`gl_env.planner_runs.schedule_overrides`),
  of the best fixed institution and of the scenario's own.
- ``institution.png``: the planner's institution over time (median and range over the episodes,
  each parameter on the scale of its range), beside the best fixed institution.

Part of the analysis layer: it imports :mod:`gl_env.exploitability` (the sweep).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from gl_env import exploitability as exploit
from gl_env.envs.planner import INSTITUTION
from gl_env.output_folders import FolderKind
from gl_env.planner_runs import (
    Comparison,
    FixedInstitution,
    PlannerConfig,
    PlannerEpisodes,
    compare,
    grid_institutions,
    play,
    row,
    schedule_overrides,
)
from gl_env.scenarios import make_params

REPORT_FOLDER = FolderKind("evaluate.py --planner", "comparison.csv", ("exploitability.csv", "institution.png"))


def fixed_institutions(config: PlannerConfig) -> dict[str, Any]:
    """The scenario's own institution, and the sweep's grid cells when the responder is a best response."""
    scenario = config.env_kwargs.get("scenario", "historical-1958")
    institutions = {f"{scenario} (its own)": make_params(scenario)}
    if config.env_kwargs.get("responder") == "best_response":
        institutions |= grid_institutions(config.env_kwargs["cadre"])
    return institutions


def learned_params(config: PlannerConfig, episodes: PlannerEpisodes) -> tuple[Any, dict[str, float]]:
    """The planner's choices as one institution (and how far its scalar fields moved from their mean)."""
    scenario = config.env_kwargs.get("scenario", "historical-1958")
    base = make_params(scenario)
    overrides, spread = schedule_overrides(base, episodes.institutions, config.env_kwargs.get("seasons_per_step", 4))
    return make_params(scenario, **overrides), spread


def resolved_play(config: PlannerConfig, params: Any, weights: np.ndarray, seeds: Sequence[int]) -> PlannerEpisodes:
    """The planner's reward for the institution ``params`` held fixed, against the careerist's best
    response computed for that very institution (``weights``, report lever), instead of the responder's
    nearest grid cell: a one-cell sweep folder in a temporary folder, played as a best-response responder."""
    import json
    import tempfile

    from gl_env.agents.linear import FEATURES

    with tempfile.TemporaryDirectory() as folder:
        axes = {name: [float(np.ravel(getattr(params, name))[0])] for name in ("growth_credit", "audit_probability")}
        cell = {"cell": {k: v[0] for k, v in axes.items()}}
        cell["weights"] = {"report_ratio": dict(zip(("bias", *FEATURES), weights[0].tolist(), strict=True))}
        # The responder's sweep's scenario and --set values: the domain the institution is held to.
        sweep = json.loads(Path(config.env_kwargs["cadre"], "config.json").read_text())
        one_cell = {"axes": axes, "levers": ["report_ratio"], "scenario": sweep["scenario"], "fixed": sweep["fixed"]}
        Path(folder, "config.json").write_text(json.dumps(one_cell))
        Path(folder, "policies.json").write_text(json.dumps({"cells": [cell]}))
        env_kwargs = {**config.env_kwargs, "responder": "best_response", "cadre": folder}
        return play(FixedInstitution(params), env_kwargs, seeds)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in [header, *rows]
    ]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def comparison_text(rows: Sequence[Mapping[str, Any]]) -> str:
    header = [
        "policy",
        "return (95% CI)",
        "planner minus it (95% CI)",
        "urban grain",
        "deaths",
        "audit cost",
        "honesty",
    ]
    body = [
        [
            r["policy"],
            f"{r['mean_return']:.3f} ± {r['return_ci95']:.3f}",
            f"{r['planner_minus_this']:+.3f} ± {r['planner_minus_this_ci95']:.3f}",
            f"{r['term_urban_grain']:.3f}",
            f"{r['term_deaths']:.3f}",
            f"{r['term_audit_cost']:.3f}",
            f"{r['term_honesty']:.3f}",
        ]
        for r in rows
    ]
    return _table(header, body)


def institution_figure(planner: PlannerEpisodes, best_name: str, best: Any, start_year: int) -> Any:
    """Each institution parameter over the years: the planner's median and range, the best fixed one."""
    from gl_env.figure_style import new_figure

    figure = new_figure((11, 5.5))
    axes = figure.subplots(2, 4, sharex=True).ravel()
    steps = planner.institutions.shape[1]
    years = start_year + np.arange(steps) * best.num_years / steps
    fixed = np.array([FixedInstitution(best)(np.array([t / steps])) for t in range(steps)])
    for i, (ax, (name, low, high)) in enumerate(zip(axes, INSTITUTION, strict=True)):
        values = planner.institutions[:, :, i]
        ax.fill_between(years, values.min(axis=0), values.max(axis=0), color="C0", alpha=0.25, lw=0)
        ax.plot(years, np.median(values, axis=0), "o-", color="C0", label="learned planner (median, range)")
        ax.plot(
            years, low + (fixed[:, i] + 1.0) / 2.0 * (high - low), "s--", color="C3", label="best fixed institution"
        )
        ax.set_ylim(low - 0.05 * (high - low), high + 0.05 * (high - low))
        ax.set_title(name, fontsize=9)
        ax.set_xticks(years, [f"{y:g}" for y in years], fontsize=7)
    axes[0].legend(fontsize=7, loc="best")
    figure.suptitle(f"The learned institution over time (best fixed institution: {best_name})", fontsize=10)
    return figure


def report(
    run_dir: Path,
    episodes: int = 200,
    budget: exploit.Budget | None = None,
    out: Path | None = None,
    log: Callable[[str], Any] = print,
    ray: str | None = None,
    per_task: int = 4,
) -> Comparison:
    """Compare, measure exploitability, print; write the files into ``out`` (a staged folder) if given.

    ``ray``, ``per_task``: play the fixed institutions on Ray (see :func:`~gl_env.planner_runs.compare`)."""
    budget = budget or exploit.Budget()
    config = PlannerConfig.load(run_dir)
    institutions = fixed_institutions(config)
    log(f"{run_dir}: the planner and {len(institutions)} fixed institutions on {episodes} held-out episodes")
    comparison = compare(run_dir, institutions, episodes, ray=ray, per_task=per_task, log=log)
    rows = comparison.rows()
    log(comparison_text(rows))
    best_name = comparison.best_fixed()
    learned, spread = learned_params(config, comparison.planner)
    scenario = next(iter(institutions))
    chosen = {"learned planner": learned, best_name: institutions[best_name], scenario: institutions[scenario]}
    log(
        f"\nexploitability (careerist's gain from its best response over honest reporting; best-response search "
        f"{budget.iterations} iterations x {budget.population} candidates x {budget.seeds} villages, "
        f"{budget.eval_seeds} held-out villages):"
    )
    results = exploit.exploitability(chosen, budget)
    log(_table(*exploit.table(results)))
    if config.env_kwargs.get("responder") == "best_response":
        # Two checks of the win: the learned institution held fixed (one schedule for every episode,
        # scalars at their means) against the same responder, then against the careerist's best
        # response computed for that very institution instead of the nearest grid cell's.
        seeds = comparison.planner.seeds.tolist()
        checks = {
            "learned institution held fixed": play(FixedInstitution(learned), config.env_kwargs, seeds),
            "learned institution held fixed, cadre re-optimised": resolved_play(
                config, learned, results[0].weights, seeds
            ),
        }
        extra = [row(name, episodes, comparison.planner) for name, episodes in checks.items()]
        log("\n" + comparison_text(extra))
        rows.extend(extra)
    moved = ", ".join(f"{k} by up to {v:.3g}" for k, v in spread.items() if v > 1e-6)
    if moved:
        log(f"(the learned institution holds each scalar at its mean over the years; the planner moved {moved})")
    if out is not None:
        _write(out / "comparison.csv", rows)
        _write(
            out / "exploitability.csv",
            [
                {
                    "institution": r.name,
                    "gain": r.gain.mean,
                    "gain_ci95": r.gain.half_width,
                    "best_return": r.best_return,
                    "honest_return": r.honest_return,
                    "best_report_ratio": r.best_report_ratio,
                    "best_excess_per_1000": r.best_excess_per_1000,
                    "chosen": r.chosen,
                }
                for r in results
            ],
        )
        from gl_env.plots import save_figure

        start = make_params(config.env_kwargs.get("scenario", "historical-1958")).start_year
        save_figure(
            institution_figure(comparison.planner, best_name, institutions[best_name], start), out / "institution.png"
        )
    return comparison


def _write(path: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


__all__ = ["REPORT_FOLDER", "fixed_institutions", "institution_figure", "learned_params", "report"]

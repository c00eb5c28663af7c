"""The county protocol ``gl-bench-county-v1``: scripted cadres and county runs on seeded counties.

Every policy plays the protocol's counties (:class:`~gl_env.benchmark.CountyProtocol`: 200
counties of 8 villages, seeds from 2,000,000) on each county scenario, one episode each, with
successors (a purged cadre's village plays on under a new one); :mod:`gl_env.county.metrics`
measures them per county. ``evaluate.py --protocol gl-bench-county-v1`` runs it and writes the
files (:func:`write_results`).
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from gl_env import __version__, docs, metrics
from gl_env.benchmark import COUNTY_PROTOCOLS, CountyProtocol
from gl_env.county.metrics import COUNTY_METRICS, summarize_counties
from gl_env.county.params import get_county_scenario
from gl_env.county.rollout import run_county_episodes
from gl_env.metrics import Estimate, results_document
from gl_env.rollout import BatchPolicy, Episodes


def get_county_protocol(name: str) -> CountyProtocol:
    """The county protocol called ``name``; unknown names raise ``ValueError`` listing the choices."""
    if name not in COUNTY_PROTOCOLS:
        raise ValueError(f"unknown county protocol {name!r}; allowed: {', '.join(COUNTY_PROTOCOLS)}")
    return COUNTY_PROTOCOLS[name]


def play_protocol(
    policy: BatchPolicy,
    protocol: CountyProtocol,
    scenario: str,
    *,
    action_type: str = "continuous",
    counties: int | None = None,
    num_villages: int | None = None,
    **params: Any,
) -> Episodes:
    """One episode of ``policy`` in each of the protocol's first ``counties`` counties of ``scenario``.

    ``num_villages`` (default: the protocol's) plays the same village seeds in smaller counties
    (1: every village alone); ``params`` override village or county fields (a study's
    conditions; the protocol itself uses none).
    """
    get_county_scenario(scenario)
    seeds = protocol.seeds(counties)
    size = protocol.num_villages if num_villages is None else num_villages
    return run_county_episodes(policy, seeds, size, scenario=scenario, action_type=action_type, **params)


def evaluate_policies(
    policies: Mapping[str, tuple[Callable[[], BatchPolicy], str]],
    protocol: CountyProtocol,
    scenarios: Iterable[str],
    counties: int | None = None,
) -> dict[str, dict[str, dict[str, Estimate]]]:
    """``{scenario: {name: summary}}`` of every ``(build, action_type)`` on the protocol's counties; ``build``
    makes a fresh policy for each scenario (a stateful policy starts each from the same state)."""
    results: dict[str, dict[str, dict[str, Estimate]]] = {}
    for scenario in scenarios:
        results[scenario] = {}
        for name, (build, action_type) in policies.items():
            episodes = play_protocol(build(), protocol, scenario, action_type=action_type, counties=counties)
            results[scenario][name] = summarize_counties(episodes, protocol.num_villages, protocol.reward_presets)
    return results


# The leaderboard's columns: metric, header, format of the mean (shares shown as percentages).
LEADERBOARD_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("return/careerist", "return (careerist)", "{:.2f}"),
    ("report_ratio", "report ratio", "{:.2f}"),
    ("deaths_per_1000_per_year", "deaths/1000/yr", "{:.1f}"),
    ("purge_share", "purged %", "{:.0f}"),
    ("county_report_ratio", "county ratio", "{:.2f}"),
    ("report_ratio_sd", "ratio s.d.", "{:.3f}"),
    ("report_ratio_p90_p10", "ratio p90-p10", "{:.3f}"),
    ("deaths_sd", "deaths s.d.", "{:.1f}"),
    ("deaths_p90_p10", "deaths p90-p10", "{:.1f}"),
)
_PERCENT = ("purge_share", "procurement_share")

Results = dict[str, dict[str, dict[str, Estimate]]]  # scenario -> policy -> metric -> estimate


def format_estimate(metric: str, estimate: Estimate, fmt: str) -> str:
    """``mean ±half-width`` in ``fmt`` (shares as percentages), ``n/a`` when undefined."""
    return metrics.format_estimate(estimate, fmt, 100.0 if metric in _PERCENT else 1.0)


def leaderboard_rows(results: Results, scenario: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of one scenario's county leaderboard, highest careerist return first."""
    by_policy = results[scenario]

    def rank(policy: str) -> float:
        value = by_policy[policy]["return/careerist"].mean
        return -value if np.isfinite(value) else np.inf

    header = ["policy", *(h for _, h, _ in LEADERBOARD_COLUMNS)]
    rows = [
        [policy, *(format_estimate(m, by_policy[policy][m], f) for m, _, f in LEADERBOARD_COLUMNS)]
        for policy in sorted(by_policy, key=rank)
    ]
    return header, rows


def leaderboard_markdown(results: Results, protocol: CountyProtocol, counties: int) -> str:
    """Every scenario's leaderboard in Markdown, with a line on how it was made."""
    complete = counties == protocol.counties
    last = protocol.first_seed + counties * protocol.num_villages - 1
    parts = [
        f"Protocol `{protocol.name}`{'' if complete else f' (partial: {counties} of {protocol.counties} counties)'}: "
        f"{counties} counties of {protocol.num_villages} villages per policy and scenario (seeds "
        f"{protocol.first_seed:,} to {last:,}), successors after a purge; each metric per county, then the mean "
        f"over counties ± a 95% half-width over counties. gl_env {__version__}."
    ]
    for scenario in results:
        header, rows = leaderboard_rows(results, scenario)
        parts.append(f"**{scenario}**\n\n{docs.markdown_table(header, [[f'`{r[0]}`', *r[1:]] for r in rows])}")
    return "\n\n".join(parts) + "\n"


def write_results(
    out: Path, results: Results, protocol: CountyProtocol, counties: int, sources: Mapping[str, Any], command: list[str]
) -> None:
    """Write ``results.csv`` (one row per scenario, policy and metric), ``results.json`` and
    ``leaderboard.md`` into the folder ``out``."""
    with (out / "results.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["protocol", "scenario", "policy", "metric", "unit", "mean", "ci95_low", "ci95_high", "n"])
        for scenario, by_policy in results.items():
            for policy, summary in by_policy.items():
                for metric, e in summary.items():
                    unit = COUNTY_METRICS[metric].unit
                    writer.writerow([protocol.name, scenario, policy, metric, unit, e.mean, e.low, e.high, e.n])

    document = {
        "protocol": dataclasses.asdict(protocol),
        "complete": counties == protocol.counties,
        "counties": counties,
        "seeds": {"first": protocol.first_seed, "count": counties * protocol.num_villages},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "gl_env_version": __version__,
        "command": ["evaluate.py", *command],
        "policies": dict(sources),
        "metrics": {k: dataclasses.asdict(v) for k, v in COUNTY_METRICS.items()},
        "results": results_document(results),
    }
    (out / "results.json").write_text(json.dumps(document, indent=2) + "\n")
    (out / "leaderboard.md").write_text(f"# County leaderboard\n\n{leaderboard_markdown(results, protocol, counties)}")


__all__ = [
    "LEADERBOARD_COLUMNS",
    "Results",
    "evaluate_policies",
    "format_estimate",
    "get_county_protocol",
    "leaderboard_markdown",
    "leaderboard_rows",
    "play_protocol",
    "write_results",
]

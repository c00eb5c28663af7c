"""Markdown tables of the spaces, parameters, reward presets, scenarios, benchmark protocol and metrics.

The README embeds these tables between ``<!-- table:NAME -->`` markers; ``python -m gl_env.docs``
rewrites them in place, and a test fails when the README has drifted from the code.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

from gl_env.actions import (
    ACTION_NAMES,
    CONCEAL_LEVELS,
    LABOR_PLANS,
    RATION_LEVELS,
    REPORT_LEVELS,
)
from gl_env.benchmark import COUNTY_PROTOCOLS, EVALUATION_SEED_START, PROTOCOLS
from gl_env.core.params import param_table
from gl_env.metrics import EPISODE_METRICS, METRIC_FAMILIES
from gl_env.observations import OBSERVATION_SPEC
from gl_env.rewards import REWARD_PRESETS
from gl_env.scenarios import SCENARIOS

_ACTION_MEANINGS = {
    "labor_fields": ("weight", "collective field work"),
    "labor_private": ("weight", "private plots (idle where abolished)"),
    "labor_works": ("weight", "water conservancy and other works"),
    "labor_steel": ("weight", "backyard steel furnaces"),
    "labor_rest": ("weight", "rest"),
    "mobilization": ("(a+1)/2, 0 to 1", "share of extra (women's) labor mobilised"),
    "report_ratio": ("(1+a/2)/(1-a/2), 1/3 to 3", "reported / true harvest (autumn); a = 0 is honest"),
    "steel_report_ratio": ("(1+a/2)/(1-a/2), 1/3 to 3", "reported / true steel"),
    "ration_kg": ("(a+1)/2 x 1.2, 0 to 1.2 kg/person/day", "grain ration from the collective store"),
    "conceal_share": ("(a+1)/2 x 0.5, 0 to 0.5", "share of the store hidden this season"),
}

_FEATURE_MEANINGS = {
    "report_rank": "rank of own last report ratio in the county: 0 the highest, 1 the lowest (0 when alone)",
    "county_mean_report_ratio": "mean of the county's last reports / their villages' normal harvests (ratio)",
    "county_best_report_ratio": "the highest of those ratios",
    "quota_share": "own share of the county's last procurement",
    "peers_standing": "mean standing of the other villages where `publish_standing`, else 0",
}


def markdown_table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def tables() -> dict[str, str]:
    """Every generated table by name."""
    # Here, not at the top: gl_env.county needs PettingZoo (the county extra), and evaluate.py,
    # which imports this module, must run without it.
    from gl_env.county.features import COUNTY_FEATURES, FEATURES_HIGH, FEATURES_LOW
    from gl_env.county.metrics import COUNTY_METRICS
    from gl_env.county.params import COUNTY_SCENARIOS, county_param_table

    actions = markdown_table(
        ("index", "name", "decoded value", "meaning"),
        [(i, f"`{n}`", *_ACTION_MEANINGS[n]) for i, n in enumerate(ACTION_NAMES)],
    )
    discrete = markdown_table(
        ("factor", "levels"),
        [
            (
                "labor plan (fields, private, works, steel, rest; mobilisation)",
                "; ".join(f"`{k}` {v[0]}, {v[1]}" for k, v in LABOR_PLANS.items()),
            ),
            ("report ratio (harvest and steel)", ", ".join(map(str, REPORT_LEVELS))),
            ("ration kg/person/day", ", ".join(map(str, RATION_LEVELS))),
            ("conceal share", ", ".join(map(str, CONCEAL_LEVELS))),
        ],
    )
    observations = markdown_table(
        ("index", "name", "low", "high", "unit", "meaning"),
        [(i, f"`{c.name}`", c.low, c.high, c.unit, c.meaning) for i, c in enumerate(OBSERVATION_SPEC)],
    )
    params = markdown_table(
        ("name", "group", "allowed", "unit", "meaning"), [(f"`{r[0]}`", *r[1:]) for r in param_table()]
    )
    presets = markdown_table(
        ("preset", "welfare", "survival", "honesty"),
        [(f"`{name}`", w["welfare"], w["survival"], w["honesty"]) for name, w in REWARD_PRESETS.items()],
    )
    scenarios = markdown_table(("scenario", "what it is"), [(f"`{s.name}`", s.description) for s in SCENARIOS.values()])
    protocol = markdown_table(
        ("protocol", "scenarios", "reward presets", "episodes", "seeds", "score: 0 / 100", "headline"),
        [
            (
                f"`{p.name}`",
                ", ".join(f"`{s}`" for s in p.scenarios),
                ", ".join(f"`{r}`" for r in p.reward_presets),
                f"{p.episodes} per scenario",
                f"{p.first_seed:_} to {p.first_seed + p.episodes - 1:_} (training: < {EVALUATION_SEED_START:_})",
                f"`{p.score_floor}` / `{p.score_reference}`",
                f"`{p.headline_preset}`",
            )
            for p in PROTOCOLS.values()
        ],
    )
    metrics = markdown_table(
        ("metric", "label", "unit", "meaning"),
        [
            (f"`{key}`", info.label.format("..."), info.unit, info.meaning)
            for key, info in {**EPISODE_METRICS, **METRIC_FAMILIES}.items()
        ],
    )
    county_params = markdown_table(
        ("name", "group", "allowed", "unit", "meaning"),
        [(f"`{r[0]}`", *r[1:]) for r in county_param_table()],
    )
    county_features = markdown_table(
        ("index", "name", "low", "high", "meaning"),
        [
            (45 + i, f"`{name}`", f"{FEATURES_LOW[i]:g}", f"{FEATURES_HIGH[i]:g}", _FEATURE_MEANINGS[name])
            for i, name in enumerate(COUNTY_FEATURES)
        ],
    )
    county_scenarios = markdown_table(
        ("scenario", "villages", "what it is"),
        [(f"`{s.name}`", f"`{s.village_scenario}`", s.description) for s in COUNTY_SCENARIOS.values()],
    )
    county_protocol = markdown_table(
        ("protocol", "scenarios", "counties", "seeds", "successors", "intervals"),
        [
            (
                f"`{p.name}`",
                ", ".join(f"`{s}`" for s in p.scenarios),
                f"{p.counties} of {p.num_villages} villages per scenario",
                f"{p.first_seed:_} to {p.first_seed + p.counties * p.num_villages - 1:_} "
                f"(village i of county c: first + {p.num_villages}c + i)",
                "yes (a purged cadre's village plays on)",
                "normal 95% over counties",
            )
            for p in COUNTY_PROTOCOLS.values()
        ],
    )
    county_metrics = markdown_table(
        ("metric", "label", "unit", "meaning"),
        [(f"`{key}`", info.label, info.unit, info.meaning) for key, info in COUNTY_METRICS.items()],
    )
    return {
        "county_protocol": county_protocol,
        "county_metrics": county_metrics,
        "county_params": county_params,
        "county_features": county_features,
        "county_scenarios": county_scenarios,
        "actions": actions,
        "discrete": discrete,
        "observations": observations,
        "params": params,
        "presets": presets,
        "scenarios": scenarios,
        "protocol": protocol,
        "metrics": metrics,
    }


def render_readme(text: str) -> str:
    """``text`` with every marked table replaced by its current version."""
    for name, table in tables().items():
        pattern = re.compile(rf"(<!-- table:{name} -->\n).*?(\n<!-- /table:{name} -->)", re.S)
        text = pattern.sub(lambda m, t=table: m.group(1) + t + m.group(2), text)
    return text


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(render_readme(path.read_text()))

"""Evaluate cadres on the gl_env benchmark: a leaderboard, CSV/JSON/Markdown files and plots.

Scripted baselines are named (``honest``, ``max_inflate``, ... every policy of
``gl_env.agents.scripted.SCRIPTED_POLICIES``); trained runs are given by their folder (``train.py``'s
output: ``config.json`` and ``best_model.zip``). Every policy plays the protocol's seeded
villages on each scenario, all at once on the batched core, and every metric of
``gl_env.metrics`` is reported with its 95% confidence interval.

    python evaluate.py                                  # all scripted cadres (+ runs/default) on gl-bench-v1
    python evaluate.py --policy honest --policy runs/ppo-1 --scenario reform
    python evaluate.py --episodes 200 --no-plots        # a quick look (not a full protocol result)
    python evaluate.py --out docs/benchmark --overwrite --readme README.md   # the README's leaderboard
    python evaluate.py --planner runs/planner --out results/planner   # a planner run (gl_env.planner_report)
    python evaluate.py --protocol gl-bench-county-v1 --policy honest --policy runs/county   # counties

The county protocol ``gl-bench-county-v1`` (:mod:`gl_env.county.benchmark`) plays 200 seeded
counties of 8 villages per county scenario; its policies are scripted cadres or county runs
(``train.py --county N``), ``--scenario`` names county scenarios and ``--episodes`` counts
counties. It writes the same files, without plots.

Results go to a new folder ``results/<protocol>-<UTC time>`` (or ``--out``, which must be empty
unless ``--overwrite``, and then hold an earlier result of this command and nothing else):
``results.csv`` (one row per scenario, policy and metric), ``results.json`` (the same with the
protocol and the policies' sources), ``leaderboard.md``, ``trajectories-<scenario>.png`` and
``comparison.png``. They are written into a hidden folder beside the target and moved in at the
end, so an interrupted evaluation (Ctrl-C: exit status 130) leaves nothing behind.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import MISSING, asdict, dataclass, field, fields
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from gl_env import __version__, docs, files
from gl_env.agents.learned import load_policy, model_path
from gl_env.agents.scripted import SCRIPTED_POLICIES, Policy, make_policy
from gl_env.benchmark import COUNTY_PROTOCOLS, DEFAULT_PROTOCOL, PROTOCOLS, Protocol, get_protocol
from gl_env.metrics import (
    METRICS,
    NAN_ESTIMATE,
    Estimate,
    format_estimate,
    normalized_score,
    results_document,
    summarize,
)
from gl_env.output_folders import FolderKind, check_writable, is_empty, staged_folder
from gl_env.rollout import run_episodes
from gl_env.scenarios import SCENARIOS, get_scenario

DEFAULT_RUN = Path("runs/default")
RESULTS_DIR = Path("results")
# The leaderboard's columns, after the policy: metric, header, format of the mean.
LEADERBOARD_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("score/{headline}", "score", "{:.0f}"),
    ("return/{headline}", "return", "{:.2f}"),
    ("deaths_per_1000_per_year", "deaths/1000/yr", "{:.1f}"),
    ("peak_year_death_rate", "peak yr deaths", "{:.1f}"),
    ("mean_report_ratio", "report ratio", "{:.2f}"),
    ("mean_abs_report_error", "report error", "{:.2f}"),
    ("purge_rate", "purged %", "{:.0f}"),
    ("years_to_purge", "yrs to purge", "{:.1f}"),
    ("harvest_kg_per_person", "harvest kg/p", "{:.0f}"),
    ("procurement_share", "procured %", "{:.0f}"),
    ("food_kg_per_person_day", "food kg/day", "{:.2f}"),
)
# Shown as percentages in the leaderboard (stored as shares in the files).
PERCENT_METRICS = ("purge_rate", "procurement_share")
# What an output folder holds: --overwrite writes only into a folder holding results.json and nothing else.
RESULTS_FOLDER = FolderKind(
    "evaluate.py", "results.json", ("results.csv", "leaderboard.md", "comparison.png", "trajectories-*.png")
)
README_START = "<!-- leaderboard -->"
README_END = "<!-- /leaderboard -->"


@dataclass
class Args:
    """Command-line arguments of ``evaluate.py``; each field's ``help`` is its ``--help`` text."""

    policy: list[str] = field(
        default_factory=list,
        metadata={
            "action": "append",
            "metavar": "NAME_OR_RUN",
            "help": (
                f"a scripted policy ({', '.join(SCRIPTED_POLICIES)}) or a training run folder (holding config.json); "
                f"repeat for several. Default: every scripted policy, plus {DEFAULT_RUN} when it holds a model"
            ),
        },
    )
    scenario: list[str] = field(
        default_factory=list,
        metadata={
            "action": "append",
            "metavar": "NAME",
            "help": f"a scenario ({', '.join(SCENARIOS)}); repeat for several. Default: the protocol's",
        },
    )
    protocol: str = field(
        default=DEFAULT_PROTOCOL,
        metadata={
            "choices": [*PROTOCOLS, *COUNTY_PROTOCOLS],
            "help": "the benchmark protocol: seeds, episodes, reward presets, score anchors (default: %(default)s)",
        },
    )
    episodes: int | None = field(
        default=None,
        metadata={
            "type": int,
            "metavar": "N",
            "help": (
                f"villages per policy and scenario: the first N protocol seeds (default: all "
                f"{PROTOCOLS[DEFAULT_PROTOCOL].episodes}); fewer gives a quick look, marked as a partial result"
            ),
        },
    )
    out: Path | None = field(
        default=None,
        metadata={
            "type": Path,
            "metavar": "DIR",
            "help": f"output folder (default: a new {RESULTS_DIR}/<protocol>-<UTC time>); must be empty "
            "unless --overwrite",
        },
    )
    overwrite: bool = field(
        default=False, metadata={"action": "store_true", "help": "allow writing into a non-empty --out folder"}
    )
    plots: bool = field(
        default=True,
        metadata={"flag": "--no-plots", "action": "store_false", "help": "skip the PNG plots (they need matplotlib)"},
    )
    model: str = field(
        default="best",
        metadata={
            "choices": ["best", "final"],
            "help": "which model of a training run: best_model.zip (falls back to final) or final_model.zip",
        },
    )
    planner: Path | None = field(
        default=None,
        metadata={
            "type": Path,
            "metavar": "RUN",
            "help": "report on a planner run (train.py --role planner) instead: against fixed institutions on "
            "--episodes held-out episodes (default 200) and its exploitability; files only with --out",
        },
    )
    ray: str | None = field(
        default=None,
        metadata={
            "nargs": "?",
            "const": "local",
            "metavar": "ADDRESS",
            "help": "with --planner: play the fixed institutions as Ray Tune trials; --ray alone starts a Ray on "
            "this machine, --ray ADDRESS joins a cluster (the run folder on shared storage); the same numbers "
            "as the local run. Needs gl_env[ray]",
        },
    )
    institutions_per_task: int = field(
        default=4, metadata={"type": int, "help": "fixed institutions each Ray task plays (with --planner --ray)"}
    )
    readme: Path | None = field(
        default=None,
        metadata={
            "type": Path,
            "metavar": "FILE",
            "help": f"also write the leaderboard into FILE, between {README_START} and {README_END}",
        },
    )


@dataclass(frozen=True)
class Candidate:
    """A policy to evaluate: how to make it, its action space, and where it came from.

    ``build`` makes a fresh policy for each scenario, so a policy with internal state (a random
    generator) plays every scenario from the same start, whatever was evaluated before it.
    """

    name: str
    build: Callable[[], Policy]
    action_type: str
    source: dict[str, Any]


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser, one flag per :class:`Args` field."""
    parser = argparse.ArgumentParser(
        prog="evaluate.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    for f in fields(Args):
        options = {k: v for k, v in f.metadata.items() if k != "flag"}
        default = f.default_factory() if f.default_factory is not MISSING else f.default
        parser.add_argument(f.metadata.get("flag", f"--{f.name}"), dest=f.name, default=default, **options)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> Args:
    """:class:`Args` from the command line (``sys.argv`` by default)."""
    parser = build_parser()
    args = Args(**vars(parser.parse_args(argv)))
    if args.episodes is not None and args.episodes < 1:
        parser.error(f"--episodes={args.episodes} must be at least 1")
    if args.ray is not None and args.planner is None:
        parser.error("--ray runs a planner report on Ray: it needs --planner RUN")
    if args.institutions_per_task < 1:
        parser.error(f"--institutions-per-task={args.institutions_per_task} must be at least 1")
    return args


# --- policies -------------------------------------------------------------------------------------


def resolve_policies(specs: Sequence[str], model: str = "best") -> list[Candidate]:
    """:func:`resolve_policy` of each spec; a name given twice is refused."""
    candidates = [resolve_policy(spec, model) for spec in specs]
    if len({c.name for c in candidates}) != len(candidates):
        raise ValueError(f"a policy is listed twice: {', '.join(c.name for c in candidates)}")
    return candidates


def resolve_policy(spec: str, model: str = "best") -> Candidate:
    """A scripted policy by name, or a training run by folder; anything else raises ``ValueError``."""
    if spec in SCRIPTED_POLICIES:
        return Candidate(spec, partial(make_policy, spec), "continuous", {"kind": "scripted", "name": spec})
    run_dir = Path(spec)
    if not (run_dir / "config.json").is_file():
        raise ValueError(
            f"unknown policy {spec!r}: not a scripted policy (allowed: {', '.join(SCRIPTED_POLICIES)}) "
            f"nor a training run folder (no {run_dir / 'config.json'})"
        )
    try:
        policy, config = load_policy(run_dir, which=model)
    except ImportError as error:
        raise ValueError(
            f"cannot load run {spec!r}: stable-baselines3 is missing (pip install -c constraints.txt -e '.[train]')"
        ) from error
    except FileNotFoundError as error:
        raise ValueError(f"cannot load run {spec!r}: {error}") from error
    source = {"kind": "learned", "run_dir": str(run_dir), "model": str(model_path(run_dir, model)), **asdict(config)}
    # A trained model acts deterministically and keeps no state between calls: one serves all scenarios.
    return Candidate(f"{config.algo}@{spec.rstrip('/')}", lambda: policy, config.action_type, source)


def default_policy_specs() -> list[str]:
    """Every scripted policy, and the default training run when it holds a model."""
    specs = list(SCRIPTED_POLICIES)
    try:
        if (DEFAULT_RUN / "config.json").is_file() and model_path(DEFAULT_RUN):
            specs.append(str(DEFAULT_RUN))
    except FileNotFoundError:  # a run folder without a model yet
        pass
    return specs


def _training_overrides(candidate: Candidate) -> dict[str, Any]:
    """Environment settings a run was trained with that the protocol does not use (warned about)."""
    if candidate.source["kind"] != "learned":
        return {}
    return {k: v for k, v in candidate.source["env_kwargs"].items() if k not in ("scenario", "reward", "action_type")}


# --- evaluation -----------------------------------------------------------------------------------

Results = dict[str, dict[str, dict[str, Estimate]]]  # scenario -> policy -> metric -> estimate


def evaluate(
    candidates: Sequence[Candidate],
    protocol: Protocol,
    scenarios: Sequence[str],
    episodes: int | None = None,
    plot_dir: Path | None = None,
) -> tuple[Results, list[str]]:
    """Play every candidate on every scenario and summarize; draw trajectories into ``plot_dir``.

    Returns the results and notes for the reader (missing score anchors). The protocol's score
    anchors are played too when they are scripted policies not among the candidates; they are
    used for the scores and not reported.
    """
    seeds = protocol.seeds(episodes)
    names = [c.name for c in candidates]
    anchors = [
        resolve_policy(a)
        for a in (protocol.score_floor, protocol.score_reference)
        if a not in names and a in SCRIPTED_POLICIES
    ]
    missing = [
        a for a in (protocol.score_floor, protocol.score_reference) if a not in names + [x.name for x in anchors]
    ]
    notes = []
    if missing:
        notes.append(
            f"no normalized score: its anchor policy {' and '.join(missing)} is not among the scripted policies "
            f"({', '.join(SCRIPTED_POLICIES)}); the score needs 0 = {protocol.score_floor}, "
            f"100 = {protocol.score_reference}"
        )
    results: Results = {}
    for scenario in scenarios:
        played = {}
        summaries = {}
        for candidate in [*candidates, *anchors]:
            episodes_played = run_episodes(
                candidate.build(), seeds, action_type=candidate.action_type, scenario=scenario
            )
            summaries[candidate.name] = summarize(episodes_played, protocol.reward_presets)
            if candidate.name in names:
                played[candidate.name] = episodes_played
        if not missing:
            for preset in protocol.reward_presets:
                floor = summaries[protocol.score_floor][f"return/{preset}"].mean
                reference = summaries[protocol.score_reference][f"return/{preset}"].mean
                for summary in summaries.values():
                    summary[f"score/{preset}"] = normalized_score(summary[f"return/{preset}"], floor, reference)
        results[scenario] = {c.name: summaries[c.name] for c in candidates}
        if plot_dir is not None:
            from gl_env.plots import policy_colors, save_figure, trajectory_figure

            figure = trajectory_figure(played, f"{scenario} ({protocol.name})", policy_colors(names))
            save_figure(figure, plot_dir / f"trajectories-{scenario}.png")
    return results, notes


# --- tables and files -------------------------------------------------------------------------------


def _format(metric: str, estimate: Estimate, fmt: str) -> str:
    return format_estimate(estimate, fmt, 100.0 if metric in PERCENT_METRICS else 1.0)


def leaderboard_rows(results: Results, scenario: str, headline: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of one scenario's leaderboard, highest return under ``headline`` first.

    The score column is left out when no policy has a score (its anchors were not played).
    """
    by_policy = results[scenario]
    columns = [(m.format(headline=headline), h, f) for m, h, f in LEADERBOARD_COLUMNS]
    if not any(f"score/{headline}" in summary for summary in by_policy.values()):
        columns = [c for c in columns if not c[0].startswith("score/")]

    def rank(policy: str) -> float:
        ret = by_policy[policy][f"return/{headline}"].mean
        return -ret if math.isfinite(ret) else math.inf

    header = ["policy", *(h for _, h, _ in columns)]
    rows = [
        [policy, *(_format(m, by_policy[policy].get(m, NAN_ESTIMATE), f) for m, _, f in columns)]
        for policy in sorted(by_policy, key=rank)
    ]
    return header, rows


def text_table(header: list[str], rows: list[list[str]]) -> str:
    """A fixed-width table for the terminal."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        # Policy names left, numbers right.
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, policy names as code."""
    return docs.markdown_table(header, [[f"`{r[0]}`", *r[1:]] for r in rows])


def leaderboard_markdown(results: Results, protocol: Protocol, episodes: int, notes: Sequence[str]) -> str:
    """The leaderboard of every scenario in Markdown, with a line on how it was made."""
    complete = episodes == protocol.episodes
    parts = [
        f"Protocol `{protocol.name}`{'' if complete else f' (partial: {episodes} of {protocol.episodes} episodes)'}: "
        f"{episodes} villages per policy and scenario (seeds {protocol.first_seed:,} to "
        f"{protocol.first_seed + episodes - 1:,}); mean ± 95% confidence half-width. Return and score under "
        f"the `{protocol.headline_preset}` reward (score: 0 = `{protocol.score_floor}`, "
        f"100 = `{protocol.score_reference}`), highest return first. gl_env {__version__}, "
        f"{datetime.now(UTC):%Y-%m-%d}."
    ]
    parts += [f"Note: {note}." for note in notes]
    for scenario in results:
        header, rows = leaderboard_rows(results, scenario, protocol.headline_preset)
        parts.append(f"**{scenario}**\n\n{markdown_table(header, rows)}")
    return "\n\n".join(parts) + "\n"


def returns_markdown(results: Results, protocol: Protocol) -> str:
    """Returns under every reward preset and the reward terms, per scenario."""
    metrics = [f"return/{p}" for p in protocol.reward_presets] + [m for m in METRICS if m.startswith("component/")]
    header = ["policy", *(METRICS[m].label for m in metrics)]
    parts = []
    for scenario, by_policy in results.items():
        rows = [[p, *(_format(m, s[m], "{:.2f}") for m in metrics)] for p, s in by_policy.items()]
        parts.append(f"**{scenario}**: returns per episode\n\n{markdown_table(header, rows)}")
    return "\n\n".join(parts) + "\n"


def write_results(
    out: Path,
    results: Results,
    protocol: Protocol,
    episodes: int,
    candidates: Sequence[Candidate],
    notes: Sequence[str],
    command: Sequence[str],
) -> None:
    """Write ``results.csv``, ``results.json`` and ``leaderboard.md`` into ``out``."""
    csv_path = out / "results.csv"
    with csv_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["protocol", "scenario", "policy", "metric", "unit", "mean", "ci95_low", "ci95_high", "n"])
        for scenario, by_policy in results.items():
            for policy, summary in by_policy.items():
                for metric, e in summary.items():
                    writer.writerow(
                        [protocol.name, scenario, policy, metric, METRICS[metric].unit, e.mean, e.low, e.high, e.n]
                    )
    json_path = out / "results.json"
    document = {
        "protocol": asdict(protocol),
        "complete": episodes == protocol.episodes,
        "episodes": episodes,
        "seeds": {"first": protocol.first_seed, "count": episodes},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "gl_env_version": __version__,
        "command": ["evaluate.py", *command],
        "policies": {c.name: c.source for c in candidates},
        "notes": list(notes),
        "metrics": {k: asdict(v) for k, v in METRICS.items()},
        "results": results_document(results),
    }
    json_path.write_text(json.dumps(document, indent=2) + "\n")
    md_path = out / "leaderboard.md"
    md_path.write_text(
        f"# Leaderboard\n\n{leaderboard_markdown(results, protocol, episodes, notes)}\n"
        f"## Returns\n\n{returns_markdown(results, protocol)}"
    )


_README_BLOCK = re.compile(rf"({re.escape(README_START)}\n).*?(\n?{re.escape(README_END)})", re.S)


def check_readme(path: Path) -> None:
    """Raise ``ValueError`` unless ``path`` has the leaderboard markers (checked before evaluating)."""
    if not path.is_file() or not _README_BLOCK.search(path.read_text()):
        raise ValueError(f"{path} has no {README_START} ... {README_END} markers to write the leaderboard between")


def update_readme(path: Path, leaderboard: str) -> None:
    """Replace the text between the leaderboard markers of ``path`` with ``leaderboard``."""
    check_readme(path)
    text = _README_BLOCK.sub(lambda m: m.group(1) + leaderboard + m.group(2).lstrip("\n"), path.read_text(), count=1)
    files.write_text(path, text)


def output_folder(out: Path | None, protocol: Protocol, overwrite: bool) -> Path:
    """The folder to write into (not created yet: see :func:`staged_folder`), checked; never one
    holding an earlier result unless ``overwrite``, and then only an earlier result of ours."""
    if out is None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        out = RESULTS_DIR / f"{protocol.name}-{stamp}"
        suffix = 1
        while out.exists():
            suffix += 1
            out = RESULTS_DIR / f"{protocol.name}-{stamp}-{suffix}"
    check_writable(out, "--out")
    if not is_empty(out):
        if not overwrite:
            raise ValueError(
                f"refusing to overwrite {out}: it holds an earlier result; pass --overwrite or another --out"
            )
        RESULTS_FOLDER.check_replaceable(out)
    return out


# --- main -------------------------------------------------------------------------------------------


def _note_training_overrides(candidates: Sequence[Candidate]) -> None:
    """Say on stderr which runs were trained with overrides the protocol does not apply."""
    for candidate in candidates:
        overrides = _training_overrides(candidate)
        if overrides:
            print(
                f"note: {candidate.name} was trained with {overrides}; the protocol evaluates it without them",
                file=sys.stderr,
            )


def print_written(out: Path) -> None:
    """The folder a command wrote and the files in it."""
    print(f"\nwrote {out}/ ({', '.join(sorted(p.name for p in out.iterdir()))})")


def county_main(args: Args, argv: Sequence[str] | None) -> int:
    """``evaluate.py --protocol gl-bench-county-v1``: scripted cadres and county runs on the protocol's counties."""
    try:
        from gl_env.county import benchmark as county
        from gl_env.county.params import get_county_scenario
    except ModuleNotFoundError as error:
        print(
            f"evaluate.py: error: {args.protocol} plays PettingZoo counties ({error}); "
            "install them with pip install -c constraints.txt -e '.[county]'",
            file=sys.stderr,
        )
        return 2

    try:
        protocol = county.get_county_protocol(args.protocol)
        scenarios = args.scenario or list(protocol.scenarios)
        for scenario in scenarios:
            get_county_scenario(scenario)
        counties = protocol.counties if args.episodes is None else args.episodes
        protocol.seeds(counties)
        candidates = resolve_policies(args.policy or list(SCRIPTED_POLICIES), args.model)
        lone = [c.name for c in candidates if c.source["kind"] == "learned" and not c.source.get("county")]
        if lone:
            raise ValueError(
                f"{', '.join(lone)} trained on lone villages; {protocol.name} plays county runs (train.py --county N)"
            )
        if args.readme is not None:
            raise ValueError(f"--readme writes gl-bench-v1's leaderboard; {protocol.name} has none in the README")
        out = output_folder(args.out, protocol, args.overwrite)
    except (ValueError, OSError) as error:
        print(f"evaluate.py: error: {error}", file=sys.stderr)
        return 2
    _note_training_overrides(candidates)
    started = time.perf_counter()
    try:
        print(f"playing {len(candidates)} policies x {len(scenarios)} scenarios x {counties} counties", flush=True)
        with staged_folder(out) as staging:
            policies = {c.name: (c.build, c.action_type) for c in candidates}
            results = county.evaluate_policies(policies, protocol, scenarios, counties)
            sources = {c.name: c.source for c in candidates}
            county.write_results(
                staging, results, protocol, counties, sources, list(sys.argv[1:] if argv is None else argv)
            )
    except OSError as error:
        print(f"evaluate.py: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"evaluate.py: interrupted; nothing was written to {out}", file=sys.stderr)
        return 130
    elapsed = time.perf_counter() - started
    print(f"{protocol.name}: {len(candidates)} policies x {len(scenarios)} scenarios in {elapsed:.1f} s")
    for scenario in scenarios:
        header, rows = county.leaderboard_rows(results, scenario)
        print(f"\n{scenario}\n{text_table(header, rows)}")
    print_written(out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.planner is not None:
        return planner_main(args)
    if args.protocol in COUNTY_PROTOCOLS:
        return county_main(args, argv)
    try:
        protocol = get_protocol(args.protocol)
        scenarios = [get_scenario(s).name for s in args.scenario] or list(protocol.scenarios)
        episodes = protocol.episodes if args.episodes is None else args.episodes
        protocol.seeds(episodes)
        candidates = resolve_policies(args.policy or default_policy_specs(), args.model)
        counties = [c.name for c in candidates if c.source.get("county")]
        if counties:
            raise ValueError(f"{', '.join(counties)} trained in counties: evaluate with --protocol gl-bench-county-v1")
        if args.plots and importlib.util.find_spec("matplotlib") is None:
            raise ValueError("the plots need matplotlib: pip install -e '.[plot]', or pass --no-plots")
        if args.readme is not None:
            check_readme(args.readme)
        out = output_folder(args.out, protocol, args.overwrite)
    except (ValueError, OSError) as error:
        print(f"evaluate.py: error: {error}", file=sys.stderr)
        return 2
    _note_training_overrides(candidates)
    started = time.perf_counter()
    command = sys.argv[1:] if argv is None else argv
    try:
        print(f"playing {len(candidates)} policies x {len(scenarios)} scenarios x {episodes} episodes", flush=True)
        with staged_folder(out) as staging:
            results, notes = evaluate(candidates, protocol, scenarios, episodes, staging if args.plots else None)
            write_results(staging, results, protocol, episodes, candidates, notes, command)
            if args.plots:
                from gl_env.plots import COMPARISON_METRICS, comparison_figure, policy_colors, save_figure

                colors = policy_colors([c.name for c in candidates])
                metrics = [f"score/{protocol.headline_preset}", *COMPARISON_METRICS]
                save_figure(comparison_figure(results, metrics, colors), staging / "comparison.png")
        if args.readme is not None:
            update_readme(args.readme, leaderboard_markdown(results, protocol, episodes, notes))
    except OSError as error:
        print(f"evaluate.py: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"evaluate.py: interrupted; nothing was written to {out}", file=sys.stderr)
        return 130
    elapsed = time.perf_counter() - started
    print(
        f"{protocol.name}: {len(candidates)} policies x {len(scenarios)} scenarios x {episodes} episodes "
        f"in {elapsed:.1f} s"
    )
    for note in notes:
        print(f"note: {note}")
    for scenario in scenarios:
        header, rows = leaderboard_rows(results, scenario, protocol.headline_preset)
        print(f"\n{scenario}\n{text_table(header, rows)}")
    if args.readme is not None:
        print(f"updated the leaderboard in {args.readme}")
    print_written(out)
    return 0


def planner_main(args: Args) -> int:
    """``--planner RUN``: :func:`gl_env.planner_report.report`, written into ``--out`` when given."""
    from gl_env import planner_report, sweep_ray
    from gl_env.planner_runs import is_planner_run

    try:
        if not is_planner_run(args.planner):
            raise ValueError(f"--planner {args.planner} holds no planner.json: not a train.py --role planner run")
        out = None
        if args.out is not None:
            check_writable(args.out, "--out")
            if not is_empty(args.out):
                if not args.overwrite:
                    raise ValueError(f"refusing to overwrite {args.out}; pass --overwrite or another --out")
                planner_report.REPORT_FOLDER.check_replaceable(args.out)
        on_ray = {"ray": args.ray, "per_task": args.institutions_per_task}
        if args.ray is not None:
            sweep_ray.check_installed()
        if args.out is None:
            planner_report.report(args.planner, args.episodes or 200, **on_ray)
        else:
            with staged_folder(args.out) as staging:
                planner_report.report(args.planner, args.episodes or 200, out=staging, **on_ray)
            out = args.out
    except (ValueError, OSError, ImportError, sweep_ray.TaskFailed) as error:
        print(f"evaluate.py: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("evaluate.py: interrupted; nothing was written", file=sys.stderr)
        return 130
    if out is not None:
        print_written(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

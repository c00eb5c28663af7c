"""Issue 13's study: do cadres competing in a county inflate more than one alone? In one command:

    python benchmarks/county_study.py --out results/county-study

trains parameter-shared PPO (``hyperparams/ppo.yml``'s settings, careerist reward, 32 cadres
side by side, torch on one thread) under four conditions, ``--seeds`` training seeds each:

- ``county-1958``: the scenario's rules, counties of ``--villages``;
- ``single``: one careerist alone under the same village institution (``historical-1958``): a
  county of one village with every coupling rule off and no land spread;
- ``tournament-off``: ``county-1958`` with ``tournament_credit`` 0;
- ``audits-on``: ``county-1958`` with county work-team audits (``county_audit_probability`` 0.3).

Training villages are seeded as ``train.py`` seeds them (``seed * 32`` upward, training range);
the final model of each run then plays the county protocol ``gl-bench-county-v1``
(:mod:`gl_env.county.benchmark`: 200 counties, evaluation seeds, deterministic actions;
``single`` plays the same 1600 villages, each alone, grouped into counties of 8 for the spreads).
Per condition: each metric's mean over the protocol's counties per training seed, then the mean
over seeds with a t 95% interval over seeds. Runs go to ``<out>/models/`` and are reused when
there (``--phase evaluate`` only evaluates); the table goes to ``<out>/study.json`` and
``<out>/study.md``, the plot to ``--plot``. Nothing is tuned to the expected effect.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from gl_env import files
from gl_env.benchmark import GL_BENCH_COUNTY_V1 as PROTOCOL
from gl_env.county import vector
from gl_env.county.benchmark import play_protocol
from gl_env.county.metrics import COUNTY_METRICS, county_values
from gl_env.county.params import UNCOUPLED
from gl_env.metrics import AUTUMN
from gl_env.seeds import TRAINING

# A county of one with every rule off: the lone careerist.
OFF = {**UNCOUPLED, "land_spread": 0.0, "publish_standing": 0}
# name: (villages per county in training, overrides of county-1958)
CONDITIONS: dict[str, tuple[int | None, dict[str, Any]]] = {
    "county-1958": (None, {}),
    "single": (1, OFF),
    "tournament-off": (None, {"tournament_credit": 0.0}),
    "audits-on": (None, {"county_audit_probability": 0.3}),
}
CADRES = 32  # cadres stepped side by side, as ppo.yml's n_envs
# The table's metrics (gl_env.county.benchmark), in order.
TABLE = (
    "report_ratio",
    "first_report_ratio",
    "later_report_ratio",
    "report_error",
    "first_harvest_kg_per_person",
    "deaths_per_1000_per_year",
    "purge_share",
    "report_ratio_sd",
    "report_ratio_p90_p10",
    "deaths_sd",
    "deaths_p90_p10",
    "county_report_ratio",
    "purges_per_village",
    "return/careerist",
)
LABELS = {
    "first_report_ratio": "1958 report ratio",
    "later_report_ratio": "1959-62 report ratio",
    "first_harvest_kg_per_person": "1958 harvest kg/person",
    "purge_share": "purged %",
}
# Student's t 0.975 quantiles by degrees of freedom (the interval over training seeds).
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}


def ppo_settings() -> dict[str, Any]:
    path = Path(__file__).resolve().parents[1] / "hyperparams" / "ppo.yml"
    hyper = dict(yaml.safe_load(path.read_text())["gl_env/GreatLeap-v1"])
    for key in ("n_envs", "n_timesteps", "normalize"):
        hyper.pop(key, None)
    return hyper


def train_run(condition: str, villages: int, seed: int, timesteps: int, path: Path) -> float:
    """Train one run and save its final model at ``path`` (atomically); returns the seconds it took."""
    from stable_baselines3 import PPO

    size, overrides = CONDITIONS[condition]
    size = size or villages
    started = time.perf_counter()
    venv = vector(CADRES // size, size, "county-1958", **overrides)
    hyper = ppo_settings()
    model = PPO(hyper.pop("policy"), venv, seed=seed, device="cpu", verbose=0, **hyper)
    venv.seed(int(TRAINING.block(seed * venv.num_envs, venv.num_envs, "--seeds")[0]))
    model.learn(total_timesteps=timesteps)
    path.parent.mkdir(parents=True, exist_ok=True)
    with files.atomic_path(path) as temporary:
        model.save(temporary)
    return time.perf_counter() - started


def train_all(args: argparse.Namespace) -> None:
    """Every condition's runs, seed by seed (a cut-short study has every condition at the same seeds)."""
    log = args.out / "training.json"
    times = json.loads(log.read_text()) if log.is_file() else {}
    for seed in range(args.seeds):
        for condition in args.conditions:
            path = args.out / "models" / f"{condition}-seed{seed}.zip"
            if path.is_file():
                continue
            seconds = train_run(condition, args.villages, seed, args.timesteps, path)
            times[path.stem] = {"timesteps": args.timesteps, "seconds": round(seconds, 1)}
            files.write_text(log, json.dumps(times, indent=2) + "\n")
            print(f"trained {path.stem}: {args.timesteps:,} steps in {seconds:.0f} s", file=sys.stderr, flush=True)


def play(policy: Any, condition: str, counties: int) -> dict[str, np.ndarray]:
    """``policy`` on the protocol's first ``counties`` under ``condition``: ``{metric: (counties,)}``, plus
    ``report_ratio_by_year`` (the mean over villages of each autumn's report ratio)."""
    size, overrides = CONDITIONS[condition]
    episodes = play_protocol(policy, PROTOCOL, "county-1958", counties=counties, num_villages=size, **overrides)
    values = county_values(episodes, PROTOCOL.num_villages, ("careerist",))
    autumn = episodes.alive & (episodes.info["season"] == AUTUMN) & (episodes.info["harvest_kg"] > 0)
    ratio = np.where(autumn, episodes.info["reported_kg"] / np.maximum(episodes.info["harvest_kg"], 1e-9), np.nan)
    # Every autumn of the episode (NaN for an autumn where no village harvested anything).
    autumns = episodes.info["season"][:, 0] == AUTUMN
    reported = np.where(autumn, ratio, 0.0)[autumns].sum(axis=1)
    values["report_ratio_by_year"] = reported / np.where(
        autumn[autumns].any(axis=1), autumn[autumns].sum(axis=1), np.nan
    )
    # The first autumn's report (1958, before any village has starved) and the mean of the later ones.
    first = np.argmax(autumn, axis=0)
    values["first_report_ratio"] = (
        ratio[first, np.arange(ratio.shape[1])].reshape(-1, PROTOCOL.num_villages).mean(axis=1)
    )
    villages = np.arange(ratio.shape[1])
    harvest = episodes.info["harvest_kg"][first, villages] / episodes.start["population"]
    values["first_harvest_kg_per_person"] = harvest.reshape(-1, PROTOCOL.num_villages).mean(axis=1)
    later = autumn.copy()
    later[first, np.arange(ratio.shape[1])] = False
    mean_later = np.where(later, ratio, 0.0).sum(axis=0) / np.maximum(later.sum(axis=0), 1)
    values["later_report_ratio"] = np.where(later.any(axis=0), mean_later, np.nan).reshape(-1, PROTOCOL.num_villages)
    values["later_report_ratio"] = np.nanmean(values["later_report_ratio"], axis=1)
    return values


def over_seeds(per_seed: list[float]) -> dict[str, Any]:
    """Mean over training seeds with a t 95% half-width (NaN with one seed)."""
    x = np.asarray(per_seed, dtype=float)
    half = T_975[len(x) - 1] * x.std(ddof=1) / np.sqrt(len(x)) if len(x) > 1 else float("nan")
    return {"mean": float(x.mean()), "ci95": float(half), "per_seed": [round(float(v), 4) for v in x]}


def evaluate_all(args: argparse.Namespace) -> dict[str, Any]:
    """Every trained run (and the honest and max_inflate cadres, for reference) on the protocol's counties."""
    from stable_baselines3 import PPO

    from gl_env.agents.learned import LearnedPolicy
    from gl_env.agents.scripted import make_policy

    study: dict[str, Any] = {"protocol": PROTOCOL.name, "counties": args.counties, "conditions": {}}
    for condition in args.conditions:
        runs = [args.out / "models" / f"{condition}-seed{seed}.zip" for seed in range(args.seeds)]
        missing = [run.name for run in runs if not run.is_file()]
        if missing:
            raise SystemExit(f"county_study.py: no trained {', '.join(missing)} in {args.out / 'models'}; train first")
        per_seed = [
            play(LearnedPolicy(PPO.load(run, device="cpu"), "continuous"), condition, args.counties) for run in runs
        ]
        entry = {m: over_seeds([float(np.nanmean(v[m])) for v in per_seed]) for m in TABLE}
        by_year = np.array([v["report_ratio_by_year"] for v in per_seed])
        entry["report_ratio_by_year"] = [None if np.isnan(v) else round(float(v), 3) for v in np.nanmean(by_year, 0)]
        entry["seeds"] = [run.stem for run in runs]
        for name in ("honest", "max_inflate"):
            scripted = play(make_policy(name), condition, args.counties)
            entry[name] = {m: round(float(np.nanmean(scripted[m])), 4) for m in TABLE}
        study["conditions"][condition] = entry
        print(f"evaluated {condition}: {len(runs)} runs", file=sys.stderr, flush=True)
    return study


def markdown(study: dict[str, Any]) -> str:
    """The study's table: mean ± 95% half-width over training seeds."""
    header = ["condition", "seeds", *(LABELS.get(m) or COUNTY_METRICS[m].label for m in TABLE)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for condition, entry in study["conditions"].items():
        cells = [f"`{condition}`", str(len(entry["seeds"]))]
        for m in TABLE:
            scale, fmt = (100.0, "{:.0f}") if m == "purge_share" else (1.0, "{:.2f}")
            fmt = "{:.0f}" if "harvest" in m else "{:.1f}" if "deaths" in m else fmt
            mean, half = entry[m]["mean"] * scale, entry[m]["ci95"] * scale
            cells.append(fmt.format(mean) + ("" if np.isnan(half) else " ± " + fmt.format(half)))
        lines.append("| " + " | ".join(cells) + " |")
    # What each institution pays a careerist for: the scripted extremes under the same conditions.
    lines += [
        "",
        "| condition | cadre | report ratio | deaths/1000/yr | purged % | return (careerist) |",
        "|---|---|---|---|---|---|",
    ]
    for condition, entry in study["conditions"].items():
        for name in ("honest", "max_inflate"):
            e = entry[name]
            lines.append(
                f"| `{condition}` | `{name}` | {e['report_ratio']:.2f} | {e['deaths_per_1000_per_year']:.1f} | "
                f"{100 * e['purge_share']:.0f} | {e['return/careerist']:.2f} |"
            )
    return "\n".join(lines) + "\n"


def plot(study: dict[str, Any], path: Path) -> None:
    """One panel per headline metric: each condition's mean over seeds (bars) and 95% interval."""
    from gl_env.figure_style import PALETTE, new_figure
    from gl_env.plots import save_figure

    panels = (
        "report_ratio",
        "first_harvest_kg_per_person",
        "deaths_per_1000_per_year",
        "purge_share",
        "report_ratio_sd",
        "deaths_sd",
    )
    conditions = list(study["conditions"])
    figure = new_figure((15.0, 3.4))
    axes = figure.subplots(1, len(panels))
    for ax, metric in zip(axes, panels, strict=True):
        entries = [study["conditions"][c][metric] for c in conditions]
        x = np.arange(len(conditions))
        ax.bar(x, [e["mean"] for e in entries], color=PALETTE[: len(conditions)], alpha=0.75)
        ax.errorbar(x, [e["mean"] for e in entries], yerr=[e["ci95"] for e in entries], fmt="none", color="k")
        for i, e in enumerate(entries):
            ax.plot([i] * len(e["per_seed"]), e["per_seed"], "k.", markersize=3)
        ax.set_xticks(x, conditions, rotation=30, ha="right", fontsize=8)
        unit = "kg/person" if metric == "first_harvest_kg_per_person" else COUNTY_METRICS[metric].unit
        ax.set_title(LABELS.get(metric) or COUNTY_METRICS[metric].label, fontsize=9)
        ax.set_ylabel(unit, fontsize=8)
    figure.suptitle(
        f"{study['protocol']}: learned careerists, {study['counties']} evaluation counties (never trained on); "
        "mean over training seeds (dots), 95% interval",
        fontsize=9,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with files.atomic_path(path) as temporary:
        save_figure(figure, temporary)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("results/county-study"), help="study folder")
    parser.add_argument("--timesteps", type=int, default=1_000_000, help="village-steps (seasons) per run")
    parser.add_argument("--seeds", type=int, default=5, help="training seeds per condition")
    parser.add_argument("--villages", type=int, default=8, help="villages per county")
    parser.add_argument("--conditions", type=lambda s: s.split(","), default=list(CONDITIONS))
    parser.add_argument(
        "--counties", type=int, default=PROTOCOL.counties, help="protocol counties played (fewer: a partial result)"
    )
    parser.add_argument("--phase", choices=("all", "train", "evaluate"), default="all")
    parser.add_argument("--plot", type=Path, default=None, help="also draw the table into this PNG")
    args = parser.parse_args(argv)
    unknown = [c for c in args.conditions if c not in CONDITIONS]
    if unknown:
        parser.error(f"unknown condition(s) {', '.join(unknown)}; allowed: {', '.join(CONDITIONS)}")
    import torch

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    if args.phase in ("all", "train"):
        train_all(args)
    if args.phase in ("all", "evaluate"):
        study = evaluate_all(args)
        study["timesteps"] = args.timesteps
        files.write_text(args.out / "study.json", json.dumps(study, indent=2) + "\n")
        files.write_text(args.out / "study.md", markdown(study))
        print(markdown(study))
        if args.plot is not None:
            plot(study, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A first measurement of issue 13's competition: do cadres in a county inflate more than one alone?

    python benchmarks/county_competition.py --timesteps 400000 --seeds 2 --json results/county_competition.json

Trains parameter-shared PPO (stable-baselines3, ``hyperparams/ppo.yml``'s settings) on every
cadre of a batch of counties (:func:`gl_env.county.vector`), careerist reward, under:

- ``county-1958``: the scenario's rules (counties of ``--villages``);
- ``single``: one careerist alone under ``historical-1958`` (a county of one village with every
  coupling rule off: the single env plus five constant features);
- ``tournament-off`` and ``audits-on``: ``county-1958`` with ``tournament_credit`` 0, or with
  county work-team audits (``county_audit_probability`` 0.3).

Each trained policy then plays held-out villages (seeds from 900000, never trained on;
deterministic actions): per village the report ratio of totals (all reported grain over all
harvested grain) and excess deaths per 1000 of the opening population over the episode.
Reported: mean over villages per training seed, and over all (with a normal 95% interval
across training seeds where there are at least 2). Nothing is tuned to the expected effect.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from gl_env.benchmark import HELD_OUT_SEED_START as HELD_OUT
from gl_env.core.random import seeds_to_keys
from gl_env.core.views import RecordColumn as R
from gl_env.county import vector
from gl_env.county.batch import Counties, split_params

OFF = {
    "quota_coupling": 0.0,
    "yardstick": 0.0,
    "tournament_credit": 0.0,
    "county_audit_probability": 0.0,
    "county_weather_sd": 0.0,
}
CONDITIONS: dict[str, tuple[str, int | None, dict[str, Any]]] = {
    # name: (county scenario, villages per county (None: --villages), overrides)
    "county-1958": ("county-1958", None, {}),
    "single": ("county-1958", 1, {**OFF, "land_spread": 0.0}),
    "tournament-off": ("county-1958", None, {"tournament_credit": 0.0}),
    "audits-on": ("county-1958", None, {"county_audit_probability": 0.3}),
}


def ppo_settings() -> dict[str, Any]:
    path = Path(__file__).resolve().parents[1] / "hyperparams" / "ppo.yml"
    hyper = dict(yaml.safe_load(path.read_text())["gl_env/GreatLeap-v1"])
    for key in ("n_envs", "n_timesteps", "normalize"):
        hyper.pop(key, None)
    return hyper


def train(scenario: str, villages: int, overrides: dict[str, Any], envs: int, timesteps: int, seed: int) -> Any:
    from stable_baselines3 import PPO

    venv = vector(max(envs // villages, 1), villages, scenario, **overrides)
    venv.seed(seed * venv.num_envs)
    hyper = ppo_settings()
    model = PPO(hyper.pop("policy"), venv, seed=seed, device="cpu", verbose=0, **hyper)
    return model.learn(total_timesteps=timesteps)


def evaluate(
    model: Any, scenario: str, villages: int, overrides: dict[str, Any], held_out: int
) -> dict[str, np.ndarray]:
    village, rules = split_params(scenario, overrides)
    counties = Counties(max(held_out // villages, 1), villages, village, rules)
    counties.reset(seeds_to_keys(np.arange(HELD_OUT, HELD_OUT + counties.size, dtype=np.uint64)))
    population = counties.villages.state().population.copy()
    sums = np.zeros((counties.size, 4))
    while True:
        actions, _ = model.predict(counties.obs, deterministic=True)
        counties.decide(actions, discrete=False)
        counties.step()
        record = counties.villages.record
        sums += record[:, [R.reported_kg, R.harvest_kg, R.excess_deaths, R.purged]]
        if counties.truncated.all() or counties.terminated.all():
            break
    return {
        "report_ratio": sums[:, 0] / np.maximum(sums[:, 1], 1e-9),
        "excess_deaths_per_1000": sums[:, 2] / population * 1000.0,
        "purges": sums[:, 3],
    }


def summarise(per_seed: list[dict[str, np.ndarray]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in per_seed[0]:
        means = np.array([float(r[key].mean()) for r in per_seed])
        half = 1.96 * means.std(ddof=1) / np.sqrt(len(means)) if len(means) > 1 else float("nan")
        out[key] = {"per_seed": means.round(4).tolist(), "mean": float(means.mean()), "ci95": float(half)}
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timesteps", type=int, default=400_000, help="PPO steps per run")
    parser.add_argument("--seeds", type=int, default=2, help="training seeds per condition")
    parser.add_argument("--villages", type=int, default=8, help="villages per county")
    parser.add_argument("--envs", type=int, default=32, help="cadres trained side by side (as ppo.yml's n_envs)")
    parser.add_argument("--held-out", type=int, default=200, help="held-out villages per evaluation")
    parser.add_argument("--conditions", default=",".join(CONDITIONS), help="comma list of the conditions")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    results: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}, "conditions": {}}
    for name in args.conditions.split(","):
        scenario, villages, overrides = CONDITIONS[name]
        villages = villages or args.villages
        runs = []
        for seed in range(args.seeds):
            model = train(scenario, villages, overrides, args.envs, args.timesteps, seed)
            runs.append(evaluate(model, scenario, villages, overrides, args.held_out))
        results["conditions"][name] = summarise(runs)
        print(name, json.dumps(results["conditions"][name]), file=sys.stderr, flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.json.with_suffix(".tmp")
        tmp.write_text(json.dumps(results, indent=2) + "\n")
        tmp.replace(args.json)
    return results


if __name__ == "__main__":
    main()

"""A real (small) training: PPO must discover inflation under the historical institution."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from gl_env import metrics
from gl_env.agents.learned import RunConfig
from gl_env.agents.scripted import make_policy
from gl_env.rollout import run_episodes

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_ppo_careerist_learns_to_inflate_under_historical(tmp_path):
    run = tmp_path / "careerist"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "train.py"),
            "--output",
            str(run),
            "--timesteps",
            "200000",
            "--eval-freq",
            "100000",
            "--eval-episodes",
            "200",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    final = list(csv.DictReader((run / "evaluations.csv").open()))[-1]
    honest = run_episodes(make_policy("honest"), RunConfig.load(run).eval_seeds, scenario="historical-1958")
    assert float(final["mean_return"]) - float(final["return_ci95"]) > honest.returns.mean() + 2.0
    assert float(final["report_ratio"]) > 1.2
    assert float(final["deaths_per_1000_year"]) > 2 * metrics.deaths_per_1000_per_year(honest).mean()

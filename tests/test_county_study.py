"""benchmarks/county_study.py end to end with tiny sizes: it trains, reuses its runs, and writes its table and plot."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_study_quick_run_writes_table_and_plot_over_seeds(tmp_path):
    out, plot = tmp_path / "study", tmp_path / "study.png"
    argv = [sys.executable, str(ROOT / "benchmarks" / "county_study.py"), "--out", str(out), "--timesteps", "2048"]
    argv += ["--seeds", "2", "--counties", "3", "--conditions", "county-1958,single", "--plot", str(plot)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (out / "models").iterdir()) == [
        "county-1958-seed0.zip",
        "county-1958-seed1.zip",
        "single-seed0.zip",
        "single-seed1.zip",
    ]
    study = json.loads((out / "study.json").read_text())
    assert study["counties"] == 3 and set(study["conditions"]) == {"county-1958", "single"}
    for entry in study["conditions"].values():
        assert len(entry["report_ratio"]["per_seed"]) == 2 and entry["report_ratio"]["ci95"] >= 0
        assert entry["honest"]["report_ratio"] == pytest.approx(1.0)
    assert "| `county-1958` | 2 |" in (out / "study.md").read_text()
    assert plot.stat().st_size > 0
    # A second run reuses the trained models (the training log is not rewritten).
    log = (out / "training.json").read_text()
    assert subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, timeout=300).returncode == 0
    assert (out / "training.json").read_text() == log

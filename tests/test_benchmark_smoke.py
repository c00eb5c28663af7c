"""The throughput benchmark runs end to end with tiny sizes and writes its JSON (timings are never asserted)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("torch")
pytest.importorskip("stable_baselines3")


def test_benchmark_quick_run_writes_every_key(tmp_path):
    out = tmp_path / "bench.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "throughput.py"), "--quick", "--json", str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    ratios = result["ratios"]
    expected = {"single_vs_cartpole", "ppo_adapter_vs_dummy", "vector_vs_sync_8", "county_vs_vector_16"}
    expected |= {f"vector_vs_cartpole_vector_{n}" for n in (1, 8)}
    expected |= {f"{policy}_policy_vs_cartpole_8" for policy in ("random", "mlp")}
    assert expected <= set(ratios)
    for key, ratio in ratios.items():
        assert ratio["median"] > 0 and ratio["min"] <= ratio["median"] <= ratio["max"], key
        assert {"ours", "reference"} == set(result["measurements"][key]), key
    memory = result["memory"]
    assert memory["num_envs"] == 256 and 0 < memory["state_bytes_per_env"] <= memory["peak_bytes_per_env"]
    assert set(result["kernel"]) == {f"kernel_{n}_{t}" for n in (1, 8) for t in ("1thread", "threads")}
    assert all(m["median"] > 0 for m in result["kernel"].values())
    start = result["start"]
    assert start["warm"]["median"] > 0 and start["cold_s"] > 0 and start["compile_kernel_cold_s"] is None
    # The targets at N = 4096 and 1024 need sizes a quick run skips; the others are checked.
    assert set(result["targets"]) == {
        "single_vs_cartpole",
        "ppo_adapter_vs_dummy",
        "state_bytes_per_env",
        "warm_start_s",
    }
    assert all(isinstance(t["met"], bool) for t in result["targets"].values())
    assert "| `single_vs_cartpole` |" in done.stdout

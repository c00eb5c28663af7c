"""The hyperparameter YAMLs are rl-zoo3's format: rl-zoo3 trains from them unchanged."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize(("algo", "env_id"), [("ppo", "gl_env/GreatLeap-v0"), ("dqn", "gl_env/GreatLeapDiscrete-v0")])
def test_rl_zoo3_trains_from_our_yaml(algo, env_id, tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rl_zoo3.train",
            "--algo",
            algo,
            "--env",
            env_id,
            "--gym-packages",
            "gl_env",
            "-conf",
            str(ROOT / "hyperparams" / f"{algo}.yml"),
            "-n",
            "512",
            "--eval-freq",
            "-1",
            "-f",
            str(tmp_path),
            "--seed",
            "0",
            "--env-kwargs",
            "scenario:'reform'",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    saved = list((tmp_path / algo).glob("*/" + env_id.replace("/", "-") + ".zip"))
    assert saved, list(tmp_path.rglob("*"))

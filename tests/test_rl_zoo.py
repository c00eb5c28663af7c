"""The hyperparameter YAMLs are rl-zoo3's format: rl-zoo3 trains from them unchanged."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize(("algo", "env_id"), [("ppo", "gl_env/GreatLeap-v1"), ("dqn", "gl_env/GreatLeapDiscrete-v1")])
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


def test_requests_is_declared_for_rl_zoo3_enjoy():
    # rl_zoo3.enjoy imports requests (through huggingface_sb3); rl-zoo3 does not declare it.
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
    assert any(re.match(r"requests\b", requirement) for requirement in dev)


@pytest.mark.slow
def test_rl_zoo3_enjoy_plays_a_trained_run(tmp_path):
    zoo = [sys.executable, "-m"]
    common = ["--algo", "ppo", "--env", "gl_env/GreatLeap-v1", "--gym-packages", "gl_env", "-f", str(tmp_path)]
    trained = subprocess.run(
        [*zoo, "rl_zoo3.train", *common, "-conf", str(ROOT / "hyperparams" / "ppo.yml"), "-n", "512",
         "--eval-freq", "-1", "--seed", "0"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr[-2000:]
    played = subprocess.run(
        [*zoo, "rl_zoo3.enjoy", *common, "--exp-id", "1", "-n", "40", "--no-render"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert played.returncode == 0, played.stderr[-2000:]
    assert re.search(r"Mean reward: -?\d", played.stdout), played.stdout[-2000:]

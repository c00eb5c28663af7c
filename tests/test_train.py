"""train.py end to end, as a user runs it: a subprocess with a tiny budget."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from stable_baselines3 import PPO

from gl_env.agents.learned import ALGORITHMS, load_policy
from gl_env.rollout import run_episodes

ROOT = Path(__file__).resolve().parents[1]
TINY = [
    "--timesteps",
    "1024",
    "--num-envs",
    "4",
    "--eval-freq",
    "512",
    "--eval-episodes",
    "8",
    "--checkpoint-freq",
    "512",
    "--no-progress",
]


def train(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "train.py"), *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def curve(run: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((run / "evaluations.csv").open()))


@pytest.mark.parametrize("algo", ALGORITHMS)
def test_each_algorithm_trains_and_saves_a_loadable_run(algo, tmp_path):
    run = tmp_path / algo
    result = train("--algo", algo, "--output", str(run), *TINY)
    assert result.returncode == 0, result.stderr
    for name in ("config.json", "best_model.zip", "final_model.zip", "evaluations.csv"):
        assert (run / name).is_file(), name
    assert sorted(p.name for p in (run / "checkpoints").glob("model_*_steps.zip")) == [
        "model_1024_steps.zip",
        "model_512_steps.zip",
    ]
    assert list((run / "tensorboard").rglob("events.out.tfevents.*"))
    assert [int(r["timesteps"]) for r in curve(run)] == [512, 1024]
    policy, config = load_policy(run)
    assert config.algo == algo and config.env_kwargs == {"scenario": "historical-1958", "reward": "careerist"}
    # The best model is the one that scored the curve's best mean return on the held-out seeds.
    episodes = run_episodes(policy, config.eval_seeds, action_type=config.action_type, **config.env_kwargs)
    assert episodes.returns.mean() == pytest.approx(max(float(r["mean_return"]) for r in curve(run)))


def test_same_seed_same_learning_curve(tmp_path):
    runs = [tmp_path / "a", tmp_path / "b"]
    for run in runs:
        assert train("--output", str(run), "--seed", "3", *TINY).returncode == 0
    assert curve(runs[0]) == curve(runs[1])
    other = tmp_path / "c"
    assert train("--output", str(other), "--seed", "4", *TINY).returncode == 0
    assert curve(other) != curve(runs[0])


def test_resume_continues_the_timestep_count_and_the_logs(tmp_path):
    run = tmp_path / "run"
    assert train("--output", str(run), *TINY).returncode == 0
    # The last checkpoint is the final policy (saved after the last update), so nothing is lost.
    last, final = (
        PPO.load(run / name).policy.state_dict() for name in ("checkpoints/model_1024_steps.zip", "final_model.zip")
    )
    assert all(torch.equal(last[k], final[k]) for k in final)
    result = train("--output", str(run), "--resume", *TINY[2:], "--timesteps", "2048")
    assert result.returncode == 0, result.stderr
    assert [int(r["timesteps"]) for r in curve(run)] == [512, 1024, 1536, 2048]
    assert (run / "checkpoints" / "model_2048_steps.zip").is_file()
    assert len(list((run / "tensorboard").iterdir())) == 1  # one TensorBoard run, continued


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--algo", "foo"], "invalid choice: 'foo'"),
        (["--set", "audit_probabilty=0.3"], "unknown parameter(s) audit_probabilty"),
        (["--set", "audit_probability=7"], "audit_probability=7 is out of range; allowed [0.0, 1.0]"),
        (["--reward", "welfare=abc"], "reward weight welfare='abc' is not a number"),
        (["--reward", "saint"], "unknown reward preset 'saint'"),
        (["--set", "noequals"], "--set 'noequals' must look like KEY=VALUE"),
        (["--resume"], "holds no run to resume"),
        (["--seed", "-1"], "--seed=-1 is out of range"),
        (["--eval-episodes", "0"], "--eval-episodes=0 must be a positive integer"),
    ],
)
def test_bad_input_ends_with_one_clear_line(args, message, tmp_path):
    result = train("--output", str(tmp_path / "absent"), *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert message in result.stderr.strip().splitlines()[-1]


def test_resume_refuses_flags_that_would_be_ignored(tmp_path):
    run = tmp_path / "run"
    assert train("--output", str(run), *TINY).returncode == 0
    result = train("--output", str(run), "--resume", "--num-envs", "8", "--algo", "a2c", "--timesteps", "2048")
    assert result.returncode == 2 and "--algo, --num-envs cannot change" in result.stderr
    result = train("--output", str(run), "--resume", "--timesteps", "512")
    assert result.returncode == 2 and "--timesteps=512 must exceed the 1024 steps already trained" in result.stderr


def test_existing_run_folder_is_not_overwritten_without_asking(tmp_path):
    run = tmp_path / "mine"
    run.mkdir()
    (run / "notes.txt").write_text("keep me")
    result = train("--output", str(run), *TINY)
    assert result.returncode == 2 and "pass --overwrite" in result.stderr
    assert (run / "notes.txt").read_text() == "keep me"
    assert train("--output", str(run), "--overwrite", *TINY).returncode == 0
    assert not (run / "notes.txt").exists()

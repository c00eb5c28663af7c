"""train.py end to end, as a user runs it: a subprocess with a tiny budget."""

import csv
import itertools
import json
import re
import select
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from stable_baselines3 import PPO

from gl_env.agents.learned import ALGORITHMS, load_policy
from gl_env.rollout import run_episodes
from tests.helpers import assert_trained_run

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
    assert_trained_run(run, checkpoints=(512, 1024))
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
    run = tmp_path / "run"
    assert train("--output", str(run), "--seed", "1", *TINY).returncode == 0
    first = curve(run)
    result = train("--output", str(run), *TINY)
    assert result.returncode == 2 and "pass --overwrite" in result.stderr
    assert curve(run) == first
    assert train("--output", str(run), "--overwrite", *TINY).returncode == 0
    assert curve(run) != first and json.loads((run / "config.json").read_text())["seed"] == 0


# --- item 4: --overwrite replaces only a run folder of ours ----------------------------------------
def test_overwrite_refuses_a_folder_that_is_not_a_run_of_ours(tmp_path):
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "thesis.tex").write_text("keep me")
    result = train("--output", str(thesis), "--overwrite", *TINY)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "holds no config.json" in result.stderr.strip().splitlines()[-1]
    assert (thesis / "thesis.tex").read_text() == "keep me"
    # A run folder someone added a file to is not ours alone either.
    run = tmp_path / "run"
    assert train("--output", str(run), *TINY).returncode == 0
    (run / "notes.md").write_text("mine")
    result = train("--output", str(run), "--overwrite", *TINY)
    assert result.returncode == 2 and "notes.md" in result.stderr
    assert (run / "notes.md").read_text() == "mine" and (run / "final_model.zip").is_file()


@pytest.mark.parametrize("target", [".", ".."])
def test_overwrite_never_replaces_the_working_folder_or_its_parents(target, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "config.json").write_text("{}")  # even one that looks like a run
    (work / "data.csv").write_text("1,2")
    result = subprocess.run(
        [sys.executable, str(ROOT / "train.py"), "--output", target, "--overwrite", *TINY],
        capture_output=True, text=True, cwd=work, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "working folder" in result.stderr
    assert (work / "data.csv").read_text() == "1,2"


# --- item 3: atomic checkpoints; resume skips an unreadable one ------------------------------------
@pytest.mark.parametrize("damage", ["empty", "truncated"])
def test_resume_skips_an_unreadable_newest_checkpoint(damage, tmp_path):
    run = tmp_path / "run"
    assert train("--output", str(run), *TINY).returncode == 0
    newest = run / "checkpoints" / "model_1024_steps.zip"
    newest.write_bytes(b"" if damage == "empty" else newest.read_bytes()[:1000])
    result = train("--output", str(run), "--resume", *TINY[2:], "--timesteps", "2048")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert any("skipping" in line and "model_1024_steps.zip" in line for line in warnings), result.stderr
    assert "Traceback" not in result.stderr
    # It continued from 512: the curve's rows after it were dropped and played again.
    assert [int(r["timesteps"]) for r in curve(run)] == [512, 1024, 1536, 2048]
    assert PPO.load(run / "checkpoints" / "model_1024_steps.zip").num_timesteps == 1024  # rewritten whole


def test_checkpoints_and_the_config_are_replaced_whole_or_not_at_all(tmp_path):
    import train as train_module

    class Dying:
        """A model whose save dies half-way, as a kill or a full disk would stop it."""

        num_timesteps = 512

        def save(self, path):
            Path(path).write_bytes(b"PK half a zip")
            raise OSError(28, "No space left on device")

    (tmp_path / "checkpoints").mkdir()
    good = tmp_path / "checkpoints" / "model_512_steps.zip"
    good.write_bytes(b"the earlier, complete checkpoint")
    with pytest.raises(OSError, match="No space"):
        train_module.save_checkpoint(Dying(), tmp_path, off_policy=False)
    assert good.read_bytes() == b"the earlier, complete checkpoint"
    assert [p.name for p in (tmp_path / "checkpoints").iterdir()] == ["model_512_steps.zip"]


# --- item 5: resume keeps one lineage; one process per run folder ----------------------------------
def test_resume_drops_the_evaluations_of_the_discarded_segment(tmp_path):
    run = tmp_path / "run"
    assert train("--output", str(run), *TINY).returncode == 0
    # As after a kill between the evaluation at 1024 and its checkpoint: the segment after 512 is
    # discarded, however well it scored.
    (run / "checkpoints" / "model_1024_steps.zip").unlink()
    rows = curve(run)
    rows[1]["mean_return"] = "1000000000.0"
    with (run / "evaluations.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = train("--output", str(run), "--resume", *TINY[2:], "--timesteps", "2048")
    assert result.returncode == 0, result.stderr
    rows = curve(run)
    assert [int(r["timesteps"]) for r in rows] == [512, 1024, 1536, 2048]
    assert max(float(r["mean_return"]) for r in rows) < 1000
    policy, config = load_policy(run)
    episodes = run_episodes(policy, config.eval_seeds, action_type=config.action_type, **config.env_kwargs)
    assert episodes.returns.mean() == pytest.approx(max(float(r["mean_return"]) for r in rows))


def _start(*args: str) -> subprocess.Popen:
    """train.py in the background, its stdout a pipe (so it prints progress lines), Ctrl-C enabled
    (a test run started in the background inherits SIGINT ignored; a user's terminal sends it)."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "train.py"), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip


def _first_progress_line(process: subprocess.Popen, timeout: float = 120.0) -> str:
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "no progress line on a pipe"
    line = process.stdout.readline()
    assert line.startswith("train.py: ") and "%" in line, line
    return line


def test_a_second_resume_of_a_run_in_training_is_refused(tmp_path):
    run = tmp_path / "run"
    assert train("--output", str(run), *TINY).returncode == 0
    first = _start("--output", str(run), "--resume", *TINY[2:-1], "--timesteps", "400000")
    try:
        _first_progress_line(first)
        second = train("--output", str(run), "--resume", *TINY[2:], "--timesteps", "400000")
        assert second.returncode == 2 and "Traceback" not in second.stderr
        assert "in use" in second.stderr.strip().splitlines()[-1]
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=120)
    assert first.returncode == 130


# --- item 20: everything validated before a folder is made; OS errors in one line ------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--threads", "0"], "--threads=0 is out of range"),
        (["--device", "cuda:7"], "--device='cuda:7' is not available"),
        (["--device", "banana"], "--device='banana' is not a torch device"),
        (["--hyperparams", "{yaml}"], "learning rate schedule must be a float"),
        (["--hyperparams", "{bad_yaml}"], "is not valid YAML"),
        (["--hyperparams", "{gamma}"], "gamma=2 is out of range"),
    ],
)
def test_bad_settings_are_refused_before_any_folder_is_made(args, message, tmp_path):
    (tmp_path / "h.yml").write_text("gl_env/GreatLeap-v1:\n  n_timesteps: 512\n  learning_rate: abc\n")
    (tmp_path / "bad.yml").write_text("gl_env/GreatLeap-v1: [unclosed\n")
    (tmp_path / "gamma.yml").write_text("gl_env/GreatLeap-v1:\n  n_timesteps: 512\n  gamma: 2\n")
    paths = {"yaml": tmp_path / "h.yml", "bad_yaml": tmp_path / "bad.yml", "gamma": tmp_path / "gamma.yml"}
    args = [a.format(**paths) for a in args]
    out = tmp_path / "absent" / "run"
    result = train("--output", str(out), *TINY, *args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "absent").exists()
    # The rerun with good settings is not blocked by anything the bad one left.


@pytest.mark.parametrize("case", ["file_in_path", "output_is_a_file", "read_only_file_system"])
def test_output_path_errors_are_one_line(case, tmp_path):
    (tmp_path / "file").write_text("x")
    output = {
        "file_in_path": tmp_path / "file" / "run",
        "output_is_a_file": tmp_path / "file",
        "read_only_file_system": Path("/proc/gl_env_run"),
    }[case]
    result = train("--output", str(output), *TINY)
    assert result.returncode == 2
    ours = [line for line in result.stderr.splitlines() if line.startswith("train.py")]
    assert "Traceback" not in result.stderr and len(ours) == 1, result.stderr
    assert str(output) in result.stderr or str(tmp_path / "file") in result.stderr


# --- item 21: the original command plus --resume works; config.json re-validated ------------------
def test_resume_accepts_the_original_command(tmp_path):
    hyper = tmp_path / "ppo.yml"
    hyper.write_text((ROOT / "hyperparams" / "ppo.yml").read_text())
    run = tmp_path / "run"
    original = ["--output", str(run), "--reward", "balanced", "--set", "audit_probability=0.3",
                "--hyperparams", str(hyper), "--seed", "2", *TINY]  # fmt: skip
    assert train(*original).returncode == 0
    result = train(*original, "--resume")
    assert result.returncode == 0 and "nothing to do" in result.stdout, result.stderr
    result = train(*original[: -len(TINY)], *TINY[2:], "--timesteps", "1536", "--resume")
    assert result.returncode == 0, result.stderr
    assert [int(r["timesteps"]) for r in curve(run)] == [512, 1024, 1536]
    result = train(*original[: -len(TINY)], *TINY[2:], "--timesteps", "2048", "--resume", "--reward", "careerist")
    assert result.returncode == 2 and "--reward cannot change" in result.stderr


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"eval_seeds": [1_000_000, 1_000_001]}, "outside the held-out range"),
        ({"algo": "a2c", "env_id": "gl_env/GreatLeap-v1"}, "is a ppo model but"),
        ({"seed": -1}, "seed=-1 must be a non-negative integer"),
        ({"algo": "foo"}, "unknown algorithm 'foo'"),
        ({"env_kwargs": {"scenario": "historical-1958", "audit_probability": 7}}, "audit_probability=7"),
    ],
)
def test_resume_revalidates_config_json(edit, message, tmp_path):
    run = tmp_path / "run"
    assert train("--output", str(run), *TINY).returncode == 0
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, **edit}))
    result = train("--output", str(run), "--resume", "--timesteps", "2048", "--no-progress")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr.strip().splitlines()[-1]


def test_resume_writes_tensorboard_into_the_folder_it_resumes(tmp_path):
    trained = tmp_path / "trained"
    assert train("--output", str(trained), *TINY).returncode == 0
    moved = tmp_path / "moved"
    shutil.move(trained, moved)
    before = {p: p.stat().st_size for p in (moved / "tensorboard").rglob("events.out.tfevents.*")}
    assert train("--output", str(moved), "--resume", *TINY[2:], "--timesteps", "2048").returncode == 0
    assert not trained.exists()
    after = {p: p.stat().st_size for p in (moved / "tensorboard").rglob("events.out.tfevents.*")}
    assert len(after) > len(before) or any(after[p] > before[p] for p in before)


# --- item 23: Ctrl-C saves, says where, exits 130 --------------------------------------------------
def test_ctrl_c_saves_a_checkpoint_says_where_and_exits_130(tmp_path):
    run = tmp_path / "run"
    process = _start("--output", str(run), *TINY[2:-1], "--timesteps", "400000")
    _first_progress_line(process)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    saved = Path(re.search(r"saved (\S+model_(\d+)_steps\.zip)", stderr).group(1))
    assert saved.is_file() and PPO.load(saved).num_timesteps >= 20_000
    assert "--resume" in stderr


# --- item 28: progress lines when stdout is not a terminal -----------------------------------------
def test_progress_lines_are_printed_when_stdout_is_a_pipe(tmp_path):
    result = train("--output", str(tmp_path / "run"), *TINY[:-1])
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if re.fullmatch(r"train\.py: \d+% \(.*steps, \d+ s\)", line)]
    percents = [int(line.split()[1].rstrip("%")) for line in lines]
    assert len(percents) >= 10 and percents == sorted(percents) and percents[-1] == 100
    assert all(b - a <= 25 for a, b in itertools.pairwise(percents))
    quiet = train("--output", str(tmp_path / "quiet"), *TINY)
    assert not any(line.startswith("train.py: ") for line in quiet.stdout.splitlines())


# --- item 25: training plays only training and held-out villages ----------------------------------
def test_training_plays_only_training_and_held_out_seeds(tmp_path, monkeypatch):
    import train as train_module
    from gl_env.envs.vector import GreatLeapVectorEnv
    from gl_env.seeds import HELD_OUT, TRAINING

    played = []
    reset = GreatLeapVectorEnv.reset

    def recording_reset(self, *, seed=None, options=None):
        if seed is not None:
            played.extend([seed] if isinstance(seed, int) else [s for s in seed if s is not None])
        return reset(self, seed=seed, options=options)

    monkeypatch.setattr(GreatLeapVectorEnv, "reset", recording_reset)
    assert train_module.main(["--output", str(tmp_path / "run"), "--seed", "5", *TINY]) == 0
    training = [s for s in played if TRAINING.start <= s < TRAINING.stop]
    held_out = [s for s in played if HELD_OUT.start <= s < HELD_OUT.stop]
    assert len(training) + len(held_out) == len(played)
    assert min(training) == 5 * 4 and held_out and min(held_out) == HELD_OUT.start

"""evaluate.py as a user runs it, the batched evaluation against single environments, and the protocol."""

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import evaluate
from gl_env.agents.scripted import SCRIPTED_POLICIES, make_policy
from gl_env.benchmark import EVALUATION_SEED_START, GL_BENCH_V1, check_training_seeds
from gl_env.envs.great_leap import GreatLeapEnv
from gl_env.metrics import summarize
from gl_env.rollout import Episodes, run_episodes
from gl_env.scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parents[1]
SEEDS = GL_BENCH_V1.seeds(12)


def single_env_episodes(policy, seeds, **env_kwargs) -> Episodes:
    """The same episodes as :func:`run_episodes`, stepped one village at a time in ``GreatLeapEnv``."""
    env = GreatLeapEnv(**env_kwargs)
    horizon = env.params.horizon
    starts, played, purged = [], [], []
    for seed in seeds:
        obs, info = env.reset(seed=int(seed))
        starts.append(_flat(info))
        seasons, done, terminated = [], False, False
        while not done:
            obs, _, terminated, truncated, info = env.step(policy(obs, info))
            seasons.append(_flat(info))
            done = terminated or truncated
        played.append(seasons)
        purged.append(terminated)
    alive = np.array([[t < len(s) for s in played] for t in range(horizon)])
    keys = played[0][0].keys()
    info = {k: np.array([[s[t][k] if t < len(s) else 0.0 for s in played] for t in range(horizon)]) for k in keys}
    return Episodes(
        seeds=np.asarray(seeds),
        info=info,
        rewards=np.zeros(alive.shape),
        alive=alive,
        purged=np.array(purged),
        start={k: np.array([s[k] for s in starts]) for k in starts[0]},
    )


def _flat(info):
    flat = {k: v for k, v in info.items() if k != "reward_components"}
    for term, parts in info["reward_components"].items():
        flat[f"reward/{term}"] = parts["value"]
    return flat


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("policy_name", ["honest", "max_inflate"])
def test_batched_evaluation_equals_single_environments(scenario, policy_name):
    policy = make_policy(policy_name)
    batched = summarize(run_episodes(policy, SEEDS, scenario=scenario))
    single = summarize(single_env_episodes(policy, SEEDS, scenario=scenario))
    assert batched.keys() == single.keys()
    for metric, estimate in batched.items():
        assert estimate.n == single[metric].n, metric
        assert estimate.mean == pytest.approx(single[metric].mean, rel=1e-12, nan_ok=True), metric
        assert estimate.high == pytest.approx(single[metric].high, rel=1e-9, nan_ok=True), metric


def test_protocol_seeds_are_disjoint_from_training_seeds():
    seeds = GL_BENCH_V1.seeds()
    assert len(seeds) == GL_BENCH_V1.episodes == 1000
    assert seeds.min() == EVALUATION_SEED_START and len(np.unique(seeds)) == 1000
    check_training_seeds(range(0, EVALUATION_SEED_START, 997))
    with pytest.raises(ValueError, match="training seed 1000000 is reserved for evaluation"):
        check_training_seeds([3, EVALUATION_SEED_START])
    with pytest.raises(ValueError, match="episodes=1001 is out of range; allowed 1 to 1000"):
        GL_BENCH_V1.seeds(1001)


def _run(tmp_path, *argv, cwd=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, str(ROOT / "evaluate.py"), *argv],
        cwd=cwd or tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_writes_tables_files_and_plots_and_never_overwrites(tmp_path, monkeypatch, capsys):
    out = tmp_path / "bench"
    done = _run(tmp_path, "--episodes", "30", "--out", str(out))
    assert done.returncode == 0, done.stderr
    for scenario in GL_BENCH_V1.scenarios:
        assert f"\n{scenario}\n" in done.stdout
    for name in SCRIPTED_POLICIES:
        assert f"\n{name} " in done.stdout
    expected = {"results.csv", "results.json", "leaderboard.md", "comparison.png"}
    expected |= {f"trajectories-{s}.png" for s in GL_BENCH_V1.scenarios}
    assert expected <= {p.name for p in out.iterdir()}
    document = json.loads((out / "results.json").read_text())
    assert document["protocol"]["name"] == "gl-bench-v1" and document["complete"] is False
    honest = document["results"]["historical-1958"]["honest"]
    assert honest["mean_report_ratio"]["mean"] == pytest.approx(1.0)
    assert honest["deaths_per_1000_per_year"]["n"] == 30
    rows = (out / "results.csv").read_text().splitlines()
    assert rows[0] == "protocol,scenario,policy,metric,unit,mean,ci95_low,ci95_high,n"
    assert len(rows) - 1 == sum(len(m) for by_policy in document["results"].values() for m in by_policy.values())
    assert "| `honest` |" in (out / "leaderboard.md").read_text()

    monkeypatch.chdir(tmp_path)
    assert evaluate.main(["--episodes", "5", "--out", str(out), "--no-plots"]) == 2
    assert f"refusing to overwrite {out}: it holds an earlier result" in capsys.readouterr().err
    assert evaluate.main(["--episodes", "5", "--out", str(out), "--no-plots", "--overwrite"]) == 0
    assert json.loads((out / "results.json").read_text())["episodes"] == 5


def test_default_output_is_a_new_folder_each_time(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["--episodes", "3", "--scenario", "reform", "--no-plots"]
    assert evaluate.main(argv) == 0
    assert evaluate.main(argv) == 0
    folders = sorted((tmp_path / "results").iterdir())
    assert len(folders) == 2 and all(f.name.startswith("gl-bench-v1-") for f in folders)
    assert all((f / "results.json").is_file() for f in folders)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--policy", "saint"], "unknown policy 'saint': not a scripted policy (allowed: honest, max_inflate"),
        (["--policy", "runs/nowhere"], "nor a training run folder (no runs/nowhere/config.json)"),
        (["--scenario", "utopia"], "unknown scenario 'utopia'; allowed: historical-1958, reform, randomized"),
        (["--policy", "honest", "--policy", "honest"], "a policy is listed twice"),
        (["--episodes", "5000"], "episodes=5000 is out of range; allowed 1 to 1000 for gl-bench-v1"),
        (["--readme", "NOTES.md"], "NOTES.md has no <!-- leaderboard --> ... <!-- /leaderboard --> markers"),
    ],
)
def test_bad_arguments_give_one_clear_message(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    assert evaluate.main([*argv, "--no-plots"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "results").exists()


def test_help_explains_every_flag():
    text = evaluate.build_parser().format_help()
    for flag in ("--policy", "--scenario", "--protocol", "--episodes", "--out", "--overwrite", "--no-plots"):
        assert flag in text
    assert "--model" in text and "--readme" in text
    for action in evaluate.build_parser()._actions:
        assert action.help, action.dest


class _UniformRandom:
    """Uniform random continuous actions from a seeded generator: a stand-in score floor."""

    action_type = "continuous"

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def __call__(self, obs, info=None):
        return self.rng.uniform(-1.0, 1.0, size=(len(obs), 10))


def test_scores_put_the_floor_at_0_and_the_reference_at_100():
    candidates = [
        evaluate.Candidate("random", lambda: _UniformRandom(0), "continuous", {"kind": "scripted"}),
        evaluate.resolve_policy("honest"),
        evaluate.resolve_policy("max_inflate"),
    ]
    results, notes = evaluate.evaluate(candidates, GL_BENCH_V1, ["historical-1958"], episodes=40)
    assert notes == []
    scores = results["historical-1958"]
    for preset in GL_BENCH_V1.reward_presets:
        assert scores["random"][f"score/{preset}"].mean == pytest.approx(0.0, abs=1e-9)
        assert scores["honest"][f"score/{preset}"].mean == pytest.approx(100.0)
    # On welfare the starving villages of the 3x inflater score far below random play.
    assert scores["max_inflate"]["score/benevolent"].mean < 0


def test_missing_score_anchor_is_said_not_guessed():
    candidates = [evaluate.resolve_policy("max_inflate")]
    protocol = dataclasses.replace(GL_BENCH_V1, score_floor="nobody")
    results, notes = evaluate.evaluate(candidates, protocol, ["reform"], episodes=5)
    assert len(notes) == 1 and "nobody" in notes[0]
    assert "score/balanced" not in results["reform"]["max_inflate"]
    assert "score" not in evaluate.leaderboard_rows(results, "reform", "balanced")[0]


def test_learned_runs_are_evaluated_by_path_and_by_default(tiny_run, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tiny_run.parent.parent)
    relative = Path(tiny_run.parent.name) / tiny_run.name
    monkeypatch.setattr(evaluate, "DEFAULT_RUN", relative)
    assert evaluate.default_policy_specs() == [*SCRIPTED_POLICIES, str(relative)]
    out = tmp_path / "with-run"
    assert evaluate.main(["--episodes", "6", "--scenario", "reform", "--out", str(out), "--no-plots"]) == 0
    name = f"ppo@{relative}"
    assert f"\n{name} " in capsys.readouterr().out
    document = json.loads((out / "results.json").read_text())
    assert document["policies"][name]["kind"] == "learned"
    assert document["policies"][name]["env_kwargs"] == {"scenario": "historical-1958", "reward": "careerist"}
    assert document["results"]["reform"][name]["purge_rate"]["n"] == 6


def test_readme_shows_the_committed_leaderboard_and_plot():
    readme = (ROOT / "README.md").read_text()
    start, end = readme.index(evaluate.README_START), readme.index(evaluate.README_END)
    block = readme[start + len(evaluate.README_START) : end].strip()
    committed = (ROOT / "docs" / "benchmark" / "leaderboard.md").read_text()
    assert block and block in committed, "README leaderboard differs from docs/benchmark: rerun the README command"
    assert "](docs/benchmark/trajectories-historical-1958.png)" in readme
    assert (ROOT / "docs" / "benchmark" / "trajectories-historical-1958.png").is_file()


# --- items 4, 20, 23, 25: output folders, OS errors, interrupts, seeds -----------------------------
def test_overwrite_writes_only_into_an_earlier_result_of_ours(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "thesis.tex").write_text("keep me")
    assert evaluate.main(["--episodes", "3", "--out", str(thesis), "--no-plots", "--overwrite"]) == 2
    assert "holds no results.json" in capsys.readouterr().err
    assert [p.name for p in thesis.iterdir()] == ["thesis.tex"]
    assert evaluate.main(["--episodes", "3", "--out", ".", "--no-plots", "--overwrite"]) == 2
    assert "working folder" in capsys.readouterr().err


@pytest.mark.parametrize("case", ["file_in_path", "out_is_a_file", "read_only_file_system"])
def test_output_path_errors_are_one_line_before_evaluating(case, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file").write_text("x")
    out = {"file_in_path": "file/bench", "out_is_a_file": "file", "read_only_file_system": "/proc/gl_env_bench"}[case]
    monkeypatch.setattr(evaluate, "evaluate", lambda *a, **k: pytest.fail("evaluated before checking --out"))
    code = evaluate.main(["--episodes", "3", "--scenario", "reform", "--out", out, "--no-plots"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("evaluate.py: error:"), err


def test_an_interrupted_evaluation_leaves_nothing_that_blocks_a_rerun(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "bench"
    real_write = evaluate.write_results

    def interrupted(folder, *args, **kwargs):
        real_write(folder, *args, **kwargs)  # half the files are written, then Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(evaluate, "write_results", interrupted)
    argv = ["--episodes", "3", "--scenario", "reform", "--out", str(out)]
    assert evaluate.main(argv) == 130
    assert "interrupted" in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.iterdir()) == []
    monkeypatch.setattr(evaluate, "write_results", real_write)
    assert evaluate.main(argv) == 0
    assert (out / "results.json").is_file() and (out / "trajectories-reform.png").is_file()


def test_the_benchmark_plays_only_evaluation_seeds(tmp_path, monkeypatch):
    from gl_env.envs.vector import GreatLeapVectorEnv
    from gl_env.seeds import EVALUATION

    played = []
    reset = GreatLeapVectorEnv.reset

    def recording_reset(self, *, seed=None, options=None):
        played.extend([seed] if isinstance(seed, int) else list(seed or []))
        return reset(self, seed=seed, options=options)

    monkeypatch.setattr(GreatLeapVectorEnv, "reset", recording_reset)
    monkeypatch.chdir(tmp_path)
    assert evaluate.main(["--episodes", "4", "--scenario", "reform", "--no-plots"]) == 0
    assert played and all(EVALUATION.start <= s < EVALUATION.stop for s in played)


def test_evaluate_runs_without_pettingzoo_and_the_county_protocol_names_the_extra(tmp_path):
    """PettingZoo is the county extra: gl-bench-v1 must not need it, the county protocol says so."""
    out = str(tmp_path / "v1")
    script = (
        "import sys; sys.modules['pettingzoo'] = None\n"  # as if the county extra were not installed
        "import evaluate\n"
        f"code = evaluate.main(['--episodes', '2', '--no-plots', '--policy', 'honest', '--out', {out!r}])\n"
        "assert code == 0, code\n"
        "sys.exit(evaluate.main(['--protocol', 'gl-bench-county-v1', '--episodes', '2', '--policy', 'honest']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2, done.stderr
    assert (tmp_path / "v1" / "results.csv").is_file()
    assert "gl-bench-county-v1 plays PettingZoo counties" in done.stderr
    assert "pip install -c constraints.txt -e '.[county]'" in done.stderr
    assert "Traceback" not in done.stderr

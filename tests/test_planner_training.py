"""Training the state: train.py --role planner and --role alternate, the fixed-institution planner,
the exploitability report, and bad flags."""

import csv
import importlib.util

import numpy as np
import pytest

import evaluate
import train
from gl_env.envs.planner import INSTITUTION_NAMES, PlannerEnv
from gl_env.exploitability import Budget, exploitability
from gl_env.planner_report import report
from gl_env.planner_runs import (
    FixedInstitution,
    PlannerConfig,
    compare,
    held_out_seeds,
    load_planner,
    play,
    schedule_overrides,
)
from gl_env.scenarios import make_params

TINY_PLANNER = ["--num-villages", "2", "--num-envs", "2", "--timesteps", "256", "--eval-freq", "128"]
TINY_PLANNER += ["--eval-episodes", "3", "--checkpoint-freq", "128"]


def _rows(path):
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def planner_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("planner") / "run"
    argv = [
        "--role",
        "planner",
        "--responder",
        "scripted",
        "--cadre",
        "max_inflate",
        *TINY_PLANNER,
        "--output",
        str(out),
    ]
    assert train.main(argv) == 0
    return out


def test_a_planner_run_saves_its_models_checkpoints_and_held_out_curve(planner_run):
    for name in ("planner.json", "best_model.zip", "final_model.zip", "checkpoints/model_128_steps.zip"):
        assert (planner_run / name).is_file(), name
    config = PlannerConfig.load(planner_run)
    assert config.env_kwargs["responder"] == "scripted" and config.total_timesteps == 256
    assert config.eval_seeds == held_out_seeds(3, 2) and config.eval_seeds[0] * 2 >= 900_000
    curve = _rows(planner_run / "evaluations.csv")
    assert [int(r["timesteps"]) for r in curve] == [128, 256]
    # The best model is the curve's best row, and playing it again gives that row's return.
    policy, _ = load_planner(planner_run)
    replay = play(policy, config.env_kwargs, config.eval_seeds)
    assert replay.returns.mean() == pytest.approx(max(float(r["mean_return"]) for r in curve))
    assert replay.institutions.shape == (3, 5, len(INSTITUTION_NAMES))


def test_a_planner_run_is_reproducible_with_one_thread(planner_run, tmp_path):
    argv = ["--role", "planner", "--responder", "scripted", "--cadre", "max_inflate", *TINY_PLANNER]
    assert train.main([*argv, "--output", str(tmp_path / "again")]) == 0
    assert _rows(tmp_path / "again" / "evaluations.csv") == _rows(planner_run / "evaluations.csv")


def test_an_existing_run_is_not_overwritten_without_asking(planner_run, capsys):
    argv = ["--role", "planner", "--responder", "scripted", "--cadre", "honest", *TINY_PLANNER]
    argv += ["--output", str(planner_run)]
    assert train.main(argv) == 2
    assert "already exists and is not empty; pass --overwrite" in capsys.readouterr().err


def test_alternate_one_round_trains_a_cadre_then_a_planner_against_it(tmp_path):
    out = tmp_path / "alt"
    argv = ["--role", "alternate", "--rounds", "1", *TINY_PLANNER, "--output", str(out)]
    argv += ["--cadre-timesteps", "128", "--cadre-num-envs", "4"]
    assert train.main(argv) == 0
    cadre, planner = out / "round-1" / "cadre", out / "round-1" / "planner"
    assert (cadre / "best_model.zip").is_file() and (cadre / "config.json").is_file()
    config = PlannerConfig.load(planner)
    assert config.env_kwargs["responder"] == "learned" and config.env_kwargs["cadre"] == str(cadre)
    (row,) = _rows(out / "rounds.csv")
    assert row["round"] == "1"
    assert float(row["planner_mean_return"]) == pytest.approx(
        max(float(r["mean_return"]) for r in _rows(planner / "evaluations.csv"))
    )
    assert float(row["cadre_return"]) == float(_rows(cadre / "evaluations.csv")[-1]["mean_return"])


def test_schedule_overrides_follow_climate_fields_by_year_and_average_scalars():
    params = make_params("historical-1958")
    institutions = np.zeros((2, 5, len(INSTITUTION_NAMES)))
    rate, audit = INSTITUTION_NAMES.index("procurement_rate"), INSTITUTION_NAMES.index("audit_probability")
    institutions[:, :, rate] = np.arange(5) / 10.0
    institutions[0, :, audit], institutions[1, :, audit] = 0.2, 0.4
    institutions[:, 4, audit] += 0.5
    overrides, spread = schedule_overrides(params, institutions, 4)
    assert overrides["procurement_rate"] == [v for year in range(5) for v in [year / 10.0] * 4]
    assert overrides["audit_probability"] == pytest.approx(0.4)
    assert spread["audit_probability"] == pytest.approx(0.4)
    make_params("historical-1958", **overrides)  # a valid institution


def test_a_fixed_institution_sets_each_years_values():
    params = make_params("historical-1958", over_report_penalty=2.0, growth_credit=0.25)
    env = PlannerEnv(num_villages=2)
    obs, _ = env.reset(seed=0)
    planner = FixedInstitution(params)
    for year in range(5):
        obs, _, _, truncated, info = env.step(planner(obs))
        chosen = info["institution"]
        assert chosen["procurement_rate"] == pytest.approx(params.procurement_rate[4 * year], abs=1e-6)
        assert chosen["growth_credit"] == pytest.approx(0.25, abs=1e-6)
        assert chosen["over_report_penalty"] == pytest.approx(2.0, abs=1e-6)
    assert truncated


def test_strong_audits_and_protected_honesty_are_less_exploitable_than_the_leap():
    budget = Budget(iterations=3, population=8, seeds=8, eval_seeds=40)
    leap, reform = exploitability(
        {"historical-1958": make_params("historical-1958"), "reform": make_params("reform")}, budget
    )
    assert leap.gain.mean > 3.0 and leap.best_report_ratio > 1.5  # inflating pays under the Leap
    assert reform.gain.mean < 0.5 * leap.gain.mean
    assert reform.gain.mean == pytest.approx(reform.best_return - reform.honest_return)


def test_the_report_compares_with_fixed_institutions_and_writes_its_files(planner_run, tmp_path, capsys):
    comparison = report(
        planner_run, episodes=4, budget=Budget(iterations=1, population=4, seeds=2, eval_seeds=4), out=tmp_path
    )
    config = PlannerConfig.load(planner_run)
    assert len(comparison.planner.seeds) == 4 and comparison.planner.seeds[0] == config.eval_seeds[-1] + 1
    rows = _rows(tmp_path / "comparison.csv")
    assert {r["policy"] for r in rows} == {"learned planner", "historical-1958 (its own)"}
    # The best fixed institution is the scenario's own here (the only one): two institutions measured.
    exploited = _rows(tmp_path / "exploitability.csv")
    assert [r["institution"] for r in exploited] == ["learned planner", "historical-1958 (its own)"]
    assert (tmp_path / "institution.png").stat().st_size > 1000
    assert "exploitability" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--role", "planner", "--rounds", "2"], "--rounds is for --role alternate only"),
        (["--role", "alternate"], "--role alternate needs --rounds K with K in [1, 100]; got None"),
        (["--role", "alternate", "--rounds", "0"], "got 0"),
        (["--role", "alternate", "--rounds", "1", "--cadre", "honest"], "leave out --responder and --cadre"),
        (["--role", "planner", "--responder", "oracle"], "invalid choice: 'oracle'"),
        (["--role", "planner", "--cadre", "/nonexistent"], "--cadre /nonexistent holds no sweep"),
        (["--role", "planner", "--reward", "glory"], "unknown planner reward preset 'glory'"),
        (["--role", "planner", "--eval-episodes", "0"], "--eval-episodes=0 must be a positive integer"),
        (["--role", "planner", "--eval-episodes", "7000"], "--eval-episodes=7000 is out of range"),
        (["--role", "ruler"], "invalid choice: 'ruler'"),
    ],
)
def test_bad_flags_exit_with_a_message_naming_them(argv, message, capsys):
    with pytest.raises(SystemExit) as stop:
        train.main(argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_a_bad_learned_cadre_is_reported_in_one_line(tmp_path, capsys):
    argv = ["--role", "planner", "--responder", "learned", "--cadre", str(tmp_path), *TINY_PLANNER]
    assert train.main([*argv, "--output", str(tmp_path / "run")]) == 2
    assert "is not a gl_env training run" in capsys.readouterr().err


def test_evaluate_refuses_a_folder_that_is_not_a_planner_run(tmp_path, capsys):
    assert evaluate.main(["--planner", str(tmp_path)]) == 2
    assert "holds no planner.json" in capsys.readouterr().err


@pytest.mark.slow
def test_evaluate_planner_prints_the_report_and_writes_it_into_out(planner_run, tmp_path, capsys):
    out = tmp_path / "report"
    assert evaluate.main(["--planner", str(planner_run), "--episodes", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "learned planner" in printed and "exploitability" in printed and f"wrote {out}/" in printed
    assert sorted(p.name for p in out.iterdir()) == ["comparison.csv", "exploitability.csv", "institution.png"]
    assert evaluate.main(["--planner", str(planner_run), "--episodes", "3", "--out", str(out)]) == 2


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="needs the ray extra (make test installs it)")
def test_the_fixed_institutions_played_on_ray_give_the_local_numbers(planner_run):
    import ray

    institutions = {
        "historical-1958": make_params("historical-1958"),
        "reform": make_params("reform"),
        "audited": make_params("historical-1958", audit_probability=0.75),
    }
    local = compare(planner_run, institutions, episodes=3)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        messages = []
        on_ray = compare(planner_run, institutions, episodes=3, ray="local", per_task=2, log=messages.append)
    finally:
        ray.shutdown()
    assert any("Ray: 2 task(s) on 2 CPUs" in m for m in messages), messages
    assert list(on_ray.fixed) == list(local.fixed)
    for name, episodes in local.fixed.items():
        assert on_ray.fixed[name].returns.tolist() == episodes.returns.tolist(), name
        assert on_ray.fixed[name].institutions.tolist() == episodes.institutions.tolist(), name
        for term, values in episodes.components.items():
            assert on_ray.fixed[name].components[term].tolist() == values.tolist(), (name, term)
    # Tune's records were kept inside the run folder and removed.
    assert not [p for p in planner_run.iterdir() if p.name.startswith(".ray-tune-")]


def test_ray_without_a_planner_run_is_refused(capsys):
    with pytest.raises(SystemExit):
        evaluate.parse_args(["--ray"])
    assert "--ray runs a planner report on Ray: it needs --planner RUN" in capsys.readouterr().err

"""Issue 13's training and benchmark: ``train.py --county``, county rollouts and ``gl-bench-county-v1``."""

import json
import shutil

import numpy as np
import pytest

import evaluate
import train
from gl_env.agents.learned import RunConfig, load_policy
from gl_env.agents.scripted import make_policy
from gl_env.benchmark import GL_BENCH_COUNTY_V1, GL_BENCH_V1
from gl_env.county.benchmark import play_protocol
from gl_env.county.metrics import COUNTY_METRICS, county_values, summarize_counties
from gl_env.county.params import UNCOUPLED, get_county_scenario
from gl_env.county.rollout import run_county_episodes
from gl_env.county.training import play_held_out
from gl_env.metrics import deaths_per_1000_per_year, mean_report_ratio
from gl_env.rollout import run_episodes
from gl_env.seeds import EVALUATION, HELD_OUT, TRAINING
from tests.helpers import assert_trained_run

TINY = ["--timesteps", "1024", "--num-envs", "8", "--eval-freq", "512", "--checkpoint-freq", "512", "--no-progress"]
ALONE = {**UNCOUPLED, "land_spread": 0.0}


@pytest.fixture(scope="module")
def county_run(tmp_path_factory):
    """``train.py --county 4``: one policy for the 8 cadres of two counties, 1024 steps."""
    run = tmp_path_factory.mktemp("runs") / "county"
    assert train.main(["--county", "4", "--output", str(run), "--eval-episodes", "2", *TINY]) == 0
    return run


def test_train_county_trains_every_cadre_with_every_run_feature(county_run, tmp_path, capsys):
    run = shutil.copytree(county_run, tmp_path / "county")
    assert_trained_run(run, checkpoints=(512, 1024))
    config = RunConfig.load(run)
    assert config.county == 4 and config.num_envs == 8
    assert config.env_kwargs == {"scenario": "county-1958", "reward": "careerist"}
    # Two held-out counties of 4: held-out seeds, none a training seed of the run.
    assert config.eval_seeds == list(range(HELD_OUT.start, HELD_OUT.start + 8))
    rows = train.read_curve(run)
    assert [int(r["timesteps"]) for r in rows] == [512, 1024]
    # The best model is the one that scored the curve's best mean return on those counties.
    policy, _ = load_policy(run)
    episodes = play_held_out(policy, config.eval_seeds, 4, "continuous", config.env_kwargs)
    assert episodes.returns.mean() == pytest.approx(max(float(r["mean_return"]) for r in rows))
    # --resume continues the county run; changing the county size is refused.
    assert train.main(["--output", str(run), "--resume", "--county", "2", "--timesteps", "2048"]) == 2
    assert "--county cannot change" in capsys.readouterr().err
    assert train.main(["--output", str(run), "--resume", "--timesteps", "1536", "--no-progress"]) == 0
    assert [int(r["timesteps"]) for r in train.read_curve(run)] == [512, 1024, 1536]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--county", "3"], "--num-envs=8 cadres do not make whole counties of --county=3"),
        (["--county", "-1"], "--county=-1 is out of range; allowed 1 to 8"),
        (["--county", "16"], "--county=16 is out of range; allowed 1 to 8"),
        (["--county", "4", "--scenario", "historical-1958"], "unknown county scenario 'historical-1958'; allowed"),
        (["--county", "4", "--set", "tournament_credit=0.9"], "tournament_credit=0.9 is out of range; allowed"),
        (["--county", "4", "--set", "no_such_rule=1"], "unknown parameter(s) no_such_rule"),
        (["--county", "4", "--eval-episodes", "25001"], "--eval-episodes=25001 is out of range; allowed 1 to 25000"),
        (["--scenario", "county-1958"], "unknown scenario 'county-1958'"),
    ],
)
def test_train_county_refuses_bad_input_in_one_line(tmp_path, capsys, argv, message):
    run = tmp_path / "run"
    assert train.main([*argv, "--output", str(run), *TINY]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not run.exists()


def test_a_county_run_config_is_checked_on_load(tmp_path):
    config = RunConfig(
        algo="ppo",
        env_id="gl_env/GreatLeap-v1",
        env_kwargs={"scenario": "county-1958", "reward": "careerist"},
        seed=0,
        num_envs=8,
        total_timesteps=64,
        eval_seeds=list(range(HELD_OUT.start, HELD_OUT.start + 6)),
        county=4,
    )
    config.save(tmp_path)
    with pytest.raises(ValueError, match="6 eval_seeds do not make whole counties of 4"):
        RunConfig.load(tmp_path)


def test_uncoupled_counties_of_one_play_the_single_env_villages():
    seeds = np.arange(1_000_000, 1_000_012)
    policy = make_policy("max_inflate")
    # Without successors a purge ends the village's episode, as it ends the single env's.
    alone = run_county_episodes(policy, seeds, 1, scenario="county-1958", successor=False, **ALONE)
    single = run_episodes(make_policy("max_inflate"), seeds, scenario="historical-1958")
    assert np.array_equal(alone.alive, single.alive) and np.array_equal(alone.purged, single.purged)
    for key in ("harvest_kg", "reported_kg", "deaths", "procurement_kg", "standing"):
        assert np.array_equal(alone.info[key][alone.alive], single.info[key][single.alive]), key
    assert np.array_equal(alone.start["population"], single.start["population"])


def _half_inflating(obs, info):
    """Honest in a county's first half of villages, max_inflate in the second (counties of 8)."""
    honest, inflate = make_policy("honest")(obs, info), make_policy("max_inflate")(obs, info)
    second_half = (np.arange(len(obs)) % 8) >= 4
    return np.where(second_half[:, None], inflate, honest)


def test_county_metrics_measure_the_spread_within_each_county():
    episodes = play_protocol(_half_inflating, GL_BENCH_COUNTY_V1, "county-1958", counties=5)
    values = county_values(episodes, 8)
    assert set(values) == set(COUNTY_METRICS)
    ratio = mean_report_ratio(episodes).reshape(5, 8)
    assert np.allclose(ratio[:, :4], 1.0) and (ratio[:, 4:] > 2.0).all()
    assert np.allclose(values["report_ratio"], ratio.mean(axis=1))
    assert np.allclose(values["report_ratio_sd"], ratio.std(axis=1))
    assert np.allclose(values["report_ratio_p90_p10"], ratio[:, 4:].max(axis=1) - 1.0, atol=0.3)
    deaths = deaths_per_1000_per_year(episodes).reshape(5, 8)
    assert np.allclose(values["deaths_sd"], deaths.std(axis=1))
    # The county's own ratio is of its totals: between its honest and its inflating villages.
    assert (values["county_report_ratio"] > 1.0).all() and (values["county_report_ratio"] < ratio.max(axis=1)).all()
    uniform = summarize_counties(play_protocol(make_policy("honest"), GL_BENCH_COUNTY_V1, "county-1958", counties=5), 8)
    assert uniform["report_ratio_sd"].mean == 0.0 and uniform["county_report_ratio"].mean == pytest.approx(1.0)
    assert uniform["report_ratio"].n == 5  # an interval over counties, not villages


def test_county_protocol_seeds_are_evaluation_seeds_of_their_own():
    seeds = GL_BENCH_COUNTY_V1.seeds()
    assert len(seeds) == GL_BENCH_COUNTY_V1.counties * GL_BENCH_COUNTY_V1.num_villages == 1600
    EVALUATION.check(seeds, "county protocol")
    assert not set(seeds) & set(GL_BENCH_V1.seeds()) and seeds.min() >= EVALUATION.start > TRAINING.stop
    for scenario in GL_BENCH_COUNTY_V1.scenarios:
        get_county_scenario(scenario)
    with pytest.raises(ValueError, match="counties=201 is out of range; allowed 1 to 200"):
        GL_BENCH_COUNTY_V1.seeds(201)


def test_evaluate_county_protocol_writes_its_files_and_refuses_lone_runs(tiny_run, tmp_path, capsys):
    out = tmp_path / "county"
    argv = ["--protocol", "gl-bench-county-v1", "--episodes", "3", "--policy", "honest", "--policy", "max_inflate"]
    assert evaluate.main([*argv, "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["leaderboard.md", "results.csv", "results.json"]
    document = json.loads((out / "results.json").read_text())
    assert document["complete"] is False and document["seeds"] == {"first": 2_000_000, "count": 24}
    results = document["results"]
    assert set(results) == {"county-1958", "county-reform"}
    assert results["county-1958"]["max_inflate"]["report_ratio"]["mean"] == pytest.approx(3.0)
    assert results["county-1958"]["honest"]["report_ratio_sd"]["mean"] == 0.0
    assert "ratio p90-p10" in capsys.readouterr().out
    assert evaluate.main([*argv, "--out", str(out)]) == 2  # never overwrites
    assert (
        evaluate.main(["--protocol", "gl-bench-county-v1", "--policy", str(tiny_run), "--out", str(tmp_path / "x")])
        == 2
    )
    assert "trained on lone villages" in capsys.readouterr().err
    assert (
        evaluate.main(["--protocol", "gl-bench-county-v1", "--scenario", "reform", "--out", str(tmp_path / "y")]) == 2
    )
    assert "unknown county scenario 'reform'" in capsys.readouterr().err


def test_a_county_run_plays_the_county_protocol(county_run, tmp_path, capsys):
    run = county_run  # trained in counties of 4, played in the protocol's counties of 8
    out = tmp_path / "results"
    argv = ["--protocol", "gl-bench-county-v1", "--episodes", "2", "--policy", str(run), "--scenario", "county-1958"]
    assert evaluate.main([*argv, "--out", str(out)]) == 0
    summary = json.loads((out / "results.json").read_text())["results"]["county-1958"][f"ppo@{run}"]
    policy, _ = load_policy(run)
    direct = summarize_counties(play_protocol(policy, GL_BENCH_COUNTY_V1, "county-1958", counties=2), 8)
    assert summary["report_ratio"]["mean"] == pytest.approx(direct["report_ratio"].mean)
    # gl-bench-v1 plays lone villages: a county run is refused by name, before anything is played.
    assert evaluate.main(["--policy", str(run), "--episodes", "2", "--no-plots", "--out", str(tmp_path / "z")]) == 2
    assert f"ppo@{run} trained in counties: evaluate with --protocol gl-bench-county-v1" in capsys.readouterr().err

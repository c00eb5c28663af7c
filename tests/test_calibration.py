"""The calibrated historical-1958 reproduces the record (gl_env.calibration), and its command works."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from gl_env import calibration, famine
from gl_env.agents.historical import (
    CLAIMED_OVER_ACTUAL,
    LABOR_PLAN,
    RECORD_SEASONS,
    STEEL_CLAIMED_OVER_ACTUAL,
    historical_cadre,
)
from gl_env.agents.scripted import SCRIPTED_POLICIES, ScriptedPolicy, make_policy
from gl_env.observations import named
from gl_env.rollout import run_episodes

SEEDS = 200
# A copy of the project's calibration data (shared/data/calibration_targets.csv), so that the record
# written into the code is checked wherever the tests run; the copy is checked against the original
# where that stands beside the repository.
CSV = Path(__file__).resolve().parent / "data" / "calibration_targets.csv"
SHARED_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "calibration_targets.csv"


@pytest.fixture(scope="module")
def simulated():
    return calibration.simulate(SEEDS)


@pytest.mark.parametrize("target", calibration.TARGETS, ids=lambda t: f"{t.series}-{t.year}")
def test_each_target_is_met_within_its_tolerance(simulated, target):
    value = simulated[target.series][target.year]
    assert target.low <= target.record <= target.high
    assert target.met(value), f"{target.series} {target.year}: {value:.3f} outside [{target.low}, {target.high}]"


def test_procurement_peaks_in_1959_and_falls_back(simulated):
    share = simulated["procurement_share"]
    assert calibration.peak_year(share) == 1959
    assert share[1962] < share[1960] < share[1959]


def test_output_falls_and_the_famine_follows_the_squeeze(simulated):
    output = simulated["output_vs_1958"]
    assert output[1960] < output[1959] < output[1958] == 1.0
    deaths = simulated["crude_death_rate"]
    # No target: mortality follows from reserves; it must simply peak in the year food is scarcest.
    eaten = simulated["consumption_vs_1957"]
    assert calibration.peak_year(deaths) == min(eaten, key=eaten.__getitem__)


def test_the_dose_response_is_smooth_no_5_percent_step_doubles_deaths():
    # Issue 12: on the calibration ensemble (1000 villages, the historical cadre), deaths in the
    # crop year against the grain left after the autumn procurement: no 5% less grain multiplies
    # deaths by more than 2 (v0: a cliff; bins of at least 20 village-years are judged).
    report = calibration.famine_report(1000)
    judged = [row for row in report.dose if row["villages"] >= famine.DOSE_MIN_VILLAGES]
    assert len(judged) >= 8 and judged[0]["deaths_per_1000"] > 5.0 * judged[-1]["deaths_per_1000"]
    assert report.worst_step_ratio <= 2.0
    # The same on the constant-diet curve: 5% less energy, sustained, never doubles deaths.
    kcal = np.asarray(report.diet_kcal)
    order = np.argsort(kcal)
    for rates in report.diet_deaths.values():
        for year in rates:
            assert famine.worst_step_ratio(kcal[order], year[order]) <= 2.0


def test_the_policy_explains_part_of_the_output_fall():
    result = calibration.policy_share_of_output_fall(SEEDS)
    assert result["counterfactual_fall_percent"] < result["output_fall_percent"]
    assert 20.0 < result["policy_share_percent"] < 90.0


def test_historical_cadre_acts_on_the_record_calendar():
    assert "historical_cadre" in SCRIPTED_POLICIES
    episodes = run_episodes(make_policy("historical_cadre"), np.arange(20), scenario="historical-1958", purge_rate=0.0)
    autumn = episodes.info["season"][:, 0] == 2
    claimed = episodes.info["reported_kg"][autumn] / episodes.info["harvest_kg"][autumn]
    np.testing.assert_allclose(
        claimed, np.broadcast_to(np.asarray(CLAIMED_OVER_ACTUAL)[:, None], claimed.shape), rtol=1e-3
    )  # float32 actions
    steel_by_year = episodes.info["steel_kg"].reshape(-1, 4, 20).sum(axis=1).mean(axis=1)
    assert steel_by_year[0] > steel_by_year[1] > steel_by_year[3] == 0.0  # 1958 furnaces, none after 1960
    assert len(LABOR_PLAN) == RECORD_SEASONS


def test_historical_cadre_works_private_plots_only_where_allowed():
    obs = np.zeros((2, 45), dtype=np.float32)
    o = named(obs)
    o["private_plots"][:] = [0.0, 1.0]
    o["coming_year"], o["coming_season"] = np.full(2, 1962), np.zeros(2, int)  # spring 1962
    decision = historical_cadre(o)
    assert decision["labor_private"][0] == 0.0 < decision["labor_private"][1]
    total = [
        sum(decision[k][i] for k in ("labor_fields", "labor_private", "labor_works", "labor_rest")) for i in (0, 1)
    ]
    assert total[0] == pytest.approx(total[1])


def test_the_command_writes_csv_json_png_and_never_silently_overwrites(tmp_path, capsys):
    out = tmp_path / "calibration"
    assert calibration.main([str(out), "--seeds", "20"]) == 0
    printed = capsys.readouterr().out
    assert "Li & Yang" in printed and "targets:" in printed
    rows = list(csv.DictReader((out / "calibration.csv").open()))
    assert [int(r["year"]) for r in rows] == list(calibration.YEARS)
    document = json.loads((out / "calibration.json").read_text())
    assert len(document["targets"]) == len(calibration.TARGETS)
    assert (out / "calibration.png").read_bytes()[:4] == b"\x89PNG"
    before = (out / "calibration.json").read_text()
    assert calibration.main([str(out), "--seeds", "21"]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert (out / "calibration.json").read_text() == before
    assert calibration.main([str(out), "--seeds", "21", "--overwrite"]) == 0
    assert json.loads((out / "calibration.json").read_text())["seeds"] == 21


def test_bad_seed_counts_are_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        calibration.main([str(tmp_path), "--seeds", "0"])
    assert "--seeds=0" in capsys.readouterr().err
    with pytest.raises(ValueError, match="seeds"):
        calibration.simulate([])


@pytest.mark.skipif(not SHARED_CSV.exists(), reason="shared/data/ is not beside the repository")
def test_the_test_copy_of_the_data_is_the_shared_data():
    assert CSV.read_bytes() == SHARED_CSV.read_bytes()


def test_the_record_in_code_matches_the_shared_data():
    with CSV.open(newline="") as f:
        rows = {(r["year"], r["variable"]): r["value"] for r in csv.DictReader(f)}
    tables = {
        "grain_output_official_old_series": calibration.GRAIN_OUTPUT_MT,
        "procurement_share_gross": calibration.PROCUREMENT_SHARE_PERCENT,
        "procurement_share_net": calibration.PROCUREMENT_SHARE_NET_PERCENT,
        "rural_grain_consumption_per_capita": calibration.RURAL_CONSUMPTION_KG,
        "employment_primary_sector": calibration.FARM_EMPLOYMENT_MILLION,
        "population_yearend": calibration.POPULATION_YEAREND_MILLION,
    }
    for variable, table in tables.items():
        for year, value in table.items():
            assert float(rows[(str(year), variable)]) == value, (variable, year)
    claims = {
        1957: "grain_output_claimed_at_the_time",
        1958: "grain_output_announced_dec1958",
        1959: "grain_output_claimed_nov1959",
        1960: "grain_output_claim_mao_to_montgomery",
    }
    for year, variable in claims.items():
        assert float(rows[(str(year), variable)]) == calibration.GRAIN_CLAIMED_MT[year], variable
    # The historical cadre reports as claimed at the time.
    claimed = [calibration.GRAIN_CLAIMED_MT[y] / calibration.GRAIN_OUTPUT_MT[y] for y in (1958, 1959, 1960)]
    assert list(CLAIMED_OVER_ACTUAL[:3]) == pytest.approx(claimed)
    steel = float(rows[("1958", "steel_output_announced")]) / float(rows[("1958", "steel_output_good_quality")])
    assert STEEL_CLAIMED_OVER_ACTUAL[0] == pytest.approx(steel)


# --- items 20, 23, 25: the command's output folder, interrupts and seeds -----------------------------
def test_calibration_plays_only_evaluation_seeds(monkeypatch):
    from gl_env.envs.vector import GreatLeapVectorEnv
    from gl_env.seeds import EVALUATION

    played = []
    reset = GreatLeapVectorEnv.reset

    def recording_reset(self, *, seed=None, options=None):
        played.extend([seed] if isinstance(seed, int) else list(seed or []))
        return reset(self, seed=seed, options=options)

    monkeypatch.setattr(GreatLeapVectorEnv, "reset", recording_reset)
    calibration.simulate(5)
    calibration.policy_share_of_output_fall(5)
    assert set(played) == set(range(EVALUATION.start, EVALUATION.start + 5))


@pytest.mark.parametrize("case", ["under_a_file", "is_a_file", "read_only_file_system"])
def test_output_path_errors_are_one_line_before_simulating(case, tmp_path, monkeypatch, capsys):
    (tmp_path / "file").write_text("x")
    out = {"under_a_file": tmp_path / "file" / "c", "is_a_file": tmp_path / "file", "read_only_file_system": "/proc/c"}
    monkeypatch.setattr(calibration, "simulate", lambda *a, **k: pytest.fail("simulated before checking OUT_DIR"))
    assert calibration.main([str(out[case]), "--seeds", "3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("python -m gl_env.calibration: error:"), err


def test_an_interrupted_calibration_writes_nothing(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(calibration, "_plot", interrupted)
    out = tmp_path / "c"
    assert calibration.main([str(out), "--seeds", "3"]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_seed_count_too_large_for_memory_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        calibration.main([str(tmp_path), "--seeds", str(10**9)])
    assert f"--seeds={10**9} is out of range; allowed 1 to {calibration.MAX_SEEDS}" in capsys.readouterr().err


def test_the_command_adds_the_famine_measures_to_json_and_report(tmp_path, capsys):
    out = tmp_path / "calibration"
    assert calibration.main([str(out), "--seeds", "100"]) == 0
    printed = capsys.readouterr().out
    assert "crude death rate across villages" in printed and "worst 5% step" in printed
    document = json.loads((out / "calibration.json").read_text())
    # Today's table rows stay as they were.
    assert [row["year"] for row in document["table"]] == list(calibration.YEARS)
    assert "crude_death_rate_model" in document["table"][0]
    distribution = document["death_rate_distribution"]
    assert list(distribution) == [str(y) for y in calibration.YEARS]
    for row in distribution.values():
        assert set(row) == {"p10", "p25", "p50", "p75", "p90", "share_above_50", "share_above_200"}
        assert row["p10"] <= row["p25"] <= row["p50"] <= row["p75"] <= row["p90"]
    # The province-structured ensemble: 25 provinces of 4 villages each (villages dealt in turn).
    provinces = document["provinces"]
    assert sorted(provinces) == [f"province-{p:02d}" for p in range(1, 26)]
    assert all(rows["1960"]["villages"] == 4 for rows in provinces.values())
    dose = document["dose_response"]
    assert sum(r["villages"] for r in dose["rows"]) == 4 * 100  # four whole crop years per village
    assert dose["worst_step_ratio"] >= 1.0
    diet = document["constant_diet"]
    assert len(diet["deaths_per_1000"]["farm"]["year_1"]) == len(diet["kcal_per_day"])


def test_the_national_totals_count_the_villagers_away():
    """Population, person-years and so the death rate count the villagers who fled (not returned)
    beside the residents, from the season flows: population = residents + emigrants away."""
    seeds = calibration.calibration_seeds(40)
    villages = calibration.ensemble(seeds, migration_control=0.0)
    zealous = ScriptedPolicy(calibration.zealous(historical_cadre, villages))
    episodes = run_episodes(zealous, seeds, params=list(villages.params))
    info = episodes.info
    simulated = calibration.simulate(seeds, migration_control=0.0)
    away_end = np.cumsum(info["emigrants"] - info["returnees"], axis=0)
    residents_start = np.concatenate([episodes.start["population"][None], info["population"][:-1]])
    away_start = np.concatenate([np.zeros((1, len(seeds))), away_end[:-1]])
    assert simulated["emigrants"][1960] > 5.0  # people fled: the identity is not 0 = 0
    for i, year in enumerate(range(1958, 1963)):
        season = slice(4 * i, 4 * i + 4)
        assert simulated["emigrants"][year] == pytest.approx(away_end[4 * i + 3].mean(), rel=1e-12)
        residents = info["population"][4 * i + 3].mean()
        assert simulated["population"][year] == pytest.approx(residents + simulated["emigrants"][year], rel=1e-12)
        person_years = (residents_start[season] + away_start[season]).sum() / 4.0
        expected = 1000.0 * info["deaths"][season].sum() / person_years
        assert simulated["crude_death_rate"][year] == pytest.approx(expected, rel=1e-12)

"""The mechanism sweep: a tiny grid end to end, the policy class, the grid and its errors."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gl_env.agents.scripted import make_policy
from gl_env.rollout import run_episodes
from gl_env.sweep import FEATURES, METRICS, Args, LinearCadre, build_grid, parse_args, run

ROOT = Path(__file__).resolve().parents[1]
TINY = [
    "--grid", "audit_probability=0.05,1",
    "--grid", "death_accountability=0,2",
    "--iterations", "2", "--population", "8", "--seeds", "4", "--eval-seeds", "20",
]  # fmt: skip


def _sweep(*args):
    return subprocess.run(
        [sys.executable, "-m", "gl_env.sweep", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "tiny"
    result = _sweep(*TINY, "--out", str(out))
    assert result.returncode == 0, result.stderr
    with open(out / "cells.csv") as handle:
        rows = list(csv.DictReader(handle))
    return out, rows, result


def test_tiny_sweep_writes_every_file(tiny):
    out, rows, result = tiny
    for name in ("cells.csv", "policies.json", "config.json", "sweep.png", *(f"heatmap_{m}.png" for m in METRICS)):
        assert (out / name).stat().st_size > 0, name
        if name.endswith(".png"):
            assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    assert [(r["audit_probability"], r["death_accountability"]) for r in rows] == [
        ("0.05", "0"), ("0.05", "2"), ("1", "0"), ("1", "2"),
    ]  # fmt: skip
    assert set(rows[0]) >= {*METRICS, "honest_return", "constant_report_ratio", "chosen"}
    for row in rows:
        assert 1 / 3 <= float(row["report_ratio"]) <= 3
        assert float(row["return"]) >= float(row["honest_return"]) - 1.0  # the honest cadre is a finalist
    config = json.loads((out / "config.json").read_text())
    assert config["fixed"] == {"over_report_penalty": 2.0}
    policies = json.loads((out / "policies.json").read_text())
    assert len(policies["cells"]) == 4
    assert list(policies["cells"][0]["weights"]["report_ratio"]) == ["bias", *FEATURES]
    assert "audit_probability,death_accountability,report_ratio" in result.stdout


def test_tiny_sweep_finds_the_trap_and_the_way_out(tiny):
    """Without audits or accountability the computed best response inflates and starves the
    village; with audits it reports (nearly) the truth and the village is fed."""
    _, rows, _ = tiny
    cell = {(r["audit_probability"], r["death_accountability"]): r for r in rows}
    trap, audited = cell[("0.05", "0")], cell[("1", "0")]
    assert float(trap["report_ratio"]) > 1.4
    assert float(trap["excess_per_1000"]) > 50
    assert float(audited["report_ratio"]) < 1.2
    assert float(audited["excess_per_1000"]) < 5
    # Computed, not assumed: the search beats the honest cadre where inflation pays.
    assert float(trap["return"]) > float(trap["honest_return"]) + 3


def test_an_existing_output_folder_is_never_overwritten(tiny):
    out, _, _ = tiny
    before = (out / "cells.csv").read_bytes()
    result = _sweep(*TINY, "--out", str(out))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "exists and is not empty" in result.stderr and "--overwrite" in result.stderr
    assert (out / "cells.csv").read_bytes() == before


def test_the_sweep_is_reproducible(tmp_path):
    args = parse_args([*TINY, "--out", str(tmp_path / "first")])
    first = (run(args, log=lambda message: None) / "cells.csv").read_text()
    args.out = tmp_path / "second"
    assert (run(args, log=lambda message: None) / "cells.csv").read_text() == first


def test_zero_weights_are_the_honest_cadre_and_a_bias_a_constant_report():
    seeds = np.arange(3)
    zero = np.zeros((3, 1, 1 + len(FEATURES)))
    honest = run_episodes(make_policy("honest"), seeds)
    linear = run_episodes(LinearCadre(zero, ["report_ratio"]), seeds)
    np.testing.assert_array_equal(linear.info["deaths"], honest.info["deaths"])
    np.testing.assert_array_equal(linear.info["report_ratio"], honest.info["report_ratio"])
    biased = zero.copy()
    biased[:, 0, 0] = 2 * (1.5 - 1) / (1.5 + 1)  # a report ratio of 1.5, in action units
    inflater = run_episodes(LinearCadre(biased, ["report_ratio"]), seeds)
    autumn = inflater.alive & (inflater.info["season"] == 2)
    np.testing.assert_allclose(inflater.info["report_ratio"][autumn], 1.5, rtol=1e-6)


def test_grid_cells_run_row_major_over_the_axes_with_the_fixed_overrides():
    grid = build_grid(Args(grid=["audit_probability=0,1", "growth_credit=0.2,0.4,0.6"], set=["ratchet=0.5"]))
    assert grid.shape == (2, 3)
    assert grid.points[1] == {"audit_probability": 0.0, "growth_credit": 0.4}
    assert grid.params[1].audit_probability == 0.0 and grid.params[1].growth_credit == 0.4
    assert all(p.ratchet == 0.5 and p.over_report_penalty == 2.0 for p in grid.params)
    # A grid over the default override replaces it.
    grid = build_grid(Args(grid=["over_report_penalty=0,1"]))
    assert [p.over_report_penalty for p in grid.params] == [0.0, 1.0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--grid", "audit_probability=0,2"], "audit_probability=2.0 is out of range; allowed [0.0, 1.0]"),
        (["--grid", "audits=0,1"], "'audits' is not a numeric parameter"),
        (["--grid", "audit_probability"], "must look like NAME=V1,V2,..."),
        (["--grid", "audit_probability=0,high"], "values must be numbers"),
        (["--grid", "audit_probability=0,0"], "repeats a value"),
        (["--set", "audit_probability=0.5"], "audit_probability is both on the grid and in --set"),
        (["--set", "ratchet=0.1,0.2"], "takes one value"),
        (["--levers", "steel"], "unknown lever 'steel'"),
        (["--scenario", "utopia"], "unknown scenario 'utopia'"),
        (["--seeds", "0"], "--seeds=0 is out of range"),
        (["--elite-share", "0.001"], "--elite-share=0.001"),
    ],
)
def test_bad_arguments_exit_naming_the_value(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_help_lists_every_flag():
    result = _sweep("--help")
    assert result.returncode == 0
    for flag in ("--grid", "--set", "--reward", "--levers", "--iterations", "--population", "--seeds", "--out"):
        assert flag in result.stdout


QUICK = ["--iterations", "1", "--population", "4", "--seeds", "2", "--eval-seeds", "4"]


def _cells(out: Path) -> dict[frozenset, dict[str, str]]:
    with open(out / "cells.csv") as handle:
        rows = list(csv.DictReader(handle))
    axes = {"audit_probability", "death_accountability"}
    return {frozenset((k, r[k]) for k in axes): {k: v for k, v in r.items() if k not in axes} for r in rows}


def test_a_cells_result_does_not_depend_on_the_order_of_the_axes(tiny, tmp_path):
    out, _, _ = tiny
    swapped = parse_args([*TINY[2:4], *TINY[:2], *TINY[4:], "--out", str(tmp_path / "swapped")])
    assert [name for name, _ in build_grid(swapped).axes] == ["death_accountability", "audit_probability"]
    assert _cells(run(swapped, log=lambda message: None)) == _cells(out)


def test_the_sweep_searches_on_training_seeds_and_measures_on_held_out_ones(tmp_path, monkeypatch):
    from gl_env.envs.vector import GreatLeapVectorEnv
    from gl_env.seeds import HELD_OUT, TRAINING

    played = []
    reset = GreatLeapVectorEnv.reset

    def recording_reset(self, *, seed=None, options=None):
        played.extend([seed] if isinstance(seed, int) else ([] if seed is None else [int(s) for s in seed]))
        return reset(self, seed=seed, options=options)

    monkeypatch.setattr(GreatLeapVectorEnv, "reset", recording_reset)
    args = parse_args(["--grid", "audit_probability=0.05,1", *QUICK, "--seed", "3", "--out", str(tmp_path / "s")])
    run(args, log=lambda message: None)
    training = {s for s in played if TRAINING.start <= s < TRAINING.stop}
    held_out = {s for s in played if HELD_OUT.start <= s < HELD_OUT.stop}
    assert len(training) + len(held_out) == len(set(played))
    assert held_out == set(range(HELD_OUT.start, HELD_OUT.start + 4))
    per_search = 2 * (1 + 1) + 4  # line search, one iteration, validation
    assert training == set(range(3 * per_search, 4 * per_search))


def test_an_interrupted_sweep_leaves_nothing_and_exits_130(tmp_path, monkeypatch, capsys):
    import gl_env.sweep as sweep

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep, "write_results", interrupted)
    out = tmp_path / "s"
    assert sweep.main(["--grid", "audit_probability=0.05,1", *QUICK, "--out", str(out)]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("case", ["under_a_file", "foreign_folder", "working_folder"])
def test_output_folder_problems_are_one_line_before_the_search(case, tmp_path, monkeypatch, capsys):
    import gl_env.sweep as sweep

    monkeypatch.chdir(tmp_path)
    (tmp_path / "file").write_text("x")
    (tmp_path / "thesis").mkdir()
    (tmp_path / "thesis" / "thesis.tex").write_text("keep me")
    out = {"under_a_file": "file/s", "foreign_folder": "thesis", "working_folder": "."}[case]
    monkeypatch.setattr(sweep, "search", lambda *a, **k: pytest.fail("searched before checking --out"))
    assert sweep.main(["--grid", "audit_probability=0.05,1", *QUICK, "--out", out, "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("python -m gl_env.sweep: error:"), err
    assert (tmp_path / "thesis" / "thesis.tex").read_text() == "keep me"

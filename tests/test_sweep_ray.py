"""The sweep on Ray Tune: the same cells.csv as the local run, and a one-line error without Ray."""

import importlib.util

import pytest

from gl_env import sweep, sweep_ray
from gl_env.sweep import parse_args, run

GRID = [
    "--grid", "audit_probability=0.05,1",
    "--grid", "growth_credit=0,1.5",
    "--iterations", "2", "--population", "6", "--seeds", "3", "--eval-seeds", "8",
]  # fmt: skip


def test_cells_are_grouped_consecutively_the_last_group_taking_the_rest():
    assert sweep_ray.groups_of(5, 2) == [[0, 1], [2, 3], [4]]
    assert sweep_ray.groups_of(3, 4) == [[0, 1, 2]]


def test_a_cells_result_does_not_depend_on_the_cells_beside_it(tmp_path):
    """Grouping is safe only if each cell's search is its own: solve the grid whole and in parts."""
    args = parse_args([*GRID, "--out", str(tmp_path / "s")])
    grid = sweep.build_grid(args)
    whole = sweep._solve_part(args, grid)
    for group in ([0], [1, 2], [3]):
        part = sweep.Grid(grid.axes, grid.fixed, [grid.points[i] for i in group], [grid.params[i] for i in group])
        for name, values in sweep._solve_part(args, part).items():
            assert values.tolist() == whole[name][group].tolist(), (name, group)


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="needs the ray extra (make test installs it)")
def test_a_sweep_on_ray_writes_the_local_runs_cells_csv(tmp_path):
    import ray

    local = run(parse_args([*GRID, "--out", str(tmp_path / "local")]), log=lambda message: None)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        messages = []
        on_ray = run(
            parse_args([*GRID, "--ray", "--cells-per-task", "3", "--out", str(tmp_path / "ray")]), log=messages.append
        )
        # A task that raises: one line naming it (divmod, a builtin every worker has, fails on these arguments).
        with pytest.raises(sweep_ray.TaskFailed, match=r"^Ray task 0 failed: .*divmod"):
            sweep_ray.run_groups(divmod, "args", ["part"], sweep_ray.LOCAL, tmp_path / "failing", log=messages.append)
    finally:
        ray.shutdown()
    assert (on_ray / "cells.csv").read_bytes() == (local / "cells.csv").read_bytes()
    assert (on_ray / "policies.json").read_bytes() == (local / "policies.json").read_bytes()
    assert any("Ray: 2 task(s) on 2 CPUs" in m for m in messages)
    # Tune's records are removed; only the two output folders remain.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["failing", "local", "ray"]
    assert list((tmp_path / "failing").iterdir()) == []


def test_ray_missing_is_one_line_naming_the_install(tmp_path, monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name.startswith("ray") else real(name, *a)
    )
    assert sweep.main([*GRID, "--ray", "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"python -m gl_env.sweep: error: {sweep_ray.INSTALL_HINT}"
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--cells-per-task", "0"], "--cells-per-task=0 is out of range"), (["--ray", "--ray-x"], "unrecognized")],
)
def test_bad_ray_arguments_exit_naming_the_value(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        parse_args(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err

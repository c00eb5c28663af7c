"""The shared pieces every command writes through: atomic files, output folders, the run lock, the seed ranges."""

import subprocess
import sys

import pytest

from gl_env import files
from gl_env.output_folders import LOCK_FILE, FolderKind, check_writable, is_empty, locked, staged_folder
from gl_env.seeds import EVALUATION, HELD_OUT, TRAINING

KIND = FolderKind("tool", "marker.json", ("data.csv", "plot-*.png"))


def test_an_atomic_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "config.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), files.atomic_open(target) as handle:
        handle.write("half of the new")
        raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["config.json"]
    files.write_text(target, "new")
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["config.json"]


def test_an_atomic_path_keeps_the_suffix_and_normal_permissions(tmp_path):
    with files.atomic_path(tmp_path / "model.zip") as temporary:
        assert temporary.suffix == ".zip" and temporary.parent == tmp_path and temporary.name.startswith(".")
        temporary.write_bytes(b"zip")
    assert (tmp_path / "model.zip").stat().st_mode & 0o777 == 0o666 & ~files.current_umask()


def test_a_folder_is_replaceable_only_when_it_is_recognisably_ours(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "data.csv").write_text("1")
    with pytest.raises(ValueError, match=r"holds no marker\.json"):
        KIND.check_replaceable(folder)
    (folder / "marker.json").write_text("{}")
    (folder / "plot-a.png").write_bytes(b"")
    (folder / ".data.csv.x1.tmp.csv").write_text("a leftover of a kill")
    KIND.check_replaceable(folder)
    (folder / "thesis.tex").write_text("keep me")
    with pytest.raises(ValueError, match=r"thesis\.tex"):
        KIND.check_replaceable(folder)
    monkeypatch.chdir(folder)
    with pytest.raises(ValueError, match="working folder"):
        KIND.check_replaceable(folder)
    (folder / "thesis.tex").unlink()
    with pytest.raises(ValueError, match="working folder"):
        KIND.check_replaceable(tmp_path)


def test_a_staged_folder_appears_whole_or_not_at_all(tmp_path):
    out = tmp_path / "results"
    with pytest.raises(KeyboardInterrupt), staged_folder(out) as staging:
        (staging / "data.csv").write_text("partial")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
    with staged_folder(out) as staging:
        (staging / "data.csv").write_text("1")
    assert [p.name for p in tmp_path.iterdir()] == ["results"] and (out / "data.csv").read_text() == "1"
    (out / "notes.txt").write_text("mine")
    with staged_folder(out) as staging:
        (staging / "data.csv").write_text("2")
    assert (out / "data.csv").read_text() == "2" and (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def test_check_writable_names_the_problem(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="exists and is not a folder"):
        check_writable(tmp_path / "file", "--out")
    with pytest.raises(ValueError, match="is not a folder"):
        check_writable(tmp_path / "file" / "below", "--out")
    check_writable(tmp_path / "new" / "deeper", "--out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # the probe leaves nothing


def test_the_lock_refuses_a_second_process_and_is_released_with_the_first(tmp_path):
    script = (
        "from pathlib import Path\nfrom gl_env.output_folders import locked\n"
        f"with locked(Path({str(tmp_path)!r}), 'x'):\n    pass"
    )
    with locked(tmp_path, "train.py"):
        other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert other.returncode != 0 and "is in use: another x is running in it" in other.stderr
    assert subprocess.run([sys.executable, "-c", script]).returncode == 0
    assert is_empty(tmp_path) and (tmp_path / LOCK_FILE).exists()


def test_the_seed_ranges_are_disjoint_and_blocks_stay_inside():
    assert TRAINING.stop == HELD_OUT.start and HELD_OUT.stop == EVALUATION.start == 1_000_000
    assert list(HELD_OUT.block(0, 3, "x")) == [900_000, 900_001, 900_002]
    with pytest.raises(ValueError, match="leave the training range"):
        TRAINING.block(899_999, 2, "--seed")
    with pytest.raises(ValueError, match="outside the held-out range"):
        HELD_OUT.check([900_000, 1_000_000], "eval_seeds")

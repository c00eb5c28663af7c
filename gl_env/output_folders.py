"""Output folders: where a command may write, which existing folder it may replace, and who holds it.

Every command that writes results (``train.py``, ``evaluate.py``, ``python -m gl_env.sweep``,
``python -m gl_env.calibration``) checks its output path before it computes anything
(:func:`check_writable`), so that a typo or a read-only disk costs one line, not a run. A
folder is replaced (``--overwrite``) only when it is recognisably that command's own output
(:class:`FolderKind`): it holds the command's marker file and nothing the command does not
write; the working folder and its parents never are. Results computed in one go are written
into a hidden staging folder beside the target and moved in at the end (:func:`staged_folder`),
so an interrupted command leaves nothing that blocks its rerun. A training run folder is locked
while a process trains in it (:func:`locked`).
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gl_env.files import TEMP_MARK, current_umask

LOCK_FILE = ".gl_env.lock"
_STAGING_MARK = ".partial-"


@dataclass(frozen=True)
class FolderKind:
    """What a command's output folder holds: ``marker`` (always) and entries matching ``entries``."""

    command: str
    marker: str
    entries: tuple[str, ...]

    def foreign(self, folder: Path) -> list[str]:
        """Names in ``folder`` this command never writes (its temporary and lock files are its own)."""
        return sorted(
            p.name
            for p in folder.iterdir()
            if p.name != LOCK_FILE
            and not (p.name.startswith(".") and (TEMP_MARK in p.name or _STAGING_MARK in p.name))
            and not any(fnmatch.fnmatchcase(p.name, pattern) for pattern in (self.marker, *self.entries))
        )

    def check_replaceable(self, folder: Path) -> None:
        """Raise ``ValueError`` unless ``folder`` may be overwritten as this command's earlier output."""
        here = Path.cwd().resolve()
        resolved = folder.resolve()
        if resolved == here or resolved in here.parents or resolved == Path.home().resolve():
            raise ValueError(f"refusing to overwrite {folder}: it is the working folder, a parent of it or home")
        if not (folder / self.marker).is_file():
            raise ValueError(
                f"refusing to overwrite {folder}: it holds no {self.marker}, so it is not an output of {self.command}"
            )
        foreign = self.foreign(folder)
        if foreign:
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            raise ValueError(
                f"refusing to overwrite {folder}: it holds files {self.command} does not write ({shown}); "
                "choose another folder"
            )

    def clear(self, folder: Path) -> None:
        """Delete this command's entries in ``folder`` (after :meth:`check_replaceable`), keeping its lock."""
        for entry in folder.iterdir():
            if entry.name == LOCK_FILE:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()


def check_writable(path: Path, what: str) -> None:
    """Raise ``ValueError`` if ``path`` cannot be (or become) a folder this process can write into."""
    if path.exists() and not path.is_dir():
        raise ValueError(f"{what} {path} exists and is not a folder")
    existing = path
    while not existing.exists():
        if existing.is_symlink():
            raise ValueError(f"{what} {path}: {existing} is a broken link")
        existing = existing.parent
    if not existing.is_dir():
        raise ValueError(f"{what} {path}: {existing} is not a folder")
    # Try it: permissions alone do not tell (root, read-only file systems, /proc).
    try:
        os.rmdir(tempfile.mkdtemp(dir=existing, prefix=f".{path.name}{_STAGING_MARK}probe-"))
    except OSError as error:
        raise ValueError(f"{what} {path}: cannot write in {existing} ({error.strerror})") from None


def is_empty(folder: Path) -> bool:
    """Whether ``folder`` is absent or holds nothing (a lock or a staging leftover is nothing)."""
    if not folder.exists():
        return True
    return not any(p.name != LOCK_FILE and _STAGING_MARK not in p.name for p in folder.iterdir())


@contextlib.contextmanager
def staged_folder(out: Path) -> Iterator[Path]:
    """A hidden folder beside ``out`` to write into; at the end its files move into ``out``.

    A new ``out`` appears whole (one rename); into an existing one, each file replaces its
    namesake (one rename each). If the block raises (an interrupt included), the staging folder
    is removed and ``out`` is as it was.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}{_STAGING_MARK}"))
    try:
        yield staging
        if out.exists():
            for entry in staging.iterdir():
                os.replace(entry, out / entry.name)
            staging.rmdir()
        else:
            os.chmod(staging, 0o777 & ~current_umask())
            os.replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def locked(folder: Path, command: str) -> Iterator[None]:
    """Hold ``folder``'s lock for the block; ``ValueError`` at once if another process holds it.

    The lock is an OS file lock (``filelock``): it is released when the process ends, however it
    ends, so a killed run never leaves its folder locked.
    """
    from filelock import FileLock, Timeout  # the train extra: only training runs are locked

    lock = FileLock(folder / LOCK_FILE, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ValueError(f"{folder} is in use: another {command} is running in it; wait for it to end") from None
    try:
        yield
    finally:
        lock.release()


__all__ = ["LOCK_FILE", "FolderKind", "check_writable", "is_empty", "locked", "staged_folder"]

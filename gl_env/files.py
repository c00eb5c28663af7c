"""Files written whole or not at all: a temporary file beside the target, then a rename.

A kill, a full disk or a power cut while writing leaves the previous file (or none), never a
truncated one: the data goes to a temporary file in the same folder, is flushed to disk
(``fsync``), and replaces the target with :func:`os.replace`, which is atomic on POSIX and
Windows when both lie on one file system. Temporary names start with a dot and contain
``.tmp``, so a leftover from a kill is recognisable (:data:`TEMP_MARK`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

TEMP_MARK = ".tmp"


def current_umask() -> int:
    """The process's umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk (POSIX; no-op where unsupported).
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """A temporary path to write ``path``'s new content to; it replaces ``path`` when the block ends.

    For writers that take a path, not an open file (SB3's ``model.save``). The temporary name
    keeps ``path``'s suffix (``.zip``), so such writers add none. If the block raises, the
    temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_MARK + path.suffix)
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~current_umask())  # mkstemp makes it private; a plain open would not
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


@contextlib.contextmanager
def atomic_open(path: Path | str, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """``open(path, mode, **kwargs)`` whose content replaces ``path`` only when the block ends without error."""
    with atomic_path(path) as temporary, open(temporary, mode, **kwargs) as handle:
        yield handle
        handle.flush()


def write_text(path: Path | str, text: str) -> None:
    """Replace ``path``'s content with ``text`` atomically."""
    with atomic_open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def write_bytes(path: Path | str, data: bytes) -> None:
    """Replace ``path``'s content with ``data`` atomically."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)


__all__ = ["TEMP_MARK", "atomic_open", "atomic_path", "current_umask", "write_bytes", "write_text"]

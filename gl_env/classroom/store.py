"""The classroom's database: sessions, rounds, students and every move, in one SQLite file.

Every write is one committed transaction (``synchronous=FULL``), so a server that stops, however
it stops, loses no move that a student was told was played; a restarted server reads everything
back and rebuilds each village by replaying its moves (:mod:`gl_env.classroom.village`).

Tables: ``settings`` (the teacher key), ``sessions``, ``rounds`` (the scenario and institution of
each round, open or closed), ``players`` (nickname, secret token, village seed), ``villages`` (a
student's village in a round: seed and starting population), ``moves`` (the decisions and the
season's ``info``, as JSON) and ``maps`` (computed best-response maps, by their arguments).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, num_years INTEGER NOT NULL, seed_base INTEGER NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS rounds (
    session_id TEXT NOT NULL REFERENCES sessions(id), number INTEGER NOT NULL, scenario TEXT NOT NULL,
    overrides TEXT NOT NULL, open INTEGER NOT NULL, opened REAL NOT NULL, closed REAL,
    PRIMARY KEY (session_id, number)
);
CREATE TABLE IF NOT EXISTS players (
    id INTEGER PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id), nickname TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE, seed INTEGER NOT NULL, joined REAL NOT NULL,
    UNIQUE (session_id, nickname COLLATE NOCASE)
);
CREATE TABLE IF NOT EXISTS villages (
    player_id INTEGER NOT NULL REFERENCES players(id), round INTEGER NOT NULL, seed INTEGER NOT NULL,
    start_population REAL NOT NULL, PRIMARY KEY (player_id, round)
);
CREATE TABLE IF NOT EXISTS moves (
    player_id INTEGER NOT NULL REFERENCES players(id), round INTEGER NOT NULL, t INTEGER NOT NULL,
    decisions TEXT NOT NULL, info TEXT NOT NULL, created REAL NOT NULL, PRIMARY KEY (player_id, round, t)
);
CREATE TABLE IF NOT EXISTS maps (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Session ids are typed by students from the projector: no look-alike characters (0/o, 1/l/i).
_ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_ID_LENGTH = 6


class Refused(Exception):
    """A request the classroom refuses, with the HTTP status and a message for the person who made it."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class Store:
    """The database at ``path`` (created with its tables if new). Safe to share between threads."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        with self._transaction() as db:
            for statement in _SCHEMA.split(";"):
                db.execute(statement)
            if db.execute("SELECT 1 FROM settings WHERE key = 'teacher_key'").fetchone() is None:
                db.execute("INSERT INTO settings VALUES ('teacher_key', ?)", (secrets.token_urlsafe(16),))

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction, committed on success and rolled back on any error (then re-raised)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _all(self, query: str, *args: Any) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(row) for row in self._db.execute(query, args).fetchall()]

    def _one(self, query: str, *args: Any) -> dict[str, Any] | None:
        rows = self._all(query, *args)
        return rows[0] if rows else None

    @property
    def teacher_key(self) -> str:
        """The secret that the teacher's pages send with every change (kept across restarts)."""
        row = self._one("SELECT value FROM settings WHERE key = 'teacher_key'")
        assert row is not None
        return str(row["value"])

    # --- sessions and rounds ------------------------------------------------------------------------
    def create_session(self, title: str, num_years: int, seed_base: int) -> str:
        with self._transaction() as db:
            while True:
                session_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))
                if db.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
                    break
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", (session_id, title, num_years, seed_base, time.time())
            )
        return session_id

    def session(self, session_id: str) -> dict[str, Any]:
        """The session ``session_id``; :class:`Refused` (404) if there is none."""
        row = self._one("SELECT * FROM sessions WHERE id = ?", session_id)
        if row is None:
            raise Refused(404, f"There is no classroom session {session_id!r}. Check the link or ask your teacher.")
        return row

    def sessions(self) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM sessions ORDER BY created DESC")

    def rounds(self, session_id: str) -> list[dict[str, Any]]:
        rows = self._all("SELECT * FROM rounds WHERE session_id = ? ORDER BY number", session_id)
        for row in rows:
            row["overrides"] = json.loads(row["overrides"])
            row["open"] = bool(row["open"])
        return rows

    def open_round(self, session_id: str, scenario: str, overrides: dict[str, Any]) -> int:
        """Open the next round (validated ``scenario`` and ``overrides`` given); :class:`Refused` if one is open."""
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM rounds WHERE session_id = ? AND open = 1", (session_id,)).fetchone():
                raise Refused(409, "A round is already open; close it before opening the next one.")
            (number,) = db.execute(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM rounds WHERE session_id = ?", (session_id,)
            ).fetchone()
            db.execute(
                "INSERT INTO rounds VALUES (?, ?, ?, ?, 1, ?, NULL)",
                (session_id, number, scenario, json.dumps(overrides), time.time()),
            )
        return int(number)

    def close_round(self, session_id: str) -> int:
        """Close the open round; returns its number. :class:`Refused` if none is open."""
        with self._transaction() as db:
            row = db.execute("SELECT number FROM rounds WHERE session_id = ? AND open = 1", (session_id,)).fetchone()
            if row is None:
                raise Refused(409, "No round is open.")
            db.execute(
                "UPDATE rounds SET open = 0, closed = ? WHERE session_id = ? AND number = ?",
                (time.time(), session_id, row["number"]),
            )
        return int(row["number"])

    # --- students -----------------------------------------------------------------------------------
    def join(self, session_id: str, nickname: str) -> dict[str, Any]:
        """A new student; their village's seed is the session's seed base plus their place in the class."""
        with self._transaction() as db:
            taken = db.execute(
                "SELECT 1 FROM players WHERE session_id = ? AND nickname = ? COLLATE NOCASE", (session_id, nickname)
            ).fetchone()
            if taken:
                raise Refused(409, f"The nickname {nickname!r} is taken in this session; choose another.")
            (count,) = db.execute("SELECT COUNT(*) FROM players WHERE session_id = ?", (session_id,)).fetchone()
            (seed_base,) = db.execute("SELECT seed_base FROM sessions WHERE id = ?", (session_id,)).fetchone()
            token = secrets.token_urlsafe(16)
            db.execute(
                "INSERT INTO players (session_id, nickname, token, seed, joined) VALUES (?, ?, ?, ?, ?)",
                (session_id, nickname, token, seed_base + count, time.time()),
            )
        player = self._one("SELECT * FROM players WHERE token = ?", token)
        assert player is not None
        return player

    def player(self, session_id: str, token: str) -> dict[str, Any]:
        """The student holding ``token`` in the session; :class:`Refused` (403) if none does."""
        row = self._one("SELECT * FROM players WHERE session_id = ? AND token = ?", session_id, token)
        if row is None:
            raise Refused(403, "You have not joined this session (or your browser lost its ticket); join again.")
        return row

    def players(self, session_id: str) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM players WHERE session_id = ? ORDER BY id", session_id)

    # --- villages and moves -------------------------------------------------------------------------
    def add_move(
        self,
        player: dict[str, Any],
        round_number: int,
        t: int,
        decisions: dict[str, Any],
        info: dict[str, Any],
        start_population: float,
    ) -> None:
        """Store season ``t``'s move, provided the round is still open (:class:`Refused` otherwise)."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT open FROM rounds WHERE session_id = ? AND number = ?", (player["session_id"], round_number)
            ).fetchone()
            if row is None or not row["open"]:
                raise Refused(409, f"Round {round_number} is closed; wait for your teacher to open the next one.")
            db.execute(
                "INSERT OR IGNORE INTO villages VALUES (?, ?, ?, ?)",
                (player["id"], round_number, player["seed"], start_population),
            )
            db.execute(
                "INSERT INTO moves VALUES (?, ?, ?, ?, ?, ?)",
                (player["id"], round_number, t, json.dumps(decisions), json.dumps(info), time.time()),
            )

    def moves(self, player_id: int, round_number: int) -> list[dict[str, Any]]:
        """A student's moves in a round, season by season, decisions and info decoded."""
        rows = self._all("SELECT * FROM moves WHERE player_id = ? AND round = ? ORDER BY t", player_id, round_number)
        for row in rows:
            row["decisions"], row["info"] = json.loads(row["decisions"]), json.loads(row["info"])
        return rows

    def villages(self, session_id: str, round_number: int) -> list[dict[str, Any]]:
        """The round's villages (students who played at least one season), with nickname and player id."""
        return self._all(
            "SELECT v.*, p.nickname FROM villages v JOIN players p ON p.id = v.player_id "
            "WHERE p.session_id = ? AND v.round = ? ORDER BY p.id",
            session_id,
            round_number,
        )

    def move_count(self, session_id: str) -> int:
        row = self._one(
            "SELECT COUNT(*) AS n FROM moves m JOIN players p ON p.id = m.player_id WHERE p.session_id = ?", session_id
        )
        return int(row["n"]) if row else 0

    # --- cached computations -----------------------------------------------------------------------
    def cached(self, key: str) -> Any:
        row = self._one("SELECT value FROM maps WHERE key = ?", key)
        return None if row is None else json.loads(row["value"])

    def cache(self, key: str, value: Any) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO maps VALUES (?, ?)", (key, json.dumps(value)))

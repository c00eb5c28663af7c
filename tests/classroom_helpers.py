"""Shared by the classroom's tests: a real server on a free loopback port, and the independent replay
of an exported session with ``gym.make``."""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import gymnasium as gym

import gl_env  # noqa: F401  (registers the envs)
from gl_env.actions import LABOR_NAMES, continuous_action
from gl_env.classroom.results import OUTCOME_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


class Server:
    """``python -m gl_env.classroom`` on a free loopback port, started and waited for (at most ``seconds``)."""

    def __init__(self, db: Path, seconds: float = 60.0):
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gl_env.classroom", "--host", LOOPBACK, "--port", str(self.port), "--db", str(db)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            bufsize=0,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.output = self._read_until("Ctrl+C stops the server", seconds)
        self.teacher_key = next(
            line.split("key=")[1].strip() for line in self.output.splitlines() if line.startswith("Teacher")
        )
        self._wait_until_serving(seconds)

    def _read_until(self, marker: str, seconds: float) -> str:
        # Raw reads of the pipe: a buffered reader could hold the marker back while select() sees nothing.
        output, deadline = b"", time.monotonic() + seconds
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while marker.encode() not in output:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise AssertionError(f"the server did not start:\n{output.decode(errors='replace')}")
                if selector.select(timeout=0.5):
                    output += os.read(self.process.stdout.fileno(), 65536)
        return output.decode()

    def _wait_until_serving(self, seconds: float) -> None:
        import httpx

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/api/sessions", timeout=2).raise_for_status()
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("the server did not answer")

    def kill(self) -> None:
        """Stop it the hard way (SIGKILL: no shutdown code runs), as a crash or a pulled plug would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process.stdout.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.process.stdout.close()


def recompute(rows: list[dict[str, str]], num_years: int) -> dict[tuple[str, str], list[dict[str, str]]]:
    """Replay each (round, student) village of a CSV export with gym.make and check every outcome exactly."""
    villages: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in rows:
        villages.setdefault((row["round"], row["nickname"]), []).append(row)
    for seasons in villages.values():
        first = seasons[0]
        env = gym.make(
            "gl_env/GreatLeap-v1", scenario=first["scenario"], num_years=num_years, **json.loads(first["institution"])
        )
        env.reset(seed=int(first["seed"]))
        for t, row in enumerate(seasons):
            assert int(row["t"]) == t
            action = continuous_action(
                **{name: float(row[name]) for name in LABOR_NAMES},
                **{name: float(row[name]) for name in ("mobilization", "report_ratio", "steel_report_ratio")},
                ration_kg=float(row["ration_kg"]),
                conceal_share=float(row["conceal_share"]),
            )
            info = env.step(action)[4]
            for column in OUTCOME_COLUMNS:
                assert float(row[column]) == float(info[column]), (row["nickname"], t, column)
    return villages

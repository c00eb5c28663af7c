"""``python -m gl_env.classroom`` as a real server (uvicorn, loopback only): its start-up output, and a
crash in the middle of a session that loses no move."""

import csv
import io

import pytest

pytest.importorskip("uvicorn", reason="the classroom extra is not installed: pip install 'gl_env[classroom]'")
pytest.importorskip("httpx", reason="httpx (the dev extra) drives the server")

import httpx

from gl_env.classroom.__main__ import join_url, main, terminal_qr
from tests.classroom_helpers import LOOPBACK, Server, recompute

STUDENTS = 3


def _play(client, sid, players, seasons):
    for _ in range(seasons):
        for headers in players:
            view = client.get(f"/api/session/{sid}/me", headers=headers).json()["village"]
            move = {"t": view["t"], "plan": "recovery", "ration_kg": 0.45}
            if view["season"] == "autumn":
                move["report_ratio"] = 1.4
            response = client.post(f"/api/session/{sid}/move", json=move, headers=headers)
            assert response.status_code == 200, response.text


def test_a_server_killed_mid_session_restarts_with_every_move(tmp_path):
    db = tmp_path / "classroom.sqlite3"
    server = Server(db)
    try:
        assert f"Students join at: {server.url}/" in server.output
        assert "▀" in server.output or "█" in server.output  # the QR code, drawn with block characters
        with httpx.Client(base_url=server.url, timeout=30, headers={"X-Teacher-Key": server.teacher_key}) as client:
            sid = client.post("/api/sessions", json={"num_years": 1, "seed_base": 40}).json()["id"]
            players = []
            for i in range(STUDENTS):
                token = client.post(f"/api/session/{sid}/join", json={"nickname": f"s{i}"}).json()["token"]
                players.append({"X-Player-Token": token})
            client.post(f"/api/session/{sid}/rounds", json={"scenario": "historical-1958", "overrides": {"ratchet": 1}})
            _play(client, sid, players, seasons=2)
    finally:
        server.kill()

    server = Server(db)
    try:
        with httpx.Client(base_url=server.url, timeout=30, headers={"X-Teacher-Key": server.teacher_key}) as client:
            for headers in players:
                assert client.get(f"/api/session/{sid}/me", headers=headers).json()["village"]["t"] == 2
            _play(client, sid, players, seasons=2)
            rows = list(csv.DictReader(io.StringIO(client.get(f"/api/session/{sid}/export.csv").text)))
    finally:
        server.stop()
    assert len(rows) == 4 * STUDENTS
    assert {len(seasons) for seasons in recompute(rows, num_years=1).values()} == {4}


def test_join_links_qr_codes_and_bad_flags(capsys):
    assert join_url(LOOPBACK, 8123, None) == "http://127.0.0.1:8123"
    assert join_url("0.0.0.0", 8123, "http://class.example:80/") == "http://class.example:80"
    assert not join_url("0.0.0.0", 8123, None).startswith("http://0.0.0.0")
    qr = terminal_qr("http://127.0.0.1:8123/")
    assert len(qr.splitlines()) > 10
    with pytest.raises(SystemExit):
        main(["--port", "70000"])
    assert "--port=70000 is out of range; allowed 1 to 65535" in capsys.readouterr().err

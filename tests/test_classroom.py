"""The classroom through its HTTP and websocket API, without a browser: bots play whole sessions.

Every check of a stored move recomputes it independently with ``gym.make`` from the same seed and
decisions. Requests go through Starlette's TestClient (no socket is opened).
"""

import csv
import io
import json

import anyio
import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("starlette", reason="the classroom extra is not installed: pip install 'gl_env[classroom]'")

from starlette.testclient import TestClient

from gl_env.actions import LABOR_NAMES, LABOR_PLANS, continuous_action
from gl_env.classroom.app import create_app
from tests.classroom_helpers import recompute

STUDENTS = 30
# Round 2's institution: no pay for reported growth, half the harvests audited, honest reports protected.
REFORM = {"growth_credit": 0, "audit_probability": 0.5, "honesty_protection": 1}


@pytest.fixture
def classroom(tmp_path):
    app = create_app(tmp_path / "classroom.sqlite3")
    with TestClient(app) as client:
        client.headers["X-Teacher-Key"] = app.state.store.teacher_key
        yield client, app


def _receive(ws, seconds=10):
    """The websocket's next message, or a failure after ``seconds`` (TestClient's own receive never times out)."""

    async def receive():
        with anyio.fail_after(seconds):
            return await ws._send_rx.receive()

    message = ws.portal.call(receive)
    assert message["type"] == "websocket.send", message
    return json.loads(message["text"])


def _new_session(client, num_years=1, seed_base=100):
    response = client.post(
        "/api/sessions", json={"title": "test class", "num_years": num_years, "seed_base": seed_base}
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _join(client, sid, nickname):
    response = client.post(f"/api/session/{sid}/join", json={"nickname": nickname})
    assert response.status_code == 201, response.text
    return {"X-Player-Token": response.json()["token"], "X-Teacher-Key": ""}


def _bot_move(rng, view):
    """A student's move: a labor plan (sometimes their own shares), a ration, a hidden share, a report."""
    plan = str(rng.choice([*LABOR_PLANS, "custom"]))
    move = {"t": view["t"], "plan": plan, "ration_kg": round(float(rng.uniform(0.2, 0.8)), 3)}
    if plan == "custom":
        move["labor"] = {name: round(float(rng.uniform(0, 1)), 3) for name in LABOR_NAMES}
        move["mobilization"] = round(float(rng.uniform(0, 1)), 3)
    if rng.uniform() < 0.3:
        move["conceal_share"] = round(float(rng.uniform(0, 0.3)), 3)
    if plan in ("leap", "steel"):
        move["steel_report_ratio"] = round(float(rng.uniform(1, 2)), 3)
    if view["season"] == "autumn":
        move["report_ratio"] = round(float(rng.uniform(0.8, 2.5)), 3)
    return move


def _play_round(client, sid, round_number, students, rng):
    """Every student plays season by season (previewing first) until their village's game ends."""
    made = 0
    for _ in range(20):
        playing = 0
        for headers in students:
            view = client.get(f"/api/session/{sid}/me", headers=headers).json()["village"]
            if view["ended"]:
                continue
            playing += 1
            move = _bot_move(rng, view)
            preview = client.post(f"/api/session/{sid}/preview", json=move, headers=headers)
            assert preview.status_code == 200, preview.text
            key = "reports" if view["season"] == "autumn" else "hunger"
            assert key in preview.json()
            response = client.post(f"/api/session/{sid}/move", json={**move, "round": round_number}, headers=headers)
            assert response.status_code == 200, response.text
            assert response.json()["played"] == view["t"]
            made += 1
        if not playing:
            return made
    raise AssertionError("the round did not end")


def _rows(client, sid):
    response = client.get(f"/api/session/{sid}/export.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_thirty_students_play_two_rounds_and_the_export_matches_the_core(classroom):
    client, app = classroom
    sid = _new_session(client)
    with client.websocket_connect(f"/ws/session/{sid}?view=results") as live:
        assert _receive(live)["results"]["moves"] == 0
        students = [_join(client, sid, f"student {i}") for i in range(STUDENTS)]
        rng = np.random.default_rng(0)
        assert client.post(f"/api/session/{sid}/rounds", json={"scenario": "historical-1958"}).status_code == 201
        first = _play_round(client, sid, 1, students, rng)
        # The projector is told of every move: its last push counts them all.
        for _ in range(10 * STUDENTS):
            pushed = _receive(live)["results"]
            if pushed["moves"] == first:
                break
        assert len(pushed["rounds"][0]["students"]) == STUDENTS
        assert client.post(f"/api/session/{sid}/rounds/close").json() == {"closed": 1}
        # The teacher changes the institution; the same villages (seeds) play again.
        opened = client.post(f"/api/session/{sid}/rounds", json={"scenario": "historical-1958", "overrides": REFORM})
        assert opened.status_code == 201, opened.text
        second = _play_round(client, sid, 2, students, rng)
        client.post(f"/api/session/{sid}/rounds/close")

    rows = _rows(client, sid)
    assert len(rows) == first + second == app.state.store.move_count(sid)
    villages = recompute(rows, num_years=1)
    assert len(villages) == 2 * STUDENTS
    # Every village was played to its end: the term's last season, or a purge.
    assert all(int(v[-1]["t"]) == 3 or float(v[-1]["purged"]) == 1.0 for v in villages.values())
    assert {json.loads(r["institution"]) == REFORM for r in rows if r["round"] == "2"} == {True}
    # Each student keeps their village (seed) in both rounds; the seeds follow the joining order.
    seeds = {(r["round"], r["nickname"]): int(r["seed"]) for r in rows}
    assert all(seeds[("1", f"student {i}")] == seeds[("2", f"student {i}")] == 100 + i for i in range(STUDENTS))

    results = client.get(f"/api/session/{sid}/results").json()
    for round_results in results["rounds"]:
        assert len(round_results["students"]) == STUDENTS
        assert {s["name"] for s in round_results["scripted"]} >= {"honest", "max_inflate", "historical_cadre"}
        played = [r for r in rows if r["round"] == str(round_results["number"])]
        deaths = sum(float(r["deaths"]) for r in played)
        assert sum(s["deaths"] for s in round_results["students"]) == pytest.approx(deaths, rel=1e-12)
        reports = [float(r["reported_kg"]) / float(r["harvest_kg"]) for r in played if r["season"] == "2"]
        students_reports = [ratio for s in round_results["students"] for _, ratio in s["reports"]]
        assert sorted(students_reports) == pytest.approx(sorted(reports), rel=1e-9)


def _state(client, sid):
    """Everything stored about a session: its rounds, its students and its moves."""
    info = client.get(f"/api/session/{sid}").json()
    return info["rounds"], info["players"], client.get(f"/api/session/{sid}/export.csv").text


def test_bad_input_gets_a_clear_message_and_changes_nothing(classroom):
    client, _ = classroom
    sid = _new_session(client)
    anna = _join(client, sid, "Anna")
    client.post(f"/api/session/{sid}/rounds", json={"scenario": "historical-1958"})
    view = client.get(f"/api/session/{sid}/me", headers=anna).json()["village"]
    client.post(f"/api/session/{sid}/move", json={"t": 0, "plan": "farming", "ration_kg": 0.5}, headers=anna)
    before = _state(client, sid)

    def refused(method, url, status, message, **kwargs):
        response = client.request(method, url, **kwargs)
        assert response.status_code == status, response.text
        assert message in response.json()["error"], response.json()["error"]
        assert _state(client, sid) == before
        return response.json()["error"]

    move = f"/api/session/{sid}/move"
    refused("POST", move, 422, "ration_kg=2.0 is out of range. Please enter a number from 0 to 1.2 kg.",
            json={"t": 1, "ration_kg": 2.0}, headers=anna)  # fmt: skip
    refused("POST", move, 422, "ration_kg=nan is out of range", content=b'{"t": 1, "ration_kg": NaN}', headers=anna)
    refused("POST", move, 422, "steel_report_ratio=9 is out of range. Please enter a number from 0.333 to 3 x.",
            json={"t": 1, "steel_report_ratio": 9}, headers=anna)  # fmt: skip
    refused("POST", move, 422, "conceal_share='lots' is not a number. Please enter a number from 0 to 0.5.",
            json={"t": 1, "conceal_share": "lots"}, headers=anna)  # fmt: skip
    refused("POST", move, 422, "'dance' is not one of: farming, works, leap, steel, recovery, custom",
            json={"t": 1, "plan": "dance"}, headers=anna)  # fmt: skip
    refused("POST", move, 422, "All labor shares are 0",
            json={"t": 1, "plan": "custom", "labor": dict.fromkeys(LABOR_NAMES, 0)}, headers=anna)  # fmt: skip
    refused("POST", move, 422, "report_ratio is decided only at the autumn harvest",
            json={"t": 1, "report_ratio": 1.5}, headers=anna)  # fmt: skip
    refused("POST", move, 422, "unknown field(s) wheat", json={"t": 1, "wheat": 1}, headers=anna)
    refused("POST", move, 422, "your village is at season 1", json={"t": 0}, headers=anna)
    refused("POST", move, 403, "You have not joined this session", json={"t": 1}, headers={"X-Player-Token": "x"})
    refused("POST", move, 400, "must be a JSON object", content=b"[1, 2]", headers=anna)
    # Unknown session: the API and the pages say so.
    refused("POST", "/api/session/nosuch/move", 404, "There is no classroom session 'nosuch'", json={"t": 1})
    refused("POST", "/api/session/nosuch/join", 404, "There is no classroom session 'nosuch'", json={"nickname": "x"})
    page = client.get("/session/nosuch")
    assert page.status_code == 404 and "No such session" in page.text and "nosuch" in page.text
    # A second join with the same nickname (in any case), or none at all.
    refused("POST", f"/api/session/{sid}/join", 409, "The nickname 'ANNA' is taken", json={"nickname": "ANNA"})
    refused("POST", f"/api/session/{sid}/join", 422, "Please choose a nickname", json={"nickname": "  "})
    # The teacher's rules are checked as gym.make checks them, with its messages.
    rounds = f"/api/session/{sid}/rounds"
    client.post(f"/api/session/{sid}/rounds/close")
    before = _state(client, sid)
    for overrides in ({"audit_probability": 2}, {"growth_credit": "lots"}, {"audit_chance": 0.5}):
        with pytest.raises((ValueError, TypeError)) as expected:
            gym.make("gl_env/GreatLeap-v1", scenario="historical-1958", num_years=1, **overrides)
        # (gym.make adds where a TypeError was raised to the env's message)
        error = refused("POST", rounds, 422, "", json={"scenario": "historical-1958", "overrides": overrides})
        assert str(expected.value).startswith(error) and len(error) > 40
    with pytest.raises(ValueError) as expected:
        gym.make("gl_env/GreatLeap-v1", scenario="utopia")
    assert refused("POST", rounds, 422, "", json={"scenario": "utopia"}) == str(expected.value)
    refused("POST", rounds, 403, "needs the teacher key", json={}, headers={"X-Teacher-Key": "guess"})
    refused("POST", "/api/sessions", 422, "num_years=9 is out of range; allowed 1 to 5", json={"num_years": 9})
    # A move after the round closed.
    refused("POST", move, 409, "No round is open; wait for your teacher", json={"t": 1}, headers=anna)
    client.post(rounds, json={"scenario": "historical-1958"})
    before = _state(client, sid)
    refused("POST", move, 409, "Round 1 is closed", json={"t": 1, "round": 1}, headers=anna)
    assert view["t"] == 0 and view["season"] == "spring"
    # The teacher's form sends text: numbers written as numbers are taken as such (years as integers).
    client.post(f"/api/session/{sid}/rounds/close")
    form = {"audit_probability": "0.3", "soviet_withdrawal_year": "1960"}
    assert client.post(rounds, json={"scenario": "reform", "overrides": form}).status_code == 201
    stored = client.get(f"/api/session/{sid}").json()["rounds"][-1]["overrides"]
    assert stored == {"audit_probability": 0.3, "soviet_withdrawal_year": 1960}


def test_a_restart_loses_no_move(tmp_path):
    db = tmp_path / "classroom.sqlite3"
    moves = [{"t": 0, "plan": "works", "ration_kg": 0.5}, {"t": 1, "plan": "custom", "labor": {"labor_rest": 0.9}}]
    app = create_app(db)
    with TestClient(app) as client:
        client.headers["X-Teacher-Key"] = app.state.store.teacher_key
        sid = _new_session(client, num_years=2, seed_base=7)
        headers = _join(client, sid, "Li")
        client.post(f"/api/session/{sid}/rounds", json={"scenario": "reform", "overrides": {"audit_probability": 0.3}})
        for move in moves:
            assert client.post(f"/api/session/{sid}/move", json=move, headers=headers).status_code == 200
        seen = client.get(f"/api/session/{sid}/me", headers=headers).json()
        exported = client.get(f"/api/session/{sid}/export.csv").text
    key = app.state.store.teacher_key
    app.state.store.close()

    again = create_app(db)
    assert again.state.store.teacher_key == key
    with TestClient(again) as client:
        client.headers["X-Teacher-Key"] = again.state.store.teacher_key
        # The village is rebuilt from the stored moves: the same season, briefing and reports as before.
        assert client.get(f"/api/session/{sid}/me", headers=headers).json() == seen
        assert client.get(f"/api/session/{sid}/export.csv").text == exported
        response = client.post(f"/api/session/{sid}/move", json={"t": 2, "ration_kg": 0.6}, headers=headers)
        assert response.status_code == 200, response.text
        rows = _rows(client, sid)
    assert [int(r["t"]) for r in rows] == [0, 1, 2]
    env = gym.make("gl_env/GreatLeap-v1", scenario="reform", num_years=2, audit_probability=0.3)
    env.reset(seed=7)
    for row in rows:
        info = env.step(continuous_action(**{n: float(row[n]) for n in (*LABOR_NAMES, "ration_kg", "mobilization")}))[4]
        assert float(row["population"]) == info["population"] and float(row["standing"]) == info["standing"]


def test_the_student_sees_the_play_modes_briefing_previews_and_reports(classroom):
    from gl_env.play import Game

    client, _ = classroom
    sid = _new_session(client, seed_base=3)
    headers = _join(client, sid, "Wang")
    assert "village" not in client.get(f"/api/session/{sid}/me", headers=headers).json()  # no round open yet
    client.post(f"/api/session/{sid}/rounds", json={"scenario": "historical-1958"})
    game = Game("historical-1958", seed=3, num_years=1)
    for t in range(4):
        view = client.get(f"/api/session/{sid}/me", headers=headers).json()["village"]
        assert view["briefing"][0] == game.briefing().strip().splitlines()[0]
        assert view["orders"]["ration_kg"] == game.suggested_ration()
        move = {"t": t, "ration_kg": 0.3}
        preview = client.post(f"/api/session/{sid}/preview", json=move, headers=headers).json()
        if game.season == "autumn":
            assert preview["reports"] == game.report_previews(0.3)
            move["report_ratio"] = 1.6
        else:
            assert [preview["hunger"], preview["deadly"]] == list(game.hunger_forecast(0.3))
        played = client.post(f"/api/session/{sid}/move", json=move, headers=headers).json()
        report, _ = game.advance(game.action(move.get("report_ratio", 1.0), 0.3))
        assert played["village"]["reports"][-1][0] == report.splitlines()[0]
        assert " ".join(played["village"]["reports"][-1]) == " ".join(report.split())


def test_the_debrief_maps_the_best_response_for_the_rounds_institution_and_caches_it(classroom):
    client, _ = classroom
    sid = _new_session(client)
    headers = _join(client, sid, "Zhou")
    client.post(f"/api/session/{sid}/rounds", json={"scenario": "historical-1958", "overrides": REFORM})
    client.post(f"/api/session/{sid}/move", json={"t": 0}, headers=headers)
    debrief = client.get(f"/api/session/{sid}/debrief?round=1").json()
    grid = debrief["map"]
    assert [name for name, _ in grid["axes"]] == ["growth_credit", "audit_probability"]
    assert all(len(values) == 25 for values in grid["cells"].values())
    assert grid["point"] == {"growth_credit": 0, "growth_credit_varies": False, "audit_probability": 0.5}
    # Reported growth pays nothing here: the computed best response reports close to the truth.
    assert 0.8 < grid["own"]["report_ratio"] < 1.3
    assert debrief["round"]["students"][0]["name"] == "Zhou"
    # Cached: the second request returns the stored map without searching again.
    assert client.get(f"/api/session/{sid}/debrief?round=1").json()["map"] == grid
    assert client.get(f"/api/session/{sid}/debrief?round=3").status_code == 404


def test_pages_and_the_served_chart_library(classroom):
    client, _ = classroom
    sid = _new_session(client)
    for path in ("/", "/teacher", f"/session/{sid}", f"/session/{sid}/results", f"/session/{sid}/debrief"):
        response = client.get(path)
        assert response.status_code == 200 and "<!doctype html>" in response.text.lower(), path
    plotly = client.get("/static/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
    qr = client.get(f"/api/session/{sid}/qr.svg")
    assert qr.status_code == 200 and qr.text.lstrip().startswith("<?xml") and "<svg" in qr.text

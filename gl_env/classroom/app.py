"""The classroom's web application (Starlette): pages, the JSON API and the live websocket.

Pages: ``/`` (students: pick a session), ``/teacher`` (create sessions, open and close rounds,
export CSV), ``/session/<id>`` (a student's village), ``/session/<id>/results`` (the projector)
and ``/session/<id>/debrief``. The JSON API under ``/api`` is what the pages (and the bot tests)
use; ``/ws/session/<id>`` pushes the class's results (``?view=results``) or the round's status
(``?view=status``) whenever they change. Every refusal is a JSON ``{"error": message}`` with a
4xx status and changes nothing.

Teacher requests carry the teacher key (header ``X-Teacher-Key`` or ``?key=``; printed by
``python -m gl_env.classroom``); a student's requests carry the token they got when joining
(header ``X-Player-Token``).
"""

from __future__ import annotations

import asyncio
import html
import io
import math
import numbers
import secrets
from collections import defaultdict
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Any

import anyio
import segno
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from gl_env.classroom.results import best_response_map, class_results, export_csv, round_results
from gl_env.classroom.store import Refused, Store
from gl_env.classroom.village import Village
from gl_env.core.params import PARAM_FIELDS, param_spec
from gl_env.scenarios import SCENARIOS, make_params

STATIC = Path(str(resources.files("gl_env.classroom") / "static"))
# The institution's rules on the teacher's form, first; any other Params field can be set too.
INSTITUTION_FIELDS: tuple[str, ...] = (
    "audit_probability",
    "growth_credit",
    "honesty_protection",
    "death_accountability",
    "over_report_penalty",
    "decline_penalty",
    "quota_fixed_share",
    "fixed_quota_kg_per_person",
    "procurement_rate",
    "planned_growth",
    "ratchet",
)
# The play mode's horizon: 1 to 5 years.
MAX_YEARS = 5
MAX_NICKNAME = 24
# Live pages are updated at most this often (s): a class's burst of moves becomes one update.
PUSH_INTERVAL_S = 0.5


def _plotly_js() -> Path:
    """plotly.js as the ``plotly`` package ships it (served from here: no CDN)."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


class Hub:
    """Who watches each session live: one queue per websocket, told what changed, and a version number
    per session that changes with it (so that every watcher shares one computation of the results)."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[str]]] = defaultdict(set)
        self.version: dict[str, int] = defaultdict(int)

    def subscribe(self, session_id: str) -> asyncio.Queue[str]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._queues[session_id].add(queue)
        return queue

    def unsubscribe(self, session_id: str, queue: asyncio.Queue[str]) -> None:
        self._queues[session_id].discard(queue)

    def notify(self, session_id: str, kind: str) -> None:
        """``kind``: ``"results"`` (a move or a join) or ``"status"`` (a round opened or closed)."""
        self.version[session_id] += 1
        for queue in self._queues[session_id]:
            queue.put_nowait(kind)


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as None (JSON has no NaN), through dicts and lists."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _json(value: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(_finite(value), status_code=status)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


Handler = Callable[[Request], Awaitable[Response]]


def _api(handler: Handler) -> Handler:
    """JSON errors for refusals and bad values (``ValueError``/``TypeError`` carry the library's message)."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except Refused as refusal:
            return _error(refusal.status, refusal.message)
        except (ValueError, TypeError) as error:
            return _error(422, str(error))

    return wrapped


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise Refused(400, "The request body must be a JSON object.") from None
    if not isinstance(body, dict):
        raise Refused(400, "The request body must be a JSON object.")
    return body


def _number_or_text(value: Any) -> Any:
    """A form's text as a number where it is one (an integer if written as one: years are integers);
    anything else is left for Params to name and refuse."""
    if isinstance(value, str):
        for kind in (int, float):
            try:
                return kind(value)
            except ValueError:
                pass
        return value.strip()
    return value


def not_found_page(session_id: str) -> HTMLResponse:
    sid = html.escape(session_id)
    return HTMLResponse(
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>No such session</title>
<link rel="stylesheet" href="/static/classroom.css"></head><body><main>
<h1>No such session</h1><p>There is no classroom session <code>{sid}</code> on this server.
Check the link (or the code on the projector), or ask your teacher.</p>
<p><a href="/">See the open sessions</a></p></main></body></html>""",
        status_code=404,
    )


def create_app(db_path: str | Path, public_url: str | None = None) -> Starlette:
    """The classroom app on the database ``db_path`` (created if new). ``public_url`` is the address
    students reach the server by (for the join links and QR codes; default: the request's own)."""
    store = Store(db_path)
    hub = Hub()
    villages: dict[tuple[int, int], Village] = {}
    # The latest results of each session, with the hub's version they were computed at.
    computed: dict[str, tuple[int, dict[str, Any]]] = {}

    def latest_results(session_id: str) -> dict[str, Any]:
        version = hub.version[session_id]
        if session_id not in computed or computed[session_id][0] != version:
            computed[session_id] = (version, _finite(class_results(store, session_id)))
        return computed[session_id][1]

    def base_url(request: Request) -> str:
        return (public_url or str(request.base_url)).rstrip("/")

    def teacher(request: Request) -> None:
        key = request.headers.get("x-teacher-key") or request.query_params.get("key") or ""
        if not secrets.compare_digest(key.encode(), store.teacher_key.encode()):
            raise Refused(403, "This needs the teacher key (printed by python -m gl_env.classroom when it starts).")

    def open_round(session_id: str) -> dict[str, Any] | None:
        return next((r for r in store.rounds(session_id) if r["open"]), None)

    def village(session: dict[str, Any], round_row: dict[str, Any], player: dict[str, Any]) -> Village:
        """The student's village in the round, from memory, or rebuilt from the stored moves."""
        key = (player["id"], round_row["number"])
        if key not in villages:
            moves = [m["decisions"] for m in store.moves(player["id"], round_row["number"])]
            villages[key] = Village(
                round_row["scenario"], round_row["overrides"], player["seed"], session["num_years"], moves
            )
        return villages[key]

    def player_of(request: Request, session_id: str) -> dict[str, Any]:
        token = request.headers.get("x-player-token") or request.query_params.get("token") or ""
        return store.player(session_id, token)

    # --- pages -------------------------------------------------------------------------------------
    def page(name: str) -> Callable[[Request], Awaitable[Response]]:
        async def show(request: Request) -> Response:
            session_id = request.path_params.get("session_id")
            if session_id is not None:
                try:
                    store.session(session_id)
                except Refused:
                    return not_found_page(session_id)
            return FileResponse(STATIC / name, media_type="text/html")

        return show

    async def plotly_js(request: Request) -> Response:
        return FileResponse(_plotly_js(), media_type="text/javascript")

    # --- teacher ------------------------------------------------------------------------------------
    @_api
    async def scenarios(request: Request) -> Response:
        specs = []
        for f in PARAM_FIELDS:
            spec = param_spec(f.name)
            if spec.kind in ("float", "int") and f.name not in ("num_years", "start_year"):
                specs.append(
                    {"name": f.name, "group": spec.group, "low": spec.low, "high": spec.high, "unit": spec.unit,
                     "doc": spec.doc, "featured": f.name in INSTITUTION_FIELDS}
                )  # fmt: skip
        specs.sort(key=lambda s: INSTITUTION_FIELDS.index(s["name"]) if s["featured"] else len(INSTITUTION_FIELDS))
        defaults = {}
        for name in SCENARIOS:
            params = make_params(name)
            defaults[name] = {
                s["name"]: (v if isinstance(v := getattr(params, s["name"]), numbers.Real) else "varies by season")
                for s in specs
            }
        return _json(
            {
                "scenarios": [{"name": s.name, "description": s.description} for s in SCENARIOS.values()],
                "fields": specs,
                "defaults": defaults,
                "max_years": MAX_YEARS,
            }
        )

    @_api
    async def sessions(request: Request) -> Response:
        if request.method == "POST":
            teacher(request)
            body = await _body(request)
            title = str(body.get("title") or "Class").strip()[:80]
            num_years, seed_base = body.get("num_years", 3), body.get("seed_base", 0)
            if isinstance(num_years, bool) or not isinstance(num_years, int) or not 1 <= num_years <= MAX_YEARS:
                raise ValueError(f"num_years={num_years!r} is out of range; allowed 1 to {MAX_YEARS} (years)")
            if isinstance(seed_base, bool) or not isinstance(seed_base, int) or not 0 <= seed_base < 2**62:
                raise ValueError(f"seed_base={seed_base!r} must be an integer from 0 to 2**62")
            session_id = store.create_session(title, num_years, seed_base)
            return _json({"id": session_id, "join_url": f"{base_url(request)}/session/{session_id}"}, 201)
        listed = []
        for s in store.sessions():
            current = open_round(s["id"])
            listed.append({**s, "open_round": current["number"] if current else None})
        return _json({"sessions": listed})

    @_api
    async def session_info(request: Request) -> Response:
        session_id = request.path_params["session_id"]
        session = store.session(session_id)
        return _json(
            {
                **session,
                "join_url": f"{base_url(request)}/session/{session_id}",
                "rounds": store.rounds(session_id),
                "players": [p["nickname"] for p in store.players(session_id)],
            }
        )

    @_api
    async def open_next_round(request: Request) -> Response:
        teacher(request)
        session_id = request.path_params["session_id"]
        session = store.session(session_id)
        body = await _body(request)
        scenario = body.get("scenario", "historical-1958")
        overrides = body.get("overrides", {})
        if not isinstance(overrides, dict):
            raise ValueError("overrides must map parameter names to values")
        overrides = {str(k): _number_or_text(v) for k, v in overrides.items()}
        for fixed in ("num_years", "start_year"):
            if fixed in overrides:
                raise ValueError(f"{fixed} is set for the whole session, not per round")
        # The same validation, and the same messages, as gym.make(..., scenario=..., **overrides).
        make_params(scenario, num_years=session["num_years"], **overrides)
        number = store.open_round(session_id, scenario, overrides)
        hub.notify(session_id, "status")
        return _json({"round": number}, 201)

    @_api
    async def close_current_round(request: Request) -> Response:
        teacher(request)
        session_id = request.path_params["session_id"]
        store.session(session_id)
        number = store.close_round(session_id)
        hub.notify(session_id, "status")
        return _json({"closed": number})

    @_api
    async def export(request: Request) -> Response:
        teacher(request)
        session_id = request.path_params["session_id"]
        text = export_csv(store, session_id)
        disposition = f'attachment; filename="gl_env-classroom-{session_id}.csv"'
        return Response(text, media_type="text/csv", headers={"Content-Disposition": disposition})

    async def qr_svg(request: Request) -> Response:
        session_id = request.path_params["session_id"]
        try:
            store.session(session_id)
        except Refused as refusal:
            return _error(404, refusal.message)
        out = io.BytesIO()
        segno.make(f"{base_url(request)}/session/{session_id}", error="m").save(out, kind="svg", scale=6, border=2)
        return Response(out.getvalue(), media_type="image/svg+xml")

    # --- students -----------------------------------------------------------------------------------
    @_api
    async def join(request: Request) -> Response:
        session_id = request.path_params["session_id"]
        store.session(session_id)
        body = await _body(request)
        nickname = body.get("nickname")
        if not isinstance(nickname, str) or not nickname.strip():
            raise ValueError("Please choose a nickname (1 to 24 letters, digits or spaces).")
        nickname = " ".join(nickname.split())
        if len(nickname) > MAX_NICKNAME or not nickname.isprintable():
            raise ValueError(f"The nickname {nickname[:40]!r} is too long or has odd characters; use 1 to 24.")
        player = store.join(session_id, nickname)
        hub.notify(session_id, "results")
        return _json({"token": player["token"], "nickname": player["nickname"], "seed": player["seed"]}, 201)

    def me_view(session: dict[str, Any], player: dict[str, Any]) -> dict[str, Any]:
        rounds = store.rounds(session["id"])
        current = next((r for r in rounds if r["open"]), None)
        view: dict[str, Any] = {
            "nickname": player["nickname"],
            "session": session,
            "round": current,
            "rounds": len(rounds),
        }
        if current is not None:
            view["village"] = village(session, current, player).view()
        elif rounds:
            last = rounds[-1]
            mine = [s for s in round_results(store, session, last)["students"] if s["name"] == player["nickname"]]
            view["last_round"] = {"number": last["number"], "you": mine[0] if mine else None}
        return view

    @_api
    async def me(request: Request) -> Response:
        session_id = request.path_params["session_id"]
        session = store.session(session_id)
        return _json(me_view(session, player_of(request, session_id)))

    def playing(request: Request, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        session_id = request.path_params["session_id"]
        session = store.session(session_id)
        player = player_of(request, session_id)
        current = open_round(session_id)
        asked = body.pop("round", None)
        if current is None or (asked is not None and asked != current["number"]):
            closed = f"Round {asked} is closed" if asked is not None else "No round is open"
            raise Refused(409, f"{closed}; wait for your teacher to open the next one.")
        return session, player, current

    @_api
    async def preview(request: Request) -> Response:
        body = await _body(request)
        session, player, current = playing(request, body)
        body.pop("t", None)
        return _json(village(session, current, player).preview(body))

    @_api
    async def move(request: Request) -> Response:
        body = await _body(request)
        session, player, current = playing(request, body)
        game = village(session, current, player)
        decisions = game.decisions(body)
        t = game.t
        try:
            info = game.play(decisions)
            store.add_move(player, current["number"], t, decisions, info, game.start_population)
        except BaseException:
            # The village moved on in memory but not in the database: rebuild it from the database.
            villages.pop((player["id"], current["number"]), None)
            raise
        hub.notify(session["id"], "results")
        return _json({"played": t, **me_view(session, player)})

    # --- the class ----------------------------------------------------------------------------------
    @_api
    async def results(request: Request) -> Response:
        session_id = request.path_params["session_id"]
        store.session(session_id)
        return _json(latest_results(session_id))

    @_api
    async def debrief(request: Request) -> Response:
        session_id = request.path_params["session_id"]
        session = store.session(session_id)
        rounds = store.rounds(session_id)
        if not rounds:
            raise Refused(409, "No round has been played yet.")
        wanted = request.query_params.get("round", str(rounds[-1]["number"]))
        chosen = next((r for r in rounds if str(r["number"]) == wanted), None)
        if chosen is None:
            raise Refused(404, f"round={wanted!r}: this session has rounds 1 to {len(rounds)}")
        computed = await anyio.to_thread.run_sync(best_response_map, store, session, chosen)
        return _json({"map": computed, "round": round_results(store, session, chosen)})

    async def live(websocket: WebSocket) -> None:
        session_id = websocket.path_params["session_id"]
        view = websocket.query_params.get("view", "results")
        try:
            store.session(session_id)
        except Refused:
            await websocket.close(code=4404)
            return
        await websocket.accept()
        queue = hub.subscribe(session_id)

        async def send(kinds: set[str]) -> None:
            if view == "results":
                await websocket.send_json({"kind": "results", "results": latest_results(session_id)})
            elif "status" in kinds:
                await websocket.send_json({"kind": "status", "rounds": store.rounds(session_id)})

        async def push() -> None:
            await send({"results", "status"})
            while True:
                kinds = {await queue.get()}
                await asyncio.sleep(PUSH_INTERVAL_S)
                while not queue.empty():
                    kinds.add(queue.get_nowait())
                await send(kinds)

        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(push)
                # Read until the client leaves (it sends nothing else), then stop pushing.
                while True:
                    await websocket.receive_text()
        except* WebSocketDisconnect:
            pass
        finally:
            hub.unsubscribe(session_id, queue)

    routes = [
        Route("/", page("index.html")),
        Route("/teacher", page("teacher.html")),
        Route("/session/{session_id}", page("student.html")),
        Route("/session/{session_id}/results", page("results.html")),
        Route("/session/{session_id}/debrief", page("debrief.html")),
        Route("/static/plotly.min.js", plotly_js),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Mount("/static", StaticFiles(directory=STATIC)),
        Route("/api/scenarios", scenarios),
        Route("/api/sessions", sessions, methods=["GET", "POST"]),
        Route("/api/session/{session_id}", session_info),
        Route("/api/session/{session_id}/rounds", open_next_round, methods=["POST"]),
        Route("/api/session/{session_id}/rounds/close", close_current_round, methods=["POST"]),
        Route("/api/session/{session_id}/export.csv", export),
        Route("/api/session/{session_id}/qr.svg", qr_svg),
        Route("/api/session/{session_id}/join", join, methods=["POST"]),
        Route("/api/session/{session_id}/me", me),
        Route("/api/session/{session_id}/preview", preview, methods=["POST"]),
        Route("/api/session/{session_id}/move", move, methods=["POST"]),
        Route("/api/session/{session_id}/results", results),
        Route("/api/session/{session_id}/debrief", debrief),
        WebSocketRoute("/ws/session/{session_id}", live),
    ]
    app = Starlette(routes=routes)
    app.state.store = store
    return app

"""The classroom in a real browser: headless Chromium (Debian's ``chromium``, driven by Playwright
through its executable; no browser is downloaded) plays a student's seasons on a phone-sized screen
and shows the teacher's, the projector's and the debrief's pages, charts drawn.

Screenshots go to ``test-artifacts/classroom/`` (ignored by git; ``GL_ENV_ARTIFACTS`` moves it).
Without chromium the test skips, saying why; with ``GL_ENV_REQUIRE_BROWSER=1`` (set by ``.ci/run``)
it fails instead, so that CI cannot skip it silently.
"""

import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the classroom extra is not installed: pip install 'gl_env[classroom]'")
pytest.importorskip("httpx", reason="httpx (the dev extra) drives the server")

import httpx

from tests.classroom_helpers import ROOT, Server

CHROMIUM = Path(os.environ.get("GL_ENV_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("GL_ENV_ARTIFACTS", ROOT / "test-artifacts")) / "classroom"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The bots' autumn reports (x truth); they farm and eat the suggested ration.
BOT_REPORTS = (1.0, 1.2, 1.5, 1.8, 2.2, 2.6, 3.0)
REFORM = {"growth_credit": 0, "audit_probability": 0.5, "honesty_protection": 1}
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1400, "height": 1000}
TIMEOUT_MS = 30_000


def _browser_or_skip():
    missing = None
    if not CHROMIUM.exists():
        missing = f"chromium is not installed at {CHROMIUM} (apt-get install chromium; .ci/run installs it)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "playwright is not installed (the dev extra: pip install 'gl_env[dev]')"
    if missing and os.environ.get("GL_ENV_REQUIRE_BROWSER") == "1":
        pytest.fail(f"GL_ENV_REQUIRE_BROWSER=1 but {missing}")
    if missing:
        pytest.skip(missing)


def _bots_play(client, sid, tokens):
    for token, report in zip(tokens, BOT_REPORTS, strict=True):
        headers = {"X-Player-Token": token}
        for _ in range(8):
            village = client.get(f"/api/session/{sid}/me", headers=headers).json()["village"]
            if village["ended"]:
                break
            move = {"t": village["t"], **({"report_ratio": report} if village["season"] == "autumn" else {})}
            assert client.post(f"/api/session/{sid}/move", json=move, headers=headers).status_code == 200


def _rendered(page, selector):
    """How many data marks plotly drew in the chart at ``selector`` (points, bars, boxes, heatmap images)."""
    page.wait_for_selector(f"{selector} .main-svg", timeout=TIMEOUT_MS)
    marks = ".point, .scatterlayer path.js-line, .hm image, .heatmaplayer image, .boxlayer path"
    return page.locator(selector).locator(marks).count()


def test_a_student_plays_and_the_class_results_are_charted(tmp_path):
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    server = Server(tmp_path / "classroom.sqlite3")
    try:
        teacher = httpx.Client(base_url=server.url, timeout=30, headers={"X-Teacher-Key": server.teacher_key})
        sid = teacher.post("/api/sessions", json={"title": "Browser test", "num_years": 2}).json()["id"]
        teacher.post(f"/api/session/{sid}/rounds", json={"scenario": "historical-1958"})
        # Classmates played by bots, so that the charts have a class to show.
        bots = [
            teacher.post(f"/api/session/{sid}/join", json={"nickname": f"bot {i}"}).json()["token"]
            for i in range(len(BOT_REPORTS))
        ]
        _bots_play(teacher, sid, bots)

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch_persistent_context(
                str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=FLAGS,
                viewport=PHONE,
            )  # fmt: skip
            browser.set_default_timeout(TIMEOUT_MS)
            student = browser.new_page()
            errors = []
            student.on("pageerror", lambda error: errors.append(str(error)))
            student.goto(f"{server.url}/session/{sid}")
            student.fill("#nickname", "Mei")
            student.click("#join button")
            student.wait_for_selector("#season:not(.hidden)")
            assert "Spring 1958 (season 1 of 8)" in student.inner_text("#briefing")
            student.wait_for_function("document.querySelector('#hunger').textContent.startsWith('At ')")
            student.screenshot(path=str(ARTIFACTS / "student-spring.png"), full_page=True)
            # Phone-sized: nothing wider than the screen.
            assert student.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            for season in range(3):  # spring and summer with the suggestions; then the autumn harvest
                if season == 2:
                    student.wait_for_selector("#report-table tr[data-ratio]")
                    assert student.locator("#report-table tr[data-ratio]").count() == 5
                    student.locator('#report-table tr[data-ratio="1.6"]').click()
                    assert student.input_value("#report_ratio") == "1.6"
                    student.screenshot(path=str(ARTIFACTS / "student-autumn.png"), full_page=True)
                before = student.inner_text("#briefing")
                student.click("#play")
                student.wait_for_function("text => document.querySelector('#briefing').innerText !== text", arg=before)
            report = student.inner_text("#last-report")
            assert "Autumn (harvest and procurement) 1958" in report and "(x1.60)" in report
            student.screenshot(path=str(ARTIFACTS / "student-report.png"), full_page=True)

            # The teacher changes the rules; the class plays again.
            teacher.post(f"/api/session/{sid}/rounds/close")
            teacher.post(f"/api/session/{sid}/rounds", json={"scenario": "historical-1958", "overrides": REFORM})
            _bots_play(teacher, sid, bots)

            projector = browser.new_page()
            projector.set_viewport_size(PROJECTOR)
            projector.on("pageerror", lambda error: errors.append(str(error)))
            projector.goto(f"{server.url}/session/{sid}/results")
            projector.wait_for_selector("#tabs button.on")
            assert "Round 2" in projector.inner_text("#tabs button.on")
            projector.click('#tabs button[data-round="1"]')
            projector.wait_for_function("document.querySelector('#round-info').textContent.startsWith('Round 1')")
            for chart in ("#chart-reports", "#chart-standing", "#chart-distribution", "#chart-deaths"):
                assert _rendered(projector, chart) > 0, chart
            assert "Mei" in projector.inner_text("#table")
            projector.screenshot(path=str(ARTIFACTS / "results.png"), full_page=True)

            teacher_page = browser.new_page()
            teacher_page.set_viewport_size(PROJECTOR)
            teacher_page.goto(f"{server.url}/teacher?key={server.teacher_key}&session={sid}")
            teacher_page.wait_for_selector("#session:not(.hidden)")
            teacher_page.fill("#f-audit_probability", "2")
            teacher_page.click("#open")
            teacher_page.wait_for_selector("#error:not(.hidden)")
            assert "audit_probability=2 is out of range" in teacher_page.inner_text("#error")
            teacher_page.screenshot(path=str(ARTIFACTS / "teacher.png"), full_page=True)

            debrief = browser.new_page()
            debrief.set_viewport_size(PROJECTOR)
            debrief.on("pageerror", lambda error: errors.append(str(error)))
            debrief.goto(f"{server.url}/session/{sid}/debrief")
            for chart in ("#map-report", "#map-deaths", "#class-vs-best"):
                assert _rendered(debrief, chart) > 0, chart
            assert "computed careerist reports" in debrief.inner_text("#summary")
            debrief.screenshot(path=str(ARTIFACTS / "debrief.png"), full_page=True)

            missing = browser.new_page()
            assert missing.goto(f"{server.url}/session/nosuch").status == 404
            assert "No such session" in missing.inner_text("h1")
            browser.close()
        teacher.close()
        assert errors == []
    finally:
        server.stop()
    assert sorted(p.name for p in ARTIFACTS.glob("*.png")) == [
        "debrief.png", "results.png", "student-autumn.png", "student-report.png", "student-spring.png", "teacher.png",
    ]  # fmt: skip

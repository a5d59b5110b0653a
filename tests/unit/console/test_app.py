"""The console's web app through Starlette's test client: what is open without a session,
sign-in with the staff accounts' lockout, cookie flags, CSRF, session expiry, the kiosks'
token check on the link, and the audit lines of sign-ins and actions."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from kiosk.audit import AuditTrail
from kiosk.console.accounts import StaffLibrarians
from kiosk.console.app import COOKIE, Console, Sessions, create_app
from kiosk.console.tls import LinkTokens
from kiosk.staff.accounts import StaffAccounts

TOKEN = "t0ken-for-the-tests-0123456789"
BOUND = "bound-token-for-kiosk-b-0123456789"
PIN = "246810"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def snapshot(kiosk_id: str = "kiosk-a", **changes: Any) -> dict[str, Any]:
    frame: dict[str, Any] = {
        "type": "snapshot", "kiosk_id": kiosk_id, "name": "Kiosk A", "place": "Ørestad",
        "state": "help", "underneath": "refused", "state_age_s": 12.0,
        "help": {"age_s": 12.0, "acknowledged_by": None, "state": "refused"},
        "devices": {"scanner": {"ok": True, "code": ""},
                    "camera": {"ok": False, "code": "device_not_found"}},
        "in_service": True, "out_of_service_reason": "",
        "applications": {"pending": 2, "oldest_age_s": 3600},
        "last_refusal": {"reason": "expired_too_long", "age_s": 20.0}, "staff": None,
    }
    frame.update(changes)
    return frame


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[TestClient, Console, AuditTrail, Clock]]:
    accounts = StaffAccounts(tmp_path / "staff.sqlite3", max_attempts=5, lockout_s=30,
                             hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    accounts.add("anne", PIN)
    trail = AuditTrail(tmp_path / "log", "console")
    clock = Clock()
    sessions = Sessions(idle_s=600, max_age_s=3600, clock=clock)
    tokens = LinkTokens(((None, TOKEN), ("kiosk-b", BOUND)), tmp_path / "tokens")
    console = Console(StaffLibrarians(accounts), tokens, trail, language="en",
                      sessions=sessions)
    with TestClient(create_app(console), base_url="https://testserver") as client:
        yield client, console, trail, clock


def sign_in(client: TestClient, pin: str = PIN) -> str:
    """Signs in; returns the page's CSRF token."""
    answer = client.post("/login", data={"name": "anne", "secret": pin},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    page = client.get("/")
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match
    return match.group(1)


def events(trail: AuditTrail, name: str) -> list[dict[str, Any]]:
    return [line for line in trail.lines() if line["event"] == name]


def test_without_a_session_only_the_login_page_and_its_assets_open(setup: Any) -> None:
    client, *_ = setup
    assert client.get("/login").status_code == 200
    assert client.get("/static/console.css").status_code == 200
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"
    assert client.get("/api/kiosks").status_code == 401
    assert client.get("/events").status_code == 401
    assert client.post("/api/kiosks/kiosk-a/acknowledge", json={}).status_code == 401
    logout = client.post("/logout", follow_redirects=False)
    assert logout.status_code == 303 and logout.headers["location"] == "/login"


def test_pages_carry_security_headers_and_load_nothing_from_outside(setup: Any) -> None:
    client, *_ = setup
    page = client.get("/login")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    sign_in(client)
    index = client.get("/").text
    for text in (page.text, index, client.get("/static/console.js").text,
                 client.get("/static/console.css").text):
        assert "http://" not in text and "https://" not in text and "@import" not in text


def test_sign_in_sets_a_host_only_secure_httponly_strict_cookie(setup: Any) -> None:
    client, _console, trail, _clock = setup
    answer = client.post("/login", data={"name": "anne", "secret": PIN},
                         follow_redirects=False)
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=strict", "path=/"} <= flags
    assert not any(flag.startswith("domain") for flag in flags)
    assert client.get("/api/kiosks").status_code == 200
    assert events(trail, "console_login")[-1]["actor"] == "console:anne"


def test_wrong_pins_lock_sign_in_and_are_audited_without_the_name(setup: Any) -> None:
    client, _console, trail, _clock = setup
    for _ in range(4):
        answer = client.post("/login", data={"name": "anne", "secret": "000000"})
        assert answer.status_code == 401
        assert "do not match" in answer.text
    locked = client.post("/login", data={"name": "anne", "secret": "000000"})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    # While locked even the right PIN does not sign in.
    right = client.post("/login", data={"name": "anne", "secret": PIN},
                        follow_redirects=False)
    assert right.status_code == 429
    assert client.get("/api/kiosks").status_code == 401
    failed = events(trail, "console_login_failed")
    assert [line["result"] for line in failed] == ["refused"] * 4 + ["locked"] * 2
    assert all(line["actor"] is None for line in failed)
    assert "000000" not in trail.path.read_text() and PIN not in trail.path.read_text()


def test_actions_need_the_csrf_token_and_a_same_origin_request(setup: Any) -> None:
    client, _console, trail, _clock = setup
    token = sign_in(client)
    url = "/api/kiosks/kiosk-a/acknowledge"
    assert client.post(url, json={}).status_code == 403
    assert client.post(url, json={}, headers={"X-CSRF-Token": "x" + token}).status_code == 403
    cross = client.post(url, json={}, headers={"X-CSRF-Token": token,
                                               "Origin": "https://evil.example"})
    assert cross.status_code == 403
    # The token is right: the kiosk is not known, so 404 (not 403).
    assert client.post(url, json={}, headers={"X-CSRF-Token": token}).status_code == 404
    assert client.post("/logout", data={"csrf": "wrong"}).status_code == 403
    assert [line["result"] for line in events(trail, "console_action")] == ["csrf_refused"] * 3
    logout = client.post("/logout", data={"csrf": token}, follow_redirects=False)
    assert logout.status_code == 303
    assert client.get("/api/kiosks").status_code == 401


def test_a_session_ends_after_the_idle_time(setup: Any) -> None:
    client, _console, _trail, clock = setup
    sign_in(client)
    clock.now += 599
    assert client.get("/api/kiosks").status_code == 200
    clock.now += 601
    assert client.get("/api/kiosks").status_code == 401
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_link_refuses_a_missing_or_wrong_token(setup: Any) -> None:
    client, console, trail, _clock = setup
    for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"},
                    {"Authorization": f"Basic {TOKEN}"}):
        with pytest.raises(WebSocketDisconnect) as refused, \
                client.websocket_connect("/link", headers=headers) as ws:
            ws.receive_text()
        assert refused.value.code == 1008
    # A token bound to kiosk-b cannot speak for kiosk-a.
    with client.websocket_connect("/link", headers={"Authorization": f"Bearer {BOUND}"}) as ws:
        ws.send_text(json.dumps(snapshot("kiosk-a")))
        with pytest.raises(WebSocketDisconnect):
            ws.receive_text()
    assert console.kiosks == {}
    results = [line["result"] for line in events(trail, "console_link")]
    assert results == ["token_refused"] * 3 + ["wrong_kiosk"]


def test_a_kiosk_appears_with_codes_texts_and_times_and_actions_reach_it(setup: Any) -> None:
    client, console, trail, _clock = setup
    token = sign_in(client)
    with client.websocket_connect("/link", headers={"Authorization": f"Bearer {TOKEN}"}) as ws:
        # A field the console does not know (a kiosk with a bug) never reaches the page.
        ws.send_text(json.dumps(snapshot(surname="HANSEN")))
        listed = wait_for_kiosk(client)
        assert "HANSEN" not in json.dumps(listed)
        assert listed["connected"] and listed["state"] == "help"
        assert listed["help"]["asked_at"] == "Passport refused"
        assert listed["refusal"]["code"] == "expired_too_long"
        assert "expired a long time ago" in listed["refusal"]["explanation"]
        assert listed["refusal"]["advice"]
        assert listed["applications"]["pending"] == 2
        assert {d["id"]: d["ok"] for d in listed["devices"]} == {"scanner": True,
                                                                "camera": False}
        heard: list[dict[str, Any]] = []

        def kiosk_side() -> None:
            for _ in range(2):
                frame = json.loads(ws.receive_text())
                heard.append(frame)
                ws.send_text(json.dumps({"type": "result", "id": frame["id"], "ok": True,
                                         "result": "ok"}))

        answering = threading.Thread(target=kiosk_side, daemon=True)
        answering.start()
        headers = {"X-CSRF-Token": token}
        done = client.post("/api/kiosks/kiosk-a/acknowledge", json={}, headers=headers)
        assert done.json() == {"ok": True, "result": "ok"}
        sent = client.post("/api/kiosks/kiosk-a/message",
                           json={"text": "Two minutes,\nI am on my way"}, headers=headers)
        assert sent.status_code == 200
        answering.join(timeout=10)
        bad = client.post("/api/kiosks/kiosk-a/out-of-service", json={"reason": "Nope!"},
                          headers=headers)
        assert bad.status_code == 400
    assert [(f["action"], f["actor"]) for f in heard] == [("acknowledge_help", "console:anne"),
                                                          ("message", "console:anne")]
    assert heard[1]["text"] == "Two minutes, I am on my way"
    assert wait_for_kiosk(client, connected=False)["connected"] is False
    actions = events(trail, "console_action")
    assert [(a["action"], a["result"], a["kiosk"], a["actor"]) for a in actions] == [
        ("acknowledge_help", "ok", "kiosk-a", "console:anne"),
        ("message", "ok", "kiosk-a", "console:anne")]
    assert "on my way" not in trail.path.read_text()
    assert [line["result"] for line in events(trail, "console_link")] == ["connected",
                                                                          "disconnected"]
    assert console.kiosks["kiosk-a"].connection is None


def test_an_action_for_a_kiosk_that_left_says_so(setup: Any) -> None:
    client, _console, trail, _clock = setup
    token = sign_in(client)
    with client.websocket_connect("/link", headers={"Authorization": f"Bearer {TOKEN}"}) as ws:
        ws.send_text(json.dumps(snapshot()))
        wait_for_kiosk(client)
    wait_for_kiosk(client, connected=False)
    gone = client.post("/api/kiosks/kiosk-a/back-in-service", json={},
                       headers={"X-CSRF-Token": token})
    assert gone.status_code == 409 and gone.json()["result"] == "kiosk_offline"
    assert events(trail, "console_action")[-1]["result"] == "kiosk_offline"


def wait_for_kiosk(client: TestClient, connected: bool = True) -> dict[str, Any]:
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        kiosks = client.get("/api/kiosks").json()["kiosks"]
        if kiosks and kiosks[0]["connected"] is connected:
            return dict(kiosks[0])
        time.sleep(0.02)
    raise AssertionError(f"no kiosk with connected={connected}")

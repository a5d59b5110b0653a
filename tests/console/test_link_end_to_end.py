"""The link end to end: a real kiosk on the simulator, a real console over HTTPS on a free
port, a librarian's HTTP client. Actions reach the kiosk through its staff path; nothing the
citizen brought reaches the console; the kiosk works with the console down and finds it when
it comes up; a wrong token is refused and the kiosk carries on."""

from __future__ import annotations

import json
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.composition import Kiosk, build_kiosk
from kiosk.config import KioskConfig
from kiosk.console.protocol import SNAPSHOT_FIELDS
from kiosk.console.server import RunningConsole, start_console
from kiosk.service.bus import Subscription
from kiosk.service.messages import HelpAcknowledged, Message, StaffNotice
from kiosk.workflow import State
from simulator.scenario import load_scenario
from tests.console.conftest import NAME, PIN, Librarians, linked
from tests.helpers.kiosk import wait_for_state

pytestmark = pytest.mark.slow

#: What the citizen of ``expired-document`` brings (surname, given name, passport number).
CITIZEN = ("JENSEN", "Jensen", "LARS", "Lars", "195522340")


@contextmanager
def kiosk_on(config: KioskConfig, scenario: str = "expired-document") -> Iterator[Kiosk]:
    kiosk = build_kiosk(config, load_scenario(scenario))
    try:
        yield kiosk
    finally:
        kiosk.close()


@contextmanager
def librarian(console: RunningConsole) -> Iterator[tuple[httpx.Client, str]]:
    context = ssl.create_default_context(cafile=str(console.tls.ca))
    with httpx.Client(base_url=console.url, verify=context, timeout=10,
                      follow_redirects=True) as client:
        signed = client.post("/login", data={"name": NAME, "secret": PIN})
        assert signed.status_code == 200, signed.text  # followed to the page
        match = re.search(r'name="csrf-token" content="([^"]+)"', signed.text)
        assert match
        yield client, match.group(1)


def until(what: str, condition: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"waited {timeout:.0f} s for {what}")


def listed(client: httpx.Client, kiosk_id: str) -> dict[str, Any] | None:
    for kiosk in client.get("/api/kiosks").json()["kiosks"]:
        if kiosk["id"] == kiosk_id:
            return dict(kiosk)
    return None


def heard(subscription: Subscription, kind: type[Message]) -> list[Message]:
    found = []
    while (message := subscription.get(0.05)) is not None:
        if isinstance(message, kind):
            found.append(message)
    return found


def test_help_call_acknowledged_message_and_out_of_service_from_the_console(
        config: KioskConfig, console: RunningConsole) -> None:
    with kiosk_on(linked(config, console, "kiosk-e2e")) as kiosk, \
            librarian(console) as (client, csrf):
        service = kiosk.service
        news = service.bus.subscribe()
        until("the kiosk in the list", lambda: (listed(client, "kiosk-e2e") or {}).get(
            "connected"))
        service.press("start").result(timeout=5)
        wait_for_state(kiosk, State.REFUSED)
        service.press("staff").result(timeout=5)
        card = until("the help call", lambda: (k := listed(client, "kiosk-e2e")) and
                     k["help"] and k["refusal"] and k)
        assert card["help"]["acknowledged_by"] is None
        assert card["refusal"]["code"] == "expired_too_long"
        assert card["step"] == "Asking for help" and card["help"]["asked_at"] == "Passport refused"

        post = {"headers": {"X-CSRF-Token": csrf}}
        answer = client.post("/api/kiosks/kiosk-e2e/acknowledge", json={}, **post)
        assert answer.json() == {"ok": True, "result": "ok"}
        assert service.session.data.help_acknowledged_by == f"console:{NAME}"
        assert [m.actor for m in heard(news, HelpAcknowledged)] == [  # type: ignore[attr-defined]
            f"console:{NAME}"]
        until("the acknowledgement in the list", lambda: listed(client, "kiosk-e2e")["help"][
            "acknowledged_by"] == f"console:{NAME}")

        answer = client.post("/api/kiosks/kiosk-e2e/message",
                             json={"text": "Anne is coming from the desk"}, **post)
        assert answer.json()["ok"] is True
        notices = heard(news, StaffNotice)
        assert [(n.actor, n.text) for n in notices] == [  # type: ignore[attr-defined]
            (f"console:{NAME}", "Anne is coming from the desk")]

        answer = client.post("/api/kiosks/kiosk-e2e/out-of-service",
                             json={"reason": "maintenance"}, **post)
        assert answer.json()["ok"] is True
        assert service.state is State.OUT_OF_SERVICE
        card = until("out of service in the list",
                     lambda: (k := listed(client, "kiosk-e2e")) and not k["in_service"] and k)
        assert card["out_reason"] == "maintenance" and card["out_reason_label"] == "Maintenance"
        answer = client.post("/api/kiosks/kiosk-e2e/back-in-service", json={}, **post)
        assert answer.json()["ok"] is True
        assert service.state is State.WELCOME

        everything = json.dumps(client.get("/api/kiosks").json()) + json.dumps(
            console.console.kiosks["kiosk-e2e"].snapshot)
        assert not [word for word in CITIZEN if word in everything]
        assert set(console.console.kiosks["kiosk-e2e"].snapshot) == set(SNAPSHOT_FIELDS)
        news.close()
    until("the kiosk gone from the list", lambda: not console.console.kiosks[
        "kiosk-e2e"].connection)
    audit = [json.loads(line) for line in
             (config.logs.directory / "audit.jsonl").read_text().splitlines()]
    actions = [(a["action"], a["result"]) for a in audit if a["event"] == "console_action"]
    assert actions == [("acknowledge_help", "ok"), ("message", "ok"), ("out_of_service", "ok"),
                       ("back_in_service", "ok")]
    staff = [(a["actor"], a["action"]) for a in audit if a["event"] == "staff_action"]
    assert staff == [(f"console:{NAME}", "AcknowledgeHelp"),
                     (f"console:{NAME}", "TakeOutOfService"),
                     (f"console:{NAME}", "PutBackInService")]
    text = (config.logs.directory / "audit.jsonl").read_text()
    assert "coming from the desk" not in text
    assert not [word for word in CITIZEN if word in text]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_kiosk_works_without_its_console_and_finds_it_when_it_comes_up(
        config: KioskConfig, tmp_path: Path) -> None:
    port = free_port()
    # The console's certificate and token exist before it runs (as after its first start).
    first = start_console(config, "127.0.0.1:0", librarians=Librarians())
    first.close()
    kiosk_config = linked(config, first, "kiosk-alone", url=f"wss://127.0.0.1:{port}/link")
    with kiosk_on(kiosk_config) as kiosk:
        kiosk.service.press("start").result(timeout=5)
        wait_for_state(kiosk, State.REFUSED)
        console = start_console(config, f"127.0.0.1:{port}", librarians=Librarians())
        try:
            with librarian(console) as (client, _csrf):
                card = until("the kiosk to connect", lambda: listed(client, "kiosk-alone"),
                             timeout=60)
                assert card["connected"] and card["state"] == "refused"
        finally:
            console.close()


def test_a_wrong_token_is_refused_and_the_kiosk_carries_on(
        config: KioskConfig, console: RunningConsole, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.token"
    wrong.write_text("not-the-console-token-0123456789\n")
    with kiosk_on(linked(config, console, "kiosk-wrong", token_file=wrong)) as kiosk:
        trail = config.logs.directory / "audit.jsonl"
        until("the refusal in the audit trail",
              lambda: trail.exists() and "token_refused" in trail.read_text())
        kiosk.service.press("start").result(timeout=5)
        wait_for_state(kiosk, State.REFUSED)
        assert "kiosk-wrong" not in console.console.kiosks

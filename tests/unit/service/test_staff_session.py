"""Staff at the kiosk: staff buttons need a sign-in, the signed-in name is the actor, the staff
session ends when idle or with the citizen's session, and everything is audited (never a PIN
or a notice's text)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from drivers.unsupported import UnsupportedDevice
from kiosk.audit import AuditTrail
from kiosk.config import KioskConfig, SimulatorSettings, StaffSettings, TimeoutSettings
from kiosk.devices import Devices
from kiosk.service import messages as news
from kiosk.service.bus import Subscription
from kiosk.service.buttons import staff_buttons
from kiosk.service.kiosk import KioskService
from kiosk.staff.accounts import StaffAccounts
from kiosk.workflow import State

HANG_S = 120.0
PIN = "604817"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def build(tmp_path: Path, **staff: object) -> KioskService:
    devices = Devices(*(UnsupportedDevice(name, "not connected")
                        for name in ("scanner", "fingerprint", "camera", "signature")))
    settings = StaffSettings(accounts_file=tmp_path / "staff.sqlite3", **staff)
    config = KioskConfig(language="en", simulator=SimulatorSettings(enabled=False),
                         timeouts=TimeoutSettings(device_read_s=0.1), staff=settings)
    accounts = StaffAccounts.open(config, hasher=FAST)
    accounts.add("lib-anna", PIN)
    service = KioskService(config, devices, trail=AuditTrail(tmp_path / "log", "k-1"))
    service.use_staff_accounts(accounts)
    return service.start()


@pytest.fixture
def service(tmp_path: Path) -> Iterator[KioskService]:
    kiosk = build(tmp_path)
    yield kiosk
    kiosk.close()


def audit(service: KioskService) -> list[dict[str, object]]:
    assert service.trail is not None
    return [dict(line) for line in service.trail.lines()]


def until(heard: Subscription, kind: type[news.Message]) -> news.Message:
    while True:
        message = heard.get(HANG_S)
        if message is None:
            raise AssertionError(f"no {kind.__name__} for {HANG_S:.0f} s")
        if isinstance(message, kind):
            return message


def test_staff_buttons_without_a_sign_in_are_refused_and_audited(
        service: KioskService) -> None:
    heard = service.bus.subscribe()
    service.press("help").result(timeout=HANG_S)
    for button in staff_buttons(service.config.staff.override_reasons):
        assert service.press(button).result(timeout=HANG_S) is State.HELP
    assert service.session.data.help_acknowledged_by is None
    assert service.session.data.staff_actions == []
    refused = [m for m in iter(lambda: heard.get(0.2), None)
               if isinstance(m, news.StaffRefused)]
    assert len(refused) == len(staff_buttons(service.config.staff.override_reasons))
    lines = [line for line in audit(service) if line["event"] == "staff_refused"]
    assert {line["button"] for line in lines} >= {"out-of-service", "acknowledge-help",
                                                  "reason-amputated", "health-check"}
    assert all(line["actor"] is None and line["state"] == "help" for line in lines)
    assert not [m for m in iter(lambda: heard.get(0.2), None)
                if isinstance(m, news.StaffActionTaken | news.DeviceHealth)]


def test_with_a_sign_in_the_staff_name_is_the_actor(service: KioskService) -> None:
    heard = service.bus.subscribe()
    service.press("help").result(timeout=HANG_S)
    result = service.sign_in("lib-anna", PIN).result(timeout=HANG_S)
    assert result.ok and service.staff_signed_in == "lib-anna"
    assert until(heard, news.StaffSignedIn) == news.StaffSignedIn(kiosk_id="pasboks-dev",
                                                                  actor="lib-anna")
    service.press("acknowledge-help").result(timeout=HANG_S)
    assert service.session.data.help_acknowledged_by == "lib-anna"
    acknowledged = until(heard, news.HelpAcknowledged)
    assert isinstance(acknowledged, news.HelpAcknowledged) and acknowledged.actor == "lib-anna"
    service.press("out-of-service").result(timeout=HANG_S)
    assert service.state is State.OUT_OF_SERVICE
    assert service.staff_signed_in == "lib-anna"  # still needed to put it back
    service.press("back-in-service").result(timeout=HANG_S)
    assert service.state is State.WELCOME
    # The welcome screen is the next citizen's: the staff session ended with it.
    assert service.staff_signed_in is None
    signed_out = until(heard, news.StaffSignedOut)
    assert isinstance(signed_out, news.StaffSignedOut) and signed_out.reason == "session_ended"
    events = [(line["event"], line["actor"], line.get("action"), line.get("reason"))
              for line in audit(service) if str(line["event"]).startswith("staff_")]
    assert events == [
        ("staff_signed_in", "lib-anna", None, None),
        ("staff_action", "lib-anna", "AcknowledgeHelp", None),
        ("staff_action", "lib-anna", "TakeOutOfService", "staff"),
        ("staff_action", "lib-anna", "PutBackInService", None),
        ("staff_signed_out", "lib-anna", None, "session_ended"),
    ]


def test_a_failed_sign_in_says_the_same_for_an_unknown_name_and_locks(tmp_path: Path) -> None:
    service = build(tmp_path, max_attempts=3, lockout_s=600)
    try:
        heard = service.bus.subscribe()
        service.press("help").result(timeout=HANG_S)
        wrong = service.sign_in("lib-anna", "111111").result(timeout=HANG_S)
        unknown = service.sign_in("nobody", PIN).result(timeout=HANG_S)
        assert wrong.refused and unknown.refused
        failed = [until(heard, news.StaffSignInFailed) for _ in range(2)]
        assert failed[0] == failed[1] or {m.reason for m in failed  # type: ignore[attr-defined]
                                          } == {"refused"}
        locked = service.sign_in("lib-anna", "222222").result(timeout=HANG_S)
        assert locked.locked and locked.retry_after_s == pytest.approx(600, abs=5)
        # While locked, the right PIN does not sign in either.
        assert service.sign_in("lib-anna", PIN).result(timeout=HANG_S).locked
        assert service.staff_signed_in is None
        message = until(heard, news.StaffSignInFailed)
        assert isinstance(message, news.StaffSignInFailed) and message.reason == "locked"
        lines = [(line["event"], line["actor"], line.get("reason")) for line in audit(service)
                 if str(line["event"]).startswith("staff_")]
        assert lines[:3] == [("staff_sign_in_failed", "lib-anna", "wrong"),
                             ("staff_sign_in_failed", None, "unknown"),
                             ("staff_locked", None, None)]
        text = service.trail.path.read_text() if service.trail else ""
        assert PIN not in text and "111111" not in text and "nobody" not in text
    finally:
        service.close()


def test_the_staff_session_ends_when_idle(tmp_path: Path) -> None:
    service = build(tmp_path, idle_s=0.5)
    try:
        heard = service.bus.subscribe()
        service.press("help").result(timeout=HANG_S)
        assert service.sign_in("lib-anna", PIN).result(timeout=HANG_S).ok
        signed_out = until(heard, news.StaffSignedOut)
        assert isinstance(signed_out, news.StaffSignedOut) and signed_out.reason == "idle"
        assert service.press("out-of-service").result(timeout=HANG_S) is State.HELP
    finally:
        service.close()


def test_the_citizens_session_ending_signs_staff_out(service: KioskService) -> None:
    service.press("help").result(timeout=HANG_S)
    assert service.sign_in("lib-anna", PIN).result(timeout=HANG_S).ok
    service.press("back").result(timeout=HANG_S)  # help asked at welcome: back to welcome
    assert service.state is State.WELCOME and service.staff_signed_in is None
    assert service.press("out-of-service").result(timeout=HANG_S) is State.WELCOME


def test_sign_out_ends_it(service: KioskService) -> None:
    service.press("help").result(timeout=HANG_S)
    assert service.sign_in("lib-anna", PIN).result(timeout=HANG_S).ok
    service.press("sign-out").result(timeout=HANG_S)
    assert service.staff_signed_in is None
    assert service.press("acknowledge-help").result(timeout=HANG_S) is State.HELP
    assert service.session.data.help_acknowledged_by is None
    assert [line["reason"] for line in audit(service)
            if line["event"] == "staff_signed_out"] == ["signed_out"]


def test_console_actions_stay_trusted(service: KioskService) -> None:
    from kiosk.workflow import events as ev

    service.press("help").result(timeout=HANG_S)
    service.staff(ev.AcknowledgeHelp("console:bo")).result(timeout=HANG_S)
    assert service.session.data.help_acknowledged_by == "console:bo"


def test_a_notice_is_published_cleaned_and_audited_without_its_text(
        service: KioskService) -> None:
    heard = service.bus.subscribe()
    service.post_notice("Coming \x1b[31min\u202e two\nminutes " + "x" * 300, "console:bo")
    notice = until(heard, news.StaffNotice)
    assert isinstance(notice, news.StaffNotice) and notice.actor == "console:bo"
    assert notice.text.startswith("Coming [31min two minutes xxx") and len(notice.text) == 200
    assert "text" not in repr(notice)
    service.post_notice(" \x00 ", "console:bo")
    lines = [line for line in audit(service) if line["event"] == "staff_notice"]
    assert len(lines) == 1 and lines[0]["actor"] == "console:bo"
    assert "Coming" not in json.dumps(lines)

"""The link's frames: actions are checked on the kiosk (only ``console:`` actors, codes for
reasons, one-line messages) and snapshots on the console (known fields and types only)."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.console.protocol import ProtocolError, check_snapshot, parse_action
from kiosk.console.tls import LinkTokens

from .test_app import snapshot


def action(**changes: Any) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "action", "id": 1, "action": "acknowledge_help",
                             "actor": "console:Anne Hansen"}
    frame.update(changes)
    return frame


def test_actions_come_from_a_console_librarian() -> None:
    assert parse_action(action()).actor == "console:Anne Hansen"
    for actor in ("kiosk-staff", "system", "anne", "console:", "console:a\nb", 7):
        with pytest.raises(ProtocolError):
            parse_action(action(actor=actor))
    with pytest.raises(ProtocolError):
        parse_action(action(action="end_session"))
    with pytest.raises(ProtocolError):
        parse_action(action(id="1"))


def test_a_message_is_one_short_line_and_a_reason_a_code() -> None:
    message = parse_action(action(action="message", text="  On my\n way\u2028 now "))
    assert message.text == "On my way now"
    for text in ("", "   ", "x" * 161, 5):
        with pytest.raises(ProtocolError):
            parse_action(action(action="message", text=text))
    assert parse_action(action(action="out_of_service")).reason == "other"
    with pytest.raises(ProtocolError):
        parse_action(action(action="out_of_service", reason="Closed for lunch"))


def test_a_snapshot_keeps_known_fields_with_their_types_only() -> None:
    checked = check_snapshot(snapshot(photo="...", surname="HANSEN"))
    assert "photo" not in checked and "surname" not in checked
    bad: list[dict[str, Any]] = [
        {"kiosk_id": "has space"}, {"state": "Not A Code"}, {"in_service": "yes"},
        {"state_age_s": True}, {"applications": {"pending": -1}},
        {"devices": {"scanner": {"ok": "fine"}}}, {"last_refusal": {"reason": "x y"}},
        {"help": {"age_s": -5}}, {"name": "x" * 81},
    ]
    for changes in bad:
        with pytest.raises(ProtocolError):
            check_snapshot(snapshot(**changes))


def test_tokens_are_checked_against_every_entry(tmp_path: Any) -> None:
    tokens = LinkTokens(((None, "a" * 20), ("kiosk-b", "b" * 20)), tmp_path / "t")
    assert tokens.check("a" * 20) == (True, None)
    assert tokens.check("b" * 20) == (True, "kiosk-b")
    assert tokens.check("c" * 20) == (False, None)
    assert tokens.check("") == (False, None)

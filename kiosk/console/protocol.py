"""What a kiosk and the console say to each other over the link: JSON text frames.

Kiosk to console: ``{"type": "snapshot", ...}`` (see :data:`SNAPSHOT_FIELDS`) and
``{"type": "result", "id": N, "ok": bool, "result": CODE}`` for each action.
Console to kiosk: ``{"type": "action", "id": N, "action": NAME, "actor": "console:NAME",
"text": ..., "reason": ...}``.

A snapshot carries codes, counts, staff names and seconds only: no citizen's name, number,
date or image. Both sides check what they receive against the shapes here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: Actions the console may ask of a kiosk.
ACTIONS = ("acknowledge_help", "message", "out_of_service", "back_in_service")
#: Out-of-service reasons the console offers (codes, translated in the console).
OUT_OF_SERVICE_REASONS = ("maintenance", "device_fault", "closing", "other")
#: Longest staff message shown on a kiosk.
MAX_MESSAGE = 160
#: Every actor from the console has this prefix: a console can never act as a kiosk's
#: signed-in librarian or as the kiosk itself.
ACTOR_PREFIX = "console:"
#: Largest frame either side accepts (a snapshot is well under 2 KiB).
MAX_FRAME = 64 * 1024

_CODE = re.compile(r"^[a-z0-9_]{1,40}$")
_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,40}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

#: The top-level fields of a snapshot, and their types.
SNAPSHOT_FIELDS: dict[str, type | tuple[type, ...]] = {
    "type": str,
    "kiosk_id": str,
    "name": str,
    "place": str,
    "state": str,
    "underneath": (str, type(None)),
    "state_age_s": (int, float),
    "help": (dict, type(None)),
    "devices": dict,
    "in_service": bool,
    "out_of_service_reason": str,
    "applications": dict,
    "last_refusal": (dict, type(None)),
    "staff": (str, type(None)),
}


class ProtocolError(ValueError):
    """A frame that does not have the expected shape."""


def is_code(value: object) -> bool:
    """A short lower-case code (``expired_too_long``)."""
    return isinstance(value, str) and bool(_CODE.match(value))


def is_name(value: object) -> bool:
    """A kiosk id (letters, digits, ``._@-``)."""
    return isinstance(value, str) and bool(_NAME.match(value))


def is_staff_name(value: object) -> bool:
    """A staff name or actor: one printable line of at most 64 characters, no outer spaces."""
    return (isinstance(value, str) and 0 < len(value) <= 64 and value == value.strip()
            and value.isprintable())


def clean_text(value: object, limit: int) -> str:
    """One line of plain text, at most ``limit`` characters (control characters removed)."""
    if not isinstance(value, str):
        raise ProtocolError("text expected")
    text = " ".join(_CONTROL.sub(" ", value).split())
    if len(text) > limit:
        raise ProtocolError(f"text longer than {limit} characters")
    return text


@dataclass(frozen=True)
class Action:
    """One staff action from the console, checked."""

    id: int
    action: str
    actor: str
    text: str = ""
    reason: str = ""

    def as_frame(self) -> dict[str, Any]:
        return {"type": "action", "id": self.id, "action": self.action, "actor": self.actor,
                "text": self.text, "reason": self.reason}


def parse_action(frame: dict[str, Any]) -> Action:
    """An action frame, checked; raises ProtocolError."""
    number = frame.get("id")
    action = frame.get("action")
    actor = frame.get("actor")
    if not isinstance(number, int) or isinstance(number, bool):
        raise ProtocolError("action without an id")
    if action not in ACTIONS:
        raise ProtocolError("unknown action")
    if not (isinstance(actor, str) and actor.startswith(ACTOR_PREFIX)
            and is_staff_name(actor[len(ACTOR_PREFIX):])):
        raise ProtocolError("actor must be console:NAME")
    text = ""
    reason = ""
    if action == "message":
        text = clean_text(frame.get("text", ""), MAX_MESSAGE)
        if not text:
            raise ProtocolError("empty message")
    if action == "out_of_service":
        reason = frame.get("reason") or "other"
        if not is_code(reason):
            raise ProtocolError("reason must be a code")
    return Action(number, str(action), actor, text, str(reason))


def check_snapshot(frame: dict[str, Any]) -> dict[str, Any]:
    """A snapshot reduced to the known fields with the expected types; raises ProtocolError.

    The console shows nothing a kiosk sends beyond these fields, so even a kiosk with a bug
    cannot put a citizen's data on a librarian's screen through an unexpected field.
    """
    out: dict[str, Any] = {}
    for name, kind in SNAPSHOT_FIELDS.items():
        value = frame.get(name)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise ProtocolError(f"snapshot field {name} is missing or has the wrong type")
        out[name] = value
    if not is_name(out["kiosk_id"]):
        raise ProtocolError("kiosk_id must be a short id")
    out["name"] = clean_text(out["name"], 80)
    out["place"] = clean_text(out["place"], 120)
    for name in ("state", "out_of_service_reason"):
        if out[name] and not is_code(out[name]):
            raise ProtocolError(f"{name} must be a code")
    if out["underneath"] is not None and not is_code(out["underneath"]):
        raise ProtocolError("underneath must be a code")
    if out["staff"] is not None and not is_staff_name(out["staff"]):
        raise ProtocolError("staff must be a staff name")
    out["help"] = _help(out["help"])
    out["devices"] = _devices(out["devices"])
    out["applications"] = _applications(out["applications"])
    out["last_refusal"] = _refusal(out["last_refusal"])
    return out


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ProtocolError("a non-negative number expected")
    return float(value)


def _help(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    by = value.get("acknowledged_by")
    if by is not None and not is_staff_name(by):
        raise ProtocolError("acknowledged_by must be a staff name")
    state = value.get("state")
    if state is not None and not is_code(state):
        raise ProtocolError("help state must be a code")
    return {"age_s": _number(value.get("age_s")), "acknowledged_by": by, "state": state}


def _devices(value: dict[str, Any]) -> dict[str, Any]:
    devices: dict[str, Any] = {}
    for name, health in list(value.items())[:12]:
        if not is_code(name) or not isinstance(health, dict):
            raise ProtocolError("devices must map device codes to their health")
        ok = health.get("ok")
        code = health.get("code", "")
        if not isinstance(ok, bool) or (code and not is_code(code)):
            raise ProtocolError("device health is ok (bool) and a code")
        devices[name] = {"ok": ok, "code": code or ""}
    return devices


def _applications(value: dict[str, Any]) -> dict[str, Any]:
    pending = value.get("pending")
    oldest = value.get("oldest_age_s")
    if pending is None:
        return {"pending": None, "oldest_age_s": None}
    if isinstance(pending, bool) or not isinstance(pending, int) or pending < 0:
        raise ProtocolError("applications.pending must be a count")
    return {"pending": pending, "oldest_age_s": None if oldest is None else _number(oldest)}


def _refusal(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    reason = value.get("reason")
    if not is_code(reason):
        raise ProtocolError("last_refusal.reason must be a code")
    return {"reason": reason, "age_s": _number(value.get("age_s"))}

"""The identify step's decision: may this citizen renew here with this document, and if not why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from kiosk.document import dates
from kiosk.document.mrz import MRZResult, check
from kiosk.document.repair import RepairOutcome, repair
from kiosk.document.settings import DocumentSettings

Path = Literal["self_service", "staff", "refused"]
ExpiryStatus = Literal["valid", "expiring_soon", "expired", "unknown"]

#: What the citizen is asked to do instead, per reason (keys of ``document.toml``).
ACTIONS: Mapping[str, str] = {
    "ok": "action_continue",
    "unreadable": "action_rescan",
    "ambiguous_reading": "action_rescan",
    "not_a_passport": "action_use_passport",
    "not_danish": "action_contact_embassy",
    "not_issued_by_denmark": "action_bring_passport_to_desk",
    "expired_too_long": "action_bring_passport_to_desk",
    "birth_date_unknown": "action_bring_passport_to_desk",
    "minor_needs_consent": "action_come_with_custody_holders",
}
_PATHS: Mapping[str, Path] = {
    "ok": "self_service",
    "not_a_passport": "refused",
    "not_danish": "refused",
}


@dataclass(frozen=True, repr=False)
class DocumentDecision:
    """The verdict on one scanned document.

    ``eligible`` is true only on the self-service path. ``path`` is ``staff`` when a renewal
    is possible but needs a person, ``refused`` when it cannot be done with this document.
    """

    usable: bool
    """The MRZ is valid as read, or made valid by an unambiguous repair."""
    eligible: bool
    path: Path
    reason: str
    """Stable code: ``ok``, ``unreadable``, ``not_a_passport``, ``minor_needs_consent``, ..."""
    reason_key: str
    action_key: str
    expiry: dt.date | None = None
    expiry_status: ExpiryStatus = "unknown"
    age: int | None = None
    fingerprints_required: bool = True
    repaired: bool = False
    """The MRZ was read only thanks to an OCR repair (the screen may ask for a rescan)."""
    handoff: Mapping[str, str] = field(default_factory=dict, hash=False)
    """Only what the hand-off needs: document number, names, birth date, nationality, expiry."""

    def __repr__(self) -> str:
        # Decisions are logged by code; the hand-off data and dates are personal data.
        return (f"DocumentDecision(path={self.path!r}, reason={self.reason!r}, "
                f"usable={self.usable}, expiry_status={self.expiry_status!r}, "
                f"repaired={self.repaired})")


def _decision(reason: str, **values: object) -> DocumentDecision:
    path = _PATHS.get(reason, "staff")
    return DocumentDecision(
        eligible=path == "self_service",
        path=path,
        reason=reason,
        reason_key="document.accepted" if reason == "ok" else f"document.refusal_{reason}",
        action_key=f"document.{ACTIONS[reason]}",
        **values,  # type: ignore[arg-type]
    )


def _expiry_status(expiry: dt.date, today: dt.date, settings: DocumentSettings) -> ExpiryStatus:
    if expiry < today:
        return "expired"
    if (expiry - today).days <= settings.expiry_warning_days:
        return "expiring_soon"
    return "valid"


def _expired_too_long(expiry: dt.date, today: dt.date, settings: DocumentSettings) -> bool:
    years = settings.max_years_expired
    if years is None:
        return False
    limit = today.replace(year=today.year - years, day=min(today.day, 28))
    return expiry < limit


def decide(result: MRZResult, outcome: RepairOutcome, today: dt.date,
           settings: DocumentSettings) -> DocumentDecision:
    """Apply the renewal rules to a checked MRZ and its repair outcome."""
    repaired = outcome.status == "repaired" and settings.accept_repaired
    if not result.valid and not repaired:
        reason = "ambiguous_reading" if outcome.status == "ambiguous" else "unreadable"
        return _decision(reason, usable=False, fingerprints_required=True)
    final = check(outcome.lines) if repaired and outcome.lines else result
    f = final.fields or {}
    expiry = dates.resolve_expiry(f["expiry_date"], today, settings.max_validity_years)
    birth = dates.resolve_birth(f["birth_date"], today)
    age = dates.age_on(birth, today) if birth else None
    values: dict[str, object] = {
        "usable": True,
        "repaired": repaired,
        "expiry": expiry,
        "expiry_status": _expiry_status(expiry, today, settings) if expiry else "unknown",
        "age": age,
        "fingerprints_required": age is None or age >= settings.fingerprint_min_age,
    }
    if f["document_code"] not in settings.document_codes:
        return _decision("not_a_passport", **values)
    if f["nationality"] not in settings.nationalities:
        return _decision("not_danish", **values)
    handoff = {
        "document_number": f["document_number"],
        "surname": f["surname"],
        "given_names": f["given_names"],
        "birth_date": birth.isoformat() if birth else f["birth_date"],
        "nationality": f["nationality"],
        "expiry_date": expiry.isoformat() if expiry else f["expiry_date"],
    }
    values["handoff"] = handoff
    if f["issuing_state"] not in settings.issuing_states:
        return _decision("not_issued_by_denmark", **values)
    if expiry is None or _expired_too_long(expiry, today, settings):
        return _decision("expired_too_long", **values)
    if age is None:
        return _decision("birth_date_unknown", **values)
    if age < settings.self_service_min_age:
        return _decision("minor_needs_consent", **values)
    return _decision("ok", **values)


def assess_document(lines: Sequence[str], today: dt.date,
                    settings: DocumentSettings) -> DocumentDecision:
    """Check, repair if unambiguous, and decide: the one entry point of the identify step.

    Args:
        lines: the MRZ lines as the scanner sent them.
        today: the date the renewal is made (expiry status and age are relative to it).
        settings: the eligibility rules.

    Returns:
        The decision; never raises on bad input. Nothing here is logged.
    """
    result = check(lines)
    outcome = repair(lines) if not result.valid else RepairOutcome("not_needed")
    return decide(result, outcome, today, settings)

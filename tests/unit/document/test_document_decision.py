"""Renewal eligibility: the path, the reason code and the texts the citizen is shown."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.document.checkdigit import compute
from kiosk.document.decision import ACTIONS, DocumentDecision, assess_document
from kiosk.document.settings import DocumentSettings
from kiosk.i18n import LANGUAGES, catalog
from tests.unit.document.mrz_samples import replace, td1, td3

TODAY = dt.date(2026, 11, 21)
DANISH = {"issuing_state": "DNK", "nationality": "DNK"}
SETTINGS = DocumentSettings()


def decide(lines: tuple[str, ...], settings: DocumentSettings = SETTINGS) -> DocumentDecision:
    return assess_document(lines, TODAY, settings)


def test_danish_adult_self_service() -> None:
    decision = decide(td3(**DANISH))
    assert (decision.path, decision.reason, decision.eligible) == ("self_service", "ok", True)
    assert decision.usable and decision.age == 41 and decision.fingerprints_required
    assert decision.expiry == dt.date(2030, 1, 1) and decision.expiry_status == "valid"
    assert decision.reason_key == "document.accepted"


def test_handoff_is_minimal() -> None:
    handoff = decide(td3(**DANISH)).handoff
    assert set(handoff) == {"document_number", "surname", "given_names", "birth_date",
                            "nationality", "expiry_date"}
    assert handoff["birth_date"] == "1985-03-15" and handoff["expiry_date"] == "2030-01-01"


def test_repr_shows_codes_only() -> None:
    text = repr(decide(td3(**DANISH)))
    assert "ok" in text
    for secret in ("HANSEN", "L898902C3", "1985", "2030"):
        assert secret not in text


@pytest.mark.parametrize(
    ("expiry", "status", "path"),
    [("270101", "expiring_soon", "self_service"), ("260101", "expired", "self_service"),
     ("201231", "expired", "staff"), ("361121", "valid", "self_service")],
)
def test_expiry(expiry: str, status: str, path: str) -> None:
    decision = decide(td3(**DANISH, expiry_date=expiry))
    assert decision.expiry_status == status and decision.path == path
    if path == "staff":
        assert decision.reason == "expired_too_long"
        assert decision.action_key == "document.action_bring_passport_to_desk"


def test_no_limit_on_expired_when_configured() -> None:
    settings = DocumentSettings(max_years_expired=None)
    assert decide(td3(**DANISH, expiry_date="991231"), settings).reason == "ok"


@pytest.mark.parametrize(
    ("birth", "reason", "fingerprints"),
    [("081120", "ok", True), ("081121", "ok", True), ("081122", "minor_needs_consent", True),
     ("141121", "minor_needs_consent", True), ("141122", "minor_needs_consent", False)],
)
def test_age_decides_the_path(birth: str, reason: str, fingerprints: bool) -> None:
    decision = decide(td3(**DANISH, birth_date=birth))
    assert decision.reason == reason
    assert decision.fingerprints_required is fingerprints


def test_minor_goes_to_staff() -> None:
    decision = decide(td3(**DANISH, birth_date="200101"))
    assert decision.path == "staff" and not decision.eligible and decision.age == 6
    assert decision.action_key == "document.action_come_with_custody_holders"


def test_unknown_birth_year_goes_to_staff() -> None:
    lines = list(td3(**DANISH))
    body = lines[1][:13] + "<<<<<<<" + lines[1][20:43]
    lines[1] = body + str(compute(body[0:10] + body[13:20] + body[21:43]))
    assert decide(tuple(lines)).reason == "birth_date_unknown"


@pytest.mark.parametrize(
    ("lines", "reason", "path"),
    [(td1(**DANISH), "not_a_passport", "refused"),
     (td3(issuing_state="DNK", nationality="SWE"), "not_danish", "refused"),
     (td3(issuing_state="SWE", nationality="DNK"), "not_issued_by_denmark", "staff"),
     (("garbage",), "unreadable", "staff")],
)
def test_refusals(lines: tuple[str, ...], reason: str, path: str) -> None:
    decision = decide(lines)
    assert (decision.reason, decision.path, decision.eligible) == (reason, path, False)


def test_ambiguous_reading_asks_for_a_rescan() -> None:
    decision = decide(replace(td3(**DANISH), 1, 3, "B"))
    assert decision.reason == "ambiguous_reading" and not decision.usable
    assert decision.action_key == "document.action_rescan"


def test_repaired_reading_is_usable_and_flagged() -> None:
    decision = decide(replace(td3(**DANISH), 1, 14, "S"))
    assert decision.usable and decision.repaired and decision.reason == "ok"
    strict = DocumentSettings(accept_repaired=False)
    assert decide(replace(td3(**DANISH), 1, 14, "S"), strict).reason == "unreadable"


def test_every_text_exists_in_both_languages() -> None:
    keys = {"accepted", *(f"refusal_{r}" for r in ACTIONS if r != "ok"), *ACTIONS.values(),
            "expiry_valid", "expiry_expiring_soon", "expiry_expired", "expiry_unknown"}
    for language in LANGUAGES:
        have = {key.removeprefix("document.") for key in catalog(language)
                if key.startswith("document.")}
        assert keys <= have, (language, keys - have)

"""The application record: whole and minimal, or refused with RecordError."""

from __future__ import annotations

import json

import pytest

from kiosk.handoff.record import FORMAT, ApplicationRecord, RecordError

HOLDER = {"document_number": "208311579", "surname": "HANSEN", "given_names": "METTE MARIE",
          "birth_date": "1985-03-15"}


def record(**case_changes: object) -> ApplicationRecord:
    case = {"format": FORMAT, "reference": "PB-0000-0000-0", "holder": HOLDER,
            "photo": {"format": "jp2"}, "fingerprints": {"positions": [7, 2]}}
    case.update(case_changes)
    return ApplicationRecord("PB-0000-0000-0", case, b"jp2", "jp2", b"FIR", b"png")


def test_parts_round_trip() -> None:
    original = record()
    again = ApplicationRecord.from_parts(original.reference, original.to_parts())
    assert again == original and again.birth_day_month() == "1503"
    assert again.photo_suffix == ".jp2"
    assert json.loads(again.case_json())["holder"] == HOLDER


def test_the_repr_holds_no_personal_data() -> None:
    assert "HANSEN" not in repr(record()) and "208311579" not in repr(record())


@pytest.mark.parametrize("change", [
    {"reference": "PB-1111-1111-1"},                       # another record's case
    {"format": "something/else"},
    {"photo": {"format": "gif"}},
    {"holder": {**HOLDER, "nationality": "DNK"}},          # more than the case needs
    {"fingerprints": {"positions": []}},                   # prints without metadata
])
def test_inconsistent_parts_are_refused(change: dict[str, object]) -> None:
    broken = record(**change)
    with pytest.raises(RecordError):
        ApplicationRecord.from_parts(broken.reference, broken.to_parts())


def test_missing_or_garbled_parts_are_refused() -> None:
    parts = record().to_parts()
    for name in ("case", "photo", "signature"):
        with pytest.raises(RecordError):
            ApplicationRecord.from_parts("PB-0000-0000-0",
                                         {k: v for k, v in parts.items() if k != name})
    with pytest.raises(RecordError):
        ApplicationRecord.from_parts("PB-0000-0000-0", {**parts, "case": b"\xff not json"})

"""The receipt core: the reference grouped as on the done screen (and as typed in its QR code),
the date in the citizen's language,
what happens next, and nothing else about the citizen."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kiosk.handoff.references import new_reference
from kiosk.i18n import translate
from kiosk.receipt import NEXT_KEYS, build_receipt, grouped

DAY = dt.date(2027, 3, 30)


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_receipt_is_in_the_citizens_language(language: str) -> None:
    reference = new_reference()
    receipt = build_receipt(reference, language, DAY)

    assert receipt.language == language
    assert receipt.title == translate("receipt.title", language)
    assert receipt.reference_label == translate("receipt.reference", language)
    assert receipt.next_steps == tuple(translate(key, language) for key in NEXT_KEYS)
    # Every text is a real catalogue entry, not the key shown as a fallback.
    assert not any(text.startswith("receipt.") for text in
                   (receipt.title, receipt.reference_label, receipt.date, *receipt.next_steps))


def test_the_date_is_written_the_way_each_language_writes_it() -> None:
    reference = new_reference()
    assert "30. marts 2027" in build_receipt(reference, "da", DAY).date
    assert "March 30, 2027" in build_receipt(reference, "en", DAY).date


def test_the_reference_is_grouped_for_reading_and_the_qr_code_holds_it_as_typed() -> None:
    reference = new_reference()
    receipt = build_receipt(reference.lower(), "en", DAY)
    assert receipt.qr_payload == reference
    assert receipt.reference == grouped(reference)
    # The same symbols in the same order, in groups: nothing added, nothing lost.
    assert receipt.reference.replace(" · ", "-") == reference


def test_grouping_splits_at_the_dashes() -> None:
    assert grouped("PB-814S-0DS3-6") == "PB · 814S · 0DS3 · 6"


def test_a_language_without_texts_gets_the_english_receipt() -> None:
    reference = new_reference()
    assert build_receipt(reference, "xx", DAY) == dataclasses.replace(
        build_receipt(reference, "en", DAY), language="en")


@pytest.mark.parametrize("bad", ["", "PB-0000-0000-1", "PB-7K3Q-9XM2", "Hansen"])
def test_a_malformed_reference_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="reference"):
        build_receipt(bad, "en", DAY)


def test_the_receipt_carries_the_reference_and_nothing_else_about_the_citizen() -> None:
    # What goes in is only the reference, the language and the day: the receipt's fields
    # are those and fixed texts.
    reference = new_reference()
    receipt = build_receipt(reference, "da", DAY)
    fixed = {translate(f"receipt.{key}", "da") for key in ("title", "reference", "next", "keep")}
    for field in dataclasses.fields(receipt):
        value = getattr(receipt, field.name)
        values = value if isinstance(value, tuple) else (value,)
        for text in values:
            assert (text in fixed or text in (reference, grouped(reference), "da")
                    or text == translate("receipt.date", "da", date="30. marts 2027")), text

"""What the receipt says: the reference, its QR code, the date and what happens next.

A pure core: the citizen's language and the day in, a :class:`Receipt` out; the printer driver
lays it out in ESC/POS. The slip is handed to the citizen and may be left lying in the library,
so it carries the reference (what the caseworker looks the application up by) and nothing else
about the citizen: no name, no document number, no photo.
"""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.dates import format_date

from drivers.interfaces import Receipt
from kiosk.handoff.references import grouped, is_valid_reference
from kiosk.i18n import FALLBACK, LANGUAGES, translate

#: The receipt's texts (area ``receipt``), in the order they are printed after the date.
NEXT_KEYS = ("receipt.next", "receipt.keep")

__all__ = ["NEXT_KEYS", "Receipt", "build_receipt", "grouped"]


def build_receipt(reference: str, language: str, day: dt.date) -> Receipt:
    """The receipt of the application ``reference``, made on ``day``, in ``language``.

    An unknown language is printed in English (the fallback of every text).

    Raises:
        ValueError: ``reference`` is not a well-formed reference (a receipt with a wrong
            number is worse than none).
    """
    if not is_valid_reference(reference):
        raise ValueError("not a valid application reference")
    code = language if language in LANGUAGES else FALLBACK
    when = format_date(day, format="long", locale=Locale.parse(code))
    return Receipt(
        language=code,
        title=translate("receipt.title", code),
        reference_label=translate("receipt.reference", code),
        reference=grouped(reference.upper()),
        qr_payload=reference.upper(),
        date=translate("receipt.date", code, date=when),
        next_steps=tuple(translate(key, code) for key in NEXT_KEYS),
    )


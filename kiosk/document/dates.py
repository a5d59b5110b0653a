"""MRZ dates (YYMMDD): calendar validity and the century of a two-digit year."""

from __future__ import annotations

import calendar
import datetime as dt

from kiosk.document.checkdigit import FILLER

_UNKNOWN = FILLER * 2


def _days_in_month(yy: int, month: int) -> int:
    # The century is unknown when validating, so 29 February passes when 19YY or 20YY is a
    # leap year (2000 is, 1900 is not).
    return max(calendar.monthrange(century + yy, month)[1] for century in (1900, 2000))


def is_valid(text: str, *, allow_unknown: bool = False) -> bool:
    """Whether ``text`` is a calendar date YYMMDD.

    Args:
        text: six characters as printed.
        allow_unknown: a birth date may have ``<<`` for an unknown year, month or day
            (Doc 9303 Part 3, 4.6.2); expiry dates may not.
    """
    if len(text) != 6:
        return False
    parts = [text[0:2], text[2:4], text[4:6]]
    if allow_unknown and all(part == _UNKNOWN or part.isdigit() for part in parts):
        known = [None if part == _UNKNOWN else int(part) for part in parts]
    elif all(part.isdigit() and part.isascii() for part in parts):
        known = [int(part) for part in parts]
    else:
        return False
    yy, month, day = known
    if month is not None and not 1 <= month <= 12:
        return False
    if day is None:
        return True
    if month is None:
        return 1 <= day <= 31
    # An unknown year allows 29 February (year 00 reads as the leap year 2000).
    return 1 <= day <= _days_in_month(0 if yy is None else yy, month)


def _candidates(text: str, *, youngest: bool) -> list[dt.date]:
    """Both century readings of a (possibly partly unknown) date that are real dates.

    Unknown month or day is filled to give the latest possible date when ``youngest`` (so an
    age computed from it is never too high) and the earliest otherwise.
    """
    if not is_valid(text, allow_unknown=True) or text[0:2] == _UNKNOWN:
        return []
    yy = int(text[0:2])
    found = []
    for century in (2000, 1900):
        year = century + yy
        month = int(text[2:4]) if text[2:4] != _UNKNOWN else (12 if youngest else 1)
        last = calendar.monthrange(year, month)[1]
        day = int(text[4:6]) if text[4:6] != _UNKNOWN else (last if youngest else 1)
        if day <= last:
            found.append(dt.date(year, month, day))
    return found


def resolve_birth(text: str, today: dt.date) -> dt.date | None:
    """The birth date: the most recent reading that is not in the future."""
    past = [date for date in _candidates(text, youngest=True) if date <= today]
    return max(past) if past else None


def resolve_expiry(text: str, today: dt.date, max_validity_years: int) -> dt.date | None:
    """The expiry date: the latest reading no further ahead than a document can be valid."""
    horizon = today.replace(year=today.year + max_validity_years, day=min(today.day, 28))
    plausible = [date for date in _candidates(text, youngest=False) if date <= horizon]
    return max(plausible) if plausible else None


def age_on(birth: dt.date, today: dt.date) -> int:
    """Completed years between ``birth`` and ``today``."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))

"""Strict Doc 9303 check of MRZ lines as read: fields plus every problem, never an exception."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from kiosk.document import checkdigit, countries, dates
from kiosk.document.checkdigit import CHARSET, FILLER
from kiosk.document.layout import Layout, document_number, guess, identify

_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ< ")
_COUNTRY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ<")
_SEXES = frozenset("MFX<")


@dataclass(frozen=True)
class Problem:
    """One finding, with a stable code and the field it concerns."""

    code: str
    field: str | None = None
    severity: Literal["error", "warning"] = "error"


@dataclass(frozen=True, repr=False)
class MRZResult:
    """What the strict check found. ``fields`` is None when no layout fits the lines."""

    lines: tuple[str, ...]
    format: str | None
    fields: Mapping[str, str] | None
    problems: tuple[Problem, ...] = field(default=())
    rules: int = 0
    """How many rules were checked (the denominator of ``valid_score``)."""

    @property
    def errors(self) -> tuple[str, ...]:
        """The distinct error codes, in the order first found."""
        return tuple(dict.fromkeys(p.code for p in self.problems if p.severity == "error"))

    @property
    def warnings(self) -> tuple[str, ...]:
        """The distinct warning codes (they do not make the MRZ invalid)."""
        return tuple(dict.fromkeys(p.code for p in self.problems if p.severity == "warning"))

    @property
    def valid(self) -> bool:
        """The strict structural verdict: no errors."""
        return not self.errors

    @property
    def valid_score(self) -> int:
        """0-100: share of rules passed (after PassportEye), to pick the best of several reads."""
        failed = sum(1 for p in self.problems if p.severity == "error")
        return round(100 * max(self.rules - failed, 0) / self.rules) if self.rules else 0

    def __repr__(self) -> str:
        # The fields are personal data: a repr can end up in a log, so it shows codes only.
        return f"MRZResult(format={self.format!r}, valid={self.valid}, errors={self.errors!r})"


def _strip(text: str) -> str:
    return text.rstrip(FILLER)


def _names(raw: str) -> tuple[str, str]:
    """Primary and secondary identifier: split on the first ``<<``, fillers to spaces."""
    surname, sep, given = raw.partition(FILLER * 2)
    return surname.replace(FILLER, " ").strip(), given.replace(FILLER, " ").strip()


def extract(layout: Layout, lines: tuple[str, ...]) -> dict[str, str]:
    """The fields as printed, named as in vectors.json."""
    out: dict[str, str] = {}
    for fld in layout.fields:
        raw = fld.span.cut(lines)
        if fld.name == "names":
            out["surname"], out["given_names"] = _names(raw)
        elif fld.name in ("birth_date", "expiry_date", "sex"):
            out[fld.name] = raw
        else:
            out[fld.name] = _strip(raw)
    number = document_number(layout, lines)
    out["document_number"] = _strip(number.number)
    out["optional_data"] = _strip(number.optional)
    return out


def _check_digits(layout: Layout, lines: tuple[str, ...]) -> list[Problem]:
    found = []
    number = document_number(layout, lines)
    if not checkdigit.verifies(number.number, number.digit, *number.alternatives):
        found.append(Problem("check_digit_document_number", "document_number"))
    for name, code in (
        ("birth_date", "check_digit_birth_date"),
        ("expiry_date", "check_digit_expiry_date"),
        ("optional_data", "check_digit_optional"),
    ):
        fld = layout.field(name)
        if fld.check is not None and not checkdigit.verifies(
            fld.span.cut(lines), fld.check.cut(lines)
        ):
            found.append(Problem(code, name))
    if layout.composite and layout.composite_digit:
        data = "".join(span.cut(lines) for span in layout.composite)
        if not checkdigit.verifies(data, layout.composite_digit.cut(lines)):
            found.append(Problem("check_digit_composite"))
    return found


def _formats(layout: Layout, lines: tuple[str, ...]) -> list[Problem]:
    found = []
    code = layout.field("document_code").span.cut(lines)
    if code[0] not in layout.first_letters or code[1] not in _COUNTRY_CHARS:
        found.append(Problem("document_code_invalid", "document_code"))
    for name in ("issuing_state", "nationality"):
        value = layout.field(name).span.cut(lines)
        if not set(value) <= _COUNTRY_CHARS:
            found.append(Problem("country_code_invalid", name))
        elif not countries.is_known(_strip(value)):
            found.append(Problem("country_code_unknown", name, "warning"))
    # A space is a filler rendered wrongly and already counts as ``charset``; anything else
    # that is not a letter (digits, lower case, '*') cannot be part of a name.
    if not set(layout.field("names").span.cut(lines)) <= _NAME_CHARS:
        found.append(Problem("name_invalid", "names"))
    if layout.field("sex").span.cut(lines) not in _SEXES:
        found.append(Problem("sex_invalid", "sex"))
    for name in ("birth_date", "expiry_date"):
        text = layout.field(name).span.cut(lines)
        if not dates.is_valid(text, allow_unknown=name == "birth_date"):
            found.append(Problem("date_invalid", name))
    return found


def check(lines: Sequence[str]) -> MRZResult:
    """Parse and check MRZ lines exactly as read.

    Args:
        lines: the two or three lines, without line terminators.

    Returns:
        The result; bad input is reported as problems, never raised.
    """
    read = tuple(str(line) for line in lines)
    layout = identify(read)
    if layout is None:
        return MRZResult(read, guess(read), None, (Problem("length"),))
    problems: list[Problem] = []
    if any(char not in CHARSET for line in read for char in line):
        problems.append(Problem("charset"))
    problems += _formats(layout, read)
    problems += _check_digits(layout, read)
    # charset, document code, 2 country codes, names, sex, 2 dates, and the check digits.
    extra = (layout.field("optional_data").check is not None) + (layout.composite is not None)
    rules = 8 + 3 + extra
    return MRZResult(read, layout.name, extract(layout, read), tuple(problems), rules)

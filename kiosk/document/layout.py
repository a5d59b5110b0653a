"""Where each field sits in the five Doc 9303 layouts, and how to cut the lines into fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kiosk.document.checkdigit import FILLER

Kind = Literal["alpha", "numeric", "alnum", "name"]


@dataclass(frozen=True)
class Span:
    """Characters ``start:end`` of line ``line`` (0-based)."""

    line: int
    start: int
    end: int

    def cut(self, lines: tuple[str, ...]) -> str:
        """The text of this span."""
        return lines[self.line][self.start : self.end]


@dataclass(frozen=True)
class Field:
    """One MRZ field: where it is, what it may hold, and where its check digit is."""

    name: str
    span: Span
    kind: Kind
    check: Span | None = None


@dataclass(frozen=True)
class Layout:
    """One of the five machine readable zone layouts."""

    name: str
    line_count: int
    width: int
    fields: tuple[Field, ...]
    composite: tuple[Span, ...] | None
    composite_digit: Span | None
    first_letters: str
    """Letters the document code may start with (Part 4-7: P, V, or A/C/I)."""
    long_number: bool = False
    """TD1/TD2: a document number longer than 9 continues in the optional data."""

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        return next(field for field in self.fields if field.name == name)


def _s(line: int, start: int, end: int | None = None) -> Span:
    return Span(line, start, start + 1 if end is None else end)


def _two_line(name: str, width: int, letters: str, *, composite: bool, opt_check: bool) -> Layout:
    """TD3, TD2, MRV-A and MRV-B share line 1 and the first 28 characters of line 2."""
    opt_end = width - (1 if composite else 0) - (1 if opt_check else 0)
    fields = (
        Field("document_code", _s(0, 0, 2), "alpha"),
        Field("issuing_state", _s(0, 2, 5), "alpha"),
        Field("names", _s(0, 5, width), "name"),
        Field("document_number", _s(1, 0, 9), "alnum", _s(1, 9)),
        Field("nationality", _s(1, 10, 13), "alpha"),
        Field("birth_date", _s(1, 13, 19), "numeric", _s(1, 19)),
        Field("sex", _s(1, 20), "alpha"),
        Field("expiry_date", _s(1, 21, 27), "numeric", _s(1, 27)),
        Field("optional_data", _s(1, 28, opt_end), "alnum", _s(1, opt_end) if opt_check else None),
    )
    spans = (_s(1, 0, 10), _s(1, 13, 20), _s(1, 21, width - 1)) if composite else None
    return Layout(
        name=name,
        line_count=2,
        width=width,
        fields=fields,
        composite=spans,
        composite_digit=_s(1, width - 1) if composite else None,
        first_letters=letters,
        long_number=name == "TD2",
    )


TD3 = _two_line("TD3", 44, "P", composite=True, opt_check=True)
TD2 = _two_line("TD2", 36, "ACI", composite=True, opt_check=False)
MRV_A = _two_line("MRV-A", 44, "V", composite=False, opt_check=False)
MRV_B = _two_line("MRV-B", 36, "V", composite=False, opt_check=False)
TD1 = Layout(
    name="TD1",
    line_count=3,
    width=30,
    fields=(
        Field("document_code", _s(0, 0, 2), "alpha"),
        Field("issuing_state", _s(0, 2, 5), "alpha"),
        Field("document_number", _s(0, 5, 14), "alnum", _s(0, 14)),
        Field("optional_data", _s(0, 15, 30), "alnum"),
        Field("birth_date", _s(1, 0, 6), "numeric", _s(1, 6)),
        Field("sex", _s(1, 7), "alpha"),
        Field("expiry_date", _s(1, 8, 14), "numeric", _s(1, 14)),
        Field("nationality", _s(1, 15, 18), "alpha"),
        Field("optional_data_2", _s(1, 18, 29), "alnum"),
        Field("names", _s(2, 0, 30), "name"),
    ),
    composite=(_s(0, 5, 30), _s(1, 0, 7), _s(1, 8, 15), _s(1, 18, 29)),
    composite_digit=_s(1, 29),
    first_letters="ACI",
    long_number=True,
)
LAYOUTS = (TD3, TD2, TD1, MRV_A, MRV_B)


def identify(lines: tuple[str, ...]) -> Layout | None:
    """The layout whose line count and width the lines have, or None (a ``length`` problem).

    Two layouts share each width; the first letter decides (V is a visa, Doc 9303 Part 7).
    """
    widths = {len(line) for line in lines}
    if len(widths) != 1:
        return None
    (width,) = widths
    matching = [lay for lay in LAYOUTS if lay.line_count == len(lines) and lay.width == width]
    if not matching:
        return None
    visa = lines[0][:1] == "V"
    return next((lay for lay in matching if (lay.first_letters == "V") == visa), matching[0])


def guess(lines: tuple[str, ...]) -> str | None:
    """The layout most likely intended by lines of the wrong length (for reporting only)."""
    if not lines:
        return None
    if len(lines) == 3 and max(len(line) for line in lines) <= 33:
        return "TD1"
    width = max(len(line) for line in lines)
    visa = lines[0][:1] == "V"
    if abs(width - 36) < abs(width - 44):
        return "MRV-B" if visa else "TD2"
    return "MRV-A" if visa else "TD3"


@dataclass(frozen=True)
class NumberSpan:
    """Where the document number and its check digit really are, after the long-number rule."""

    number: str
    digit: str
    alternatives: tuple[str, ...]
    """Other strings real issuers compute the digit over (older Belgian cards)."""
    positions: tuple[tuple[int, int], ...]
    """(line, column) of every character of the number, extension included."""
    digit_position: tuple[int, int]
    optional: str
    """What is left of the optional data field after the extension."""


def document_number(layout: Layout, lines: tuple[str, ...]) -> NumberSpan:
    """Apply the long document number rule of Doc 9303 Part 5 and 6 (4.2.2, note j).

    When the check digit position of a TD1/TD2 holds a filler, the number continues in the
    optional data up to the next filler and the character before that filler is the check
    digit. Belgium's older cards compute it over the number with the filler at position 15
    included, so that reading is accepted as an alternative.
    """
    field = layout.field("document_number")
    opt = layout.field("optional_data").span
    check = field.check
    assert check is not None
    number = field.span.cut(lines)
    digit = check.cut(lines)
    base = tuple((field.span.line, col) for col in range(field.span.start, field.span.end))
    optional = opt.cut(lines)
    if layout.long_number and digit == FILLER and optional[:1] not in ("", FILLER):
        end = optional.find(FILLER)
        extension = optional if end < 0 else optional[:end]
        rest = "" if end < 0 else optional[end + 1 :]
        ext_cols = tuple((opt.line, opt.start + i) for i in range(len(extension) - 1))
        return NumberSpan(
            number=number + extension[:-1],
            digit=extension[-1],
            alternatives=(number + FILLER + extension[:-1],),
            positions=base + ext_cols,
            digit_position=(opt.line, opt.start + len(extension) - 1),
            optional=rest,
        )
    return NumberSpan(number, digit, (), base, (check.line, check.start), optional)

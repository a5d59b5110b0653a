"""Hypothesis: generated MRZs of every layout round-trip, and one-character changes are caught."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kiosk.document.checkdigit import char_value
from kiosk.document.compose import compose
from kiosk.document.countries import ICAO_CODES
from kiosk.document.layout import LAYOUTS, Layout, document_number
from kiosk.document.mrz import check
from kiosk.document.repair import TO_DIGIT, TO_LETTER, repair

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ALNUM = LETTERS + "0123456789"
CHARSET = ALNUM + "<"
_NAME_WIDTH = {"TD3": 39, "MRV-A": 39, "TD2": 31, "MRV-B": 31, "TD1": 30}
_OPT_WIDTH = {"TD3": 14, "MRV-A": 16, "TD2": 7, "MRV-B": 8, "TD1": 15}
_CODES = sorted(ICAO_CODES)


def _yymmdd(date: dt.date) -> str:
    return date.strftime("%y%m%d")


def _words(max_len: int) -> st.SearchStrategy[str]:
    word = st.text(LETTERS, min_size=1, max_size=8)
    return st.lists(word, max_size=3).map(" ".join).filter(lambda s: len(s) <= max_len)


def _text(alphabet: str, max_size: int) -> st.SearchStrategy[str]:
    """Optional data: may hold inner fillers, never a trailing one (it would be stripped)."""
    return st.text(alphabet, max_size=max_size).filter(lambda s: not s.endswith("<"))


@st.composite
def mrz_fields(draw: st.DrawFn) -> tuple[Layout, dict[str, str]]:
    """A layout and fields that fit it."""
    layout = draw(st.sampled_from(LAYOUTS))
    surname = draw(_words(_NAME_WIDTH[layout.name] - 2))
    given_names = draw(_words(_NAME_WIDTH[layout.name] - 2 - len(surname)))
    long_max = {"TD1": 12, "TD2": 13}.get(layout.name, 9)
    number = draw(st.text(ALNUM, min_size=1, max_size=long_max))
    room = _OPT_WIDTH[layout.name] - (len(number) - 9 + 2 if len(number) > 9 else 0)
    fields = {
        "document_code": draw(st.sampled_from(layout.first_letters))
        + draw(st.sampled_from(["", *LETTERS])),
        "issuing_state": draw(st.sampled_from(_CODES)),
        "surname": surname,
        "given_names": given_names,
        "document_number": number,
        "nationality": draw(st.sampled_from(_CODES)),
        "birth_date": _yymmdd(draw(st.dates(dt.date(1901, 1, 1), dt.date(2099, 12, 31)))),
        "sex": draw(st.sampled_from("MFX<")),
        "expiry_date": _yymmdd(draw(st.dates(dt.date(1901, 1, 1), dt.date(2099, 12, 31)))),
        "optional_data": draw(_text(ALNUM + "<", room)),
    }
    if layout.name == "TD1":
        fields["optional_data_2"] = draw(_text(ALNUM + "<", 11))
    if len(number) > 9 and fields["optional_data"].startswith("<"):
        fields["optional_data"] = fields["optional_data"].lstrip("<")
    return layout, fields


def _protected(layout: Layout, lines: tuple[str, ...]) -> list[tuple[int, int, bool]]:
    """(line, column, is_date) of every character a check digit or a format rule covers."""
    out = []
    number = document_number(layout, lines)
    out += [(line, col, False) for line, col in (*number.positions, number.digit_position)]
    for fld in layout.fields:
        if fld.name in ("birth_date", "expiry_date"):
            out += [(fld.span.line, c, True) for c in range(fld.span.start, fld.span.end)]
        if fld.check is not None and fld.name != "document_number":
            out.append((fld.check.line, fld.check.start, False))
        if fld.name == "optional_data" and fld.check is not None:
            out += [(fld.span.line, c, False) for c in range(fld.span.start, fld.span.end)]
    if layout.composite_digit is not None:
        out.append((layout.composite_digit.line, layout.composite_digit.start, False))
    return out


def _with(lines: tuple[str, ...], line: int, col: int, char: str) -> tuple[str, ...]:
    out = list(lines)
    out[line] = out[line][:col] + char + out[line][col + 1 :]
    return tuple(out)


@given(mrz_fields())
def test_round_trip(case: tuple[Layout, dict[str, str]]) -> None:
    layout, fields = case
    result = check(compose(layout.name, fields))
    assert result.valid, result.errors
    assert result.format == layout.name
    assert result.fields == fields


@given(mrz_fields(), st.data())
def test_one_changed_character_is_caught(case: tuple[Layout, dict[str, str]],
                                         data: st.DataObject) -> None:
    layout, fields = case
    lines = compose(layout.name, fields)
    line, col, is_date = data.draw(st.sampled_from(_protected(layout, lines)))
    old = lines[line][col]
    new = data.draw(st.sampled_from(CHARSET.replace(old, "")))
    mutated = _with(lines, line, col, new)
    if check(mutated).valid:
        # The 7-3-1 scheme cannot see a substitution of equal value modulo 10 (G/6, 0/A/K/U/<
        # ...) in a mixed field; a date would still fail its format rule.
        assert not is_date
        assert char_value(old) % 10 == char_value(new) % 10  # type: ignore[operator]
    else:
        outcome = repair(mutated)
        # Whatever a repair finds, it never invents a reading that a check digit rejects.
        assert outcome.status != "repaired" or check(outcome.lines or ()).valid


@given(mrz_fields(), st.data())
def test_ocr_confusion_is_repaired_or_refused_never_misread(
    case: tuple[Layout, dict[str, str]], data: st.DataObject
) -> None:
    layout, fields = case
    lines = compose(layout.name, fields)
    confusable = [(i, c) for i, text in enumerate(lines) for c, ch in enumerate(text)
                  if ch in TO_DIGIT or ch in TO_LETTER]
    if not confusable:
        return
    line, col = data.draw(st.sampled_from(confusable))
    old = lines[line][col]
    mutated = _with(lines, line, col, TO_DIGIT.get(old) or TO_LETTER[old])
    outcome = repair(mutated)
    assert outcome.status in ("not_needed", "repaired", "ambiguous", "unrepairable")
    if outcome.status == "repaired":
        assert outcome.lines == lines
    field = next((f for f in layout.fields if f.span.line == line
                  and f.span.start <= col < f.span.end), None)
    if field is not None and field.kind in ("numeric", "alpha", "name") and old.isdigit() == (
        field.kind == "numeric"
    ):
        # A letter in a numeric field or a digit in an alphabetic one has one reading only.
        assert outcome.status == "repaired"


@given(mrz_fields())
def test_valid_mrz_is_never_repaired(case: tuple[Layout, dict[str, str]]) -> None:
    layout, fields = case
    assert repair(compose(layout.name, fields)).status == "not_needed"


@given(st.lists(st.text(max_size=50), max_size=4))
def test_arbitrary_text_never_raises(lines: list[str]) -> None:
    result = check(lines)
    assert result.valid in (True, False)
    repair(lines)

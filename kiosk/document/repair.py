"""OCR repair: fix misread characters only where field type and check digits leave one answer."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from kiosk.document import checkdigit, countries
from kiosk.document.checkdigit import FILLER
from kiosk.document.layout import Layout, document_number, identify
from kiosk.document.mrz import check

#: Letter read for a digit (Doc 9303's OCR-B glyphs that readers confuse most).
TO_DIGIT = {"O": "0", "I": "1", "B": "8", "S": "5", "Z": "2", "G": "6"}
TO_LETTER = {digit: letter for letter, digit in TO_DIGIT.items()}
#: Characters readers send instead of the filler.
FILLER_SUBSTITUTES = frozenset(" _")
# G and 6 differ by 10 in check digit value, so no 7-3-1 check digit can tell them apart in
# a mixed field: toggling them would always be a guess.
_TOGGLE = {c: o for c, o in {**TO_DIGIT, **TO_LETTER}.items() if c not in "G6"}
_MAX_TOGGLES = 2

Status = Literal["not_needed", "repaired", "ambiguous", "unrepairable"]
RepairKind = Literal["ocr_confusion", "case", "filler_substitute", "padding", "line_order"]


@dataclass(frozen=True)
class Repair:
    """One corrected character (or the line order), located in the lines as read."""

    kind: RepairKind
    line: int
    column: int
    field: str | None
    read: str
    corrected: str


@dataclass(frozen=True, repr=False)
class RepairOutcome:
    """The repair verdict; ``lines`` are the corrected lines when ``status`` is repaired."""

    status: Status
    lines: tuple[str, ...] | None = None
    repairs: tuple[Repair, ...] = ()
    candidates: int = 0
    """How many different valid readings were found (more than one means ambiguous)."""

    def __repr__(self) -> str:
        # Corrected lines are personal data; only the verdict goes into a repr.
        return f"RepairOutcome(status={self.status!r}, candidates={self.candidates})"


def _normalise(line: str) -> str:
    """Upper case and filler substitutes, which have exactly one meaning in an MRZ."""
    return "".join(FILLER if c in FILLER_SUBSTITUTES else c.upper() if c.isascii() else c
                   for c in line.rstrip("\r\n"))


def _trim_padding(lines: tuple[str, ...]) -> tuple[str, ...]:
    """Drop trailing fillers beyond the layout width when that is all that breaks the length."""
    if identify(lines) is not None:
        return lines
    for width in (30, 36, 44):
        if all(len(line) >= width and set(line[width:]) <= {FILLER} for line in lines):
            trimmed = tuple(line[:width] for line in lines)
            if identify(trimmed) is not None:
                return trimmed
    return lines


def _forced(layout: Layout, lines: tuple[str, ...]) -> tuple[str, ...]:
    """Map confusable characters where the field type allows only one of the pair."""
    grid = [list(line) for line in lines]

    def force(line: int, col: int, table: dict[str, str]) -> None:
        grid[line][col] = table.get(grid[line][col], grid[line][col])

    for fld in layout.fields:
        table = {"numeric": TO_DIGIT, "alpha": TO_LETTER, "name": TO_LETTER}.get(fld.kind)
        if table is not None:
            for col in range(fld.span.start, fld.span.end):
                force(fld.span.line, col, table)
        if fld.check is not None:
            force(fld.check.line, fld.check.start, TO_DIGIT)
    if layout.composite_digit is not None:
        force(layout.composite_digit.line, layout.composite_digit.start, TO_DIGIT)
    # The check digit of a long document number sits inside the optional data.
    number = document_number(layout, tuple("".join(row) for row in grid))
    force(*number.digit_position, TO_DIGIT)
    return tuple("".join(row) for row in grid)


def _variants(
    lines: tuple[str, ...], positions: Sequence[tuple[int, int]], digit_at: tuple[int, int],
    alternatives: Sequence[Sequence[tuple[int, int]]] = (),
) -> list[dict[tuple[int, int], str]]:
    """The fewest toggles of confusable characters that make one field's check digit verify.

    Returns a list of edits (position -> new character); ``[{}]`` when the field verifies as
    read, ``[]`` when no edit of up to two characters does.
    """

    def verifies(edit: dict[tuple[int, int], str]) -> bool:
        def text(cols: Sequence[tuple[int, int]]) -> str:
            return "".join(edit.get(p, lines[p[0]][p[1]]) for p in cols)

        digit = lines[digit_at[0]][digit_at[1]]
        return checkdigit.verifies(text(positions), digit, *(text(a) for a in alternatives))

    if verifies({}):
        return [{}]
    toggles = [p for p in positions if lines[p[0]][p[1]] in _TOGGLE]
    for count in range(1, _MAX_TOGGLES + 1):
        found = []
        for chosen in itertools.combinations(toggles, count):
            edit = {p: _TOGGLE[lines[p[0]][p[1]]] for p in chosen}
            if verifies(edit):
                found.append(edit)
        if found:
            return found
    return []


def _checked_alnum(
    layout: Layout, lines: tuple[str, ...]
) -> Iterator[list[dict[tuple[int, int], str]]]:
    """Edit options for each mixed field that has its own check digit."""
    number = document_number(layout, lines)
    alt: list[list[tuple[int, int]]] = []
    if number.alternatives:
        # The older Belgian reading includes the filler at the check digit position.
        field = layout.field("document_number")
        assert field.check is not None
        pos = list(number.positions)
        alt = [pos[:9] + [(field.check.line, field.check.start)] + pos[9:]]
    yield _variants(lines, number.positions, number.digit_position, alt)
    optional = layout.field("optional_data")
    if optional.check is not None:
        span = optional.span
        cols = [(span.line, c) for c in range(span.start, span.end)]
        yield _variants(lines, cols, (optional.check.line, optional.check.start))


def _apply(
    lines: tuple[str, ...], edits: Sequence[dict[tuple[int, int], str]]
) -> tuple[str, ...]:
    grid = [list(line) for line in lines]
    for edit in edits:
        for (line, col), char in edit.items():
            grid[line][col] = char
    return tuple("".join(row) for row in grid)


def _country_ok(layout: Layout, before: tuple[str, ...], after: tuple[str, ...]) -> bool:
    # A country code rebuilt from digits must be a real one: letters are not otherwise checked.
    for name in ("issuing_state", "nationality"):
        span = layout.field(name).span
        if span.cut(before) != span.cut(after) and not countries.is_known(
            span.cut(after).rstrip(FILLER)
        ):
            return False
    return True


def _readings(lines: tuple[str, ...]) -> set[tuple[str, ...]]:
    """Every valid reading reachable by forced mappings plus the fewest toggles."""
    layout = identify(lines)
    if layout is None:
        return set()
    forced = _forced(layout, lines)
    options = list(_checked_alnum(layout, forced))
    found = set()
    for combo in itertools.product(*options):
        candidate = _apply(forced, combo)
        if check(candidate).valid and _country_ok(layout, lines, candidate):
            found.add(candidate)
    return found


def _field_at(layout: Layout | None, line: int, col: int) -> str | None:
    if layout is None:
        return None
    for fld in layout.fields:
        if fld.span.line == line and fld.span.start <= col < fld.span.end:
            return fld.name
        if fld.check is not None and (fld.check.line, fld.check.start) == (line, col):
            return f"{fld.name}_check"
    digit = layout.composite_digit
    if digit is not None and (digit.line, digit.start) == (line, col):
        return "composite_check"
    return None


def _describe(
    read: tuple[str, ...], order: tuple[int, ...], fixed: tuple[str, ...]
) -> list[Repair]:
    layout = identify(fixed)
    repairs = []
    if order != tuple(range(len(order))):
        repairs.append(Repair("line_order", 0, 0, None, "".join(map(str, order)),
                              "".join(map(str, range(len(order))))))
    for out_line, in_line in enumerate(order):
        before, after = read[in_line], fixed[out_line]
        for col, old in enumerate(before):
            new = after[col] if col < len(after) else ""
            if old == new:
                continue
            kind: RepairKind = (
                "padding" if not new else "filler_substitute" if old in FILLER_SUBSTITUTES
                else "case" if old.upper() == new else "ocr_confusion")
            repairs.append(Repair(kind, in_line, col, _field_at(layout, out_line, col), old, new))
    return repairs


def repair(lines: Sequence[str]) -> RepairOutcome:
    """Try to turn an invalid reading into the one valid MRZ it can only have been.

    A valid reading is never touched. Otherwise the lines are upper-cased, filler
    substitutes become ``<``, letters in numeric fields and digits in alphabetic fields are
    mapped through the OCR confusion pairs, and in mixed fields with a check digit the fewest
    confusion toggles that make it verify are tried. Other line orders are tried only when the
    lines as ordered give nothing.

    Returns:
        ``repaired`` with the corrected lines when exactly one valid reading exists,
        ``ambiguous`` when several do, ``unrepairable`` when none does.
    """
    read = tuple(str(line) for line in lines)
    if check(read).valid:
        return RepairOutcome("not_needed")
    base = tuple(_normalise(line) for line in read)
    for order in itertools.permutations(range(len(base))):
        if len(base) > 3:
            break
        found = _readings(_trim_padding(tuple(base[i] for i in order)))
        if len(found) == 1:
            (fixed,) = found
            return RepairOutcome("repaired", fixed, tuple(_describe(read, order, fixed)), 1)
        if found:
            return RepairOutcome("ambiguous", None, (), len(found))
    return RepairOutcome("unrepairable")

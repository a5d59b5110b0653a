"""Build a valid MRZ from its fields (for the simulator's documents and the property tests)."""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.document.checkdigit import FILLER, compute
from kiosk.document.layout import LAYOUTS, Layout


def _digit(data: str) -> str:
    digit = compute(data)
    if digit is None:
        raise ValueError("field outside the MRZ character set")
    return str(digit)


def _pad(text: str, width: int) -> str:
    if len(text) > width:
        raise ValueError(f"{len(text)} characters do not fit in {width}")
    return text + FILLER * (width - len(text))


def _encode(text: str) -> str:
    return text.replace(" ", FILLER)


def names_field(surname: str, given_names: str, width: int) -> str:
    """Primary and secondary identifier joined by ``<<`` (no truncation: too long raises)."""
    text = _encode(surname) + (FILLER * 2 + _encode(given_names) if given_names else "")
    return _pad(text, width)


def _number_and_optional(layout: Layout, number: str, optional: str, width: int) -> str:
    """Document number, its check digit and the optional data, with the long-number rule."""
    if len(number) <= 9:
        field = _pad(number, 9)
        return field + _digit(field) + "\0" + _pad(optional, width)
    if not layout.long_number:
        raise ValueError("document number longer than 9 characters")
    overflow = number[9:] + _digit(number) + FILLER + optional
    return number[:9] + FILLER + "\0" + _pad(overflow, width)


def compose(layout_name: str, fields: Mapping[str, str]) -> tuple[str, ...]:
    """The MRZ lines for ``fields`` (named as ``mrz.extract`` returns them).

    Raises:
        ValueError: when a field does not fit; this builder is for well-formed data only.
    """
    layout = next(lay for lay in LAYOUTS if lay.name == layout_name)
    f = {key: value for key, value in fields.items()}
    code = _pad(f["document_code"], 2) + _pad(f["issuing_state"], 3)
    dob = f["birth_date"] + _digit(f["birth_date"])
    exp = f["expiry_date"] + _digit(f["expiry_date"])
    if layout.name == "TD1":
        head, _, opt = _number_and_optional(layout, f["document_number"],
                                            f.get("optional_data", ""), 15).partition("\0")
        line1 = code + head + opt
        line2 = dob + f["sex"] + exp + _pad(f["nationality"], 3)
        line2 += _pad(f.get("optional_data_2", ""), 11)
        line2 += _digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
        return line1, line2, names_field(f["surname"], f["given_names"], 30)
    width = layout.width
    line1 = code + names_field(f["surname"], f["given_names"], width - 5)
    opt_width = {"TD3": 14, "TD2": 7, "MRV-A": 16, "MRV-B": 8}[layout.name]
    head, _, opt = _number_and_optional(layout, f["document_number"],
                                        f.get("optional_data", ""), opt_width).partition("\0")
    line2 = head + _pad(f["nationality"], 3) + dob + f["sex"] + exp + opt
    if layout.name == "TD3":
        # Doc 9303 Part 4: an empty personal number may carry '<' as its check digit.
        line2 += FILLER if set(opt) == {FILLER} else _digit(opt)
    if layout.composite is not None:
        line2 += _digit(line2[0:10] + line2[13:20] + line2[21:])
    return line1, line2

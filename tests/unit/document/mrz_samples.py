"""Sample MRZs built by the project itself (no shared data), used by several test modules."""

from __future__ import annotations

from kiosk.document.compose import compose

PERSON = {
    "issuing_state": "UTO",
    "surname": "HANSEN",
    "given_names": "JENS PETER",
    "nationality": "UTO",
    "birth_date": "850315",
    "sex": "M",
    "expiry_date": "300101",
}


def td3(**changes: str) -> tuple[str, ...]:
    """A valid TD3 passport MRZ; keyword arguments replace fields."""
    fields = {**PERSON, "document_code": "P", "document_number": "L898902C3",
              "optional_data": "ZE184226B", **changes}
    return compose("TD3", fields)


def td1(**changes: str) -> tuple[str, ...]:
    """A valid TD1 identity card MRZ."""
    fields = {**PERSON, "document_code": "ID", "document_number": "D23145890",
              "optional_data": "", "optional_data_2": "", **changes}
    return compose("TD1", fields)


def td2(**changes: str) -> tuple[str, ...]:
    """A valid TD2 identity card MRZ."""
    fields = {**PERSON, "document_code": "I", "document_number": "D23145890",
              "optional_data": "", **changes}
    return compose("TD2", fields)


def replace(lines: tuple[str, ...], line: int, col: int, char: str) -> tuple[str, ...]:
    """``lines`` with one character replaced."""
    out = list(lines)
    out[line] = out[line][:col] + char + out[line][col + 1 :]
    return tuple(out)

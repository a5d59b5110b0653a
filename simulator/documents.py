"""Passports for simulated citizens: TD3 MRZ lines built from a few facts, with check digits.

Scenario files give dates relative to today ("expires in 400 days", "born 41 years ago"), so a
scenario keeps meaning the same thing whatever the date the tests run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WEIGHTS = (7, 3, 1)


def check_digit(field: str) -> str:
    """ICAO 9303 7-3-1 check digit of an MRZ field."""
    total = 0
    for position, char in enumerate(field):
        if char.isdigit():
            value = int(char)
        elif char.isalpha():
            value = ord(char) - ord("A") + 10
        else:  # the filler '<' counts as 0
            value = 0
        total += value * WEIGHTS[position % 3]
    return str(total % 10)


def _name_field(surname: str, given_names: str, width: int) -> str:
    def clean(text: str) -> str:
        return "<".join(text.upper().replace("-", " ").split())

    name = f"{clean(surname)}<<{clean(given_names)}"
    return name[:width].ljust(width, "<")


@dataclass(frozen=True)
class PassportFacts:
    """What a simulated citizen's passport says."""

    surname: str
    given_names: str
    number: str
    birth: dt.date
    expiry: dt.date
    sex: str = "F"
    issuing_state: str = "DNK"
    nationality: str = "DNK"
    document_code: str = "P<"
    personal_number: str = ""

    def mrz(self) -> tuple[str, str]:
        """The two TD3 lines of 44 characters."""
        line1 = (self.document_code + self.issuing_state
                 + _name_field(self.surname, self.given_names, 39))
        number = self.number.upper().ljust(9, "<")[:9]
        birth = self.birth.strftime("%y%m%d")
        expiry = self.expiry.strftime("%y%m%d")
        optional = self.personal_number.upper().ljust(14, "<")[:14]
        optional_check = "<" if not self.personal_number else check_digit(optional)
        composite = (number + check_digit(number) + birth + check_digit(birth) + expiry
                     + check_digit(expiry) + optional + optional_check)
        line2 = (number + check_digit(number) + self.nationality + birth + check_digit(birth)
                 + self.sex + expiry + check_digit(expiry) + optional + optional_check
                 + check_digit(composite))
        return line1, line2


def years_ago(today: dt.date, years: int, days: int = 0) -> dt.date:
    """The date ``years`` years (and ``days`` days) before ``today`` (29 Feb -> 28 Feb)."""
    try:
        date = today.replace(year=today.year - years)
    except ValueError:
        date = today.replace(year=today.year - years, day=28)
    return date - dt.timedelta(days=days)

"""Passports for simulated citizens: TD3 MRZ lines built from a few facts, with check digits.

Scenario files give dates relative to today ("expires in 400 days", "born 41 years ago"), so a
scenario keeps meaning the same thing whatever the date the tests run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.document.compose import compose

#: Characters the name fields of TD3 line 1 hold after the document code and issuing state.
NAME_WIDTH = 39


def _name(text: str) -> str:
    """Upper case, hyphens and repeated spaces folded to single spaces (fillers in the MRZ)."""
    return " ".join(text.upper().replace("-", " ").split())


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

    def mrz(self) -> tuple[str, ...]:
        """The two TD3 lines of 44 characters, composed by the document core."""
        surname = _name(self.surname)
        # Too long a name is cut on the given names, so the surname stays whole.
        given = _name(self.given_names)[: max(0, NAME_WIDTH - len(surname) - 2)].rstrip()
        return compose("TD3", {
            "document_code": self.document_code.rstrip("<"),
            "issuing_state": self.issuing_state,
            "surname": surname,
            "given_names": given,
            "document_number": self.number.upper(),
            "nationality": self.nationality,
            "birth_date": self.birth.strftime("%y%m%d"),
            "sex": self.sex,
            "expiry_date": self.expiry.strftime("%y%m%d"),
            "optional_data": self.personal_number.upper(),
        })


def years_ago(today: dt.date, years: int, days: int = 0) -> dt.date:
    """The date ``years`` years (and ``days`` days) before ``today`` (29 Feb -> 28 Feb)."""
    try:
        date = today.replace(year=today.year - years)
    except ValueError:
        date = today.replace(year=today.year - years, day=28)
    return date - dt.timedelta(days=days)

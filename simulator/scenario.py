"""Scenarios: who the simulated citizen is, what they present, and what they do, as data files.

A scenario file (``simulator/scenarios/<name>.toml``) names the citizen's passport (facts with
dates relative to today), the camera persona, the condition of each finger, and the scripted
steps: on which screen to tap which button, and which device faults to inject or clear. Device
actions (laying the passport on the scanner, pressing a finger, signing) are done by the
simulated citizen whenever the kiosk asks, after ``act_delay_s``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kiosk.safetext import printable
from kiosk.tomlfile import TomlFileError, read_toml
from simulator.documents import PassportFacts, years_ago

SCENARIO_DIR = Path(__file__).with_name("scenarios")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Passport(_Model):
    """The passport the citizen lays on the scanner."""

    surname: str = "Hansen"
    given_names: str = "Mette"
    number: str = "208311579"
    age_years: int = Field(40, ge=0, le=120)
    expires_in_days: int = 200
    """Negative for a passport that has already expired."""
    sex: Literal["F", "M", "<"] = "F"
    issuing_state: str = "DNK"
    nationality: str = "DNK"
    document_code: str = "P<"
    lines: tuple[str, ...] | None = None
    """Exact MRZ lines, instead of the facts above (for unreadable or damaged passports)."""

    def mrz(self, today: dt.date) -> tuple[str, ...]:
        """The MRZ lines as printed in the passport."""
        if self.lines is not None:
            return self.lines
        facts = PassportFacts(
            surname=self.surname, given_names=self.given_names, number=self.number,
            birth=years_ago(today, self.age_years, days=45),
            expiry=today + dt.timedelta(days=self.expires_in_days), sex=self.sex,
            issuing_state=self.issuing_state, nationality=self.nationality,
            document_code=self.document_code)
        return facts.mrz()


FingerCondition = Literal["good", "dry", "wet", "partial", "smudge", "light", "dark", "missing"]


class Fingers(_Model):
    """The citizen's fingers: a seed for their prints, and the state of each finger."""

    seed: int = 7
    conditions: dict[str, FingerCondition] = Field(default_factory=dict)
    """Per finger name (``left_index``, ``right_thumb``...); unnamed fingers are good."""

    def condition(self, finger: str) -> FingerCondition:
        """How this finger presents."""
        return self.conditions.get(finger, "good")


class Step(_Model):
    """One thing the scripted citizen (or the scenario) does once the kiosk shows ``screen``."""

    screen: str
    tap: str | None = None
    """The id of the button to tap."""
    fault: str | None = None
    """A device fault to inject, ``device:fault`` (e.g. ``scanner:unplug``)."""
    clear: str | None = None
    """A fault to clear, ``device:fault``."""
    params: dict[str, float | int | str] = Field(default_factory=dict)
    """Parameters of the injected fault (``delay``, ``count``, ``mode``...)."""
    persona: str | None = None
    """Switch the camera persona."""
    sign_in: str | None = Field(None, min_length=1, max_length=32)
    """A librarian signs in at the kiosk under this staff name (the player makes the account,
    with a random PIN, in a throwaway accounts file: no PIN is written in a scenario)."""
    wait_s: float = 0.0
    """Pause before acting."""

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        actions = [self.tap, self.fault, self.clear, self.persona, self.sign_in]
        if sum(action is not None for action in actions) > 1:
            raise ValueError("a step does one thing: tap, fault, clear, persona or sign_in")
        return self


class Expectation(_Model):
    """How the scenario should end."""

    outcome: Literal["completed", "refused", "aborted"] = "completed"
    refusal: str | None = None


class Scenario(_Model):
    """A whole scripted visit."""

    name: str
    description: str
    language: Literal["da", "en"] = "en"
    passport: Passport = Passport()
    persona: str = "compliant"
    """Camera persona (``simulator/personas/<name>.toml``)."""
    eye_offset_mm: float = Field(0.0, ge=-600, le=600)
    """How far the citizen's eyes are above the camera as the kiosk starts (mm; negative:
    below, a child or a seated citizen). A camera lift changes it as it moves."""
    lift: bool = False
    """The kiosk has a camera lift: the simulator brings one up even when the configuration
    names none."""
    fingers: Fingers = Fingers()
    signature_seed: int = 3
    act_delay_s: float = Field(0.3, ge=0)
    """How long the citizen takes to act on a device after the kiosk asks."""
    step_timeout_s: float = Field(90.0, gt=0)
    """How long the script waits for a screen before it gives up."""
    steps: tuple[Step, ...] = ()
    expect: Expectation = Expectation()


class ScenarioError(Exception):
    """A scenario does not exist or its file is wrong."""


def available() -> list[str]:
    """Names of the bundled scenarios."""
    return sorted(path.stem for path in SCENARIO_DIR.glob("*.toml"))


def load_scenario(name_or_path: str) -> Scenario:
    """A bundled scenario by name, or a scenario file by path (read with care: a file that is
    not UTF-8, too deep, too large or not a file is one ScenarioError line)."""
    path = Path(name_or_path)
    if not path.suffix:
        path = SCENARIO_DIR / f"{name_or_path}.toml"
    try:
        data = read_toml(path, "scenario file")
    except TomlFileError as error:
        if not path.exists() and not path.is_symlink():
            raise ScenarioError(f"no scenario {printable(name_or_path)!r}; available: "
                                f"{', '.join(available())}") from None
        raise ScenarioError(str(error)) from None
    data.setdefault("name", path.stem)
    try:
        return Scenario(**data)
    except ValidationError as error:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
        if len(problems) > 10:
            problems[10:] = [f"... and {len(problems) - 10} more problems"]
        raise ScenarioError(printable(f"{path}: {'; '.join(problems)}")) from None

"""Scenario files load, and their passports carry correct ICAO 9303 check digits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.document.checkdigit import compute
from kiosk.document.settings import DocumentSettings
from simulator.scenario import ScenarioError, available, load_scenario

TODAY = dt.date(2026, 11, 21)


def test_icao_check_digit_examples() -> None:
    # Doc 9303 Part 3, §4.9 worked examples.
    assert compute("520727") == 3
    assert compute("AB2134<<<") == 5
    assert compute("L898902C3") == 6


@pytest.mark.parametrize("name", available())
def test_every_bundled_scenario_loads(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.steps, name
    assert all(len(line) == 44 for line in scenario.passport.mrz(TODAY))


def test_happy_passport_is_eligible_for_self_service() -> None:
    from kiosk.document.decision import assess_document

    lines = load_scenario("happy").passport.mrz(TODAY)
    decision = assess_document(lines, TODAY, DocumentSettings())
    assert decision.eligible and decision.path == "self_service"


def test_expired_document_is_refused_with_its_reason() -> None:
    from kiosk.document.decision import assess_document

    scenario = load_scenario("expired-document")
    decision = assess_document(scenario.passport.mrz(TODAY), TODAY, DocumentSettings())
    assert not decision.eligible
    assert decision.reason == scenario.expect.refusal


def test_unknown_scenario_lists_the_known_ones() -> None:
    with pytest.raises(ScenarioError, match="available: .*happy"):
        load_scenario("no-such-scenario")


def test_bad_scenario_file_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('description = "x"\n[[steps]]\nscreen = "welcome"\ntap = "a"\n'
                    'fault = "scanner:unplug"\n')
    with pytest.raises(ScenarioError, match="steps.0"):
        load_scenario(str(path))

"""The fingerprint step: requests announced once, positions from the request, lifts between."""

from __future__ import annotations

import time

from drivers.interfaces import FingerprintImage
from kiosk.fingerprint.settings import FingerprintSettings
from kiosk.steps.fingerprints import FingerStep
from simulator.fingerprints import persona_finger


def image(position: int, attempt: int, condition: str = "good") -> FingerprintImage:
    return FingerprintImage(persona_finger(7, position, condition, attempt), 500, time.monotonic())


def test_sequence_asks_left_then_right_and_stores_their_positions() -> None:
    heard: list[tuple[str, int, int]] = []
    step = FingerStep(FingerprintSettings(), age=40)
    step.observers.append(lambda kind, position, attempt: heard.append((kind, position, attempt)))
    asked = []
    while not step.is_done:
        request = step.request()
        step.request()  # asking twice announces once
        asked.append((int(request.capture.position), request.attempt))
        step.record(image(int(request.capture.position), request.attempt))
    assert asked[0] == (7, 1) and (2, 1) in asked
    assert [int(finger.position) for finger in step.result().fingers] == [7, 2]
    places = [entry for entry in heard if entry[0] == "place"]
    lifts = [entry for entry in heard if entry[0] == "lift"]
    assert len(places) == len(lifts) == len(asked)


def test_no_fingerprints_under_twelve() -> None:
    step = FingerStep(FingerprintSettings(), age=9)
    assert step.is_done
    assert step.result().outcome.value == "exempt_age"


def test_unknown_age_takes_fingerprints() -> None:
    assert not FingerStep(FingerprintSettings(), age=None).is_done


def test_a_blank_capture_tells_the_citizen_what_to_do() -> None:
    import numpy as np

    step = FingerStep(FingerprintSettings(), age=40)
    request = step.request()
    blank = FingerprintImage(np.full((288, 256), 255, np.uint8), 500, time.monotonic())
    outcome = step.record(blank)
    assert outcome.text_key == "fingerprint.feedback_no_finger"
    assert step.request().attempt == request.attempt + 1

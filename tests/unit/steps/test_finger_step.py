"""The fingerprint step: positions from the request, outcomes with their quality."""

from __future__ import annotations

import time

from drivers.interfaces import FingerprintImage
from kiosk.fingerprint.settings import FingerprintSettings
from kiosk.steps.fingerprints import FingerStep
from simulator.fingerprints import persona_finger


def image(position: int, attempt: int, condition: str = "good") -> FingerprintImage:
    return FingerprintImage(persona_finger(7, position, condition, attempt), 500, time.monotonic())


def test_sequence_asks_left_then_right_and_stores_their_positions() -> None:
    step = FingerStep(FingerprintSettings(), age=40)
    asked = []
    while not step.is_done:
        request = step.request()
        assert step.request() == request  # asking again changes nothing
        asked.append((request.position, request.attempt))
        outcome = step.record(image(request.position, request.attempt), request)
        assert outcome.quality is not None and 0 <= outcome.quality <= 100
    assert asked[0] == (7, 1) and (2, 1) in asked
    assert [int(finger.position) for finger in step.result().fingers] == [7, 2]
    assert step.finger_key(7) == "fingerprint.finger_left_index"


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
    outcome = step.record(blank, request)
    assert outcome.text_key == "fingerprint.feedback_no_finger"
    assert step.request().attempt == request.attempt + 1


def test_staff_skip_moves_on_and_drops_an_image_in_flight() -> None:
    step = FingerStep(FingerprintSettings(), age=40)
    request = step.request()
    assert int(request.capture.position) == 7
    step.mark_unavailable("amputated")
    # The image captured for the left index arrives after the skip: it must not be filed
    # under the left thumb, which is asked for now.
    outcome = step.record(image(7, 1), request)
    assert outcome.text_key == "ui.fingerprints.discarded"
    following = step.request()
    assert int(following.capture.position) == 6 and following.attempt == 1
    while not step.is_done:
        current = step.request()
        step.record(image(int(current.capture.position), current.attempt), current)
    result = step.result()
    assert [int(f.position) for f in result.fingers] == [6, 2]
    assert [(int(p), r.value) for p, r in result.unavailable] == [(7, "amputated")]

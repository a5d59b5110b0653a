"""What the fingerprint runner may ask for before the last capture is judged."""

from __future__ import annotations

import time

from drivers.interfaces import FingerprintImage
from kiosk.fingerprint.settings import FingerprintSettings
from kiosk.steps.fingerprints import FingerStep
from simulator.fingerprints import persona_finger


def image(position: int, attempt: int) -> FingerprintImage:
    return FingerprintImage(persona_finger(7, position, "good", attempt), 500, time.monotonic())


def test_the_predicted_request_is_always_the_one_the_sequence_asks_for() -> None:
    step = FingerStep(FingerprintSettings(), age=40)
    predicted = 0
    while not step.is_done:
        request = step.request()
        following = step.following(request)
        step.record(image(request.position, request.attempt), request)
        if following is not None:
            predicted += 1
            assert step.request() == following
    # Attempts 1 and 2 of each of the two fingers; the third decides the next finger.
    assert predicted == 4


def test_the_last_attempt_of_a_finger_predicts_nothing() -> None:
    settings = FingerprintSettings(attempts_per_finger=2)
    step = FingerStep(settings, age=40)
    first = step.request()
    second = step.following(first)
    assert second is not None and (second.position, second.attempt) == (first.position, 2)
    assert step.following(second) is None


def test_a_prediction_made_stale_by_staff_is_dropped_not_misfiled() -> None:
    step = FingerStep(FingerprintSettings(), age=40)
    first = step.request()
    step.record(image(first.position, 1), first)
    predicted = step.following(first)
    assert predicted is not None
    step.mark_unavailable("amputated")
    outcome = step.record(image(predicted.position, predicted.attempt), predicted)
    assert outcome.text_key == "ui.fingerprints.discarded"
    assert step.request().position != first.position

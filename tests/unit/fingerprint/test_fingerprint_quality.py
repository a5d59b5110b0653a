"""Quality score and actionable feedback on synthetic prints with known degradations."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.fingerprint.quality import BLOCKING, Feedback, assess_quality
from kiosk.fingerprint.settings import FingerprintSettings
from kiosk.i18n import LANGUAGES, catalog


def _median_score(images: list[np.ndarray]) -> float:
    return float(np.median([assess_quality(image).score for image in images]))


def test_good_synthetic_print_is_usable(good_print: np.ndarray) -> None:
    result = assess_quality(good_print)
    assert result.usable(FingerprintSettings())
    assert result.feedback == ()
    assert 0 <= result.score <= 100
    assert result.measures["minutiae_count"] >= 12


@pytest.mark.parametrize("condition", ["dry", "wet", "partial", "smudge", "light", "dark"])
def test_every_degradation_lowers_the_score(
    prints_by_condition: dict[str, list[np.ndarray]], condition: str
) -> None:
    good = [assess_quality(image).score for image in prints_by_condition["good"]]
    worse = [assess_quality(image).score for image in prints_by_condition[condition]]
    # Per persona, not only on average: the same finger degraded must score lower.
    assert all(w < g for w, g in zip(worse, good, strict=True)), (condition, good, worse)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("dry", {Feedback.TOO_DRY}),
        ("wet", {Feedback.TOO_WET, Feedback.TOO_DARK}),
        ("light", {Feedback.TOO_LIGHT}),
        ("dark", {Feedback.TOO_DARK}),
        ("partial", {Feedback.TOO_LITTLE_AREA, Feedback.OFF_CENTRE}),
        ("smudge", {Feedback.SMUDGED, Feedback.TOO_LITTLE_AREA, Feedback.NO_FINGER}),
    ],
)
def test_feedback_names_the_problem(
    prints_by_condition: dict[str, list[np.ndarray]], condition: str, expected: set[Feedback]
) -> None:
    for image in prints_by_condition[condition]:
        assert expected & set(assess_quality(image).feedback), condition


@pytest.mark.parametrize("value", [0, 128, 255])
def test_blank_frame_is_no_finger(value: int) -> None:
    result = assess_quality(np.full((288, 256), value, np.uint8))
    assert result.score == 0
    assert result.feedback == (Feedback.NO_FINGER,)
    assert not result.usable(FingerprintSettings())


def test_tiny_and_empty_images_do_not_raise() -> None:
    assert assess_quality(np.zeros((0, 0), np.uint8)).feedback == (Feedback.NO_FINGER,)
    assert assess_quality(np.full((20, 20), 90, np.uint8)).score == 0


def test_other_resolutions_are_resampled(good_print: np.ndarray) -> None:
    import cv2

    small = cv2.resize(good_print, None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA)
    native = assess_quality(good_print)
    resampled = assess_quality(small, ppi=400)
    assert abs(resampled.measures["period"] - native.measures["period"]) < 1.5


def test_blocking_feedback_makes_unusable() -> None:
    from kiosk.fingerprint.quality import QualityResult

    settings = FingerprintSettings(quality_threshold=10)
    for code in BLOCKING:
        assert not QualityResult(90, (code,)).usable(settings)
    assert QualityResult(90, (Feedback.TOO_DARK,)).usable(settings)


def test_every_feedback_and_finger_has_a_text_in_every_language() -> None:
    from kiosk.fingerprint.positions import FingerPosition

    keys = [code.text_key for code in Feedback] + [finger.text_key for finger in FingerPosition]
    for language in LANGUAGES:
        texts = catalog(language)
        missing = [key for key in keys if key not in texts]
        assert not missing, (language, missing)
    assert catalog("da")["fingerprint.finger_left_index"] == "venstre pegefinger"

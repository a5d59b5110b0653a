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


def test_heavier_degradation_scores_lower(good_print: np.ndarray) -> None:
    import cv2

    rng = np.random.default_rng(5)
    scores = []
    for sigma in (0.0, 1.5, 3.0):
        image = good_print.astype(np.float32)
        if sigma:
            image = cv2.GaussianBlur(image, (0, 0), sigma)
            image += rng.normal(0, 12 * sigma, image.shape)
        scores.append(assess_quality(np.clip(image, 0, 255).astype(np.uint8)).score)
    assert scores[0] > scores[1] > scores[2], scores


@pytest.mark.parametrize(
    ("shape", "ppi"),
    [
        ((1000, 4000), 500),  # a tenprint card's row of rolled prints: 8 x 2 inches
        ((1151, 100), 500),  # a swipe strip: 2.3 inches long
        ((760, 830), 500),  # one rolled print cut from a card with its box: 1.66 inches wide
        ((1200, 1200), 1000),  # 1.2 inches at 1000 ppi fits; see below
    ],
)
def test_images_larger_than_a_finger_sensor_are_refused(
    good_print: np.ndarray, shape: tuple[int, int], ppi: int
) -> None:
    tiles = (-(-shape[0] // good_print.shape[0]), -(-shape[1] // good_print.shape[1]))
    image = np.tile(good_print, tiles)[: shape[0], : shape[1]]
    result = assess_quality(image, ppi)
    too_large = shape[1] / ppi > 1.6 or shape[0] / ppi > 2.0
    assert (result.feedback == (Feedback.IMAGE_TOO_LARGE,)) is too_large
    if too_large:
        assert result.score == 0
        assert not result.usable(FingerprintSettings())
        assert result.measures["width_in"] == pytest.approx(shape[1] / ppi, abs=0.01)


def test_white_margins_do_not_count_towards_the_size(good_print: np.ndarray) -> None:
    # A finger on a large blank page is still one finger: NFIQ 2 trims the margin too.
    page = np.full((1500, 1500), 255, np.uint8)
    page[500 : 500 + good_print.shape[0], 500 : 500 + good_print.shape[1]] = good_print
    result = assess_quality(page)
    assert Feedback.IMAGE_TOO_LARGE not in result.feedback
    assert result.score > 0


def test_the_size_limits_are_settings(good_print: np.ndarray) -> None:
    strict = FingerprintSettings(max_finger_width_in=0.5)
    assert assess_quality(good_print, 500, strict).feedback == (Feedback.IMAGE_TOO_LARGE,)
    assert Feedback.IMAGE_TOO_LARGE not in assess_quality(good_print).feedback


def test_the_shipped_model_gives_the_score(good_print: np.ndarray) -> None:
    from kiosk.fingerprint.score_model import MODEL_PATH, load_model

    assert MODEL_PATH.is_file()
    model = load_model()
    result = assess_quality(good_print)
    assert result.feedback == ()  # no penalty: the score is the model's prediction
    assert result.score == round(model.predict(result.measures))
    assert set(model.features) <= set(result.measures)

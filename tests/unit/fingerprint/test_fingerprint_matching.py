"""Comparison: impressions of one synthetic master match, of different masters do not."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from kiosk.fingerprint.matching import compare, extract_template
from kiosk.fingerprint.settings import FingerprintSettings
from simulator.fingerprints import persona_finger


@pytest.fixture(scope="module")
def templates() -> dict[tuple[int, int], object]:
    return {
        (seed, attempt): extract_template(persona_finger(seed, 2, "good", attempt))
        for seed in (31, 32, 33)
        for attempt in (1, 2, 3)
    }


def test_same_master_matches(templates: dict) -> None:
    threshold = FingerprintSettings().match_threshold
    for seed in (31, 32, 33):
        for a, b in itertools.combinations((1, 2, 3), 2):
            assert compare(templates[seed, a], templates[seed, b]) >= threshold, (seed, a, b)


def test_different_masters_do_not_match(templates: dict) -> None:
    threshold = FingerprintSettings().match_threshold
    for (sa, a), (sb, b) in itertools.combinations(templates, 2):
        if sa != sb:
            assert compare(templates[sa, a], templates[sb, b]) < threshold, (sa, a, sb, b)


def test_left_and_right_of_one_persona_are_different_fingers() -> None:
    threshold = FingerprintSettings().match_threshold
    left = extract_template(persona_finger(40, 7, "good", 1))
    right = extract_template(persona_finger(40, 2, "good", 1))
    assert compare(left, right) < threshold


def test_score_range_and_degenerate_templates(templates: dict) -> None:
    empty = extract_template(np.full((300, 300), 250, np.uint8))
    assert len(empty) == 0
    assert compare(empty, templates[31, 1]) == 0.0
    assert 0.0 <= compare(templates[31, 1], templates[31, 1]) <= 1.0


def test_turned_and_shifted_copy_still_matches(templates: dict) -> None:
    """Alignment comes from the minutiae themselves: placement on the platen does not matter."""
    image = persona_finger(31, 2, "good", 1)
    height, width = image.shape
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), 25.0, 1.0)
    turn[:, 2] += (30.0, -20.0)
    moved = cv2.warpAffine(image, turn, (width, height), borderValue=255)
    threshold = FingerprintSettings().match_threshold
    assert compare(templates[31, 1], extract_template(moved)) >= threshold


def test_small_common_area_is_not_punished_twice(templates: dict) -> None:
    """A partial impression of the same finger still matches the full one."""
    image = persona_finger(32, 2, "good", 2)
    height, width = image.shape
    part = image[height // 4 : height // 4 + 220, width // 4 : width // 4 + 220]
    threshold = FingerprintSettings().match_threshold
    assert compare(templates[32, 1], extract_template(part)) >= threshold

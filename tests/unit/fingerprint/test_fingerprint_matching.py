"""Comparison: impressions of one synthetic master match, of different masters do not."""

from __future__ import annotations

import itertools

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

"""The analysis shared by quality and comparison: masked enhancement, half-resolution minutiae."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.fingerprint.blocks import block_view
from kiosk.fingerprint.impression import CaptureRequest, take_impression
from kiosk.fingerprint.matching import extract_template
from kiosk.fingerprint.measures import analyse
from kiosk.fingerprint.minutiae import enhance, extract, pixel_orientation, quality_minutiae
from kiosk.fingerprint.positions import FingerPosition
from simulator.fingerprints import persona_finger


@pytest.mark.parametrize("condition", ["good", "dry", "wet"])
def test_masked_enhancement_equals_the_whole_frame_inside_the_finger(condition: str) -> None:
    view = block_view(persona_finger(31, 2, condition, 1))
    orientation = pixel_orientation(view)
    whole = enhance(view, 9.0, orientation)
    masked = enhance(view, 9.0, orientation, view.pixel_mask)
    inside = view.pixel_mask
    assert inside.any() and not inside.all()
    np.testing.assert_allclose(masked[inside], whole[inside], atol=1e-4)
    assert not masked[~inside].any()
    # The same ridges give the same minutiae.
    full = extract(view, whole, orientation)[0]
    tiled = extract(view, masked, orientation)[0]
    assert np.array_equal(full.x, tiled.x) and np.array_equal(full.y, tiled.y)


def test_half_resolution_minutiae_count_follows_the_full_extraction() -> None:
    full_counts, half_counts, good = [], [], []
    for seed in range(40, 46):
        for condition in ("good", "dry", "smudge"):
            good.append(condition == "good")
            analysis = analyse(persona_finger(seed, 7, condition, 1))
            half = quality_minutiae(analysis.view, analysis.period, analysis.orientation)
            full_counts.append(len(analysis.minutiae))
            half_counts.append(len(half))
            height, width = analysis.view.image.shape
            assert np.all((half.x >= 0) & (half.x < width) & (half.y >= 0) & (half.y < height))
            assert analysis.measures["minutiae_count"] == len(half)
    full_a, half_a, good_a = np.array(full_counts), np.array(half_counts), np.array(good)
    assert np.corrcoef(full_a, half_a)[0, 1] > 0.8
    # Broken (dry) ridges give more endings at half resolution; clean ridges about as many.
    assert np.all(np.abs(half_a - full_a)[good_a] <= 0.25 * full_a[good_a] + 5)
    assert np.all(half_a >= 0.7 * full_a - 5)


def test_the_impression_template_is_the_full_resolution_one() -> None:
    image = persona_finger(12, 7, "good", 2)
    impression = take_impression(CaptureRequest(FingerPosition.LEFT_INDEX, 1), image)
    direct = extract_template(image)
    assert len(impression.template) == len(direct) > 12
    assert np.array_equal(impression.template.points, direct.points)
    assert np.array_equal(impression.template.field, direct.field)


def test_blank_frame_has_no_minutiae() -> None:
    analysis = analyse(np.full((300, 300), 255, np.uint8))
    assert len(analysis.minutiae) == 0
    assert not analysis.enhanced.any()
    assert analysis.measures["minutiae_count"] == 0

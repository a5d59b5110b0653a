"""NFIQ 2's own orientation-flow and grey-level measures (kiosk.fingerprint.nfiq)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.typing import NDArray

from kiosk.fingerprint.measures import analyse
from kiosk.fingerprint.nfiq import (
    HISTOGRAM_LIMITS,
    _tiles,
    flow_values,
    native_measures,
    trim_white,
)
from simulator.fingerprints import persona_finger


def ridges(
    ridge_angle_deg: float, size: int = 320, noise: float = 0.0, seed: int = 0
) -> NDArray[np.uint8]:
    """Straight sinusoidal ridges (9 px period) running at the given angle, optional noise."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    normal = np.radians(ridge_angle_deg + 90.0)
    phase = (xx * np.cos(normal) + yy * np.sin(normal)) * 2 * np.pi / 9.0
    image = 128 + 90 * np.sin(phase)
    image += np.random.default_rng(seed).normal(0.0, noise, image.shape)
    out: NDArray[np.uint8] = np.clip(image, 0, 255).astype(np.uint8)
    return out


def with_margin(
    image: NDArray[np.uint8], top: int, left: int, bottom: int, right: int
) -> NDArray[np.uint8]:
    out = np.full((image.shape[0] + top + bottom, image.shape[1] + left + right), 255, np.uint8)
    out[top : top + image.shape[0], left : left + image.shape[1]] = image
    return out


@pytest.mark.parametrize("angle", [60.0, 90.0, 120.0, 135.0])
def test_straight_ridges_have_no_flow_above_four_degrees(angle: float) -> None:
    measures = native_measures(ridges(angle))
    assert sum(measures[f"nf_of_{index}"] for index in range(10)) == 0
    assert measures["nf_of_mean"] == 0.0


def test_horizontal_ridges_count_as_flow_because_nfiq2_does_not_wrap_angles() -> None:
    # The gradient of horizontal ridges points along +-90 degrees; noise flips it between the
    # two ends and NFIQ 2 takes the raw difference (up to 180 degrees), so such blocks count
    # as strongly changing flow. Vertical ridges with the same noise stay near 0 degrees.
    horizontal = native_measures(ridges(0.0, noise=25.0, seed=1))
    vertical = native_measures(ridges(90.0, noise=25.0, seed=1))
    assert horizontal["nf_of_mean"] > 0.3
    assert vertical["nf_of_mean"] == 0.0
    assert horizontal["nf_of_9"] > 0


def test_white_margins_are_trimmed_before_any_measure() -> None:
    finger = ridges(75.0, size=288, noise=20.0, seed=3)
    framed = with_margin(finger, 13, 7, 21, 30)
    assert trim_white(framed).shape == finger.shape
    assert native_measures(framed) == native_measures(finger)
    assert native_measures(framed)["nf_mu"] == pytest.approx(float(finger.mean()))
    # Untrimmed, the margins would shift the block grid and lighten the mean.
    assert framed.mean() > finger.mean() + 10


def test_histogram_counts_every_flow_value_in_its_nfiq2_bin() -> None:
    image = trim_white(persona_finger(12, 7, "smudge", 1))
    tiles, means = _tiles(image)
    values = flow_values(image, tiles)
    measures = native_measures(image)
    assert values.size > 0
    counts = [measures[f"nf_of_{index}"] for index in range(10)]
    assert sum(counts) == values.size
    assert counts[0] == np.sum(values < HISTOGRAM_LIMITS[0])
    assert counts[9] == np.sum(values >= HISTOGRAM_LIMITS[8])
    assert measures["nf_of_mean"] == pytest.approx(values.mean())
    assert measures["nf_mmb"] == pytest.approx(means.mean())


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_noise_on_a_print_disturbs_its_flow(seed: int) -> None:
    clean = persona_finger(seed, 7, "good", 1)
    noisy = clean.astype(np.float64) + np.random.default_rng(seed).normal(0, 60, clean.shape)
    before = native_measures(clean)
    after = native_measures(np.clip(noisy, 0, 255).astype(np.uint8))
    assert after["nf_of_mean"] > before["nf_of_mean"]
    assert after["nf_of_9"] >= before["nf_of_9"]


@pytest.mark.parametrize(
    "image",
    [
        np.full((400, 300), 255, np.uint8),
        np.zeros((400, 300), np.uint8),
        np.full((20, 20), 90, np.uint8),
        np.zeros((0, 0), np.uint8),
    ],
    ids=["white", "black", "tiny", "empty"],
)
def test_blank_and_tiny_images_give_no_flow(image: NDArray[np.uint8]) -> None:
    measures = native_measures(image)
    assert measures["nf_of_mean"] == 0.0 and measures["nf_of_std"] == 0.0
    assert all(measures[f"nf_of_{index}"] == 0 for index in range(10))


def test_analyse_reports_the_native_measures() -> None:
    measures = analyse(persona_finger(11, 7, "good", 1)).measures
    assert {"nf_mu", "nf_mmb", "nf_of_mean", "nf_of_std", "nf_of_0", "nf_of_9"} <= measures.keys()


@given(
    arrays(
        np.uint8,
        st.tuples(st.integers(0, 120), st.integers(0, 120)),
        elements=st.integers(0, 255),
    )
)
def test_any_small_image_gives_finite_measures(image: NDArray[np.uint8]) -> None:
    measures = native_measures(image)
    assert all(np.isfinite(value) for value in measures.values())
    assert 0 <= measures["nf_mu"] <= 255

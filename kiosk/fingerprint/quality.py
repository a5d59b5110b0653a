"""Fingerprint image quality: a 0-100 score that ranks like NFIQ 2, and actionable feedback."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

import cv2
import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from kiosk.fingerprint.blocks import BLOCK
from kiosk.fingerprint.measures import Analysis, analyse
from kiosk.fingerprint.score_model import load_model
from kiosk.fingerprint.settings import FingerprintSettings

#: The resolution every measure is defined at; other resolutions are resampled to it.
NATIVE_PPI = 500


class Feedback(StrEnum):
    """What the citizen should change, most fundamental first; the UI shows the first one.

    Each code has a text ``fingerprint.feedback_<code>`` in every language.
    """

    IMAGE_TOO_LARGE = "image_too_large"
    NO_FINGER = "no_finger"
    TOO_LITTLE_AREA = "too_little_area"
    OFF_CENTRE = "off_centre"
    TOO_DARK = "too_dark"
    TOO_LIGHT = "too_light"
    TOO_WET = "too_wet"
    TOO_DRY = "too_dry"
    SMUDGED = "smudged"
    TOO_FEW_MINUTIAE = "too_few_minutiae"

    @property
    def text_key(self) -> str:
        """Translation key of the instruction, e.g. ``fingerprint.feedback_too_dry``."""
        return f"fingerprint.feedback_{self.value}"


#: Share of the score each detected condition takes away. The fitted model learnt NFIQ 2's
#: ranking from a few reference images in which these conditions are rare; the rules that
#: detect them were set on synthetic prints with known degradations, so they also lower
#: the score, as NFIQ 2 does for such images.
PENALTY: dict[Feedback, float] = {
    Feedback.TOO_LITTLE_AREA: 0.3,
    Feedback.OFF_CENTRE: 0.1,
    Feedback.TOO_DARK: 0.25,
    Feedback.TOO_LIGHT: 0.25,
    Feedback.TOO_WET: 0.3,
    Feedback.TOO_DRY: 0.3,
    Feedback.SMUDGED: 0.3,
    Feedback.TOO_FEW_MINUTIAE: 0.3,
}

#: Feedback that makes an impression unusable whatever its score.
BLOCKING = frozenset(
    {
        Feedback.IMAGE_TOO_LARGE,
        Feedback.NO_FINGER,
        Feedback.TOO_LITTLE_AREA,
        Feedback.TOO_FEW_MINUTIAE,
    }
)

# Thresholds of the feedback rules, set on the synthetic conditions and checked against the
# reference images (few false alarms on FVC2002 captures NFIQ 2 rates 50 or better).
_EMPTY_STD = 1.0  # NFIQ 2 UniformImage: grey-level standard deviation below 1
_EMPTY_MEAN = 250.0  # NFIQ 2 EmptyImageOrContrastTooLow: mean grey above 250
_WHITE_MARGIN = 250.0  # rows and columns this light at the image's edges are blank margin
_NO_FINGER_AREA = 8_000  # fewer finger pixels than a fingertip's tenth: nothing was placed
_OFF_CENTRE = 0.18  # finger centre off the image centre by more than this share of the size
_DARK_MEAN = 75.0  # finger area this dark: ridges are pressed into each other
_LIGHT_MEAN = 200.0  # finger area this light and flat: too little pressure
_FLAT_CONTRAST = 27.0  # median block standard deviation below which ridges are faint
_WET_RATIO = 1.4  # ridges this much wider than the valleys: moisture fills the valleys
_DRY_BREAKS = 0.95  # grey-level spread along ridges this high on a light print: broken ridges
_SMUDGE_CONTRAST = 27.0  # faint ridges at normal brightness: the finger moved or smeared


@dataclass(frozen=True)
class QualityResult:
    """The quality of one impression.

    Attributes:
        score: 0-100, higher is better, on NFIQ 2's scale.
        feedback: Feedback codes, most fundamental first; empty when nothing is wrong.
        measures: The native measures the score was computed from (see ``measures.analyse``).
    """

    score: int
    feedback: tuple[Feedback, ...]
    measures: dict[str, float] = field(default_factory=dict)

    def usable(self, settings: FingerprintSettings) -> bool:
        """At or above the quality threshold and no blocking feedback."""
        return self.score >= settings.quality_threshold and not BLOCKING.intersection(self.feedback)


def _grey(pixels: npt.ArrayLike, ppi: float) -> NDArray[np.uint8]:
    """The image as 2-D 8-bit grey at its own resolution (which must be positive and finite)."""
    if not math.isfinite(ppi) or ppi <= 0:
        raise ValueError(f"resolution must be positive, got {ppi} ppi")
    image = np.asarray(pixels)
    if image.ndim == 3:
        image = cv2.cvtColor(image.astype(np.uint8), cv2.COLOR_BGR2GRAY)
    if image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    grey: NDArray[np.uint8] = image
    return grey


def to_native(pixels: npt.ArrayLike, ppi: float) -> NDArray[np.uint8]:
    """The image as 8-bit grey at 500 ppi (resampled when captured at another resolution)."""
    image = _grey(pixels, ppi)
    if abs(ppi - NATIVE_PPI) <= 5:  # 500 +- 5 ppi counts as 500 (EU VIS rules)
        return image
    factor = NATIVE_PPI / ppi
    size = (max(1, round(image.shape[1] * factor)), max(1, round(image.shape[0] * factor)))
    resized = cv2.resize(
        image, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    )
    return resized.astype(np.uint8, copy=False)


def finger_extent(pixels: NDArray[np.uint8], ppi: float) -> tuple[float, float]:
    """Width and height in inches of the image without its blank white margins.

    As NFIQ 2 trims before checking the size: rows and columns at the edges whose mean
    grey is above 250 are margin, not finger.
    """
    if pixels.size == 0:
        return 0.0, 0.0
    rows = np.flatnonzero(pixels.mean(axis=1) <= _WHITE_MARGIN)
    cols = np.flatnonzero(pixels.mean(axis=0) <= _WHITE_MARGIN)
    if rows.size == 0 or cols.size == 0:
        return 0.0, 0.0
    return (cols[-1] - cols[0] + 1) / ppi, (rows[-1] - rows[0] + 1) / ppi


def oversized(
    pixels: NDArray[np.uint8], ppi: float, settings: FingerprintSettings
) -> QualityResult | None:
    """The refusal of an image far larger than any finger sensor, or None when it fits.

    A single-finger sensor captures at most about 1 x 1.2 inches (a rolled print 1.6 inches
    across); a tenprint card, a palm or a long swipe strip is no single flat finger, and a
    score would mean nothing.
    """
    width, height = finger_extent(pixels, ppi)
    if width <= settings.max_finger_width_in and height <= settings.max_finger_height_in:
        return None
    measures = {"width_in": round(width, 3), "height_in": round(height, 3)}
    return QualityResult(0, (Feedback.IMAGE_TOO_LARGE,), measures)


def assess(
    pixels: NDArray[np.uint8], ppi: float = NATIVE_PPI, settings: FingerprintSettings | None = None
) -> tuple[QualityResult, Analysis]:
    """Like :func:`assess_quality`, also returning the analysis for comparison and encoding."""
    settings = settings or FingerprintSettings()
    grey = _grey(pixels, ppi)
    # Checked before anything is resampled or analysed: a huge image costs nothing more.
    refused = oversized(grey, ppi, settings)
    if refused is not None:
        return refused, analyse(np.full((2 * BLOCK, 2 * BLOCK), 255, np.uint8))
    image = to_native(grey, ppi)
    analysis = analyse(image)
    measures = dict(analysis.measures)
    measures["std"] = float(image.std()) if image.size else 0.0
    feedback = _feedback(image, analysis, measures, settings)
    score = 0.0 if Feedback.NO_FINGER in feedback else load_model().predict(measures)
    for code in feedback:
        score *= 1.0 - PENALTY.get(code, 0.0)
    return QualityResult(int(round(score)), feedback, measures), analysis


def assess_quality(
    pixels: NDArray[np.uint8], ppi: float = NATIVE_PPI, settings: FingerprintSettings | None = None
) -> QualityResult:
    """Score one flat fingerprint image and say what to change.

    Args:
        pixels: 2-D uint8 grey image (dark ridges on a light background).
        ppi: Capture resolution; images not at 500 +- 5 ppi are resampled to 500.
        settings: Thresholds (minimum area, minimum minutiae); defaults when None.

    Returns:
        The score, the feedback codes and the measures. Never raises on a bad image:
        an empty or blank frame is a score of 0 with ``no_finger``.
    """
    return assess(pixels, ppi, settings)[0]


def _feedback(
    image: NDArray[np.uint8], analysis: Analysis, m: dict[str, float], settings: FingerprintSettings
) -> tuple[Feedback, ...]:
    if (
        image.size == 0
        or m["std"] < _EMPTY_STD
        or m["mu"] > _EMPTY_MEAN
        or m["roi_area"] < _NO_FINGER_AREA
    ):
        return (Feedback.NO_FINGER,)
    codes: list[Feedback] = []
    if m["roi_area"] < settings.minimum_area:
        codes.append(Feedback.TOO_LITTLE_AREA)
    mask = analysis.view.pixel_mask
    ys, xs = np.nonzero(mask)
    height, width = mask.shape
    if (
        abs(xs.mean() - width / 2) > _OFF_CENTRE * width
        or abs(ys.mean() - height / 2) > _OFF_CENTRE * height
    ):
        codes.append(Feedback.OFF_CENTRE)
    if m["roi_mean"] < _DARK_MEAN:
        codes.append(Feedback.TOO_DARK)
    elif m["roi_mean"] > _LIGHT_MEAN and m["contrast"] < _FLAT_CONTRAST:
        codes.append(Feedback.TOO_LIGHT)
    if m["rvu_mean"] > _WET_RATIO and m["roi_mean"] < 110:
        codes.append(Feedback.TOO_WET)
    elif m["ridge_breaks"] > _DRY_BREAKS and m["roi_mean"] > 150:
        codes.append(Feedback.TOO_DRY)
    elif m["contrast"] < _SMUDGE_CONTRAST and 90 <= m["roi_mean"] <= _LIGHT_MEAN:
        codes.append(Feedback.SMUDGED)
    if m["minutiae_count"] < settings.minimum_minutiae:
        codes.append(Feedback.TOO_FEW_MINUTIAE)
    return tuple(codes)

"""Thresholds and policy of the fingerprint core (the `[fingerprint]` section of the config)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from kiosk.fingerprint.positions import DEFAULT_FALLBACK, FORBIDDEN, FingerPosition


class FingerprintSettings(BaseModel):
    """Settings of the fingerprint core."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quality_threshold: int = Field(default=35, ge=0, le=100)
    """Lowest 0-100 quality score at which an impression is usable. No EU threshold is
    published (requirements §3); 35 keeps NFIQ 2's own 'poor' band (below about 30-35) out."""

    attempts_per_finger: int = Field(default=3, ge=1, le=10)
    """Captures per finger; the best agreeing one is kept (BSI: three)."""

    minimum_age: int = Field(default=12, ge=6)
    """No fingerprints below this age (Regulation 444/2009; never below 6)."""

    left_fallback: tuple[FingerPosition, ...] = DEFAULT_FALLBACK["left"]
    """Left-hand fingers in the order they are tried (index, then thumb, middle, ring)."""

    right_fallback: tuple[FingerPosition, ...] = DEFAULT_FALLBACK["right"]
    """Right-hand fingers in the order they are tried."""

    match_threshold: float = Field(default=0.12, ge=0.0, le=1.0)
    """Comparison score at or above which two impressions count as the same finger. Chosen on
    FVC2002 DB1 set B, between the second- and third-highest impostor scores (0.124, 0.113):
    FMR 0.07 % (2 of 2880), FNMR 3.9 % there (evaluation/fingerprint_eval.py)."""

    minimum_area: int = Field(default=50_000, ge=0)
    """Finger area in pixels at 500 ppi below which the citizen is asked to press flatter
    (NFIQ 2's SufficientFingerprintForeground threshold)."""

    minimum_minutiae: int = Field(default=12, ge=0)
    """Fewer minutiae than this cannot be compared reliably: ask for another touch."""

    max_image_pixels: int = Field(default=4_000_000, ge=10_000)
    """Largest image, in pixels at 500 ppi, that ``kiosk fingerprint`` will decode: 2000 x 2000,
    more than a four-finger slap (1600 x 1500). A tenprint card or a page scan is refused with
    a reason instead of scored; files at a higher resolution may be up to four times larger."""

    max_finger_width_in: float = Field(default=1.6, gt=0.0, le=10.0)
    """Widest image, in inches without its white margins, that is scored as one finger; a
    wider one gets ``image_too_large`` and score 0. A single-finger sensor captures at most
    about 1 x 1.2 inches and a rolled print is at most 1.6 inches across; 1.6 x 2.0 inches are
    NFIQ 2's own limits (800 x 1000 pixels at 500 ppi), so tenprint cards, palms and swipe
    strips are refused as NFIQ 2 refuses them."""

    max_finger_height_in: float = Field(default=2.0, gt=0.0, le=10.0)
    """Tallest image, in inches without its white margins, that is scored as one finger."""

    encoding: Literal["wsq", "png"] = "wsq"
    """Compression of the images in the hand-off record: WSQ (EU VIS) or lossless PNG.
    The lossless original is always kept beside it (``to_png_lossless``)."""

    @field_validator("left_fallback", "right_fallback")
    @classmethod
    def _never_little_finger(
        cls, fingers: tuple[FingerPosition, ...], info: ValidationInfo
    ) -> tuple[FingerPosition, ...]:
        if not fingers:
            raise ValueError("the fallback order needs at least one finger")
        if any(finger in FORBIDDEN for finger in fingers):
            raise ValueError("the little finger (and unknown) may never be captured for a passport")
        hand = "left" if info.field_name == "left_fallback" else "right"
        if any(finger.hand != hand for finger in fingers):
            raise ValueError(f"the {hand} fallback order may list {hand}-hand fingers only")
        if len(set(fingers)) != len(fingers):
            raise ValueError("a finger appears twice in the fallback order")
        return fingers

"""A captured impression: pixels, quality and minutiae, stamped with its finger position."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from kiosk.fingerprint.matching import Template, template_from_analysis
from kiosk.fingerprint.positions import FingerPosition
from kiosk.fingerprint.quality import NATIVE_PPI, QualityResult, assess, to_native
from kiosk.fingerprint.settings import FingerprintSettings


@dataclass(frozen=True)
class CaptureRequest:
    """What the kiosk asks for next: this finger, this attempt (1-based)."""

    position: FingerPosition
    attempt: int


@dataclass(frozen=True, eq=False)
class Impression:
    """One capture of one finger. Immutable: the position it was taken as can never change.

    Attributes:
        position: ISO/IEC 19794-4 finger position code, set from the capture request.
        attempt: Attempt number of this capture for its finger (1-based).
        pixels: Read-only 8-bit grey image at 500 ppi.
        quality: Quality score and feedback.
        template: Minutiae template for comparisons.
    """

    position: FingerPosition
    attempt: int
    pixels: NDArray[np.uint8] = field(repr=False)
    quality: QualityResult = field(repr=False)
    template: Template = field(repr=False)

    @property
    def ppi(self) -> int:
        """Resolution of :attr:`pixels` (always 500 ppi once captured)."""
        return NATIVE_PPI


def take_impression(
    request: CaptureRequest,
    pixels: NDArray[np.uint8],
    ppi: float = NATIVE_PPI,
    settings: FingerprintSettings | None = None,
) -> Impression:
    """Turn a sensor frame into an :class:`Impression` for the finger the kiosk asked for.

    The position comes from ``request``, never from the caller's own bookkeeping, so the
    label is fixed at the moment of capture.
    """
    image = to_native(pixels, ppi).copy()
    image.setflags(write=False)
    quality, analysis = assess(image, NATIVE_PPI, settings)
    return Impression(
        FingerPosition(request.position),
        request.attempt,
        image,
        quality,
        template_from_analysis(analysis),
    )

"""UVC camera properties through OpenCV: request format, size and rate; lock exposure and colour.

Properties are backend-specific and a device may silently refuse one, so every ``set()`` result
is checked and the value read back; the report says what actually stuck (devices.md §3.1).
"""

from __future__ import annotations

import logging
from typing import Protocol

import cv2

log = logging.getLogger(__name__)

#: V4L2's ``exposure_auto`` menu as OpenCV 4 passes it through: 1 manual, 3 aperture priority.
V4L2_EXPOSURE_MANUAL = 1
V4L2_EXPOSURE_AUTO = 3


class CaptureProperties(Protocol):
    """The property calls of a ``cv2.VideoCapture`` (or a test's fake device)."""

    def set(self, prop: int, value: float, /) -> bool: ...

    def get(self, prop: int, /) -> float: ...


def configure_format(
    cap: CaptureProperties,
    fourcc: str,
    width: int,
    height: int,
    fps: float,
    device: str = "camera",
) -> dict[str, str]:
    """Request pixel format, size, rate and a one-frame buffer; report what the device gives.

    Returns:
        ``{"fourcc": "MJPG (asked MJPG)", "width": "1280 (asked 1280)", ...}``; ``refused``
        is added where ``set()`` returned False.
    """
    report: dict[str, str] = {}
    requests = [
        # FOURCC first: the sizes a camera offers depend on the pixel format.
        ("fourcc", cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*fourcc)),
        ("width", cv2.CAP_PROP_FRAME_WIDTH, width),
        ("height", cv2.CAP_PROP_FRAME_HEIGHT, height),
        ("fps", cv2.CAP_PROP_FPS, fps),
        # One buffer: a frame read is the current one, not a stale queued one.
        ("buffersize", cv2.CAP_PROP_BUFFERSIZE, 1),
    ]
    for key, prop, value in requests:
        accepted = cap.set(prop, value)
        got = cap.get(prop)
        shown = fourcc_text(got) if key == "fourcc" else f"{got:g}"
        wanted = fourcc if key == "fourcc" else f"{value:g}"
        report[key] = f"{shown} (asked {wanted}{'' if accepted else ', refused'})"
        if not accepted:
            log.warning("%s: %s=%s refused, device gives %s", device, key, wanted, shown)
    return report


def lock_controls(
    cap: CaptureProperties, exposure: float | None = None, white_balance: float | None = None
) -> dict[str, str]:
    """Switch auto exposure, white balance and focus off, keeping the settled (or given) values.

    Call it after a warm-up, once the automatics have settled on the booth's lighting.

    Args:
        cap: An opened ``cv2.VideoCapture`` (V4L2 backend for these properties to work).
        exposure: Exposure to set (V4L2 units of 100 µs); None keeps the current value.
        white_balance: Colour temperature in Kelvin; None keeps the current value.

    Returns:
        ``{"exposure": "locked at 156", "white_balance": "not supported", ...}``
    """
    controls = [
        (
            "exposure",
            cv2.CAP_PROP_AUTO_EXPOSURE,
            V4L2_EXPOSURE_MANUAL,
            cv2.CAP_PROP_EXPOSURE,
            exposure,
        ),
        ("white_balance", cv2.CAP_PROP_AUTO_WB, 0, cv2.CAP_PROP_WB_TEMPERATURE, white_balance),
        ("focus", cv2.CAP_PROP_AUTOFOCUS, 0, cv2.CAP_PROP_FOCUS, None),
    ]
    report: dict[str, str] = {}
    for key, auto_prop, auto_off, prop, value in controls:
        ok = cap.set(auto_prop, auto_off)
        target = value if value is not None else cap.get(prop)
        ok = cap.set(prop, target) and ok
        report[key] = f"locked at {cap.get(prop):g}" if ok else "not supported"
    return report


def fourcc_text(value: float) -> str:
    """A FOURCC property value as its four characters (hex when unprintable)."""
    code = int(value)
    text = "".join(chr((code >> 8 * i) & 0xFF) for i in range(4))
    return text if text.isprintable() and text.strip() else f"{code:#x}"

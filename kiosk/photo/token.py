"""The token photo: crop, level and scale the chosen frame to 35 x 45, then encode it.

Only the token leaves this module: the full camera frame (with whoever stood behind the
citizen) is not kept for the hand-off. Both encodings happen in memory.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from kiosk.photo import geometry as geo
from kiosk.photo.analysis import FrameAnalysis, Pixels
from kiosk.photo.settings import PhotoSettings


class TokenPhotoError(ValueError):
    """The frame has no face to crop around (citizen-side: take another photo)."""


@dataclass(frozen=True)
class TokenPhoto:
    """The passport photo and what goes with it to the hand-off."""

    image: Pixels = field(repr=False)
    """The token image (BGR), 35 x 45 proportions."""
    jpeg: bytes = field(repr=False)
    jpeg_quality: int
    jpeg2000: bytes | None = field(repr=False)
    """JPEG 2000 of the same image (``None`` when switched off or it cannot fit)."""
    measurements: dict[str, float] = field(default_factory=dict)
    """Geometry of the token and the measures of the frame it was cut from."""
    checks: tuple[tuple[str, float | None, str], ...] = ()
    """The quality checks of the chosen frame: measure name, raw value, status (for the
    caseworker: the record says what the kiosk measured and judged)."""


def token_transform(a: FrameAnalysis, s: PhotoSettings) -> tuple[geo.Coords, tuple[int, int]]:
    """Affine matrix source -> token and the token size (width, height).

    Only a similarity (rotation, uniform scale, shift): the face is not altered.
    """
    if a.chin is None or a.crown is None or a.right_eye is None or a.left_eye is None:
        raise TokenPhotoError("no face to crop around")
    width = s.token_width_px
    height = round(width * 45.0 / 35.0)
    roll = geo.roll_degrees(a.right_eye, a.left_eye)
    eye_mid = (a.right_eye + a.left_eye) / 2.0
    head = float(np.linalg.norm(a.chin - a.crown))
    box_height = head / s.token_head_ratio
    # The eye midpoint lands centred across and at ``token_eye_line`` from the top: the ICAO
    # eye-line rule is then met whatever the crown estimate, which is the shakier number.
    axis = (a.chin - a.crown) / (head + 1e-9)
    centre = eye_mid + axis * (0.5 - s.token_eye_line) * box_height
    scale = height / box_height
    # OpenCV's positive angle turns the picture counter-clockwise, which levels a positive roll.
    m = np.asarray(
        cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), roll, scale), np.float64)
    m[:, 2] += (width / 2.0 - centre[0], height / 2.0 - centre[1])
    return m, (width, height)


def _encode_jpeg(image: Pixels, max_bytes: int, min_quality: int) -> tuple[bytes, int]:
    quality = 95
    while True:
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        if buf.nbytes <= max_bytes or quality <= min_quality:
            return buf.tobytes(), quality
        quality -= 5


def _encode_jp2(image: Pixels, max_bytes: int) -> bytes | None:
    """JPEG 2000 within ``max_bytes``, encoded in memory; ``None`` when it cannot fit.

    Pillow's OpenJPEG writes to a memory buffer. (OpenCV's ``imencode(".jp2")`` goes through
    a world-readable temporary file, which would put the citizen's face on disk.)
    """
    rgb = Image.fromarray(np.ascontiguousarray(image[:, :, ::-1]))
    # The rate is the compression ratio to the raw size; aim a little under the limit.
    ratio = max(1.0, image.nbytes / (0.9 * max_bytes))
    for _ in range(12):
        buffer = io.BytesIO()
        rgb.save(buffer, format="JPEG2000", irreversible=True, quality_mode="rates",
                 quality_layers=[ratio], no_jp2=False)
        if buffer.tell() <= max_bytes:
            return buffer.getvalue()
        ratio *= 1.25
    return None


def make_token_photo(frame_bgr: Pixels, analysis: FrameAnalysis,
                     settings: PhotoSettings | None = None) -> TokenPhoto:
    """Cut the token photo out of ``frame_bgr`` using the geometry in ``analysis``.

    Where the crop reaches past the frame edge (allowed up to ``max_frame_outside``), the edge
    pixels are repeated: no background is invented or replaced, and the face is untouched.

    Raises:
        TokenPhotoError: the analysis has no face.
    """
    s = settings or PhotoSettings()
    m, size = token_transform(analysis, s)
    scale = float(np.hypot(m[0, 0], m[0, 1]))
    source = frame_bgr
    warp = m.copy()
    if scale < 0.8:
        # warpAffine has no area mode: shrink with INTER_AREA first so fine detail (hair,
        # pores) does not alias, then rotate at about the final scale.
        pre = scale / 0.9
        source = np.asarray(
            cv2.resize(frame_bgr, None, fx=pre, fy=pre, interpolation=cv2.INTER_AREA), np.uint8)
        warp[:, :2] /= pre
    image = np.asarray(
        cv2.warpAffine(source, warp, size,
                       flags=cv2.INTER_LINEAR if scale < 1.0 else cv2.INTER_CUBIC,
                       borderMode=cv2.BORDER_REPLICATE),
        np.uint8)
    jpeg, quality = _encode_jpeg(image, s.jpeg_max_bytes, s.jpeg_min_quality)
    jp2 = _encode_jp2(image, s.jpeg_max_bytes) if s.encode_jpeg2000 else None
    assert analysis.right_eye is not None and analysis.left_eye is not None
    assert analysis.chin is not None and analysis.crown is not None  # token_transform checked
    eyes = np.array([analysis.right_eye, analysis.left_eye]) @ m[:, :2].T + m[:, 2]
    chin = m[:, :2] @ analysis.chin + m[:, 2]
    crown = m[:, :2] @ analysis.crown + m[:, 2]
    w, h = size
    measurements = {
        "token_width_px": float(w), "token_height_px": float(h),
        "token_inter_eye_px": float(np.linalg.norm(eyes[1] - eyes[0])),
        "token_eye_line_from_top": float(eyes[:, 1].mean() / h),
        "token_eye_center_offset": float(eyes[:, 0].mean() / w - 0.5),
        "token_head_ratio": float((chin[1] - crown[1]) / h),
        "token_roll_deg": float(geo.roll_degrees(eyes[0], eyes[1])),
        "source_inter_eye_px": float(analysis.inter_eye),
        "jpeg_bytes": float(len(jpeg)), "jpeg_quality": float(quality),
    }
    return TokenPhoto(image=image, jpeg=jpeg, jpeg_quality=quality, jpeg2000=jp2,
                      measurements=measurements)

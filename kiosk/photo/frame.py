"""Which frames the face analysis can be given at all: shape, pixel type and channel guard.

The face models are native code that aborts the whole process on some inputs instead of
raising (a 4 x 1000 strip is scaled to 256 x 64000 for the segmenter, past OpenCV's 32767-pixel
limit, and ``terminate`` is called). A camera driver, a USB hiccup or a test can hand the
analysis such a frame, so it is refused here, before any model sees it, with a short reason
that the report carries as "no usable frame". Imports nothing heavy, so that the CLI can share
the limits without loading OpenCV.
"""

from __future__ import annotations

from typing import Any

#: Shortest side of a frame the face analysis is given: below it no face can be found, and
#: the analysis' own downscaling breaks on strips one or two pixels high.
MIN_SIDE_PX = 32
#: Longest side over shortest side at most: a strip far narrower than any frame or photo makes
#: the face models abort (a 4 x 1000 image is scaled to 256 x 64000 for the segmenter).
MAX_ASPECT = 8
#: Channel counts a frame may have: grey, BGR, BGRA.
CHANNELS = (1, 3, 4)


def frame_size(frame: Any) -> tuple[int, int]:
    """(width, height) of an array-like frame, 0 where the shape has no such axis."""
    shape = tuple(getattr(frame, "shape", ()))
    height = int(shape[0]) if len(shape) >= 1 else 0
    width = int(shape[1]) if len(shape) >= 2 else 0
    return width, height


def shape_problem(width: int, height: int, max_pixels: int) -> str | None:
    """Why a ``width`` x ``height`` image cannot hold a face for the analysis, or ``None``."""
    short, long = sorted((width, height))
    if short < MIN_SIDE_PX or long > MAX_ASPECT * short:
        return (f"{width}x{height} pixels cannot hold a face (a photo needs at least "
                f"{MIN_SIDE_PX} pixels on each side and at most {MAX_ASPECT} times as long "
                f"as wide)")
    if width * height > max_pixels:
        return f"{width}x{height} pixels is more than the {max_pixels} pixels allowed"
    return None


def frame_problem(frame: Any, max_pixels: int) -> str | None:
    """Why ``frame`` is not an 8-bit grey, BGR or BGRA image the analysis can take, or ``None``.

    Checked without touching the pixels: the type, the pixel type, the number of axes and
    channels, then the size (:func:`shape_problem`).
    """
    dtype = getattr(frame, "dtype", None)
    shape = getattr(frame, "shape", None)
    if dtype is None or not isinstance(shape, tuple):
        return f"not an image array ({type(frame).__name__})"
    # numpy's uint8 by its class name first: str() of a dtype runs Python code in numpy that
    # costs about 40 us per live frame right after the models (cold caches).
    if type(dtype).__name__ != "UInt8DType" and str(dtype) != "uint8":
        return f"pixels of type {dtype}, not 8-bit"
    if len(shape) not in (2, 3):
        return f"{len(shape)} axes, not an image (height x width x channels)"
    if len(shape) == 3 and shape[2] not in CHANNELS:
        return f"{shape[2]} colour channels (grey, BGR or BGRA expected)"
    width, height = frame_size(frame)
    return shape_problem(width, height, max_pixels)

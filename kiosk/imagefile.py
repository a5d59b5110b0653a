"""Image files from outside the kiosk, read safely: header first, then decode, 8-bit out.

Every command that reads an image a person names goes through :func:`read_image` (bytes go
through :func:`decode_image`). The header is read first (Pillow's ``Image.open`` is lazy) and an
image with more pixels than the caller allows is refused before a byte of it is decoded, so a
small file that claims 30000 x 30000 pixels costs nothing. A file cut short, a file that is not
an image, a colour mode that cannot be converted: each becomes one :class:`ImageFileError` whose
text is the reason in a few words, never a traceback.

What comes out is 8-bit: grey (``H x W``) or BGR (``H x W x 3``, OpenCV's order), converted
correctly from every mode Pillow opens:

* 1-bit and palette images are expanded; a palette with a transparent entry is composited;
* alpha (``LA``, ``RGBA``, ``PA``, premultiplied) is composited on white, as printed on paper;
* 16- and 32-bit integer images are scaled by the bits their values actually use (a 12-bit
  sensor's values in a 16-bit file, or 8-bit values widened to 16), never truncated;
  floating point images in 0..1 are scaled by 255, others by their range;
* CMYK, YCbCr, HSV and the like are converted to RGB by Pillow.

The EXIF orientation is applied, as ``cv2.imread`` does. Only the first frame of a multi-frame
file (GIF, TIFF, WebP) is read. No UI, no configuration: limits are arguments.
"""

from __future__ import annotations

import io
import math
import os
import re
import stat
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

#: Largest image file read at all (an uncompressed 40 MP RGBA TIFF is 160 MB).
MAX_FILE_BYTES = 512 * 1024 * 1024

Colour = Literal["grey", "bgr"]


class ImageFileError(Exception):
    """The file cannot be used as an image; ``str()`` is the reason, one line, no file name."""


@dataclass(frozen=True)
class ImageInfo:
    """What the header says, before any pixel is decoded."""

    width: int
    height: int
    mode: str
    format: str
    ppi: float | None
    """Horizontal resolution stored in the file, when it is a plausible number."""

    @property
    def pixels(self) -> int:
        """Width times height."""
        return self.width * self.height


@dataclass(frozen=True)
class LoadedImage:
    """Decoded 8-bit pixels and the header they came from."""

    pixels: NDArray[np.uint8]
    info: ImageInfo


def read_image(path: Path | str, *, colour: Colour, max_pixels: int,
               check: Callable[[ImageInfo], None] | None = None,
               max_bytes: int = MAX_FILE_BYTES) -> LoadedImage:
    """Read an image file as 8-bit grey or BGR.

    Args:
        path: The file. It must be a regular file (not a directory, FIFO or device).
        colour: ``"grey"`` (``H x W``) or ``"bgr"`` (``H x W x 3``).
        max_pixels: Width times height above which the image is refused undecoded.
        check: Called with the header before decoding; may raise :class:`ImageFileError`
            (a caller's own limit, for example one that depends on the resolution).
        max_bytes: Files larger than this are refused unread.

    Raises:
        ImageFileError: The reason in one line (the caller adds the file name).
    """
    try:
        # Non-blocking, so that a FIFO named as an image is refused instead of waited on.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ImageFileError("no such file") from None
    except IsADirectoryError:
        raise ImageFileError("is a directory, not an image file") from None
    except OSError as error:
        raise ImageFileError(f"cannot be opened ({error.strerror or error})") from None
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode):
        os.close(fd)
        raise ImageFileError("is a directory, not an image file" if stat.S_ISDIR(status.st_mode)
                             else "is not a regular file")
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as handle:
        if status.st_size == 0:
            raise ImageFileError("the file is empty")
        if status.st_size > max_bytes:
            raise ImageFileError(f"the file is too large ({status.st_size:,} bytes; "
                                 f"at most {max_bytes:,})")
        return _read(handle, colour, max_pixels, check)


def decode_image(data: bytes, *, colour: Colour, max_pixels: int,
                 check: Callable[[ImageInfo], None] | None = None,
                 max_bytes: int = MAX_FILE_BYTES) -> LoadedImage:
    """Like :func:`read_image`, for an image already in memory."""
    if not data:
        raise ImageFileError("the file is empty")
    if len(data) > max_bytes:
        raise ImageFileError(f"the file is too large ({len(data):,} bytes; at most {max_bytes:,})")
    return _read(io.BytesIO(data), colour, max_pixels, check)


def _read(stream: IO[bytes], colour: Colour, max_pixels: int,
          check: Callable[[ImageInfo], None] | None) -> LoadedImage:
    with warnings.catch_warnings():
        # Pillow's own bomb check warns above Image.MAX_IMAGE_PIXELS and raises above twice
        # that; the caller's limit is lower still, and a warning must not pass as a verdict.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        warnings.simplefilter("ignore", UserWarning)  # odd EXIF or metadata is no reason
        try:
            with warnings.catch_warnings():
                # The caller's limit is checked the moment the header is read, with the size
                # in the message; Pillow's above twice its own limit still refuses here.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image = Image.open(stream)
        except (UnidentifiedImageError, Image.DecompressionBombWarning,
                Image.DecompressionBombError) as error:
            if isinstance(error, Image.DecompressionBombWarning | Image.DecompressionBombError):
                raise ImageFileError(_bomb(error, max_pixels)) from None
            raise ImageFileError("not an image file the kiosk can read") from None
        except Exception as error:  # any malformed header: untrusted input, one line
            raise ImageFileError(f"not a readable image ({_reason(error)})") from None
        with image:
            info = _info(image)
            if info.width < 1 or info.height < 1:
                raise ImageFileError(f"the image has no pixels ({info.width}x{info.height})")
            if check is not None:
                check(info)
            if info.pixels > max_pixels:
                raise ImageFileError(f"the image is too large ({info.width}x{info.height} = "
                                     f"{info.pixels:,} pixels; at most {max_pixels:,})")
            if ImageFile.LOAD_TRUNCATED_IMAGES:  # pragma: no cover - nobody sets it
                raise ImageFileError("cannot check for truncation (LOAD_TRUNCATED_IMAGES is on)")
            try:
                image.load()
                pixels = _convert(_oriented(image), colour)
            except ImageFileError:
                raise
            except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
                raise ImageFileError(_bomb(error, max_pixels)) from None
            except MemoryError:
                raise ImageFileError("not enough memory to decode the image") from None
            except Exception as error:  # a decoder's complaint about the data
                raise ImageFileError(_decode_reason(error)) from None
    return LoadedImage(pixels, info)


def _info(image: Image.Image) -> ImageInfo:
    width, height = image.size
    return ImageInfo(int(width), int(height), str(image.mode), str(image.format or "unknown"),
                     _ppi(image.info.get("dpi")))


def _ppi(dpi: object) -> float | None:
    """The horizontal resolution in the file, or None when absent or implausible."""
    try:
        value = float(dpi[0] if isinstance(dpi, tuple | list) else dpi)  # type: ignore[arg-type]
    except (TypeError, ValueError, IndexError, ZeroDivisionError, OverflowError):
        return None
    return value if math.isfinite(value) and 1.0 < value <= 100_000.0 else None


def _bomb(error: BaseException, max_pixels: int) -> str:
    """Pillow's decompression-bomb refusal in the words of the kiosk's own size limit."""
    found = re.search(r"\((\d+) pixels\)", str(error))
    size = f"{int(found.group(1)):,} pixels; " if found else ""
    return f"the image is too large ({size}at most {max_pixels:,})"


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:120]


def _decode_reason(error: BaseException) -> str:
    text = str(error).lower()
    if "truncated" in text or "not enough" in text or "premature" in text or isinstance(
            error, EOFError):
        return "the file is cut short (truncated image data)"
    if isinstance(error, OSError | ValueError | SyntaxError | EOFError):
        return f"the image data is damaged ({_reason(error)})"
    return f"the image cannot be decoded ({_reason(error)})"


def _oriented(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation (as ``cv2.imread`` does); a malformed tag is ignored."""
    try:
        turned = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - a damaged EXIF block leaves the pixels as stored
        return image
    return turned if turned is not None else image


_WIDE_MODES = ("I", "F")


def _convert(image: Image.Image, colour: Colour) -> NDArray[np.uint8]:
    """Pixels of any Pillow mode as 8-bit grey or BGR."""
    mode = image.mode
    if mode in _WIDE_MODES or mode.startswith(("I;", "F;")):
        wide = _scale_wide(np.asarray(image))
        return wide if colour == "grey" else np.ascontiguousarray(
            np.repeat(wide[:, :, None], 3, axis=2))
    if mode in ("PA", "La", "RGBa") or mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    mode = image.mode
    if mode in ("LA", "RGBA"):
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA"))
    if colour == "grey":
        target = image if image.mode == "L" else _to("L", image)
        grey: NDArray[np.uint8] = np.asarray(target, dtype=np.uint8)
        return grey
    rgb = image if image.mode == "RGB" else _to("RGB", image)
    array = np.asarray(rgb, dtype=np.uint8)
    bgr: NDArray[np.uint8] = np.ascontiguousarray(array[:, :, ::-1])
    return bgr


def _to(mode: str, image: Image.Image) -> Image.Image:
    try:
        return image.convert(mode)
    except ValueError:
        try:
            return image.convert("RGB").convert(mode)
        except ValueError:
            raise ImageFileError(f"colour mode {image.mode} cannot be converted") from None


def _scale_wide(values: NDArray[np.generic]) -> NDArray[np.uint8]:
    """16-bit, 32-bit or floating point grey values as 8-bit.

    Integers: scaled by the bits the values use (at least 8), so 8-bit data widened to 16 keeps
    its values, 12-bit data in a 16-bit file fills 0..255, and a full 16-bit image is divided by
    257. Floats: 0..1 scaled by 255, 0..255 kept, anything else stretched over its range.
    """
    if values.ndim != 2:
        raise ImageFileError(f"unexpected pixel layout {values.shape}")
    data = values.astype(np.float32)  # one working copy, scaled in place
    if values.dtype.kind == "f":
        np.nan_to_num(data, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
        low, high = (float(data.min()), float(data.max())) if data.size else (0.0, 0.0)
        if low >= 0.0 and high <= 1.0:
            data *= 255.0
        elif low < 0.0 or high > 255.0:
            data -= low
            data *= 255.0 / (high - low) if high > low else 0.0
    else:
        low_int = int(values.min()) if values.size else 0
        high_int = (int(values.max()) if values.size else 0) - min(low_int, 0)
        if low_int < 0:  # signed data: shift so the smallest value is black
            data -= low_int
        full = (1 << max(8, high_int.bit_length())) - 1
        if full > 255:
            data *= 255.0 / full
    np.rint(data, out=data)
    np.clip(data, 0, 255, out=data)
    return data.astype(np.uint8)

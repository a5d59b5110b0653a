"""Hand-off encodings: lossless PNG, WSQ, and the ISO/IEC 19794-4:2005 finger image record."""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from kiosk.fingerprint.impression import Impression
from kiosk.fingerprint.positions import FingerPosition

#: Compression codes of ISO/IEC 19794-4:2005 (general header, image compression algorithm).
COMPRESSION_CODES = {"raw": 0, "wsq": 2, "jpeg": 3, "jpeg2000": 4, "png": 5}
#: Image acquisition level 31: 500 ppi, 8 bits per pixel (ISO/IEC 19794-4 Table 1).
ACQUISITION_LEVEL = 31
#: Impression type 0: live-scan plain (flat), which is what the kiosk captures.
LIVE_SCAN_PLAIN = 0
_GENERAL = struct.Struct(">4s4s6sHHBBHHHHBBH")
_FINGER = struct.Struct(">IBBBBBHHB")

Compression = Literal["raw", "wsq", "png"]


def _grey(pixels: NDArray[np.uint8]) -> NDArray[np.uint8]:
    image = np.asarray(pixels)
    if image.ndim != 2 or image.dtype != np.uint8:
        raise ValueError("expected a 2-D uint8 grey image")
    return np.ascontiguousarray(image)


def to_png_lossless(pixels: NDArray[np.uint8], ppi: int = 500) -> bytes:
    """8-bit grey PNG with its resolution in the pHYs chunk; decodes to the identical pixels."""
    buffer = io.BytesIO()
    Image.fromarray(_grey(pixels), mode="L").save(
        buffer, format="PNG", dpi=(ppi, ppi), optimize=True
    )
    return buffer.getvalue()


def to_wsq(pixels: NDArray[np.uint8], ppi: int = 500) -> bytes:
    """WSQ (FBI wavelet scalar quantisation), as the EU VIS rules ask for fingerprints.

    The ``wsq`` package compresses at one fixed rate: its ratio argument is ignored
    (measured: 0.47-0.54 bits per pixel, about 16:1, on 500 ppi prints).
    """
    import _wsq  # the C codec of the wsq package; imported late as only hand-off needs it

    if ppi != 500:
        raise ValueError("WSQ is only used at 500 ppi here")
    image = _grey(pixels)
    return bytes(_wsq.compress(image.tobytes(), image.shape[0], image.shape[1], 0.75))


def from_wsq(data: bytes) -> NDArray[np.uint8]:
    """Decode WSQ bytes to a uint8 grey image."""
    import _wsq

    buffer, width, height, _ppi = _wsq.decompress(data)
    return np.frombuffer(bytes(buffer), np.uint8).reshape(height, width).copy()


def _encode(image: NDArray[np.uint8], compression: Compression) -> bytes:
    if compression == "wsq":
        return to_wsq(image)
    if compression == "png":
        return to_png_lossless(image)
    return image.tobytes()


def iso19794_4_record(
    impressions: Sequence[Impression], compression: Compression = "wsq", device_id: int = 0
) -> bytes:
    """An ISO/IEC 19794-4:2005 finger image record holding one view of each impression.

    Each finger's position code is read from its :class:`Impression`, which got it from the
    capture request, so nothing between capture and record can swap left and right.

    Raises:
        ValueError: No impressions, a finger twice, or an impression not at 500 ppi.
    """
    if not impressions:
        raise ValueError("a finger image record needs at least one impression")
    positions = [FingerPosition(impression.position) for impression in impressions]
    if len(set(positions)) != len(positions):
        raise ValueError("the same finger position appears twice")
    blocks = []
    for impression, position in zip(impressions, positions, strict=True):
        if impression.ppi != 500:
            raise ValueError("impressions must be at 500 ppi")
        image = _grey(impression.pixels)
        data = _encode(image, compression)
        height, width = image.shape
        header = _FINGER.pack(
            _FINGER.size + len(data), int(position), 1, 1, int(impression.quality.score),
            LIVE_SCAN_PLAIN, width, height, 0,
        )  # fmt: skip
        blocks.append(header + data)
    length = _GENERAL.size + sum(len(block) for block in blocks)
    general = _GENERAL.pack(
        b"FIR\0", b"010\0", length.to_bytes(6, "big"), device_id, ACQUISITION_LEVEL, len(blocks),
        1, 500, 500, 500, 500, 8, COMPRESSION_CODES[compression], 0,
    )  # fmt: skip
    return general + b"".join(blocks)


@dataclass(frozen=True)
class RecordView:
    """One finger view read back from a record (for checks and tests)."""

    position: FingerPosition
    quality: int
    width: int
    height: int
    compression: int
    data: bytes


def parse_iso19794_4(record: bytes) -> list[RecordView]:
    """Read back the views of a record made by :func:`iso19794_4_record`."""
    fields = _GENERAL.unpack_from(record, 0)
    if fields[0] != b"FIR\0" or fields[1] != b"010\0":
        raise ValueError("not an ISO/IEC 19794-4:2005 finger image record")
    if int.from_bytes(fields[2], "big") != len(record):
        raise ValueError("record length does not match")
    count, compression = fields[5], fields[12]
    offset = _GENERAL.size
    views = []
    for _ in range(count):
        length, position, _views, _view, quality, _kind, width, height, _ = _FINGER.unpack_from(
            record, offset
        )
        data = record[offset + _FINGER.size : offset + length]
        views.append(
            RecordView(FingerPosition(position), quality, width, height, compression, data)
        )
        offset += length
    return views

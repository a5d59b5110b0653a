"""A frame-number stamp in the pixels, so a benchmark can match received frames to sent ones."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: Bits in the stamp and the side of each bit's square, in pixels (big enough to survive JPEG).
BITS = 20
CELL = 12


def stamp_sequence(frame: NDArray[np.uint8], seq: int) -> None:
    """Write ``seq`` (mod 2**BITS) as black/white squares along the top-left edge, in place."""
    for bit in range(BITS):
        on = (seq >> bit) & 1
        frame[0:CELL, bit * CELL : (bit + 1) * CELL] = 255 if on else 0


def read_stamp(frame: NDArray[np.uint8]) -> int:
    """Read back the number :func:`stamp_sequence` wrote (from the centre of each square)."""
    c = CELL // 2
    value = 0
    for bit in range(BITS):
        if frame[c, bit * CELL + c].mean() > 127:
            value |= 1 << bit
    return value

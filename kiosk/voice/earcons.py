"""Earcons: short tones for what happens at a device, generated with numpy (no sound files).

Each is a few notes of a sine with a soft attack and release (no clicks), distinct by shape so
they can be told apart without words: the photo is a quick bright "snap", a saved fingerprint
a rising chime, and "lift your finger" two short beeps (the beep the fingerprint text mentions).
A single tick answers the volume buttons, at the new level.
"""

from __future__ import annotations

from enum import Enum

import numpy as np
from numpy.typing import NDArray

#: Peak level of an earcon, as a fraction of full scale (speech from espeak-ng peaks near it).
LEVEL = 0.45
#: Attack and release of each note (seconds).
FADE_S = 0.008


class Earcon(Enum):
    """The events that have a sound."""

    PHOTO_TAKEN = "photo_taken"
    FINGERPRINT_SAVED = "fingerprint_saved"
    LIFT_FINGER = "lift_finger"
    VOLUME = "volume"


#: Each earcon as notes: (frequency in Hz, or 0 for a pause; length in seconds).
NOTES: dict[Earcon, tuple[tuple[float, float], ...]] = {
    Earcon.PHOTO_TAKEN: ((1568.0, 0.05), (0.0, 0.02), (2093.0, 0.09)),
    Earcon.FINGERPRINT_SAVED: ((659.0, 0.09), (880.0, 0.09), (1319.0, 0.16)),
    Earcon.LIFT_FINGER: ((880.0, 0.11), (0.0, 0.07), (880.0, 0.11)),
    Earcon.VOLUME: ((1047.0, 0.12),),
}


def tone(frequency: float, seconds: float, sample_rate: int) -> NDArray[np.float64]:
    """One note at ``LEVEL`` (a pause when ``frequency`` is 0), faded in and out."""
    count = max(1, round(seconds * sample_rate))
    if frequency <= 0:
        return np.zeros(count)
    t = np.arange(count) / sample_rate
    note: NDArray[np.float64] = LEVEL * np.sin(2 * np.pi * frequency * t)
    fade = min(count // 2, round(FADE_S * sample_rate))
    if fade > 0:
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, fade))
        note[:fade] *= ramp
        note[-fade:] *= ramp[::-1]
    return note


def render(earcon: Earcon, sample_rate: int) -> NDArray[np.int16]:
    """The earcon as 16-bit samples at ``sample_rate``."""
    wave = np.concatenate([tone(frequency, seconds, sample_rate)
                           for frequency, seconds in NOTES[earcon]])
    samples: NDArray[np.int16] = np.round(wave * 32767).astype(np.int16)
    samples.setflags(write=False)
    return samples


def render_all(sample_rate: int) -> dict[Earcon, NDArray[np.int16]]:
    """Every earcon, rendered once at start."""
    return {earcon: render(earcon, sample_rate) for earcon in Earcon}

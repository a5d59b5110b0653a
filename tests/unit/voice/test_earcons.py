"""The earcons: short, audible, distinct from each other, and without clicks at their ends."""

from __future__ import annotations

import numpy as np

from kiosk.voice.earcons import NOTES, Earcon, render_all

RATE = 22050


def test_each_earcon_is_a_short_audible_tone() -> None:
    sounds = render_all(RATE)
    assert set(sounds) == set(Earcon)
    for earcon, samples in sounds.items():
        seconds = len(samples) / RATE
        assert abs(seconds - sum(length for _, length in NOTES[earcon])) < 0.01
        assert 0.1 < seconds < 0.6, earcon
        assert np.abs(samples).max() > 8000, earcon
        # soft attack and release: the first and last samples are near zero
        assert abs(int(samples[0])) < 500 and abs(int(samples[-1])) < 500, earcon


def test_the_earcons_sound_different() -> None:
    sounds = render_all(RATE)

    def pitch(samples: np.ndarray) -> float:
        spectrum = np.abs(np.fft.rfft(samples.astype(np.float64)))
        return float(np.fft.rfftfreq(len(samples), 1 / RATE)[spectrum.argmax()])

    pitches = {earcon: pitch(samples) for earcon, samples in sounds.items()}
    lengths = {earcon: len(samples) for earcon, samples in sounds.items()}
    for first in Earcon:
        for second in Earcon:
            if first is not second:
                assert (abs(pitches[first] - pitches[second]) > 50
                        or lengths[first] != lengths[second])


def test_rendered_at_the_rate_asked() -> None:
    low, high = render_all(11025), render_all(44100)
    for earcon in Earcon:
        assert abs(len(high[earcon]) - 4 * len(low[earcon])) <= 8

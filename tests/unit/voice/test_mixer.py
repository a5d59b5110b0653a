"""Volume and mute scale the samples; what the loudspeaker plays next follows the rules: a
screen's instruction interrupts, guidance waits for it and replaces older guidance, earcons
play over the speech."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kiosk.voice.mixer import Kind, Mixer, gain, scale

samples16 = arrays(np.int16, st.integers(1, 400))


@given(samples16, st.integers(0, 100))
def test_volume_scales_and_never_amplifies(samples: np.ndarray, volume: int) -> None:
    out = scale(samples, volume, muted=False)
    assert out.dtype == np.int16 and out.shape == samples.shape
    assert np.all(np.abs(out.astype(np.int64)) <= np.abs(samples.astype(np.int64)))
    expected = np.round(samples.astype(np.float64) * gain(volume, False))
    assert np.all(np.abs(out - expected) <= 1)


@given(samples16, st.integers(0, 100))
def test_mute_is_silence_at_any_volume(samples: np.ndarray, volume: int) -> None:
    assert not scale(samples, volume, muted=True).any()


def test_full_volume_is_the_samples_and_zero_is_silence() -> None:
    samples = np.array([-32768, -1000, 0, 1000, 32767], dtype=np.int16)
    assert np.array_equal(scale(samples, 100, muted=False), samples)
    assert not scale(samples, 0, muted=False).any()


def test_louder_is_louder() -> None:
    gains = [gain(volume, False) for volume in range(0, 101, 10)]
    assert gains == sorted(gains) and len(set(gains)) == len(gains)


def tone(value: int, count: int) -> np.ndarray:
    return np.full(count, value, dtype=np.int16)


def test_a_screen_prompt_interrupts_and_guidance_waits_for_it() -> None:
    mixer = Mixer()
    mixer.speak(tone(100, 50), Kind.GUIDANCE)
    mixer.pull(10)
    mixer.speak(tone(200, 30), Kind.SCREEN)  # interrupts the guidance at once
    assert set(mixer.pull(10)) == {200}
    mixer.speak(tone(300, 20), Kind.GUIDANCE)  # waits for the screen's instruction
    mixer.speak(tone(400, 20), Kind.GUIDANCE)  # replaces the waiting guidance
    out = mixer.pull(60)
    assert list(out[:20]) == [200] * 20
    assert list(out[20:40]) == [400] * 20
    assert not out[40:].any()  # then silence
    assert not mixer.busy


def test_guidance_interrupts_older_guidance() -> None:
    mixer = Mixer()
    mixer.speak(tone(100, 50), Kind.GUIDANCE)
    mixer.pull(5)
    mixer.speak(tone(300, 10), Kind.GUIDANCE)
    out = mixer.pull(20)
    assert list(out) == [300] * 10 + [0] * 10


def test_earcons_play_in_order_over_the_speech() -> None:
    mixer = Mixer()
    mixer.speak(tone(1000, 40), Kind.SCREEN)
    mixer.earcon(tone(5, 10))
    mixer.earcon(tone(7, 10))
    mixer.speak(tone(2000, 40), Kind.SCREEN)  # speech interrupted; the earcons go on
    out = mixer.pull(40)
    assert list(out[:10]) == [2005] * 10
    assert list(out[10:20]) == [2007] * 10
    assert list(out[20:]) == [2000] * 20


def test_mixed_samples_are_clipped_not_wrapped() -> None:
    mixer = Mixer()
    mixer.speak(tone(30000, 10), Kind.SCREEN)
    mixer.earcon(tone(30000, 10))
    assert set(mixer.pull(10)) == {32767}


def test_volume_and_mute_apply_to_a_prompt_already_playing() -> None:
    mixer = Mixer(volume=100)
    mixer.speak(tone(10000, 30), Kind.SCREEN)
    assert set(mixer.pull(10)) == {10000}
    mixer.volume = 50
    assert set(mixer.pull(10)) == {round(10000 * gain(50, False))}
    mixer.muted = True
    assert not mixer.pull(10).any()


def test_stop_drops_everything() -> None:
    mixer = Mixer()
    mixer.speak(tone(1, 30), Kind.SCREEN)
    mixer.speak(tone(2, 30), Kind.GUIDANCE)
    mixer.earcon(tone(3, 30))
    mixer.stop()
    assert not mixer.busy
    assert not mixer.pull(30).any()

"""Real speech from espeak-ng in the wheel: one prompt per kiosk language, as the kiosk would
say it, judged as sound (not against stored audio): it is not silent, it lasts about as long
as its words at the rate asked for, it has the pauses and pitch of speech, and each language's
voice sounds different. Also: the lock makes concurrent synthesis safe."""

from __future__ import annotations

import threading

import numpy as np
import pytest

pytest.importorskip("espeakng_loader", reason="no voice test: the espeakng-loader wheel is not "
                    "installed")

from kiosk.i18n import translate  # noqa: E402
from kiosk.voice.espeak import (  # noqa: E402
    VOICES,
    Speech,
    UnknownVoice,
    missing_voices,
    speakable,
    synthesise,
)

RATE = 150
PROMPT = "ui.identify.lead"


def frames_rms(speech: Speech, frame_s: float = 0.02) -> np.ndarray:
    size = round(frame_s * speech.sample_rate)
    count = len(speech.samples) // size
    frames = speech.samples[:count * size].astype(np.float64).reshape(count, size)
    return np.sqrt((frames ** 2).mean(axis=1))


def test_every_kiosk_language_has_its_voice_in_the_wheel() -> None:
    assert missing_voices() == []


@pytest.mark.parametrize("language", list(VOICES))
def test_a_prompt_in_each_language_is_real_speech(language: str) -> None:
    text = translate(PROMPT, language)
    speech = synthesise(text, language, RATE)
    assert speech.samples.dtype == np.int16
    # Not silent: loud frames most of the time, and a peak well above the noise floor.
    rms = frames_rms(speech)
    assert np.abs(speech.samples).max() > 4000
    voiced = rms > 0.1 * rms.max()
    assert voiced.mean() > 0.4
    # Speech has pauses between words and phrases: some frames are quiet.
    assert (~voiced).sum() >= 3
    # About as long as its words at 150 words a minute (loose: languages' words differ).
    words = len(speakable(text).split())
    expected_s = words * 60 / RATE
    assert 0.4 * expected_s < speech.seconds < 2.5 * expected_s + 1.0
    # Its energy is where a voice's is: mostly below 4 kHz.
    spectrum = np.abs(np.fft.rfft(speech.samples.astype(np.float64))) ** 2
    frequencies = np.fft.rfftfreq(len(speech.samples), 1 / speech.sample_rate)
    assert spectrum[frequencies < 4000].sum() > 0.8 * spectrum.sum()


def test_each_language_has_its_own_voice() -> None:
    # The same letters read by each voice: every pair sounds different.
    sounds = {language: synthesise("Pasboks 2026", language, RATE).samples
              for language in VOICES}
    languages = list(sounds)
    for i, first in enumerate(languages):
        for second in languages[i + 1:]:
            a, b = sounds[first], sounds[second]
            assert len(a) != len(b) or not np.array_equal(a, b), (first, second)


def test_the_rate_is_words_a_minute() -> None:
    text = translate(PROMPT, "en")
    slow = synthesise(text, "en", 100)
    fast = synthesise(text, "en", 250)
    assert fast.seconds < 0.75 * slow.seconds


def test_a_language_without_a_voice_is_refused() -> None:
    with pytest.raises(UnknownVoice):
        synthesise("hello", "xx", RATE)


def same_prompt(a: np.ndarray, b: np.ndarray) -> bool:
    """Two renderings of one prompt: espeak-ng varies a few samples from run to run, so
    compare lengths and loudness envelopes (20 ms frames), not samples."""
    ea = frames_rms(Speech(a.astype(np.int16), 22050))
    eb = frames_rms(Speech(b.astype(np.int16), 22050))
    count = min(len(ea), len(eb))
    return (abs(len(a) - len(b)) <= 0.01 * len(a)
            and float(np.corrcoef(ea[:count], eb[:count])[0, 1]) > 0.95)


def test_concurrent_synthesis_is_safe() -> None:
    # espeak-ng is not re-entrant: the module's lock serialises callers, so prompts spoken
    # from many threads at once come out whole and unmixed.
    jobs = [("da", translate(PROMPT, "da")), ("ar", translate(PROMPT, "ar")),
            ("uk", translate(PROMPT, "uk")), ("en", translate(PROMPT, "en"))] * 2
    alone = [synthesise(text, language, RATE).samples for language, text in jobs]
    together: list[np.ndarray | None] = [None] * len(jobs)

    def run(index: int) -> None:
        language, text = jobs[index]
        together[index] = synthesise(text, language, RATE).samples

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for expected, got in zip(alone, together, strict=True):
        assert got is not None and same_prompt(expected, got)
    # (and the comparison can tell prompts apart)
    assert not same_prompt(alone[0], alone[1])


def test_text_shaped_for_display_is_read_as_letters() -> None:
    # Arabic presentation forms (what the display's reshaper makes) fold back to the letters.
    import arabic_reshaper

    text = translate(PROMPT, "ar")
    shaped = arabic_reshaper.reshape(text)
    assert shaped != text
    assert speakable(shaped) == speakable(text)
    assert speakable("Reading …\n  your passport") == "Reading ... your passport"

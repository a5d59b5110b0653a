"""The kiosk's voice fed the service's messages, as the app feeds it, with a player that has a
"device" (the mixer is read directly instead of by a sound card): screens are spoken in the
citizen's language, earcons come on the service's events, the level resets for the next
citizen, and a muted, disabled or deviceless voice synthesises nothing."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.config import VoiceSettings
from kiosk.fingerprint.positions import FingerPosition
from kiosk.i18n import translate
from kiosk.service import messages as news
from kiosk.voice.earcons import Earcon, render_all
from kiosk.voice.espeak import Speech
from kiosk.voice.mixer import Mixer
from kiosk.voice.player import Player
from kiosk.voice.prompts import screen_text
from kiosk.voice.voice import SAMPLE_RATE, KioskVoice
from kiosk.workflow import State
from tests.helpers.kiosk import wait_until

KIOSK = "test-kiosk"


class Texts:
    def __init__(self, language: str = "en") -> None:
        self.language = language

    def translate(self, key: str, **values: object) -> str:
        return translate(key, self.language, **values)


class OpenPlayer(Player):
    """A player whose device opens (nothing is played: the test pulls from the mixer)."""

    def open(self) -> bool:
        self._device = self
        return True

    def close(self) -> None:
        self._device = None


class NoDevice(Player):
    def open(self) -> bool:
        self.silent_because = "test: no device"
        return False


class SilentRender:
    """Counts what it is asked to say and says it as silence of one sample per character."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int]] = []

    def __call__(self, text: str, language: str, rate: int) -> Speech:
        self.calls.append((text, language, rate))
        return Speech(np.zeros(len(text), dtype=np.int16), SAMPLE_RATE)


def make(render: SilentRender | None = None, *, player: type[Player] = OpenPlayer,
         texts: Texts | None = None, **settings: object
         ) -> tuple[KioskVoice, SilentRender]:
    render = render or SilentRender()
    mixer_holder = Mixer()
    voice = KioskVoice(VoiceSettings.model_validate(settings), texts or Texts(),
                       render=render, player=player(mixer_holder, SAMPLE_RATE))
    voice.player.mixer = voice.mixer  # the player plays the voice's own mixer
    voice.start(State.WELCOME)
    assert voice.ready.wait(30), "the voice thread never started"
    return voice, render


def changed(old: State, new: State, language: str = "en") -> news.StateChanged:
    return news.StateChanged(kiosk_id=KIOSK, old=old, new=new, event="Test", language=language)


def test_a_new_screen_is_spoken_in_the_citizens_language_with_espeak() -> None:
    pytest.importorskip("espeakng_loader", reason="no voice test: the espeakng-loader wheel is "
                        "not installed")
    from kiosk.voice.espeak import synthesise

    texts = Texts("da")
    voice = KioskVoice(VoiceSettings(rate=160), texts, player=OpenPlayer(Mixer(), SAMPLE_RATE))
    voice.player.mixer = voice.mixer
    voice.start(State.WELCOME)
    try:
        voice.hear(changed(State.WELCOME, State.IDENTIFY, "da"))
        text = screen_text(State.IDENTIFY, texts.translate)
        assert text.startswith(translate("ui.identify.title", "da"))
        wait_until(lambda: ("da", text, 160) in voice.prompts, lambda: len(voice.prompts))
        wait_until(lambda: voice.mixer.busy, lambda: "nothing to play")
        played = voice.mixer.pull(SAMPLE_RATE * 30)
        spoken = synthesise(text, "da", 160)
        volume = voice.settings.volume / 100
        assert np.abs(played).max() > 0.5 * volume ** 2 * np.abs(spoken.samples).max()
    finally:
        voice.close()


def test_the_photo_and_the_fingers_have_their_earcons() -> None:
    voice, render = make(volume=100)
    try:
        sounds = render_all(SAMPLE_RATE)
        voice.hear(changed(State.IDENTIFY, State.PHOTO))
        voice.hear(changed(State.PHOTO, State.PHOTO_REVIEW))
        heard = voice.mixer.pull(len(sounds[Earcon.PHOTO_TAKEN]) + 100)
        assert np.array_equal(heard[:len(sounds[Earcon.PHOTO_TAKEN])], sounds[Earcon.PHOTO_TAKEN])
        assert not heard[len(sounds[Earcon.PHOTO_TAKEN]):].any()

        voice.hear(changed(State.PHOTO_REVIEW, State.FINGERPRINTS))
        lift = news.StepProgress(kiosk_id=KIOSK, state=State.FINGERPRINTS,
                                 key="ui.fingerprints.lift", phase="lift", finger=2, attempt=3,
                                 attempts=3, feedback="ui.fingerprints.accepted")
        for _ in range(3):  # the same news again (a redraw) is not a new finger
            voice.hear(lift)
        expected = np.concatenate([sounds[Earcon.FINGERPRINT_SAVED], sounds[Earcon.LIFT_FINGER]])
        heard = voice.mixer.pull(len(expected) + 100)
        assert np.array_equal(heard[:len(expected)], expected)
        assert not heard[len(expected):].any()

        # An attempt that is not the finger's last: only the lift beep.
        voice.hear(news.StepProgress(kiosk_id=KIOSK, state=State.FINGERPRINTS,
                                     key="ui.fingerprints.lift", phase="lift", finger=7,
                                     attempt=1, attempts=3, feedback="ui.fingerprints.quality",
                                     feedback_values={"score": 80}))
        heard = voice.mixer.pull(len(sounds[Earcon.LIFT_FINGER]) + 100)
        assert np.array_equal(heard[:len(sounds[Earcon.LIFT_FINGER])], sounds[Earcon.LIFT_FINGER])
    finally:
        voice.close()


def test_earcons_can_be_turned_off() -> None:
    voice, _ = make(earcons=False)
    try:
        voice.hear(changed(State.PHOTO, State.PHOTO_REVIEW))
        assert not voice.mixer.pull(SAMPLE_RATE).any()
    finally:
        voice.close()


def test_guidance_is_spoken_without_the_quality_number() -> None:
    voice, render = make()
    try:
        voice.hear(changed(State.PHOTO_REVIEW, State.FINGERPRINTS))
        voice.hear(news.StepProgress(kiosk_id=KIOSK, state=State.FINGERPRINTS,
                                     key="ui.fingerprints.place",
                                     values={"finger_key": FingerPosition(2).text_key},
                                     phase="place", finger=2, attempt=2, attempts=3,
                                     feedback="ui.fingerprints.quality",
                                     feedback_values={"score": 57}))
        wait_until(lambda: len(render.calls) == 2, lambda: render.calls)
        said = render.calls[1][0]
        place = translate("ui.fingerprints.place", "en",
                          finger=translate(FingerPosition(2).text_key, "en"))
        assert said == place and "fingerprint." not in said
        assert "57" not in said
    finally:
        voice.close()


def test_a_language_change_reads_the_screen_again_in_the_new_language() -> None:
    texts = Texts("en")
    voice, render = make(texts=texts)
    try:
        voice.hear(changed(State.WELCOME, State.IDENTIFY))
        texts.language = "da"
        voice.hear(news.LanguageChanged(kiosk_id=KIOSK, language="da"))
        wait_until(lambda: len(render.calls) == 2, lambda: render.calls)
        assert [language for _, language, _ in render.calls] == ["en", "da"]
        assert render.calls[1][0].startswith(translate("ui.identify.title", "da"))
    finally:
        voice.close()


def test_the_next_citizen_starts_at_the_configured_level() -> None:
    voice, render = make(volume=40)
    try:
        voice.louder()
        voice.louder()
        voice.toggle_mute()
        assert (voice.volume, voice.muted) == (60, True)
        voice.hear(changed(State.IDENTIFY, State.PHOTO))  # muted: nothing is synthesised
        voice.hear(changed(State.DONE, State.WELCOME))
        assert (voice.volume, voice.muted) == (40, False)
        assert render.calls == []
        assert not voice.mixer.busy
    finally:
        voice.close()


def test_volume_stays_within_0_and_100() -> None:
    voice, _ = make(volume=90)
    try:
        for _ in range(3):
            voice.louder()
        assert voice.volume == 100
        for _ in range(15):
            voice.quieter()
        assert voice.volume == 0
    finally:
        voice.close()


def test_without_a_device_nothing_is_synthesised() -> None:
    voice, render = make(player=NoDevice)
    try:
        assert voice.silent
        voice.hear(changed(State.WELCOME, State.IDENTIFY))
        voice.hear(changed(State.IDENTIFY, State.PHOTO))
        assert render.calls == []
    finally:
        voice.close()


def test_a_disabled_voice_starts_no_thread() -> None:
    voice, render = make(enabled=False)
    try:
        assert voice.silent and voice._thread is None
        voice.hear(changed(State.WELCOME, State.IDENTIFY))
        assert render.calls == []
    finally:
        voice.close()


class ToneRender(SilentRender):
    """Says everything as a constant level, so the test hears whether speech is playing."""

    def __call__(self, text: str, language: str, rate: int) -> Speech:
        super().__call__(text, language, rate)
        return Speech(np.full(len(text) * 20, 1000, dtype=np.int16), SAMPLE_RATE)


def test_unmuting_says_where_the_citizen_is_and_the_buttons_tick() -> None:
    voice, render = make(ToneRender(), volume=100)
    try:
        voice.hear(changed(State.WELCOME, State.PHOTO))
        wait_until(lambda: voice.mixer.busy, lambda: render.calls)
        voice.toggle_mute()
        assert not voice.mixer.busy  # muting silences at once
        voice.hear(changed(State.PHOTO, State.PHOTO_REVIEW))  # not heard, not synthesised
        assert not voice.mixer.busy  # (nor its earcon)
        voice.toggle_mute()
        wait_until(lambda: len(render.calls) == 2, lambda: render.calls)
        wait_until(lambda: voice.mixer.busy, lambda: "nothing to play")
        review = screen_text(State.PHOTO_REVIEW, Texts().translate)
        assert render.calls[-1][0] == review
        assert set(voice.mixer.pull(len(review) * 20)) == {1000}
        assert not voice.mixer.busy

        tick = render_all(SAMPLE_RATE)[Earcon.VOLUME]
        voice.quieter()
        heard = voice.mixer.pull(len(tick))
        assert np.abs(heard).max() > 0
        assert abs(int(np.abs(heard).max()) - round(np.abs(tick).max() * 0.81)) <= 2
    finally:
        voice.close()


def test_the_photo_countdown_is_spoken_as_numbers() -> None:
    voice, render = make()
    try:
        voice.hear(changed(State.IDENTIFY, State.PHOTO))
        for count in (3, 3, 2, 2, 1):
            voice.hear(news.StepProgress(kiosk_id=KIOSK, state=State.PHOTO,
                                         key="ui.photo.count", values={"count": count}))
        wait_until(lambda: len(render.calls) == 4, lambda: render.calls)
        assert [text for text, _, _ in render.calls[1:]] == ["3", "2", "1"]
    finally:
        voice.close()

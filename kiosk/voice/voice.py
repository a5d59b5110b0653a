"""The kiosk's voice: hears the service's news, speaks the instructions, plays the earcons.

The touchscreen app hands it every message it gets (:meth:`KioskVoice.hear`, on the UI
thread, which only translates and queues). One voice thread does the rest, in order: it opens
the sound device, asks the :class:`~kiosk.voice.announcer.Announcer` what to say, synthesises
it (espeak-ng, through the prompt cache: each sentence once) and hands the samples to the mixer
the sound device plays from. Synthesis never runs on the UI thread, and only this thread
synthesises, so espeak-ng (not re-entrant) is never entered twice.

Without a sound device or without espeak-ng the voice logs why once and does nothing more:
nothing is synthesised for nobody to hear. Volume and mute belong to the citizen's session:
they go back to the configured default when the kiosk returns to the welcome screen.

The welcome screen is not read out when the kiosk returns to it (nobody may be there, and a
library is a quiet place); it is read when a citizen picks a language on it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from kiosk.config import VoiceSettings
from kiosk.service import messages as news
from kiosk.voice.announcer import Announcer
from kiosk.voice.earcons import Earcon, render_all
from kiosk.voice.espeak import EspeakUnavailable, Speech, UnknownVoice, synthesise
from kiosk.voice.mixer import Kind, Mixer
from kiosk.voice.player import Player
from kiosk.voice.prompts import countdown, progress_text, screen_text
from kiosk.voice.synth import PromptCache, Render
from kiosk.workflow import State

log = logging.getLogger(__name__)

#: The rate the sound device runs at: espeak-ng's own, so speech needs no resampling.
SAMPLE_RATE = 22050
#: One press of the louder / quieter buttons (percent).
VOLUME_STEP = 10


class Texts(Protocol):
    """What the voice reads texts from (the touchscreen app)."""

    @property
    def language(self) -> str:
        """The citizen's current language."""
        ...

    def translate(self, key: str, **values: object) -> str:
        """A text in the citizen's current language."""
        ...


@dataclass(frozen=True)
class _Say:
    """An announcement for the voice thread."""

    kind: Kind
    state: State
    text: str
    language: str
    urgent: bool = False


class _Stop:
    """Ends the voice thread."""


class KioskVoice:
    """Spoken instructions and earcons for one touchscreen; volume and mute for its citizen."""

    def __init__(self, settings: VoiceSettings, texts: Texts, *,
                 render: Render = synthesise, player: Player | None = None) -> None:
        self.settings = settings
        self._texts = texts
        self.mixer = Mixer(settings.volume)
        self.player = player or Player(self.mixer, SAMPLE_RATE)
        self.prompts = PromptCache(render)
        self._earcons: dict[Earcon, NDArray[np.int16]] = {}
        self._queue: queue.Queue[_Say | _Stop] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._state: State | None = None
        self._language = ""
        self._lifted: tuple[int | None, int | None] | None = None
        self._voiceless: set[str] = set()
        #: Set once the voice knows it cannot be heard (no device, no espeak-ng, disabled).
        self.silent = not settings.enabled
        #: Set when the voice thread knows whether it can play (and has its earcons).
        self.ready = threading.Event()

    # --- the citizen's controls ----------------------------------------------------------

    @property
    def volume(self) -> int:
        """The citizen's volume, 0-100 %."""
        return self.mixer.volume

    @property
    def muted(self) -> bool:
        """Whether the citizen muted the kiosk."""
        return self.mixer.muted

    def set_volume(self, volume: int) -> None:
        """Set the volume (clamped to 0-100 %)."""
        self.mixer.volume = min(100, max(0, volume))

    def louder(self) -> None:
        """One step louder (a muted kiosk is unmuted); a tick is heard at the new level."""
        self.set_volume(self.volume + VOLUME_STEP)
        if self.mixer.muted:
            self._unmute()
        self._earcon(Earcon.VOLUME)

    def quieter(self) -> None:
        """One step quieter; a tick is heard at the new level."""
        self.set_volume(self.volume - VOLUME_STEP)
        self._earcon(Earcon.VOLUME)

    def toggle_mute(self) -> None:
        """Mute (silence at once), or unmute (the screen's instruction is said again)."""
        if self.mixer.muted:
            self._unmute()
        else:
            self.mixer.muted = True
            self.mixer.stop()

    def _unmute(self) -> None:
        self.mixer.muted = False
        if self._state is not None:
            # What was said while muted was not heard: say where the citizen is.
            self._announce(Kind.SCREEN, self._state, screen_text(self._state, self._translate))

    def reset(self) -> None:
        """The next citizen starts at the configured volume, not muted."""
        self.mixer.volume = self.settings.volume
        self.mixer.muted = False

    # --- news ------------------------------------------------------------------------------

    def start(self, state: State) -> None:
        """Start the voice thread; ``state`` is on screen now (not read out)."""
        self._state = state
        if self.silent:
            self.ready.set()
            return
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="kiosk-voice", daemon=True)
        self._thread.start()

    def hear(self, message: news.Message) -> None:
        """A message of the service, as the app got it (UI thread: translates and queues)."""
        if isinstance(message, news.StateChanged):
            self._state_changed(message)
        elif isinstance(message, news.LanguageChanged):
            if self._state is not None:
                self._announce(Kind.SCREEN, self._state,
                               screen_text(self._state, self._translate))
        elif isinstance(message, news.StepProgress):
            self._progress(message)

    def _state_changed(self, message: news.StateChanged) -> None:
        self._state = message.new
        self._lifted = None
        if message.new is State.WELCOME:
            self.reset()
            self._queue_stop()
            return
        if message.old is State.PHOTO and message.new is State.PHOTO_REVIEW:
            self._earcon(Earcon.PHOTO_TAKEN)
        self._announce(Kind.SCREEN, message.new, screen_text(message.new, self._translate))

    def _progress(self, progress: news.StepProgress) -> None:
        if progress.state is not self._state:
            return
        if progress.phase == "lift" and self._lifted != (progress.finger, progress.attempt):
            self._lifted = (progress.finger, progress.attempt)
            if progress.feedback == "ui.fingerprints.accepted":
                self._earcon(Earcon.FINGERPRINT_SAVED)
            self._earcon(Earcon.LIFT_FINGER)
        number = countdown(progress)
        if number is not None:
            self._announce(Kind.GUIDANCE, progress.state, number, urgent=True)
        else:
            self._announce(Kind.GUIDANCE, progress.state,
                           progress_text(progress, self._translate))

    def _translate(self, key: str, **values: object) -> str:
        return self._texts.translate(key, **values)

    def _announce(self, kind: Kind, state: State, text: str, *, urgent: bool = False) -> None:
        if not self.silent and text:
            self._queue.put(_Say(kind, state, text, self._texts.language, urgent))

    def _earcon(self, earcon: Earcon) -> None:
        samples = self._earcons.get(earcon)
        if (not self.silent and self.settings.earcons and not self.mixer.muted
                and samples is not None):
            self.mixer.earcon(samples)

    def _queue_stop(self) -> None:
        """Nothing more to say for this citizen: drop what is playing and waiting."""
        self.mixer.stop()
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, _Stop):  # closing wins over anything dropped
                self._queue.put(item)
                break

    # --- the voice thread ------------------------------------------------------------------

    def _run(self) -> None:
        if not self.player.open():
            self.silent = True
            self.ready.set()
            return
        self._earcons = render_all(SAMPLE_RATE)
        self.ready.set()
        announcer = Announcer(self._say)
        while True:
            due = announcer.next_due
            timeout = None if due is None else max(0.0, due - time.monotonic())
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                announcer.poll()
                continue
            if isinstance(item, _Stop):
                return
            self._language = item.language
            if item.kind is Kind.SCREEN:
                announcer.screen(item.state, item.text)
            else:
                announcer.guidance(item.state, item.text, urgent=item.urgent)
            if self.silent:
                return

    def _say(self, text: str, kind: Kind) -> None:
        """The announcer's decision: synthesise (once) and play."""
        if self.mixer.muted:
            return
        try:
            speech = self.prompts.speech(self._language, text, self.settings.rate)
        except UnknownVoice as error:
            if self._language not in self._voiceless:  # once per language
                self._voiceless.add(self._language)
                log.warning("no voice for language %s (%s): it is not spoken", self._language,
                            error)
            return
        except EspeakUnavailable as error:
            log.warning("no voice (%s): the kiosk runs silently", error)
            self.silent = True
            return
        self.mixer.speak(_at_rate(speech, SAMPLE_RATE), kind)

    def close(self) -> None:
        """Stop the voice thread and the sound device."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(_Stop())
            thread.join(timeout=5.0)
        self.player.close()


def _at_rate(speech: Speech, sample_rate: int) -> NDArray[np.int16]:
    """The samples at the device's rate (espeak-ng speaks at 22050 Hz already)."""
    if speech.sample_rate == sample_rate or len(speech.samples) == 0:
        return speech.samples
    count = round(len(speech.samples) * sample_rate / speech.sample_rate)
    positions = np.linspace(0, len(speech.samples) - 1, count)
    resampled = np.interp(positions, np.arange(len(speech.samples)), speech.samples)
    return np.round(resampled).astype(np.int16)

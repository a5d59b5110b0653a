"""espeak-ng through ctypes, from the ``espeakng-loader`` wheel: text in, 16-bit PCM out.

The wheel ships the library and its voice data, so nothing is downloaded or installed on the
kiosk. espeak-ng keeps one global state per process and is not re-entrant: every call goes
through one lock, and the library is initialised once, in ``AUDIO_OUTPUT_SYNCHRONOUS`` mode,
with a synth callback that copies the samples into memory (no sound device, no temp file).
The callback is a module-level object so that ctypes keeps it alive as long as the library.
"""

from __future__ import annotations

import ctypes
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

#: The espeak-ng voice of each kiosk language (files under ``espeak-ng-data/lang/``).
VOICES: dict[str, str] = {
    "da": "da", "en": "en", "de": "de", "pl": "pl", "ro": "ro", "tr": "tr", "ar": "ar",
    "uk": "uk",
}

# espeak_AUDIO_OUTPUT, espeak_POSITION_TYPE, flags and parameters (speak_lib.h).
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_ENDPAUSE = 0x1000
_RATE = 1
_EE_OK = 0

_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                                  ctypes.c_void_p)


class EspeakUnavailable(Exception):
    """espeak-ng cannot be used here (the wheel or its data is missing, or it failed)."""


class UnknownVoice(EspeakUnavailable):
    """The wheel's data has no voice for the language."""


@dataclass(frozen=True)
class Speech:
    """Mono 16-bit samples and their rate: what a prompt sounds like."""

    samples: NDArray[np.int16]
    sample_rate: int

    @property
    def seconds(self) -> float:
        """How long it plays."""
        return len(self.samples) / self.sample_rate


def library_paths() -> tuple[Path, Path]:
    """The espeak-ng library and its data directory inside the wheel."""
    try:
        import espeakng_loader
    except ImportError as error:
        raise EspeakUnavailable(f"the espeakng-loader wheel is not installed ({error})") from None
    try:
        library = Path(str(espeakng_loader.get_library_path()))
        data = Path(str(espeakng_loader.get_data_path()))
    except RuntimeError as error:
        raise EspeakUnavailable(str(error)) from None
    if not library.is_file():
        raise EspeakUnavailable(f"the espeak-ng library is missing from the wheel ({library})")
    return library, data


def voice_file(language: str, data: Path) -> Path | None:
    """The voice definition of ``language`` in the wheel's data, or None when it has none."""
    voice = VOICES.get(language)
    if voice is None:
        return None
    return next((path for path in (data / "lang").rglob(voice) if path.is_file()), None)


def missing_voices() -> list[str]:
    """Kiosk languages whose voice (or dictionary) is not in the wheel's data."""
    _, data = library_paths()
    return [language for language in VOICES
            if voice_file(language, data) is None
            or not (data / f"{VOICES[language]}_dict").is_file()]


class _Engine:
    """The one espeak-ng of the process: loaded on first use, every call under ``lock``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._library: ctypes.CDLL | None = None
        self._sample_rate = 0
        self._voice = ""
        self._rate = 0
        self._chunks: list[NDArray[np.int16]] = []
        self._callback = _SynthCallback(self._collect)

    def _collect(self, wav: ctypes._Pointer[ctypes.c_short] | None, count: int,
                 events: int | None) -> int:
        # Runs inside espeak_Synth, on the thread that holds the lock.
        if wav and count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).astype(np.int16))
        return 0  # 0: go on

    def _load(self) -> ctypes.CDLL:
        if self._library is not None:
            return self._library
        library_path, data = library_paths()
        try:
            library = ctypes.CDLL(str(library_path))
        except OSError as error:
            raise EspeakUnavailable(f"espeak-ng cannot be loaded ({error})") from None
        library.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p,
                                              ctypes.c_int]
        library.espeak_Initialize.restype = ctypes.c_int
        library.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        library.espeak_SetSynthCallback.restype = None
        library.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        library.espeak_SetVoiceByName.restype = ctypes.c_int
        library.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        library.espeak_SetParameter.restype = ctypes.c_int
        library.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint,
                                         ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
                                         ctypes.c_void_p, ctypes.c_void_p]
        library.espeak_Synth.restype = ctypes.c_int
        rate = int(library.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0,
                                             str(data).encode(), 0))
        if rate <= 0:
            raise EspeakUnavailable(f"espeak-ng could not start with its data ({data})")
        library.espeak_SetSynthCallback(self._callback)
        self._library, self._sample_rate = library, rate
        return library

    def synthesise(self, text: str, language: str, rate_wpm: int) -> Speech:
        """Speak ``text`` in ``language`` at ``rate_wpm`` into memory. Caller holds ``lock``."""
        voice = VOICES.get(language)
        if voice is None:
            raise UnknownVoice(f"no voice for language {language!r}")
        library = self._load()
        if voice != self._voice:
            if library.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
                raise UnknownVoice(f"espeak-ng has no voice {voice!r} in the wheel's data")
            self._voice = voice
            self._rate = 0  # a new voice starts at its own default rate
        if rate_wpm != self._rate:
            library.espeak_SetParameter(_RATE, rate_wpm, 0)
            self._rate = rate_wpm
        encoded = text.encode("utf-8") + b"\0"
        self._chunks = []
        try:
            status = library.espeak_Synth(encoded, len(encoded), 0, _POS_CHARACTER, 0,
                                          _CHARS_UTF8 | _ENDPAUSE, None, None)
            if status != _EE_OK:
                raise EspeakUnavailable(f"espeak-ng could not speak (error {status})")
            samples = (np.concatenate(self._chunks) if self._chunks
                       else np.zeros(0, dtype=np.int16))
        finally:
            self._chunks = []
        samples.setflags(write=False)
        return Speech(samples, self._sample_rate)


_ENGINE = _Engine()


def speakable(text: str) -> str:
    """The text as espeak-ng should read it.

    NFKC folds Arabic presentation forms (text shaped for display) back to letters and "…" to
    dots; whitespace is collapsed.
    """
    return " ".join(unicodedata.normalize("NFKC", text).split())


def synthesise(text: str, language: str, rate_wpm: int) -> Speech:
    """``text`` spoken in ``language`` at ``rate_wpm`` words a minute (thread-safe, uncached).

    Raises UnknownVoice for a language without a voice, EspeakUnavailable when espeak-ng
    cannot run.
    """
    with _ENGINE.lock:
        return _ENGINE.synthesise(speakable(text), language, rate_wpm)

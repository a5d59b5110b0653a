"""Prompts rendered once and kept in memory, keyed by (language, text, rate).

The kiosk says the same few dozen sentences all day: each is synthesised the first time it is
needed and played from memory afterwards. The cache holds the samples only (no file is ever
written) and forgets the least recently used prompt beyond ``max_prompts``, so texts with
numbers in them cannot make it grow without end.
"""

from __future__ import annotations

import io
import threading
import wave
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from kiosk.voice.espeak import Speech, synthesise

#: What renders a prompt: (text, language, rate in words a minute) -> speech.
Render = Callable[[str, str, int], Speech]


class PromptCache:
    """Synthesise on the first request, play from memory afterwards (thread-safe)."""

    def __init__(self, render: Render = synthesise, *, max_prompts: int = 512) -> None:
        self._render = render
        self._max = max_prompts
        self._prompts: OrderedDict[tuple[str, str, int], Speech] = OrderedDict()
        self._lock = threading.Lock()
        #: How many prompts were actually synthesised (cache misses).
        self.rendered = 0

    def speech(self, language: str, text: str, rate_wpm: int) -> Speech:
        """``text`` in ``language`` at ``rate_wpm``: from memory, or synthesised once."""
        key = (language, text, rate_wpm)
        with self._lock:
            cached = self._prompts.get(key)
            if cached is not None:
                self._prompts.move_to_end(key)
                return cached
        # Outside the cache's lock: the engine has its own, and lookups need not wait.
        speech = self._render(text, language, rate_wpm)
        with self._lock:
            self.rendered += 1
            self._prompts[key] = speech
            self._prompts.move_to_end(key)
            while len(self._prompts) > self._max:
                self._prompts.popitem(last=False)
        return speech

    def __contains__(self, key: tuple[str, str, int]) -> bool:
        with self._lock:
            return key in self._prompts

    def __len__(self) -> int:
        with self._lock:
            return len(self._prompts)


def wav_bytes(speech: Speech) -> bytes:
    """``speech`` as a 16-bit mono WAV file, in memory."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(speech.sample_rate)
        out.writeframes(speech.samples.astype("<i2").tobytes())
    return buffer.getvalue()


def write_wav(path: Path, speech: Speech) -> None:
    """Write ``speech`` as a 16-bit mono WAV file (raises OSError when it cannot)."""
    path.write_bytes(wav_bytes(speech))

"""What the loudspeaker plays next: one speech channel, earcons over it, volume and mute.

Pure code over sample arrays, pulled by the sound device's thread (:mod:`kiosk.voice.player`)
a block at a time, so the policy can be tested without a sound card:

- a **screen** prompt (a new screen's main instruction) interrupts whatever is being said and
  drops what was waiting;
- a **guidance** prompt (the step's changing instruction) interrupts older guidance, but waits
  for a screen's instruction to finish, and only the newest waiting guidance is kept;
- **earcons** play in order on their own channel, mixed over the speech, never cut off by it;
- volume (0-100 %) and mute are applied as the samples leave, so a change is heard at once,
  also in a prompt already playing.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from enum import Enum

import numpy as np
from numpy.typing import NDArray


class Kind(Enum):
    """Why a prompt is spoken: it decides what it may interrupt."""

    SCREEN = "screen"
    GUIDANCE = "guidance"


def gain(volume: int, muted: bool) -> float:
    """Amplitude factor for a volume of 0-100 %: a square law, closer to how loudness is
    heard than a straight line (50 % is about -12 dB); 0 when muted."""
    if muted:
        return 0.0
    level = min(100, max(0, volume)) / 100
    return level * level


def scale(samples: NDArray[np.int16], volume: int, muted: bool) -> NDArray[np.int16]:
    """``samples`` at ``volume`` (or silence when muted), clipped to 16 bits."""
    factor = gain(volume, muted)
    if factor == 1.0:
        return samples.copy()
    scaled: NDArray[np.int16] = np.clip(np.round(samples.astype(np.float64) * factor),
                                        -32768, 32767).astype(np.int16)
    return scaled


@dataclass
class _Playing:
    samples: NDArray[np.int16]
    position: int = 0

    @property
    def left(self) -> int:
        return len(self.samples) - self.position

    def take(self, count: int) -> NDArray[np.int16]:
        block = self.samples[self.position:self.position + count]
        self.position += len(block)
        return block


class Mixer:
    """Speech and earcons, mixed block by block (thread-safe: fed by one thread, pulled by the
    sound device's)."""

    def __init__(self, volume: int = 100, muted: bool = False) -> None:
        self._lock = threading.Lock()
        self._speech: _Playing | None = None
        self._speech_kind: Kind | None = None
        self._waiting: deque[tuple[NDArray[np.int16], Kind]] = deque()
        self._earcons: deque[_Playing] = deque()
        self.volume = volume
        self.muted = muted

    def speak(self, samples: NDArray[np.int16], kind: Kind) -> None:
        """Play a prompt, by the rules of its ``kind`` (module docstring)."""
        with self._lock:
            if kind is Kind.SCREEN:
                self._waiting.clear()
                self._start(samples, kind)
                return
            self._waiting = deque(item for item in self._waiting if item[1] is not Kind.GUIDANCE)
            if self._speech_kind is Kind.SCREEN and self._speech is not None:
                self._waiting.append((samples, kind))
            else:
                self._start(samples, kind)

    def earcon(self, samples: NDArray[np.int16]) -> None:
        """Play an earcon after the earcons already playing, over the speech."""
        with self._lock:
            self._earcons.append(_Playing(samples))

    def stop(self) -> None:
        """Silence: drop everything playing and waiting."""
        with self._lock:
            self._speech = None
            self._speech_kind = None
            self._waiting.clear()
            self._earcons.clear()

    @property
    def busy(self) -> bool:
        """Whether anything is playing or waiting."""
        with self._lock:
            return bool(self._speech or self._waiting or self._earcons)

    def pull(self, count: int) -> NDArray[np.int16]:
        """The next ``count`` samples for the loudspeaker (silence when nothing plays)."""
        with self._lock:
            mixed = np.zeros(count, dtype=np.int32)
            filled = 0
            while filled < count and self._speech is not None:
                block = self._speech.take(count - filled)
                mixed[filled:filled + len(block)] += block
                filled += len(block)
                if self._speech.left == 0:
                    self._next_speech()
            filled = 0
            while filled < count and self._earcons:
                block = self._earcons[0].take(count - filled)
                mixed[filled:filled + len(block)] += block
                filled += len(block)
                if self._earcons[0].left == 0:
                    self._earcons.popleft()
            volume, muted = self.volume, self.muted
        clipped = np.clip(mixed, -32768, 32767).astype(np.int16)
        return scale(clipped, volume, muted)

    def _start(self, samples: NDArray[np.int16], kind: Kind) -> None:
        self._speech = _Playing(samples)
        self._speech_kind = kind

    def _next_speech(self) -> None:
        if self._waiting:
            self._start(*self._waiting.popleft())
        else:
            self._speech = None
            self._speech_kind = None

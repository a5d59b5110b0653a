"""When to speak: a screen's instruction at once, a step's guidance only when it changes.

The photo runner reports its guidance with every analysed frame and the fingerprint runner
repeats the finger it asks for; the citizen must hear each instruction once, not thirty times a
second. The announcer takes ``(state, text)`` announcements and decides:

- a **screen** that opens is spoken at once (it interrupts whatever was being said);
- **guidance** is spoken when its text differs from what was last said for this screen, and
  at most one guidance prompt starts every ``min_gap_s`` (2 s): a change that comes sooner
  waits, and only the newest waiting text is said when the gap is over (guidance that flips
  back and forth between two texts is not read out at frame rate). Guidance that goes back to
  the text last said cancels what was waiting; guidance for a state no longer on screen is
  dropped.

Pure: it calls ``say(text, kind)`` and reads a clock it is given, so tests drive it with a fake
clock. The owner calls :meth:`poll` now and then to let waiting guidance out.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

from kiosk.voice.mixer import Kind

#: Least time between two guidance prompts (seconds).
MIN_GAP_S = 2.0


class Announcer:
    """Decides which announcements are spoken (one thread calls it)."""

    def __init__(self, say: Callable[[str, Kind], None], *,
                 clock: Callable[[], float] = time.monotonic,
                 min_gap_s: float = MIN_GAP_S) -> None:
        self._say = say
        self._clock = clock
        self.min_gap_s = min_gap_s
        self._state: Hashable | None = None
        self._last_text = ""
        self._last_at = float("-inf")
        self._waiting = ""

    def screen(self, state: Hashable, text: str) -> None:
        """``state``'s screen opened (or was re-read in another language): say ``text`` now."""
        self._state = state
        self._waiting = ""
        self._last_text = ""
        self._speak(text, Kind.SCREEN)

    def guidance(self, state: Hashable, text: str, *, urgent: bool = False) -> None:
        """The step's instruction on ``state``'s screen is now ``text``.

        ``urgent`` (a countdown's number) is said at once, without waiting for the gap.
        """
        if state != self._state or not text:
            return
        if text == self._last_text:
            self._waiting = ""  # back to what was said: nothing new to say
            return
        if urgent or self._clock() - self._last_at >= self.min_gap_s:
            self._speak(text, Kind.GUIDANCE)
        else:
            self._waiting = text

    def poll(self) -> None:
        """Say the waiting guidance once its gap is over."""
        if self._waiting and self._clock() - self._last_at >= self.min_gap_s:
            self._speak(self._waiting, Kind.GUIDANCE)

    @property
    def next_due(self) -> float | None:
        """Clock time at which :meth:`poll` will have something to say, or None."""
        return self._last_at + self.min_gap_s if self._waiting else None

    def _speak(self, text: str, kind: Kind) -> None:
        self._waiting = ""
        if not text:
            return
        self._last_text = text if kind is Kind.GUIDANCE else ""
        self._last_at = self._clock()
        self._say(text, kind)

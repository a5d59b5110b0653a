"""The fingerprint step: which finger to ask for, each capture judged, the sequence's result.

The finger position of every impression comes from the sequence's request at the moment of
capture (``take_impression``), never from the screen, so left and right cannot be exchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from drivers.interfaces import FingerprintImage
from kiosk.fingerprint.impression import CaptureRequest, take_impression
from kiosk.fingerprint.positions import FingerPosition
from kiosk.fingerprint.sequence import (
    FingerSequence,
    SequenceResult,
    Verdict,
)
from kiosk.fingerprint.settings import FingerprintSettings
from kiosk.fingerprint.unavailable import UnavailableReason

if TYPE_CHECKING:
    from drivers.r30x import TransferProgress

#: A value of a text: a number, or (names ending in ``_key``) a translation key.
TextValue = int | float | str


@runtime_checkable
class ReportsTransfer(Protocol):
    """A reader that tells how an image upload goes (the R30x driver): the runner turns its
    reports into the progress bar's values."""

    on_transfer: Callable[[TransferProgress], None] | None


@dataclass(frozen=True)
class Request:
    """The finger the citizen is asked for now."""

    capture: CaptureRequest
    attempts: int

    @property
    def finger_key(self) -> str:
        """Translation key of the finger's name."""
        return self.capture.position.text_key

    @property
    def attempt(self) -> int:
        """Attempt number, 1-based."""
        return self.capture.attempt

    @property
    def position(self) -> int:
        """The ISO/IEC 19794-4 finger position code."""
        return int(self.capture.position)


@dataclass(frozen=True)
class AttemptOutcome:
    """What the citizen is told after a capture."""

    text_key: str
    #: Values for the text; ``finger_key`` holds a translation key of a finger's name.
    values: dict[str, TextValue] = field(default_factory=dict)
    #: The impression's quality score (None when the image was dropped).
    quality: int | None = None


class FingerStep:
    """Drives a :class:`FingerSequence` for the fingerprint step's runner.

    The runner's thread asks and records; a staff event on the service's thread may mark the
    current finger as unavailable. A lock keeps the two apart.
    """

    def __init__(self, settings: FingerprintSettings, age: int | None) -> None:
        self.settings = settings
        # An unknown age is treated as an adult: fingerprints are taken (the safe default).
        self.sequence = FingerSequence(settings, age if age is not None else 99)
        self._lock = threading.Lock()

    @property
    def is_done(self) -> bool:
        """True when no more captures are needed."""
        with self._lock:
            return self.sequence.is_done

    def request(self) -> Request:
        """The current request."""
        with self._lock:
            current = self.sequence.current
        assert current is not None, "request() after the sequence is done"
        return Request(current, self.settings.attempts_per_finger)

    @staticmethod
    def finger_key(position: int) -> str:
        """Translation key of the name of the finger at ``position``."""
        return FingerPosition(position).text_key

    def following(self, request: Request) -> Request | None:
        """The request that comes after ``request`` whatever its capture's verdict, or None
        when that depends on the verdict (the finger's last attempt decides the next finger).

        Every attempt of a finger is taken (best of three), so attempt N+1 can be asked for
        while attempt N is still being judged. If staff skip the finger meanwhile, the image
        captured for the stale request is dropped by :meth:`record`.
        """
        if request.attempt >= self.settings.attempts_per_finger:
            return None
        return Request(CaptureRequest(request.capture.position, request.attempt + 1),
                       request.attempts)

    def mark_unavailable(self, reason: str) -> None:
        """Staff: the finger asked for now cannot be given (the reason is recorded)."""
        with self._lock:
            current = self.sequence.current
            if current is not None:
                self.sequence.mark_unavailable(current.position, UnavailableReason(reason))

    def record(self, image: FingerprintImage, request: Request) -> AttemptOutcome:
        """Judge an image captured for ``request``.

        If the request is no longer current (staff marked that finger unavailable while the
        image was on its way), the image is dropped: recording it would file it under the next
        finger's position.
        """
        with self._lock:
            current = self.sequence.current
            if current != request.capture:
                return AttemptOutcome("ui.fingerprints.discarded")
            impression = take_impression(current, image.pixels, image.ppi, self.settings)
            result = self.sequence.record(impression)
        quality = impression.quality
        score = int(quality.score)
        if result.verdict is Verdict.SAME_AS_OTHER_HAND:
            return AttemptOutcome("fingerprint.same_finger_twice",
                                  {"finger_key": current.position.text_key}, score)
        if result.verdict is Verdict.POOR_QUALITY and quality.feedback:
            return AttemptOutcome(quality.feedback[0].text_key, {}, score)
        if result.finger_done:
            return AttemptOutcome("ui.fingerprints.accepted", {}, score)
        return AttemptOutcome("ui.fingerprints.quality", {"score": score}, score)

    def result(self) -> SequenceResult:
        """The stored fingers, each with its position code."""
        with self._lock:
            return self.sequence.result()

"""The capture sequence as a pure state machine: which finger next, best of three, fallbacks.

Rules (requirements §3, BSI enrolment):

* Below the minimum age (12) no fingerprints are taken.
* Left hand first, then right; per hand the fingers of the fallback order (index, thumb,
  middle, ring; never the little finger), each with up to ``attempts_per_finger`` captures.
* A finger is kept when at least one attempt is usable; of several usable attempts the one
  that agrees best with the others is stored (BSI: "the image that best matches the other
  two"). Usable attempts that do not match one another are not the same finger: the finger
  fails and the next one is asked for.
* An attempt of the second hand that matches the finger already stored for the first hand
  is the same finger presented twice: it is refused.
* When a finger fails or staff mark it unavailable, the next finger of the same hand is
  asked for. A hand with no finger left gives none; one finger is then accepted and that
  outcome is recorded.
* Every impression carries the finger position it was requested as, from capture to record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from kiosk.fingerprint.impression import CaptureRequest, Impression
from kiosk.fingerprint.matching import Template, compare
from kiosk.fingerprint.positions import FingerPosition
from kiosk.fingerprint.settings import FingerprintSettings
from kiosk.fingerprint.unavailable import UnavailableReason

Comparer = Callable[[Template, Template], float]


class SequenceError(RuntimeError):
    """The kiosk (not the citizen) drove the sequence wrongly, e.g. recorded the wrong finger."""


class Verdict(StrEnum):
    """What became of one attempt."""

    ACCEPTED = "accepted"  # usable; may be chosen once the finger's attempts are done
    POOR_QUALITY = "poor_quality"  # below the threshold or blocking feedback
    SAME_AS_OTHER_HAND = "same_as_other_hand"  # matches the finger stored for the other hand


class Outcome(StrEnum):
    """What the whole sequence produced."""

    TWO_FINGERS = "two_fingers"
    ONE_FINGER = "one_finger"
    NO_FINGERS = "no_fingers"
    EXEMPT_AGE = "exempt_age"


@dataclass(frozen=True)
class AttemptResult:
    """The kiosk's answer to one capture: the verdict, and what to ask for next (None = done)."""

    impression: Impression
    verdict: Verdict
    finger_done: bool
    next_request: CaptureRequest | None


@dataclass(frozen=True)
class StoredFinger:
    """The impression kept for one hand.

    Attributes:
        impression: The chosen attempt (its ``position`` is the finger it was captured as).
        attempts: How many attempts were made of this finger.
        verified: True when other attempts of the same finger confirmed it.
    """

    impression: Impression
    attempts: int
    verified: bool

    @property
    def position(self) -> FingerPosition:
        """The ISO/IEC 19794-4 finger position, read from the impression itself."""
        return self.impression.position


@dataclass(frozen=True)
class SequenceResult:
    """Everything the hand-off needs to know about the fingerprints.

    Attributes:
        outcome: Two, one or no fingers, or exempt by age.
        fingers: The stored fingers, left hand first.
        unavailable: Fingers staff marked as unavailable, with the reason.
        failed: Fingers tried without a usable, consistent impression.
    """

    outcome: Outcome
    fingers: tuple[StoredFinger, ...]
    unavailable: tuple[tuple[FingerPosition, UnavailableReason], ...]
    failed: tuple[FingerPosition, ...]

    @property
    def impressions(self) -> tuple[Impression, ...]:
        """The stored impressions, each carrying its finger position."""
        return tuple(finger.impression for finger in self.fingers)


class FingerSequence:
    """Drives the capture of both hands; the UI asks :attr:`current` and calls :meth:`record`."""

    def __init__(
        self, settings: FingerprintSettings, age: int, comparer: Comparer = compare
    ) -> None:
        self._settings = settings
        self._compare = comparer
        self._exempt = age < settings.minimum_age
        self._hands: list[tuple[FingerPosition, ...]] = [
            settings.left_fallback,
            settings.right_fallback,
        ]
        self._hand = 0
        self._finger = 0
        self._attempts: list[Impression] = []
        self._stored: list[StoredFinger] = []
        self._unavailable: dict[FingerPosition, UnavailableReason] = {}
        self._failed: list[FingerPosition] = []
        self._skip_unavailable()

    @property
    def is_done(self) -> bool:
        """True when nothing more is to be captured."""
        return self._exempt or self._hand >= len(self._hands)

    @property
    def current(self) -> CaptureRequest | None:
        """The finger and attempt to capture now, or None when done."""
        if self.is_done:
            return None
        return CaptureRequest(self._hands[self._hand][self._finger], len(self._attempts) + 1)

    def record(self, impression: Impression) -> AttemptResult:
        """Take one captured attempt of the current finger.

        Raises:
            SequenceError: The sequence is done, or the impression was captured as another
                finger or attempt than the one requested (a kiosk fault, never the citizen's).
        """
        request = self.current
        if request is None:
            raise SequenceError("the fingerprint sequence is already complete")
        if impression.position != request.position or impression.attempt != request.attempt:
            raise SequenceError(
                f"expected {request.position.name} attempt {request.attempt}, "
                f"got {impression.position.name} attempt {impression.attempt}"
            )
        verdict = self._judge(impression)
        self._attempts.append(impression)
        finger_done = len(self._attempts) >= self._settings.attempts_per_finger
        if finger_done:
            self._finish_finger()
        return AttemptResult(impression, verdict, finger_done, self.current)

    def mark_unavailable(self, position: FingerPosition, reason: UnavailableReason) -> None:
        """Staff: this finger cannot be captured (now or later in the sequence).

        Attempts already made of it are discarded when it is the current finger.
        """
        position = FingerPosition(position)
        if position.hand == "unknown":
            raise SequenceError(f"not a finger: {position!r}")
        self._unavailable[position] = UnavailableReason(reason)
        if not self.is_done and self._hands[self._hand][self._finger] == position:
            self._attempts = []
            self._next_finger()

    def result(self) -> SequenceResult:
        """The outcome; only once :attr:`is_done`."""
        if not self.is_done:
            raise SequenceError("the fingerprint sequence is not complete yet")
        if self._exempt:
            outcome = Outcome.EXEMPT_AGE
        else:
            outcome = (Outcome.NO_FINGERS, Outcome.ONE_FINGER, Outcome.TWO_FINGERS)[
                len(self._stored)
            ]
        return SequenceResult(
            outcome, tuple(self._stored), tuple(self._unavailable.items()), tuple(self._failed)
        )

    # -- internals -------------------------------------------------------------------------

    def _judge(self, impression: Impression) -> Verdict:
        if not impression.quality.usable(self._settings):
            return Verdict.POOR_QUALITY
        for stored in self._stored:
            if self._same(stored.impression, impression):
                return Verdict.SAME_AS_OTHER_HAND
        return Verdict.ACCEPTED

    def _same(self, a: Impression, b: Impression) -> bool:
        return self._compare(a.template, b.template) >= self._settings.match_threshold

    def _finish_finger(self) -> None:
        usable = [
            attempt
            for attempt in self._attempts
            if attempt.quality.usable(self._settings)
            and not any(self._same(stored.impression, attempt) for stored in self._stored)
        ]
        chosen = self._choose(usable)
        if chosen is None:
            self._failed.append(self._hands[self._hand][self._finger])
            self._attempts = []
            self._next_finger()
            return
        impression, verified = chosen
        self._stored.append(StoredFinger(impression, len(self._attempts), verified))
        self._attempts = []
        self._hand += 1
        self._finger = 0
        self._skip_unavailable()

    def _choose(self, usable: list[Impression]) -> tuple[Impression, bool] | None:
        """The attempt that agrees best with the others (ties: the higher quality)."""
        if not usable:
            return None
        if len(usable) == 1:
            return usable[0], False
        agreement = []
        for index, attempt in enumerate(usable):
            scores = [
                self._compare(attempt.template, other.template)
                for j, other in enumerate(usable)
                if j != index
            ]
            agreement.append((sum(scores), max(scores), attempt.quality.score, -index))
        best = max(range(len(usable)), key=lambda i: agreement[i])
        if agreement[best][1] < self._settings.match_threshold:
            # Usable attempts that match none of the others: not one finger, so none is kept.
            return None
        return usable[best], True

    def _next_finger(self) -> None:
        self._finger += 1
        self._skip_unavailable()

    def _skip_unavailable(self) -> None:
        while self._hand < len(self._hands):
            fingers = self._hands[self._hand]
            while self._finger < len(fingers) and fingers[self._finger] in self._unavailable:
                self._finger += 1
            if self._finger < len(fingers):
                return
            self._hand += 1
            self._finger = 0

"""The capture sequence: order, fallbacks, best of three, and that left and right never swap."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from kiosk.fingerprint.encoding import iso19794_4_record, parse_iso19794_4
from kiosk.fingerprint.impression import CaptureRequest, Impression, take_impression
from kiosk.fingerprint.matching import Template
from kiosk.fingerprint.positions import FingerPosition as F
from kiosk.fingerprint.quality import Feedback, QualityResult
from kiosk.fingerprint.sequence import (
    FingerSequence,
    Outcome,
    SequenceError,
    UnavailableReason,
    Verdict,
)
from kiosk.fingerprint.settings import FingerprintSettings

SETTINGS = FingerprintSettings()
_PIXELS = np.full((8, 8), 128, np.uint8)
_PIXELS.setflags(write=False)


def fake_template(identity: int) -> Template:
    """A template whose only content is which physical finger it came from."""
    one = np.zeros((1, 1))
    return Template(
        np.array([[float(identity), 0.0]]), np.zeros(1), one, one, one, one > 0, np.zeros(1)
    )


def same_identity(a: Template, b: Template) -> float:
    """Comparer for fake templates: 1 for the same physical finger, else 0."""
    return 1.0 if a.points[0, 0] == b.points[0, 0] else 0.0


def fake(request: CaptureRequest, *, score: int = 70, identity: int | None = None) -> Impression:
    """An impression of ``request`` (physical finger = its position unless ``identity``)."""
    feedback = () if score >= SETTINGS.quality_threshold else (Feedback.TOO_DRY,)
    finger = int(request.position) if identity is None else identity
    return Impression(
        request.position,
        request.attempt,
        _PIXELS,
        QualityResult(score, feedback),
        fake_template(finger),
    )


def sequence(age: int = 40, **overrides: object) -> FingerSequence:
    return FingerSequence(SETTINGS.model_copy(update=overrides), age, comparer=same_identity)


def run(seq: FingerSequence, score_of) -> None:
    while not seq.is_done:
        request = seq.current
        assert request is not None
        seq.record(fake(request, score=score_of(request)))


def test_happy_path_left_index_then_right_index() -> None:
    seq = sequence()
    asked = []
    while not seq.is_done:
        asked.append(seq.current)
        seq.record(fake(seq.current))
    assert [(r.position, r.attempt) for r in asked] == [
        (F.LEFT_INDEX, 1),
        (F.LEFT_INDEX, 2),
        (F.LEFT_INDEX, 3),
        (F.RIGHT_INDEX, 1),
        (F.RIGHT_INDEX, 2),
        (F.RIGHT_INDEX, 3),
    ]
    result = seq.result()
    assert result.outcome is Outcome.TWO_FINGERS
    assert [finger.position for finger in result.fingers] == [F.LEFT_INDEX, F.RIGHT_INDEX]
    assert all(finger.verified and finger.attempts == 3 for finger in result.fingers)


def test_under_twelve_gives_no_fingerprints() -> None:
    seq = sequence(age=11)
    assert seq.is_done and seq.current is None
    assert seq.result().outcome is Outcome.EXEMPT_AGE
    with pytest.raises(SequenceError):
        seq.record(fake(CaptureRequest(F.LEFT_INDEX, 1)))


def test_poor_finger_falls_back_to_thumb_of_the_same_hand() -> None:
    seq = sequence()
    run(seq, lambda r: 10 if r.position == F.LEFT_INDEX else 70)
    result = seq.result()
    assert [f.position for f in result.fingers] == [F.LEFT_THUMB, F.RIGHT_INDEX]
    assert result.failed == (F.LEFT_INDEX,)


def test_best_of_three_keeps_the_attempt_agreeing_with_the_others() -> None:
    seq = sequence()
    request = seq.current
    seq.record(fake(request, score=60))
    seq.record(fake(seq.current, score=90, identity=99))  # a different finger slipped in
    seq.record(fake(seq.current, score=50))
    stored = seq._stored[0]
    assert stored.impression.attempt in (1, 3) and stored.verified


def test_attempts_of_different_fingers_fail_the_finger() -> None:
    seq = sequence()
    for identity in (101, 102, 103):
        seq.record(fake(seq.current, identity=identity))
    assert seq.current.position == F.LEFT_THUMB


def test_one_usable_attempt_is_kept_unverified() -> None:
    seq = sequence()
    for score in (10, 80, 10):
        seq.record(fake(seq.current, score=score))
    assert seq._stored[0].impression.attempt == 2 and not seq._stored[0].verified


def test_same_finger_on_both_hands_is_refused() -> None:
    seq = sequence()
    run_left = [seq.record(fake(seq.current)) for _ in range(3)]
    assert run_left[-1].next_request.position == F.RIGHT_INDEX
    # The citizen presents the left index again when asked for the right index.
    verdicts = [seq.record(fake(seq.current, identity=int(F.LEFT_INDEX))).verdict for _ in range(3)]
    assert verdicts == [Verdict.SAME_AS_OTHER_HAND] * 3
    assert seq.current.position == F.RIGHT_THUMB
    run(seq, lambda r: 70)
    assert [f.position for f in seq.result().fingers] == [F.LEFT_INDEX, F.RIGHT_THUMB]


def test_staff_mark_unavailable_and_one_finger_is_recorded() -> None:
    seq = sequence()
    for finger in (F.RIGHT_INDEX, F.RIGHT_THUMB, F.RIGHT_MIDDLE, F.RIGHT_RING):
        seq.mark_unavailable(finger, UnavailableReason.AMPUTATED)
    seq.record(fake(seq.current))
    seq.mark_unavailable(F.LEFT_INDEX, UnavailableReason.BANDAGED)  # the current finger: skip it
    assert seq.current == CaptureRequest(F.LEFT_THUMB, 1)
    run(seq, lambda r: 70)
    result = seq.result()
    assert result.outcome is Outcome.ONE_FINGER
    assert [f.position for f in result.fingers] == [F.LEFT_THUMB]
    assert dict(result.unavailable)[F.RIGHT_RING] is UnavailableReason.AMPUTATED


def test_nothing_usable_gives_no_fingers() -> None:
    seq = sequence()
    run(seq, lambda r: 5)
    result = seq.result()
    assert result.outcome is Outcome.NO_FINGERS and result.fingers == ()
    assert len(result.failed) == 8
    assert F.LEFT_LITTLE not in result.failed and F.RIGHT_LITTLE not in result.failed


def test_recording_another_finger_than_requested_is_a_kiosk_fault() -> None:
    seq = sequence()
    with pytest.raises(SequenceError):
        seq.record(fake(CaptureRequest(F.RIGHT_INDEX, 1)))
    with pytest.raises(SequenceError):
        seq.record(fake(CaptureRequest(F.LEFT_INDEX, 2)))
    with pytest.raises(SequenceError):
        seq.result()


def test_impression_position_is_frozen_and_pixels_read_only(good_print: np.ndarray) -> None:
    impression = take_impression(CaptureRequest(F.LEFT_INDEX, 1), good_print)
    assert impression.position is F.LEFT_INDEX
    with pytest.raises(dataclasses.FrozenInstanceError):
        impression.position = F.RIGHT_INDEX  # type: ignore[misc]
    with pytest.raises(ValueError):
        impression.pixels[0, 0] = 0
    assert not np.shares_memory(impression.pixels, good_print)


def test_little_finger_can_never_be_configured() -> None:
    with pytest.raises(ValueError):
        FingerprintSettings(left_fallback=(F.LEFT_INDEX, F.LEFT_LITTLE))
    with pytest.raises(ValueError):
        FingerprintSettings(right_fallback=(F.LEFT_INDEX,))


class CaptureMachine(RuleBasedStateMachine):
    """Random citizens and staff: the stored positions always are what was asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.seq = FingerSequence(SETTINGS, 30, comparer=same_identity)
        self.asked: list[CaptureRequest] = []
        self.captured: dict[tuple[F, int, int], Impression] = {}
        self.capture_round = 0

    @precondition(lambda self: not self.seq.is_done)
    @rule(score=st.integers(0, 100), wrong_finger=st.sampled_from([None, None, None, 7, 2, 6]))
    def capture(self, score: int, wrong_finger: int | None) -> None:
        request = self.seq.current
        self.asked.append(request)
        impression = fake(request, score=score, identity=wrong_finger)
        self.captured[(request.position, request.attempt, self.capture_round)] = impression
        self.capture_round += 1
        result = self.seq.record(impression)
        assert result.impression.position == request.position

    @precondition(lambda self: not self.seq.is_done)
    @rule(
        finger=st.sampled_from(
            [F.LEFT_INDEX, F.LEFT_THUMB, F.RIGHT_INDEX, F.RIGHT_MIDDLE, F.RIGHT_RING]
        ),
        reason=st.sampled_from(list(UnavailableReason)),
    )
    def staff_marks(self, finger: F, reason: UnavailableReason) -> None:
        self.seq.mark_unavailable(finger, reason)

    @rule()
    def look_at_the_screen(self) -> None:
        # Always possible, so the machine can go on after the sequence is complete.
        assert (self.seq.current is None) == self.seq.is_done

    @invariant()
    def never_a_little_finger_and_hands_in_order(self) -> None:
        request = self.seq.current
        if request is not None:
            assert request.position not in (F.LEFT_LITTLE, F.RIGHT_LITTLE)
        hands = [finger.position.hand for finger in self.seq._stored]
        assert hands in ([], ["left"], ["right"], ["left", "right"])

    @invariant()
    def stored_positions_are_the_requested_ones_all_the_way_to_the_record(self) -> None:
        if not self.seq.is_done:
            return
        result = self.seq.result()
        captured = list(self.captured.values())
        for finger in result.fingers:
            # The very object captured for that request, with the position it was asked as.
            assert any(finger.impression is impression for impression in captured)
            assert CaptureRequest(finger.position, finger.impression.attempt) in self.asked
        if result.fingers:
            views = parse_iso19794_4(iso19794_4_record(result.impressions, compression="raw"))
            assert [view.position for view in views] == [
                finger.position for finger in result.fingers
            ]
            assert [view.position.hand for view in views] == [
                finger.position.hand for finger in result.fingers
            ]


TestCaptureMachine = CaptureMachine.TestCase
TestCaptureMachine.settings = hypothesis_settings(
    max_examples=150, stateful_step_count=40, deadline=None
)

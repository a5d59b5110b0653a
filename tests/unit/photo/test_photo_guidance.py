"""Guidance priority, hysteresis and translations; auto-capture states."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.i18n import catalog, translate
from kiosk.photo.capture import AutoCapture, CaptureState
from kiosk.photo.guidance import ALL_GOOD, PRIORITY, Guide, instruction_for
from kiosk.photo.report import PhotoReport
from kiosk.photo.result import REASON_CODES, CheckResult, Status
from kiosk.photo.settings import PhotoSettings

EYES_OK = CheckResult("EyesOpen", 0.3, Status.PASS)
SHARP = CheckResult("Sharpness", 0.3, Status.PASS)


def report(*defects: str, sharp: float = 0.3) -> PhotoReport:
    checks = (EYES_OK, CheckResult("Sharpness", sharp, Status.PASS),
              *(CheckResult("X", 1.0, Status.FAIL, d) for d in defects))
    return PhotoReport(checks=checks, mode="live", defects=tuple(defects))


def test_every_defect_has_an_instruction_and_texts_in_both_languages() -> None:
    assert {d for d, _ in PRIORITY} == set(REASON_CODES)
    codes = {code for _, code in PRIORITY} | {ALL_GOOD}
    for language in ("da", "en"):
        texts = catalog(language)
        for code in codes:
            assert f"photo.guide_{code}" in texts, (language, code)
        for defect in REASON_CODES:
            assert f"photo.defect_{defect}" in texts, (language, defect)
    assert translate("photo.guide_close_mouth", "da") != translate("photo.guide_close_mouth",
                                                                    "en")


def test_priority_picks_the_most_useful_fix() -> None:
    assert instruction_for(report("smiling", "face_too_small")).code == "move_closer"
    assert instruction_for(report("mouth_open", "smiling")).code == "close_mouth"
    assert instruction_for(report("glasses", "head_rotated")).code == "remove_glasses"
    assert instruction_for(report()).code == ALL_GOOD


def test_guide_does_not_flicker() -> None:
    guide = Guide(PhotoSettings(guidance_window=6, guidance_min_frames=3))
    shown = [guide.update(report("mouth_open")).code for _ in range(4)]
    # A measure hovering round its threshold: alternating frames must not switch the text.
    for i in range(10):
        defects = ("smiling",) if i % 2 else ("mouth_open",)
        shown.append(guide.update(report(*defects)).code)
    assert set(shown) == {"close_mouth"}
    # A change that persists takes over within the window.
    later = [guide.update(report("smiling")).code for _ in range(6)]
    assert later[-1] == "neutral_expression"


def test_instruction_text_is_translated() -> None:
    inst = instruction_for(report("face_too_small"))
    assert inst.text_key == "photo.guide_move_closer"
    assert inst.text("en") == "Move a little closer."
    assert inst.text("da") == "Gå lidt tættere på."


@pytest.fixture
def capture() -> AutoCapture:
    return AutoCapture(PhotoSettings(stable_seconds=1.0, burst_size=3))


def test_capture_waits_for_a_stable_period_then_takes_the_sharpest(capture) -> None:
    frame = np.zeros((4, 4, 3), np.uint8)
    assert capture.feed(frame, report("smiling"), 0.0).state is CaptureState.SEARCHING
    status = capture.feed(frame, report(), 0.1)
    assert status.state is CaptureState.HOLDING_STILL and status.progress == 0.0
    status = capture.feed(frame, report(), 0.6)
    assert status.state is CaptureState.HOLDING_STILL and status.progress == pytest.approx(0.5)
    assert capture.feed(frame, report(sharp=0.2), 1.2).state is CaptureState.CAPTURING
    capture.feed(frame + 1, report(sharp=0.5), 1.3)
    done = capture.feed(frame + 2, report(sharp=0.4), 1.4)
    assert done.state is CaptureState.CAPTURED and done.progress == 1.0
    assert capture.best is not None and capture.best.frame[0, 0, 0] == 1
    capture.retake()
    assert capture.state is CaptureState.SEARCHING and capture.best is None


def test_a_failing_frame_restarts_the_countdown(capture) -> None:
    frame = np.zeros((4, 4, 3), np.uint8)
    capture.feed(frame, report(), 0.0)
    capture.feed(frame, report(), 0.9)
    assert capture.feed(frame, report("eyes_closed"), 0.95).state is CaptureState.SEARCHING
    assert capture.feed(frame, report(), 1.0).progress == 0.0

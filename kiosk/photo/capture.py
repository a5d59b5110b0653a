"""Auto-capture: wait until every check has passed for a while, take a burst, keep the best."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from kiosk.photo.report import PhotoReport
from kiosk.photo.settings import PhotoSettings

if TYPE_CHECKING:
    from kiosk.photo.analysis import Pixels


class CaptureState(str, Enum):
    """Where the auto-capture is."""

    SEARCHING = "searching"
    """Some check fails: guidance is shown."""
    HOLDING_STILL = "holding_still"
    """Everything passes; counting down the stable period."""
    CAPTURING = "capturing"
    """Taking the burst."""
    CAPTURED = "captured"
    """Done: ``best`` holds the chosen frame until a retake."""


@dataclass(frozen=True)
class Candidate:
    """One frame of the burst with its report and quality score."""

    frame: Pixels
    report: PhotoReport
    score: float
    timestamp: float


@dataclass(frozen=True)
class CaptureStatus:
    """What the UI shows: the state and how far along the stable period or the burst is."""

    state: CaptureState
    progress: float
    """0-1: the stable period while holding still, the burst while capturing."""


def quality_score(report: PhotoReport) -> float:
    """Higher is better: sharp, frontal, eyes well open (for picking the best burst frame)."""
    m = report.measures
    sharp = float(m.get("Sharpness") or 0.0)
    pose = sum(abs(float(m.get(k) or 0.0)) for k in ("HeadPoseYaw", "HeadPosePitch"))
    roll = abs(float(m.get("HeadPoseRoll") or 0.0))
    eyes = float(m.get("EyesOpen") or 0.0)
    return sharp * (1.0 - 0.02 * pose - 0.01 * roll) + 0.2 * eyes


class AutoCapture:
    """Feed it every analysed frame; it captures by itself once everything holds still.

    A failing frame while holding still starts the countdown again; a failing frame during the
    burst is skipped (a blink in the burst must not restart everything), but more than one
    burst's worth of failing frames goes back to searching.

    A frame is kept only on a complete report (every check run): a preview report that leaves
    out the camera-only checks may count towards the stable period, but before a frame would
    be kept (:meth:`keeps`) the caller completes its report (``report.complete``), and a frame
    that then fails is a failing burst frame like any other.
    """

    def __init__(self, settings: PhotoSettings | None = None) -> None:
        self.settings = settings or PhotoSettings()
        self.retake()

    def retake(self) -> None:
        """Start over (the citizen may always retake)."""
        self.state = CaptureState.SEARCHING
        self._since: float | None = None
        self._burst: list[Candidate] = []
        self._misses = 0
        self.best: Candidate | None = None

    def keeps(self, timestamp: float) -> bool:
        """Whether a compliant frame at ``timestamp`` would be kept as a burst frame: its
        report must then be complete (every check run) before it is fed."""
        if self.state is CaptureState.CAPTURED:
            return False
        return self.state is CaptureState.CAPTURING or self._stable(timestamp) >= 1.0

    def _stable(self, timestamp: float) -> float:
        """How far along the stable period a compliant frame at ``timestamp`` is (0-1+)."""
        since = timestamp if self._since is None else self._since
        s = self.settings
        return (timestamp - since) / s.stable_seconds if s.stable_seconds > 0 else 1.0

    def feed(self, frame_bgr: Pixels, report: PhotoReport, timestamp: float) -> CaptureStatus:
        """One frame with its report and time (seconds, monotonic); returns the new status.

        Raises:
            ValueError: the frame would be kept but its report left checks out (see
                :meth:`keeps`): a kept frame is judged by every check.
        """
        s = self.settings
        if self.state is CaptureState.CAPTURED:
            return CaptureStatus(self.state, 1.0)
        if report.compliant and not report.complete and self.keeps(timestamp):
            raise ValueError("a frame the capture keeps needs its complete report, not: "
                             + ", ".join(report.skipped) + " not run")
        if self.state is CaptureState.CAPTURING:
            if report.compliant:
                self._burst.append(Candidate(frame_bgr.copy(), report, quality_score(report),
                                             timestamp))
            else:
                self._misses += 1
                if self._misses > s.burst_size:
                    self.retake()
                    return CaptureStatus(self.state, 0.0)
            if len(self._burst) >= s.burst_size:
                self.best = max(self._burst, key=lambda c: c.score)
                self._burst = []
                self.state = CaptureState.CAPTURED
                return CaptureStatus(self.state, 1.0)
            return CaptureStatus(self.state, len(self._burst) / s.burst_size)
        if not report.compliant:
            self.state, self._since = CaptureState.SEARCHING, None
            return CaptureStatus(self.state, 0.0)
        progress = self._stable(timestamp)
        if self._since is None:
            self._since = timestamp
        self.state = CaptureState.HOLDING_STILL
        if progress >= 1.0:
            self.state = CaptureState.CAPTURING
            self._misses = 0
            self._burst = [Candidate(frame_bgr.copy(), report, quality_score(report), timestamp)]
            if s.burst_size == 1:
                self.best = self._burst[0]
                self.state = CaptureState.CAPTURED
                return CaptureStatus(self.state, 1.0)
            return CaptureStatus(self.state, 1.0 / s.burst_size)
        return CaptureStatus(self.state, max(0.0, progress))

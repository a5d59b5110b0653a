"""A live photo session: analysis, checks, guidance and auto-capture for one camera loop."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from kiosk.photo.analysis import FaceAnalyzer, Pixels
from kiosk.photo.capture import AutoCapture, CaptureState, CaptureStatus
from kiosk.photo.guidance import Guide, Instruction
from kiosk.photo.report import PhotoReport, assess, complete
from kiosk.photo.settings import PhotoSettings
from kiosk.photo.token import TokenPhoto, make_token_photo


@dataclass(frozen=True)
class LiveUpdate:
    """What one frame produced, for the UI."""

    report: PhotoReport
    instruction: Instruction
    capture: CaptureStatus
    token: TokenPhoto | None
    """The token photo, once captured (the same object until a retake)."""


class LivePhotoSession:
    """Call :meth:`process` per camera frame from one worker thread (it owns its models).

    Example::

        session = LivePhotoSession(settings)
        update = session.process(frame)          # each frame, about 10-15 fps
        show(update.instruction.text(language), update.capture.progress)
        if update.token: review(update.token)    # then session.retake() or accept
    """

    def __init__(self, settings: PhotoSettings | None = None,
                 analyzer: FaceAnalyzer | None = None) -> None:
        self.settings = settings or PhotoSettings()
        self._own_analyzer = analyzer is None
        self.analyzer = analyzer or FaceAnalyzer(self.settings, static=False)
        self.guide = Guide(self.settings)
        self.capture = AutoCapture(self.settings)
        self._token: TokenPhoto | None = None
        #: Defect codes that no longer hold the capture back (a librarian overrode them).
        self.waived: frozenset[str] = frozenset()
        #: The last complete report found a camera-only defect: until one passes them all
        #: again, every frame that passes the rest is judged in full, so that the citizen
        #: keeps seeing the instruction and no stable period starts on a camera fault.
        self.camera_suspect = False

    def process(self, frame_bgr: Pixels, timestamp: float | None = None) -> LiveUpdate:
        """Analyse, check, guide and (when everything holds) capture one frame.

        A preview frame leaves out the camera-only checks (``report.skipped``); they run only
        when the rest passes and either the frame would be kept (the burst) or the last
        complete report found a camera-only defect. A frame failing any other check fails
        anyway, and its instruction outranks theirs.
        """
        t = time.monotonic() if timestamp is None else timestamp
        analysis = self.analyzer.analyze(frame_bgr)
        report = self._waive(assess(analysis, self.settings, "live", preview=True))
        if report.compliant and (self.camera_suspect or self.capture.keeps(t)):
            report = self._waive(complete(report, self.settings))
            # The rest passed, so only a camera-only check can have failed.
            self.camera_suspect = not report.compliant
        instruction = self.guide.update(report)
        status = self.capture.feed(frame_bgr, report, t)
        if status.state is CaptureState.CAPTURED and self._token is None:
            best = self.capture.best
            assert best is not None and best.report.analysis is not None
            token = make_token_photo(best.frame, best.report.analysis, self.settings)
            self._token = replace(token, checks=tuple(
                (check.name, check.value, check.status.value) for check in best.report.checks))
        return LiveUpdate(report=report, instruction=instruction, capture=status,
                          token=self._token)

    def _waive(self, report: PhotoReport) -> PhotoReport:
        """The report without the defects a librarian overrode."""
        if self.waived and report.defects:
            # "no_face" cannot be waived: without a face there is no photo to take.
            report = replace(report, defects=tuple(
                code for code in report.defects if code not in self.waived or code == "no_face"))
        return report

    def retake(self) -> None:
        """Discard the capture and start guiding again."""
        self.capture.retake()
        self.guide.reset()
        self._token = None

    def close(self) -> None:
        """Release the models (when this session created them)."""
        if self._own_analyzer:
            self.analyzer.close()

"""Run every check over one frame analysis and collect the verdicts into a report."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.checks import ALL_CHECKS
from kiosk.photo.result import CheckResult, Mode, Status, unknown
from kiosk.photo.settings import PhotoSettings

#: The one check of a report on a frame that could not be analysed (``PhotoReport.usable``).
USABLE_FRAME = "UsableFrame"


@dataclass(frozen=True)
class PhotoReport:
    """The verdict on one frame: every check, the defects found and the raw measures."""

    checks: tuple[CheckResult, ...]
    mode: Mode
    defects: tuple[str, ...] = field(default=())
    """Reason codes of the failed checks, without repeats, in check order."""
    analysis: FrameAnalysis | None = field(default=None, repr=False, compare=False)
    """The analysis the report was made from (for the token photo and for inspection)."""

    @property
    def compliant(self) -> bool:
        """True when no check failed and the face could be assessed at all."""
        return not self.defects and self.assessable

    @property
    def usable(self) -> bool:
        """False when the frame itself could not be analysed (see ``unusable_reason``)."""
        return self.analysis is None or not self.analysis.unusable

    @property
    def unusable_reason(self) -> str:
        """Why the frame could not be analysed at all; empty for a usable frame."""
        return "" if self.analysis is None else self.analysis.unusable

    @property
    def assessable(self) -> bool:
        """Whether a face was found, so that the face checks could run."""
        return any(c.name == "EyesOpen" and c.status is not Status.UNKNOWN for c in self.checks)

    @property
    def measures(self) -> dict[str, float | None]:
        """Measure name -> raw value, including each check's extra values."""
        out: dict[str, float | None] = {}
        for c in self.checks:
            out[c.name] = c.value
            out.update(c.extra)
        return out

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        """The failed checks."""
        return tuple(c for c in self.checks if c.failed)

    @property
    def unknown(self) -> tuple[CheckResult, ...]:
        """The checks that could not assess."""
        return tuple(c for c in self.checks if c.status is Status.UNKNOWN)


def assess(analysis: FrameAnalysis, settings: PhotoSettings | None = None,
           mode: Mode | None = None) -> PhotoReport:
    """Judge one analysed frame. Never raises for a bad photo: a bad photo is a report.

    Args:
        analysis: from :meth:`FaceAnalyzer.analyze`.
        settings: thresholds and policy; defaults when ``None``.
        mode: ``"live"`` (a camera frame the kiosk will crop) or ``"as_is"`` (a finished
            photo, framing included); defaults to ``settings.mode``.
    """
    settings = settings or PhotoSettings()
    mode = mode or settings.mode
    if analysis.unusable:
        # No usable frame: nothing was measured, and there is no face to photograph.
        frame = unknown(USABLE_FRAME, f"no usable frame: {analysis.unusable}")
        return PhotoReport(checks=(frame,), mode=mode, defects=("no_face",), analysis=analysis)
    checks: list[CheckResult] = []
    for check in ALL_CHECKS:
        checks.extend(check(analysis, settings, mode))
    defects: list[str] = []
    for c in checks:
        if c.failed and c.reason and c.reason not in defects:
            defects.append(c.reason)
    if not analysis.has_face and not defects:
        # A face was detected but not meshed: nothing about it can be judged.
        defects.append("no_face")
    return PhotoReport(checks=tuple(checks), mode=mode, defects=tuple(defects), analysis=analysis)

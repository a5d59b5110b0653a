"""Run the checks over one frame analysis and collect the verdicts into a report.

A live preview frame may leave out the camera-only checks (``checks.CAMERA_ONLY``: JPEG
blocking, greyscale and colour cast, red eye): the citizen cannot act on them in the moment,
and they matter only for the frame the capture keeps. Such a report lists them in ``skipped``
(not run: neither passed nor failed) and :func:`complete` runs them before a frame is kept.
Everything else (the CLI, the evaluation, the token) gets the full assessment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.checks import ALL_CHECKS, CAMERA_ONLY, Check
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
    skipped: tuple[str, ...] = field(default=())
    """Names of the checks not run on this frame (a live preview frame leaves out the
    camera-only ones): not passed, not failed, not in ``checks``. Empty for a full report."""
    parts: tuple[tuple[CheckResult, ...] | None, ...] = field(default=(), repr=False,
                                                              compare=False)
    """The results of each of ``ALL_CHECKS`` in order, ``None`` for a check not run (so that
    :func:`complete` can put the rest in their places)."""

    @property
    def complete(self) -> bool:
        """Whether every check ran: only such a report may decide that a frame is kept."""
        return not self.skipped

    @property
    def compliant(self) -> bool:
        """True when no check failed and the face could be assessed at all (of a report with
        ``skipped`` checks: none of those that ran failed)."""
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
           mode: Mode | None = None, *, preview: bool = False) -> PhotoReport:
    """Judge one analysed frame. Never raises for a bad photo: a bad photo is a report.

    Args:
        analysis: from :meth:`FaceAnalyzer.analyze`.
        settings: thresholds and policy; defaults when ``None``.
        mode: ``"live"`` (a camera frame the kiosk will crop) or ``"as_is"`` (a finished
            photo, framing included); defaults to ``settings.mode``.
        preview: a live preview frame: leave out the camera-only checks
            (``checks.CAMERA_ONLY``; listed in ``skipped``). :func:`complete` runs them on a
            frame that may be kept.
    """
    settings = settings or PhotoSettings()
    mode = mode or settings.mode
    if analysis.unusable:
        # No usable frame: nothing was measured, and there is no face to photograph.
        frame = unknown(USABLE_FRAME, f"no usable frame: {analysis.unusable}")
        return PhotoReport(checks=(frame,), mode=mode, defects=("no_face",), analysis=analysis)
    left_out = _CAMERA_ONLY if preview else {}
    parts = tuple(None if check in left_out else tuple(check(analysis, settings, mode))
                  for check in ALL_CHECKS)
    return _report(analysis, mode, parts)


def complete(report: PhotoReport, settings: PhotoSettings | None = None) -> PhotoReport:
    """The full report of a preview report's frame: the checks it left out run now, and their
    results take their places in check order. The result equals ``assess`` without
    ``preview``; a report that is already complete is returned as it is."""
    if report.complete or report.analysis is None:
        return report
    settings = settings or PhotoSettings()
    analysis, mode = report.analysis, report.mode
    parts = tuple(tuple(check(analysis, settings, mode)) if part is None else part
                  for check, part in zip(ALL_CHECKS, report.parts, strict=True))
    return _report(analysis, mode, parts)


#: The camera-only checks and the names of their results (``checks.CAMERA_ONLY``).
_CAMERA_ONLY: dict[Check, tuple[str, ...]] = dict(CAMERA_ONLY)


def _report(analysis: FrameAnalysis, mode: Mode,
            parts: tuple[tuple[CheckResult, ...] | None, ...]) -> PhotoReport:
    """The report of the results of each check (``None``: not run)."""
    checks = tuple(c for part in parts if part is not None for c in part)
    skipped = tuple(name for check, part in zip(ALL_CHECKS, parts, strict=True) if part is None
                    for name in _CAMERA_ONLY[check])
    defects: list[str] = []
    for c in checks:
        if c.failed and c.reason and c.reason not in defects:
            defects.append(c.reason)
    if not analysis.has_face and not defects:
        # A face was detected but not meshed: nothing about it can be judged.
        defects.append("no_face")
    return PhotoReport(checks=checks, mode=mode, defects=tuple(defects), analysis=analysis,
                       skipped=skipped, parts=parts)

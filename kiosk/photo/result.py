"""The outcome of one check and the helpers every check module uses to build it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

Mode = Literal["live", "as_is"]

#: The reason-code vocabulary, shared with the labelled evaluation data.
REASON_CODES = (
    "no_face", "multiple_faces", "face_too_small", "face_too_large", "face_off_center",
    "face_cut_off", "head_rotated", "head_tilted", "eyes_closed", "mouth_open", "smiling",
    "glasses", "glasses_glare", "head_covering", "hair_over_eyes", "occlusion", "shadow_on_face",
    "uneven_lighting", "underexposed", "overexposed", "background_not_plain", "background_shadow",
    "blurred", "low_resolution", "color_cast", "grayscale", "red_eye", "compression_artifacts",
)

_CODES = frozenset(REASON_CODES)


class Status(str, Enum):
    """Verdict of one check."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "could_not_assess"


@dataclass(frozen=True)
class CheckResult:
    """One measure: raw value, verdict against the configured threshold and reason code."""

    name: str
    """Measure name after the ISO/IEC 29794-5 component (``HeadPoseYaw``, ``Sharpness``...)."""
    value: float | None
    """The raw measurement (``None`` when it could not be measured)."""
    status: Status
    reason: str | None = None
    """Reason code when failed (one of ``REASON_CODES``)."""
    threshold: str = ""
    """Human-readable acceptance rule, for the report."""
    extra: dict[str, float] = field(default_factory=dict)
    """Further raw values the check computed (shown in the report, used by the evaluation)."""

    @property
    def failed(self) -> bool:
        """Whether this check found a defect."""
        return self.status is Status.FAIL


def _result(name: str, value: float | None, status: Status, reason: str | None,
            threshold: str, extra: dict[str, float]) -> CheckResult:
    """``CheckResult(name, value, status, reason, threshold, extra)``: the same frozen object,
    its fields written into its ``__dict__`` at once. The frozen dataclass's ``__init__`` sets
    each field through ``object.__setattr__``, which costs more than the rest of a simple check
    (about 30 results per live frame)."""
    result: CheckResult = _new(CheckResult)
    fields = result.__dict__
    fields["name"] = name
    fields["value"] = value
    fields["status"] = status
    fields["reason"] = reason
    fields["threshold"] = threshold
    fields["extra"] = extra
    return result


_new = object.__new__


def unknown(name: str, why: str = "") -> CheckResult:
    """A check that could not decide (no face, no segmentation...)."""
    return _result(name, None, Status.UNKNOWN, None, why, {})


def verdict(name: str, value: float, ok: bool, reason: str, threshold: str,
            extra: dict[str, float] | None = None) -> CheckResult:
    """A pass/fail result; NaN values become "could not assess"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return unknown(name, threshold)
    assert reason in _CODES, reason
    return _result(name, float(value), Status.PASS if ok else Status.FAIL,
                   None if ok else reason, threshold,
                   {k: float(v) for k, v in extra.items()} if extra else {})

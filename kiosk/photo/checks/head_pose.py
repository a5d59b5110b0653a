"""HeadPoseYaw, HeadPosePitch and HeadPoseRoll from the face mesh."""

from __future__ import annotations

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Yaw and pitch beyond their limits mean a turned head, roll beyond its limit a tilted one."""
    if a.pose is None:
        return [unknown(n, "no face") for n in ("HeadPoseYaw", "HeadPosePitch", "HeadPoseRoll")]
    p = a.pose
    return [
        verdict("HeadPoseYaw", p.yaw, abs(p.yaw) <= s.max_yaw_deg, "head_rotated",
                f"|yaw| <= {s.max_yaw_deg:g} deg"),
        verdict("HeadPosePitch", p.pitch, abs(p.pitch) <= s.max_pitch_deg, "head_rotated",
                f"|pitch| <= {s.max_pitch_deg:g} deg"),
        verdict("HeadPoseRoll", p.roll, abs(p.roll) <= s.max_roll_deg, "head_tilted",
                f"|roll| <= {s.max_roll_deg:g} deg"),
    ]

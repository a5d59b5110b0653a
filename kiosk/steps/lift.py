"""Levelling the camera: where the eyes are in the frame and where the lift is -> what it does.

Pure: no device, no clock. The photo runner asks :func:`decide` on every analysed frame before
it asks the citizen anything, and does what it says (run to a position, stop, wait, or go on
with the photo).

The frame itself measures the millimetres: the citizen's inter-eye distance in pixels stands
for about 63 mm at their distance from the camera, so the eyes' distance from the target line
in pixels is a distance in millimetres the column must run (down when the eyes are low in the
frame: the camera is above them). One run usually lands on the line; the frames taken while
the column runs lag behind it, so a run is aimed only from a frame taken at rest, and the
result is checked again from a frame taken after it stopped.

Safety before comfort: nothing moves while a face is too close to the camera (a head leaning
in could be hit by the screen), nothing moves towards a face it cannot see (except, in seated
mode, down into the seated range before anyone is in view), and nothing moves while the
column reports a stall or an obstruction: that is latched until a librarian resets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from drivers.interfaces import LiftStatus
from kiosk.config import LiftSettings

#: What the runner does: start a run, stop the column, do nothing yet, or finish levelling.
Action = Literal["move", "stop", "wait", "done"]


@dataclass(frozen=True)
class Eyes:
    """The eyes in one frame, as the face analysis measured them (pixels)."""

    #: Height of the midpoint between the eyes, from the top of the frame.
    y: float
    #: Distance between the eye centres.
    inter_eye: float
    #: The frame's height.
    frame_height: int

    @property
    def line(self) -> float:
        """The eye height as a fraction of the frame height."""
        return self.y / self.frame_height

    @property
    def closeness(self) -> float:
        """Inter-eye distance over the frame height: grows as the face comes closer."""
        return self.inter_eye / self.frame_height


@dataclass(frozen=True)
class LiftCommand:
    """What :func:`decide` says: an action, the position for a run, and why."""

    action: Action
    #: ``level``, ``seated_start``, ``no_face``, ``too_close``, ``fault``, ``running``,
    #: ``settling``, ``on_line``, ``at_limit`` or ``gave_up``.
    reason: str
    target_mm: int | None = None


def travel(lift: LiftStatus, settings: LiftSettings, seated: bool) -> tuple[int, int]:
    """The positions the lift may use: its limits, or the lower seated range."""
    if not seated:
        return lift.min_mm, lift.max_mm
    return lift.min_mm, max(lift.min_mm, min(lift.max_mm, settings.seated_max_mm))


def decide(eyes: Eyes | None, lift: LiftStatus, settings: LiftSettings, *, seated: bool = False,
           at_rest: bool = True, moves: int = 0) -> LiftCommand:
    """The next thing to do for one analysed frame.

    Args:
        eyes: The eyes in the frame, None when no face was found.
        lift: The lift's status now.
        settings: Target line, tolerance, closeness limit, seated range.
        seated: Seated mode (the citizen or staff chose it): the lower range.
        at_rest: The frame was taken with the column at rest where it is now (at least
            ``settle_s`` after it stopped); only such a frame aims a run.
        moves: Runs made so far in this levelling.
    """
    if lift.fault is not None:
        return LiftCommand("stop", "fault")
    low, high = travel(lift, settings, seated)
    if eyes is not None and eyes.closeness > settings.too_close:
        return LiftCommand("stop" if lift.moving else "wait", "too_close")
    if eyes is None:
        if seated and not lift.moving and lift.position_mm > high and moves == 0:
            start = min(max(settings.seated_start_mm, low), high)
            return LiftCommand("move", "seated_start", start)
        if lift.moving and not (seated and lift.position_mm > high):
            return LiftCommand("stop", "no_face")
        return LiftCommand("wait", "running" if lift.moving else "no_face")
    if lift.moving:
        return LiftCommand("wait", "running")
    if not at_rest:
        return LiftCommand("wait", "settling")
    off = eyes.line - settings.eye_line
    if abs(off) <= settings.tolerance and low <= lift.position_mm <= high:
        return LiftCommand("done", "on_line")
    if moves >= settings.max_moves:
        return LiftCommand("done", "gave_up")
    # Eyes low in the frame (off > 0): the camera is above them, so it runs down.
    mm_per_px = settings.eye_distance_mm / eyes.inter_eye
    wanted = lift.position_mm - off * eyes.frame_height * mm_per_px
    target = int(round(min(max(wanted, low), high)))
    if target == lift.position_mm:
        return LiftCommand("done", "at_limit")
    return LiftCommand("move", "level", target)

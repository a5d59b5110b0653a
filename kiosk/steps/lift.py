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

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from drivers.errors import DeviceError, LiftObstructedError, LiftStalledError
from drivers.interfaces import CameraLift, LiftStatus
from kiosk.config import LiftSettings

log = logging.getLogger(__name__)

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


class DriftWatch:
    """Tells when a levelled citizen has moved off the eye line for good (pure: frame times in).

    A citizen who straightens up, sits down or is swapped for another after the camera was
    levelled has their eyes far from the line; the photo's own checks would then ask them to
    bend or stretch. The lift follows instead, but only once the eyes have stayed more than
    ``relevel_tolerance`` off the line for ``relevel_after_s``: a nod or a glance passes.
    No face restarts the watch (nobody to follow).
    """

    def __init__(self, settings: LiftSettings) -> None:
        self.settings = settings
        self._off_since: float | None = None

    def feed(self, eyes: Eyes | None, taken: float) -> bool:
        """One analysed frame taken at ``taken``; True when the lift should level again."""
        s = self.settings
        if eyes is None or abs(eyes.line - s.eye_line) <= s.relevel_tolerance:
            self._off_since = None
            return False
        if self._off_since is None:
            self._off_since = taken
        return taken - self._off_since >= s.relevel_after_s

    def reset(self) -> None:
        """Forget the frames so far (after levelling again)."""
        self._off_since = None


# --- the loop around the core (a device and a clock: not pure) --------------------------------

#: What the photo runner hands the leveller for each new analysed frame: the eyes (None: no
#: face) and when the frame was taken (``time.monotonic()``); None while no new frame came.
Look = Callable[[], tuple[Eyes | None, float] | None]


class Leveller:
    """Runs :func:`decide` against a lift, one analysed frame at a time, until the eyes are on
    the line (or the lift can do no better, or ``level_timeout_s`` after the first face).

    A stall or obstruction that happens while it levels is raised (LiftStalledError,
    LiftObstructedError) after the column was told to stop; one already latched when it
    starts means nothing moves at all (:meth:`run` returns ``latched_<fault>``).
    """

    def __init__(self, lift: CameraLift, settings: LiftSettings, *,
                 seated: Callable[[], bool] = lambda: False,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.lift = lift
        self.settings = settings
        self.seated = seated
        self.clock = clock
        self.sleep = sleep
        #: Runs started so far.
        self.moves = 0
        self._rest_since: float | None = None

    def run(self, look: Look, say: Callable[[LiftCommand], None],
            cancelled: Callable[[], bool]) -> str:
        """Level the camera; returns why it ended (``on_line``, ``at_limit``, ``gave_up``,
        ``timeout``, ``cancelled``, ``latched_stalled``/``latched_obstructed``)."""
        status = self.lift.lift_status()
        if status.fault is not None:
            return f"latched_{status.fault}"
        # Resting when levelling starts: every frame from now on shows it where it stands.
        self._rest_since = None if status.moving else float("-inf")
        # The time limit runs from the first face: before it, nobody is there to level for
        # (the session's inactivity clock ends a step nobody comes to).
        deadline: float | None = None
        try:
            while not cancelled():
                if deadline is not None and self.clock() > deadline:
                    return "timeout"
                seen = look()
                if seen is None:
                    self.sleep(0.01)
                    continue
                if deadline is None and seen[0] is not None:
                    deadline = self.clock() + self.settings.level_timeout_s
                command = self.step(*seen)
                say(command)
                if command.action == "done":
                    return command.reason
            return "cancelled"
        finally:
            self._halt()

    def step(self, eyes: Eyes | None, taken: float) -> LiftCommand:
        """Decide on one frame taken at ``taken`` and do it."""
        status = self.lift.lift_status()
        if status.moving:
            self._rest_since = None
        elif self._rest_since is None:
            self._rest_since = self.clock()
        rest = self._rest_since
        settled = rest is not None and taken >= rest + self.settings.settle_s
        command = decide(eyes, status, self.settings, seated=self.seated(), at_rest=settled,
                         moves=self.moves)
        if command.reason == "fault":
            self._halt()
            error = LiftStalledError if status.fault == "stalled" else LiftObstructedError
            raise error(self.lift.name, f"{status.fault} at {status.position_mm} mm while "
                                        "levelling the camera")
        if command.action == "move" and command.target_mm is not None:
            self.lift.move_to(command.target_mm)
            self.moves += 1
            self._rest_since = None
        elif command.action in ("stop", "done") and status.moving:
            self.lift.stop()
        return command

    def _halt(self) -> None:
        """Stop the column if it may be running (a lift that cannot be reached is logged)."""
        try:
            if self.lift.lift_status().moving:
                self.lift.stop()
        except DeviceError as error:
            log.warning("could not stop the lift: %s", error.staff_message)

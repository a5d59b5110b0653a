"""Simulated camera lift on a pty: a column that runs at a real column's speed, with faults.

It speaks :mod:`drivers.lift_protocol` like the controller board of a LINAK/Timotion-style
column: it runs to a target by itself at ``speed_mm_s`` (about 30 mm/s; many times faster with
pacing off, for tests), stops at its limits, and latches a stall (overcurrent) or an obstruction
(anti-collision) until it is reset. Listeners hear every position change: the simulated world
moves the camera's picture of the citizen with it, so the citizen's eyes move in the frame as
the column moves.

Faults, besides the common serial ones (``unplug``, ``silent``, ``slow``, ``garbage``,
``truncate``): ``stall`` and ``obstruct`` (now if the column is running, else ``after_mm``
into its next run). Script events: ``move`` (each MOVE accepted).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from drivers.lift_protocol import LineError, LineSplitter, decode_line, encode_line
from simulator.faults import FaultParams, FaultSpec, ScriptStep, param_float
from simulator.serial_device import COMMON_FAULTS, SimulatedSerialDevice

if TYPE_CHECKING:
    from kiosk.config import DevicesSettings
    from simulator.camera.server import SimulatedCamera
    from simulator.scenario import Scenario

#: Faults of the simulated lift: the common ones plus the column's own.
LIFT_FAULTS = {
    **COMMON_FAULTS,
    "stall": FaultSpec("the motor stalls: at once while running, else `after_mm` (default 20) "
                       "into the next run; latched until RESET", times=1),
    "obstruct": FaultSpec("the anti-collision sensor trips: at once while running, else "
                          "`after_mm` (default 20) into the next run; latched until RESET",
                          times=1),
}
#: How much faster the column runs with pacing off (tests).
UNPACED_SPEEDUP = 20.0


class SimulatedLift(SimulatedSerialDevice):
    """A camera column on a pty.

    Args:
        name: Name of the stable symlink (``lift``).
        min_mm: Lowest position.
        max_mm: Highest position.
        start_mm: Where the column stands when the simulation starts.
        speed_mm_s: Running speed (real columns: 20-40 mm/s).
        pacing: Pace output to the baud rate and run at ``speed_mm_s``; off: many times faster.
        baud: Line speed the output is paced to.
        script: Scripted faults (event ``move``).
        seed: Seed of the fault randomness (garbage bytes).
    """

    def __init__(
        self,
        name: str = "lift",
        *,
        min_mm: int = 0,
        max_mm: int = 600,
        start_mm: int = 300,
        speed_mm_s: float = 30.0,
        pacing: bool = True,
        baud: int = 9600,
        script: Iterable[ScriptStep | Mapping[str, object]] = (),
        seed: int = 0,
    ) -> None:
        super().__init__(name, LIFT_FAULTS, baud=baud, pacing=pacing, script=script, seed=seed)
        if not min_mm <= start_mm <= max_mm:
            raise ValueError(f"start {start_mm} mm is outside {min_mm}-{max_mm} mm")
        self.min_mm, self.max_mm = min_mm, max_mm
        self.speed_mm_s = speed_mm_s if pacing else speed_mm_s * UNPACED_SPEEDUP
        self.identity = "PASBOKS-LIFT SIM-1.0"
        self._position = float(start_mm)
        self._target: float | None = None
        self._fault: str | None = None  # "STALLED" or "OBSTRUCTED" while latched
        self._fault_at: float | None = None  # position at which an armed fault trips
        self._fault_kind = "STALLED"  # what trips there
        self._pending: tuple[str, float] | None = None  # a fault armed while idle: kind, after
        self._last_tick = time.monotonic()
        self._splitter = LineSplitter()
        self._state_lock = threading.RLock()
        #: Called with the position (mm) whenever it changes, on the serving thread.
        self.listeners: list[Callable[[float], None]] = []
        #: Every run: (time.monotonic(), from_mm, to_mm), for tests and measurements.
        self.runs: list[tuple[float, float, float]] = []
        #: Position of every stop (arrived, stopped, stalled, obstructed): (t, mm, why).
        self.stops: list[tuple[float, float, str]] = []

    # -- what tests and the world read ------------------------------------------------------

    @property
    def position_mm(self) -> float:
        """Where the column is now."""
        with self._state_lock:
            return self._position

    @property
    def state(self) -> str:
        """``IDLE``, ``MOVING``, ``STALLED`` or ``OBSTRUCTED``."""
        with self._state_lock:
            if self._fault is not None:
                return self._fault
            return "MOVING" if self._target is not None else "IDLE"

    # -- the column's motion ----------------------------------------------------------------

    def tick(self) -> None:
        """Advance the column (runs every ~20 ms on the serving thread)."""
        now = time.monotonic()
        events: list[str] = []
        with self._state_lock:
            dt, self._last_tick = now - self._last_tick, now
            target = self._target
            if target is None or not self.plugged:
                return
            step = self.speed_mm_s * dt
            distance = target - self._position
            new = target if abs(distance) <= step else self._position + step * (
                1 if distance > 0 else -1)
            trip = self._fault_at
            if trip is not None and min(self._position, new) <= trip <= max(self._position, new):
                new = trip
            self._position = new
            if trip is not None and new == trip:
                self._fault_at = None
                self._trip(self._fault_kind, events)
            elif new == target:
                self._target = None
                self.stops.append((now, new, "arrived"))
                events.append(f"EV ARRIVED {round(new)}")
            position = self._position
        self._moved(position)
        for event in events:
            self._reply(event)

    def _trip(self, fault: str, events: list[str]) -> None:
        """Latch ``fault`` here and now (holding the state lock)."""
        self._fault = fault
        self._target = None
        self.stops.append((time.monotonic(), self._position, fault.lower()))
        word = "STALL" if fault == "STALLED" else "OBSTRUCT"
        events.append(f"EV {word} {round(self._position)}")

    def _moved(self, position: float) -> None:
        for listener in list(self.listeners):
            listener(position)

    # -- faults -------------------------------------------------------------------------------

    def _fault_armed(self, name: str, params: FaultParams) -> None:
        if name not in ("stall", "obstruct"):
            return
        fault = "STALLED" if name == "stall" else "OBSTRUCTED"
        events: list[str] = []
        with self._state_lock:
            self._faults.take(name, f"at {round(self._position)} mm")
            if self._target is not None:
                self._trip(fault, events)
            else:
                # Idle: it trips `after_mm` into the next run (armed by the next MOVE).
                self._pending = (fault, param_float(params, "after_mm", 20.0))
        for event in events:
            self._reply(event)

    # -- the host's side ----------------------------------------------------------------------

    def handle(self, data: bytes) -> None:
        """Requests from the host, one per line."""
        for line in self._splitter.feed(data):
            try:
                body = decode_line(line)
            except LineError:
                self._reply("ERR CHECKSUM")
                continue
            if self._silent(f"request {body.split()[0][:8] if body.split() else ''!r} ignored"):
                continue
            self._delay(0.0)
            self._reply(self._request(body))

    def _request(self, body: str) -> str:
        words = body.split()
        command = words[0] if words else ""
        with self._state_lock:
            if command == "ID?" and len(words) == 1:
                return f"ID {self.identity}"
            if command == "POS?" and len(words) == 1:
                return f"POS {round(self._position)} {self.state}"
            if command == "LIM?" and len(words) == 1:
                return f"LIM {self.min_mm} {self.max_mm}"
            if command == "STOP" and len(words) == 1:
                if self._target is not None:
                    self._target = None
                    self.stops.append((time.monotonic(), self._position, "stopped"))
                return "OK"
            if command == "RESET" and len(words) == 1:
                self._fault = None
                return "OK"
            if command == "MOVE" and len(words) == 2 and words[1].lstrip("-").isdigit():
                return self._move(int(words[1]))
        return "ERR SYNTAX"

    def _move(self, target: int) -> str:
        if self._fault is not None:
            return f"ERR {self._fault}"
        if not self.min_mm <= target <= self.max_mm:
            return "ERR RANGE"
        self.runs.append((time.monotonic(), self._position, float(target)))
        self._last_tick = time.monotonic()
        self._target = float(target)
        pending, self._pending = self._pending, None
        if pending is not None:
            fault, after = pending
            direction = 1 if target >= self._position else -1
            self._fault_at = self._position + direction * min(after, abs(target - self._position))
            self._fault_kind = fault
        self._event("move")
        return "OK"

    def _reply(self, body: str) -> None:
        frame = encode_line(body)
        cut = self._truncate(frame)
        self.send(self._garbage() + (frame if cut is None else cut))

    def on_plug(self, plugged: bool) -> None:
        """A pulled cable stops the column (the controller loses its host, not its power: it
        stops as a safety measure); a replugged one starts with empty input."""
        super().on_plug(plugged)
        self._splitter.reset()
        with self._state_lock:
            if not plugged and self._target is not None:
                self._target = None
                self.stops.append((time.monotonic(), self._position, "unplugged"))


#: Where the simulated column stands when the simulation starts (mid-travel).
START_MM = 300


def make_lift(scenario: Scenario, settings: DevicesSettings, camera: SimulatedCamera, *,
              pacing: bool) -> SimulatedLift | None:
    """The scenario's camera lift (None when neither the scenario nor the configuration has
    one), wired to the camera: the citizen's eyes move in the frame as the column moves.

    The camera starts ``scenario.eye_offset_mm`` below the citizen's eyes (with or without a
    lift); the column running up by 10 mm puts the eyes 10 mm lower relative to the camera,
    and a citizen who straightens up by 10 mm is :meth:`SimulatedCamera.move_eyes` (10).
    """
    camera.eyes_above_camera_mm = scenario.eye_offset_mm
    if not scenario.lift and settings.lift.model == "none":
        return None
    lift = SimulatedLift("lift", pacing=pacing, baud=settings.lift.baudrate, start_mm=START_MM)
    last = float(START_MM)

    def follow(position: float) -> None:
        # By the distance run, not from the start: a citizen who straightens up or sits down
        # meanwhile (``camera.move_eyes``) stays where they moved to.
        nonlocal last
        camera.move_eyes(last - position)
        last = position

    lift.listeners.append(follow)
    return lift

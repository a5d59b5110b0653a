"""Camera lift on a serial port: a column controller spoken to in checksummed ASCII lines.

The column raises and lowers the camera (and the screen) so the citizen's eyes meet the camera
whether they are a child, in a wheelchair or tall. The controller runs to a target by itself
and stops on overcurrent or on its anti-collision sensor; the kiosk asks where it is, sends
targets and stops it. The command set is in :mod:`drivers.lift_protocol`.

Every failure is a named :mod:`drivers.errors` error: ``lift_unplugged`` (port gone),
``lift_garbage`` (lines that break the protocol), ``lift_stalled`` and ``lift_obstructed``
(the controller refuses to move while such a fault is latched), ``device_timeout``.
"""

from __future__ import annotations

import logging
import threading
import time

import serial

from drivers.errors import (
    DeviceDisconnectedError,
    DeviceError,
    DeviceNotFoundError,
    DeviceRefusedError,
    DeviceTimeoutError,
    LiftGarbageError,
    LiftObstructedError,
    LiftStalledError,
    LiftUnpluggedError,
)
from drivers.interfaces import Health, LiftStatus
from drivers.lift_protocol import LineError, LineSplitter, Reply, decode_line, encode_line, parse
from drivers.serial_link import Opener, SerialLink

log = logging.getLogger(__name__)


class SerialCameraLift:
    """A :class:`~drivers.interfaces.CameraLift` over pyserial.

    Args:
        name: The configured device name, used in errors (``lift``).
        url: What ``serial.serial_for_url`` opens: a device path, a pty path, ``spy://...``.
        baudrate: Line speed (ignored on a pty).
        reply_timeout: How long one request may wait for its reply.
        backoff_initial: First wait before reopening a lost port; doubles up to ``backoff_max``.
        opener: Replaces ``serial.serial_for_url`` in unit tests.
    """

    def __init__(
        self,
        name: str,
        url: str,
        baudrate: int = 9600,
        *,
        reply_timeout: float = 1.0,
        backoff_initial: float = 0.2,
        backoff_max: float = 5.0,
        opener: Opener = serial.serial_for_url,
    ) -> None:
        self.name = name
        self.reply_timeout = reply_timeout
        self._lines = LineSplitter()
        #: The controller's identity (model and firmware) from the last handshake.
        self.identity = ""
        #: The travel limits, read at every (re)connect.
        self.limits = (0, 0)
        #: Unprompted events seen (``ARRIVED 412``, ``OBSTRUCT 380``...), newest last; bounded.
        self.events: list[str] = []
        #: Broken lines received so far (noise on the line).
        self.garbage_lines = 0
        self._link = SerialLink(name, url, baudrate=baudrate, backoff_initial=backoff_initial,
                                backoff_max=backoff_max, opener=opener)
        self._link.on_connect = self._on_connect
        # The photo step and a staff health check may ask at once: one exchange at a time.
        self._lock = threading.RLock()

    # -- lifecycle ---------------------------------------------------------------------------

    def _on_connect(self) -> None:
        self._lines.reset()
        self._link.discard_input()
        reply = self._request("ID?", "ID", time.monotonic() + self.reply_timeout)
        self.identity = " ".join(reply.args)
        limits = self._request("LIM?", "LIM", time.monotonic() + self.reply_timeout)
        self.limits = (int(limits.args[0]), int(limits.args[1]))

    def open(self) -> None:
        """Open the port, identify the controller and read its limits.

        Also the retry: reconnects at once, skipping any backoff. Raises LiftUnpluggedError,
        LiftGarbageError or DeviceTimeoutError.
        """
        with self._lock, self._named():
            self._link.open()

    def close(self) -> None:
        """Close the port. Never raises (and sends nothing: a closing kiosk stops no column)."""
        with self._lock:
            self._link.close()

    # -- the CameraLift interface ------------------------------------------------------------

    def lift_status(self) -> LiftStatus:
        """Position, state and limits now."""
        reply = self._call("POS?", "POS")
        return LiftStatus(int(reply.args[0]), reply.args[1].lower(), *self.limits)

    def move_to(self, position_mm: int) -> None:
        """Start running to ``position_mm``, clamped to the limits; returns at once."""
        low, high = self.limits
        target = min(max(int(position_mm), low), high) if high > low else int(position_mm)
        self._call(f"MOVE {target}", "OK")

    def stop(self) -> None:
        """Stop the column now."""
        self._call("STOP", "OK")

    def reset(self) -> None:
        """Clear a latched stall or obstruction."""
        self._call("RESET", "OK")

    def probe(self) -> Health:
        """Identity and position; a latched fault is unhealthy with its code. Never raises."""
        start = time.monotonic()
        try:
            status = self.lift_status()
        except DeviceError as exc:
            return Health(False, exc.staff_message, (time.monotonic() - start) * 1000,
                          code=exc.code)
        latency = (time.monotonic() - start) * 1000
        extra = {"identity": self.identity, "position_mm": str(status.position_mm),
                 "state": status.state, "limits_mm": f"{status.min_mm}-{status.max_mm}"}
        if status.fault == "stalled":
            return Health(False, "column stalled (overcurrent); reset after checking it",
                          latency, code=LiftStalledError.code, extra=extra)
        if status.fault == "obstructed":
            return Health(False, "column stopped by its anti-collision sensor; reset after "
                          "checking it", latency, code=LiftObstructedError.code, extra=extra)
        return Health(True, f"lift at {status.position_mm} mm, {status.state}", latency,
                      extra=extra)

    # -- the line exchange -------------------------------------------------------------------

    def _call(self, request: str, expect: str) -> Reply:
        """One request, reopening a lost port first; link errors become the lift's names."""
        with self._lock, self._named():
            deadline = time.monotonic() + self.reply_timeout
            self._link.ensure_open(deadline)
            return self._request(request, expect, deadline)

    def _named(self) -> _LiftErrors:
        return _LiftErrors(self.name)

    def _request(self, request: str, expect: str, deadline: float) -> Reply:
        self._link.write(encode_line(request))
        broken = 0
        while True:
            for line in self._lines.feed(self._link.read()):
                try:
                    reply = parse(decode_line(line))
                except LineError as error:
                    broken += 1
                    self.garbage_lines += 1
                    log.warning("%s: broken line from the lift controller (%s)", self.name, error)
                    continue
                if reply.is_event:
                    self._event(reply)
                    continue
                return self._answer(request, expect, reply)
            if time.monotonic() >= deadline:
                if broken:
                    raise LiftGarbageError(self.name, f"{broken} broken line(s) and no reply "
                                           f"to {request.split()[0]}")
                raise DeviceTimeoutError(self.name, f"no reply to {request.split()[0]} in "
                                         f"{self.reply_timeout} s")

    def _answer(self, request: str, expect: str, reply: Reply) -> Reply:
        if reply.kind == "ERR":
            reason = reply.args[0]
            if reason == "STALLED":
                raise LiftStalledError(self.name, "the controller refuses to move: motor stalled")
            if reason == "OBSTRUCTED":
                raise LiftObstructedError(self.name, "the controller refuses to move: "
                                          "anti-collision stop")
            if reason in ("CHECKSUM", "SYNTAX"):
                raise LiftGarbageError(self.name, f"the controller could not read "
                                       f"{request.split()[0]} ({reason.lower()})")
            raise DeviceRefusedError(self.name, f"{request.split()[0]} refused: {reason[:16]}",
                                     reason.lower()[:16])
        if reply.kind != expect:
            raise LiftGarbageError(self.name, f"{reply.kind} in reply to {request.split()[0]}")
        return reply

    def _event(self, reply: Reply) -> None:
        event = " ".join(reply.args)
        self.events = [*self.events[-15:], event]
        if reply.args[0] in ("STALL", "OBSTRUCT"):
            log.warning("%s: %s", self.name, event)


class _LiftErrors:
    """Renames the link's errors: a port that is not there is an unplugged lift."""

    def __init__(self, device: str) -> None:
        self.device = device

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: object) -> None:
        if isinstance(error, DeviceNotFoundError | DeviceDisconnectedError) and not isinstance(
                error, LiftUnpluggedError):
            raise LiftUnpluggedError(self.device, error.detail) from error

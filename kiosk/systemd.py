"""Telling systemd how the kiosk is doing: ready, alive (the watchdog) and stopping.

The units in ``deploy/`` are ``Type=notify`` with ``WatchdogSec=``: systemd counts a service as
started only when it says ``READY=1``, and restarts it when the ``WATCHDOG=1`` pings stop. The
pings must come from the loop they vouch for: the kiosk service's own thread pings between two
commands, so a command that hangs stops the pings and systemd restarts the kiosk (a session in
progress is wiped by design). A thread that pinged on a timer would keep a hung kiosk "alive".
Other loops the kiosk depends on (the touchscreen's event loop) vouch for themselves through a
:class:`Heartbeats` entry: the service pings only while every registered loop has beaten lately.

The protocol (sd_notify(3)) is one datagram of ``KEY=value`` lines to the AF_UNIX socket named
by ``$NOTIFY_SOCKET`` (a path, or ``@name`` for an abstract socket), so no library is needed.
Without ``$NOTIFY_SOCKET`` (a developer's machine, the tests) every call does nothing; a failed
send is logged and never raised: the kiosk must not stop because systemd's socket went away.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

#: The environment systemd sets for a ``Type=notify`` service with a watchdog.
NOTIFY_SOCKET = "NOTIFY_SOCKET"
WATCHDOG_USEC = "WATCHDOG_USEC"
WATCHDOG_PID = "WATCHDOG_PID"


def socket_address(value: str | None = None) -> str | None:
    """The address to send to: a path, or an abstract name with its leading NUL byte.

    ``value`` defaults to ``$NOTIFY_SOCKET``; None when it is unset or not an AF_UNIX address
    (systemd 253+ can also name an AF_VSOCK socket for virtual machines: not for a kiosk).
    """
    if value is None:
        value = os.environ.get(NOTIFY_SOCKET, "")
    if value.startswith("@"):
        return "\0" + value[1:]
    if value.startswith("/"):
        return value
    return None


def notify(*fields: str, address: str | None = None) -> bool:
    """Send ``fields`` (``"READY=1"``, ``"STATUS=..."``) as one message; True when it was sent.

    ``address`` defaults to ``$NOTIFY_SOCKET``'s; without one nothing is sent.
    """
    target = address if address is not None else socket_address()
    if target is None or not fields:
        return False
    message = "\n".join(fields).encode()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(message, target)
    except OSError as error:
        log.warning("systemd notification %s not sent (%s)", fields[0],
                    error.strerror or error)
        return False
    return True


def ready(status: str | None = None) -> bool:
    """The service is up: systemd finishes starting it (and units ordered after it start)."""
    return notify("READY=1", *([f"STATUS={status}"] if status else []))


def stopping() -> bool:
    """The service is shutting down on purpose (not a hang the watchdog should act on)."""
    return notify("STOPPING=1")


def watchdog_interval(environ: dict[str, str] | None = None) -> float | None:
    """Seconds between two pings: half of ``$WATCHDOG_USEC``, as sd_watchdog_enabled(3) advises.

    None when there is no watchdog, or when ``$WATCHDOG_PID`` names another process (systemd
    watches the unit's main process; a child that inherited the variables is not meant).
    """
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get(WATCHDOG_USEC, ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    pid = env.get(WATCHDOG_PID, "")
    if pid and pid != str(os.getpid()):
        return None
    return usec / 2 / 1_000_000


class Watchdog:
    """Sends ``WATCHDOG=1`` from the loop that calls :meth:`tick`, at most once per interval.

    ``interval`` defaults to :func:`watchdog_interval`; None (no watchdog) makes ``tick`` free.
    """

    def __init__(self, interval: float | None = None, *,
                 clock: Callable[[], float] = time.monotonic,
                 send: Callable[..., bool] = notify) -> None:
        self.interval = watchdog_interval() if interval is None else interval
        self._clock = clock
        self._send = send
        self._last: float | None = None

    @property
    def enabled(self) -> bool:
        return self.interval is not None and self.interval > 0

    def tick(self) -> bool:
        """Ping when the interval has passed since the last ping; True when it pinged."""
        if not self.enabled:
            return False
        now = self._clock()
        assert self.interval is not None
        if self._last is not None and now - self._last < self.interval:
            return False
        self._last = now
        return self._send("WATCHDOG=1")


class Heartbeat:
    """One loop's sign of life: :meth:`beat` from that loop, :meth:`close` when it ends."""

    def __init__(self, owner: Heartbeats, name: str, stall_after: float) -> None:
        self.name = name
        self.stall_after = stall_after
        self._owner = owner
        self.last = owner.clock()

    def beat(self) -> None:
        self.last = self._owner.clock()

    def close(self) -> None:
        self._owner.remove(self)


class Heartbeats:
    """The loops besides the service's own whose stalling must stop the watchdog pings."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._beats: list[Heartbeat] = []
        self._lock = threading.Lock()

    def register(self, name: str, stall_after: float) -> Heartbeat:
        """A heartbeat for loop ``name``, stalled after ``stall_after`` s without a beat."""
        heartbeat = Heartbeat(self, name, stall_after)
        with self._lock:
            self._beats.append(heartbeat)
        return heartbeat

    def remove(self, heartbeat: Heartbeat) -> None:
        with self._lock:
            if heartbeat in self._beats:
                self._beats.remove(heartbeat)

    def stalled(self) -> list[str]:
        """The names of the loops that have not beaten in time (empty: all alive)."""
        now = self.clock()
        with self._lock:
            return [b.name for b in self._beats if now - b.last > b.stall_after]


def watch_while(alive: Callable[[], bool], stop: threading.Event,
                watchdog: Watchdog | None = None) -> threading.Thread | None:
    """Ping from a thread for as long as ``alive()`` holds (a server's own thread still runs).

    For the servers whose loop lives in a library (http.server, uvicorn): their thread dying
    stops the pings. Returns the thread, or None when there is no watchdog.
    """
    dog = watchdog or Watchdog()
    if not dog.enabled:
        return None
    assert dog.interval is not None
    # Look twice per interval, so a ping is never more than half an interval late.
    pause = dog.interval / 2

    def run() -> None:
        while alive():
            dog.tick()
            if stop.wait(pause):
                return
        log.error("the watched server thread stopped; the watchdog pings stop too")

    thread = threading.Thread(target=run, name="systemd-watchdog", daemon=True)
    thread.start()
    return thread

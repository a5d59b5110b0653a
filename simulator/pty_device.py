"""A simulated serial device on a pty: raw mode, stable symlink, paced output, traffic log.

The driver opens a stable path, a symlink in a private temp dir pointing at the current pty
slave, as a udev rule gives a real device a stable name. ``unplug`` closes the pty and removes
the link (the driver's next read or write fails as on a pulled USB cable); ``replug`` makes a new
pty and points the link at it. Output is paced at the configured baud rate (10 bits per byte)
because a pty ignores the baud rate. Every byte in and out is kept in a bounded in-memory ring
(never on disk: MRZ traffic is personal data).
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import shutil
import threading
import time
import tty
from collections import deque
from typing import NamedTuple

from simulator import scratch

#: Direction markers of traffic entries, from the device's point of view.
RX, TX = "rx", "tx"


class TrafficEntry(NamedTuple):
    """One chunk of traffic: ``time.monotonic()``, ``rx`` (host to device) or ``tx``, bytes."""

    t: float
    direction: str
    data: bytes


class PtyDevice:
    """Base of the simulated serial devices; subclasses implement :meth:`handle`.

    Args:
        name: File name of the stable symlink (like a udev name, e.g. ``scanner``).
        baud: Baud rate the output is paced to.
        pacing: Pace output to ``baud``; off makes tests fast.
        traffic_limit: Most traffic entries kept in the ring.
    """

    def __init__(
        self, name: str, *, baud: int, pacing: bool = True, traffic_limit: int = 4096
    ) -> None:
        self.name = name
        self.baud = baud
        self.pacing = pacing
        self._traffic: deque[TrafficEntry] = deque(maxlen=traffic_limit)
        self._lock = threading.RLock()
        self._out: queue.Queue[tuple[int, bytes]] = queue.Queue()
        self._master: int | None = None
        self._slave: int | None = None
        self._generation = 0
        self._dir: str | None = None
        self._running = False
        self._threads: list[threading.Thread] = []
        self._unplug_after: int | None = None
        self._replug_after: float | None = None
        self._busy = threading.Event()  # set while a chunk is being written

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def path(self) -> str:
        """The stable path the driver opens (valid after :meth:`start`)."""
        if self._dir is None:
            raise RuntimeError("device not started")
        return os.path.join(self._dir, self.name)

    @property
    def plugged(self) -> bool:
        """True while the pty exists."""
        return self._master is not None

    def start(self) -> str:
        """Create the pty and serve it; returns the path the driver opens."""
        if self._running:
            return self.path
        self._dir = scratch.make_folder()
        self._running = True
        self._plug()
        for target in (self._serve, self._write_loop):
            thread = threading.Thread(target=target, name=f"sim-{self.name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self.path

    def stop(self) -> None:
        """Stop serving and remove the pty and its link."""
        self._running = False
        for thread in self._threads:
            thread.join(timeout=2)
        self._threads.clear()
        self._close_pty()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> PtyDevice:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _plug(self) -> None:
        master, slave = os.openpty()
        # Raw before anything is written: a cooked slave echoes the host's bytes back to us.
        tty.setraw(slave)
        os.set_blocking(master, False)
        link = self.path
        tmp = f"{link}.new"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        os.symlink(os.ttyname(slave), tmp)
        os.replace(tmp, link)  # atomic: the driver never sees a missing link during a swap
        with self._lock:
            self._master, self._slave = master, slave
            self._generation += 1
        self.on_plug(True)

    def _close_pty(self) -> None:
        with self._lock:
            fds = (self._master, self._slave)
            self._master = self._slave = None
            self._generation += 1
            self._unplug_after = None
        for fd in fds:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        if self._dir is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)

    def unplug(self, *, after_bytes: int | None = None, replug_after: float | None = None) -> None:
        """Pull the cable now, or after ``after_bytes`` more bytes were sent.

        ``replug_after`` plugs it back in that many seconds after it was pulled.
        """
        if after_bytes is not None:
            with self._lock:
                self._unplug_after = after_bytes
                self._replug_after = replug_after
            return
        self._close_pty()
        self.on_plug(False)
        if replug_after is not None:
            timer = threading.Timer(replug_after, self.replug)
            timer.daemon = True
            timer.start()

    def replug(self) -> None:
        """Plug the cable back in: a new pty behind the same path."""
        if self._running and self._master is None:
            self._plug()

    def on_plug(self, plugged: bool) -> None:
        """Hook: the cable was plugged in (True) or pulled (False)."""

    # -- traffic -----------------------------------------------------------------------------

    @property
    def traffic(self) -> list[TrafficEntry]:
        """Traffic so far, oldest first: ``(t, direction, bytes)``."""
        with self._lock:
            return list(self._traffic)

    def clear_traffic(self) -> None:
        """Forget the traffic log."""
        with self._lock:
            self._traffic.clear()

    def _record(self, direction: str, data: bytes, t: float) -> None:
        with self._lock:
            self._traffic.append(TrafficEntry(t, direction, data))

    # -- input -------------------------------------------------------------------------------

    def handle(self, data: bytes) -> None:
        """Hook: bytes arrived from the host (runs on the serving thread)."""

    def tick(self) -> None:
        """Hook: called every few tens of milliseconds on the serving thread."""

    def _serve(self) -> None:
        while self._running:
            with self._lock:
                fd, generation = self._master, self._generation
            data = b""
            if fd is None:
                time.sleep(0.02)
            else:
                try:
                    ready, _, _ = select.select([fd], [], [], 0.02)
                except (OSError, ValueError):
                    ready = []  # closed under us by unplug
                if ready:
                    with self._lock:
                        if generation == self._generation:
                            with contextlib.suppress(OSError):
                                data = os.read(fd, 4096)
            if data:
                self._record(RX, data, time.monotonic())
                self.handle(data)
            self.tick()

    # -- output ------------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        """Queue bytes for paced output; dropped if the cable is pulled before they go out."""
        if data:
            self._out.put((self._generation, data))

    def wait_sent(self, timeout: float = 5.0) -> bool:
        """Wait until queued output is written; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._out.empty() and not self._busy.is_set():
                return True
            time.sleep(0.005)
        return False

    def _write_loop(self) -> None:
        next_free = 0.0
        while self._running:
            try:
                generation, data = self._out.get(timeout=0.05)
            except queue.Empty:
                continue
            self._busy.set()
            try:
                next_free = self._write(generation, data, max(next_free, time.monotonic()))
            finally:
                self._busy.clear()

    def _write(self, generation: int, data: bytes, next_free: float) -> float:
        """Write one queued item, paced; returns when the line is free again."""
        byte_time = 10 / self.baud if self.pacing else 0.0
        # About 5 ms of line time per write keeps the pacing smooth without a syscall per byte.
        chunk = max(1, int(0.005 / byte_time)) if byte_time else 65536
        started, sent = time.monotonic(), 0
        try:
            while sent < len(data) and self._running:
                with self._lock:
                    if generation != self._generation or self._master is None:
                        return next_free  # the cable was pulled: the rest goes nowhere
                    piece = data[sent : sent + chunk]
                    if self._unplug_after is not None:
                        piece = piece[: self._unplug_after]
                    try:
                        written = os.write(self._master, piece) if piece else 0
                    except BlockingIOError:
                        written = -1
                    except OSError:
                        return next_free
                    if self._unplug_after is not None and written > 0:
                        self._unplug_after -= written
                    pull = self._unplug_after == 0
                if written < 0:
                    # The host is not reading and the pty buffer is full.
                    with contextlib.suppress(OSError, ValueError, TypeError):
                        select.select([], [self._master], [], 0.05)
                    continue
                sent += written
                if pull:
                    self._record(TX, data[:sent], started)
                    sent = 0  # recorded: the log must show the bytes before the pull
                    replug, self._replug_after = self._replug_after, None
                    self.unplug(replug_after=replug)
                    return next_free
                if byte_time:
                    next_free += written * byte_time
                    delay = next_free - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
        finally:
            if sent:
                self._record(TX, data[:sent], started)
        return next_free

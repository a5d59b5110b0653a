"""A serial port opened by URL: pyserial failures become named errors; it reopens with backoff.

Shared by the serial drivers. After the port vanishes (``SerialException``, ``OSError`` or, from
the ``tcflush``/``tcdrain`` behind ``reset_input_buffer`` and ``flush``, ``termios.error`` on any
call) the link closes it and the next call that needs it reopens it, waiting out a backoff that
starts at ``backoff_initial`` and doubles to ``backoff_max`` while reopening keeps failing. An
explicit :meth:`SerialLink.open` skips that wait. The driver's ``on_connect`` hook (a handshake)
runs after every successful open.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Protocol

import serial

from drivers.errors import (
    DeviceDisconnectedError,
    DeviceError,
    DeviceNotFoundError,
    DeviceTimeoutError,
)


class Port(Protocol):
    """What the link uses of a pyserial port (``serial.Serial``, or a test's scripted port)."""

    @property
    def in_waiting(self) -> int: ...

    def read(self, size: int = ..., /) -> bytes: ...

    def write(self, data: bytes, /) -> int | None: ...

    def flush(self) -> None: ...

    def reset_input_buffer(self) -> None: ...

    def close(self) -> None: ...


#: Opens a :class:`Port` like ``serial.serial_for_url(url, baudrate=..., timeout=...)``.
Opener = Callable[..., Port]

try:
    import termios
except ImportError:  # not a POSIX system: pyserial raises only its own errors there
    _TERMIOS_ERRORS: tuple[type[Exception], ...] = ()
else:
    # termios.error is not an OSError: a pulled cable surfaces through it from tcflush/tcdrain.
    _TERMIOS_ERRORS = (termios.error,)

#: What a pyserial call on a vanished port can raise.
PORT_ERRORS: tuple[type[Exception], ...] = (serial.SerialException, OSError, *_TERMIOS_ERRORS)
#: What opening a port can raise besides: a malformed URL is a ValueError.
_OPEN_ERRORS: tuple[type[Exception], ...] = (*PORT_ERRORS, ValueError)


class SerialLink:
    """A pyserial port by URL (device path, pty path, ``loop://``, ``spy://``...)."""

    def __init__(
        self,
        device: str,
        url: str,
        *,
        baudrate: int,
        poll: float = 0.05,
        write_timeout: float = 2.0,
        backoff_initial: float = 0.2,
        backoff_max: float = 5.0,
        opener: Opener = serial.serial_for_url,
    ) -> None:
        self.device = device
        self.url = url
        self.baudrate = baudrate
        #: Longest single blocking read, so callers can keep their own deadlines.
        self.poll = poll
        self.write_timeout = write_timeout
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        #: Runs after every successful (re)open; a DeviceError from it closes the port again.
        self.on_connect: Callable[[], None] | None = None
        self._opener = opener
        self._port: Port | None = None
        self._wanted = False  # open() was called and close() was not
        self._backoff = backoff_initial
        self._retry_at = 0.0
        self._lost_reason = ""

    @property
    def is_open(self) -> bool:
        """True while the port is open."""
        return self._port is not None

    def open(self) -> None:
        """(Re)open the port at once and run the handshake.

        A pending reconnect backoff is forgotten: an explicit open is a retry someone asked for
        (the citizen's Retry), so it reconnects now and fails only if the device is still gone.
        Raises DeviceNotFoundError or the hook's error.
        """
        self._wanted = True
        self._backoff = self.backoff_initial
        self._retry_at = 0.0
        self._open(DeviceNotFoundError)

    def close(self) -> None:
        """Close the port; no reconnect until the next open(). Never raises."""
        self._wanted = False
        self._drop()

    def ensure_open(self, deadline: float) -> None:
        """Reopen a lost port, waiting for the backoff if it ends before ``deadline``."""
        if self._port is not None:
            return
        if not self._wanted:
            raise DeviceDisconnectedError(self.device, "port is closed; call open() first")
        wait = self._retry_at - time.monotonic()
        if wait > 0:
            if time.monotonic() + wait > deadline:
                raise DeviceDisconnectedError(
                    self.device, f"{self._lost_reason}; reconnecting in {wait:.1f} s"
                )
            time.sleep(wait)
        self._open(DeviceDisconnectedError)

    def _open(self, error: type[DeviceError]) -> None:
        self._drop()
        try:
            self._port = self._opener(
                self.url,
                baudrate=self.baudrate,
                timeout=self.poll,
                write_timeout=self.write_timeout,
            )
        except _OPEN_ERRORS as exc:
            self._lost(f"cannot open {self.url}: {exc}")
            raise error(self.device, f"cannot open {self.url}: {exc}") from exc
        try:
            if self.on_connect is not None:
                self.on_connect()
        except DeviceError:
            self._drop()
            self._lost("handshake failed after opening")
            raise
        self._backoff = self.backoff_initial

    def _drop(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            # A vanished port may fail to close (termios.error, OSError...); it is gone anyway.
            with contextlib.suppress(Exception):
                port.close()

    def _lost(self, reason: str) -> None:
        self._lost_reason = reason
        self._retry_at = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, self.backoff_max)

    def _disconnected(self, what: str, exc: Exception) -> DeviceDisconnectedError:
        self._drop()
        self._lost(f"port lost during {what}")
        return DeviceDisconnectedError(self.device, f"port lost during {what}: {exc}")

    def write(self, data: bytes) -> None:
        """Write all of ``data``."""
        if self._port is None:
            raise DeviceDisconnectedError(self.device, "port is not open")
        try:
            self._port.write(data)
            self._port.flush()
        except serial.SerialTimeoutException as exc:
            raise DeviceTimeoutError(self.device, "write timed out") from exc
        except PORT_ERRORS as exc:
            raise self._disconnected("write", exc) from exc

    def read(self, size: int = 4096) -> bytes:
        """Up to ``size`` bytes: what is waiting, or what arrives within one poll period."""
        if self._port is None:
            raise DeviceDisconnectedError(self.device, "port is not open")
        try:
            waiting = self._port.in_waiting
            return bytes(self._port.read(min(size, waiting) if waiting else 1))
        except PORT_ERRORS as exc:
            raise self._disconnected("read", exc) from exc

    def discard_input(self) -> None:
        """Drop bytes already received (stale replies, garbage) before a new command."""
        if self._port is None:
            return
        try:
            self._port.reset_input_buffer()
        except PORT_ERRORS as exc:
            raise self._disconnected("flush", exc) from exc

"""MRZ reader on a serial port: a document arriving in the reader's framing is the insert event."""

from __future__ import annotations

import time
from collections import deque

import serial

from drivers.codec import FrameError
from drivers.errors import DeviceError, DeviceProtocolError, DeviceTimeoutError
from drivers.interfaces import Health, MrzRead
from drivers.mrz_encoders import encode_idbox_packet
from drivers.mrz_framing import FramingKind, IdboxReply, MrzFraming, make_decoder
from drivers.serial_link import Opener, SerialLink


class SerialDocumentScanner:
    """A :class:`~drivers.interfaces.DocumentScanner` over pyserial, for any known framing.

    Args:
        name: The configured device name, used in errors.
        url: What ``serial.serial_for_url`` opens: a device path, a pty path, ``spy://...``.
        framing: A :class:`MrzFraming` or a framing kind (``lines``, ``3m``, ``desko``, ``idbox``).
        baudrate: Line speed (ignored on a pty).
        reply_timeout: How long the IDBox version request in :meth:`probe` may take.
        idbox_continuous: For IDBox, send ``C 00 01 01`` on open so the reader pushes documents.
        backoff_initial: First wait before reopening a lost port; doubles up to ``backoff_max``.
        opener: Replaces ``serial.serial_for_url`` in unit tests.
    """

    def __init__(
        self,
        name: str,
        url: str,
        framing: MrzFraming | FramingKind = "lines",
        baudrate: int = 9600,
        *,
        reply_timeout: float = 1.0,
        idbox_continuous: bool = True,
        backoff_initial: float = 0.2,
        backoff_max: float = 5.0,
        opener: Opener = serial.serial_for_url,
    ) -> None:
        self.name = name
        if isinstance(framing, str):
            framing = MrzFraming(kind=framing)
        self.framing = framing
        self.reply_timeout = reply_timeout
        self.idbox_continuous = idbox_continuous
        self._decoder = make_decoder(self.framing)
        self._records: deque[MrzRead] = deque()
        self._replies: deque[IdboxReply] = deque()
        self._link = SerialLink(
            name,
            url,
            baudrate=baudrate,
            backoff_initial=backoff_initial,
            backoff_max=backoff_max,
            opener=opener,
        )
        self._link.on_connect = self._on_connect

    def _on_connect(self) -> None:
        # Bytes of a half-received frame from before the reconnect would corrupt the next one.
        self._decoder.reset()
        if self.framing.kind == "idbox" and self.idbox_continuous:
            self._link.write(encode_idbox_packet("C", b"\x01"))

    def open(self) -> None:
        """Open the port (and switch an IDBox to continuous reading).

        Also the citizen's retry: it reconnects at once, skipping any reconnect backoff, and
        raises a DeviceError only when the reader is still not there.
        """
        self._link.open()

    def close(self) -> None:
        """Close the port. Never raises."""
        self._link.close()

    def _pump(self, now: float) -> None:
        """Read what is there into the decoder; raise the first framing error found."""
        data = self._link.read()
        events = self._decoder.feed(data, now) if data else self._decoder.idle(now)
        error: FrameError | None = None
        for event in events:
            if isinstance(event, MrzRead):
                self._records.append(event)
            elif isinstance(event, IdboxReply):
                self._replies.append(event)
            elif error is None:
                error = event
        if error is not None:
            raise DeviceProtocolError(self.name, f"{self.framing.kind} framing: {error}")

    def read_document(self, timeout: float) -> MrzRead | None:
        """Wait up to ``timeout`` s for a document; None when none arrived.

        Raises DeviceProtocolError for a broken frame (the next call continues with the next
        frame), DeviceDisconnectedError when the port went away (the next call reopens it).
        """
        deadline = time.monotonic() + timeout
        self._link.ensure_open(deadline)
        while True:
            if self._records:
                return self._records.popleft()
            now = time.monotonic()
            if now >= deadline:
                return None
            self._pump(now)

    def probe(self) -> Health:
        """Port alive (and for IDBox a ``V`` version answer). Never raises."""
        start = time.monotonic()
        try:
            self._link.ensure_open(start + self.reply_timeout)
            extra: dict[str, str] = {"framing": self.framing.kind}
            if self.framing.kind == "idbox":
                extra["version"] = self._version(start + self.reply_timeout)
            else:
                # A read is the only way to notice a vanished port; documents found are kept.
                self._pump(time.monotonic())
            latency = (time.monotonic() - start) * 1000
            return Health(True, f"{self.framing.kind} reader answering", latency, extra=extra)
        except DeviceError as exc:
            latency = (time.monotonic() - start) * 1000
            return Health(False, exc.staff_message, latency, code=exc.code)

    def _version(self, deadline: float) -> str:
        self._replies.clear()
        self._link.write(encode_idbox_packet("V"))
        while time.monotonic() < deadline:
            self._pump(time.monotonic())
            while self._replies:
                reply = self._replies.popleft()
                if reply.command == "V":
                    return reply.data.decode("latin-1")
        raise DeviceTimeoutError(self.name, f"no version reply in {self.reply_timeout} s")

"""A scripted fake pyserial port for byte-exact driver tests, like pymeasure expected_protocol."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable
from typing import Any

#: A scripted step: the exact bytes the driver must write, and what the device answers. The
#: answer may be an exception instance, raised by the next read (a vanished port).
Exchange = tuple[bytes, bytes | BaseException]


class ScriptedSerial:
    """Checks every write against the script and makes the scripted answer readable.

    ``unsolicited`` bytes are readable from the start (a reader pushing a document).
    Reads with nothing to give sleep ``timeout`` like a real port, then return ``b""``.
    """

    def __init__(self, exchanges: Iterable[Exchange] = (), unsolicited: bytes = b"") -> None:
        self.exchanges: deque[Exchange] = deque(exchanges)
        self._in = bytearray(unsolicited)
        self._error: BaseException | None = None
        self.written: list[bytes] = []
        self.is_open = True
        self.timeout = 0.01
        self.opened_with: dict[str, Any] = {}

    def feed(self, data: bytes) -> None:
        """Make more device bytes readable."""
        self._in += data

    def write(self, data: bytes) -> int:
        self.written.append(bytes(data))
        assert self.exchanges, f"unexpected write {bytes(data).hex(' ')}"
        expected, answer = self.exchanges.popleft()
        got = bytes(data)
        assert got == expected, f"wrote {got.hex(' ')}, expected {expected.hex(' ')}"
        if isinstance(answer, BaseException):
            self._error = answer
        else:
            self._in += answer
        return len(data)

    def flush(self) -> None:
        pass

    @property
    def in_waiting(self) -> int:
        return len(self._in)

    def read(self, size: int = 1) -> bytes:
        if self._in:
            out = bytes(self._in[:size])
            del self._in[:size]
            return out
        if self._error is not None:
            raise self._error
        time.sleep(self.timeout)
        return b""

    def reset_input_buffer(self) -> None:
        self._in.clear()

    def close(self) -> None:
        self.is_open = False


class Opener:
    """Stands in for ``serial.serial_for_url``: hands out scripted ports in order."""

    def __init__(self, *ports: ScriptedSerial | BaseException) -> None:
        self.ports = deque(ports)
        self.urls: list[str] = []

    def __call__(self, url: str, **kwargs: Any) -> ScriptedSerial:
        self.urls.append(url)
        port = self.ports.popleft()
        if isinstance(port, BaseException):
            raise port
        port.opened_with = kwargs
        port.timeout = min(kwargs.get("timeout", 0.01), 0.01)
        return port

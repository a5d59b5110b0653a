"""Log records to the systemd journal through its native socket, without python-systemd.

Under the appliance the UI owns the terminal, so the kiosk's log cannot go to stdout where
systemd would pick it up. journald's native protocol is small (one datagram of ``KEY=value``
fields to ``/run/systemd/journal/socket``), so a handler speaks it directly: no C extension,
no extra package. Records carry codes and references only (nothing personal is ever logged),
with the logger's name and the priority as fields, so ``journalctl -u pasboks-kiosk@tty1
-p warning`` works.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
from pathlib import Path

#: Where journald listens for native-protocol datagrams.
JOURNAL_SOCKET = Path("/run/systemd/journal/socket")
#: The identifier ``journalctl -t`` selects.
IDENTIFIER = "pasboks-kiosk"
#: A message longer than this is cut: one datagram must stay well under the socket's buffer.
MAX_MESSAGE = 48 * 1024
#: syslog priorities by logging level (journald's PRIORITY field).
PRIORITIES = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6,
              logging.DEBUG: 7}


def priority(level: int) -> int:
    """The syslog priority of a logging level (levels between named ones round down)."""
    return next((p for named, p in sorted(PRIORITIES.items(), reverse=True) if level >= named), 7)


def field(name: str, value: str) -> bytes:
    """One field in journald's native format (values with a newline get a length prefix)."""
    data = value.encode("utf-8", "replace")
    if b"\n" in data:
        return name.encode() + b"\n" + struct.pack("<Q", len(data)) + data + b"\n"
    return name.encode() + b"=" + data + b"\n"


def under_systemd() -> bool:
    """Whether this process runs in a systemd unit with a journal to write to."""
    return "INVOCATION_ID" in os.environ and JOURNAL_SOCKET.exists()


class JournalHandler(logging.Handler):
    """A logging handler that sends each record to journald as one datagram.

    A journal that is gone (journald restarting, a test without one) drops the record
    silently: the file log still has it, and the kiosk must never stop for its log.
    """

    def __init__(self, path: Path = JOURNAL_SOCKET, identifier: str = IDENTIFIER,
                 level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self.path = path
        self.identifier = identifier
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)[:MAX_MESSAGE]
            datagram = b"".join((
                field("MESSAGE", message),
                field("PRIORITY", str(priority(record.levelno))),
                field("SYSLOG_IDENTIFIER", self.identifier),
                field("LOGGER", record.name),
                field("CODE_FILE", record.pathname),
                field("CODE_LINE", str(record.lineno)),
                field("CODE_FUNC", record.funcName or ""),
            ))
            self._socket.sendto(datagram, str(self.path))
        except OSError:
            pass  # no journal now: the file log has the record

    def close(self) -> None:
        self._socket.close()
        super().close()

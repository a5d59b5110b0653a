"""The audit trail: append-only JSON lines of what happened to applications, never what is in them.

One line per store, fetch, confirm, expiry, refusal and staff action: time, kiosk id, event,
reference, actor (certificate subject or staff id), result and short codes. Values are checked
to be short single-line strings or numbers, so an image or a paragraph of personal data cannot
slip in by accident. The file is 0600 and rotated by size. The kiosk and the hand-off server
are separate processes writing one trail, so each write and rotation holds an ``flock``.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.config import KioskConfig

#: Audit file name inside the log directory.
AUDIT_FILE = "audit.jsonl"
#: Longest value kept (a certificate subject fits; a photo or a free text does not).
MAX_VALUE = 160
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
Value = str | int | float | bool | None


class AuditError(ValueError):
    """A value that does not belong in an audit line (too long, multi-line, not a code)."""


def _checked(name: str, value: Value) -> Value:
    if value is None or isinstance(value, bool | int | float):
        return value
    if not isinstance(value, str):
        raise AuditError(f"audit field {name!r} must be a code, not {type(value).__name__}")
    if len(value) > MAX_VALUE or _CONTROL.search(value):
        raise AuditError(f"audit field {name!r} is not a short single-line code")
    return value


class AuditTrail:
    """Appends audit lines to ``directory/audit.jsonl`` (0600), rotating it at ``max_bytes``."""

    def __init__(self, directory: Path, kiosk_id: str, *, max_bytes: int = 1_000_000,
                 keep: int = 10, clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self.path = directory / AUDIT_FILE
        self.kiosk_id = kiosk_id
        self.max_bytes = max_bytes
        self.keep = keep
        self.clock = clock
        self._lock = threading.Lock()

    @classmethod
    def for_config(cls, config: KioskConfig) -> AuditTrail:
        """The trail in the configured log directory, naming the configured kiosk."""
        return cls(config.logs.directory, config.kiosk_id, max_bytes=config.logs.audit_max_bytes,
                   keep=config.logs.audit_keep)

    def record(self, event: str, *, reference: str | None = None, actor: str | None = None,
               result: str = "ok", **codes: Value) -> None:
        """Append one line. Raises AuditError for a value that is not a short code, and
        OSError when the trail cannot be written (callers decide whether that stops them)."""
        line: dict[str, Value] = {
            "time": dt.datetime.fromtimestamp(self.clock(), dt.UTC).isoformat(
                timespec="milliseconds"),
            "kiosk": self.kiosk_id,
            "event": event,
            "reference": reference,
            "actor": actor,
            "result": result,
        }
        # Codes that do not apply (None) are left out; the fixed fields are always there.
        line.update({name: value for name, value in codes.items() if value is not None})
        text = json.dumps({name: _checked(name, value) for name, value in line.items()},
                          ensure_ascii=False, separators=(",", ":")) + "\n"
        data = text.encode("utf-8")
        with self._lock, self._locked():
            self._rotate_if_full(len(data))
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)

    def lines(self) -> Iterator[dict[str, Value]]:
        """Every line of the current file, oldest first (for tests and staff tools)."""
        try:
            with self.path.open(encoding="utf-8") as handle:
                for text in handle:
                    if text.strip():
                        yield json.loads(text)
        except FileNotFoundError:
            return

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.directory / (AUDIT_FILE + ".lock"),
                     os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _rotate_if_full(self, incoming: int) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size + incoming <= self.max_bytes:
            return
        for index in range(self.keep - 1, 0, -1):
            older = self.path.with_name(f"{AUDIT_FILE}.{index}")
            if older.exists():
                older.replace(self.path.with_name(f"{AUDIT_FILE}.{index + 1}"))
        self.path.replace(self.path.with_name(f"{AUDIT_FILE}.1"))
        self.path.with_name(f"{AUDIT_FILE}.{self.keep + 1}").unlink(missing_ok=True)

"""The application store: encrypted applications in SQLite, durable before their reference exists.

One database file (``applications.sqlite3``, 0600, in a 0700 state directory) in WAL mode with
``synchronous=FULL``: a commit returns only after the WAL is fsynced, so a reference handed out
by :meth:`ApplicationStore.put` survives ``kill -9`` and power loss. An application and all its
parts go in one transaction, so a crash leaves the whole application or none of it. Parts are
sealed with the application's own data key (:mod:`kiosk.store.envelope`); deleting an
application overwrites its wrapped key first (``secure_delete``) and then truncates the WAL,
and any copy of its parts that lingers (a WAL frame, a flash block) cannot be decrypted.

The store never writes a temporary file (``temp_store=MEMORY``) and holds no plaintext at rest.
The kiosk and the hand-off server open the same file from two processes; WAL lets them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.handoff.references import new_reference
from kiosk.store import envelope
from kiosk.store.errors import StoreError

if TYPE_CHECKING:
    from kiosk.audit import AuditTrail
    from kiosk.config import KioskConfig

log = logging.getLogger(__name__)

DB_FILE = "applications.sqlite3"
#: Sealed under the KEK when the store is made: a wrong key is named as such, not "corrupt".
_KEY_CHECK = b"pasboks record key check v1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS applications (
    reference   TEXT PRIMARY KEY,
    created_at  REAL NOT NULL,      -- unix seconds, UTC
    wrapped_key BLOB NOT NULL,      -- the data key sealed under the KEK
    part_names  TEXT NOT NULL       -- the parts stored with it (a whole record has all)
);
CREATE TABLE IF NOT EXISTS parts (
    reference TEXT NOT NULL REFERENCES applications(reference) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    sealed    BLOB NOT NULL,
    PRIMARY KEY (reference, name)
);
"""


@dataclass(frozen=True)
class Pending:
    """An application waiting for collection: its reference and when it was stored."""

    reference: str
    created_at: float


@dataclass(frozen=True)
class StoreStatus:
    """Counts and ages only (what ``kiosk store status`` prints; no personal data)."""

    pending: int
    oldest_age_s: float | None
    newest_age_s: float | None
    next_expiry_s: float | None
    retention_s: float

    def as_dict(self) -> dict[str, float | int | None]:
        """JSON-ready, ages rounded to seconds."""
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 1)

        return {"pending": self.pending, "oldest_age_s": rounded(self.oldest_age_s),
                "newest_age_s": rounded(self.newest_age_s),
                "next_expiry_s": rounded(self.next_expiry_s),
                "retention_hours": round(self.retention_s / 3600, 3)}


@dataclass(frozen=True)
class Problem:
    """What ``verify`` found wrong with one application (a code, never content)."""

    reference: str
    code: str


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _store_error(error: sqlite3.Error) -> StoreError:
    text = str(error).lower()
    if getattr(error, "sqlite_errorname", "") == "SQLITE_FULL" or "full" in text:
        return StoreError("disk_full", "the disk holding the application store is full")
    if "malformed" in text or "not a database" in text:
        return StoreError("corrupt", "the application store's database file is damaged")
    return StoreError("unavailable", f"the application store cannot be used ({error})")


class ApplicationStore:
    """Encrypted applications waiting for the caseworker, deleted on collection or expiry."""

    def __init__(self, directory: Path, kek: bytes, *, retention_s: float,
                 audit: AuditTrail | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self.path = directory / DB_FILE
        self.retention_s = retention_s
        self.audit = audit
        self.clock = clock
        self._kek = kek
        self._lock = threading.RLock()
        self._db = self._connect()

    @classmethod
    def open(cls, config: KioskConfig, *, audit: AuditTrail | None = None,
             create_key: bool | None = None) -> ApplicationStore:
        """The configured store, with the configured key. Raises StoreError."""
        from kiosk.store.keys import load_key

        kek = load_key(config, create=create_key)
        return cls(config.storage.directory, kek,
                   retention_s=config.storage.retention_hours * 3600, audit=audit)

    # --- opening ---------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.exists():
                # Made 0600 before SQLite opens it; SQLite gives its WAL the same mode.
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600))
        except OSError as error:
            raise StoreError("unavailable", f"the store directory {self.directory} cannot be "
                             f"used ({error.strerror})") from None
        try:
            db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None,
                                 check_same_thread=False)
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "secure_delete=ON",
                           "foreign_keys=ON", "temp_store=MEMORY", "busy_timeout=10000"):
                db.execute(f"PRAGMA {pragma}")
            db.executescript(_SCHEMA)
            self._check_key(db)
        except sqlite3.Error as error:
            raise _store_error(error) from None
        _fsync_directory(self.directory)
        return db

    def _check_key(self, db: sqlite3.Connection) -> None:
        row = db.execute("SELECT value FROM meta WHERE name = 'key_check'").fetchone()
        if row is None:
            db.execute("INSERT OR IGNORE INTO meta VALUES ('key_check', ?)",
                       (envelope.seal(self._kek, "store", "key-check", _KEY_CHECK),))
            row = db.execute("SELECT value FROM meta WHERE name = 'key_check'").fetchone()
        try:
            envelope.open_sealed(self._kek, "store", "key-check", row[0])
        except StoreError:
            raise StoreError("key_invalid", "the record key does not belong to this store "
                             f"({self.path}); its applications cannot be read") from None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                    self._db.execute("COMMIT")
                except BaseException:
                    # SQLite may have rolled back already (a full disk does): then this
                    # second rollback fails, and the first error is the one that counts.
                    with contextlib.suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as error:
                raise _store_error(error) from None

    def _query(self, sql: str, *args: object) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as error:
                raise _store_error(error) from None

    # --- the application's life -------------------------------------------------------------

    def put(self, parts: Mapping[str, bytes], reference: str | None = None) -> str:
        """Seal and store one application; its reference once it is on disk for good.

        ``reference`` is given when the parts already name it (the case part does); a fresh
        one is drawn otherwise. Raises StoreError (``duplicate_reference`` when the given one
        is taken, ``disk_full``, ``unavailable``); nothing of the application is kept then.
        """
        if not parts:
            raise ValueError("an application needs at least one part")
        if reference is None:
            reference = self._free_reference()
        now = self.clock()
        data_key = envelope.new_data_key()
        sealed = [(reference, name, envelope.seal(data_key, reference, name, data))
                  for name, data in parts.items()]
        try:
            with self._transaction() as db:
                if db.execute("SELECT 1 FROM applications WHERE reference = ?",
                              (reference,)).fetchone():
                    raise StoreError("duplicate_reference", f"{reference} is already stored")
                db.execute("INSERT INTO applications VALUES (?, ?, ?, ?)",
                           (reference, now, envelope.wrap_key(self._kek, reference, data_key),
                            ",".join(sorted(parts))))
                db.executemany("INSERT INTO parts VALUES (?, ?, ?)", sealed)
        except StoreError as error:
            self._audit("store_failed", reference, result=error.code)
            raise
        self._audit("stored", reference, parts=len(parts))
        return reference

    def _free_reference(self) -> str:
        for _ in range(20):
            reference = new_reference()
            if reference not in self:
                return reference
        raise StoreError("unavailable", "no free reference found (the store is implausibly full)")

    def pending(self) -> list[Pending]:
        """Every application waiting, oldest first."""
        rows = self._query("SELECT reference, created_at FROM applications ORDER BY created_at")
        return [Pending(str(reference), float(created)) for reference, created in rows]

    def __contains__(self, reference: object) -> bool:
        return bool(self._query("SELECT 1 FROM applications WHERE reference = ?", reference))

    def get(self, reference: str) -> dict[str, bytes]:
        """The decrypted parts of one application. Raises StoreError."""
        rows = self._query("SELECT wrapped_key, part_names FROM applications WHERE reference = ?",
                           reference)
        if not rows:
            raise StoreError("unknown_reference", f"no application {reference} in the store")
        wrapped, names = rows[0]
        data_key = envelope.unwrap_key(self._kek, reference, bytes(wrapped))
        sealed = dict(self._query("SELECT name, sealed FROM parts WHERE reference = ?",
                                  reference))
        expected = set(str(names).split(","))
        if set(sealed) != expected:
            raise StoreError("corrupt", f"{reference}: parts missing or extra")
        return {str(name): envelope.open_sealed(data_key, reference, str(name), bytes(blob))
                for name, blob in sealed.items()}

    def delete(self, reference: str) -> bool:
        """Crypto-shred one application: its wrapped key is overwritten, then all of it goes.

        Returns False when there was no such application. The caller audits why.
        """
        with self._transaction() as db:
            found = db.execute(
                "UPDATE applications SET wrapped_key = zeroblob(length(wrapped_key)) "
                "WHERE reference = ?", (reference,)).rowcount
            db.execute("DELETE FROM parts WHERE reference = ?", (reference,))
            db.execute("DELETE FROM applications WHERE reference = ?", (reference,))
        if found:
            self._checkpoint()
        return bool(found)

    def sweep(self, now: float | None = None) -> list[str]:
        """Delete every application older than the retention window; their references."""
        limit = (self.clock() if now is None else now) - self.retention_s
        expired = [str(reference) for (reference,) in self._query(
            "SELECT reference FROM applications WHERE created_at < ? ORDER BY created_at",
            limit)]
        deleted = [reference for reference in expired if self.delete(reference)]
        for reference in deleted:
            self._audit("expired", reference)
        return deleted

    def status(self, now: float | None = None) -> StoreStatus:
        """How many applications wait and how old they are."""
        now = self.clock() if now is None else now
        rows = self._query("SELECT count(*), min(created_at), max(created_at) FROM applications")
        count, oldest, newest = rows[0]
        oldest_age = None if oldest is None else now - float(oldest)
        return StoreStatus(
            pending=int(count),
            oldest_age_s=oldest_age,
            newest_age_s=None if newest is None else now - float(newest),
            next_expiry_s=None if oldest_age is None else max(0.0, self.retention_s - oldest_age),
            retention_s=self.retention_s)

    def verify(self) -> list[Problem]:
        """Every application that does not decrypt or is not whole (empty: all are fine)."""
        problems = [Problem("store", "integrity_check_failed")
                    for (result,) in self._query("PRAGMA quick_check") if result != "ok"]
        for item in self.pending():
            try:
                self.get(item.reference)
            except StoreError as error:
                problems.append(Problem(item.reference, error.code))
        return problems

    def close(self) -> None:
        """Checkpoint the WAL into the database and close it."""
        with self._lock:
            self._checkpoint()
            with contextlib.suppress(sqlite3.Error):
                self._db.close()

    def _checkpoint(self) -> None:
        # Moves the pages into the database file (where secure_delete has zeroed the deleted
        # ones) and empties the WAL, so old frames of a deleted record do not linger there.
        # Busy (another process is reading) is fine: the next checkpoint does it.
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _audit(self, event: str, reference: str, parts: int | None = None,
               result: str = "ok") -> None:
        if self.audit is None:
            return
        try:
            self.audit.record(event, reference=reference, actor="kiosk", result=result,
                              parts=parts)
        except OSError:
            # The application is stored; a full log disk must not undo that. The kiosk's
            # own log says the trail is behind (codes only).
            log.error("audit trail not written: %s %s", event,
                                              reference)

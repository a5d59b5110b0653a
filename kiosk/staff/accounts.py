"""Staff accounts: one SQLite file (0600 in a 0700 directory) of names and argon2id PIN hashes.

A PIN (at least 6 digits) or a passphrase (at least 8 characters) is never stored or logged:
only its argon2id hash (``argon2-cffi``'s :class:`~argon2.PasswordHasher`, RFC 9106 low-memory
parameters). Failed sign-ins are counted in the same file, per *scope* (the kiosk's own screen,
the console ...), so a restart does not lift a lockout: after ``max_attempts`` failures sign-in
is locked for ``lockout_s``, doubling with each further lockout; a success starts over.

An unknown name and a wrong PIN count the same and cost the same time (the PIN is checked
against a dummy hash): only the caller's log can tell them apart, never the person typing.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

if TYPE_CHECKING:
    from kiosk.config import KioskConfig, StaffSettings

#: Longest staff name (it becomes the actor of audit lines and console messages).
MAX_NAME = 32
#: Shortest all-digit PIN, and shortest passphrase.
MIN_PIN_DIGITS = 6
MIN_PASSPHRASE = 8
#: Longest secret accepted (argon2 would take more, a typo'd paste should not).
MAX_SECRET = 128
#: The scope of sign-ins on the kiosk's own screen.
KIOSK_SCOPE = "kiosk"

#: ``unavailable``: the accounts file could not be used (set by callers, never by ``verify``).
Status = Literal["ok", "wrong", "unknown", "locked", "unavailable"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS staff (
    name TEXT PRIMARY KEY,
    pin_hash TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS throttle (
    scope TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    lockouts INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0
);
"""


class StaffError(ValueError):
    """A staff name or PIN that is not allowed, an account that exists or does not, or a file
    that cannot be used. The message is one line and never contains a PIN."""


@dataclass(frozen=True)
class StaffAccount:
    """A listed account: the name and when it was made (never the hash)."""

    name: str
    created: dt.datetime


@dataclass(frozen=True)
class SignInResult:
    """The answer to a sign-in.

    ``status`` is ``ok``, ``wrong`` (a known name, wrong PIN), ``unknown`` (no such name) or
    ``locked`` (too many failures; ``retry_after_s`` says how long is left). Show ``wrong`` and
    ``unknown`` to people with the same words: :attr:`refused` is True for both.
    """

    status: Status
    #: The signed-in staff name (empty unless ``ok``).
    name: str = ""
    retry_after_s: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the name and PIN were right."""
        return self.status == "ok"

    @property
    def refused(self) -> bool:
        """A wrong PIN or an unknown name (the same to the person signing in)."""
        return self.status in ("wrong", "unknown")

    @property
    def locked(self) -> bool:
        """Sign-in is locked for ``retry_after_s``."""
        return self.status == "locked"


def check_name(name: str) -> str:
    """``name`` when it may name a staff account; raises StaffError."""
    if not name or name != name.strip():
        raise StaffError("a staff name must not be empty or start or end with a space")
    if len(name) > MAX_NAME:
        raise StaffError(f"a staff name has at most {MAX_NAME} characters")
    if not name.isprintable():
        raise StaffError("a staff name must be printable (no control characters)")
    return name


def check_secret(secret: str) -> str:
    """``secret`` when it is a good enough PIN or passphrase; raises StaffError (no echo)."""
    if len(secret) > MAX_SECRET:
        raise StaffError(f"the PIN is too long (at most {MAX_SECRET} characters)")
    if not secret.isprintable():
        raise StaffError("the PIN must not contain control characters")
    if secret.isdecimal() and secret.isascii():
        if len(secret) < MIN_PIN_DIGITS:
            raise StaffError(f"a PIN has at least {MIN_PIN_DIGITS} digits")
    elif len(secret) < MIN_PASSPHRASE:
        raise StaffError(f"use at least {MIN_PIN_DIGITS} digits, or a passphrase of at least "
                         f"{MIN_PASSPHRASE} characters")
    return secret


class StaffAccounts:
    """The staff accounts file. Every call opens its own connection, so any thread may call.

    ``verify`` is slow on purpose (argon2id, about 0.1 s): call it off the UI's thread.
    """

    def __init__(self, path: Path, *, max_attempts: int = 5, lockout_s: float = 30.0,
                 clock: Callable[[], float] = time.time,
                 hasher: PasswordHasher | None = None) -> None:
        self.path = path
        self.max_attempts = max_attempts
        self.lockout_s = lockout_s
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self._dummy: str | None = None
        self._create()

    @classmethod
    def open(cls, config: KioskConfig | StaffSettings, *,
             clock: Callable[[], float] = time.time,
             hasher: PasswordHasher | None = None) -> StaffAccounts:
        """The configured accounts file (created, 0600, when missing). Raises StaffError."""
        from kiosk.config import KioskConfig

        settings = config.staff if isinstance(config, KioskConfig) else config
        return cls(settings.accounts_file, max_attempts=settings.max_attempts,
                   lockout_s=settings.lockout_s, clock=clock, hasher=hasher)

    # --- accounts -------------------------------------------------------------------------

    def add(self, name: str, pin: str) -> None:
        """Add an account. Raises StaffError for a bad name or PIN, or a name that exists."""
        check_name(name)
        check_secret(pin)
        pin_hash = self.hasher.hash(pin)
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM staff WHERE name = ?", (name,)).fetchone():
                raise StaffError(f"there is already a staff account {name!r}")
            db.execute("INSERT INTO staff (name, pin_hash, created) VALUES (?, ?, ?)",
                       (name, pin_hash, self.clock()))

    def remove(self, name: str) -> None:
        """Remove an account. Raises StaffError when there is none by that name."""
        with self._transaction() as db:
            gone = db.execute("DELETE FROM staff WHERE name = ?", (name,)).rowcount
        if not gone:
            raise StaffError(f"there is no staff account {name!r}")

    def list(self) -> list[StaffAccount]:
        """Every account, by name."""
        with self._connection() as db:
            rows = db.execute("SELECT name, created FROM staff ORDER BY name").fetchall()
        return [StaffAccount(name, dt.datetime.fromtimestamp(created, dt.UTC))
                for name, created in rows]

    def __contains__(self, name: object) -> bool:
        with self._connection() as db:
            return db.execute("SELECT 1 FROM staff WHERE name = ?", (name,)).fetchone() is not None

    # --- sign-in --------------------------------------------------------------------------

    def verify(self, name: str, secret: str, *, scope: str = KIOSK_SCOPE) -> SignInResult:
        """Check a sign-in by ``name`` with ``secret`` (PIN or passphrase).

        Failures (wrong PIN or unknown name alike) are counted per ``scope`` in the file; at
        ``max_attempts`` sign-in in that scope is locked. While locked, nothing is checked.
        """
        now = self.clock()
        left = self._locked_for(scope, now)
        if left > 0:
            return SignInResult("locked", retry_after_s=left)
        with self._connection() as db:
            row = db.execute("SELECT pin_hash FROM staff WHERE name = ?", (name,)).fetchone()
        stored: str | None = row[0] if row else None
        matched = self._matches(stored, secret)
        if matched and stored is not None:
            self._succeeded(scope, name, stored, secret)
            return SignInResult("ok", name=name)
        locked_for = self._failed(scope, self.clock())
        if locked_for > 0:
            return SignInResult("locked", retry_after_s=locked_for)
        return SignInResult("wrong" if stored is not None else "unknown")

    def locked_for(self, scope: str = KIOSK_SCOPE) -> float:
        """Seconds sign-in in ``scope`` stays locked (0: not locked)."""
        return self._locked_for(scope, self.clock())

    def _matches(self, stored: str | None, secret: str) -> bool:
        # An unknown name is checked against a dummy hash: it takes as long as a wrong PIN.
        if stored is None:
            if self._dummy is None:
                self._dummy = self.hasher.hash("not a pin: no such account")
            target = self._dummy
        else:
            target = stored
        try:
            self.hasher.verify(target, secret)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return stored is not None

    def _succeeded(self, scope: str, name: str, stored: str, secret: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM throttle WHERE scope = ?", (scope,))
            if self.hasher.check_needs_rehash(stored):
                db.execute("UPDATE staff SET pin_hash = ? WHERE name = ?",
                           (self.hasher.hash(secret), name))

    def _failed(self, scope: str, now: float) -> float:
        """Count a failure; returns how long sign-in is now locked (0: not locked)."""
        with self._transaction() as db:
            row = db.execute("SELECT failures, lockouts FROM throttle WHERE scope = ?",
                             (scope,)).fetchone()
            failures, lockouts = (row[0], row[1]) if row else (0, 0)
            failures += 1
            locked_until = 0.0
            if failures >= self.max_attempts:
                # The first lockout lasts lockout_s, each further one twice the one before.
                locked_until = now + self.lockout_s * 2 ** min(lockouts, 20)
                lockouts += 1
                failures = 0
            db.execute("INSERT INTO throttle (scope, failures, lockouts, locked_until) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT(scope) DO UPDATE SET "
                       "failures = excluded.failures, lockouts = excluded.lockouts, "
                       "locked_until = CASE WHEN excluded.locked_until > 0 "
                       "THEN excluded.locked_until ELSE throttle.locked_until END",
                       (scope, failures, lockouts, locked_until))
        return max(0.0, locked_until - now)

    def _locked_for(self, scope: str, now: float) -> float:
        with self._connection() as db:
            row = db.execute("SELECT locked_until FROM throttle WHERE scope = ?",
                             (scope,)).fetchone()
        return max(0.0, float(row[0]) - now) if row else 0.0

    # --- the file -------------------------------------------------------------------------

    def _create(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            os.close(fd)
            os.chmod(self.path, 0o600)
            with self._connection() as db:
                db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise StaffError(f"the staff accounts file {self.path} cannot be used "
                             f"({type(error).__name__}: {error})") from None

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        try:
            with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as db:
                yield db
        except sqlite3.Error as error:
            raise StaffError(f"the staff accounts file {self.path} cannot be used "
                             f"({type(error).__name__}: {error})") from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

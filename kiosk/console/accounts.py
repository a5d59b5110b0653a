"""Librarian sign-in for the console, on the kiosk's staff accounts (``kiosk staff add``).

The one place the console meets ``kiosk.staff``: hashed PINs or passphrases and the lockout
live there; the console signs in with its own scope, so a lockout at the console does not lock
the kiosk's screen and the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from kiosk.config import KioskConfig
    from kiosk.staff.accounts import StaffAccounts

#: The scope of console sign-ins in the accounts file's throttle.
CONSOLE_SCOPE = "console"


@dataclass(frozen=True)
class Verdict:
    """``ok`` (``name`` signed in), ``refused`` (wrong secret or unknown name, never told
    apart) or ``locked`` (for ``retry_after_s``)."""

    status: Literal["ok", "refused", "locked"]
    name: str = ""
    retry_after_s: float = 0.0


class Librarians(Protocol):
    """Checks a librarian's sign-in (slow on purpose: call it off the event loop)."""

    def verify(self, name: str, secret: str) -> Verdict:
        ...


class StaffLibrarians:
    """:class:`Librarians` on ``kiosk.staff.accounts.StaffAccounts``."""

    def __init__(self, accounts: StaffAccounts) -> None:
        self._accounts = accounts

    def verify(self, name: str, secret: str) -> Verdict:
        result = self._accounts.verify(name, secret, scope=CONSOLE_SCOPE)
        if result.ok:
            return Verdict("ok", result.name or name)
        if result.locked:
            return Verdict("locked", retry_after_s=result.retry_after_s)
        return Verdict("refused")


class AccountsError(Exception):
    """The accounts file cannot be used (one line, never a secret)."""


def open_librarians(config: KioskConfig) -> StaffLibrarians:
    """The configured staff accounts; raises AccountsError."""
    from kiosk.staff.accounts import StaffAccounts, StaffError

    try:
        return StaffLibrarians(StaffAccounts.open(config))
    except (StaffError, OSError) as error:
        raise AccountsError(f"staff accounts {config.staff.accounts_file}: {error}") from None


def ensure_account(config: KioskConfig, name: str, secret: str) -> bool:
    """Add the account ``name`` unless it exists; True when it was added (the demo's)."""
    from kiosk.staff.accounts import StaffAccounts, StaffError

    try:
        accounts = StaffAccounts.open(config)
        if name in accounts:
            return False
        accounts.add(name, secret)
    except (StaffError, OSError) as error:
        raise AccountsError(f"staff accounts {config.staff.accounts_file}: {error}") from None
    return True

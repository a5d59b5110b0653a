"""``kiosk staff add|list|remove``: the librarians' accounts, managed on the kiosk's machine.

The PIN is read from the terminal twice (``getpass``: no echo) or as one line from standard
input (``--pin-stdin``); it is never printed, logged or audited. Adding and removing are
audited with the operating-system user who did it.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from kiosk.cli_support import add_config_option, fail, load_config_or_fail
from kiosk.config import KioskConfig
from kiosk.staff.accounts import StaffAccounts, StaffError, check_name, check_secret


def register(subparsers: Any) -> None:
    """Add ``staff`` and its subcommands."""
    staff = subparsers.add_parser("staff", help="librarians' accounts for staff sign-in: "
                                  "add, list, remove")
    commands = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add = commands.add_parser("add", help="add a librarian (the PIN is asked twice, no echo)")
    add.add_argument("name", metavar="NAME", help="the staff name (at most 32 characters)")
    add.add_argument("--pin-stdin", action="store_true",
                     help="read the PIN as one line from standard input (for scripts)")
    add.set_defaults(handler=_add)
    listing = commands.add_parser("list", help="every librarian and when they were added")
    listing.set_defaults(handler=_list)
    remove = commands.add_parser("remove", help="remove a librarian")
    remove.add_argument("name", metavar="NAME")
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    remove.set_defaults(handler=_remove)
    for command in (add, listing, remove):
        add_config_option(command)


def _os_user() -> str:
    try:
        return getpass.getuser()[:64] or "unknown"
    except (KeyError, OSError):  # no name for this uid (a container)
        return "unknown"


def _audit(config: KioskConfig, event: str, name: str) -> None:
    from kiosk.audit import AuditTrail

    try:
        AuditTrail.for_config(config).record(event, actor=_os_user(), staff=name)
    except (OSError, ValueError) as error:
        print(f"kiosk: warning: audit trail not written ({type(error).__name__})",
              file=sys.stderr)


def _read_pin(from_stdin: bool) -> str:
    """The new PIN; raises StaffError (one line, no PIN in it)."""
    if from_stdin:
        line = sys.stdin.readline()
        pin = line.removesuffix("\n").removesuffix("\r")
        if not pin:
            raise StaffError("no PIN on standard input")
        return check_secret(pin)
    if not sys.stdin.isatty():
        raise StaffError("no terminal to ask the PIN on: use --pin-stdin")
    try:
        pin = check_secret(getpass.getpass("PIN (at least 6 digits): "))
        again = getpass.getpass("PIN again: ")
    except EOFError:
        raise StaffError("no PIN given") from None
    if pin != again:
        raise StaffError("the two PINs differ; nothing was changed")
    return pin


def _add(args: argparse.Namespace) -> int:
    config = load_config_or_fail(args)
    if isinstance(config, int):
        return config
    try:
        check_name(args.name)
        accounts = StaffAccounts.open(config)
        if args.name in accounts:
            return fail(f"there is already a staff account {args.name!r}")
        accounts.add(args.name, _read_pin(args.pin_stdin))
    except StaffError as error:
        return fail(str(error))
    _audit(config, "staff_added", args.name)
    print(f"staff account {args.name!r} added")
    return 0


def _list(args: argparse.Namespace) -> int:
    config = load_config_or_fail(args)
    if isinstance(config, int):
        return config
    try:
        accounts = StaffAccounts.open(config).list()
    except StaffError as error:
        return fail(str(error))
    if not accounts:
        print("no staff accounts (add one with: kiosk staff add NAME)")
        return 0
    width = max(len(account.name) for account in accounts)
    for account in accounts:
        print(f"{account.name:<{width}}  added {account.created.isoformat(timespec='seconds')}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    config = load_config_or_fail(args)
    if isinstance(config, int):
        return config
    try:
        accounts = StaffAccounts.open(config)
        if args.name not in accounts:
            return fail(f"there is no staff account {args.name!r}")
        if not args.yes:
            if not sys.stdin.isatty():
                return fail("not removed: confirm with --yes (no terminal to ask on)")
            answer = input(f"Remove staff account {args.name!r}? [y/N] ").strip().lower()
            if answer not in ("y", "yes"):
                return fail("not removed")
        accounts.remove(args.name)
    except (StaffError, EOFError) as error:
        return fail(str(error) if isinstance(error, StaffError) else "not removed")
    _audit(config, "staff_removed", args.name)
    print(f"staff account {args.name!r} removed")
    return 0

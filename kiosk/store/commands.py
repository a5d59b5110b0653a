"""``kiosk store status|verify|sweep``: the operator's view of the encrypted store.

Counts, ages, references and codes only: nothing here prints or decrypts personal data to
the terminal (``verify`` decrypts in memory to prove each record is whole, and says only
whether it is).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from kiosk.cli_support import add_config_option, fail, load_config_or_fail
from kiosk.store.errors import StoreError

if TYPE_CHECKING:
    from kiosk.store.db import ApplicationStore


def register(subparsers: Any) -> None:
    """Add ``store`` and its subcommands."""
    store = subparsers.add_parser("store", help="the encrypted application store: status, "
                                  "verify, sweep")
    commands = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    status = commands.add_parser("status", help="how many applications wait and how old the "
                                 "oldest is (no personal data)")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(handler=_status)
    verify = commands.add_parser("verify", help="check that every application decrypts and is "
                                 "whole (exit 0 when all are)")
    verify.set_defaults(handler=_verify)
    sweep = commands.add_parser("sweep", help="delete the applications past the retention "
                                "window now")
    sweep.add_argument("--now", metavar="ISO-8601",
                       help="sweep as if it were this time (UTC unless an offset is given)")
    sweep.set_defaults(handler=_sweep)
    for command in (status, verify, sweep):
        add_config_option(command)


def _open(args: argparse.Namespace) -> ApplicationStore | int:
    """The configured store, or an exit code after one line on stderr."""
    from kiosk.audit import AuditTrail
    from kiosk.store.db import ApplicationStore

    config = load_config_or_fail(args)
    if isinstance(config, int):
        return config
    try:
        return ApplicationStore.open(config, audit=AuditTrail.for_config(config))
    except StoreError as error:
        return fail(str(error))


def _status(args: argparse.Namespace) -> int:
    store = _open(args)
    if isinstance(store, int):
        return store
    try:
        status = store.status()
    except StoreError as error:
        return fail(str(error))
    finally:
        store.close()
    if args.json:
        print(json.dumps(status.as_dict()))
        return 0
    print(f"pending        {status.pending}")
    if status.oldest_age_s is not None:
        print(f"oldest         {_age(status.oldest_age_s)}")
        print(f"next deletion  in {_age(status.next_expiry_s or 0.0)}")
    print(f"retention      {status.retention_s / 3600:g} h")
    return 0


def _verify(args: argparse.Namespace) -> int:
    store = _open(args)
    if isinstance(store, int):
        return store
    try:
        checked = len(store.pending())
        problems = store.verify()
    except StoreError as error:
        return fail(str(error))
    finally:
        store.close()
    for problem in problems:
        print(f"{problem.reference}: {problem.code}")
    if problems:
        return fail(f"{len(problems)} of {checked} application(s) are damaged")
    print(f"{checked} application(s) checked: every one decrypts and is whole")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    now = None
    if args.now is not None:
        try:
            when = dt.datetime.fromisoformat(args.now)
        except ValueError:
            return fail(f"--now {args.now!r} is not an ISO-8601 time "
                         "(for example 2026-12-30T12:00:00Z)", 2)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        now = when.timestamp()
    store = _open(args)
    if isinstance(store, int):
        return store
    try:
        deleted = store.sweep(now)
        left = store.status(now).pending
    except StoreError as error:
        return fail(str(error))
    finally:
        store.close()
    print(f"deleted {len(deleted)} application(s) past the retention window; {left} pending")
    return 0


def _age(seconds: float) -> str:
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours} h {rest // 60:02d} min" if hours else f"{rest // 60} min {rest % 60:02d} s"

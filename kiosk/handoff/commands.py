"""Hand-off subcommands: ``handoff serve``, ``caseworker pending|fetch|confirm``, ``pki demo``.

Each handler returns an exit code; a failure is one ``kiosk: ...`` line on stderr.
"""

from __future__ import annotations

import argparse
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import systemd
from kiosk.cli_support import (
    add_config_option,
    catch_stop,
    fail,
    load_config_or_fail,
    wait_until_stopped,
)

if TYPE_CHECKING:
    from kiosk.handoff.client import CaseworkerClient

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def register(subparsers: Subparsers) -> None:
    """Add ``handoff``, ``caseworker`` and ``pki`` to the CLI."""
    handoff = subparsers.add_parser("handoff", help="serve finished applications to "
                                    "caseworkers (mutual TLS)")
    handoff_commands = handoff.add_subparsers(dest="handoff_command", metavar="COMMAND",
                                              required=True)
    serve = handoff_commands.add_parser("serve", help="run the hand-off server until "
                                        "stopped (Ctrl-C or SIGTERM)")
    add_config_option(serve)
    serve.add_argument("--listen", metavar="HOST:PORT",
                       help="override handoff.listen (port 0: any free port)")
    serve.set_defaults(handler=_serve)

    caseworker = subparsers.add_parser("caseworker", help="fetch applications from a kiosk "
                                       "(the caseworker's client)")
    caseworker_commands = caseworker.add_subparsers(dest="caseworker_command",
                                                    metavar="COMMAND", required=True)
    pending = caseworker_commands.add_parser("pending", help="list the applications waiting")
    pending.add_argument("--json", action="store_true", help="print JSON")
    fetch = caseworker_commands.add_parser(
        "fetch", help="fetch one application, verify and decrypt it, write its files")
    fetch.add_argument("reference", metavar="REF", help="the reference, like PB-7K3Q-9XM2-T")
    fetch.add_argument("--birth", required=True, metavar="DDMM",
                       help="the holder's day and month of birth")
    fetch.add_argument("--out", required=True, type=Path, metavar="DIR",
                       help="directory to write the files into (made if needed)")
    confirm = caseworker_commands.add_parser(
        "confirm", help="confirm receipt: the kiosk deletes the application at once")
    confirm.add_argument("reference", metavar="REF")
    for command, handler in ((pending, _pending), (fetch, _fetch), (confirm, _confirm)):
        add_config_option(command, required=True, help="caseworker.toml (server, ca, "
                          "certificate, private_key, recipient_key)")
        command.add_argument("--server", metavar="URL", help="override the server URL")
        command.set_defaults(handler=handler)

    pki = subparsers.add_parser("pki", help="certificates and keys for the hand-off")
    pki_commands = pki.add_subparsers(dest="pki_command", metavar="COMMAND", required=True)
    demo = pki_commands.add_parser("demo", help="make a demo CA, certificates, keys and two "
                                   "configs in DIR (new or empty)")
    demo.add_argument("directory", type=Path, metavar="DIR")
    demo.set_defaults(handler=_pki_demo)


def _serve(args: argparse.Namespace) -> int:
    from kiosk.handoff.server import ServeError, start

    config = load_config_or_fail(args)
    if isinstance(config, int):
        return config
    try:
        server = start(config, args.listen)
    except ServeError as error:
        return fail(str(error), 2)
    stop = threading.Event()
    try:
        server.serve_in_thread()
        print(f"kiosk: hand-off server listening on {server.url}", flush=True)
        # Under systemd: ready once listening; the watchdog pings while the server's thread runs.
        stop_requested = catch_stop()  # before READY=1: no stop is lost
        systemd.ready(f"listening on {server.url}")
        thread = server._thread  # the serve_forever thread serve_in_thread started
        systemd.watch_while(lambda: thread is not None and thread.is_alive(), stop)
        wait_until_stopped(stop_requested)
    finally:
        stop.set()
        systemd.stopping()
        server.close()
    print("kiosk: hand-off server stopped", flush=True)
    return 0


def _client(args: argparse.Namespace) -> CaseworkerClient:
    from kiosk.handoff.client import CaseworkerClient, load_caseworker_config

    return CaseworkerClient(load_caseworker_config(args.config), args.server)


def _pending(args: argparse.Namespace) -> int:
    from kiosk.handoff.client import ClientError

    try:
        applications = _client(args).pending()
    except ClientError as error:
        return fail(str(error), error.exit_code)
    if args.json:
        print(json.dumps({"applications": applications}))
    elif not applications:
        print("no applications waiting")
    else:
        for item in applications:
            print(f"{item['reference']}  {_age(item['age_s'])}")
    return 0


def _age(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    return f"{minutes // 60} h {minutes % 60:02d} min ago"


def _fetch(args: argparse.Namespace) -> int:
    from kiosk.handoff.client import ClientError, check_birth, check_reference, write_application

    try:
        check_reference(args.reference)
        check_birth(args.birth)
        client = _client(args)
        record = client.fetch(args.reference, args.birth)
        written = write_application(record, args.out)
    except ClientError as error:
        return fail(str(error), error.exit_code)
    print(f"fetched {record.reference} (signature and certificate verified) into {args.out}:")
    for path in written:
        print(f"  {path.name}")
    print(f"confirm receipt with: kiosk caseworker confirm {record.reference}")
    return 0


def _confirm(args: argparse.Namespace) -> int:
    from kiosk.handoff.client import ClientError

    try:
        _client(args).confirm(args.reference)
    except ClientError as error:
        return fail(str(error), error.exit_code)
    print(f"confirmed {args.reference.upper()}: the kiosk has deleted it")
    return 0


def _pki_demo(args: argparse.Namespace) -> int:
    from kiosk.pki import PkiError, make_demo

    try:
        demo = make_demo(args.directory)
    except PkiError as error:
        return fail(str(error), 2)
    print(f"demo PKI in {demo.directory}")
    print(f"  kiosk:      kiosk handoff serve --config {demo.kiosk_config}")
    print(f"  caseworker: kiosk caseworker pending --config {demo.caseworker_config}")
    return 0

"""Console subcommands: ``console serve`` and ``console demo``.

Each handler returns an exit code; a failure is one ``kiosk: ...`` line on stderr.
"""

from __future__ import annotations

import argparse
import logging
import threading
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
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def register(subparsers: Subparsers) -> None:
    """Add ``console`` to the CLI."""
    console = subparsers.add_parser("console", help="the librarians' staff console in the "
                                    "browser (HTTPS)")
    commands = console.add_subparsers(dest="console_command", metavar="COMMAND", required=True)
    serve = commands.add_parser("serve", help="run the staff console until stopped (Ctrl-C "
                                "or SIGTERM)")
    demo = commands.add_parser("demo", help="a console and three simulated kiosks with "
                               "scripted citizens on this machine, until Ctrl-C")
    for command, handler in ((serve, _serve), (demo, _demo)):
        add_config_option(command)
        command.add_argument("--listen", metavar="HOST:PORT",
                             help="override console.listen (port 0: any free port)")
        command.set_defaults(handler=handler)


def _serve(args: argparse.Namespace) -> int:
    from kiosk.console.server import start_console
    from kiosk.console.tls import SetupError

    logging.basicConfig(level=logging.WARNING, format="kiosk: %(levelname)s %(message)s")
    config = load_config_or_fail(args)
    if isinstance(config, int):
        return config
    try:
        running = start_console(config, args.listen)
    except SetupError as error:
        return fail(str(error), 2)
    stop = threading.Event()
    try:
        print(f"kiosk: staff console on {running.url}", flush=True)
        if running.tls.made:
            print(f"kiosk: made a self-signed certificate; kiosks verify it with "
                  f"console.ca = \"{running.tls.ca}\"", flush=True)
        print(f"kiosk: kiosks connect to {running.link_url} with the token in "
              f"{running.tokens.path}", flush=True)
        # Under systemd: ready once listening; the watchdog pings while uvicorn's thread runs.
        stop_requested = catch_stop()  # before READY=1: no stop is lost
        systemd.ready(f"staff console on {running.url}")
        systemd.watch_while(running.thread.is_alive, stop)
        wait_until_stopped(stop_requested)
    finally:
        stop.set()
        systemd.stopping()
        running.close()
    print("kiosk: staff console stopped", flush=True)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from kiosk.console.demo import DEMO_PIN, DEMO_USER, DemoError, start_demo

    logging.basicConfig(level=logging.ERROR, format="kiosk: %(levelname)s %(message)s")
    config = load_config_or_fail(args)
    if isinstance(config, int):
        return config
    try:
        demo = start_demo(config, args.listen)
    except DemoError as error:
        return fail(str(error), 2)
    try:
        demo.play()
        console = demo.console
        print("Pasboks staff console demo", flush=True)
        print(f"  console   {console.url}", flush=True)
        if console.tls.ca is not None:
            print(f"            (its own certificate, signed by {console.tls.ca}: the browser "
                  "warns once; accept it for this demo)")
        if demo.account_made:
            print(f"  sign in   {DEMO_USER} / PIN {DEMO_PIN} (a demo account, made now in "
                  f"{config.staff.accounts_file})")
        else:
            print(f"  sign in   {DEMO_USER} (the account was already there; its PIN was not "
                  f"changed; the demo's is {DEMO_PIN})")
        for role in demo.roles:
            print(f"  {role.name:<9} {role.place} · scripted citizen: {role.scenario}")
        print("Ctrl-C stops.", flush=True)
        wait_until_stopped()
    finally:
        demo.close()
    print("kiosk: demo stopped", flush=True)
    return 0

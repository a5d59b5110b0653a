"""What every ``kiosk`` subcommand module shares: the ``--config`` option, loading it, the
one-line failure, and waiting for Ctrl-C or SIGTERM in the servers."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.config import KioskConfig


def fail(message: str, code: int = 1) -> int:
    """Print ``kiosk: message`` on stderr; returns ``code`` for the handler to return."""
    print(f"kiosk: {message}", file=sys.stderr)
    return code


def add_config_option(parser: argparse.ArgumentParser, *, required: bool = False,
                      help: str | None = None) -> None:
    """The ``--config FILE`` option every command that reads the kiosk's config takes."""
    parser.add_argument("--config", type=Path, metavar="FILE", required=required,
                        help=help or "TOML config file (default: $PASBOKS_CONFIG, else the "
                        "simulator's defaults)")


def load_config_or_fail(args: argparse.Namespace) -> KioskConfig | int:
    """The configuration named by ``args.config``, or exit code 2 after one line."""
    from kiosk.config import ConfigError, load_config

    try:
        return load_config(args.config)
    except ConfigError as error:
        return fail(f"invalid configuration: {error}".replace("\n", "; "), 2)


def catch_stop() -> threading.Event:
    """From now on SIGTERM (a service manager's stop) sets the returned event.

    Servers call it *before* they tell systemd they are ready: a stop that comes right after
    READY=1 must not find the default handler (or an inherited ignore) still in place.
    """
    stop = threading.Event()

    def on_signal(number: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    return stop


def wait_until_stopped(stop: threading.Event | None = None) -> None:
    """Block until Ctrl-C or SIGTERM; ``stop`` is the event :func:`catch_stop` returned."""
    if stop is None:
        stop = catch_stop()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

"""The ``kiosk`` command line: one entry point, one subcommand per capability.

Each area registers its own subcommands (``kiosk/<area>/commands.py``: ``register(subparsers)``);
a subcommand sets ``handler`` to a function ``(args) -> exit code``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from kiosk import __version__
from kiosk import commands as kiosk_commands
from kiosk.console import commands as console_commands
from kiosk.document import commands as document_commands
from kiosk.fingerprint import commands as fingerprint_commands
from kiosk.handoff import commands as handoff_commands
from kiosk.native_stderr import divert_native_stderr
from kiosk.photo import commands as photo_commands
from kiosk.staff import commands as staff_commands
from kiosk.store import commands as store_commands
from kiosk.voice import commands as voice_commands


def build_parser() -> argparse.ArgumentParser:
    """The whole ``kiosk`` parser."""
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Pasboks: self-service passport-renewal kiosk (runs on its simulator "
        "when no config file names real devices).",
    )
    parser.add_argument("--version", action="version", version=f"pasboks {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for area in (kiosk_commands, document_commands, photo_commands, fingerprint_commands,
                 store_commands, handoff_commands, staff_commands, console_commands,
                 voice_commands):
        area.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    divert_native_stderr()
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args))
    except BrokenPipeError:
        # The reader went away (``| head``): not an error. Keep Python's exit flush quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""The `kiosk document ...` subcommands."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import stat
import sys
from pathlib import Path
from typing import Any

from kiosk.document.report import build, render
from kiosk.document.settings import DocumentSettings
from kiosk.safetext import json_line, printable

#: Largest ``--file`` read (a TD3 MRZ is 90 characters; a megabyte is ten thousand of them).
MAX_FILE_BYTES = 1_000_000


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `kiosk document` and its subcommands to the CLI."""
    parser = subparsers.add_parser("document", help="passport machine readable zone tools")
    sub = parser.add_subparsers(dest="document_command", metavar="SUBCOMMAND")
    parse = sub.add_parser(
        "parse",
        help="check, repair and assess MRZs",
        description="Check MRZ lines (ICAO Doc 9303), repair unambiguous OCR errors and "
        "give the renewal verdict. Exit 0 when every MRZ is valid as read.",
    )
    parse.add_argument("lines", nargs="*", metavar="LINE", help="the 2 or 3 MRZ lines")
    parse.add_argument("--file", type=Path, help="MRZs, one per blank-line-separated block")
    parse.add_argument("--json", action="store_true", help="one JSON object per line per MRZ")
    parse.add_argument("--today", type=dt.date.fromisoformat, default=None,
                       help="date to judge expiry and age against (YYYY-MM-DD)")
    parse.add_argument("--lang", default="en", choices=("en", "da"), help="language of texts")
    parse.set_defaults(handler=_parse)
    parser.set_defaults(handler=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _blocks(text: str) -> list[list[str]]:
    """MRZs in a file: blocks of lines separated by blank lines (line ends removed only)."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            blocks[-1].append(line.rstrip("\r\n"))
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _read_text(path: Path) -> str:
    """The ``--file``: a regular file of at most MAX_FILE_BYTES, undecodable bytes replaced.

    Raises ValueError with the reason in a few words.
    """
    try:
        # Non-blocking, so that a FIFO is refused instead of waited on.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ValueError("no such file") from None
    except OSError as error:
        raise ValueError(f"cannot be opened ({error.strerror or error})") from None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise ValueError("is a directory, not a file" if stat.S_ISDIR(status.st_mode)
                             else "is not a regular file")
        if status.st_size > MAX_FILE_BYTES:
            raise ValueError(f"is too large ({status.st_size:,} bytes; at most "
                             f"{MAX_FILE_BYTES:,})")
        os.set_blocking(fd, True)
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ValueError(f"cannot be read ({error.strerror or error})") from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"is too large (more than {MAX_FILE_BYTES:,} bytes)")
    return data.decode("utf-8", errors="replace")


def _escaped(value: Any) -> Any:
    """The report with every string made safe to print (MRZ lines come from outside)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(item) for item in value]
    return value


def _parse(args: argparse.Namespace) -> int:
    mrzs: list[list[str]] = []
    if args.lines:
        mrzs.append(list(args.lines))
    if args.file is not None:
        try:
            mrzs += _blocks(_read_text(args.file))
        except ValueError as error:
            print(f"kiosk: {printable(args.file)}: {error}", file=sys.stderr)
            return 2
    if not mrzs:
        print("kiosk document parse: give MRZ lines or --file", file=sys.stderr)
        return 2
    today = args.today or dt.date.today()
    settings = DocumentSettings()
    all_valid = True
    for number, lines in enumerate(mrzs, start=1):
        report = build(lines, today, settings)
        all_valid &= report["valid"]
        if args.json:
            print(json_line(report))
        else:
            text = render(_escaped(report), number, args.lang)
            print(text + ("\n" if number < len(mrzs) else ""))
    return 0 if all_valid else 1

"""The `kiosk document ...` subcommands."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from kiosk.document.report import build, render
from kiosk.document.settings import DocumentSettings


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


def _parse(args: argparse.Namespace) -> int:
    mrzs: list[list[str]] = []
    if args.lines:
        mrzs.append(list(args.lines))
    if args.file is not None:
        try:
            mrzs += _blocks(args.file.read_text(encoding="utf-8", errors="replace"))
        except OSError as error:
            print(f"kiosk document parse: {error}", file=sys.stderr)
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
            print(json.dumps(report, ensure_ascii=False))
        else:
            print(render(report, number, args.lang) + ("\n" if number < len(mrzs) else ""))
    return 0 if all_valid else 1

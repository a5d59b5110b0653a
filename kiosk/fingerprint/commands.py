"""The `kiosk fingerprint ...` subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from kiosk.fingerprint.settings import FingerprintSettings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `kiosk fingerprint` and its subcommands to the CLI."""
    parser = subparsers.add_parser("fingerprint", help="fingerprint quality and comparison tools")
    commands = parser.add_subparsers(dest="fingerprint_command", metavar="SUBCOMMAND")

    quality = commands.add_parser("quality", help="score fingerprint images (0-100, NFIQ 2 scale)")
    quality.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    quality.add_argument(
        "--ppi",
        type=float,
        default=None,
        help="capture resolution (default: from the file, else 500)",
    )
    quality.add_argument("--json", action="store_true", help="one JSON object per line")
    quality.add_argument("--language", default="en", help="language of the feedback texts")
    quality.set_defaults(handler=run_quality)

    compare = commands.add_parser("compare", help="compare two fingerprint images")
    compare.add_argument("first", type=Path, metavar="A")
    compare.add_argument("second", type=Path, metavar="B")
    compare.add_argument("--ppi", type=float, default=None)
    compare.add_argument("--json", action="store_true")
    compare.set_defaults(handler=run_compare)
    parser.set_defaults(handler=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def load_image(path: Path, ppi: float | None = None) -> tuple[NDArray[np.uint8], float]:
    """An image file as 8-bit grey, with its resolution (from ``ppi``, the file, or 500)."""
    with Image.open(path) as image:
        if ppi is None:
            dpi = image.info.get("dpi")
            ppi = float(dpi[0]) if dpi and dpi[0] and dpi[0] > 1 else 500.0
        return np.asarray(image.convert("L")), ppi


def run_quality(args: argparse.Namespace) -> int:
    """Print the quality of each image; exit 1 if any could not be read."""
    from kiosk.fingerprint.quality import assess_quality
    from kiosk.i18n import translate

    settings = FingerprintSettings()
    failed = False
    for path in args.images:
        try:
            pixels, ppi = load_image(path, args.ppi)
        except (OSError, ValueError) as error:
            failed = True
            print(
                json.dumps({"image": str(path), "error": str(error)})
                if args.json
                else f"{path}: {error}"
            )
            continue
        result = assess_quality(pixels, ppi, settings)
        codes = [code.value for code in result.feedback]
        if args.json:
            record = {
                "image": str(path),
                "score": result.score,
                "usable": result.usable(settings),
                "feedback": codes,
                "measures": {name: round(value, 5) for name, value in result.measures.items()},
            }
            print(json.dumps(record))
        else:
            advice = "; ".join(translate(code.text_key, args.language) for code in result.feedback)
            print(f"{path}: {result.score:3d}  {advice or 'ok'}")
    return 1 if failed else 0


def run_compare(args: argparse.Namespace) -> int:
    """Print the comparison score; exit 0 when the same finger, 1 when not."""
    from kiosk.fingerprint.matching import compare, extract_template

    settings = FingerprintSettings()
    templates = []
    for path in (args.first, args.second):
        try:
            pixels, ppi = load_image(path, args.ppi)
        except (OSError, ValueError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 2
        templates.append(extract_template(pixels, ppi))
    score = compare(templates[0], templates[1])
    same = score >= settings.match_threshold
    if args.json:
        print(
            json.dumps(
                {
                    "a": str(args.first),
                    "b": str(args.second),
                    "score": round(score, 5),
                    "same_finger": same,
                }
            )
        )
    else:
        print(f"{score:.4f}  {'same finger' if same else 'different fingers'}")
    return 0 if same else 1

"""The `kiosk fingerprint ...` subcommands."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kiosk.fingerprint.settings import FingerprintSettings
from kiosk.i18n import LANGUAGES
from kiosk.imagefile import ImageFileError, ImageInfo, read_image
from kiosk.safetext import json_line, printable

#: Resolution assumed when neither ``--ppi`` nor the file gives one.
DEFAULT_PPI = 500.0
#: Files may be captured at up to this many times 500 ppi (in each direction).
MAX_RESOLUTION_FACTOR = 2
#: A resolution stored in a file is believed only in this range: outside it, it is a program's
#: default (72 or 96 dpi from an image editor, a BMP or PCX writer), not a capture resolution.
FILE_PPI_RANGE = (250.0, 5000.0)


def ppi_value(text: str) -> float:
    """``--ppi``: a positive, finite number of pixels per inch (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive, finite resolution, not {text!r}")
    if not 50 <= value <= 5000:
        raise argparse.ArgumentTypeError(f"{text} ppi is no fingerprint resolution "
                                         "(50 to 5000; sensors capture at 500 or 1000)")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `kiosk fingerprint` and its subcommands to the CLI."""
    parser = subparsers.add_parser("fingerprint", help="fingerprint quality and comparison tools")
    commands = parser.add_subparsers(dest="fingerprint_command", metavar="SUBCOMMAND")

    quality = commands.add_parser("quality", help="score fingerprint images (0-100, NFIQ 2 scale)")
    quality.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    quality.add_argument(
        "--ppi",
        type=ppi_value,
        default=None,
        help="capture resolution, 50-5000 (default: the file's when it says 250-5000 ppi, "
        "else 500)",
    )
    quality.add_argument("--json", action="store_true", help="one JSON object per line")
    quality.add_argument("--language", default="en", choices=LANGUAGES,
                         help="language of the feedback texts")
    quality.set_defaults(handler=run_quality)

    compare = commands.add_parser("compare", help="compare two fingerprint images")
    compare.add_argument("first", type=Path, metavar="A")
    compare.add_argument("second", type=Path, metavar="B")
    compare.add_argument("--ppi", type=ppi_value, default=None,
                         help="capture resolution, 50-5000 (default: the file's when it says "
                         "250-5000 ppi, else 500)")
    compare.add_argument("--json", action="store_true")
    compare.set_defaults(handler=run_compare)
    parser.set_defaults(handler=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def load_image(path: Path, ppi: float | None = None,
               settings: FingerprintSettings | None = None) -> tuple[NDArray[np.uint8], float]:
    """An image file as 8-bit grey, with its resolution (from ``ppi``, else the file's when it
    is a plausible capture resolution (FILE_PPI_RANGE), else 500).

    The header is read first: an image larger at 500 ppi than ``settings.max_image_pixels``
    (no finger sensor makes one) is refused undecoded. 16-bit, palette, alpha and the other
    modes are converted by :mod:`kiosk.imagefile`. Raises ImageFileError with the reason.
    """
    limit = (settings or FingerprintSettings()).max_image_pixels
    chosen: list[float] = []

    def check(info: ImageInfo) -> None:
        stored = info.ppi if info.ppi and FILE_PPI_RANGE[0] <= info.ppi <= FILE_PPI_RANGE[1] \
            else None
        resolution = ppi if ppi is not None else stored or DEFAULT_PPI
        source = "" if ppi is not None else " (from the file)" if stored else " (assumed)"
        factor = DEFAULT_PPI / resolution
        width, height = round(info.width * factor), round(info.height * factor)
        if width * height > limit:
            hint = "" if ppi is not None else "; give --ppi if that resolution is wrong"
            raise ImageFileError(
                f"{info.width}x{info.height} pixels at {resolution:.0f} ppi{source} is "
                f"{width}x{height} at 500 ppi, larger than any finger sensor (at most "
                f"{limit:,} pixels; fingerprint.max_image_pixels){hint}")
        chosen.append(resolution)

    loaded = read_image(path, colour="grey", check=check,
                        max_pixels=limit * MAX_RESOLUTION_FACTOR**2)
    return loaded.pixels, chosen[0]


def _refused(path: Path, error: ImageFileError) -> None:
    print(f"kiosk: {printable(path)}: {printable(error)}", file=sys.stderr)


def run_quality(args: argparse.Namespace) -> int:
    """Print the quality of each image; exit 1 if any could not be read."""
    from kiosk.fingerprint.quality import assess_quality
    from kiosk.i18n import translate

    settings = FingerprintSettings()
    failed = False
    for path in args.images:
        try:
            pixels, ppi = load_image(path, args.ppi, settings)
        except ImageFileError as error:
            failed = True
            _refused(path, error)
            if args.json:
                print(json_line({"image": str(path), "error": str(error)}), flush=True)
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
            print(json_line(record), flush=True)
        else:
            advice = "; ".join(translate(code.text_key, args.language) for code in result.feedback)
            print(f"{printable(path)}: {result.score:3d}  {advice or 'ok'}", flush=True)
    return 1 if failed else 0


def run_compare(args: argparse.Namespace) -> int:
    """Print the comparison score; exit 0 when the same finger, 1 when not."""
    from kiosk.fingerprint.matching import compare, extract_template

    settings = FingerprintSettings()
    templates = []
    refused = False
    for path in (args.first, args.second):
        try:
            pixels, ppi = load_image(path, args.ppi, settings)
        except ImageFileError as error:
            _refused(path, error)  # the other file is still read, and judged if it is bad too
            refused = True
            continue
        templates.append(extract_template(pixels, ppi))
    if refused:
        return 2
    score = compare(templates[0], templates[1])
    same = score >= settings.match_threshold
    if args.json:
        print(
            json_line(
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

"""The `kiosk photo ...` subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.i18n import LANGUAGES
from kiosk.imagefile import ImageFileError, ImageInfo, read_image
from kiosk.photo import frame
from kiosk.photo.settings import PhotoSettings
from kiosk.safetext import json_line, printable

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from kiosk.photo.report import PhotoReport
    from kiosk.photo.result import Mode

def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `kiosk photo` and its subcommands to the CLI."""
    photo = subparsers.add_parser("photo", help="check, crop and benchmark passport photos")
    sub = photo.add_subparsers(dest="photo_command", metavar="SUBCOMMAND")
    photo.set_defaults(handler=lambda _args: _usage(photo))

    check = sub.add_parser("check", help="judge images against the passport-photo rules")
    check.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    check.add_argument("--as-is", action="store_true",
                       help="judge the photo's own framing (default: a camera frame to crop)")
    check.add_argument("--json", action="store_true", help="one JSON object per line")
    check.add_argument("--language", default="en", choices=LANGUAGES,
                       help="language of the guidance text")
    check.set_defaults(handler=_check)

    crop = sub.add_parser("crop", help="make the token photo from an image")
    crop.add_argument("image", type=Path, metavar="IMAGE")
    crop.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.jpg")
    crop.add_argument("--json", action="store_true", help="print the report as JSON")
    crop.set_defaults(handler=_crop)

    bench = sub.add_parser("bench", help="latency of the live analysis at 640x480 and 1280x720")
    bench.add_argument("--frames", type=_frame_count, default=40,
                       help="frames per size (1-10000)")
    bench.add_argument("--json", action="store_true")
    bench.set_defaults(handler=_bench)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _frame_count(text: str) -> int:
    """``--frames``: a whole number from 1 to 10000 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"must be from 1 to 10000, not {value}")
    return value


def _frame_shape(info: ImageInfo) -> None:
    """Refuse, from the header, images that cannot hold a face (argument of read_image)."""
    # The pixel limit is read_image's own (max_pixels), checked before this.
    problem = frame.shape_problem(info.width, info.height, max_pixels=info.width * info.height)
    if problem is not None:
        raise ImageFileError(problem)


def read_photo(path: Path, settings: PhotoSettings) -> NDArray[np.uint8]:
    """An image file as 8-bit BGR for the face analysis; ImageFileError with the reason."""
    return read_image(path, colour="bgr", max_pixels=settings.max_image_pixels,
                      check=_frame_shape).pixels


def _refused(path: Path, reason: object) -> None:
    print(f"kiosk: {printable(path)}: {printable(reason)}", file=sys.stderr, flush=True)


def _output_problem(output: Path) -> str | None:
    """Why the token cannot be written to ``output`` (checked before the slow analysis)."""
    folder = output.parent
    if output.is_dir():
        return "is a directory; give a file name such as token.jpg"
    if not folder.exists():
        return f"the folder {folder} does not exist"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    return None


def _report_json(name: str, report: PhotoReport, language: str) -> dict[str, object]:
    from kiosk.photo.guidance import instruction_for

    instruction = instruction_for(report)
    return {
        "image": name,
        "compliant": report.compliant,
        "defects": list(report.defects),
        "measures": {k: (None if v is None else round(v, 4))
                     for k, v in report.measures.items()},
        "guidance": instruction.text(language),
        "guidance_code": instruction.code,
        "could_not_assess": [c.name for c in report.unknown],
    }


def _check(args: argparse.Namespace) -> int:
    from kiosk.photo.analysis import FaceAnalyzer
    from kiosk.photo.report import assess

    settings = PhotoSettings()
    mode: Mode = "as_is" if args.as_is else "live"
    status = 0
    with FaceAnalyzer(settings, static=True) as analyzer:
        for path in args.images:
            try:
                image = read_photo(path, settings)
            except ImageFileError as error:
                _refused(path, error)
                if args.json:
                    print(json_line({"image": str(path), "error": str(error)}), flush=True)
                status = 2
                continue
            report = assess(analyzer.analyze(image), settings, mode)
            info = _report_json(str(path), report, args.language)
            if not report.compliant and status == 0:
                status = 1
            if args.json:
                print(json_line(info), flush=True)
                continue
            verdict = "compliant" if report.compliant else "NOT compliant"
            print(f"{printable(path)}: {verdict} - {info['guidance']}", flush=True)
            for c in report.failed:
                value = "n/a" if c.value is None else f"{c.value:.3f}"
                print(f"  {c.reason:<22} {c.name} = {value}  (pass: {c.threshold})")
            if report.unknown:
                print("  could not assess: " + ", ".join(c.name for c in report.unknown))
    return status


def _crop(args: argparse.Namespace) -> int:
    from kiosk.photo.analysis import FaceAnalyzer
    from kiosk.photo.report import assess
    from kiosk.photo.token import TokenPhotoError, make_token_photo

    settings = PhotoSettings()
    problem = _output_problem(args.output)
    if problem is not None:
        _refused(args.output, problem)
        return 2
    try:
        image = read_photo(args.image, settings)
    except ImageFileError as error:
        _refused(args.image, error)
        return 2
    with FaceAnalyzer(settings, static=True) as analyzer:
        analysis = analyzer.analyze(image)
    report = assess(analysis, settings, "live")
    try:
        token = make_token_photo(image, analysis, settings)
    except TokenPhotoError as exc:
        _refused(args.image, exc)
        return 1
    written = [(args.output, token.jpeg)]
    if token.jpeg2000 is not None:
        written.append((args.output.with_suffix(".jp2"), token.jpeg2000))
    for target, data in written:
        try:
            target.write_bytes(data)
        except OSError as error:
            _refused(target, f"cannot be written ({error.strerror or error})")
            return 2
    info = _report_json(str(args.image), report, "en")
    info["token"] = {k: round(v, 4) for k, v in token.measurements.items()}
    info["output"] = str(args.output)
    if args.json:
        print(json_line(info))
    else:
        print(f"{printable(args.output)}: {len(token.jpeg)} bytes "
              f"(JPEG quality {token.jpeg_quality})"
              + (f", {printable(args.output.with_suffix('.jp2'))}" if token.jpeg2000 else ""))
        print(f"source: {'compliant' if report.compliant else 'NOT compliant'}"
              + (f" ({', '.join(report.defects)})" if report.defects else ""))
        for k, v in token.measurements.items():
            print(f"  {k} = {v:.3f}")
    return 0 if report.compliant else 1


def _bench(args: argparse.Namespace) -> int:
    from kiosk.photo.bench import run

    results = run(args.frames)
    if args.json:
        print(json.dumps(results))
        return 0
    for size, r in results.items():
        ratio = r["median_ms"] / r["models_ms"] if r["models_ms"] else float("nan")
        print(f"{size:>9}: median {r['median_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, "
              f"models alone {r['models_ms']:.1f} ms (overhead x{ratio:.2f})")
        burst = r["burst_median_ms"] / r["burst_models_ms"] if r["burst_models_ms"] else 0.0
        print(f"{'':>9}  burst frame, every check: median {r['burst_median_ms']:.1f} ms, "
              f"models alone {r['burst_models_ms']:.1f} ms (overhead x{burst:.2f})")
    return 0

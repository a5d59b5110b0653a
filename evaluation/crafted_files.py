"""Crafted files: every odd input the kiosk's commands may be handed, and how each is handled.

Usage::

    python evaluation/crafted_files.py [--jobs 4] [--only SUBSTRING] [--keep] [--json]

It writes a few hundred files into a temporary directory (nothing from a real person: the face
is scikit-image's public-domain astronaut, the print a synthetic one from the simulator):

* images of 30000 x 30000, 10000 x 10000, 65535 x 1 and 0 x 0 pixels (small on disk, huge
  when decoded), a photo just under the 40 MP limit and a print at the 2000 x 2000 limit;
* depths 1, 2, 4, 8, 16 (12 used bits too) and 32 bits (integer and float), 48-bit RGB,
  palette with and without a transparent entry, grey and colour with alpha (opaque, half and
  fully transparent), CMYK, LAB, YCbCr JPEG;
* TIFF (raw, LZW, JPEG-compressed, big-endian 16-bit, multi-page), BMP, GIF (still and
  animated), WebP (lossy, lossless, animated), JPEG 2000 (JP2 and raw codestream), PPM, TGA,
  ICO, PCX, progressive JPEG, JPEG with an EXIF rotation, a megabyte of EXIF/ICC/text metadata,
  a zTXt decompression bomb;
* truncations at several points (a JPEG cut to a third among them), a damaged CRC, damaged
  compressed data, wrong extensions, empty files, random bytes, text, a directory, a FIFO,
  /dev/zero, a missing file, a file name full of terminal escapes;
* config files (``kiosk devices check --config``) and scenario files
  (``kiosk simulate --scenario FILE --no-ui``) that are not UTF-8, nested 20000 deep, 2 MB
  large, not files; environment garbage (``PASBOKS_DEVICES=notjson``), a log or store
  directory under a file; MRZ files with escapes, ``/dev/zero``; hostile ``--ppi``,
  ``--frames``, ``photo crop -o`` into a missing folder.

Each case runs one ``kiosk`` command as a child process (``--jobs`` at once) and prints the
file, the command, the exit code, the wall time, the child's peak memory (``ru_maxrss`` from
``os.wait4``) and its one-line message or verdict. A case is handled when the child was not
killed by a signal, printed no traceback, finished within 60 s and 1.5 GB, and either gave a
verdict or refused with a message as the case expects (a file that must be refused, such as a
JPEG cut to a third, may not get a verdict; a 16-bit copy of the print must score as the print
does). Exit 1 when any case misses.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
TIME_LIMIT_S = 60.0
MEMORY_LIMIT_MB = 1536.0
HARD_KILL_S = 150.0

# What a case must end in: a refusal (non-zero exit with a ``kiosk`` message), a verdict
# (a score or a compliance line), or either (a damaged file a decoder may still read).
REFUSE, VERDICT, EITHER = "refuse", "verdict", "either"


@dataclass
class Case:
    name: str
    argv: list[str]
    expect: str
    env: dict[str, str] = field(default_factory=dict)
    check: Callable[[Result, dict[str, Result]], str | None] | None = None


@dataclass
class Result:
    case: Case
    code: int
    seconds: float
    peak_mb: float
    stdout: str
    stderr: str
    message: str = ""
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


# --- image makers ----------------------------------------------------------------------------

def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def blank_png(width: int, height: int, depth: int = 8, colour_type: int = 0,
              extra: bytes = b"") -> bytes:
    """A whole, valid PNG of zeros written row by row: huge images in a few hundred kB."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    row = b"\0" * (1 + (width * depth * channels + 7) // 8)
    packer = zlib.compressobj(9)
    parts = [packer.compress(row) for _ in range(height)]
    idat = b"".join(parts) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + extra + _chunk(b"IDAT", idat)
            + _chunk(b"IEND", b""))


def bmp_header_only(width: int, height: int) -> bytes:
    """A BMP header claiming ``width x height`` 24-bit pixels, with almost no pixel data."""
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + 40 + 16, 0, 0, 54) + info + b"\0" * 16


def gif_zero() -> bytes:
    """A GIF whose screen and image are 0 x 0."""
    return (b"GIF89a" + struct.pack("<HHBBB", 0, 0, 0, 0, 0)
            + b"," + struct.pack("<HHHHB", 0, 0, 0, 0, 0) + b"\x02\x02\x44\x01\x00;")


def face() -> np.ndarray:
    """scikit-image's astronaut (public domain) on a light background, as RGB, 1024 px tall."""
    from skimage import data

    portrait = Image.fromarray(data.astronaut()).resize((1024, 1024))
    return np.asarray(portrait)


def print_image() -> np.ndarray:
    from simulator.fingerprints import persona_finger

    return np.asarray(persona_finger(5, 7, "good", 1), np.uint8)


def variants(rgb: np.ndarray) -> dict[str, bytes]:
    """The same picture in every depth, mode and format (names carry the extension)."""
    image = Image.fromarray(rgb)
    grey = image.convert("L")
    grey_arr = np.asarray(grey)
    rng = np.random.default_rng(7)
    rgba = image.convert("RGBA")
    half = rgba.copy()
    half.putalpha(128)
    clear = rgba.copy()
    clear.putalpha(0)
    la = grey.convert("LA")
    palette = image.convert("P", palette=Image.Palette.ADAPTIVE, colors=256)
    exif = Image.Exif()
    exif[0x0112] = 6
    jpeg = encode(image, "JPEG", quality=90)
    out: dict[str, bytes] = {
        "rgb.png": encode(image, "PNG"),
        "rgb.jpg": jpeg,
        "grey.png": encode(grey, "PNG"),
        "bilevel-1bit.png": encode(grey.convert("1"), "PNG"),
        "palette-4bit.png": encode(grey.quantize(16), "PNG", bits=4),
        "palette-2bit.png": encode(grey.quantize(4), "PNG", bits=2),
        "grey-16bit.png": encode(Image.fromarray(grey_arr.astype(np.uint16) * 257), "PNG"),
        "grey-12bit-in-16.png": encode(Image.fromarray(grey_arr.astype(np.uint16) * 16),
                                       "PNG"),
        "grey-16bit-be.tif": encode(Image.fromarray((grey_arr.astype(np.uint16) * 257)
                                                    .astype(">u2")), "TIFF"),
        "grey-32bit-int.tif": encode(Image.fromarray(grey_arr.astype(np.int32) * 65793, "I"),
                                     "TIFF"),
        "grey-32bit-float.tif": encode(Image.fromarray(grey_arr.astype(np.float32) / 255, "F"),
                                       "TIFF"),
        "palette.png": encode(palette, "PNG"),
        "palette-transparent.png": encode(palette, "PNG", transparency=0),
        "palette.gif": encode(palette, "GIF"),
        "grey-alpha.png": encode(la, "PNG"),
        "rgba-opaque.png": encode(rgba, "PNG"),
        "rgba-half.png": encode(half, "PNG"),
        "rgba-clear.png": encode(clear, "PNG"),
        "rgba.webp": encode(half, "WEBP", lossless=True),
        "cmyk.jpg": encode(image.convert("CMYK"), "JPEG", quality=90),
        "cmyk.tif": encode(image.convert("CMYK"), "TIFF"),
        "lab.tif": encode(image.convert("LAB"), "TIFF"),
        "lzw.tif": encode(image, "TIFF", compression="tiff_lzw"),
        "jpeg-in.tif": encode(image, "TIFF", compression="jpeg"),
        "multipage.tif": encode(image, "TIFF", save_all=True, append_images=[grey.convert("RGB")]),
        "rgb.bmp": encode(image, "BMP"),
        "animated.gif": encode(palette, "GIF", save_all=True, append_images=[palette] * 2),
        "lossy.webp": encode(image, "WEBP", quality=80),
        "animated.webp": encode(image, "WEBP", save_all=True, append_images=[image]),
        "rgb.jp2": encode(image, "JPEG2000"),
        "rgb.j2k": encode(image, "JPEG2000", no_jp2=True),
        "rgb.ppm": encode(image, "PPM"),
        "grey.pgm": encode(grey, "PPM"),
        "rgb.tga": encode(image, "TGA"),
        "rgb.pcx": encode(image, "PCX"),
        "small.ico": encode(image.resize((64, 64)), "ICO"),
        "progressive.jpg": encode(image, "JPEG", progressive=True, quality=90),
        "exif-rotated.jpg": encode(image, "JPEG", exif=exif, quality=90),
        "ycbcr-444.jpg": encode(image, "JPEG", subsampling=0, quality=90),
        "huge-icc.jpg": encode(image, "JPEG", icc_profile=rng.bytes(1_000_000), quality=90),
        "huge-exif.jpg": encode(image, "JPEG", exif=b"Exif\0\0" + rng.bytes(60_000)),
        "png-named.jpg": encode(image, "PNG"),
        "jpeg-named.png": jpeg,
        "jpeg-named.tif": jpeg,
    }
    png = out["rgb.png"]
    tif = out["lzw.tif"]
    for fraction in (0.01, 0.33, 0.5, 0.9, 0.999):
        out[f"cut-{int(fraction * 1000):03d}.jpg"] = jpeg[: int(len(jpeg) * fraction)]
    out["cut-third.jpg"] = jpeg[: len(jpeg) // 3]
    out["jpeg-no-eoi.jpg"] = jpeg[:-2]
    for fraction in (0.33, 0.9):
        out[f"cut-{int(fraction * 100)}.png"] = png[: int(len(png) * fraction)]
    out["png-no-iend.png"] = png[:-12]
    for name in ("lzw.tif", "rgb.bmp", "lossy.webp", "palette.gif", "rgb.jp2"):
        data = out[name]
        stem, ext = name.rsplit(".", 1)
        out[f"cut-half-{stem}.{ext}"] = data[: len(data) // 2]
    bad_crc = bytearray(png)
    bad_crc[29] ^= 0xFF  # inside IHDR's CRC
    out["bad-crc.png"] = bytes(bad_crc)
    bad_zlib = bytearray(png)
    middle = len(bad_zlib) // 2
    bad_zlib[middle:middle + 64] = rng.bytes(64)
    out["bad-zlib.png"] = bytes(bad_zlib)
    bad_scan = bytearray(jpeg)
    bad_scan[len(jpeg) // 2:len(jpeg) // 2 + 256] = rng.bytes(256)
    out["bad-scan.jpg"] = bytes(bad_scan)
    bad_tif = bytearray(tif)
    bad_tif[4:8] = struct.pack("<I", len(tif) * 10)  # first IFD offset past the end
    out["bad-ifd.tif"] = bytes(bad_tif)
    return out


def image_files() -> dict[str, bytes]:
    """Files whose content does not depend on the picture: sizes, non-images, bombs."""
    rng = np.random.default_rng(11)
    text = _chunk(b"tEXt", b"Comment\0" + b"x" * 4_000_000)
    ztxt = _chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"\0" * 200_000_000, 9))
    many = b"".join(_chunk(b"tEXt", b"k\0" + str(i).encode()) for i in range(50_000))
    return {
        "30000x30000-1bit.png": blank_png(30000, 30000, 1),
        "30000x30000-grey.png": blank_png(30000, 30000, 8),
        "10000x10000-grey.png": blank_png(10000, 10000, 8),
        "10000x10000-rgb.png": blank_png(10000, 10000, 8, 2),
        "10000x10000-16bit.png": blank_png(10000, 10000, 16),
        "10000x10000-rgba.png": blank_png(10000, 10000, 8, 6),
        "65535x1.png": blank_png(65535, 1),
        "1x65535.png": blank_png(1, 65535),
        "1x1.png": blank_png(1, 1),
        "4x1000.png": blank_png(4, 1000),
        "1x300.png": blank_png(1, 300),
        "32x65535.png": blank_png(32, 65535),
        "0x10.png": blank_png(0, 10),
        "0x0.gif": gif_zero(),
        "bmp-claims-30000x30000.bmp": bmp_header_only(30000, 30000),
        "bmp-claims-negative.bmp": bmp_header_only(100, -100),
        "png-4mb-text.png": blank_png(64, 64, extra=text),
        "png-ztxt-bomb.png": blank_png(64, 64, extra=ztxt),
        "png-50000-text-chunks.png": blank_png(64, 64, extra=many),
        "empty.png": b"",
        "empty.jpg": b"",
        "random-1mb.png": rng.bytes(1_000_000),
        "zeros.jpg": b"\0" * 100_000,
        "text.jpg": b"<html><body>not an image</body></html>\n" * 100,
        "png-magic-only.png": b"\x89PNG\r\n\x1a\n",
        "jpeg-soi-only.jpg": b"\xff\xd8\xff",
        "toml-named.png": b'language = "da"\n',
        "zip-named.png": b"PK\x03\x04" + rng.bytes(2000),
    }


# --- the cases ------------------------------------------------------------------------------

def build_cases(work: Path) -> list[Case]:
    images = work / "images"
    images.mkdir()
    cases: list[Case] = []
    kiosk = [sys.executable, "-m", "kiosk.cli"]

    def write(name: str, data: bytes) -> Path:
        path = images / name
        path.write_bytes(data)
        return path

    # Photos: every variant of the face, the size and junk files, and odd paths.
    photo_files: dict[str, Path] = {}
    for name, data in {**variants(face()), **image_files()}.items():
        photo_files[name] = write(f"face-{name}" if not name[0].isdigit() else name, data)
    big_face = Image.fromarray(face()).resize((6400, 6240))  # 39.9 MP: just under the limit
    photo_files["6400x6240.jpg"] = write("face-6400x6240.jpg", encode(big_face, "JPEG",
                                                                      quality=85))
    over = Image.new("L", (6400, 6300))  # 40.3 MP: just over
    photo_files["6400x6300.png"] = write("grey-6400x6300.png", encode(over, "PNG"))
    del big_face, over
    odd = _odd_paths(work)
    for name, path in {**photo_files, **odd}.items():
        cases.append(Case(f"photo {name}", [*kiosk, "photo", "check", str(path)],
                          _expect_image(name, photo=True)))

    # Fingerprints: every variant of the print, the size and junk files, odd paths.
    finger = print_image()
    finger_files: dict[str, Path] = {}
    for name, data in {**variants(np.dstack([finger] * 3)), **image_files()}.items():
        finger_files[name] = write(f"print-{name}", data)
    finger_files["grey-8bit-500ppi.png"] = write("print-grey-8bit-500ppi.png",
                                                 encode(Image.fromarray(finger), "PNG",
                                                        dpi=(500, 500)))
    sensor = np.full((2000, 2000), 255, np.uint8)
    sensor[800:800 + finger.shape[0], 800:800 + finger.shape[1]] = finger
    finger_files["2000x2000.png"] = write("print-2000x2000.png",
                                          encode(Image.fromarray(sensor), "PNG"))
    finger_files["2001x2000.png"] = write("print-2001x2000.png",
                                          encode(Image.new("L", (2001, 2000), 255), "PNG"))
    finger_files["72dpi.jpg"] = write("print-72dpi.jpg", encode(Image.fromarray(finger), "JPEG",
                                                                 dpi=(72, 72)))
    for name, path in {**finger_files, **odd}.items():
        check = _same_score_as_8bit if name in ("grey-16bit.png", "grey-16bit-be.tif",
                                                "grey-32bit-int.tif") else None
        cases.append(Case(f"finger {name}", [*kiosk, "fingerprint", "quality", str(path)],
                          _expect_image(name, photo=False), check=check))
    original = finger_files["grey.png"]
    cases.append(Case("finger compare 8-bit vs 16-bit",
                      [*kiosk, "fingerprint", "compare", str(original),
                       str(finger_files["grey-16bit.png"])], VERDICT,
                      check=lambda result, _: None if "same finger" in result.stdout
                      else "a 16-bit copy is not the same finger"))
    for ppi in ("0", "-1", "nan", "inf", "1e999", "abc", "1"):
        cases.append(Case(f"finger --ppi {ppi}", [*kiosk, "fingerprint", "quality",
                                                  f"--ppi={ppi}", str(original)], REFUSE))
    cases.append(Case("finger --ppi 1000 on 2000x2000", [*kiosk, "fingerprint", "quality",
                                                         "--ppi=1000",
                                                         str(finger_files["2000x2000.png"])],
                      VERDICT))

    # Other photo arguments.
    face_png = photo_files["rgb.png"]
    cases.append(Case("photo crop -o missing folder", [*kiosk, "photo", "crop", str(face_png),
                                                       "-o", str(work / "no" / "t.jpg")],
                      REFUSE))
    cases.append(Case("photo crop -o a directory", [*kiosk, "photo", "crop", str(face_png),
                                                    "-o", str(work)], REFUSE))
    cases.append(Case("photo crop of a 30000x30000 png",
                      [*kiosk, "photo", "crop", str(photo_files["30000x30000-1bit.png"]),
                       "-o", str(work / "t.jpg")], REFUSE))
    for frames in ("0", "-1", "99999999"):
        cases.append(Case(f"photo bench --frames {frames}",
                          [*kiosk, "photo", "bench", "--frames", frames], REFUSE))

    cases += _text_cases(work, kiosk)
    return cases


def _odd_paths(work: Path) -> dict[str, Path]:
    odd = work / "odd"
    odd.mkdir()
    (odd / "folder.png").mkdir()
    os.mkfifo(odd / "fifo.png")
    (odd / "dev-zero.png").symlink_to("/dev/zero")
    escaped = odd / "\x1b[2J\x1b]0;title\x07name.png"
    escaped.write_bytes(b"not an image")
    return {"a directory": odd / "folder.png", "a FIFO": odd / "fifo.png",
            "symlink to /dev/zero": odd / "dev-zero.png", "missing file": odd / "missing.png",
            "escape-sequence name": escaped}


def _expect_image(name: str, *, photo: bool) -> str:
    """What a file must end in for ``photo check`` or ``fingerprint quality``."""
    refuse = ("30000x30000", "10000x10000", "bmp-claims", "empty",
              "random", "zeros", "text.jpg", "magic-only", "soi-only", "toml-named", "zip-named",
              "cut-010", "cut-third", "cut-330", "cut-500", "cut-33.png", "cut-half", "bad-crc",
              "a directory", "a FIFO", "symlink", "missing", "escape-sequence",
              "6400x6300", "cut-900", "cut-90.png", "bad-ifd")
    if not photo:
        refuse += ("2001x2000", "6400x")
    if any(part in name for part in refuse) or name.startswith("0x"):
        return REFUSE
    # Damaged files a decoder may still read, and strips of one pixel (a verdict such as "no
    # face" or "larger than one finger" is as sound as a refusal there).
    damaged = ("cut-999", "no-eoi", "no-iend", "bad-zlib", "bad-scan", "ztxt-bomb", "lab.tif",
               "4mb-text", "50000-text", "65535x1", "1x65535", "4x1000", "1x300", "32x65535",
               "1x1.")
    return EITHER if any(part in name for part in damaged) else VERDICT


def _same_score_as_8bit(result: Result, results: dict[str, Result]) -> str | None:
    reference = results.get("finger grey.png")
    if reference is None or not reference.ok:
        return "the 8-bit original has no score to compare with"
    def score(r: Result) -> str:
        return r.stdout.split(":")[-1].split()[0] if r.stdout else "?"
    if score(result) != score(reference):
        return f"scores {score(result)}, the 8-bit original {score(reference)}"
    return None


def _text_cases(work: Path, kiosk: list[str]) -> list[Case]:
    texts = work / "texts"
    texts.mkdir()
    rng = random.Random(5)
    bad = {
        "not-utf8.toml": b'language = "\xff\xfe"\n',
        "latin1.toml": 'kiosk_id = "K\xf8benhavn"\n'.encode("latin-1"),
        "deep-arrays.toml": b"a = " + b"[" * 20000 + b"]" * 20000 + b"\n",
        "deep-inline.toml": b"a = " + b"{b = " * 20000 + b"1" + b"}" * 20000 + b"\n",
        "deep-dotted.toml": b"a" + b".a" * 20000 + b" = 1\n",
        "deep-headers.toml": b"[" + b"a." * 5000 + b"a]\n",
        "2mb.toml": b"# padding\n" * 200_000,
        "bom.toml": b"\xef\xbb\xbflanguage = \"da\"\n",
        "nul.toml": b"language = \"d\0a\"\n",
        "huge-int.toml": b"x = " + b"9" * 100_000 + b"\n",
        "random.toml": bytes(rng.getrandbits(8) for _ in range(5000)),
        "long-list.toml": b"languages = [" + b"1, " * 200_000 + b"]\n",
        "escape-value.toml": b'language = "\x1b[2J"\n',
        "empty.toml": b"",
    }
    paths = {name: texts / name for name in bad}
    for name, data in bad.items():
        paths[name].write_bytes(data)
    (texts / "dir.toml").mkdir()
    os.mkfifo(texts / "fifo.toml")
    odd = {"a directory": texts / "dir.toml", "a FIFO": texts / "fifo.toml",
           "/dev/zero": Path("/dev/zero"), "missing": texts / "missing.toml"}
    cases = []
    for name, path in {**paths, **odd}.items():
        expect = VERDICT if name == "empty.toml" else REFUSE
        cases.append(Case(f"config {name}", [*kiosk, "devices", "check", "--config", str(path)],
                          expect))
        if name != "empty.toml":
            cases.append(Case(f"scenario {name}", [*kiosk, "simulate", "--scenario", str(path),
                                                   "--no-ui"], REFUSE))
    blocker = work / "a-file"
    blocker.write_text("")
    for variable, value, argv in [
        ("PASBOKS_DEVICES", "notjson", ["devices", "check"]),
        ("PASBOKS_LANGUAGES", "[", ["devices", "check"]),
        ("PASBOKS_DEVICES", "[" * 100_000, ["devices", "check"]),
        ("PASBOKS_TIMEOUTS__DEVICE_READ_S", "nan", ["devices", "check"]),
        ("PASBOKS_STORAGE__DIRECTORY", str(blocker / "store"), ["store", "status"]),
        ("PASBOKS_LOGS__DIRECTORY", str(blocker / "log"), ["run"]),
        ("PASBOKS_CONFIG", str(texts / "not-utf8.toml"), ["devices", "check"]),
    ]:
        cases.append(Case(f"env {variable}={value[:12]}", [*kiosk, *argv], REFUSE,
                          env={variable: value}))
    mrz = texts / "escapes.mrz"
    mrz.write_bytes(b"P<DNK\x1b[2J\x1b]0;owned\x07HANSEN<<METTE<<<<<<<<<<<<<<<<<<<<<<<<\n"
                    b"2083115794DNK8001011F2501019\xc2\x9b31m<<<<<<<<<<<<<<08\n")
    big = texts / "big.mrz"
    big.write_bytes(b"P<DNK" * 400_000)
    binary = texts / "binary.mrz"
    binary.write_bytes(bytes(rng.getrandbits(8) for _ in range(20000)))
    for name, path, expect in [("escapes", mrz, VERDICT), ("2 MB", big, REFUSE),
                               ("binary", binary, EITHER), ("/dev/zero", Path("/dev/zero"), REFUSE),
                               ("a FIFO", texts / "fifo.toml", REFUSE),
                               ("a directory", texts, REFUSE)]:
        cases.append(Case(f"mrz file {name}", [*kiosk, "document", "parse", "--file", str(path)],
                          expect, check=_no_control_characters))
    cases.append(Case("mrz lines with escapes",
                      [*kiosk, "document", "parse", "P<DNK\x1b[2JHANSEN\u202e<<", "x\x9by"],
                      VERDICT, check=_no_control_characters))
    return cases


def _no_control_characters(result: Result, _: dict[str, Result]) -> str | None:
    text = result.stdout + result.stderr
    bad = sorted({c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0
                  or c in "\u202e\u202d\u2066\u2067"})
    return f"control characters reached the terminal: {bad!r}" if bad else None


# --- running ---------------------------------------------------------------------------------

# The kiosk runs under this small launcher, which reports the kiosk's own peak memory: Linux
# counts a child's peak from the moment it forks, so a child forked straight from this script
# (which holds the crafted images) would report this script's size, not its own.
LAUNCHER = """
import os, subprocess, sys
process = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(process.pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(f"{usage.ru_maxrss} {status}")
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def run_case(case: Case, work: Path) -> Result:
    env = dict(os.environ)
    env.update({"XDG_STATE_HOME": str(work / "state"), "XDG_CONFIG_HOME": str(work / "config"),
                "PYTHONPATH": str(ROOT)})
    for name in ("PASBOKS_CONFIG", "STATE_DIRECTORY", "LOGS_DIRECTORY"):
        env.pop(name, None)
    env.update(case.env)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", dir=work) as report:
        start = time.monotonic()
        process = subprocess.Popen([sys.executable, "-c", LAUNCHER, report.name, *case.argv],
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                   cwd=ROOT, env=env, start_new_session=True)
        status = _wait(process.pid, HARD_KILL_S)
        seconds = time.monotonic() - start
        reported = report.read().split()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if len(reported) == 2:  # the kiosk's own peak and status
        peak_mb, code = int(reported[0]) / 1024.0, os.waitstatus_to_exitcode(int(reported[1]))
    else:  # killed at the hard limit
        peak_mb, code = float("nan"), os.waitstatus_to_exitcode(status)
    return Result(case, code, seconds, peak_mb, stdout, stderr)


def _wait(pid: int, limit: float) -> int:
    """The launcher's wait status; after ``limit`` seconds its whole group is killed."""
    deadline = time.monotonic() + limit
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            os.killpg(pid, 9)
            return os.waitpid(pid, 0)[1]
        time.sleep(0.02)


def judge(result: Result, results: dict[str, Result]) -> None:
    case = result.case
    err_lines = [line for line in result.stderr.splitlines() if line.strip()]
    kiosk_lines = [line for line in err_lines if line.startswith("kiosk")]
    out_lines = [line for line in result.stdout.splitlines() if line.strip()]
    result.message = (kiosk_lines[-1] if kiosk_lines else out_lines[0] if out_lines
                      else err_lines[-1] if err_lines else "")
    problems = []
    if result.code < 0:
        problems.append(f"killed by signal {-result.code}")
    if "Traceback" in result.stderr:
        problems.append("traceback")
    if result.seconds > TIME_LIMIT_S:
        problems.append(f"{result.seconds:.0f} s")
    if not result.peak_mb <= MEMORY_LIMIT_MB:  # NaN: killed before it reported
        problems.append(f"{result.peak_mb:.0f} MB")
    refused = result.code not in (0, 1) or (result.code != 0 and bool(kiosk_lines)
                                            and not out_lines)
    if result.code > 0 and not kiosk_lines and not out_lines:
        problems.append("failed without a message")
    if case.expect == REFUSE and not refused:
        problems.append("should have been refused")
    if case.expect == VERDICT and refused:
        problems.append("should have had a verdict")
    if not problems and case.check is not None:
        found = case.check(result, results)
        if found:
            problems.append(found)
    result.problem = "; ".join(problems) or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--keep", action="store_true", help="keep the crafted files")
    parser.add_argument("--json", action="store_true", help="one JSON object per case")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="pasboks-crafted-"))
    try:
        cases = [case for case in build_cases(work) if args.only in case.name]
        print(f"{len(cases)} cases in {work}", file=sys.stderr, flush=True)
        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            results = list(pool.map(lambda case: run_case(case, work), cases))
        by_name = {result.case.name: result for result in results}
        for result in results:
            judge(result, by_name)
        _report(results, args.json)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if all(result.ok for result in results) else 1


def _report(results: list[Result], as_json: bool) -> None:
    from kiosk.safetext import printable

    for result in results:
        if as_json:
            print(json.dumps({"case": result.case.name, "exit": result.code,
                              "seconds": round(result.seconds, 2),
                              "peak_mb": round(result.peak_mb, 1), "message": result.message,
                              "ok": result.ok, "problem": result.problem}))
            continue
        status = "ok  " if result.ok else "MISS"
        line = (f"{status} {printable(result.case.name)[:40]:<40} exit {result.code:>3} "
                f"{result.seconds:6.1f} s {result.peak_mb:7.0f} MB  "
                f"{printable(result.message)[:110]}")
        print(line + (f"  <- {result.problem}" if result.problem else ""))
    worst_time = max(results, key=lambda r: r.seconds)
    worst_memory = max(results, key=lambda r: r.peak_mb if r.peak_mb == r.peak_mb else 1e9)
    misses = [r for r in results if not r.ok]
    refused = sum(1 for r in results if r.code not in (0, 1))
    print(f"\n{len(results)} cases: {len(results) - len(misses)} handled, {len(misses)} missed; "
          f"{refused} refused with a message, {len(results) - refused} with a verdict")
    print(f"worst time   {worst_time.seconds:.1f} s ({printable(worst_time.case.name)})")
    print(f"worst memory {worst_memory.peak_mb:.0f} MB ({printable(worst_memory.case.name)})")
    for miss in misses:
        print(f"MISS {printable(miss.case.name)}: {miss.problem}")


if __name__ == "__main__":
    sys.exit(main())

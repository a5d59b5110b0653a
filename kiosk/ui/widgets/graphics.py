"""Terminal graphics: which protocol this terminal speaks, and pictures encoded for it.

No Textual here: the :class:`~kiosk.ui.widgets.picture.Picture` widget calls these from its
own thread, and the encoding itself runs in a low-priority child process
(:class:`EncoderProcess`, this module run with ``-m``). Three ways to draw a picture:

* ``kitty`` — the kitty graphics protocol (kitty, and terminals that copy it): raw RGB,
  zlib-compressed, base64 in 4096-byte chunks, placed at the cursor and scaled by the terminal
  to a cell rectangle.
* ``sixel`` — DEC Sixel (foot, the appliance's terminal; mlterm, WezTerm, xterm -ti vt340):
  at most 256 colours, drawn at the picture's own pixel size.
* ``halfblock`` — coloured ``▀`` cells, two pixels per cell; works everywhere (and is what
  Textual's test driver shows).

textual-image 0.12 (installed) was read and is not used at run time: its detection queries the
terminal when the module is *imported* (before Textual owns stdin, and never again), its kitty
path relies on Unicode placeholders that kitty only learnt in 0.28 (Debian 12 ships 0.26) and
PNG-encodes every frame, its widgets encode on the UI thread inside ``render_lines``, and its
Sixel encoder is about 3x slower than the numpy one below (see :func:`encode_sixel`). Its
trick of riding the image on the widget's last line is kept (:mod:`kiosk.ui.widgets.picture`).
"""

from __future__ import annotations

import base64
import json
import os
import re
import select
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image as PILImage

Protocol = Literal["kitty", "sixel", "halfblock"]
#: What the ``display.graphics`` setting accepts: a protocol, or ``auto`` to detect one.
GraphicsSetting = Literal["auto", "kitty", "sixel", "halfblock"]

#: A cell's pixel size when the terminal does not say (a VT340's, as textual-image assumes).
DEFAULT_CELL = (10, 20)
#: Base64 bytes per kitty graphics escape (the protocol's limit).
KITTY_CHUNK = 4096
#: Sixel colour registers used; foot 1.13 and xterm offer 256.
SIXEL_COLOURS = 256

KITTY_START = "\x1b_G"
ST = "\x1b\\"
#: Primary device attributes request; a terminal with Sixel lists ``4`` in its answer.
DA1_QUERY = "\x1b[c"
#: A kitty graphics query (``a=q``): only terminals with the protocol answer it, before DA1.
KITTY_QUERY = f"{KITTY_START}i=31,s=1,v=1,a=q,t=d,f=24;AAAA{ST}"

_SIXEL_TERMS = ("foot", "mlterm", "contour", "yaft")
_SIXEL_PROGRAMS = ("WezTerm", "mintty")
_DA1 = re.compile(r"\x1b\[\?([0-9;]*)c")
_KITTY_REPLY = re.compile(r"\x1b_Gi=31(?:,[^;]*)?;([^\x1b]*)\x1b\\")


@dataclass(frozen=True)
class TerminalAnswers:
    """What the terminal said to :data:`KITTY_QUERY` followed by :data:`DA1_QUERY`."""

    raw: str = ""

    @property
    def kitty(self) -> bool:
        """The terminal answered the kitty graphics query with ``OK``."""
        match = _KITTY_REPLY.search(self.raw)
        return match is not None and match.group(1) == "OK"

    @property
    def sixel(self) -> bool:
        """The device attributes list feature 4 (Sixel graphics)."""
        match = _DA1.search(self.raw)
        return match is not None and "4" in match.group(1).split(";")


def detect(env: Mapping[str, str], answers: TerminalAnswers | None = None) -> Protocol:
    """The best protocol for the terminal described by ``env`` (and its query answers, if any).

    Multiplexers (tmux, screen) swallow graphics unless wrapped, so they get half blocks.
    """
    term = env.get("TERM", "")
    if env.get("TMUX") or term.startswith(("screen", "tmux")):
        return "halfblock"
    if term == "xterm-kitty" or env.get("KITTY_WINDOW_ID"):
        return "kitty"
    if answers is not None and answers.kitty:
        return "kitty"
    if term.startswith(_SIXEL_TERMS) or env.get("TERM_PROGRAM", "") in _SIXEL_PROGRAMS:
        return "sixel"
    if answers is not None and answers.sixel:
        return "sixel"
    return "halfblock"


def choose(setting: GraphicsSetting, env: Mapping[str, str], *, headless: bool,
           answers: TerminalAnswers | None = None) -> Protocol:
    """The protocol to draw with: the configured one, else detected (half blocks when headless).

    Textual's test driver draws nothing, so ``auto`` there is the half-block fallback.
    """
    if setting != "auto":
        return setting
    return "halfblock" if headless else detect(env, answers)


def probe_terminal(fd_in: int | None = None, fd_out: int | None = None,
                   timeout: float = 0.2) -> TerminalAnswers | None:
    """Ask the terminal about graphics; None when it is not a terminal (or says nothing).

    ``fd_in``/``fd_out`` default to stdin/stdout. Call it *before* Textual starts: once the app
    runs, Textual's input thread reads the answers.
    """
    import termios
    import tty

    if fd_in is None or fd_out is None:
        if sys.__stdin__ is None or sys.__stdout__ is None:
            return None
        fd_in, fd_out = sys.__stdin__.fileno(), sys.__stdout__.fileno()
    if not (os.isatty(fd_in) and os.isatty(fd_out)):
        return None
    saved = termios.tcgetattr(fd_in)
    raw = b""
    try:
        tty.setcbreak(fd_in, termios.TCSANOW)
        os.write(fd_out, (KITTY_QUERY + DA1_QUERY).encode("ascii"))
        # Every terminal answers DA1; the kitty answer, if any, comes first.
        while not _DA1.search(raw.decode("latin-1")):
            ready, _, _ = select.select([fd_in], [], [], timeout)
            if not ready:
                break
            raw += os.read(fd_in, 256)
    finally:
        termios.tcsetattr(fd_in, termios.TCSANOW, saved)
    return TerminalAnswers(raw.decode("latin-1")) if raw else None


_probed: list[TerminalAnswers | None] = []


def probe_once(timeout: float = 0.2) -> TerminalAnswers | None:
    """:func:`probe_terminal` the first time; the same answers afterwards.

    For the program that starts the UI, before ``App.run()``: with it, ``auto`` also finds
    Sixel or kitty graphics in terminals the environment does not name (xterm -ti vt340,
    konsole...). Without it, :func:`detected` goes by the environment alone.
    """
    if not _probed:
        _probed.append(probe_terminal(timeout=timeout))
    return _probed[0]


def detected() -> TerminalAnswers | None:
    """The answers :func:`probe_once` got, or None when nobody probed."""
    return _probed[0] if _probed else None


def cell_pixels() -> tuple[int, int]:
    """A terminal cell's ``(width, height)`` in pixels from ``TIOCGWINSZ`` (foot, kitty fill it)."""
    import fcntl
    import struct
    import termios

    stdout = sys.__stdout__
    try:
        if stdout is not None and stdout.isatty():
            packed = fcntl.ioctl(stdout.fileno(), termios.TIOCGWINSZ, b"\0" * 8)
            rows, cols, width, height = struct.unpack("HHHH", packed)
            if rows and cols and width and height:
                return width // cols, height // rows
    except OSError:
        pass
    return DEFAULT_CELL


def fit(source: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """The largest ``(width, height)`` with the aspect of ``source`` inside ``box`` (>= 1x1)."""
    sw, sh = source
    bw, bh = max(1, box[0]), max(1, box[1])
    if bw * sh <= bh * sw:  # the width is the limit (integer maths: no rounding surprises)
        return bw, max(1, bw * sh // sw)
    return max(1, bh * sw // sh), bh


def _digit_table() -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    digits = np.zeros((10000, 4), np.uint8)
    lengths = np.zeros(10000, np.int64)
    for number in range(10000):
        text = str(number).encode("ascii")
        digits[number, :len(text)] = np.frombuffer(text, np.uint8)
        lengths[number] = len(text)
    return digits, lengths


#: ASCII digits of 0..9999 (zero-padded on the right) and how many there are.
_DIGITS, _NDIGITS = _digit_table()


class _Records:
    """One fixed-width byte record per run, filled field by field for all runs at once.

    Sixel text is ASCII, so the unused (zero) bytes are dropped at the end: the records'
    non-zero bytes in row order are the encoded string.
    """

    def __init__(self, count: int, width: int) -> None:
        self.bytes = np.zeros((count, width), np.uint8)
        self.cursor = np.zeros(count, np.int64)
        self.rows = np.arange(count)

    def put(self, where: NDArray[np.bool_], value: int | NDArray[np.uint8]) -> None:
        """Append one byte (the same, or each run's own) to the runs ``where`` holds."""
        rows = self.rows[where]
        self.bytes[rows, self.cursor[rows]] = value if isinstance(value, int) else value[where]
        self.cursor[rows] += 1

    def number(self, where: NDArray[np.bool_], values: NDArray[np.int64]) -> None:
        """Append each run's decimal number (0..9999)."""
        rows, chosen = self.rows[where], values[where]
        lengths = _NDIGITS[chosen]
        for k in range(4):
            has = lengths > k
            self.bytes[rows[has], self.cursor[rows[has]] + k] = _DIGITS[chosen[has], k]
        self.cursor[rows] += lengths

    def text(self) -> str:
        data: bytes = self.bytes[self.bytes != 0].tobytes()
        return data.decode("ascii")


def encode_sixel(rgb: NDArray[np.uint8]) -> str:
    """A DCS Sixel string for an RGB ``uint8`` image (an adaptive 256-colour palette per frame).

    Written here because textual-image's band encoder (a Python loop per band and colour) takes
    about 24 ms of CPU per 320x240 frame and 75 ms per 640x480 on the kiosk's class of machine;
    this one is numpy throughout (about 7 and 35 ms; ``evaluation/preview_bench.py``).

    Fast-octree quantisation without dithering (dither breaks the run-length coding); then every
    (band, colour, column) with pixels becomes one sixel byte, found with one stable radix sort,
    and runs of equal bytes and empty gaps are length-coded (``!n``).
    """
    height, width = rgb.shape[:2]
    if width > 9999:
        raise ValueError("sixel images are at most 9999 pixels wide here")
    image = PILImage.fromarray(np.ascontiguousarray(rgb), "RGB")
    paletted = image.quantize(SIXEL_COLOURS, method=PILImage.Quantize.FASTOCTREE,
                              dither=PILImage.Dither.NONE)
    index = np.asarray(paletted, dtype=np.int16)
    palette = np.array((paletted.getpalette() or [])[:3 * SIXEL_COLOURS], np.int64).reshape(-1, 3)
    bands = -(-height // 6)
    padded = np.full((bands * 6, width), -1, np.int16)  # -1: below the picture, not painted
    padded[:height] = index
    # (band, column, row) order, so a stable sort by (band, colour) leaves columns ascending
    # and the up to six rows of one (band, colour, column) next to each other.
    cells = padded.reshape(bands, 6, width).transpose(0, 2, 1)
    group = (np.arange(bands, dtype=np.uint16)[:, None, None] * 256
             + cells.astype(np.uint16)).ravel()
    painted = (cells >= 0).ravel()
    position = np.flatnonzero(painted)
    order = np.argsort(group[position], kind="stable")  # radix sort: uint16 keys
    position = position[order]
    groups = group[position].astype(np.int64)
    columns = (position // 6) % width
    bits = np.left_shift(1, position % 6).astype(np.uint8)
    key = groups * width + columns
    first = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    sixels = np.bitwise_or.reduceat(bits, first)
    groups, columns = groups[first], columns[first]
    # Runs: the same byte in consecutive columns of one (band, colour).
    same = np.concatenate(([False], (groups[1:] == groups[:-1])
                           & (columns[1:] == columns[:-1] + 1) & (sixels[1:] == sixels[:-1])))
    starts = np.flatnonzero(~same)
    lengths = np.diff(np.append(starts, len(groups)))
    groups, columns = groups[starts], columns[starts]
    chars = (sixels[starts] + 63).astype(np.uint8)
    new_group = np.concatenate(([True], groups[1:] != groups[:-1]))
    new_band = np.concatenate(([False], (groups[1:] >> 8) != (groups[:-1] >> 8)))
    ends = columns + lengths
    gaps = np.where(new_group, columns, columns - np.concatenate(([0], ends[:-1])))
    records = _Records(len(starts), 18)
    records.put(new_band, ord("-"))  # next band (every band has pixels: never two at once)
    carriage = new_group & ~new_band
    carriage[0] = False
    records.put(carriage, ord("$"))  # back to column 0 for the band's next colour
    records.put(new_group, ord("#"))
    records.number(new_group, groups & 255)
    long_gap = gaps >= 4
    records.put(long_gap, ord("!"))
    records.number(long_gap, gaps)
    records.put(long_gap, 63)
    for k in range(3):
        records.put(~long_gap & (gaps > k), 63)
    long_run = lengths >= 4
    records.put(long_run, ord("!"))
    records.number(long_run, lengths)
    records.put(long_run, chars)
    for k in range(3):
        records.put(~long_run & (lengths > k), chars)
    used = np.flatnonzero(np.bincount(index.ravel(), minlength=SIXEL_COLOURS))
    percent = (palette * 100 + 127) // 255
    registers = "".join(f"#{c};2;{percent[c, 0]};{percent[c, 1]};{percent[c, 2]}"
                        for c in used.tolist())
    return f'\x1bP0;1;0q"1;1;{width};{height}{registers}{records.text()}{ST}'


def encode_kitty(rgb: NDArray[np.uint8], image_id: int, cells: tuple[int, int],
                 *, compress: bool = True) -> str:
    """Kitty graphics escapes that show ``rgb`` at the cursor, scaled to ``cells`` (cols, rows).

    Re-sending the same ``image_id`` replaces the picture in place (video). ``q=2`` keeps the
    terminal quiet (Textual reads stdin), ``C=1`` leaves the cursor where it was.
    """
    height, width = rgb.shape[:2]
    data = np.ascontiguousarray(rgb).tobytes()
    if compress:
        data = zlib.compress(data, 1)
    payload = base64.standard_b64encode(data)
    cols, rows = cells
    first = (f"a=T,f=24,s={width},v={height},i={image_id},p=1,c={cols},r={rows},C=1,q=2"
             + (",o=z" if compress else ""))
    parts: list[str] = []
    for start in range(0, max(1, len(payload)), KITTY_CHUNK):
        chunk = payload[start:start + KITTY_CHUNK].decode("ascii")
        more = 1 if start + KITTY_CHUNK < len(payload) else 0
        keys = f"{first},m={more}" if start == 0 else f"m={more}"
        parts.append(f"{KITTY_START}{keys};{chunk}{ST}")
    return "".join(parts)


def encode(rgb: NDArray[np.uint8], protocol: Protocol, image_id: int,
           cells: tuple[int, int]) -> str:
    """``rgb`` as ``protocol``'s escapes (``image_id`` and ``cells`` are kitty's)."""
    if protocol == "kitty":
        return encode_kitty(rgb, image_id, cells)
    if protocol == "sixel":
        return encode_sixel(rgb)
    raise ValueError(f"no escape encoding for {protocol!r}")


#: Niceness of the encoder process: when the CPU is short, the photo analysis goes first.
ENCODER_NICE = 10
_HEADER = struct.Struct("!I")
_REPLY = struct.Struct("!Q")


class EncoderProcess:
    """A child Python (``python -m kiosk.ui.widgets.graphics``) that encodes frames for us.

    A process and not just a thread: the encoder's Python and numpy glue would otherwise
    contend for the GIL with the photo analysis and the UI, and at a lower priority the
    analysis goes first when the CPU is short. Frames go through its stdin and the escapes
    come back on its stdout: pipes in memory, never a file. One request at a time.
    """

    def __init__(self) -> None:
        import kiosk

        root = str(Path(kiosk.__file__).resolve().parents[1])
        path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk.ui.widgets.graphics"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path}, close_fds=True)
        self.lock = threading.Lock()

    def encode(self, rgb: NDArray[np.uint8], protocol: Protocol, image_id: int,
               cells: tuple[int, int]) -> str:
        """Send one frame, wait for its escapes (OSError or EOFError when the child died)."""
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        height, width = rgb.shape[:2]
        header = json.dumps({"protocol": protocol, "image_id": image_id, "cells": cells,
                             "width": width, "height": height}).encode()
        with self.lock:
            stdin.write(_HEADER.pack(len(header)) + header)
            stdin.write(np.ascontiguousarray(rgb).tobytes())
            stdin.flush()
            (size,) = _REPLY.unpack(_read_exactly(stdout, _REPLY.size))
            return _read_exactly(stdout, size).decode("ascii")

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:
                pass  # unflushed bytes to a dead child


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError("the encoder process has gone")
    return data


def serve(stdin: IO[bytes], stdout: IO[bytes]) -> None:
    """The encoder process's loop: header and pixels in, escapes out, until stdin closes."""
    while True:
        head = stdin.read(_HEADER.size)
        if len(head) < _HEADER.size:
            return
        (size,) = _HEADER.unpack(head)
        job = json.loads(_read_exactly(stdin, size))
        shape = (int(job["height"]), int(job["width"]), 3)
        pixels = np.frombuffer(_read_exactly(stdin, shape[0] * shape[1] * 3), np.uint8)
        payload = encode(pixels.reshape(shape), job["protocol"], int(job["image_id"]),
                         (int(job["cells"][0]), int(job["cells"][1]))).encode("ascii")
        stdout.write(_REPLY.pack(len(payload)) + payload)
        stdout.flush()


_encoders: list[EncoderProcess] = []
_encoders_lock = threading.Lock()


def encoder_pid() -> int:
    """The encoder process's pid (it is started if it is not running)."""
    with _encoders_lock:
        if not _encoders:
            _encoders.append(EncoderProcess())
        return _encoders[0].process.pid


def encode_elsewhere(rgb: NDArray[np.uint8], protocol: Protocol, image_id: int,
                     cells: tuple[int, int]) -> str:
    """:func:`encode` in the shared encoder process (started on first use), at low priority.

    Blocks the calling thread (a picture's own thread) only. Should the process fail, it is
    dropped (the next call starts another) and this frame is encoded here.
    """
    with _encoders_lock:
        if not _encoders:
            _encoders.append(EncoderProcess())
        encoder = _encoders[0]
    try:
        return encoder.encode(rgb, protocol, image_id, cells)
    except (OSError, EOFError, ValueError):
        with _encoders_lock:
            if _encoders and _encoders[0] is encoder:
                _encoders.clear()
        encoder.close()
        return encode(rgb, protocol, image_id, cells)


def kitty_delete(image_id: int) -> str:
    """The escape that removes kitty image ``image_id`` and its placements."""
    return f"{KITTY_START}a=d,d=I,i={image_id},q=2{ST}"


if __name__ == "__main__":
    os.nice(ENCODER_NICE)
    serve(sys.stdin.buffer, sys.stdout.buffer)

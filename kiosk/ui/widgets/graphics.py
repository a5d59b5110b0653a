"""Terminal graphics: which protocol this terminal speaks, and pictures encoded for it.

Pure functions, no Textual: the :class:`~kiosk.ui.widgets.picture.Picture` widget calls them
from its encoder thread. Three ways to draw a picture:

* ``kitty`` — the kitty graphics protocol (kitty, and terminals that copy it): raw RGB,
  zlib-compressed, base64 in 4096-byte chunks, placed at the cursor and scaled by the terminal
  to a cell rectangle.
* ``sixel`` — DEC Sixel (foot, the appliance's terminal; mlterm, WezTerm, xterm -ti vt340):
  at most 256 colours, drawn at the picture's own pixel size.
* ``halfblock`` — coloured ``▀`` cells, two pixels per cell; works everywhere (and is what
  Textual's test driver shows).

textual-image 0.12 (installed) was read and only its Sixel band encoder is used here: its
detection queries the terminal when the module is *imported* (before Textual owns stdin, and
never again), its kitty path relies on Unicode placeholders that kitty only learnt in 0.28
(Debian 12 ships 0.26) and PNG-encodes every frame, and its widgets encode on the UI thread
inside ``render_lines``. So detection, sizing and the kitty encoder are ours, and encoding runs
on the widget's own thread.
"""

from __future__ import annotations

import base64
import os
import re
import select
import sys
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image as PILImage

# The encoder only: importing ``textual_image.renderable`` or ``.widget`` probes the terminal.
from textual_image._sixel import SixelOptions, image_to_sixels

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


def encode_sixel(rgb: NDArray[np.uint8]) -> str:
    """A DCS Sixel string for an RGB ``uint8`` image (an adaptive 256-colour palette per frame).

    Fast octree quantisation without dithering (dither breaks the run-length coding), then
    textual-image's numpy band encoder.
    """
    image = PILImage.fromarray(np.ascontiguousarray(rgb), "RGB")
    paletted = image.quantize(SIXEL_COLOURS, method=PILImage.Quantize.FASTOCTREE,
                              dither=PILImage.Dither.NONE)
    return image_to_sixels(paletted, SixelOptions(colors=SIXEL_COLOURS))


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


def kitty_delete(image_id: int) -> str:
    """The escape that removes kitty image ``image_id`` and its placements."""
    return f"{KITTY_START}a=d,d=I,i={image_id},q=2{ST}"

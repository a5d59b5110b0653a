"""Simulated ESC/POS receipt printer on a pty: reads what the kiosk prints, answers its status.

The kiosk's real driver opens the pty as it opens a thermal printer's serial port. Every byte it
sends goes through :class:`EscPosParser`, which keeps the receipt a person would hold: the text
lines (decoded from the code page ``ESC t`` selected, with the print mode each line ended in:
alignment, bold, character size) and the QR codes, decoded from the printer's own QR symbol
(``GS ( k``, the data stored with function 80) or from a raster image (``GS v 0``) read with
OpenCV. Any other raster image (the lines the kiosk draws because no code page has their
letters: Arabic, Ukrainian) is kept in its place among the lines as a :class:`PrintedImage`,
its size and dots, for tests to measure and look at. A cut (``GS V``) ends a receipt;
:attr:`SimulatedPrinter.last_receipt` is what tests read. Real-time status queries
(``DLE EOT 1..4``) are answered from the printer's state, so ``paper_out`` and ``cover_open``
faults are what the driver sees, as on hardware; a receipt sent while the printer cannot print
is lost (recorded as a fault met).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from simulator.faults import FaultSpec, ScriptStep
from simulator.serial_device import COMMON_FAULTS, SimulatedSerialDevice

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C

#: ESC/POS code page numbers (``ESC t n``, Epson's table) and the Python codec of each.
CODE_PAGES = {
    0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 13: "cp857", 14: "cp737",
    15: "iso8859_7", 16: "cp1252", 17: "cp866", 18: "cp852", 19: "cp858", 32: "cp720",
    33: "cp775", 34: "cp855", 35: "cp861", 36: "cp862", 37: "cp864", 38: "cp869",
    39: "iso8859_2", 40: "iso8859_15", 45: "cp1250", 46: "cp1251", 47: "cp1253",
    48: "cp1254", 49: "cp1255", 50: "cp1256", 51: "cp1257", 52: "cp1258",
}
#: ``ESC`` commands by their second byte: how many parameter bytes follow.
ESC_ARGS = {
    ord("!"): 1, ord("E"): 1, ord("-"): 1, ord("a"): 1, ord("t"): 1, ord("M"): 1,
    ord("d"): 1, ord("J"): 1, ord("3"): 1, ord("+"): 1, ord("A"): 1, ord("{"): 1,
    ord("V"): 1, ord("G"): 1, ord("r"): 1, ord("R"): 1, ord(" "): 1, ord("e"): 1,
    ord("U"): 1, ord("c"): 2, ord("p"): 3, ord("$"): 2, ord("\\"): 2, ord("B"): 2,
    ord("@"): 0, ord("2"): 0, ord("i"): 0, ord("m"): 0, ord("<"): 0,
}
#: ``GS`` commands with two parameter bytes (most take one).
GS_TWO_ARGS = {ord("L"), ord("W"), ord("P")}


@dataclass(frozen=True)
class PrintedImage:
    """A raster image as printed: ``width`` x ``height`` dots, 1 bit a dot, 1 = black."""

    width: int
    height: int
    #: The ``GS v 0`` data: rows of ``width / 8`` bytes, most significant bit leftmost.
    data: bytes

    def pixels(self) -> NDArray[np.bool_]:
        """The dots as a boolean array (rows x columns), True = black."""
        bits = np.unpackbits(np.frombuffer(self.data, np.uint8))
        return bits.reshape(self.height, self.width).astype(bool)

    @property
    def ink(self) -> float:
        """The share of black dots (0: a blank image)."""
        if not self.data:
            return 0.0
        return float(np.unpackbits(np.frombuffer(self.data, np.uint8)).mean())

    @property
    def blank(self) -> bool:
        """Nothing is printed in it."""
        return not any(self.data)


@dataclass(frozen=True)
class PrintedLine:
    """One printed line and the print mode it was printed in (or a raster image)."""

    text: str
    align: str = "left"
    bold: bool = False
    #: Character width and height multipliers (1..8).
    width: int = 1
    height: int = 1
    #: A raster image printed here instead of text (``text`` is then empty).
    image: PrintedImage | None = None

    @property
    def large(self) -> bool:
        """Printed at double height or taller."""
        return self.height >= 2


@dataclass(frozen=True)
class PrintedReceipt:
    """A receipt as it came out of the printer (ended by a cut)."""

    lines: tuple[PrintedLine, ...]
    #: The QR codes on it, decoded, in order.
    qr_codes: tuple[str, ...] = ()
    #: Raster images that held no readable QR code.
    images: int = 0

    @property
    def text(self) -> tuple[str, ...]:
        """The non-empty text lines."""
        return tuple(line.text for line in self.lines if line.text.strip())

    @property
    def rasters(self) -> tuple[PrintedImage, ...]:
        """The raster images printed among the lines (not the QR codes), in order."""
        return tuple(line.image for line in self.lines if line.image is not None)

    def readable(self) -> str:
        """The receipt as a person reads it, for logs and the developer panel."""
        out = [f"[image {line.image.width}x{line.image.height} dots]" if line.image else
               line.text.center(42) if line.align == "center" else line.text
               for line in self.lines]
        out += [f"[QR: {payload}]" for payload in self.qr_codes]
        return "\n".join(out)


@dataclass
class _Mode:
    align: str = "left"
    bold: bool = False
    width: int = 1
    height: int = 1
    code_page: int = 0


@dataclass
class _Page:
    lines: list[PrintedLine] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)
    images: int = 0


class EscPosParser:
    """An ESC/POS byte stream, fed in any chunks, into receipts and status queries.

    Incomplete commands wait for their remaining bytes (as a printer does); nothing raises.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._mode = _Mode()
        self._line = ""
        self._line_mode = _Mode()
        self._page = _Page()
        self._qr_data = ""
        #: Receipts finished by a cut, oldest first (the caller takes them).
        self.receipts: list[PrintedReceipt] = []
        #: ``DLE EOT n`` queries seen and not answered yet (the caller answers them).
        self.status_queries: list[int] = []

    @property
    def pending(self) -> PrintedReceipt:
        """What is printed since the last cut (the last line only once it is ended)."""
        return PrintedReceipt(tuple(self._page.lines), tuple(self._page.qr_codes),
                              self._page.images)

    def feed(self, data: bytes) -> None:
        """Take more bytes from the host."""
        self._buffer += data
        position = 0
        while position < len(self._buffer):
            used = self._command(position)
            if used == 0:
                break  # an incomplete command: wait for more
            position += used
        del self._buffer[:position]

    # -- one command ------------------------------------------------------------------------

    def _command(self, at: int) -> int:
        """Handle the command at ``at``; the bytes it took (0: not complete yet)."""
        buf = self._buffer
        byte = buf[at]
        if byte == ESC:
            return self._esc(at)
        if byte == GS:
            return self._gs(at)
        if byte == DLE:
            return self._dle(at)
        if byte == FS:
            if at + 1 >= len(buf):
                return 0
            return self._need(at, 4 if buf[at + 1] == ord("p") else 2)  # FS p n m: NV image
        if byte == 0x0A:
            self._end_line()
        elif byte == 0x09:
            self._text(" ")
        elif byte >= 0x20:
            self._text(self._decode(byte))
        return 1

    def _need(self, at: int, length: int) -> int:
        return length if at + length <= len(self._buffer) else 0

    def _esc(self, at: int) -> int:
        buf = self._buffer
        if at + 1 >= len(buf):
            return 0
        command = buf[at + 1]
        if command == ord("*"):  # bit image: m nL nH, then nL+nH*256 columns of 1 or 3 bytes
            if at + 5 > len(buf):
                return 0
            columns = buf[at + 3] + 256 * buf[at + 4]
            return self._need(at, 5 + columns * (1 if buf[at + 2] in (0, 1) else 3))
        length = 2 + ESC_ARGS.get(command, 0)
        if at + length > len(buf):
            return 0
        arg = buf[at + 2] if length > 2 else 0
        mode = self._mode
        if command == ord("@"):
            self._mode = _Mode()
        elif command == ord("!"):
            mode.bold = bool(arg & 0x08)
            mode.height = 2 if arg & 0x10 else 1
            mode.width = 2 if arg & 0x20 else 1
        elif command == ord("E"):
            mode.bold = bool(arg & 1)
        elif command == ord("a"):
            mode.align = {0: "left", 1: "center", 2: "right"}.get(arg % 48, mode.align)
        elif command == ord("t"):
            mode.code_page = arg
        elif command == ord("d"):
            if self._line:
                self._end_line()
            for _ in range(max(0, arg - 1)):
                self._end_line()
        return length

    def _gs(self, at: int) -> int:
        buf = self._buffer
        if at + 1 >= len(buf):
            return 0
        command = buf[at + 1]
        if command == ord("("):  # GS ( x pL pH ...: 5 + pL + pH*256 bytes
            if at + 5 > len(buf):
                return 0
            size = buf[at + 3] + 256 * buf[at + 4]
            length = 5 + size
            if at + length > len(buf):
                return 0
            if buf[at + 2] == ord("k"):
                self._symbol(bytes(buf[at + 5 : at + length]))
            return length
        if command == ord("v"):  # GS v 0 m xL xH yL yH data
            if at + 8 > len(buf):
                return 0
            width = buf[at + 4] + 256 * buf[at + 5]
            height = buf[at + 6] + 256 * buf[at + 7]
            length = 8 + width * height
            if at + length > len(buf):
                return 0
            self._raster(bytes(buf[at + 8 : at + length]), width, height)
            return length
        if command == ord("V"):  # cut: m, or m n for the feed-and-cut forms
            if at + 3 > len(buf):
                return 0
            length = 4 if buf[at + 2] >= 65 else 3
            if at + length > len(buf):
                return 0
            self._cut()
            return length
        if command == ord("k"):  # barcode: m < 7 ends with NUL, else GS k m n data
            if at + 3 > len(buf):
                return 0
            if buf[at + 2] < 7:
                end = buf.find(b"\x00", at + 3)
                return 0 if end < 0 else end + 1 - at
            return 0 if at + 4 > len(buf) else self._need(at, 4 + buf[at + 3])
        length = 4 if command in GS_TWO_ARGS else 3
        if at + length > len(buf):
            return 0
        if command == ord("!"):
            arg = buf[at + 2]
            self._mode.width = (arg >> 4 & 7) + 1
            self._mode.height = (arg & 7) + 1
        return length

    def _dle(self, at: int) -> int:
        buf = self._buffer
        if at + 1 >= len(buf):
            return 0
        command = buf[at + 1]
        if command == 0x04:  # EOT n: real-time status
            if at + 3 > len(buf):
                return 0
            self.status_queries.append(buf[at + 2])
            return 3
        if command == 0x05:  # ENQ n
            return self._need(at, 3)
        if command == 0x14:  # DC4 fn m t
            return self._need(at, 5)
        return 1

    # -- what it prints ----------------------------------------------------------------------

    def _decode(self, byte: int) -> str:
        if byte < 0x80:
            return chr(byte)
        codec = CODE_PAGES.get(self._mode.code_page)
        if codec is None:
            return "?"
        try:
            return bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            return "?"

    def _text(self, text: str) -> None:
        if not self._line:
            # A line's mode is the one its first character was printed in.
            self._line_mode = replace(self._mode)
        self._line += text

    def _end_line(self) -> None:
        mode = self._line_mode if self._line else self._mode
        self._page.lines.append(PrintedLine(self._line.rstrip(), mode.align, mode.bold,
                                            mode.width, mode.height))
        self._line = ""

    def _symbol(self, body: bytes) -> None:
        """``GS ( k`` body: cn fn [m] data. Function 80 stores QR data, 81 prints it."""
        if len(body) < 2 or body[0] != ord("1"):
            return
        function = body[1]
        if function == 80 and len(body) >= 3:
            self._qr_data = body[3:].decode("utf-8", "replace")
        elif function == 81:
            if self._line:
                self._end_line()
            self._page.qr_codes.append(self._qr_data)

    def _raster(self, data: bytes, width_bytes: int, height: int) -> None:
        if self._line:
            self._end_line()
        payload = decode_qr_raster(data, width_bytes, height)
        if payload is None:
            self._page.images += 1
            self._page.lines.append(PrintedLine(
                "", self._mode.align, image=PrintedImage(8 * width_bytes, height, data)))
        else:
            self._page.qr_codes.append(payload)

    def _cut(self) -> None:
        if self._line:
            self._end_line()
        lines = self._page.lines
        while lines and not lines[-1].text and lines[-1].image is None:
            lines.pop()  # the feed before the cut
        self.receipts.append(PrintedReceipt(tuple(lines), tuple(self._page.qr_codes),
                                            self._page.images))
        self._page = _Page()


def decode_qr_raster(data: bytes, width_bytes: int, height: int) -> str | None:
    """The QR code in a ``GS v 0`` raster image (1 bit a dot, most significant first,
    1 = black), read with OpenCV; None when there is none (or the image is empty)."""
    if width_bytes == 0 or height == 0 or len(data) < width_bytes * height:
        return None
    import cv2

    bits = np.unpackbits(np.frombuffer(data[: width_bytes * height], np.uint8))
    black = bits.reshape(height, width_bytes * 8) == 1
    if not _square_ink(black):
        return None  # a drawn line of text: no QR code, and no second of OpenCV spent on it
    dots = np.where(black, 0, 255).astype(np.uint8)
    # A wide quiet zone; OpenCV's detectors miss the odd perfectly sharp code at one scale
    # and not at another, so a few scales and both detectors are tried.
    framed = cv2.copyMakeBorder(dots, 32, 32, 32, 32, cv2.BORDER_CONSTANT, value=(255,))
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        for scale in (1, 2, 3):
            image = framed if scale == 1 else cv2.resize(
                framed, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
            text, _points, _straight = detector.detectAndDecode(image)
            if text:
                return str(text)
    return None


def _square_ink(black: NDArray[np.bool_]) -> bool:
    """Whether the black dots fill a roughly square box of at least 21 x 21 dots (the
    smallest QR code), as a QR code's do; lines of text are wide and low."""
    rows, columns = np.flatnonzero(black.any(axis=1)), np.flatnonzero(black.any(axis=0))
    if rows.size == 0:
        return False
    height, width = rows[-1] - rows[0] + 1, columns[-1] - columns[0] + 1
    return bool(min(height, width) >= 21 and 0.75 <= width / height <= 1.33)


#: Faults of the simulated printer: the serial ones plus the printer's own states.
PRINTER_FAULTS = {
    **COMMON_FAULTS,
    "paper_out": FaultSpec("the roll is empty: status says so and receipts are lost",
                           times=None),
    "cover_open": FaultSpec("the paper cover is open: status says so, nothing prints",
                            times=None),
    "paper_near_end": FaultSpec("the near-end sensor trips (still prints)", times=None),
    "cutter_error": FaultSpec("the auto-cutter jams: status reports an error, nothing prints",
                              times=None),
}
#: What stops printing.
STOPPING = ("paper_out", "cover_open", "cutter_error")


class SimulatedPrinter(SimulatedSerialDevice):
    """An ESC/POS thermal printer on a pty.

    Args:
        name: Name of the stable symlink (``printer``).
        baud: The line's baud rate.
        pacing: Pace the answers to the baud rate (off for fast tests).
        script: Scripted faults (events: ``receipt``, when a cut ends one).
        seed: Seed of the fault randomness (garbage).
    """

    def __init__(self, name: str = "printer", *, baud: int = 38400, pacing: bool = True,
                 script: Iterable[ScriptStep | Mapping[str, object]] = (),
                 seed: int = 0) -> None:
        super().__init__(name, PRINTER_FAULTS, baud=baud, pacing=pacing, script=script,
                         seed=seed)
        self._parser = EscPosParser()
        self._printed: list[PrintedReceipt] = []
        self._receipt_lock = threading.Lock()
        self._printed_event = threading.Condition(self._receipt_lock)

    # -- what tests read ---------------------------------------------------------------------

    @property
    def receipts(self) -> list[PrintedReceipt]:
        """Receipts that came out, oldest first."""
        with self._receipt_lock:
            return list(self._printed)

    @property
    def last_receipt(self) -> PrintedReceipt | None:
        """The newest receipt that came out, or None."""
        with self._receipt_lock:
            return self._printed[-1] if self._printed else None

    def wait_receipt(self, count: int = 1, timeout: float = 10.0) -> PrintedReceipt | None:
        """Wait until ``count`` receipts came out in all; the newest (None on timeout)."""
        with self._printed_event:
            self._printed_event.wait_for(lambda: len(self._printed) >= count, timeout)
            return self._printed[-1] if len(self._printed) >= count else None

    # -- the host's bytes --------------------------------------------------------------------

    def handle(self, data: bytes) -> None:
        """Parse the host's bytes; answer status queries; keep finished receipts."""
        parser = self._parser
        parser.feed(data)
        queries, parser.status_queries = parser.status_queries, []
        for n in queries:
            self._answer(n)
        finished, parser.receipts = parser.receipts, []
        for receipt in finished:
            self._finished(receipt)

    def _finished(self, receipt: PrintedReceipt) -> None:
        stopped = [name for name in STOPPING if self._faults.is_active(name)]
        if stopped:
            self._faults.met(stopped[0], "a receipt was sent and not printed")
        else:
            with self._printed_event:
                self._printed.append(receipt)
                self._printed_event.notify_all()
        self._event("receipt")

    def status_byte(self, n: int) -> int | None:
        """The answer to ``DLE EOT n`` now (None: the query has no answer)."""
        active = self._faults.is_active
        paper_out, cover, cutter = (active("paper_out"), active("cover_open"),
                                    active("cutter_error"))
        if n == 1:
            return 0x12 | (0x08 if paper_out or cover or cutter else 0)
        if n == 2:
            return 0x12 | (0x04 if cover else 0) | (0x20 if paper_out else 0) | (
                0x40 if cutter else 0)
        if n == 3:
            return 0x12 | (0x08 if cutter else 0)
        if n == 4:
            return 0x12 | (0x60 if paper_out else 0) | (
                0x0C if active("paper_near_end") or paper_out else 0)
        return None

    def _answer(self, n: int) -> None:
        answer = self.status_byte(n)
        if answer is None or self._silent(f"status query {n} not answered"):
            return
        for name in STOPPING:
            if n == 1 and self._faults.is_active(name):  # once per round of queries
                self._faults.met(name, f"status said so ({answer:02x})")
        self._delay(0.0)
        frame = bytes([answer])
        cut = self._truncate(frame)
        self.send(self._garbage() + (frame if cut is None else cut))

    def on_plug(self, plugged: bool) -> None:
        """A replugged printer starts afresh: half-received commands are gone."""
        super().on_plug(plugged)
        self._parser = EscPosParser()

"""ESC/POS thermal receipt printer: python-escpos encodes, a transport carries, DLE EOT checks.

python-escpos (its in-memory ``Dummy`` printer) turns a :class:`kiosk.receipt.Receipt` into
ESC/POS bytes: text in the DOS code pages every printer has (its encoder picks one per
character; paragraphs they cannot hold, Arabic and Ukrainian, are drawn by
:mod:`drivers.receipt_raster` and sent as raster images as wide as the paper), double-size
reference, the QR code as the printer's own ``GS ( k`` symbol (or as a
raster image for printers without one), feed and cut. The bytes go out through a small
transport: a serial line (:class:`~drivers.serial_link.SerialLink`: pyserial, named errors,
reconnect) or USB through python-escpos's ``Usb`` printer (pyusb). Before and after each
receipt the driver asks the printer's real-time status (``DLE EOT 1..4``: online, cover, errors,
paper sensor), so a receipt that cannot come out is a named error for staff
(``printer_paper_out``, ``printer_cover_open``...), never a silent loss.

python-escpos and Pillow are imported only when a receipt is encoded (python-escpos takes most
of a second to load, which the kiosk's first screen must not wait for); the status queries need
nothing of them.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from drivers.errors import (
    DeviceDisconnectedError,
    DeviceError,
    DeviceNotFoundError,
    DeviceProtocolError,
    DeviceRefusedError,
    DeviceTimeoutError,
)
from drivers.interfaces import Health, Receipt
from drivers.serial_link import SerialLink

if TYPE_CHECKING:
    from escpos.magicencode import Encoder
    from escpos.printer import Usb

    from drivers.receipt_raster import Align, LayoutEngine

#: ``DLE EOT n``: transmit real-time status ``n`` (1 printer, 2 offline cause, 3 error cause,
#: 4 roll paper sensor). Printers answer these even while busy printing.
DLE_EOT = b"\x10\x04"
#: Every status byte has bits 1 and 4 set and bits 0 and 7 clear; anything else is noise.
STATUS_MASK, STATUS_FIXED = 0x93, 0x12

QrMode = Literal["native", "image"]


class PrinterPaperOutError(DeviceRefusedError):
    """The roll is empty (paper end sensor)."""

    code = "printer_paper_out"
    title = "Receipt printer out of paper"


class PrinterCoverOpenError(DeviceRefusedError):
    """The paper cover is open."""

    code = "printer_cover_open"
    title = "Receipt printer cover open"


class PrinterFaultError(DeviceRefusedError):
    """The printer reports an error of its own (cutter jam, head too hot, offline)."""

    code = "printer_error"
    title = "Receipt printer error"


class PrinterUnpluggedError(DeviceDisconnectedError):
    """The printer's cable is out (no port, or the port vanished)."""

    code = "printer_unplugged"
    title = "Receipt printer unplugged"


class PrinterTimeoutError(DeviceTimeoutError):
    """The printer did not answer a status query."""

    code = "printer_timeout"
    title = "Receipt printer not answering"


class PrinterGarbageError(DeviceProtocolError):
    """The printer answered with bytes that are not a status (line noise, wrong baud rate)."""

    code = "printer_garbage"
    title = "Receipt printer sends garbage"


@dataclass(frozen=True)
class PrinterStatus:
    """The four real-time status bytes, decoded."""

    #: ``DLE EOT 1``..``4`` as received.
    raw: tuple[int, int, int, int]

    @property
    def offline(self) -> bool:
        """The printer is offline (status 1, bit 3)."""
        return bool(self.raw[0] & 0x08)

    @property
    def cover_open(self) -> bool:
        """The cover is open (status 2, bit 2)."""
        return bool(self.raw[1] & 0x04)

    @property
    def paper_out(self) -> bool:
        """No paper: the end sensor (status 4, bits 5-6) or printing stopped for it (status 2)."""
        return bool(self.raw[3] & 0x60) or bool(self.raw[1] & 0x20)

    @property
    def paper_near_end(self) -> bool:
        """The roll is nearly used up (status 4, bits 2-3): still prints; staff should refill."""
        return bool(self.raw[3] & 0x0C)

    @property
    def error(self) -> bool:
        """An error stops the printer (status 2 bit 6; status 3 bits 3, 5, 6)."""
        return bool(self.raw[1] & 0x40) or bool(self.raw[2] & 0x68)

    def raise_problem(self, device: str) -> None:
        """Raise the named error this status means; nothing when the printer can print."""
        if self.cover_open:
            raise PrinterCoverOpenError(device, "the paper cover is open", "cover_open")
        if self.paper_out:
            raise PrinterPaperOutError(device, "the paper roll is empty", "paper_out")
        if self.error or self.offline:
            raise PrinterFaultError(device, f"the printer reports an error (status "
                                    f"{' '.join(f'{b:02x}' for b in self.raw)})", "error")


class PrinterTransport(Protocol):
    """Where the bytes go: opened, written, read back (status bytes), closed."""

    def open(self) -> None:
        """Connect; raises DeviceError."""

    def close(self) -> None:
        """Disconnect. Never raises."""

    def write(self, data: bytes, deadline: float) -> None:
        """Send all of ``data``; raises DeviceError."""

    def read(self, deadline: float) -> bytes:
        """What the printer sent within one short poll (b"" for nothing); raises DeviceError."""

    def discard_input(self) -> None:
        """Forget bytes received and not read yet."""


class SerialTransport:
    """A printer on a serial line (RS-232, a USB-serial adapter, or the simulator's pty)."""

    def __init__(self, device: str, url: str, *, baudrate: int) -> None:
        self.link = SerialLink(device, url, baudrate=baudrate)

    def open(self) -> None:
        self.link.open()

    def close(self) -> None:
        self.link.close()

    def write(self, data: bytes, deadline: float) -> None:
        # In pieces the line carries well within the link's write timeout: a drawn receipt
        # (Arabic, Ukrainian) is 15-25 kB, five seconds at 38400 baud.
        piece = max(256, self.link.baudrate // 10 // 4)  # a quarter of a second's bytes
        for start in range(0, len(data), piece):
            if time.monotonic() > deadline:
                raise PrinterTimeoutError(self.link.device, f"sending the receipt took too "
                                          f"long ({start} of {len(data)} bytes sent)")
            self.link.ensure_open(deadline)
            self.link.write(data[start : start + piece])

    def read(self, deadline: float) -> bytes:
        self.link.ensure_open(deadline)
        return self.link.read(64)

    def discard_input(self) -> None:
        self.link.discard_input()


class UsbTransport:
    """A printer on USB, through python-escpos's ``Usb`` printer (needs pyusb and access to
    the device node, given by the udev rule)."""

    def __init__(self, device: str, vendor: int, product: int) -> None:
        self.device = device
        self.vendor, self.product = vendor, product
        self._printer: Usb | None = None

    def open(self) -> None:
        from escpos.printer import Usb

        if not Usb.is_usable():
            raise DeviceNotFoundError(self.device, "USB printing needs pyusb, not installed")
        try:
            printer = Usb(self.vendor, self.product)
            printer.open(raise_not_found=True)
        except Exception as exc:  # pyusb and escpos raise several kinds for "not there"
            raise PrinterUnpluggedError(
                self.device, f"no USB printer {self.vendor:04x}:{self.product:04x}: {exc}"
            ) from exc
        self._printer = printer

    def close(self) -> None:
        printer, self._printer = self._printer, None
        if printer is not None:
            with contextlib.suppress(Exception):  # closing a vanished device
                printer.close()

    def _usb(self) -> Usb:
        if self._printer is None:
            self.open()
        return self._printer

    def write(self, data: bytes, deadline: float) -> None:
        printer = self._usb()
        try:
            printer._raw(data)  # noqa: SLF001 - the library's way to send bytes
        except Exception as exc:
            self.close()
            raise PrinterUnpluggedError(self.device, f"USB write failed: {exc}") from exc

    def read(self, deadline: float) -> bytes:
        printer = self._usb()
        try:
            return bytes(printer._read())  # noqa: SLF001 - the library's way to read
        except Exception as exc:  # a timeout with nothing to read is an empty answer
            if "timed out" in str(exc).lower() or "timeout" in type(exc).__name__.lower():
                return b""
            self.close()
            raise PrinterUnpluggedError(self.device, f"USB read failed: {exc}") from exc

    def discard_input(self) -> None:
        """USB status answers come only on request: nothing is waiting."""


#: Characters no printer code page has, and the one printed instead: Romanian's comma-below
#: letters as their cedilla forms (what Romanian used on code pages), the narrow no-break
#: space of Babel's dates as a space (after wrapping, so it still does not break).
SUBSTITUTES = str.maketrans({"ș": "ş", "Ș": "Ş", "ț": "ţ", "Ț": "Ţ", "\u202f": " ",
                             "\u2009": " ", "\u2011": "-"})


def _wrap(text: str, columns: int) -> str:
    # Lines break at spaces only: a code like PB-7K3Q-9XM2-T in a text stays in one piece.
    lines = textwrap.wrap(text, columns, break_on_hyphens=False) or [text]
    return "\n".join(lines).translate(SUBSTITUTES)


#: The code pages the receipt's text is printed in: the DOS pages every ESC/POS printer has
#: (US, Western European with and without the euro sign, Central European, Turkish), which carry
#: the letters of Danish, English, German, Polish, Romanian (with the stand-ins below) and
#: Turkish. Cyrillic (CP866, CP1251) is on some printers and not others, and no code page has
#: Arabic as it must be read (joined, right to left): lines that need either are drawn instead
#: (:mod:`drivers.receipt_raster`).
TEXT_CODE_PAGES = ("CP437", "CP850", "CP852", "CP857", "CP858")


def text_encoder(profile: str | None, code_pages: tuple[str, ...] = TEXT_CODE_PAGES
                 ) -> Encoder:
    """python-escpos's code page chooser, limited to ``code_pages`` the profile numbers."""
    from escpos.capabilities import get_profile
    from escpos.magicencode import Encoder

    available = get_profile(profile).get_code_pages()
    return Encoder({name: available[name] for name in code_pages if name in available})


def printable(text: str, encoder: Encoder) -> bool:
    """Whether every character of ``text`` (after its stand-ins) is in one of the encoder's
    code pages, so the printer's own font can print it."""
    pages = list(encoder.codepages)
    return all(any(encoder.can_encode(page, char) for page in pages)
               for char in set(text.translate(SUBSTITUTES)))


def paper_dots(profile: str | None, columns: int) -> int:
    """The printable width in dots: the profile's, else 12-dot characters times ``columns``."""
    from escpos.capabilities import get_profile

    pixels = get_profile(profile).profile_data.get("media", {}).get("width", {}).get("pixels")
    return int(pixels) if isinstance(pixels, int) or str(pixels).isdigit() else 12 * columns


def encode_receipt(receipt: Receipt, *, columns: int = 42, qr: QrMode = "native",
                   qr_size: int = 6, profile: str | None = None, dots: int | None = None,
                   code_pages: tuple[str, ...] = TEXT_CODE_PAGES,
                   layout: LayoutEngine | None = None) -> bytes:
    """The ESC/POS bytes of ``receipt``: reset, texts, QR code, feed and cut.

    A paragraph whose characters the printer's code pages hold is sent as text; any other
    (Arabic, Ukrainian...) is drawn and sent as a raster image as wide as the paper. The
    reference (letters, digits and dots) and the QR code are always the printer's own.

    Args:
        receipt: What to print.
        columns: Characters per line in the normal font (42 on 80 mm paper, 32 on 58 mm).
        qr: ``native`` sends the printer's own QR symbol (``GS ( k``); ``image`` draws it and
            sends a raster image (``GS v 0``), for printers without a QR engine.
        qr_size: Module size in dots (1-16).
        profile: python-escpos printer profile (``TM-T20II``...; None: the generic one).
        dots: Printable width in dots for drawn lines (None: the profile's, see
            :func:`paper_dots`; 384 on 58 mm paper).
        code_pages: The code pages text may use (see :data:`TEXT_CODE_PAGES`).
        layout: How drawn right-to-left lines are shaped (None: raqm when Pillow has it).
    """
    from escpos.constants import QR_ECLEVEL_M
    from escpos.printer import Dummy

    from drivers.receipt_raster import RasterStyle, render_paragraph

    encoder = text_encoder(profile, code_pages)
    out = Dummy(profile=profile, magic_encode_args={"encoder": encoder})
    width = dots or paper_dots(profile, columns)

    def paragraph(text: str, align: Align, *, bold: bool = False) -> None:
        if printable(text, encoder):
            out.set_with_default(align=align, bold=bold)
            out.textln(_wrap(text, columns))
            return
        drawn = render_paragraph(text, RasterStyle(width, align, bold, layout=layout))
        out.set_with_default(align="left")
        # python-escpos prints a remark to stdout for profiles without a paper width: that
        # would land on the kiosk's screen.
        with contextlib.redirect_stdout(io.StringIO()):
            out.image(drawn, impl="bitImageRaster", center=False)

    out.hw("INIT")
    paragraph(receipt.title, "center", bold=True)
    out.set_with_default(align="center")
    out.ln()
    paragraph(receipt.reference_label, "center")
    # Double size where it fits on one line (20 characters in 21 columns on 80 mm paper),
    # else double height only.
    wide = 2 * len(receipt.reference) <= columns
    out.set_with_default(align="center", bold=True, double_width=wide, double_height=True)
    out.textln(receipt.reference)
    out.set_with_default(align="center")
    if qr == "native":
        out.qr(receipt.qr_payload, ec=QR_ECLEVEL_M, size=qr_size, native=True)
        out.ln()
    else:
        with contextlib.redirect_stdout(io.StringIO()):
            out.qr(receipt.qr_payload, ec=QR_ECLEVEL_M, size=qr_size, native=False)
    paragraph(receipt.date, "center")
    out.set_with_default(align="center")
    out.ln()
    for step in receipt.next_steps:
        paragraph(step, "left")
        out.set_with_default(align="left")
        out.ln()
    out.cut()
    return bytes(out.output)


class EscPosReceiptPrinter:
    """A thermal receipt printer speaking ESC/POS over ``transport``.

    Args:
        name: The device's configured name (``printer``).
        transport: Serial or USB.
        columns, qr, qr_size, profile, dots: Layout (see :func:`encode_receipt`).
        status_timeout: Longest wait for one status byte.
    """

    def __init__(self, name: str, transport: PrinterTransport, *, columns: int = 42,
                 qr: QrMode = "native", qr_size: int = 6, profile: str | None = None,
                 dots: int | None = None, status_timeout: float = 1.0) -> None:
        self.name = name
        self.transport = transport
        self.columns = columns
        self.qr = qr
        self.qr_size = qr_size
        self.profile = profile
        self.dots = dots
        self.status_timeout = status_timeout
        # One exchange at a time: a health probe must not cut into a receipt's bytes.
        self._lock = threading.RLock()

    def open(self) -> None:
        """Connect and check the printer answers its status queries."""
        with self._lock:
            try:
                self.transport.open()
            except DeviceNotFoundError as error:
                raise PrinterUnpluggedError(self.name, error.detail) from error
            self.status()

    def close(self) -> None:
        """Disconnect. Never raises."""
        with self._lock:
            self.transport.close()

    def _check_profile(self) -> None:
        if self.profile is None:
            return
        from escpos.capabilities import get_profile

        try:
            get_profile(self.profile)
        except Exception as exc:  # escpos raises its own NotSupported / KeyError kinds
            raise PrinterFaultError(self.name, f"python-escpos knows no printer profile "
                                    f"{self.profile!r} (printer.profile)", "config") from exc

    def status(self) -> PrinterStatus:
        """Ask the four real-time statuses (raises PrinterGarbageError, PrinterTimeoutError,
        PrinterUnpluggedError)."""
        with self._lock:
            return self._status()

    def _status(self) -> PrinterStatus:
        try:
            self.transport.discard_input()
            raw = tuple(self._query(n) for n in (1, 2, 3, 4))
            # Nothing may follow the answers: extra bytes mean the line carries noise.
            extra = self.transport.read(time.monotonic() + self.status_timeout)
        except (DeviceDisconnectedError, DeviceNotFoundError) as error:
            if isinstance(error, PrinterUnpluggedError):
                raise
            raise PrinterUnpluggedError(self.name, error.detail) from error
        if extra:
            raise PrinterGarbageError(self.name, f"{len(extra)} unexpected bytes after the "
                                      "status answers")
        return PrinterStatus((raw[0], raw[1], raw[2], raw[3]))

    def _query(self, n: int) -> int:
        self.transport.write(DLE_EOT + bytes([n]), time.monotonic() + self.status_timeout)
        deadline = time.monotonic() + self.status_timeout
        while True:
            answer = self.transport.read(deadline)
            if answer:
                break
            if time.monotonic() >= deadline:
                raise PrinterTimeoutError(self.name, f"no answer to status query {n}")
        if len(answer) != 1 or answer[0] & STATUS_MASK != STATUS_FIXED:
            raise PrinterGarbageError(self.name, f"status query {n} answered with "
                                      f"{len(answer)} bytes that are not a status")
        return answer[0]

    def print_receipt(self, receipt: Receipt) -> None:
        """Print ``receipt``: check the printer can, send it, check it did not run out.

        Raises the printer's named DeviceError (paper out, cover open, unplugged, garbage...).
        """
        self._check_profile()
        data = encode_receipt(receipt, columns=self.columns, qr=self.qr, qr_size=self.qr_size,
                              profile=self.profile, dots=self.dots)
        with self._lock:
            self._status().raise_problem(self.name)
            try:
                # Ten seconds, and time for a slow line to carry a drawn receipt (9600 baud
                # carries about 960 bytes a second).
                self.transport.write(data, time.monotonic() + 10.0 + len(data) / 500)
            except (DeviceDisconnectedError, DeviceNotFoundError) as error:
                raise PrinterUnpluggedError(self.name, error.detail) from error
            # Paper that ran out (or a cover opened) half-way shows in the status after.
            self._status().raise_problem(self.name)

    def probe(self) -> Health:
        """Ask the statuses and report. Never raises."""
        started = time.perf_counter()
        try:
            self._check_profile()
            status = self.status()
            status.raise_problem(self.name)
        except DeviceError as error:
            return Health(False, error.detail, (time.perf_counter() - started) * 1000,
                          code=error.code)
        # Where drawn lines (Arabic, Ukrainian) get their letters: staff see a missing font.
        from drivers.receipt_raster import font_source

        extra = {"paper": "near_end" if status.paper_near_end else "ok", "font": font_source()}
        return Health(True, "printer ready", (time.perf_counter() - started) * 1000,
                      extra=extra)

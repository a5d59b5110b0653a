"""MRZ reader framings: settings and streaming decoders (bytes in, records or named errors out).

Four framings are known (see ``docs/devices.md`` §1): plain CR-terminated lines, the 3M RTE6701
block, the DESKO CUTE block and the IDBox length-prefixed packet (encoders for each are in
:mod:`drivers.mrz_encoders`). Each decoder keeps its own buffer, is fed whatever bytes arrived
(``feed``) and is told when the line went quiet (``idle``); it returns complete
:class:`~drivers.interfaces.MrzRead` records, IDBox replies and :class:`~drivers.codec.FrameError`
values, and never raises. Decoders never validate check digits and never quote payload in
their errors.

Choices the public material leaves open, all settings of :class:`MrzFraming`:

* **lines** — a record is the consecutive non-empty lines of one document. It ends (1) at once
  when its lines have a known MRZ shape (2x44, 2x36, 3x30), (2) at a blank line, or (3) when no
  byte arrived for ``idle_gap`` seconds. CR, LF and CR LF all end a line. A line still
  unterminated when the gap expires is a ``truncated_line`` error; more than three lines is
  ``bad_line_count``.
* **3m** — ``[length]`` is ``length_size`` big-endian bytes counting the bytes after it up to
  and including ETX (``'O' 'U' STX flag data ETX``). The BCC is the XOR of the bytes after SOH
  (the length bytes included) up to and including ETX (``bcc_range="after_soh"``), or of the
  bytes after STX (``"after_stx"``). ``bcc_check`` is ``strict`` (error), ``warn`` (diagnostic
  ``bcc_mismatch_ignored``) or ``off``.
* **desko** — SODO/EODO default to FS (0x1C) and GS (0x1D); the real values are in DESKO's
  confidential protocol document §1.2, so set them per device.
* **idbox** — an ``I`` packet of length 0 means "no document" and yields nothing.

Frame framings (3m, desko, idbox) report a partial frame as ``truncated_frame`` once no byte
arrived for ``frame_timeout`` seconds, or when a new start byte shows up inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from drivers.codec import FrameError
from drivers.interfaces import MrzRead

CR, LF = 0x0D, 0x0A
#: Line lengths of the MRZ formats: TD3/MRV-A, TD2/MRV-B, TD1.
MRZ_SHAPES = {(44, 44), (36, 36), (30, 30, 30)}
_MRZ_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
#: IDBox command bytes: version, OCR firmware, serial number, product info, inquiry/MRZ, continuous.
IDBOX_COMMANDS = frozenset(b"VWRTIC")

FramingKind = Literal["lines", "3m", "desko", "idbox"]


@dataclass(frozen=True)
class MrzFraming:
    """How one MRZ reader frames a document; the defaults are this project's documented choices."""

    kind: FramingKind = "lines"
    #: lines: what the encoder sends after each line (the decoder accepts CR, LF and CR LF).
    terminator: str = "\r"
    #: lines: the encoder adds a blank line after the document.
    blank_line_after: bool = False
    #: lines: quiet time in seconds that ends a record.
    idle_gap: float = 0.2
    #: lines: a longer line is garbage (``line_too_long``).
    max_line_length: int = 128
    #: Frame framings: quiet time in seconds after which a partial frame is ``truncated_frame``.
    frame_timeout: float = 0.5
    #: Frame framings: most payload bytes one frame may carry.
    max_payload: int = 1024
    soh: int = 0x01
    stx: int = 0x02
    etx: int = 0x03
    #: 3m: size in bytes of the big-endian ``[length]`` field.
    length_size: int = 1
    #: 3m: where the XOR block check starts (it always ends with ETX).
    bcc_range: Literal["after_soh", "after_stx"] = "after_soh"
    bcc_check: Literal["strict", "warn", "off"] = "strict"
    #: 3m: the device-specific flag byte the encoder sends.
    flag: int = 0x30
    #: 3m: padding character, stripped on the right of each line.
    pad_char: str = "_"
    #: desko: start and end delimiters of an OCR message (SODO, EODO).
    sod: int = 0x1C
    eod: int = 0x1D


@dataclass(frozen=True)
class IdboxReply:
    """A non-MRZ IDBox packet, e.g. the answer to a ``V`` version request."""

    command: str
    data: bytes


Event = MrzRead | IdboxReply | FrameError


def _text(raw: bytes) -> str:
    # latin-1 maps every byte to one character, so substitute characters survive for the core.
    return raw.decode("latin-1")


def _diagnose(lines: Sequence[str]) -> list[str]:
    if any(set(line) - _MRZ_CHARS for line in lines):
        return ["unexpected_characters"]
    return []


class _Decoder:
    """Shared buffer and quiet-time bookkeeping; subclasses parse frames out of ``_buf``."""

    kind = ""

    def __init__(self, framing: MrzFraming) -> None:
        self.framing = framing
        self._buf = bytearray()
        self._last_byte_at = 0.0

    @property
    def pending(self) -> bool:
        """True while part of a frame is buffered."""
        return bool(self._buf)

    def reset(self) -> None:
        """Forget any partial frame (after the port was reopened)."""
        self._buf.clear()

    def feed(self, data: bytes, now: float) -> list[Event]:
        """Take the bytes that arrived at ``now``; return what they completed."""
        if data:
            self._buf += data
            self._last_byte_at = now
        return self._parse()

    def idle(self, now: float) -> list[Event]:
        """Nothing arrived; report a partial frame that has been quiet too long."""
        if self._buf and now - self._last_byte_at >= self.framing.frame_timeout:
            size = len(self._buf)
            self._buf.clear()
            return [FrameError("truncated_frame", f"{size} bytes, then silence")]
        return []

    def _parse(self) -> list[Event]:
        raise NotImplementedError

    def _skip_to(self, start: int, out: list[Event]) -> bool:
        """Drop bytes before the next ``start`` byte as garbage; False when none is buffered."""
        index = self._buf.find(bytes([start]))
        if index == 0:
            return True
        skipped = len(self._buf) if index < 0 else index
        del self._buf[:skipped]
        out.append(FrameError("garbage", f"{skipped} bytes outside a frame"))
        return index >= 0


class LinesDecoder(_Decoder):
    """Plain lines ended by CR, LF or CR LF; see the module docstring for the record rule."""

    kind = "lines"

    def __init__(self, framing: MrzFraming) -> None:
        super().__init__(framing)
        self._lines: list[str] = []
        self._after_cr = False

    @property
    def pending(self) -> bool:
        return bool(self._buf or self._lines)

    def reset(self) -> None:
        super().reset()
        self._lines.clear()
        self._after_cr = False

    def feed(self, data: bytes, now: float) -> list[Event]:
        out: list[Event] = []
        if data:
            self._last_byte_at = now
        for byte in data:
            if byte == LF and self._after_cr:
                self._after_cr = False  # the LF of a CR LF pair
                continue
            self._after_cr = byte == CR
            if byte in (CR, LF):
                self._end_line(out)
            elif len(self._buf) >= self.framing.max_line_length:
                self.reset()
                out.append(FrameError("line_too_long", "no line terminator"))
            else:
                self._buf.append(byte)
        return out

    def _end_line(self, out: list[Event]) -> None:
        if not self._buf:
            if self._lines:  # a blank line ends the record
                out.append(self._record())
            return
        self._lines.append(_text(bytes(self._buf)))
        self._buf.clear()
        if len(self._lines) > 3:
            self.reset()
            out.append(FrameError("bad_line_count", "more than three lines in one record"))
        elif tuple(len(line) for line in self._lines) in MRZ_SHAPES:
            out.append(self._record())

    def _record(self) -> MrzRead:
        lines = tuple(self._lines)
        self._lines.clear()
        return MrzRead(lines=lines, framing=self.kind, diagnostics=tuple(_diagnose(lines)))

    def idle(self, now: float) -> list[Event]:
        if not self.pending or now - self._last_byte_at < self.framing.idle_gap:
            return []
        if self._buf:
            self.reset()
            return [FrameError("truncated_line", "line without terminator, then silence")]
        return [self._record()]

    def _parse(self) -> list[Event]:  # pragma: no cover - feed is overridden
        return []


class ThreeMDecoder(_Decoder):
    """3M RTE6701 block: ``SOH len 'O' 'U' STX flag line1 CR line2 CR line3 CR ETX BCC``."""

    kind = "3m"

    def _parse(self) -> list[Event]:
        f = self.framing
        out: list[Event] = []
        head = 1 + f.length_size
        while self._buf and self._skip_to(f.soh, out):
            if len(self._buf) < head:
                break
            length = int.from_bytes(self._buf[1:head], "big")
            if not 5 <= length <= f.max_payload:
                del self._buf[:1]
                out.append(FrameError("bad_length", f"length field {length}"))
                continue
            got = bytes(self._buf[head : head + 3])
            if got != (b"OU" + bytes([f.stx]))[: len(got)]:
                del self._buf[:1]
                out.append(FrameError("bad_header", "expected 'O' 'U' STX after the length"))
                continue
            total = head + length + 1
            # MRZ text never holds SOH: one inside the data means this frame was cut short.
            cut = self._buf.find(bytes([f.soh]), head + 4, min(len(self._buf), total - 2))
            if cut >= 0:
                del self._buf[:cut]
                out.append(FrameError("truncated_frame", f"new SOH at byte {cut}"))
                continue
            if len(self._buf) < total:
                break
            frame = bytes(self._buf[:total])
            del self._buf[:total]
            out.append(self._frame(frame, head))
        return out

    def _frame(self, frame: bytes, head: int) -> Event:
        f = self.framing
        if frame[-2] != f.etx:
            return FrameError("missing_etx", f"byte {len(frame) - 2} is not ETX")
        diagnostics: list[str] = []
        start = 1 if f.bcc_range == "after_soh" else head + 3
        if f.bcc_check != "off" and xor_bcc(frame[start:-1]) != frame[-1]:
            if f.bcc_check == "strict":
                return FrameError("bcc_mismatch", "block check character does not match")
            diagnostics.append("bcc_mismatch_ignored")
        parts = frame[head + 4 : -2].split(b"\r")
        if len(parts) != 4 or parts[-1]:
            return FrameError("bad_line_count", f"{len(parts) - 1} CR-terminated lines, not 3")
        lines = [_text(p).rstrip(f.pad_char) for p in parts[:3]]
        if not lines[0]:
            diagnostics.append("line1_empty")
        while lines and not lines[0]:
            lines.pop(0)  # 3M moves short documents down: the bottom line is always line 3
        if not lines:
            return FrameError("empty_record", "all three lines empty")
        return MrzRead(tuple(lines), self.kind, tuple(diagnostics + _diagnose(lines)))


class DeskoDecoder(_Decoder):
    """DESKO CUTE OCR message: ``SODO STX line1 CR line2 CR [line3 CR] ETX EODO``."""

    kind = "desko"

    def _parse(self) -> list[Event]:
        f = self.framing
        out: list[Event] = []
        while self._buf and self._skip_to(f.sod, out):
            if len(self._buf) < 2:
                break
            if self._buf[1] != f.stx:
                del self._buf[:1]
                out.append(FrameError("bad_header", "expected STX after SODO"))
                continue
            etx = self._buf.find(bytes([f.etx]), 2, f.max_payload + 3)
            cut = self._buf.find(bytes([f.sod]), 2, etx if etx >= 0 else len(self._buf))
            if cut >= 0:
                del self._buf[:cut]
                out.append(FrameError("truncated_frame", f"new SODO at byte {cut}"))
                continue
            if etx < 0:
                if len(self._buf) > f.max_payload + 2:
                    del self._buf[:1]
                    out.append(FrameError("frame_too_long", f"no ETX in {f.max_payload} bytes"))
                    continue
                break
            if len(self._buf) <= etx + 1:
                break
            if self._buf[etx + 1] != f.eod:
                del self._buf[: etx + 1]
                out.append(FrameError("missing_eod", "ETX not followed by EODO"))
                continue
            data = bytes(self._buf[2:etx])
            del self._buf[: etx + 2]
            out.append(self._record(data))
        return out

    def _record(self, data: bytes) -> Event:
        parts = data.split(b"\r")
        diagnostics: list[str] = []
        if parts[-1]:
            diagnostics.append("last_line_unterminated")
        else:
            parts.pop()
        if not 2 <= len(parts) <= 3:
            return FrameError("bad_line_count", f"{len(parts)} lines, not 2 or 3")
        lines = tuple(_text(p) for p in parts)
        if any(not 7 <= len(line) <= 44 for line in lines):
            diagnostics.append("line_length_out_of_range")
        return MrzRead(lines, self.kind, tuple(diagnostics + _diagnose(lines)))


class IdboxDecoder(_Decoder):
    """IDBox packets: ``command len_hi len_lo data``; ``I`` packets carry CR-separated MRZ lines."""

    kind = "idbox"

    def _parse(self) -> list[Event]:
        out: list[Event] = []
        while self._buf:
            if self._buf[0] not in IDBOX_COMMANDS:
                skipped = next(
                    (i for i, b in enumerate(self._buf) if b in IDBOX_COMMANDS), len(self._buf)
                )
                del self._buf[:skipped]
                out.append(FrameError("garbage", f"{skipped} bytes outside a packet"))
                continue
            if len(self._buf) < 3:
                break
            length = int.from_bytes(self._buf[1:3], "big")
            if length > self.framing.max_payload:
                del self._buf[:1]
                out.append(FrameError("bad_length", f"length field {length}"))
                continue
            if len(self._buf) < 3 + length:
                break
            command, data = chr(self._buf[0]), bytes(self._buf[3 : 3 + length])
            del self._buf[: 3 + length]
            if command != "I":
                out.append(IdboxReply(command, data))
            elif data:
                lines = tuple(_text(p) for p in data.split(b"\r") if p)
                out.append(MrzRead(lines, self.kind, tuple(_diagnose(lines))))
        return out


_DECODERS: dict[str, type[_Decoder]] = {
    "lines": LinesDecoder,
    "3m": ThreeMDecoder,
    "desko": DeskoDecoder,
    "idbox": IdboxDecoder,
}

Decoder = _Decoder


def make_decoder(framing: MrzFraming) -> _Decoder:
    """A fresh decoder for ``framing``."""
    return _DECODERS[framing.kind](framing)


def xor_bcc(data: bytes) -> int:
    """XOR of all bytes: the 3M block check character."""
    bcc = 0
    for byte in data:
        bcc ^= byte
    return bcc

"""MRZ framings the other way: the bytes a reader sends for a document (used by the simulator)."""

from __future__ import annotations

from collections.abc import Sequence

from drivers.mrz_framing import MrzFraming, xor_bcc


def _raw(line: str) -> bytes:
    return line.encode("latin-1", errors="replace")


def encode_lines(framing: MrzFraming, lines: Sequence[str]) -> bytes:
    """Plain lines, each followed by the terminator (and a blank line if configured)."""
    term = framing.terminator.encode("ascii")
    out = b"".join(_raw(line) + term for line in lines)
    return out + term if framing.blank_line_after else out


def encode_3m(framing: MrzFraming, lines: Sequence[str]) -> bytes:
    """3M block: three lines, bottom line last, padded with ``_`` to 30 (3 lines) or 44."""
    if not 1 <= len(lines) <= 3:
        raise ValueError("a 3M block carries one to three lines")
    width = 30 if len(lines) == 3 else 44
    padded = [line[:width].ljust(width, framing.pad_char) for line in lines]
    three = [""] * (3 - len(padded)) + padded  # short documents move down, line 1 stays empty
    data = b"".join(_raw(line) + b"\r" for line in three)
    body = b"OU" + bytes([framing.stx, framing.flag]) + data + bytes([framing.etx])
    head = bytes([framing.soh]) + len(body).to_bytes(framing.length_size, "big")
    checked = head[1:] + body if framing.bcc_range == "after_soh" else body[3:]
    return head + body + bytes([xor_bcc(checked)])


def encode_desko(framing: MrzFraming, lines: Sequence[str]) -> bytes:
    """DESKO OCR message; a two-line document has no third line and no third CR."""
    data = b"".join(_raw(line) + b"\r" for line in lines)
    return bytes([framing.sod, framing.stx]) + data + bytes([framing.etx, framing.eod])


def encode_idbox_packet(command: str, data: bytes = b"") -> bytes:
    """One IDBox packet in either direction."""
    return command.encode("ascii") + len(data).to_bytes(2, "big") + data


def encode_idbox(framing: MrzFraming, lines: Sequence[str]) -> bytes:
    """IDBox ``I`` packet with CR-separated MRZ lines."""
    return encode_idbox_packet("I", b"\r".join(_raw(line) for line in lines))


_ENCODERS = {"lines": encode_lines, "3m": encode_3m, "desko": encode_desko, "idbox": encode_idbox}


def encode_document(framing: MrzFraming, lines: Sequence[str]) -> bytes:
    """The bytes a reader with ``framing`` sends for a document with ``lines``."""
    return _ENCODERS[framing.kind](framing, lines)

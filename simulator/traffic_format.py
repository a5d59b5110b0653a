"""One line per chunk of simulated serial traffic, as pyserial's spy:// shows it (for the developer
panel, through :class:`simulator.devtools.SimulatorControls`)."""

from __future__ import annotations

from drivers.r30x_protocol import HEADER, Instruction, Pid, status_name
from simulator.pty_device import TrafficEntry

#: Header, address, PID and length of an R30x packet; a 2-byte checksum follows the payload.
_R30X_HEAD = 9


def printable(data: bytes) -> str:
    """The bytes as ASCII, with ``.`` for anything not printable."""
    return "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in data)


def dump(data: bytes, room: int) -> str:
    """Hex then ``|ASCII|`` of ``data`` in at most ``room`` characters, ``…`` where cut."""
    if 4 * len(data) + 2 <= room:
        return f"{data.hex(' ')} |{printable(data)}|"
    shown = data[: max(1, (room - 4) // 4)]
    return f"{shown.hex(' ')}… |{printable(shown)}…|"


def r30x_packet(data: bytes, room: int) -> str | None:
    """An R30x packet named instead of dumped (``cmd GEN_IMG``, ``ack no_finger``), else None.

    Image data packets are only counted, so a 6 s image upload stays readable.
    """
    if len(data) < _R30X_HEAD + 1 or not data.startswith(HEADER):
        return None
    pid, end = data[6], _R30X_HEAD + int.from_bytes(data[7:9], "big")
    payload, extra = data[_R30X_HEAD : max(_R30X_HEAD, end - 2)], len(data) - end
    if pid in (Pid.DATA, Pid.END):
        text = f"{min(end, len(data))} B {'end ' if pid == Pid.END else ''}data packet"
    elif pid == Pid.COMMAND and payload:
        code = payload[0]
        name = Instruction(code).name if code in Instruction._value2member_map_ else f"{code:#04x}"
        text = f"cmd {name}"
    elif pid == Pid.ACK and payload:
        text = f"ack {status_name(payload[0])}"
    else:
        return None
    if pid in (Pid.COMMAND, Pid.ACK) and len(payload) > 1:
        text += " " + dump(payload[1:], room - len(text) - 1)
    if extra < 0:
        text += f" cut at {len(data)}/{end} B"
    elif sum(data[6 : end - 2]) & 0xFFFF != int.from_bytes(data[end - 2 : end], "big"):
        text += " bad checksum"
    if extra > 0:
        text += f" +{extra} B"
    return text


def format_entry(device: str, entry: TrafficEntry, t0: float, width: int = 40) -> str:
    """One traffic entry as a line of at most ``width`` characters.

    Args:
        device: Label of the device (``scanner``, ``fp``...); R30x packets are decoded on labels
            starting with ``f`` (fingerprint modules).
        entry: The entry; ``direction`` is from the device's point of view (``tx``: it sent).
        t0: Time (``time.monotonic()``) shown as zero.
        width: Most characters in the line.

    Returns:
        For example ``12.345 scanner tx 50 3c 44… |P<D…|``, ``3.010 fp rx cmd GEN_IMG`` or
        ``3.011 fp tx 139 B data packet``.
    """
    prefix = f"{entry.t - t0:.3f} {device} {entry.direction} "
    room = width - len(prefix)
    body = r30x_packet(entry.data, room) if device.startswith("f") else None
    return (prefix + (body or dump(entry.data, room)))[:width]

"""R30x / ZFM / AS608 fingerprint module packets: encoder, streaming decoder and image packing.

Packet (big-endian): ``EF 01`` header, 4-byte address, PID, 2-byte length (payload + 2), payload,
2-byte checksum = low 16 bits of the sum of PID, both length bytes and the payload
(``docs/devices.md`` §2.1). The decoder, like the MRZ ones, returns packets and
:class:`~drivers.codec.FrameError` values from ``feed`` and never raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

from drivers.codec import FrameError

HEADER = b"\xef\x01"
DEFAULT_ADDRESS = 0xFFFFFFFF
#: Sensor image: 256 columns x 288 rows, 4 bits per pixel, two pixels per byte.
IMAGE_COLS, IMAGE_ROWS = 256, 288
IMAGE_BYTES = IMAGE_COLS * IMAGE_ROWS // 2
#: Data packet payload size by system parameter 6 code.
PACKET_SIZES = {0: 32, 1: 64, 2: 128, 3: 256}
#: Bytes around a payload: header, address, PID, length, checksum.
OVERHEAD = 2 + 4 + 1 + 2 + 2
#: The reply to SoftReset's acknowledge: the module is ready again.
READY_BYTE = 0x55
_HEAD = 9  # header + address + PID + length


class Pid(IntEnum):
    """Packet identifier."""

    COMMAND = 0x01
    DATA = 0x02
    ACK = 0x07
    END = 0x08


class Instruction(IntEnum):
    """Instruction codes (command payload byte 0) this project uses or answers."""

    GEN_IMG = 0x01
    IMG2TZ = 0x02
    UP_IMAGE = 0x0A
    DOWN_IMAGE = 0x0B
    SET_SYS_PARA = 0x0E
    READ_SYS_PARA = 0x0F
    VFY_PWD = 0x13
    SOFT_RESET = 0x3D
    ECHO = 0x53


#: Confirmation codes by name; the names are the ``status`` of DeviceRefusedError.
CONFIRMATION = {
    0x00: "ok",
    0x01: "packet_receive_error",
    0x02: "no_finger",
    0x03: "image_capture_failure",
    0x06: "image_too_messy",
    0x07: "too_few_feature_points",
    0x08: "no_match",
    0x09: "not_found",
    0x0A: "enroll_mismatch",
    0x0B: "bad_page_number",
    0x0C: "bad_template",
    0x0D: "template_upload_failure",
    0x0E: "cannot_receive_data_packets",
    0x0F: "image_upload_failure",
    0x10: "delete_failure",
    0x11: "clear_failure",
    0x13: "wrong_password",
    0x15: "no_valid_image",
    0x18: "flash_error",
    0x1A: "invalid_register",
    0x20: "wrong_address",
    0x21: "password_required",
    0x55: "echo_ok",
}
CODE = {name: code for code, name in CONFIRMATION.items()}


def status_name(code: int) -> str:
    """Name of a confirmation code; unknown codes are ``unknown_0xNN``."""
    return CONFIRMATION.get(code, f"unknown_0x{code:02x}")


@dataclass(frozen=True)
class Packet:
    """One decoded packet."""

    address: int
    pid: int
    payload: bytes


def checksum(pid: int, payload: bytes) -> int:
    """Low 16 bits of the sum of PID, both length bytes and the payload."""
    length = len(payload) + 2
    return (pid + (length >> 8) + (length & 0xFF) + sum(payload)) & 0xFFFF


def encode_packet(pid: int, payload: bytes, address: int = DEFAULT_ADDRESS) -> bytes:
    """The bytes of one packet."""
    length = len(payload) + 2
    return (
        HEADER
        + address.to_bytes(4, "big")
        + bytes([pid])
        + length.to_bytes(2, "big")
        + payload
        + checksum(pid, payload).to_bytes(2, "big")
    )


def command(instruction: int, params: bytes = b"", address: int = DEFAULT_ADDRESS) -> bytes:
    """A command packet."""
    return encode_packet(Pid.COMMAND, bytes([instruction]) + params, address)


def ack(code: int, data: bytes = b"", address: int = DEFAULT_ADDRESS) -> bytes:
    """An acknowledge packet: confirmation code plus data."""
    return encode_packet(Pid.ACK, bytes([code]) + data, address)


class PacketDecoder:
    """Streaming decoder: feed bytes, get packets and named errors; resynchronises on EF 01."""

    def __init__(self, address: int | None = None, max_payload: int = 256 + 16) -> None:
        #: Only packets for this address are accepted (None: any).
        self.address = address
        self.max_payload = max_payload
        self._buf = bytearray()

    @property
    def pending(self) -> bool:
        """True while part of a packet is buffered."""
        return bool(self._buf)

    def reset(self) -> None:
        """Forget any partial packet."""
        self._buf.clear()

    def feed(self, data: bytes) -> list[Packet | FrameError]:
        """Take bytes; return the packets and errors they completed."""
        self._buf += data
        out: list[Packet | FrameError] = []
        while self._buf:
            if not self._buf.startswith(HEADER[: len(self._buf)]):
                start = self._buf.find(HEADER, 1)
                if start < 0:  # keep a trailing EF: it may start the next header
                    start = len(self._buf) - (self._buf[-1] == HEADER[0])
                del self._buf[:start]
                out.append(FrameError("garbage", f"{start} bytes outside a packet"))
                continue
            if len(self._buf) < _HEAD:
                break
            pid, length = self._buf[6], int.from_bytes(self._buf[7:9], "big")
            if pid not in Pid.__members__.values():
                del self._buf[:2]
                out.append(FrameError("bad_pid", f"packet identifier 0x{pid:02x}"))
                continue
            if not 2 <= length <= self.max_payload + 2:
                del self._buf[:2]
                out.append(FrameError("bad_length", f"length field {length}"))
                continue
            if len(self._buf) < _HEAD + length:
                break
            frame = bytes(self._buf[: _HEAD + length])
            del self._buf[: _HEAD + length]
            out.append(self._packet(frame))
        return out

    def _packet(self, frame: bytes) -> Packet | FrameError:
        pid, payload = frame[6], frame[_HEAD:-2]
        if int.from_bytes(frame[-2:], "big") != checksum(pid, payload):
            return FrameError("bad_checksum", f"packet of {len(frame)} bytes")
        address = int.from_bytes(frame[2:6], "big")
        if self.address is not None and address != self.address:
            return FrameError("wrong_address", f"packet for 0x{address:08x}")
        return Packet(address, pid, payload)


#: SetSysPara parameter number of the baud rate control (value N: N x 9600 baud).
BAUD_PARAMETER = 4
#: SetSysPara parameter number of the data packet size (value: a :data:`PACKET_SIZES` code).
PACKET_SIZE_PARAMETER = 6


def baud_multiplier(baudrate: int) -> int:
    """The SetSysPara value N for ``baudrate`` (N x 9600, N = 1..12); ValueError otherwise."""
    multiplier, rest = divmod(baudrate, 9600)
    if rest or not 1 <= multiplier <= 12:
        raise ValueError(f"an R30x runs at N x 9600 baud with N from 1 to 12, not {baudrate}")
    return multiplier


def wire_seconds(payload_bytes: int, packet_size: int, baudrate: int) -> float:
    """Time ``payload_bytes`` of data packets take on the wire (10 bits a byte, with framing)."""
    packets = -(-payload_bytes // packet_size)
    return (payload_bytes + packets * OVERHEAD) * 10 / baudrate


@dataclass(frozen=True)
class SystemParameters:
    """The ReadSysPara reply (16 bytes after the confirmation code)."""

    status_register: int = 0
    system_id: int = 0
    library_size: int = 1000
    security_level: int = 3
    address: int = DEFAULT_ADDRESS
    packet_size_code: int = 2
    baud_multiplier: int = 6

    @property
    def packet_size(self) -> int:
        """Data packet payload size in bytes."""
        return PACKET_SIZES.get(self.packet_size_code, 0)

    @property
    def baudrate(self) -> int:
        """Baud rate: N x 9600."""
        return self.baud_multiplier * 9600

    def encode(self) -> bytes:
        """The 16 reply bytes."""
        words = (self.status_register, self.system_id, self.library_size, self.security_level)
        tail = (self.packet_size_code, self.baud_multiplier)
        return (
            b"".join(w.to_bytes(2, "big") for w in words)
            + self.address.to_bytes(4, "big")
            + b"".join(w.to_bytes(2, "big") for w in tail)
        )

    @classmethod
    def decode(cls, data: bytes) -> SystemParameters:
        """Parse the 16 reply bytes; raises ValueError when there are fewer."""
        if len(data) < 16:
            raise ValueError(f"ReadSysPara reply has {len(data)} bytes, not 16")
        w = [int.from_bytes(data[i : i + 2], "big") for i in (0, 2, 4, 6, 12, 14)]
        return cls(w[0], w[1], w[2], w[3], int.from_bytes(data[8:12], "big"), w[4], w[5])


def pack_image(pixels: NDArray[np.uint8]) -> bytes:
    """8-bit grey rows x 256 image to 4-bit pairs, high nibble first (left pixel)."""
    grey = np.asarray(pixels, dtype=np.uint8) >> 4
    return ((grey[:, 0::2] << 4) | grey[:, 1::2]).astype(np.uint8).tobytes()


def unpack_image(data: bytes, cols: int = IMAGE_COLS) -> NDArray[np.uint8]:
    """4-bit pairs back to 8-bit grey (each nibble shifted left by 4), ``len*2/cols`` rows."""
    raw = np.frombuffer(data, dtype=np.uint8)
    out = np.empty(raw.size * 2, dtype=np.uint8)
    out[0::2] = raw & 0xF0
    out[1::2] = (raw & 0x0F) << 4
    return out.reshape(-1, cols)


def data_packets(data: bytes, packet_size: int, address: int = DEFAULT_ADDRESS) -> list[bytes]:
    """Split ``data`` into PID 02 packets with a final PID 08 packet."""
    chunks = [data[i : i + packet_size] for i in range(0, len(data), packet_size)] or [b""]
    return [
        encode_packet(Pid.END if i == len(chunks) - 1 else Pid.DATA, chunk, address)
        for i, chunk in enumerate(chunks)
    ]

"""R30x / ZFM / AS608 fingerprint module on a serial port: handshake, capture and image upload."""

from __future__ import annotations

import time
from collections import deque

import serial

from drivers.codec import FrameError
from drivers.errors import (
    DeviceError,
    DeviceProtocolError,
    DeviceRefusedError,
    DeviceTimeoutError,
)
from drivers.interfaces import FingerprintImage, Health
from drivers.r30x_protocol import (
    IMAGE_BYTES,
    IMAGE_COLS,
    OVERHEAD,
    PACKET_SIZES,
    READY_BYTE,
    Instruction,
    Packet,
    PacketDecoder,
    Pid,
    SystemParameters,
    command,
    status_name,
    unpack_image,
)
from drivers.serial_link import Opener, SerialLink

#: Payload of a ReadSysPara acknowledge: confirmation code + 16 bytes.
_SYS_PARA_LEN = 17


class R30xFingerprintReader:
    """A :class:`~drivers.interfaces.FingerprintReader` for the R30x packet protocol.

    Args:
        name: The configured device name, used in errors.
        url: What ``serial.serial_for_url`` opens.
        baudrate: Line speed; the module default is 57600 (ignored on a pty).
        address: Module address, default ``0xFFFFFFFF``.
        password: VfyPwd password, default 0.
        packet_size: Expected data packet size; the module's own ReadSysPara value wins.
        reply_timeout: Time allowed for each acknowledge.
        poll_interval: Pause between GenImg polls while no finger is on the sensor.
        backoff_initial: First wait before reopening a lost port; doubles up to ``backoff_max``.
        opener: Replaces ``serial.serial_for_url`` in unit tests.
    """

    def __init__(
        self,
        name: str,
        url: str,
        baudrate: int = 57600,
        address: int = 0xFFFFFFFF,
        password: int = 0,
        packet_size: int = 128,
        *,
        reply_timeout: float = 1.0,
        poll_interval: float = 0.05,
        backoff_initial: float = 0.2,
        backoff_max: float = 5.0,
        opener: Opener = serial.serial_for_url,
    ) -> None:
        if packet_size not in PACKET_SIZES.values():
            raise ValueError(f"packet_size must be one of {sorted(PACKET_SIZES.values())}")
        self.name = name
        self.baudrate = baudrate
        self.address = address
        self.password = password
        self.packet_size = packet_size
        self.reply_timeout = reply_timeout
        self.poll_interval = poll_interval
        #: What the module reported in the last handshake.
        self.system_parameters: SystemParameters | None = None
        self._decoder = PacketDecoder(address)
        self._queue: deque[Packet | FrameError] = deque()
        self._link = SerialLink(
            name,
            url,
            baudrate=baudrate,
            backoff_initial=backoff_initial,
            backoff_max=backoff_max,
            opener=opener,
        )
        self._link.on_connect = self._handshake

    # -- lifecycle ---------------------------------------------------------------------------

    def open(self) -> None:
        """Open the port, verify the password and read the system parameters.

        Also the citizen's retry: it reconnects at once, skipping any reconnect backoff, and
        raises a DeviceError only when the module is still not there.
        """
        self._link.open()

    def close(self) -> None:
        """Close the port. Never raises."""
        self._link.close()

    def _handshake(self) -> None:
        self._decoder.reset()
        self._expect_ok(Instruction.VFY_PWD, self.password.to_bytes(4, "big"))
        data = self._expect_ok(Instruction.READ_SYS_PARA)
        if len(data) != _SYS_PARA_LEN - 1:
            raise DeviceProtocolError(self.name, f"ReadSysPara reply of {len(data) + 1} bytes")
        params = SystemParameters.decode(data)
        if params.packet_size == 0:
            raise DeviceProtocolError(self.name, f"packet size code {params.packet_size_code}")
        # The module streams in its own packet size; ours is only the expectation.
        self.packet_size = params.packet_size
        self.system_parameters = params

    # -- packet exchange ---------------------------------------------------------------------

    def _next_packet(self, deadline: float, what: str) -> Packet:
        """The next packet, or a named error by ``deadline``."""
        while not self._queue:
            if time.monotonic() >= deadline:
                if self._decoder.pending:
                    self._decoder.reset()
                    raise DeviceProtocolError(self.name, f"truncated packet in {what}")
                raise DeviceTimeoutError(self.name, f"no reply to {what}")
            self._queue.extend(self._decoder.feed(self._link.read()))
        event = self._queue.popleft()
        if isinstance(event, FrameError):
            # A broken frame poisons the exchange: the rest of this reply cannot be trusted.
            self._forget()
            self._drain()
            raise DeviceProtocolError(self.name, f"{what}: {event}")
        return event

    def _drain(self) -> None:
        """Drop bytes until the line is quiet: a module keeps streaming after a bad packet."""
        quiet = 2 * self._link.poll
        limit = time.monotonic() + self._image_wire_seconds() * 1.5 + 1.0
        last = time.monotonic()
        while (now := time.monotonic()) < limit and now - last < quiet:
            if self._link.read():
                last = time.monotonic()

    def _image_wire_seconds(self) -> float:
        """Time the whole image stream takes on the wire at the configured baud rate."""
        packets = -(-IMAGE_BYTES // self.packet_size)
        return packets * (self.packet_size + OVERHEAD) * 10 / self.baudrate

    def _forget(self) -> None:
        self._decoder.reset()
        self._queue.clear()

    def _transact(self, instruction: Instruction, params: bytes = b"") -> tuple[int, bytes]:
        """Send one command; return (confirmation code, data) of its acknowledge."""
        what = instruction.name
        self._link.discard_input()
        self._forget()
        self._link.write(command(instruction, params, self.address))
        packet = self._next_packet(time.monotonic() + self.reply_timeout, what)
        if packet.pid != Pid.ACK or not packet.payload:
            raise DeviceProtocolError(self.name, f"{what}: expected an acknowledge")
        return packet.payload[0], packet.payload[1:]

    def _expect_ok(self, instruction: Instruction, params: bytes = b"") -> bytes:
        code, data = self._transact(instruction, params)
        if code != 0:
            status = status_name(code)
            raise DeviceRefusedError(self.name, f"{instruction.name}: {status}", status=status)
        return data

    # -- public operations -------------------------------------------------------------------

    def capture(self, timeout: float) -> FingerprintImage | None:
        """Poll GenImg up to ``timeout`` s for a finger, then upload and unpack its image.

        The upload has its own time limit (the stream at the line speed, plus margin), so a
        capture may return after ``timeout``. Returns None when no finger came.
        """
        deadline = time.monotonic() + timeout
        self._link.ensure_open(deadline)
        while True:
            code, _ = self._transact(Instruction.GEN_IMG)
            if code == 0:
                break
            if status_name(code) != "no_finger":
                status = status_name(code)
                raise DeviceRefusedError(self.name, f"GenImg: {status}", status=status)
            if time.monotonic() + self.poll_interval >= deadline:
                return None
            time.sleep(self.poll_interval)
        pixels = unpack_image(self._upload_image(), IMAGE_COLS)
        return FingerprintImage(pixels=pixels, ppi=500, captured_at=time.monotonic())

    def finger_present(self) -> bool:
        """True while a finger lies on the sensor (GenImg finds one); used to wait for a lift."""
        self._link.ensure_open(time.monotonic() + self.reply_timeout)
        code, _ = self._transact(Instruction.GEN_IMG)
        if code == 0:
            return True
        if status_name(code) == "no_finger":
            return False
        status = status_name(code)
        raise DeviceRefusedError(self.name, f"GenImg: {status}", status=status)

    def _upload_image(self) -> bytes:
        self._expect_ok(Instruction.UP_IMAGE)
        packets = -(-IMAGE_BYTES // self.packet_size)
        deadline = time.monotonic() + self._image_wire_seconds() * 1.5 + 2 * self.reply_timeout
        data = bytearray()
        count = 0
        while True:
            # Between packets only the inter-packet gap counts; a stall is a cut stream.
            packet_deadline = min(deadline, time.monotonic() + self.reply_timeout)
            try:
                packet = self._next_packet(packet_deadline, f"UpImage packet {count + 1}")
            except DeviceTimeoutError as exc:
                raise DeviceProtocolError(
                    self.name, f"image stream stopped after {count} of {packets} packets"
                ) from exc
            if packet.pid not in (Pid.DATA, Pid.END):
                raise DeviceProtocolError(self.name, f"UpImage: packet id 0x{packet.pid:02x}")
            data += packet.payload
            count += 1
            if len(data) > IMAGE_BYTES:
                raise DeviceProtocolError(self.name, f"image larger than {IMAGE_BYTES} bytes")
            if packet.pid == Pid.END:
                break
        if len(data) != IMAGE_BYTES:
            raise DeviceProtocolError(self.name, f"image of {len(data)} bytes, not {IMAGE_BYTES}")
        return bytes(data)

    def echo(self) -> bool:
        """The 0x53 handshake: True when the module answers ``55`` (healthy)."""
        self._link.ensure_open(time.monotonic() + self.reply_timeout)
        code, _ = self._transact(Instruction.ECHO)
        return code == 0x55

    def soft_reset(self) -> None:
        """SoftReset, then wait for the module's ready byte ``55``."""
        self._link.ensure_open(time.monotonic() + self.reply_timeout)
        self._expect_ok(Instruction.SOFT_RESET)
        deadline = time.monotonic() + max(self.reply_timeout, 1.0)
        # The ready byte is not a packet: if it came with the acknowledge the decoder has
        # already reported it as one byte of garbage; otherwise read it raw.
        if any(isinstance(e, FrameError) for e in self._queue):
            self._forget()
            return
        self._forget()
        while time.monotonic() < deadline:
            if READY_BYTE in self._link.read(1):
                return
        raise DeviceTimeoutError(self.name, "no ready byte after SoftReset")

    def probe(self) -> Health:
        """VfyPwd round trip (the libraries' presence check). Never raises."""
        start = time.monotonic()
        try:
            self._link.ensure_open(start + self.reply_timeout)
            self._expect_ok(Instruction.VFY_PWD, self.password.to_bytes(4, "big"))
            latency = (time.monotonic() - start) * 1000
            params = self.system_parameters
            extra = {"packet_size": str(self.packet_size)}
            if params is not None:
                extra["baudrate"] = str(params.baudrate)
                extra["library_size"] = str(params.library_size)
            return Health(True, "R30x module answering", latency, extra=extra)
        except DeviceError as exc:
            latency = (time.monotonic() - start) * 1000
            return Health(False, exc.staff_message, latency, code=exc.code)

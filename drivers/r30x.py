"""R30x / ZFM / AS608 fingerprint module on a serial port: handshake, capture and image upload.

The image upload dominates the citizen's wait: 36 KiB at 57600 baud, the module's default, is
6.4 s on the wire. The module also runs at up to 115200 (9600 x N, N = 1..12), so the driver can
be given a ``target_baudrate``: on every open it finds the module at the configured rate (or at
the target rate, which the module keeps in flash after an earlier switch), asks for the target
with SetSysPara (parameter 4) and reopens the port at it. A module that refuses the switch, or
is not heard at the new rate, is used at the rate it answered at, with one log line for staff.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import serial

from drivers.codec import FrameError
from drivers.errors import (
    DeviceError,
    DeviceNotFoundError,
    DeviceProtocolError,
    DeviceRefusedError,
    DeviceTimeoutError,
)
from drivers.interfaces import FingerprintImage, Health
from drivers.r30x_protocol import (
    BAUD_PARAMETER,
    IMAGE_BYTES,
    IMAGE_COLS,
    PACKET_SIZE_PARAMETER,
    PACKET_SIZES,
    READY_BYTE,
    Instruction,
    Packet,
    PacketDecoder,
    Pid,
    SystemParameters,
    baud_multiplier,
    command,
    status_name,
    unpack_image,
    wire_seconds,
)
from drivers.serial_link import Opener, SerialLink

log = logging.getLogger(__name__)

#: Payload of a ReadSysPara acknowledge: confirmation code + 16 bytes.
_SYS_PARA_LEN = 17
#: What a module at another line rate than the port's looks like: silence or garbage.
_WRONG_RATE = (DeviceTimeoutError, DeviceProtocolError)
@dataclass(frozen=True)
class TransferProgress:
    """How far an image upload is: reported after UpImage is acknowledged and after each packet.

    ``received == 0`` means the image was taken (GenImg) and is about to go on the wire: the
    finger may be lifted now.
    """

    received: int
    total: int
    #: Expected time the rest of the image needs on the wire at the line rate now.
    seconds_left: float

    @property
    def fraction(self) -> float:
        """Share of the image received, 0..1."""
        return min(1.0, self.received / self.total) if self.total else 1.0


#: Called on the capturing thread; must be quick and must not raise.
TransferListener = Callable[[TransferProgress], None]


class R30xFingerprintReader:
    """A :class:`~drivers.interfaces.FingerprintReader` for the R30x packet protocol.

    Args:
        name: The configured device name, used in errors.
        url: What ``serial.serial_for_url`` opens.
        baudrate: Line speed the module is expected at; the module default is 57600 (a pty
            ignores it; the simulator paces its output by its own rate).
        target_baudrate: Line speed to switch the module to on open (SetSysPara 4), e.g.
            115200; None keeps the module's rate. See the module docstring.
        target_packet_size: Data packet size to set on open (SetSysPara 6), e.g. 256 (4 % fewer
            bytes on the wire than 128); None keeps the module's size.
        address: Module address, default ``0xFFFFFFFF``.
        password: VfyPwd password, default 0.
        packet_size: Expected data packet size; the module's own ReadSysPara value wins.
        reply_timeout: Time allowed for each acknowledge.
        poll_interval: Pause between GenImg polls while no finger is on the sensor (each
            poll is a 24-byte round trip; the finger's arrival is noticed within it).
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
        poll_interval: float = 0.02,
        backoff_initial: float = 0.2,
        backoff_max: float = 5.0,
        target_baudrate: int | None = None,
        target_packet_size: int | None = None,
        opener: Opener = serial.serial_for_url,
    ) -> None:
        sizes = sorted(PACKET_SIZES.values())
        if packet_size not in sizes or target_packet_size not in (None, *sizes):
            raise ValueError(f"packet sizes must be one of {sizes}")
        if target_baudrate is not None:
            baud_multiplier(target_baudrate)
        self.name = name
        self.baudrate = baudrate
        self.target_baudrate = target_baudrate
        self.target_packet_size = target_packet_size
        #: Told how an image upload goes (see :class:`TransferProgress`); None: nobody asks.
        self.on_transfer: TransferListener | None = None
        self._reopening = False
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

    @property
    def line_rate(self) -> int:
        """The baud rate the port is open at now."""
        return self._link.baudrate

    def _handshake(self) -> None:
        """After every (re)open: find the module, then bring it to the target rate."""
        if self._reopening:  # a reopen at another rate, from inside this method
            self._identify()
            return
        first = self.line_rate
        try:
            self._identify()
        except _WRONG_RATE:
            # Silence or garbage may be a module still at the rate an earlier switch left in
            # its flash: try the other rate before giving up.
            others = [r for r in (self.target_baudrate, self.baudrate)
                      if r is not None and r != first]
            if not any(self._reopen_at(rate) for rate in others):
                self._link.baudrate = first
                raise
            log.info("%s: module found at %d baud", self.name, self.line_rate)
        self._negotiate()

    def _negotiate(self) -> None:
        """Bring the module to ``target_packet_size`` and ``target_baudrate`` (module doc)."""
        self._set_packet_size()
        target, before, params = self.target_baudrate, self.line_rate, self.system_parameters
        if target is None or params is None or target == before == params.baudrate:
            return
        code, _ = self._transact(Instruction.SET_SYS_PARA,
                                 bytes([BAUD_PARAMETER, baud_multiplier(target)]))
        if code != 0:
            log.warning("%s: module refused %d baud (%s); staying at %d baud",
                        self.name, target, status_name(code), before)
            return
        # The module acknowledges at the old rate and listens at the new one from then on.
        time.sleep(self._settle_s)
        if self._reopen_at(target):
            log.info("%s: switched from %d to %d baud", self.name, before, target)
            return
        log.warning("%s: module not heard at %d baud after the switch; back to %d baud",
                    self.name, target, before)
        if not self._reopen_at(before):
            raise DeviceTimeoutError(self.name, f"no reply at {target} or {before} baud")

    def _set_packet_size(self) -> None:
        """SetSysPara 6 to ``target_packet_size``; a module that refuses keeps its own."""
        size, params = self.target_packet_size, self.system_parameters
        if size is None or params is None or params.packet_size == size:
            return
        code_of = {payload: code for code, payload in PACKET_SIZES.items()}
        code, _ = self._transact(Instruction.SET_SYS_PARA,
                                 bytes([PACKET_SIZE_PARAMETER, code_of[size]]))
        if code != 0:
            log.warning("%s: module refused %d-byte packets (%s); keeping %d",
                        self.name, size, status_name(code), params.packet_size)
            return
        self._identify()  # the module's own report of what it streams in now

    #: Pause after the baud-rate acknowledge before the port is reopened at the new rate.
    _settle_s = 0.02

    def _reopen_at(self, rate: int) -> bool:
        """Reopen the port at ``rate`` and identify the module there; False when it is silent
        or garbled (the port is then closed; the caller reopens it at another rate)."""
        self._link.baudrate = rate
        self._reopening = True
        try:
            self._link.open()
        except (*_WRONG_RATE, DeviceNotFoundError):
            return False
        finally:
            self._reopening = False
        return True

    def _identify(self) -> None:
        """VfyPwd and ReadSysPara at the line rate now."""
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
        """Time the whole image stream takes on the wire at the line rate now."""
        return wire_seconds(IMAGE_BYTES, self.packet_size, self.line_rate)

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
        capture may return after ``timeout``. Returns None when no finger came. While the
        image is uploaded, :attr:`on_transfer` hears how far it is.
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

    def _tell(self, received: int) -> None:
        listener = self.on_transfer
        if listener is not None:
            left = wire_seconds(IMAGE_BYTES - received, self.packet_size, self.line_rate)
            listener(TransferProgress(received, IMAGE_BYTES, left if received < IMAGE_BYTES
                                      else 0.0))

    def _upload_image(self) -> bytes:
        self._expect_ok(Instruction.UP_IMAGE)
        self._tell(0)
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
            self._tell(len(data))
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
            extra = {"packet_size": str(self.packet_size), "line_rate": str(self.line_rate)}
            if params is not None:
                extra["baudrate"] = str(params.baudrate)
                extra["library_size"] = str(params.library_size)
            return Health(True, "R30x module answering", latency, extra=extra)
        except DeviceError as exc:
            latency = (time.monotonic() - start) * 1000
            return Health(False, exc.staff_message, latency, code=exc.code)

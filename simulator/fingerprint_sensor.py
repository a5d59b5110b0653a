"""Simulated R30x fingerprint module on a pty: answers the packet protocol, streams 4-bit images.

Like the module, it changes its line rate with SetSysPara parameter 4 (N x 9600 baud): the
acknowledge goes out at the old rate, everything after it at the new one (paced accordingly),
and the rate survives a replug (the module keeps it in flash). With ``line_speed_check`` it
also hears only a host whose port is set to its rate (read from the pty's termios), as a real
module hears only garbage from a host at another rate.
"""

from __future__ import annotations

import contextlib
import termios
import threading
import time
from collections.abc import Iterable, Mapping

import numpy as np
from numpy.typing import NDArray

from drivers.codec import FrameError
from drivers.r30x_protocol import (
    CODE,
    PACKET_SIZES,
    READY_BYTE,
    Instruction,
    Packet,
    PacketDecoder,
    Pid,
    SystemParameters,
    ack,
    data_packets,
    pack_image,
)
from simulator.faults import FaultSpec, ScriptStep, param_int
from simulator.models import R30xModel, load_model
from simulator.serial_device import COMMON_FAULTS, SimulatedSerialDevice

#: Faults of the simulated module. ``skip`` counts packets of the reply to leave intact first
#: (the acknowledge is packet 0, image data packets follow).
R30X_FAULTS = {
    **COMMON_FAULTS,
    "truncate": FaultSpec(
        "cut reply packet `skip` (default 0) to `keep` bytes (default half) and drop the rest"
    ),
    "garbage": FaultSpec("send `count` (default 8) random bytes before the next reply"),
    "bad_checksum": FaultSpec("corrupt the checksum of reply packet `skip` (default 0)"),
    "refuse": FaultSpec(
        "answer `instruction` (name, e.g. UP_IMAGE; default any) with confirmation `code`"
    ),
}


def fit_to_sensor(
    image: NDArray[np.uint8], rows: int, cols: int, background: int
) -> NDArray[np.uint8]:
    """Centre ``image`` on the sensor: crop what is larger, pad what is smaller, 4-bit levels."""
    grey = np.asarray(image)
    if grey.ndim == 3:
        grey = grey.mean(axis=2)
    grey = np.clip(grey, 0, 255).astype(np.uint8)
    out = np.full((rows, cols), background, dtype=np.uint8)
    h, w = min(rows, grey.shape[0]), min(cols, grey.shape[1])
    sy, sx = (grey.shape[0] - h) // 2, (grey.shape[1] - w) // 2
    dy, dx = (rows - h) // 2, (cols - w) // 2
    out[dy : dy + h, dx : dx + w] = grey[sy : sy + h, sx : sx + w]
    return np.asarray(out & 0xF0, dtype=np.uint8)  # the module keeps 4 bits per pixel


#: termios speed constants of the rates an R30x runs at (N x 9600), by constant.
_SPEEDS = {getattr(termios, f"B{9600 * n}"): 9600 * n
           for n in range(1, 13) if hasattr(termios, f"B{9600 * n}")}


class SimulatedR30x(SimulatedSerialDevice):
    """An R30x-family module speaking the packet protocol on a pty.

    Args:
        description: The model (see :func:`simulator.models.load_model`).
        name: Name of the stable symlink; defaults to the model name.
        pacing: Override the model's pacing (False for fast tests).
        baud: Override the model's baud rate.
        script: Scripted faults (events: ``command:<INSTRUCTION>``, e.g. ``command:UP_IMAGE``,
            and ``place``).
        seed: Seed of the fault randomness.
        line_speed_check: Ignore commands while the host's port is set to another rate.
    """

    def __init__(
        self,
        description: R30xModel,
        *,
        name: str | None = None,
        pacing: bool | None = None,
        baud: int | None = None,
        script: Iterable[ScriptStep | Mapping[str, object]] = (),
        seed: int = 0,
        line_speed_check: bool = False,
    ) -> None:
        super().__init__(
            name or description.model,
            R30X_FAULTS,
            baud=baud or description.link.baud,
            pacing=description.link.pacing if pacing is None else pacing,
            script=(*description.script, *script),
            seed=seed,
        )
        self.description = description
        p = description.params
        self._params = SystemParameters(
            p.status_register,
            p.system_id,
            p.library_size,
            p.security_level,
            p.address,
            p.packet_size_code,
            max(1, min(12, self.baud // 9600)),
        )
        self.line_speed_check = line_speed_check
        self._new_baud: int | None = None
        self._decoder = PacketDecoder(address=None)
        self._finger: NDArray[np.uint8] | None = None
        self._image: NDArray[np.uint8] | None = None
        self._verified = p.password == 0

    @classmethod
    def from_model(
        cls,
        model: str = "r307",
        *,
        name: str | None = None,
        pacing: bool | None = None,
        baud: int | None = None,
        script: Iterable[ScriptStep | Mapping[str, object]] = (),
        seed: int = 0,
        line_speed_check: bool = False,
    ) -> SimulatedR30x:
        """A module of a described model, e.g. ``from_model("r307", pacing=False)``."""
        description = load_model(model)
        if not isinstance(description, R30xModel):
            raise ValueError(f"{model} is not an R30x model")
        return cls(description, name=name, pacing=pacing, baud=baud, script=script, seed=seed,
                   line_speed_check=line_speed_check)

    # -- the citizen's side ------------------------------------------------------------------

    def place(self, image: NDArray[np.uint8]) -> None:
        """A finger lies on the sensor; ``image`` is any-size 8-bit grey (ridges dark)."""
        s = self.description.sensor
        self._finger = fit_to_sensor(image, s.rows, s.cols, s.background)
        self._event("place")

    def lift(self) -> None:
        """The finger is lifted."""
        self._finger = None

    @property
    def finger_present(self) -> bool:
        """True while a finger lies on the sensor."""
        return self._finger is not None

    # -- the host's side ---------------------------------------------------------------------

    def host_baud(self) -> int | None:
        """The rate the host's port is set to (None when unknown: unplugged, odd speed)."""
        slave = self._slave
        if slave is None:
            return None
        with contextlib.suppress(termios.error, OSError):
            return _SPEEDS.get(termios.tcgetattr(slave)[5])
        return None

    def handle(self, data: bytes) -> None:
        """Answer every complete command packet; a corrupt one gets ``packet_receive_error``."""
        if self.line_speed_check and self.host_baud() not in (None, self.baud):
            # At the wrong rate the module samples garbage: no packet, no answer.
            self._event("line_speed_mismatch")
            self._decoder.reset()
            return
        for event in self._decoder.feed(data):
            if isinstance(event, FrameError):
                if event.reason == "bad_checksum":
                    self._reply([ack(CODE["packet_receive_error"], address=self._params.address)])
            elif event.address == self._params.address and event.pid == Pid.COMMAND:
                self._command(event)

    def _command(self, packet: Packet) -> None:
        if not packet.payload:
            return
        code = packet.payload[0]
        name = Instruction(code).name if code in Instruction._value2member_map_ else f"0x{code:02x}"
        self._event(f"command:{name}")
        if not self.plugged or self._silent(f"{name} not answered"):
            return
        self._delay(self.description.timing.reply_delay)
        refuse = self._faults.peek("refuse")
        if refuse is not None and refuse.get("instruction", name) == name:
            self._faults.take("refuse", name)
            self._reply([self._ack(param_int(refuse, "code", CODE["packet_receive_error"]))])
            return
        self._reply(self._answer(code, packet.payload[1:]))
        if self._new_baud is not None:
            # The acknowledge leaves at the old rate; the module listens at the new one after.
            self.wait_sent(1.0)
            self.baud, self._new_baud = self._new_baud, None

    def _ack(self, code: int, data: bytes = b"") -> bytes:
        return ack(code, data, self._params.address)

    def _answer(self, code: int, args: bytes) -> list[bytes]:
        if code == Instruction.VFY_PWD:
            self._verified = int.from_bytes(args[:4], "big") == self.description.params.password
            return [self._ack(0 if self._verified else CODE["wrong_password"])]
        if not self._verified:
            return [self._ack(CODE["password_required"])]
        if code == Instruction.READ_SYS_PARA:
            return [self._ack(0, self._params.encode())]
        if code == Instruction.GEN_IMG:
            if self._finger is None:
                return [self._ack(CODE["no_finger"])]
            time.sleep(self.description.timing.genimg_delay)
            self._image = self._finger
            return [self._ack(0)]
        if code == Instruction.UP_IMAGE:
            if self._image is None:
                return [self._ack(CODE["no_valid_image"])]
            size = PACKET_SIZES[self._params.packet_size_code]
            data = pack_image(self._image)
            return [self._ack(0), *data_packets(data, size, self._params.address)]
        if code == Instruction.SET_SYS_PARA and len(args) >= 2:
            return [self._ack(self._set_parameter(args[0], args[1]))]
        if code == Instruction.ECHO:
            return [self._ack(READY_BYTE)]
        if code == Instruction.SOFT_RESET:
            self._image = None
            self._verified = self.description.params.password == 0
            delay = self.description.timing.ready_delay
            threading.Timer(delay, self.send, args=(bytes([READY_BYTE]),)).start()
            return [self._ack(0)]
        return [self._ack(self.description.unknown_instruction)]

    def _set_parameter(self, number: int, value: int) -> int:
        fields = {4: "baud_multiplier", 5: "security_level", 6: "packet_size_code"}
        limits = {4: range(1, 13), 5: range(1, 6), 6: range(0, 4)}
        if number not in fields or value not in limits[number]:
            return CODE["invalid_register"]
        values = self._params.__dict__ | {fields[number]: value}
        self._params = SystemParameters(**values)
        if number == 4:
            self._new_baud = value * 9600
        return 0

    def _reply(self, packets: list[bytes]) -> None:
        """Send a reply's packets (one traffic entry each), with any frame faults applied."""
        if (p := self._faults.peek("bad_checksum")) is not None:
            skip = param_int(p, "skip", 0)
            if skip < len(packets):
                self._faults.take("bad_checksum", f"reply packet {skip}")
                bad = packets[skip]
                packets[skip] = bad[:-1] + bytes([bad[-1] ^ 0xFF])
        if (p := self._faults.peek("truncate")) is not None:
            skip = param_int(p, "skip", 0)
            if skip < len(packets):
                self._faults.take("truncate", f"reply packet {skip}")
                cut = packets[skip]
                packets = [*packets[:skip], cut[: param_int(p, "keep", len(cut) // 2)]]
        garbage = self._garbage()
        if garbage:
            self.send(garbage)
        for packet in packets:
            self.send(packet)

    def on_plug(self, plugged: bool) -> None:
        """Power follows the cable: a replugged module starts afresh."""
        super().on_plug(plugged)
        self._decoder.reset()
        self._image = None
        self._verified = self.description.params.password == 0

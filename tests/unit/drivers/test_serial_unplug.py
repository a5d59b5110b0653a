"""A serial device unplugged between commands is a disconnection, never a raw termios/OS error.

Two kinds of evidence: a real pty whose other end goes away (what a pulled USB-serial cable
looks like to pyserial: ``tcflush`` raises ``termios.error``, reads ``SerialException``, the
``in_waiting`` ioctl ``OSError``), and a fake port that raises each of those from each call.
"""

from __future__ import annotations

import os
import pty
import termios
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import serial

from drivers.errors import DeviceDisconnectedError, DeviceNotFoundError
from drivers.mrz_scanner import SerialDocumentScanner
from drivers.r30x import R30xFingerprintReader
from drivers.r30x_protocol import Instruction, SystemParameters, ack, command
from drivers.serial_link import SerialLink
from simulator.fingerprint_sensor import SimulatedR30x
from simulator.scanner import SimulatedScanner
from tests.helpers.scripted_serial import Exchange, Opener, ScriptedSerial

VFY = command(Instruction.VFY_PWD, b"\0\0\0\0")
SYS = command(Instruction.READ_SYS_PARA)
GEN = command(Instruction.GEN_IMG)
HANDSHAKE: list[Exchange] = [(VFY, ack(0)), (SYS, ack(0, SystemParameters().encode()))]

#: What pyserial lets escape from a vanished port, by call.
UNPLUG_ERRORS: list[Exception] = [
    termios.error(5, "Input/output error"),
    OSError(5, "Input/output error"),
    serial.SerialException("device reports readiness to read but returned no data"),
]


class Pty:
    """A pty pair: pyserial opens the slave's path; :meth:`pull` closes both ends under it."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        self.path = os.ttyname(self.slave)
        self.pulled = False

    def pull(self) -> None:
        if not self.pulled:
            self.pulled = True
            os.close(self.master)
            os.close(self.slave)


@pytest.fixture
def cable() -> Iterator[Pty]:
    pair = Pty()
    yield pair
    pair.pull()


def opened_link(path: str) -> SerialLink:
    link = SerialLink("fingerprint", path, baudrate=57600, backoff_initial=0.0)
    link.open()
    return link


# -- a real pty that goes away ---------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda link: link.discard_input(), id="discard_input"),
        pytest.param(lambda link: link.write(b"\xef\x01"), id="write"),
        pytest.param(lambda link: link.read(), id="read"),
    ],
)
def test_every_call_on_a_pulled_pty_is_a_disconnection(
    cable: Pty, call: Callable[[SerialLink], object]
) -> None:
    link = opened_link(cable.path)
    cable.pull()
    with pytest.raises(DeviceDisconnectedError) as info:
        call(link)
    assert info.value.code == "device_disconnected"
    assert not link.is_open
    link.close()  # after the unplug: nothing to raise


def test_close_after_pull_never_raises(cable: Pty) -> None:
    link = opened_link(cable.path)
    cable.pull()
    link.close()
    link.close()
    assert not link.is_open


def test_reopening_a_pulled_pty_is_not_found(cable: Pty) -> None:
    link = opened_link(cable.path)
    cable.pull()
    link.close()
    with pytest.raises((DeviceNotFoundError, DeviceDisconnectedError)):
        link.open()


def test_r30x_unplugged_between_commands() -> None:
    sim = SimulatedR30x.from_model("r307", pacing=False)
    try:
        reader = R30xFingerprintReader(
            "fingerprint", sim.start(), sim.baud, reply_timeout=0.5, backoff_initial=0.05
        )
        reader.open()
        assert reader.capture(timeout=0.05) is None  # a working exchange first
        sim.unplug()
        with pytest.raises(DeviceDisconnectedError):
            reader.capture(timeout=0.05)
        assert reader.probe().code in ("device_disconnected", "device_not_found")
        with pytest.raises(DeviceDisconnectedError):
            reader.finger_present()
        reader.close()
        reader.close()
    finally:
        sim.stop()


def test_scanner_unplugged_between_documents() -> None:
    sim = SimulatedScanner.from_model("mrz-plain", pacing=False)
    try:
        scanner = SerialDocumentScanner(
            "scanner", sim.start(), sim.framing, sim.baud, backoff_initial=0.05
        )
        scanner.open()
        assert scanner.read_document(timeout=0.05) is None
        sim.unplug()
        with pytest.raises(DeviceDisconnectedError):
            scanner.read_document(timeout=0.2)
        assert not scanner.probe().ok
        scanner.close()
    finally:
        sim.stop()


# -- a fake port raising what a vanished port raises, from each call --------------------------


class FailingPort(ScriptedSerial):
    """A scripted port whose ``method`` raises ``error`` once ``armed``."""

    def __init__(self, exchanges: list[Exchange], method: str, error: Exception) -> None:
        super().__init__(exchanges)
        self.method, self.error, self.armed = method, error, False

    def _maybe_fail(self, method: str) -> None:
        if self.armed and self.method == method:
            raise self.error

    def write(self, data: bytes) -> int:
        self._maybe_fail("write")
        return super().write(data)

    def flush(self) -> None:
        self._maybe_fail("flush")

    @property
    def in_waiting(self) -> int:
        self._maybe_fail("in_waiting")
        return len(self._in)

    def read(self, size: int = 1) -> bytes:
        self._maybe_fail("read")
        return super().read(size)

    def reset_input_buffer(self) -> None:
        self._maybe_fail("reset_input_buffer")
        super().reset_input_buffer()

    def close(self) -> None:
        super().close()
        self._maybe_fail("close")


METHODS = ["reset_input_buffer", "write", "flush", "in_waiting", "read"]


def error_id(error: Any) -> str:
    return type(error).__name__


@pytest.mark.parametrize("error", UNPLUG_ERRORS, ids=error_id)
@pytest.mark.parametrize("method", METHODS)
def test_r30x_turns_every_port_failure_into_a_disconnection(method: str, error: Exception) -> None:
    port = FailingPort([*HANDSHAKE, (GEN, ack(0x02))], method, error)
    reader = R30xFingerprintReader(
        "fingerprint", "/dev/ttyFP", opener=Opener(port), reply_timeout=0.05, backoff_initial=0.0
    )
    reader.open()
    port.armed = True
    with pytest.raises(DeviceDisconnectedError):
        reader.capture(timeout=0.0)
    assert not port.is_open
    reader.close()


@pytest.mark.parametrize("error", UNPLUG_ERRORS, ids=error_id)
@pytest.mark.parametrize("method", ["in_waiting", "read"])
def test_scanner_turns_every_port_failure_into_a_disconnection(
    method: str, error: Exception
) -> None:
    port = FailingPort([], method, error)
    gone = serial.SerialException("could not open port /dev/ttyMRZ")
    scanner = SerialDocumentScanner(
        "scanner", "/dev/ttyMRZ", opener=Opener(port, gone), backoff_initial=0.0
    )
    scanner.open()
    port.armed = True
    with pytest.raises(DeviceDisconnectedError):
        scanner.read_document(timeout=0.05)
    health = scanner.probe()
    assert not health.ok and health.code == "device_disconnected"
    scanner.close()


@pytest.mark.parametrize("error", [*UNPLUG_ERRORS, RuntimeError("driver bug")], ids=error_id)
def test_close_never_raises_even_when_the_port_does(error: Exception) -> None:
    port = FailingPort(HANDSHAKE, "close", error)
    reader = R30xFingerprintReader("fingerprint", "/dev/ttyFP", opener=Opener(port))
    reader.open()
    port.armed = True
    reader.close()
    assert not reader._link.is_open


@pytest.mark.parametrize("error", UNPLUG_ERRORS, ids=error_id)
def test_opening_a_missing_port_is_not_found(error: Exception) -> None:
    with pytest.raises(DeviceNotFoundError):
        SerialDocumentScanner("scanner", "/dev/ttyMRZ", opener=Opener(error)).open()


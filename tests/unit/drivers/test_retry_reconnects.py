"""A retry the citizen asks for (``device.open()``) reconnects at once, whatever the backoff.

Each driver is given a reconnect backoff far longer than any test runs, so a driver that still
waited for it would fail the retry instead of reconnecting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import serial

from drivers.camera import OpenCvCamera
from drivers.errors import DeviceDisconnectedError, DeviceError, DeviceNotFoundError
from drivers.mrz_scanner import SerialDocumentScanner
from drivers.r30x import R30xFingerprintReader
from drivers.r30x_protocol import Instruction, SystemParameters, ack, command
from simulator.camera.server import SimulatedCamera
from tests.helpers.scripted_serial import Exchange, Opener, ScriptedSerial

LONG = 600.0  # a backoff no test waits out

VFY = command(Instruction.VFY_PWD, b"\0\0\0\0")
SYS = command(Instruction.READ_SYS_PARA)
GEN = command(Instruction.GEN_IMG)
HANDSHAKE: list[Exchange] = [(VFY, ack(0)), (SYS, ack(0, SystemParameters().encode()))]
LOST = serial.SerialException("read failed: [Errno 5] Input/output error")
MISSING = serial.SerialException("could not open port: No such file or directory")


@pytest.fixture
def no_sleeping(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any wait for the serial link's backoff."""

    def refuse(seconds: float) -> None:
        raise AssertionError(f"waited {seconds:.1f} s for the backoff")

    monkeypatch.setattr("drivers.serial_link.time.sleep", refuse)


def fingerprint_reader(*ports: ScriptedSerial | BaseException) -> R30xFingerprintReader:
    return R30xFingerprintReader(
        "fingerprint",
        "/dev/ttyFP",
        opener=Opener(*ports),
        reply_timeout=0.05,
        poll_interval=0.0,
        backoff_initial=LONG,
        backoff_max=LONG,
    )


@pytest.mark.usefixtures("no_sleeping")
def test_r30x_retry_reconnects_during_the_backoff() -> None:
    back = ScriptedSerial([*HANDSHAKE, (GEN, ack(0x02))])
    reader = fingerprint_reader(ScriptedSerial([*HANDSHAKE, (GEN, LOST)]), MISSING, back)
    reader.open()
    with pytest.raises(DeviceDisconnectedError):
        reader.capture(timeout=1.0)
    # Without a retry the reader waits out its backoff: no reopen attempt yet.
    with pytest.raises(DeviceDisconnectedError, match="reconnecting in"):
        reader.capture(timeout=1.0)
    # The citizen retries while the reader is still unplugged: a named error, no wait.
    with pytest.raises(DeviceNotFoundError):
        reader.open()
    # ...and again once it is back: reconnected and handshaken at once.
    reader.open()
    assert reader.capture(timeout=0.0) is None
    assert back.written == [VFY, SYS, GEN]


@pytest.mark.usefixtures("no_sleeping")
def test_r30x_retry_starts_the_backoff_afresh() -> None:
    reader = R30xFingerprintReader(
        "fingerprint",
        "/dev/ttyFP",
        opener=Opener(ScriptedSerial([*HANDSHAKE, (GEN, LOST)]), MISSING, MISSING),
        reply_timeout=0.05,
        backoff_initial=100.0,
        backoff_max=1000.0,
    )
    reader.open()
    with pytest.raises(DeviceDisconnectedError):
        reader.capture(timeout=1.0)
    for _ in range(2):
        with pytest.raises(DeviceNotFoundError):
            reader.open()
        # Each failed retry leaves only the first backoff step pending, not a doubled one.
        assert reader._link._backoff == 200.0


@pytest.mark.usefixtures("no_sleeping")
def test_scanner_retry_reconnects_during_the_backoff() -> None:
    first = ScriptedSerial([])
    back = ScriptedSerial([])
    scanner = SerialDocumentScanner(
        "scanner", "/dev/ttyMRZ", opener=Opener(first, back), backoff_initial=LONG
    )
    scanner.open()
    first._error = LOST  # the next read finds the cable pulled
    with pytest.raises(DeviceDisconnectedError):
        scanner.read_document(timeout=0.05)
    with pytest.raises(DeviceDisconnectedError, match="reconnecting in"):
        scanner.read_document(timeout=0.05)
    scanner.open()
    assert not first.is_open and back.is_open
    assert back.opened_with["baudrate"] == 9600


# -- the camera ------------------------------------------------------------------------------


class Source:
    """A camera that can be unplugged: while it is, opening fails and reads fail at once."""

    def __init__(self) -> None:
        self.plugged = True
        self.opened = 0
        self.lock = threading.Lock()

    def factory(self, *args: Any) -> FakeCapture:
        with self.lock:
            self.opened += 1
        return FakeCapture(self)


class FakeCapture:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.open = source.plugged
        self.rng = np.random.default_rng(0)

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return self.open

    def read(self) -> tuple[bool, np.ndarray | None]:
        time.sleep(0.005)
        if not (self.open and self.source.plugged):
            return False, None
        return True, self.rng.integers(0, 256, (36, 64, 3), dtype=np.uint8)

    def get(self, prop: int) -> float:
        return 0.0

    def set(self, prop: int, value: float) -> bool:
        return True

    def release(self) -> None:
        self.open = False


def fake_camera(source: Source) -> OpenCvCamera:
    return OpenCvCamera(
        "camera",
        "http://camera.invalid/stream",
        open_timeout=5.0,
        min_backoff=LONG,
        max_backoff=LONG,
        capture_factory=source.factory,
    )


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_camera_retry_reconnects_during_the_backoff() -> None:
    source = Source()
    cam = fake_camera(source)
    cam.open()
    try:
        source.plugged = False
        assert wait_until(lambda: cam.status().state == "reconnecting")
        with pytest.raises(DeviceDisconnectedError):
            cam.raise_if_failed()
        source.plugged = True  # back, but the capture thread sleeps through its backoff
        cam.open()
        cam.raise_if_failed()  # the retry reconnected: no error left to show
        assert cam.status().ok and cam.latest() is not None
        assert source.opened == 2
    finally:
        cam.close()


def test_camera_retry_while_still_gone_is_a_device_error() -> None:
    source = Source()
    cam = fake_camera(source)
    cam.open()
    try:
        source.plugged = False
        assert wait_until(lambda: cam.status().state == "reconnecting")
        with pytest.raises(DeviceNotFoundError):
            cam.open()
        source.plugged = True
        cam.open()  # the next retry finds it
        assert cam.status().ok
    finally:
        cam.close()


def test_camera_open_on_a_healthy_stream_keeps_it() -> None:
    source = Source()
    cam = fake_camera(source)
    cam.open()
    try:
        first = cam.latest()
        cam.open()
        assert source.opened == 1
        assert wait_until(lambda: (f := cam.latest()) is not None and first is not None
                          and f.index > first.index)
    finally:
        cam.close()


def test_camera_retry_after_replug_on_the_simulated_stream() -> None:
    sim = SimulatedCamera("compliant", width=320, height=180)
    sim.start()
    cam = OpenCvCamera("camera", sim.url, stall_timeout=0.8, min_backoff=LONG, max_backoff=LONG)
    try:
        cam.open()
        sim.unplug()
        assert wait_until(lambda: isinstance(cam.error, DeviceError), timeout=8)
        sim.replug()
        cam.open()
        cam.raise_if_failed()
        assert cam.status().ok
    finally:
        cam.close()
        sim.stop()

"""The pty base: stable symlink, raw bytes both ways, pacing, traffic ring, unplug and replug."""

from __future__ import annotations

import os
import time

import pytest
import serial

from simulator.pty_device import RX, TX, PtyDevice


class Echo(PtyDevice):
    """Answers every chunk with the same bytes reversed."""

    def handle(self, data: bytes) -> None:
        self.send(data[::-1])


@pytest.fixture
def echo():
    device = Echo("echo", baud=57600, pacing=False)
    yield device
    device.stop()


def read_exactly(port: serial.Serial, size: int, timeout: float = 2.0) -> bytes:
    out = b""
    deadline = time.monotonic() + timeout
    while len(out) < size and time.monotonic() < deadline:
        out += port.read(size - len(out))
    return out


def test_stable_symlink_and_raw_bytes(echo: Echo) -> None:
    path = echo.start()
    assert os.path.islink(path) and os.path.basename(path) == "echo"
    with serial.serial_for_url(path, timeout=0.5) as port:
        raw = bytes(range(256))  # control bytes and CR must pass unchanged (raw mode, no echo)
        port.write(raw)
        assert read_exactly(port, 256) == raw[::-1]
    directions = {entry.direction for entry in echo.traffic}
    assert directions == {RX, TX}
    assert b"".join(e.data for e in echo.traffic if e.direction == RX) == raw


def test_unplug_breaks_the_open_port_and_replug_serves_the_same_path(echo: Echo) -> None:
    path = echo.start()
    port = serial.serial_for_url(path, timeout=0.2)
    echo.unplug()
    assert not echo.plugged and not os.path.exists(path)
    with pytest.raises(serial.SerialException):
        port.write(b"x")
        port.read(1)
    port.close()
    with pytest.raises(serial.SerialException):
        serial.serial_for_url(path)
    echo.replug()
    with serial.serial_for_url(path, timeout=0.5) as port:
        port.write(b"ab")
        assert read_exactly(port, 2) == b"ba"


def test_unplug_after_bytes_and_timed_replug(echo: Echo) -> None:
    path = echo.start()
    with serial.serial_for_url(path, timeout=0.5) as port:
        echo.unplug(after_bytes=3, replug_after=0.1)
        port.write(b"abcdef")
        got = b""
        with pytest.raises(serial.SerialException):
            for _ in range(20):
                got += port.read(10)
        # Bytes still in flight when the cable goes may be lost, as on a real pull.
        assert b"fed".startswith(got)
        assert [e.data for e in echo.traffic if e.direction == TX] == [b"fed"]
    time.sleep(0.3)
    assert echo.plugged


def test_pacing_follows_the_baud_rate() -> None:
    device = PtyDevice("paced", baud=9600, pacing=True)
    path = device.start()
    try:
        with serial.serial_for_url(path, timeout=1.0) as port:
            start = time.monotonic()
            device.send(b"x" * 192)  # 192 bytes x 10 bits at 9600 baud = 0.2 s
            assert read_exactly(port, 192) == b"x" * 192
            elapsed = time.monotonic() - start
        # The bytes cannot arrive before the line could carry them (no upper bound: a
        # loaded machine may be slower, which says nothing about the pacing).
        assert elapsed >= 0.18
    finally:
        device.stop()


def test_traffic_ring_is_bounded() -> None:
    device = PtyDevice("ring", baud=9600, pacing=False, traffic_limit=5)
    path = device.start()
    try:
        with serial.serial_for_url(path, timeout=0.1):
            for i in range(20):
                device.send(bytes([i]))
            assert device.wait_sent()
        assert [e.data for e in device.traffic] == [bytes([i]) for i in range(15, 20)]
        device.clear_traffic()
        assert device.traffic == []
    finally:
        device.stop()


def test_stop_removes_the_link() -> None:
    device = PtyDevice("gone", baud=9600)
    path = device.start()
    device.stop()
    assert not os.path.exists(os.path.dirname(path))

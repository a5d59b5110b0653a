"""The R30x driver brings a simulated module to 115200 baud over a real pty, and the module
(which hears only a host at its own rate) keeps the rate across a replug, as flash does."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from drivers.errors import DeviceTimeoutError
from drivers.r30x import R30xFingerprintReader, TransferProgress
from drivers.r30x_protocol import Instruction, command
from simulator.fingerprint_sensor import SimulatedR30x, fit_to_sensor
from simulator.pty_device import RX


def finger() -> np.ndarray:
    y, x = np.mgrid[0:260, 0:220]
    return (128 + 100 * np.sin((x + 0.3 * y) / 4.0)).astype(np.uint8)


def reader(path: str, **kwargs: object) -> R30xFingerprintReader:
    options: dict[str, object] = {"reply_timeout": 0.3, "backoff_initial": 0.05,
                                  "poll_interval": 0.02}
    options.update(kwargs)
    return R30xFingerprintReader("fingerprint", path, 57600, **options)


@pytest.fixture
def module() -> Iterator[SimulatedR30x]:
    sim = SimulatedR30x.from_model("r307", pacing=False, line_speed_check=True)
    yield sim
    sim.stop()


def test_the_driver_switches_the_module_to_115200_and_captures(module: SimulatedR30x) -> None:
    driver = reader(module.start(), target_baudrate=115200)
    driver.open()
    try:
        assert module.baud == 115200 and driver.line_rate == 115200
        assert module.host_baud() == 115200
        assert driver.system_parameters is not None
        assert driver.system_parameters.baudrate == 115200
        sent = [e.data for e in module.traffic if e.direction == RX]
        assert command(Instruction.SET_SYS_PARA, bytes([4, 12])) in sent
        heard: list[TransferProgress] = []
        driver.on_transfer = heard.append
        module.place(finger())
        image = driver.capture(timeout=2.0)
        assert image is not None
        assert np.array_equal(image.pixels, fit_to_sensor(finger(), 288, 256, 255))
        assert heard[0].fraction == 0.0 and heard[-1].fraction == 1.0
    finally:
        driver.close()


def test_256_byte_packets_carry_the_same_image(module: SimulatedR30x) -> None:
    driver = reader(module.start(), target_baudrate=115200, target_packet_size=256)
    driver.open()
    try:
        assert driver.packet_size == 256 and driver.line_rate == 115200
        heard: list[TransferProgress] = []
        driver.on_transfer = heard.append
        module.place(finger())
        image = driver.capture(timeout=2.0)
        assert image is not None
        assert np.array_equal(image.pixels, fit_to_sensor(finger(), 288, 256, 255))
        assert len(heard) == 1 + 144  # UpImage acknowledged, then 144 packets of 256 bytes
    finally:
        driver.close()


def test_a_module_left_at_115200_is_found_by_a_new_driver(module: SimulatedR30x) -> None:
    path = module.start()
    first = reader(path, target_baudrate=115200)
    first.open()
    first.close()
    # The kiosk restarts (and the module is replugged): it starts again at 57600.
    module.unplug()
    module.replug()
    assert module.plugged
    second = reader(path, target_baudrate=115200)
    second.open()
    try:
        assert second.line_rate == 115200 and second.echo()
    finally:
        second.close()


def test_without_a_target_a_module_at_another_rate_is_silent(module: SimulatedR30x) -> None:
    path = module.start()
    first = reader(path, target_baudrate=115200)
    first.open()
    first.close()
    with pytest.raises(DeviceTimeoutError):
        reader(path).open()

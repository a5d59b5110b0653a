"""The real R30x driver against the simulated module over a real pty, with faults and replug."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest

from drivers.errors import (
    DeviceDisconnectedError,
    DeviceProtocolError,
    DeviceRefusedError,
    DeviceTimeoutError,
)
from drivers.r30x import R30xFingerprintReader
from drivers.r30x_protocol import Instruction, command
from simulator.fingerprint_sensor import SimulatedR30x, fit_to_sensor
from simulator.models import load_model
from simulator.pty_device import RX


def finger(seed: int = 1) -> np.ndarray:
    """A ridge-like test pattern, smaller than the sensor so it gets padded."""
    y, x = np.mgrid[0:260, 0:220]
    ridges = 128 + 100 * np.sin((x + 0.3 * y) / 4.0 + seed)
    return ridges.astype(np.uint8)


def connect(sim: SimulatedR30x, **kwargs: object) -> R30xFingerprintReader:
    options = {"reply_timeout": 0.5, "backoff_initial": 0.05, "poll_interval": 0.02}
    options.update(kwargs)
    driver = R30xFingerprintReader("fingerprint", sim.start(), sim.baud, **options)
    driver.open()
    return driver


@pytest.fixture
def sim() -> Iterator[SimulatedR30x]:
    device = SimulatedR30x.from_model("r307", pacing=False)
    yield device
    device.stop()


@pytest.fixture
def driver(sim: SimulatedR30x) -> Iterator[R30xFingerprintReader]:
    reader = connect(sim)
    yield reader
    reader.close()


def test_capture_returns_the_sensor_image(sim, driver) -> None:
    assert driver.system_parameters is not None and driver.packet_size == 128
    assert driver.capture(timeout=0.1) is None  # GenImg answers no_finger
    sim.place(finger())
    image = driver.capture(timeout=2.0)
    assert image is not None and image.ppi == 500
    assert np.array_equal(image.pixels, fit_to_sensor(finger(), 288, 256, 255))
    commands = [e.data for e in sim.traffic if e.direction == RX]
    assert commands[:2] == [
        command(Instruction.VFY_PWD, b"\0\0\0\0"),
        command(Instruction.READ_SYS_PARA),
    ]
    assert commands[-1] == command(Instruction.UP_IMAGE)


def test_probe_echo_and_soft_reset(driver) -> None:
    health = driver.probe()
    assert health.ok and health.extra["baudrate"] == "57600"
    assert driver.echo()
    driver.soft_reset()
    assert driver.probe().ok


def test_refused_upload_names_the_status(sim, driver) -> None:
    sim.place(finger())
    sim.inject("refuse", instruction="UP_IMAGE", code=0x0F)
    with pytest.raises(DeviceRefusedError) as info:
        driver.capture(timeout=1.0)
    assert info.value.status == "image_upload_failure"
    assert driver.capture(timeout=1.0) is not None


@pytest.mark.parametrize(
    ("fault", "params", "match"),
    [
        ("bad_checksum", {"skip": 5}, "bad_checksum"),
        ("truncate", {"skip": 100, "keep": 20}, "truncated packet|stopped after"),
        ("garbage", {"count": 6}, "garbage"),
    ],
)
def test_broken_frames_are_protocol_errors_and_the_next_capture_works(
    sim, driver, fault, params, match
) -> None:
    sim.place(finger())
    # GenImg's acknowledge is reply packet 0; the fault must hit the UpImage stream.
    sim.load_script([{"on": "command:UP_IMAGE", "fault": fault, "params": params}])
    with pytest.raises(DeviceProtocolError, match=match):
        driver.capture(timeout=1.0)
    assert driver.capture(timeout=1.0) is not None
    assert [m.fault for m in sim.faults_met] == [fault]


def test_silent_module_times_out_then_recovers(sim, driver) -> None:
    sim.inject("silent")
    with pytest.raises(DeviceTimeoutError):
        driver.capture(timeout=1.0)
    assert driver.probe().code == "device_timeout"
    sim.clear("silent")
    assert driver.probe().ok


def test_pulled_mid_capture_then_recovers_after_replug(sim, driver) -> None:
    sim.place(finger())
    sim.load_script(
        [{"on": "command:UP_IMAGE", "fault": "unplug", "params": {"after_bytes": 5000}}]
    )
    with pytest.raises(DeviceDisconnectedError):
        driver.capture(timeout=1.0)
    assert not driver.probe().ok
    sim.replug()
    time.sleep(0.1)  # let the backoff pass
    image = driver.capture(timeout=2.0)  # reopens the port and redoes the handshake
    assert image is not None and image.pixels.shape == (288, 256)


def test_timed_replug_from_a_script(sim, driver) -> None:
    sim.place(finger())
    sim.load_script(
        [
            {
                "on": "command:UP_IMAGE",
                "fault": "unplug",
                "params": {"after_bytes": 1000, "replug_after": 0.2},
            }
        ]
    )
    with pytest.raises(DeviceDisconnectedError):
        driver.capture(timeout=1.0)
    deadline = time.monotonic() + 3.0
    image = None
    while image is None and time.monotonic() < deadline:
        try:
            image = driver.capture(timeout=1.0)
        except DeviceDisconnectedError:
            time.sleep(0.05)
    assert image is not None


def test_wrong_password_is_refused() -> None:
    model = load_model("r307")
    model = model.model_copy(update={"params": model.params.model_copy(update={"password": 42})})
    sim = SimulatedR30x(model, pacing=False)
    try:
        with pytest.raises(DeviceRefusedError) as info:
            connect(sim)
        assert info.value.status == "wrong_password"
        connect(sim, password=42).close()
    finally:
        sim.stop()


def test_paced_transfer_takes_wire_time() -> None:
    sim = SimulatedR30x.from_model("r307", baud=460800)
    try:
        driver = connect(sim)
        sim.place(finger())
        start = time.monotonic()
        assert driver.capture(timeout=2.0) is not None
        elapsed = time.monotonic() - start
        wire = 288 * (128 + 11) * 10 / 460800
        # Pacing holds the bytes to the line speed: never faster than the wire (how much
        # slower depends on the machine's load, so no upper bound here).
        assert wire <= elapsed
        driver.close()
    finally:
        sim.stop()

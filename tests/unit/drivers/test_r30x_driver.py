"""R30x driver against scripted exchanges: exact bytes out, named errors for every failure."""

from __future__ import annotations

import numpy as np
import pytest
import serial

from drivers.errors import (
    DeviceDisconnectedError,
    DeviceNotFoundError,
    DeviceProtocolError,
    DeviceRefusedError,
    DeviceTimeoutError,
)
from drivers.interfaces import FingerprintReader
from drivers.r30x import R30xFingerprintReader
from drivers.r30x_protocol import (
    IMAGE_BYTES,
    Instruction,
    SystemParameters,
    ack,
    command,
    data_packets,
    pack_image,
)
from tests.helpers.scripted_serial import Exchange, Opener, ScriptedSerial

VFY = command(Instruction.VFY_PWD, b"\0\0\0\0")
SYS = command(Instruction.READ_SYS_PARA)
GEN = command(Instruction.GEN_IMG)
UP = command(Instruction.UP_IMAGE)
PARAMS = SystemParameters()
HANDSHAKE: list[Exchange] = [(VFY, ack(0)), (SYS, ack(0, PARAMS.encode()))]


def reader(*ports: ScriptedSerial | BaseException, **kwargs: object) -> R30xFingerprintReader:
    options = {"reply_timeout": 0.05, "poll_interval": 0.0, "backoff_initial": 0.0}
    options.update(kwargs)
    return R30xFingerprintReader("fingerprint", "/dev/ttyFP", opener=Opener(*ports), **options)


def image_reply(pixels: np.ndarray) -> bytes:
    return ack(0) + b"".join(data_packets(pack_image(pixels), 128))


def test_open_sends_vfypwd_then_readsyspara() -> None:
    port = ScriptedSerial(HANDSHAKE)
    device = reader(port)
    device.open()
    assert port.written == [VFY, SYS]
    assert port.opened_with["baudrate"] == 57600
    assert device.system_parameters == PARAMS
    assert isinstance(device, FingerprintReader)


def test_password_and_address_go_into_the_packets() -> None:
    vfy = command(Instruction.VFY_PWD, bytes.fromhex("01020304"), address=0x0A0B0C0D)
    port = ScriptedSerial([(vfy, ack(0x13, address=0x0A0B0C0D))])
    with pytest.raises(DeviceRefusedError) as info:
        reader(port, password=0x01020304, address=0x0A0B0C0D).open()
    assert info.value.status == "wrong_password"


def test_capture_polls_genimg_then_uploads_the_image() -> None:
    pixels = (np.arange(288 * 256).reshape(288, 256) % 256).astype(np.uint8)
    no_finger = (GEN, ack(0x02))
    exchanges = [no_finger, no_finger, (GEN, ack(0)), (UP, image_reply(pixels))]
    port = ScriptedSerial([*HANDSHAKE, *exchanges])
    device = reader(port)
    device.open()
    image = device.capture(timeout=1.0)
    assert image is not None and image.ppi == 500
    assert image.pixels.shape == (288, 256) and image.pixels.dtype == np.uint8
    assert np.array_equal(image.pixels, pixels & 0xF0)
    assert port.written[2:] == [GEN, GEN, GEN, UP]


def test_capture_without_finger_returns_none() -> None:
    port = ScriptedSerial([*HANDSHAKE] + [(GEN, ack(0x02))] * 500)
    device = reader(port, poll_interval=0.01)
    device.open()
    assert device.capture(timeout=0.05) is None


@pytest.mark.parametrize(
    ("code", "status"), [(0x03, "image_capture_failure"), (0x01, "packet_receive_error")]
)
def test_genimg_failure_is_refused_with_status(code: int, status: str) -> None:
    device = reader(ScriptedSerial([*HANDSHAKE, (GEN, ack(code))]))
    device.open()
    with pytest.raises(DeviceRefusedError) as info:
        device.capture(timeout=1.0)
    assert info.value.status == status and info.value.code == "device_refused"


def test_upimage_refused() -> None:
    device = reader(ScriptedSerial([*HANDSHAKE, (GEN, ack(0)), (UP, ack(0x0F))]))
    device.open()
    with pytest.raises(DeviceRefusedError) as info:
        device.capture(timeout=1.0)
    assert info.value.status == "image_upload_failure"


def test_bad_checksum_is_a_protocol_error() -> None:
    bad = ack(0)[:-1] + b"\x00"
    with pytest.raises(DeviceProtocolError, match="bad_checksum"):
        reader(ScriptedSerial([(VFY, bad)])).open()


def test_garbage_is_a_protocol_error() -> None:
    with pytest.raises(DeviceProtocolError, match="garbage"):
        reader(ScriptedSerial([(VFY, b"\x13\x37" + ack(0))])).open()


def test_no_reply_is_a_timeout() -> None:
    with pytest.raises(DeviceTimeoutError):
        reader(ScriptedSerial([(VFY, b"")])).open()


def test_half_a_reply_is_a_protocol_error() -> None:
    with pytest.raises(DeviceProtocolError, match="truncated"):
        reader(ScriptedSerial([(VFY, ack(0)[:7])])).open()


def test_image_stream_cut_short_is_a_protocol_error() -> None:
    reply = image_reply(np.zeros((288, 256), np.uint8))
    device = reader(ScriptedSerial([*HANDSHAKE, (GEN, ack(0)), (UP, reply[: len(reply) // 2])]))
    device.open()
    with pytest.raises(DeviceProtocolError, match="truncated packet in UpImage packet 144"):
        device.capture(timeout=1.0)


def test_image_stream_stopping_between_packets_is_a_protocol_error() -> None:
    reply = image_reply(np.zeros((288, 256), np.uint8))
    device = reader(ScriptedSerial([*HANDSHAKE, (GEN, ack(0)), (UP, reply[: 12 + 139 * 10])]))
    device.open()
    with pytest.raises(DeviceProtocolError, match="stopped after 10 of 288 packets"):
        device.capture(timeout=1.0)


def test_image_of_the_wrong_size_is_a_protocol_error() -> None:
    reply = ack(0) + b"".join(data_packets(bytes(IMAGE_BYTES - 128), 128))
    device = reader(ScriptedSerial([*HANDSHAKE, (GEN, ack(0)), (UP, reply)]))
    device.open()
    with pytest.raises(DeviceProtocolError, match="image of"):
        device.capture(timeout=1.0)


def test_missing_port_is_not_found() -> None:
    with pytest.raises(DeviceNotFoundError):
        reader(serial.SerialException("could not open port")).open()


def test_port_vanishing_then_reconnect_redoes_the_handshake() -> None:
    lost = serial.SerialException("read failed: [Errno 5] Input/output error")
    first = ScriptedSerial([*HANDSHAKE, (GEN, lost)])
    second = ScriptedSerial([*HANDSHAKE, (GEN, ack(0x02))])
    device = reader(first, second)
    device.open()
    with pytest.raises(DeviceDisconnectedError):
        device.capture(timeout=1.0)
    assert not first.is_open
    assert device.capture(timeout=0.0) is None  # reopened, handshake, one GenImg poll
    assert second.written == [VFY, SYS, GEN]


def test_backoff_doubles_while_reopening_fails() -> None:
    missing = serial.SerialException("no such file")
    lost = serial.SerialException("gone")
    device = reader(
        ScriptedSerial([*HANDSHAKE, (GEN, lost)]), missing, missing, backoff_initial=0.2
    )
    device.open()
    with pytest.raises(DeviceDisconnectedError):
        device.capture(timeout=1.0)
    # Within the backoff and a short timeout: no reopen attempt, an immediate named error.
    with pytest.raises(DeviceDisconnectedError, match="reconnecting in"):
        device.capture(timeout=0.0)
    with pytest.raises(DeviceDisconnectedError, match="cannot open"):
        device.capture(timeout=0.3)
    assert device._link._backoff == pytest.approx(0.8)


def test_probe_reports_health_and_never_raises() -> None:
    device = reader(ScriptedSerial([*HANDSHAKE, (VFY, ack(0)), (VFY, b"")]))
    device.open()
    health = device.probe()
    assert health.ok and health.extra["packet_size"] == "128"
    health = device.probe()
    assert not health.ok and health.code == "device_timeout"


def test_echo_and_soft_reset() -> None:
    echo = command(Instruction.ECHO)
    reset = command(Instruction.SOFT_RESET)
    device = reader(ScriptedSerial([*HANDSHAKE, (echo, ack(0x55)), (reset, ack(0) + b"\x55")]))
    device.open()
    assert device.echo()
    device.soft_reset()

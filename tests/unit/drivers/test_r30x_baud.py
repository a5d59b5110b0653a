"""The R30x line rate: SetSysPara parameter 4 (N x 9600 baud) and 6 (packet size), the driver's
switch to a target rate and size on open with its fallbacks, the wire-time arithmetic and the
upload's progress reports."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.errors import DeviceRefusedError, DeviceTimeoutError
from drivers.r30x import R30xFingerprintReader, TransferProgress
from drivers.r30x_protocol import (
    BAUD_PARAMETER,
    IMAGE_BYTES,
    OVERHEAD,
    PACKET_SIZE_PARAMETER,
    PACKET_SIZES,
    Instruction,
    SystemParameters,
    ack,
    baud_multiplier,
    command,
    data_packets,
    pack_image,
    wire_seconds,
)
from tests.helpers.scripted_serial import Exchange, Opener, ScriptedSerial

VFY = command(Instruction.VFY_PWD, b"\0\0\0\0")
SYS = command(Instruction.READ_SYS_PARA)
GEN = command(Instruction.GEN_IMG)
UP = command(Instruction.UP_IMAGE)
TO_115200 = command(Instruction.SET_SYS_PARA, bytes([BAUD_PARAMETER, 12]))
TO_256 = command(Instruction.SET_SYS_PARA, bytes([PACKET_SIZE_PARAMETER, 3]))
AT_57600 = SystemParameters(baud_multiplier=6)
AT_115200 = SystemParameters(baud_multiplier=12)


def handshake(params: SystemParameters) -> list[Exchange]:
    return [(VFY, ack(0)), (SYS, ack(0, params.encode()))]


def reader(opener: Opener, **kwargs: object) -> R30xFingerprintReader:
    options: dict[str, object] = {"reply_timeout": 0.05, "poll_interval": 0.0,
                                  "backoff_initial": 0.0}
    options.update(kwargs)
    return R30xFingerprintReader("fingerprint", "/dev/ttyFP", opener=opener, **options)


# -- protocol ----------------------------------------------------------------------------------


def test_set_sys_para_baud_bytes_match_the_manual() -> None:
    # EF01, address, PID 01, length 5, instruction 0E, parameter 4, N = 12, checksum 0x0024.
    assert bytes.fromhex("EF01 FFFFFFFF 01 0005 0E 04 0C 0024") == TO_115200


@given(st.integers(1, 12))
def test_every_module_rate_has_its_multiplier(n: int) -> None:
    assert baud_multiplier(n * 9600) == n
    assert SystemParameters(baud_multiplier=n).baudrate == n * 9600
    decoded = SystemParameters.decode(SystemParameters(baud_multiplier=n).encode())
    assert decoded.baudrate == n * 9600


@given(st.integers(-10**6, 10**7).filter(
    lambda b: b % 9600 != 0 or not 9600 <= b <= 115200))
def test_other_rates_are_refused(baudrate: int) -> None:
    with pytest.raises(ValueError, match="N x 9600"):
        baud_multiplier(baudrate)


@given(st.integers(0, IMAGE_BYTES), st.sampled_from(sorted(PACKET_SIZES.values())),
       st.integers(1, 12))
def test_wire_seconds_count_every_byte_of_the_packets(size: int, packet: int, n: int) -> None:
    data = bytes(size)
    on_wire = sum(len(p) for p in data_packets(data, packet)) if size else 0
    assert wire_seconds(size, packet, n * 9600) == pytest.approx(on_wire * 10 / (n * 9600))


def test_an_image_is_half_as_long_on_the_wire_at_115200() -> None:
    slow = wire_seconds(IMAGE_BYTES, 128, 57600)
    fast = wire_seconds(IMAGE_BYTES, 128, 115200)
    assert fast == pytest.approx(slow / 2)
    assert slow == pytest.approx(288 * (128 + OVERHEAD) * 10 / 57600)


# -- the switch on open ------------------------------------------------------------------------


def test_open_switches_a_57600_module_to_the_target_and_reopens() -> None:
    first = ScriptedSerial([*handshake(AT_57600), (TO_115200, ack(0))])
    second = ScriptedSerial(handshake(AT_115200))
    device = reader(Opener(first, second), target_baudrate=115200)
    device.open()
    assert first.opened_with["baudrate"] == 57600 and not first.is_open
    assert second.opened_with["baudrate"] == 115200 and second.is_open
    assert device.line_rate == 115200
    assert device.system_parameters == AT_115200


def test_a_module_already_at_the_target_is_not_switched_again() -> None:
    port = ScriptedSerial(handshake(AT_115200))
    device = reader(Opener(port), baudrate=115200, target_baudrate=115200)
    device.open()
    assert port.written == [VFY, SYS]
    assert device.line_rate == 115200


def test_a_module_reporting_another_rate_than_the_line_is_set_to_the_target() -> None:
    # A line that forgives a rate mismatch (a USB bridge, a pty): the module's own report
    # decides, so the host never computes times from a rate the module does not use.
    first = ScriptedSerial([*handshake(AT_57600), (TO_115200, ack(0))])
    second = ScriptedSerial(handshake(AT_115200))
    device = reader(Opener(first, second), baudrate=115200, target_baudrate=115200)
    device.open()
    assert device.system_parameters == AT_115200 and device.line_rate == 115200


def test_a_module_left_at_the_target_is_found_there(caplog: pytest.LogCaptureFixture) -> None:
    silent = ScriptedSerial([(VFY, b"")])  # at 57600 a 115200 module hears nothing
    port = ScriptedSerial(handshake(AT_115200))
    device = reader(Opener(silent, port), target_baudrate=115200)
    with caplog.at_level(logging.INFO, logger="drivers.r30x"):
        device.open()
    assert port.opened_with["baudrate"] == 115200 and port.written == [VFY, SYS]
    assert device.line_rate == 115200
    assert "found at 115200 baud" in caplog.text


def test_a_refused_switch_stays_at_the_rate_with_a_log_line(
        caplog: pytest.LogCaptureFixture) -> None:
    port = ScriptedSerial([*handshake(AT_57600), (TO_115200, ack(0x1A))])
    device = reader(Opener(port), target_baudrate=115200)
    with caplog.at_level(logging.WARNING, logger="drivers.r30x"):
        device.open()
    assert port.is_open and device.line_rate == 57600
    assert "refused 115200 baud (invalid_register); staying at 57600" in caplog.text


def test_a_module_not_heard_after_the_switch_is_used_at_the_old_rate(
        caplog: pytest.LogCaptureFixture) -> None:
    first = ScriptedSerial([*handshake(AT_57600), (TO_115200, ack(0))])
    silent = ScriptedSerial([(VFY, b"")])
    back = ScriptedSerial(handshake(AT_57600))
    device = reader(Opener(first, silent, back), target_baudrate=115200)
    with caplog.at_level(logging.WARNING, logger="drivers.r30x"):
        device.open()
    assert back.opened_with["baudrate"] == 57600 and back.is_open
    assert device.line_rate == 57600
    assert "not heard at 115200 baud after the switch; back to 57600" in caplog.text


def test_a_module_silent_at_every_rate_times_out() -> None:
    ports = [ScriptedSerial([(VFY, b"")]) for _ in range(2)]
    device = reader(Opener(*ports), target_baudrate=115200)
    with pytest.raises(DeviceTimeoutError, match="no reply"):
        device.open()
    assert [p.opened_with["baudrate"] for p in ports] == [57600, 115200]
    # The next attempt starts again at the configured rate.
    assert device.line_rate == 57600


def test_a_wrong_password_is_not_taken_for_a_wrong_rate() -> None:
    port = ScriptedSerial([(VFY, ack(0x13))])
    with pytest.raises(DeviceRefusedError):
        reader(Opener(port), target_baudrate=115200).open()


def test_a_target_the_module_cannot_run_at_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="N x 9600"):
        reader(Opener(), target_baudrate=100000)


def test_open_sets_the_packet_size_then_the_rate() -> None:
    at_256 = SystemParameters(packet_size_code=3, baud_multiplier=6)
    first = ScriptedSerial([*handshake(AT_57600), (TO_256, ack(0)), *handshake(at_256),
                            (TO_115200, ack(0))])
    second = ScriptedSerial(handshake(SystemParameters(packet_size_code=3,
                                                       baud_multiplier=12)))
    device = reader(Opener(first, second), target_baudrate=115200, target_packet_size=256)
    device.open()
    assert device.packet_size == 256 and device.line_rate == 115200


def test_a_refused_packet_size_keeps_the_module_s_own(caplog: pytest.LogCaptureFixture) -> None:
    port = ScriptedSerial([*handshake(AT_57600), (TO_256, ack(0x1A))])
    device = reader(Opener(port), target_packet_size=256)
    with caplog.at_level(logging.WARNING, logger="drivers.r30x"):
        device.open()
    assert port.is_open and device.packet_size == 128
    assert "refused 256-byte packets (invalid_register); keeping 128" in caplog.text


def test_a_packet_size_the_module_does_not_have_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="packet sizes"):
        reader(Opener(), target_packet_size=100)


# -- the upload's progress ---------------------------------------------------------------------


def test_upload_progress_starts_at_zero_and_rises_to_the_whole_image() -> None:
    pixels = (np.arange(288 * 256).reshape(288, 256) % 251).astype(np.uint8)
    reply = ack(0) + b"".join(data_packets(pack_image(pixels), 128))
    port = ScriptedSerial([*handshake(AT_57600), (GEN, ack(0)), (UP, reply)])
    device = reader(Opener(port))
    heard: list[TransferProgress] = []
    device.on_transfer = heard.append
    device.open()
    assert device.capture(timeout=1.0) is not None
    assert heard[0].received == 0 and heard[0].fraction == 0.0
    assert heard[0].seconds_left == pytest.approx(wire_seconds(IMAGE_BYTES, 128, 57600))
    assert heard[-1].fraction == 1.0 and heard[-1].seconds_left == 0.0
    assert len(heard) == 1 + IMAGE_BYTES // 128
    received = [p.received for p in heard]
    left = [p.seconds_left for p in heard]
    assert received == sorted(received) and len(set(received)) == len(received)
    assert left == sorted(left, reverse=True)

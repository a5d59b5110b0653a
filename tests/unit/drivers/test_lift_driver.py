"""Camera lift driver: the protocol's lines, against scripted ports and the simulator on a pty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import serial
from hypothesis import given
from hypothesis import strategies as st

from drivers.errors import (
    DeviceTimeoutError,
    LiftGarbageError,
    LiftObstructedError,
    LiftStalledError,
    LiftUnpluggedError,
)
from drivers.interfaces import CameraLift
from drivers.lift import SerialCameraLift
from drivers.lift_protocol import LineError, LineSplitter, decode_line, encode_line, parse
from simulator.lift import SimulatedLift
from tests.helpers.kiosk import wait_until
from tests.helpers.scripted_serial import Opener, ScriptedSerial

HANDSHAKE = [(encode_line("ID?"), encode_line("ID TEST-COLUMN 2.3")),
             (encode_line("LIM?"), encode_line("LIM 0 600"))]


def scripted(*exchanges: tuple[bytes, bytes | BaseException]) -> tuple[SerialCameraLift,
                                                                        ScriptedSerial]:
    port = ScriptedSerial([*HANDSHAKE, *exchanges])
    lift = SerialCameraLift("lift", "/dev/ttyLIFT", opener=Opener(port), reply_timeout=0.2,
                            backoff_initial=0.0)
    lift.open()
    return lift, port


# --- the line format ----------------------------------------------------------------------------

@given(st.text(st.characters(min_codepoint=32, max_codepoint=126, exclude_characters="*"),
               min_size=1, max_size=40))
def test_a_line_decodes_to_its_body(body: str) -> None:
    assert decode_line(encode_line(body)) == body


@given(st.binary(max_size=80))
def test_random_bytes_are_refused_or_a_valid_line(data: bytes) -> None:
    try:
        body = decode_line(data)
    except LineError:
        return
    assert body.isprintable() and body.isascii()


def test_one_flipped_bit_is_found() -> None:
    line = bytearray(encode_line("POS 412 IDLE"))
    line[4] ^= 0x01
    with pytest.raises(LineError):
        decode_line(bytes(line))


def test_the_splitter_cuts_lines_and_hands_over_endless_junk() -> None:
    splitter = LineSplitter()
    line = encode_line("OK")
    assert splitter.feed(line[:2]) == []
    assert splitter.feed(line[2:] + line) == [line, line]
    junk = splitter.feed(b"x" * 100)
    assert len(junk) == 1 and len(junk[0]) == 100


def test_replies_are_checked_for_shape() -> None:
    assert parse("POS 12 MOVING").args == ("12", "MOVING")
    for body in ("POS twelve IDLE", "POS 12 FLYING", "LIM 0", "EV LANDED 3", "HELLO"):
        with pytest.raises(LineError):
            parse(body)


# --- scripted ports -----------------------------------------------------------------------------

def test_open_identifies_and_reads_the_limits() -> None:
    lift, port = scripted((encode_line("POS?"), encode_line("POS 300 IDLE")))
    assert lift.identity == "TEST-COLUMN 2.3" and lift.limits == (0, 600)
    status = lift.lift_status()
    assert (status.position_mm, status.state, status.moving, status.fault) == (300, "idle",
                                                                               False, None)
    assert port.opened_with["baudrate"] == 9600
    assert isinstance(lift, CameraLift)


def test_a_target_beyond_the_limits_is_clamped() -> None:
    lift, port = scripted((encode_line("MOVE 600"), encode_line("OK")),
                          (encode_line("MOVE 0"), encode_line("OK")))
    lift.move_to(900)
    lift.move_to(-40)
    assert not port.exchanges  # both were sent clamped, as scripted


def test_garbage_is_a_named_error_and_the_next_request_works() -> None:
    lift, _port = scripted((encode_line("POS?"), b"\x17\xfe garbage \x00\r\n"),
                           (encode_line("POS?"), encode_line("POS 120 IDLE")))
    with pytest.raises(LiftGarbageError) as caught:
        lift.lift_status()
    assert caught.value.code == "lift_garbage"
    assert lift.lift_status().position_mm == 120
    assert lift.garbage_lines == 1


def test_a_reply_with_a_bad_checksum_is_not_believed() -> None:
    good = encode_line("POS 420 IDLE")
    lift, _port = scripted((encode_line("POS?"), good.replace(b"420", b"520")))
    with pytest.raises(LiftGarbageError):
        lift.lift_status()


def test_a_reply_of_the_wrong_kind_is_garbage() -> None:
    lift, _port = scripted((encode_line("STOP"), encode_line("LIM 0 600")))
    with pytest.raises(LiftGarbageError):
        lift.stop()


def test_events_between_request_and_reply_are_kept() -> None:
    lift, _port = scripted((encode_line("POS?"), encode_line("EV OBSTRUCT 280")
                            + encode_line("POS 280 OBSTRUCTED")))
    status = lift.lift_status()
    assert status.fault == "obstructed" and lift.events == ["OBSTRUCT 280"]


@pytest.mark.parametrize(("reason", "error"), [("STALLED", LiftStalledError),
                                               ("OBSTRUCTED", LiftObstructedError),
                                               ("CHECKSUM", LiftGarbageError)])
def test_a_refused_move_names_why(reason: str, error: type[Exception]) -> None:
    lift, _port = scripted((encode_line("MOVE 100"), encode_line(f"ERR {reason}")))
    with pytest.raises(error):
        lift.move_to(100)


def test_silence_is_a_timeout() -> None:
    lift, _port = scripted((encode_line("POS?"), b""))
    with pytest.raises(DeviceTimeoutError):
        lift.lift_status()


def test_a_vanished_port_is_an_unplugged_lift_and_probe_says_so() -> None:
    lift, _port = scripted((encode_line("POS?"), serial.SerialException("gone")))
    health = lift.probe()
    assert not health.ok and health.code == "lift_unplugged"


def test_a_missing_port_is_an_unplugged_lift() -> None:
    lift = SerialCameraLift("lift", "/dev/ttyLIFT", opener=Opener(OSError(2, "no such file")))
    with pytest.raises(LiftUnpluggedError) as caught:
        lift.open()
    assert caught.value.code == "lift_unplugged"


# --- the simulator on a pty -------------------------------------------------------------------

@pytest.fixture
def column() -> Iterator[tuple[SimulatedLift, SerialCameraLift]]:
    # Unpaced runs are 20 times faster: 2 mm/s here is 40 mm/s, so a run can be caught.
    sim = SimulatedLift(pacing=False, speed_mm_s=2.0, start_mm=300)
    path = sim.start()
    lift = SerialCameraLift("lift", path, backoff_initial=0.0)
    try:
        lift.open()
        yield sim, lift
    finally:
        lift.close()
        sim.stop()


def test_the_column_runs_to_a_target_and_reports_it(
        column: tuple[SimulatedLift, SerialCameraLift]) -> None:
    sim, lift = column
    assert lift.limits == (0, 600) and lift.identity.startswith("PASBOKS-LIFT")
    lift.move_to(340)
    assert lift.lift_status().moving
    wait_until(lambda: not lift.lift_status().moving, lift.lift_status, timeout=30)
    assert lift.lift_status().position_mm == 340 and round(sim.position_mm) == 340
    assert lift.probe().ok


def test_stop_holds_the_column_where_it_is(column: tuple[SimulatedLift, SerialCameraLift]
                                           ) -> None:
    sim, lift = column
    lift.move_to(600)
    wait_until(lambda: sim.position_mm > 305, lambda: sim.position_mm, timeout=30)
    lift.stop()
    stopped = lift.lift_status()
    assert stopped.state == "idle" and 300 < stopped.position_mm < 600
    assert sim.stops[-1][2] == "stopped"


def test_an_obstruction_stops_the_column_and_latches_until_reset(
        column: tuple[SimulatedLift, SerialCameraLift]) -> None:
    sim, lift = column
    sim.inject("obstruct", after_mm=10)
    lift.move_to(200)
    wait_until(lambda: lift.lift_status().fault is not None, lift.lift_status, timeout=30)
    status = lift.lift_status()
    assert status.fault == "obstructed" and status.position_mm == 290
    with pytest.raises(LiftObstructedError):
        lift.move_to(100)
    assert lift.probe().code == "lift_obstructed"
    assert round(sim.position_mm) == 290  # the refused run never started
    lift.reset()
    assert lift.lift_status().state == "idle"
    assert [m.spec for m in sim.faults_met] == ["lift:obstruct"]


def test_a_stall_while_running_stops_the_column(
        column: tuple[SimulatedLift, SerialCameraLift]) -> None:
    sim, lift = column
    lift.move_to(0)
    wait_until(lambda: sim.position_mm < 295, lambda: sim.position_mm, timeout=30)
    sim.inject("stall")
    status = lift.lift_status()
    assert status.fault == "stalled" and not status.moving
    with pytest.raises(LiftStalledError):
        lift.move_to(100)


def test_unplug_and_replug(column: tuple[SimulatedLift, SerialCameraLift]) -> None:
    sim, lift = column
    sim.inject("unplug")
    with pytest.raises(LiftUnpluggedError):
        lift.lift_status()
    assert lift.probe().code == "lift_unplugged"
    sim.clear("unplug")
    lift.open()
    assert lift.lift_status().position_mm == 300


def test_simulated_garbage_is_a_named_error(column: tuple[SimulatedLift, SerialCameraLift]
                                            ) -> None:
    sim, lift = column
    lift.reply_timeout = 0.3
    sim.inject("garbage", count=12)
    with pytest.raises(LiftGarbageError):
        lift.lift_status()
    assert lift.lift_status().position_mm == 300


def test_the_column_tells_its_listeners_where_it_is(
        column: tuple[SimulatedLift, SerialCameraLift]) -> None:
    sim, lift = column
    heard: list[float] = []
    sim.listeners.append(heard.append)
    lift.move_to(310)
    wait_until(lambda: bool(heard) and heard[-1] == 310, lambda: heard[-5:], timeout=30)
    assert heard == sorted(heard)

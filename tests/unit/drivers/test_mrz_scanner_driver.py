"""MRZ scanner driver against scripted ports: framings, errors, probe and reconnect."""

from __future__ import annotations

import pytest
import serial

from drivers.errors import DeviceDisconnectedError, DeviceNotFoundError, DeviceProtocolError
from drivers.interfaces import DocumentScanner, MrzRead
from drivers.mrz_encoders import encode_document, encode_idbox_packet
from drivers.mrz_framing import MrzFraming
from drivers.mrz_scanner import SerialDocumentScanner
from tests.helpers.scripted_serial import Opener, ScriptedSerial

TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)


def scanner(framing: MrzFraming | str, *ports: ScriptedSerial | BaseException):
    return SerialDocumentScanner(
        "scanner", "/dev/ttyMRZ", framing, opener=Opener(*ports), backoff_initial=0.0
    )


@pytest.mark.parametrize("kind", ["lines", "3m", "desko"])
def test_reads_a_pushed_document(kind: str) -> None:
    framing = MrzFraming(kind=kind)  # type: ignore[arg-type]
    port = ScriptedSerial(unsolicited=encode_document(framing, TD3))
    device = scanner(framing, port)
    device.open()
    read = device.read_document(timeout=1.0)
    assert read is not None and read.lines == TD3 and read.framing == kind
    assert port.written == []  # these readers get no commands
    assert port.opened_with["baudrate"] == 9600
    assert isinstance(device, DocumentScanner)


def test_no_document_is_none() -> None:
    device = scanner("lines", ScriptedSerial())
    device.open()
    assert device.read_document(timeout=0.05) is None


def test_two_documents_in_one_read_are_both_delivered() -> None:
    framing = MrzFraming(kind="desko")
    port = ScriptedSerial(unsolicited=encode_document(framing, TD3) * 2)
    device = scanner(framing, port)
    device.open()
    assert device.read_document(1.0) == device.read_document(1.0) == MrzRead(TD3, "desko")


def test_idbox_open_switches_continuous_mode_and_probe_asks_version() -> None:
    framing = MrzFraming(kind="idbox")
    port = ScriptedSerial(
        [
            (b"C\x00\x01\x01", b""),
            (b"V\x00\x00", encode_document(framing, TD3) + encode_idbox_packet("V", b"2.1")),
        ]
    )
    device = scanner(framing, port)
    device.open()
    health = device.probe()
    assert health.ok and health.extra["version"] == "2.1"
    # The document that arrived during the probe is kept for the workflow.
    assert device.read_document(0.1) == MrzRead(TD3, "idbox")


def test_idbox_probe_without_answer_is_unhealthy() -> None:
    device = scanner("idbox", ScriptedSerial([(b"C\x00\x01\x01", b""), (b"V\x00\x00", b"")]))
    device.reply_timeout = 0.05
    device.open()
    health = device.probe()
    assert not health.ok and health.code == "device_timeout"


def test_bcc_mismatch_is_a_protocol_error_and_the_stream_goes_on() -> None:
    framing = MrzFraming(kind="3m")
    frame = bytearray(encode_document(framing, TD3))
    frame[-1] ^= 0xFF
    port = ScriptedSerial(unsolicited=bytes(frame) + encode_document(framing, TD3))
    device = scanner(framing, port)
    device.open()
    with pytest.raises(DeviceProtocolError, match="bcc_mismatch"):
        device.read_document(1.0)
    read = device.read_document(1.0)
    assert read is not None and read.lines == TD3


def test_truncated_frame_is_reported_after_the_frame_timeout() -> None:
    framing = MrzFraming(kind="3m", frame_timeout=0.05)
    port = ScriptedSerial(unsolicited=encode_document(framing, TD3)[:40])
    device = scanner(framing, port)
    device.open()
    with pytest.raises(DeviceProtocolError, match="truncated_frame"):
        device.read_document(1.0)


def test_missing_port_is_not_found() -> None:
    with pytest.raises(DeviceNotFoundError):
        scanner("lines", OSError(2, "No such file or directory")).open()


def test_disconnect_then_reconnect() -> None:
    first = ScriptedSerial()
    first._error = serial.SerialException("device reports readiness to read but returned no data")
    second = ScriptedSerial(unsolicited=encode_document(MrzFraming(), TD3))
    device = scanner("lines", first, second)
    device.open()
    with pytest.raises(DeviceDisconnectedError):
        device.read_document(1.0)
    assert device.probe().ok  # the probe reopens the port
    read = device.read_document(1.0)
    assert read is not None and read.lines == TD3


def test_close_then_read_is_disconnected() -> None:
    device = scanner("lines", ScriptedSerial())
    device.open()
    device.close()
    with pytest.raises(DeviceDisconnectedError):
        device.read_document(0.01)

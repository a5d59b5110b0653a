"""The real scanner driver against each simulated reader model over a real pty, with faults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.errors import DeviceDisconnectedError, DeviceProtocolError
from drivers.mrz_encoders import encode_document
from drivers.mrz_scanner import SerialDocumentScanner
from simulator.pty_device import TX
from simulator.scanner import SimulatedScanner

TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)
MODELS = ["mrz-plain", "mrz-plain-crlf", "mrz-3m-rte6701", "mrz-desko-penta", "mrz-idbox"]


def connect(model: str, **kwargs: object) -> tuple[SimulatedScanner, SerialDocumentScanner]:
    sim = SimulatedScanner.from_model(model, pacing=False, **kwargs)
    path = sim.start()
    driver = SerialDocumentScanner(
        "scanner", path, sim.framing, sim.baud, backoff_initial=0.05, reply_timeout=0.5
    )
    driver.open()
    return sim, driver


@pytest.fixture
def pair(request: pytest.FixtureRequest) -> Iterator[tuple[SimulatedScanner, object]]:
    sim, driver = connect(request.param)
    yield sim, driver
    driver.close()
    sim.stop()


@pytest.mark.parametrize("pair", MODELS, indirect=True)
@pytest.mark.parametrize("lines", [TD3, TD1], ids=["td3", "td1"])
def test_documents_arrive_unchanged(pair, lines) -> None:
    sim, driver = pair
    assert driver.probe().ok
    sim.present(lines)
    read = driver.read_document(timeout=2.0)
    assert read is not None and read.lines == lines and read.framing == sim.framing.kind
    assert driver.read_document(timeout=0.05) is None


@pytest.mark.parametrize("pair", ["mrz-idbox"], indirect=True)
def test_idbox_probe_reads_the_version(pair) -> None:
    _, driver = pair
    health = driver.probe()
    assert health.ok and health.extra["version"] == "IDBOX-SIM 1.0"


def test_paced_document_takes_line_time() -> None:
    sim = SimulatedScanner.from_model("mrz-3m-rte6701")  # 9600 baud, paced
    driver = SerialDocumentScanner("scanner", sim.start(), sim.framing)
    driver.open()
    try:
        sim.present(TD3)
        read = driver.read_document(timeout=3.0)
        assert read is not None and read.lines == TD3
        assert sim.wait_sent()
        [tx] = [e for e in sim.traffic if e.direction == TX]
        assert tx.data == encode_document(sim.framing, TD3)
    finally:
        driver.close()
        sim.stop()


@pytest.mark.parametrize("pair", ["mrz-3m-rte6701"], indirect=True)
def test_reader_faults_in_the_document(pair) -> None:
    sim, driver = pair
    sim.inject("substitute", count=2)
    sim.present(TD3)
    read = driver.read_document(2.0)
    assert read is not None and sum(line.count("?") for line in read.lines) == 2
    assert "unexpected_characters" in read.diagnostics
    sim.inject("ocr_confusion", count=3)
    sim.present(TD3)
    read = driver.read_document(2.0)
    assert read is not None and read.lines != TD3
    assert [len(line) for line in read.lines] == [44, 44]
    sim.inject("missing_line")
    sim.present(TD3)
    read = driver.read_document(2.0)
    assert read is not None and read.lines == (TD3[1],)
    sim.inject("short_line", chars=4)
    sim.present(TD3)
    read = driver.read_document(2.0)
    assert read is not None and read.lines == (TD3[0], TD3[1][:-4])
    assert [m.fault for m in sim.faults_met] == [
        "substitute", "ocr_confusion", "missing_line", "short_line"
    ]


@pytest.mark.parametrize("pair", ["mrz-3m-rte6701"], indirect=True)
def test_frame_faults_are_named_protocol_errors(pair) -> None:
    sim, driver = pair
    sim.inject("bad_checksum")
    sim.present(TD3)
    with pytest.raises(DeviceProtocolError, match="bcc_mismatch"):
        driver.read_document(2.0)
    sim.inject("garbage", count=5)
    sim.present(TD3)
    with pytest.raises(DeviceProtocolError, match="garbage"):
        driver.read_document(2.0)
    assert read_through_errors(driver) == TD3  # the frame after the garbage is intact
    sim.inject("truncate", keep=30)
    sim.present(TD3)
    with pytest.raises(DeviceProtocolError, match="truncated_frame"):
        driver.read_document(2.0)


def read_through_errors(driver: SerialDocumentScanner) -> tuple[str, ...] | None:
    """The next document, skipping framing errors (random garbage may hold several)."""
    for _ in range(5):
        try:
            read = driver.read_document(2.0)
            return None if read is None else read.lines
        except DeviceProtocolError:
            continue
    return None


@pytest.mark.parametrize("pair", ["mrz-plain"], indirect=True)
def test_silent_and_slow_readers(pair) -> None:
    sim, driver = pair
    sim.inject("silent")
    sim.present(TD3)
    assert driver.read_document(0.3) is None
    sim.clear("silent")
    sim.inject("slow", delay=0.3, times=1)
    sim.present(TD3)
    assert driver.read_document(0.1) is None
    read = driver.read_document(2.0)
    assert read is not None and read.lines == TD3


@pytest.mark.parametrize("pair", ["mrz-plain"], indirect=True)
def test_cut_line_is_truncated_line(pair) -> None:
    sim, driver = pair
    sim.inject("truncate", keep=50)
    sim.present(TD3)
    with pytest.raises(DeviceProtocolError, match="truncated_line"):
        driver.read_document(2.0)


@pytest.mark.parametrize("pair", ["mrz-desko-penta"], indirect=True)
def test_unplug_then_replug_recovers(pair) -> None:
    sim, driver = pair
    sim.inject("unplug")
    with pytest.raises(DeviceDisconnectedError):
        driver.read_document(0.5)
    health = driver.probe()
    assert not health.ok and health.code == "device_disconnected"
    sim.replug()
    sim.present(TD3)
    read = driver.read_document(2.0)
    assert read is not None and read.lines == TD3
    assert "unplug" in [m.fault for m in sim.faults_met]


def test_scripted_fault_on_the_second_document() -> None:
    sim, driver = connect(
        "mrz-desko-penta", script=[{"on": "present", "nth": 2, "fault": "substitute"}]
    )
    try:
        sim.present(TD3)
        assert driver.read_document(2.0).lines == TD3
        sim.present(TD3)
        assert "?" in "".join(driver.read_document(2.0).lines)
        assert [m.fault for m in sim.faults_met] == ["substitute"]
    finally:
        driver.close()
        sim.stop()

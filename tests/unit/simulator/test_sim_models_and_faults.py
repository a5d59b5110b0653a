"""Device descriptions load from TOML; the fault book arms, uses up, scripts and logs faults."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from simulator.faults import FaultBook, FaultSpec, ScriptStep
from simulator.fingerprint_sensor import SimulatedR30x, fit_to_sensor
from simulator.models import R30xModel, ScannerModel, available_models, load_model
from simulator.scanner import SimulatedScanner


def test_every_described_model_loads() -> None:
    names = available_models()
    assert {"r307", "mrz-plain", "mrz-3m-rte6701", "mrz-desko-penta", "mrz-idbox"} <= set(names)
    for name in names:
        model = load_model(name)
        assert model.model == name
        assert isinstance(model, ScannerModel | R30xModel)


def test_3m_model_carries_its_bcc_choice() -> None:
    model = load_model("mrz-3m-rte6701")
    assert isinstance(model, ScannerModel)
    assert model.framing.kind == "3m" and model.framing.bcc_range == "after_soh"


def test_unknown_keys_and_bad_values_are_rejected(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('model = "x"\nkind = "scanner"\nbaud = 9600\n')
    with pytest.raises(ValidationError):
        load_model(bad)
    bad.write_text('model = "x"\nkind = "r30x"\n[params]\npacket_size_code = 7\n')
    with pytest.raises(ValidationError):
        load_model(bad)


def test_fault_names_per_device() -> None:
    assert "bad_checksum" in SimulatedScanner.from_model("mrz-3m-rte6701").faults
    plain = SimulatedScanner.from_model("mrz-plain")
    assert "bad_checksum" not in plain.faults
    assert {"unplug", "silent", "slow", "garbage", "truncate", "substitute", "ocr_confusion",
            "missing_line", "short_line"} <= set(plain.faults)
    assert {"unplug", "silent", "slow", "garbage", "truncate", "bad_checksum", "refuse"} <= set(
        SimulatedR30x.from_model("r307").faults
    )
    with pytest.raises(ValueError, match="unsupported fault"):
        plain.inject("bad_checksum")
    with pytest.raises(ValueError):
        SimulatedR30x.from_model("mrz-plain")


def test_fault_book_uses_up_and_logs() -> None:
    book = FaultBook({"garbage": FaultSpec("x"), "silent": FaultSpec("y", times=None)})
    book.inject("garbage", {"count": 3, "times": 2})
    book.inject("silent", {})
    assert book.take("garbage") == {"count": 3}
    assert book.take("garbage") == {"count": 3}
    assert book.take("garbage") is None
    for _ in range(5):
        assert book.take("silent") == {}
    book.clear("silent")
    assert book.active == {}
    assert [m.fault for m in book.met_log] == ["garbage"] * 2 + ["silent"] * 5


def test_fault_script_fires_on_the_nth_event() -> None:
    book = FaultBook({"garbage": FaultSpec("x")})
    book.load_script([{"on": "present", "fault": "garbage", "nth": 2, "params": {"count": 1}}])
    assert book.event("present") == []
    assert book.event("present") == [ScriptStep("present", "garbage", 2, {"count": 1})]
    assert book.event("present") == []
    with pytest.raises(ValueError):
        book.load_script([ScriptStep("present", "no_such_fault")])


def test_fit_to_sensor_centres_crops_pads_and_quantises() -> None:
    small = np.full((100, 50), 0x37, np.uint8)
    out = fit_to_sensor(small, 288, 256, 255)
    assert out.shape == (288, 256)
    assert out[144, 128] == 0x30 and out[0, 0] == 0xF0
    big = np.arange(400 * 400, dtype=np.uint32).reshape(400, 400) % 256
    assert fit_to_sensor(big.astype(np.uint8), 288, 256, 255).shape == (288, 256)
    colour = np.zeros((10, 10, 3), np.uint8)
    assert fit_to_sensor(colour, 288, 256, 255)[144, 128] == 0


def test_aliases_and_replug_action() -> None:
    sim = SimulatedScanner.from_model("mrz-plain", pacing=False)
    sim.start()
    try:
        sim.inject("timeout")
        assert "silent" in sim.active_faults
        sim.clear("timeout")
        assert sim.active_faults == {}
        sim.inject("unplug")
        assert not sim.plugged
        sim.inject("replug")
        assert sim.plugged
        assert [m.fault for m in sim.faults_met] == ["unplug", "replug"]
    finally:
        sim.stop()

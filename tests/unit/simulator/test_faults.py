"""One fault book and one device protocol for every simulated device."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.camera.server import SimulatedCamera
from simulator.faults import FaultBook, FaultSpec, SimulatedDevice
from simulator.fingerprint_sensor import SimulatedR30x
from simulator.scanner import SimulatedScanner
from simulator.signature_pad import SimulatedSignaturePad
from simulator.usb_fingerprint import SimulatedUsbScanner

SERIAL = {"unplug", "silent", "slow", "garbage", "truncate", "bad_checksum"}
EXPECTED = {
    "scanner": SERIAL | {"substitute", "ocr_confusion", "missing_line", "short_line"},
    "fingerprint": SERIAL | {"refuse"},
    "usb": {"unplug"},
    "camera": {"freeze", "low_fps", "unplug"},
    "signature": {"unplug"},
}


@pytest.fixture(scope="module")
def devices() -> Iterator[dict[str, SimulatedDevice]]:
    """One of each simulated device, started where there is something to start."""
    scanner = SimulatedScanner.from_model("mrz-3m-rte6701", name="scanner", pacing=False)
    r30x = SimulatedR30x.from_model("r307", name="fingerprint", pacing=False)
    camera = SimulatedCamera("compliant", width=64, height=48)
    scanner.start()
    r30x.start()
    camera.start()
    try:
        yield {"scanner": scanner, "fingerprint": r30x, "usb": SimulatedUsbScanner("usb"),
               "camera": camera, "signature": SimulatedSignaturePad("signature")}
    finally:
        scanner.stop()
        r30x.stop()
        camera.stop()


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_every_device_keeps_its_faults_in_one_kind_of_book(
    devices: dict[str, SimulatedDevice], kind: str
) -> None:
    device = devices[kind]
    assert isinstance(device, SimulatedDevice)
    assert isinstance(device.faults, FaultBook)
    assert EXPECTED[kind] <= set(device.faults)
    assert all(device.faults.describe(name) for name in device.faults)
    with pytest.raises(ValueError, match=f"unsupported fault 'explode' by {device.name}") as error:
        device.inject("explode")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_unplug_is_active_until_cleared_and_clearing_replugs(
    devices: dict[str, SimulatedDevice], kind: str
) -> None:
    device = devices[kind]
    before = len(device.faults_met)
    device.inject("unplug")
    assert "unplug" in device.active_faults
    assert getattr(device, "plugged") is False  # noqa: B009 - every device has it, not the protocol
    device.clear("unplug")
    assert device.active_faults == {}
    assert getattr(device, "plugged") is True  # noqa: B009
    met = device.faults_met[before:]
    assert [m.spec for m in met] == [f"{device.name}:unplug"]


def test_clearing_everything_replugs_and_disarms(devices: dict[str, SimulatedDevice]) -> None:
    scanner = devices["scanner"]
    scanner.inject("slow", delay=0.5)
    scanner.inject("unplug")
    assert set(scanner.active_faults) == {"slow", "unplug"}
    scanner.clear()
    assert scanner.active_faults == {}
    assert getattr(scanner, "plugged") is True  # noqa: B009


names = st.sampled_from(["a", "b", "c"])
params = st.dictionaries(st.sampled_from(["count", "delay", "mode"]),
                         st.integers(0, 9) | st.sampled_from(["stall", "repeat"]), max_size=2)


@given(st.lists(st.tuples(st.sampled_from(["inject", "clear", "take"]), names, params),
                max_size=30),
       st.integers(1, 3))
def test_fault_book_follows_a_simple_model(
    operations: list[tuple[str, str, dict[str, int | str]]], times: int
) -> None:
    """Armed faults are what was injected and not cleared or used up; every use is logged."""
    book = FaultBook({"a": FaultSpec("x", times=times), "b": FaultSpec("y", times=None),
                      "c": FaultSpec("z")}, "dev")
    model: dict[str, tuple[dict[str, int | str], int | None]] = {}
    uses: list[str] = []
    for operation, name, args in operations:
        if operation == "inject":
            book.inject(name, args)
            model[name] = (args, book.supported[name].times)
        elif operation == "clear":
            book.clear(name)
            model.pop(name, None)
        else:
            taken = book.take(name)
            entry = model.get(name)
            assert taken == (None if entry is None else entry[0])
            if entry is not None:
                uses.append(name)
                left = entry[1]
                if left is not None and left <= 1:
                    del model[name]
                elif left is not None:
                    model[name] = (entry[0], left - 1)
        assert book.active == {name: args for name, (args, _) in model.items()}
    assert [m.fault for m in book.met_log] == uses
    assert all(m.device == "dev" for m in book.met_log)
    times_seen = [m.t for m in book.met_log]
    assert times_seen == sorted(times_seen)


@given(st.integers(1, 5), st.integers(0, 8))
def test_times_overrides_how_often_a_fault_applies(times: int, takes: int) -> None:
    book = FaultBook({"garbage": FaultSpec("x")})
    book.inject("garbage", {"count": 2, "times": times})
    results = [book.take("garbage") for _ in range(takes)]
    assert results == [{"count": 2}] * min(times, takes) + [None] * max(0, takes - times)


def test_aliases_resolve_and_unknown_names_are_one_line_errors() -> None:
    book = FaultBook({"silent": FaultSpec("x", times=None)}, "scanner", {"timeout": "silent"})
    assert book.inject("timeout") == "silent"
    assert book.is_active("timeout") and "silent" in book.active
    with pytest.raises(ValueError, match="unsupported fault 'loud' by scanner; supported: silent"):
        book.check("loud")

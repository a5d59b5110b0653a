"""The simulator's developer controls: plain data and actions over the simulated devices."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest
from numpy.typing import NDArray

from drivers.r30x_protocol import Instruction, command
from kiosk.config import (
    DevicesSettings,
    FingerprintReaderSettings,
    KioskConfig,
    LiftSettings,
    PrinterSettings,
    SimulatorSettings,
)
from kiosk.devices import default_registry
from kiosk.service.devtools import AS_SCENARIO, DeveloperControls, TrafficUpdate
from simulator import devtools
from simulator.attach import Simulation
from simulator.devtools import SimulatorControls
from simulator.pty_device import RX, TX
from simulator.scenario import Fingers, load_scenario
from simulator.world import SimulatedWorld


@pytest.fixture(scope="module")
def simulation() -> Iterator[Simulation]:
    config = KioskConfig(simulator=SimulatorSettings(pacing=False, auto_citizen=False))
    scenario = load_scenario("happy").model_copy(
        update={"fingers": Fingers(seed=3, conditions={"left_thumb": "missing"})})
    simulation = Simulation(scenario, config, prepare_after_s=3600)
    simulation.start(default_registry())
    yield simulation
    simulation.stop()


@pytest.fixture
def controls(simulation: Simulation) -> Iterator[DeveloperControls]:
    controls: DeveloperControls = simulation.controls  # satisfies the protocol (mypy checks)
    yield controls
    controls.clear_all()


def test_menus_are_plain_data(controls: DeveloperControls) -> None:
    assert controls.scenario_name == "happy"
    assert controls.persona == "compliant" and "tilted" in controls.persona_names
    # The receipt printer is configured by default (the lift is not), so it is listed too.
    assert list(controls.device_names) == ["scanner", "fingerprint", "camera", "signature",
                                           "printer"]
    for device in controls.device_names:
        faults = controls.faults(device)
        assert faults and all(f.description and f.spec == f"{device}:{f.name}" for f in faults)
    assert {f.name for f in controls.faults("camera")} == {"freeze", "low_fps", "unplug"}
    assert controls.finger_names[7] == "left_index"
    assert controls.finger_conditions[0] == AS_SCENARIO and "dry" in controls.finger_conditions
    assert controls.traffic_devices == {"scanner": "scanner", "fingerprint": "fp"}
    assert "frames sent" in controls.camera_status()
    with pytest.raises(ValueError, match="no simulated device 'toaster'"):
        controls.faults("toaster")


def test_toggle_inject_clear_and_faults_met(controls: DeveloperControls) -> None:
    assert controls.toggle("camera:freeze") is True
    assert controls.active_faults() == ["camera:freeze"]
    assert controls.toggle("camera:freeze") is False
    controls.inject("scanner:slow", delay=0.5)
    controls.inject("fingerprint:unplug")
    assert set(controls.active_faults()) == {"scanner:slow", "fingerprint:unplug"}
    controls.clear_all()
    assert controls.active_faults() == []
    assert controls.faults_met()[-2:] == ["camera:freeze", "fingerprint:unplug"]
    with pytest.raises(ValueError, match="a fault is named device:fault"):
        controls.toggle("freeze")


def test_traffic_comes_after_a_cursor_formatted_and_labelled(
    controls: DeveloperControls, simulation: Simulation
) -> None:
    start = controls.traffic(0)
    # What the pty records when the scanner sends and the module is asked (no thread timing).
    world = simulation.world
    world.fingerprint._record(RX, command(Instruction.GEN_IMG), time.monotonic())
    world.scanner._record(TX, b"P<DNKHANSEN<<METTE<<<<<<<<<<\r", time.monotonic())
    update = controls.traffic(start.cursor, width=30)
    assert update.cursor == start.cursor + 2
    assert len(update.lines) == 2 and all(len(line) <= 30 for line in update.lines)
    assert " fp rx cmd GEN_IMG" in update.lines[0] and " scanner tx " in update.lines[1]
    assert controls.traffic(update.cursor) == TrafficUpdate((), update.cursor)
    assert controls.traffic(0, width=30).lines[-2:] == update.lines


def test_place_finger_makes_the_print_and_counts(
    controls: DeveloperControls, simulation: Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[tuple[int, int, str, int]] = []

    def finger(seed: int, position: int, condition: str, attempt: int) -> NDArray[np.uint8]:
        made.append((seed, position, condition, attempt))
        return np.full((400, 500), 128, np.uint8)

    monkeypatch.setattr(devtools, "persona_finger", finger)
    before = controls.fingers_placed
    controls.place_finger(2)
    assert controls.finger_on_sensor
    controls.lift_finger()
    assert not controls.finger_on_sensor
    controls.place_finger(7, "wet")
    controls.lift_finger()
    assert made == [(3, 2, "good", before + 1), (3, 7, "wet", before + 2)]
    for position, condition, message in ((6, AS_SCENARIO, "no usable left_thumb"),
                                         (11, AS_SCENARIO, "no finger 11"),
                                         (2, "sticky", "no finger condition 'sticky'")):
        with pytest.raises(ValueError, match=message):
            controls.place_finger(position, condition)
    assert controls.fingers_placed == before + 2


def test_set_persona_rejects_an_unknown_one(controls: DeveloperControls) -> None:
    with pytest.raises(ValueError, match="no persona 'nobody'"):
        controls.set_persona("nobody")


def test_a_usb_scanner_has_no_serial_traffic() -> None:
    settings = DevicesSettings(fingerprint=FingerprintReaderSettings(model="usb-500ppi"))
    world = SimulatedWorld(load_scenario("happy"), settings, auto_citizen=False, pacing=False)
    assert SimulatorControls(world).traffic_devices == {"scanner": "scanner"}


def test_a_kiosk_with_a_lift_offers_its_faults() -> None:
    settings = DevicesSettings(lift=LiftSettings(model="serial"),
                               printer=PrinterSettings(model="none"))
    world = SimulatedWorld(load_scenario("happy"), settings, auto_citizen=False, pacing=False)
    controls = SimulatorControls(world)
    assert list(controls.device_names) == ["scanner", "fingerprint", "camera", "signature",
                                           "lift"]
    assert {"stall", "obstruct", "unplug"} <= {f.name for f in controls.faults("lift")}

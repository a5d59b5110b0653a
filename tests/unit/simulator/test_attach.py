"""The simulation starts the simulated devices, registers its SDK facades and attaches to a
service from outside: the citizen follows the bus, the developer controls are offered, and the
simulation stops with the service."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.interfaces import FingerprintReader, SignaturePad
from kiosk.config import DevicesSettings, FingerprintReaderSettings, KioskConfig, SimulatorSettings
from kiosk.devices import DeviceRegistry, default_registry
from kiosk.service.devtools import DeveloperControls
from kiosk.service.messages import Message, StateChanged
from kiosk.workflow.machine import State
from simulator.attach import Simulation
from simulator.scenario import load_scenario


class FakeSubscription:
    def __init__(self, bus: FakeBus) -> None:
        self.bus = bus

    def close(self) -> None:
        self.bus.callbacks.clear()


class FakeBus:
    def __init__(self) -> None:
        self.callbacks: list[Callable[[Message], None]] = []

    def subscribe(self, callback: Callable[[Message], None], *,
                  private: bool = False) -> FakeSubscription:
        self.callbacks.append(callback)
        return FakeSubscription(self)


class FakeService:
    """Just what a kiosk service offers the simulation."""

    def __init__(self, config: KioskConfig) -> None:
        self.config = config
        self.bus = FakeBus()
        self.devtools: DeveloperControls | None = None
        self.closers: list[Callable[[], None]] = []

    def on_close(self, fn: Callable[[], None], /) -> None:
        self.closers.append(fn)

    def close(self) -> None:
        for fn in self.closers:
            fn()


def config(devices: DevicesSettings | None = None) -> KioskConfig:
    return KioskConfig(simulator=SimulatorSettings(pacing=False),
                       devices=devices or DevicesSettings())


@pytest.fixture
def started() -> Iterator[tuple[Simulation, DeviceRegistry, DevicesSettings]]:
    simulation = Simulation(load_scenario("happy"), config())
    registry = default_registry()
    settings = simulation.start(registry)
    try:
        yield simulation, registry, settings
    finally:
        simulation.stop()


def test_start_points_the_drivers_at_the_simulated_devices(
    started: tuple[Simulation, DeviceRegistry, DevicesSettings],
) -> None:
    simulation, registry, settings = started
    assert Path(settings.scanner.url).name == "scanner"
    assert os.path.realpath(settings.scanner.url).startswith("/dev/pts/")
    assert Path(settings.fingerprint.url).name == "fingerprint"
    assert settings.camera.source.startswith("http://127.0.0.1:")
    assert simulation.start(registry) is settings  # a second start changes nothing
    pad = registry.signatures["simulated"](settings)
    assert isinstance(pad, SignaturePad)
    devices = registry.build(settings)
    assert devices.signature is pad
    assert type(devices.fingerprint).__name__ == "R30xFingerprintReader"


def test_a_usb_scanner_is_registered_as_its_sdk_facade() -> None:
    simulation = Simulation(load_scenario("happy"),
                            config(DevicesSettings(
                                fingerprint=FingerprintReaderSettings(model="usb-500ppi"))))
    registry = default_registry()
    try:
        settings = simulation.start(registry)
        reader = registry.build(settings).fingerprint
        assert isinstance(reader, FingerprintReader)
        assert type(reader).__name__ == "SimulatedScannerSdk"
    finally:
        simulation.stop()


def test_attach_subscribes_the_citizen_offers_controls_and_stops_with_the_service(
    started: tuple[Simulation, DeviceRegistry, DevicesSettings],
) -> None:
    simulation = started[0]
    service = FakeService(simulation.config)
    simulation.attach(service)
    assert service.devtools is simulation.controls
    assert service.devtools.scenario_name == "happy"
    citizen = simulation.world.citizen
    assert citizen is not None and citizen.on_message in service.bus.callbacks
    service.close()
    assert service.bus.callbacks == []
    assert not simulation.world.scanner.plugged  # stopped: the pty is gone
    simulation.stop()  # twice is fine
    with pytest.raises(RuntimeError):
        simulation.start(default_registry())


def test_without_the_auto_citizen_nobody_subscribes() -> None:
    quiet = KioskConfig(simulator=SimulatorSettings(pacing=False, auto_citizen=False))
    simulation = Simulation(load_scenario("happy"), quiet)
    simulation.start(default_registry())
    try:
        service = FakeService(quiet)
        simulation.attach(service)
        assert len(service.bus.callbacks) == 1  # the simulation's own watcher, no citizen
        assert service.devtools is not None
    finally:
        simulation.stop()


def test_attach_needs_a_started_simulation() -> None:
    simulation = Simulation(load_scenario("happy"), config())
    with pytest.raises(RuntimeError):
        simulation.attach(FakeService(simulation.config))


def test_faults_by_spec_in_time_order_and_one_line_errors(
    started: tuple[Simulation, DeviceRegistry, DevicesSettings],
) -> None:
    simulation = started[0]
    simulation.inject("camera:freeze", mode="stall")
    simulation.inject("signature:unplug")
    simulation.inject("scanner:unplug")
    assert set(simulation.world.active_faults()) == {
        "camera:freeze", "signature:unplug", "scanner:unplug"}
    simulation.clear("scanner:unplug")
    assert simulation.world.scanner.plugged
    simulation.clear("signature:unplug")
    simulation.clear("camera:freeze")
    assert simulation.world.active_faults() == []
    assert simulation.faults_met() == ["camera:freeze", "signature:unplug", "scanner:unplug"]
    for spec, message in (("toaster:unplug", "no simulated device 'toaster'"),
                          ("camera:explode", "unsupported fault 'explode' by camera"),
                          ("unplug", "a fault is named device:fault")):
        with pytest.raises(ValueError, match=message) as error:
            simulation.inject(spec)
        assert "\n" not in str(error.value)


def test_set_persona(started: tuple[Simulation, DeviceRegistry, DevicesSettings]) -> None:
    simulation = started[0]
    simulation.set_persona("tilted")
    assert simulation.world.camera.persona.name == "tilted"
    with pytest.raises(ValueError, match="no persona"):
        simulation.set_persona("nobody")
    assert simulation.scenario.name == "happy"


def test_start_prepares_nothing_at_once_and_a_session_start_begins_the_preparation() -> None:
    simulation = Simulation(load_scenario("happy"), config(), prepare_after_s=3600)
    simulation.start(default_registry())
    service = FakeService(simulation.config)
    simulation.attach(service)
    camera = simulation.world.camera
    assert not camera.scene.ready
    for callback in list(service.bus.callbacks):
        callback(StateChanged(kiosk_id="k1", old=State.WELCOME, new=State.IDENTIFY,
                              event="start"))
    simulation.stop()  # waits for the preparation under way
    assert camera.scene.ready


def test_a_simulation_stopped_before_its_preparation_prepares_nothing() -> None:
    simulation = Simulation(load_scenario("happy"), config(), prepare_after_s=3600)
    simulation.start(default_registry())
    simulation.stop()
    simulation.prepare()
    assert not simulation.world.camera.scene.ready

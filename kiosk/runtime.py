"""The running kiosk: configuration turned into devices, cores and (optionally) the simulator.

One object the UI asks for everything that is not drawing: the devices, the document decision,
a photo capture, a finger sequence, the hand-off. With the simulator enabled it starts the
simulated world first and points the real drivers at the simulated devices' ports and stream.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drivers.errors import DeviceError
from drivers.interfaces import (
    Camera,
    Device,
    DocumentScanner,
    FingerprintReader,
    Health,
    SignaturePad,
)
from kiosk.config import KioskConfig
from kiosk.handoff import MemoryOutbox
from kiosk.workflow import State

if TYPE_CHECKING:
    from kiosk.steps.fingerprints import FingerStep
    from kiosk.steps.photo import PhotoStep
    from simulator.scenario import Scenario
    from simulator.world import SimulatedWorld

log = logging.getLogger(__name__)
audit = logging.getLogger("pasboks.audit")


class StartupError(Exception):
    """The kiosk cannot start (the simulator failed, a driver cannot be built)."""


@dataclass
class Devices:
    """The kiosk's four devices."""

    scanner: DocumentScanner
    fingerprint: FingerprintReader
    camera: Camera
    signature: SignaturePad

    def items(self) -> Iterator[tuple[str, Device]]:
        """``(configured name, device)`` pairs in a fixed order."""
        yield "scanner", self.scanner
        yield "fingerprint", self.fingerprint
        yield "camera", self.camera
        yield "signature", self.signature


class KioskRuntime:
    """Devices, cores and storage of one running kiosk."""

    def __init__(self, config: KioskConfig, devices: Devices,
                 world: SimulatedWorld | None = None,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        self.config = config
        self.devices = devices
        self.world = world
        self.today = today
        self.outbox = MemoryOutbox(retention_s=config.storage.retention_hours * 3600)
        #: Device poll length: workers check for cancellation this often.
        self.poll_s = config.timeouts.device_read_s

    @classmethod
    def start(cls, config: KioskConfig, scenario: Scenario | None = None,
              open_devices: bool = True) -> KioskRuntime:
        """Start the simulator (when enabled), build the drivers and open them."""
        from kiosk.devices import build_devices

        world = None
        settings = config.devices
        if config.simulator.enabled:
            from simulator.scenario import load_scenario
            from simulator.world import SimulatedWorld

            try:
                world = SimulatedWorld(scenario or load_scenario(config.simulator.persona),
                                       settings, auto_citizen=config.simulator.auto_citizen,
                                       pacing=config.simulator.pacing)
                settings = world.start()
            except Exception as error:
                raise StartupError(f"the simulator could not start: {error}") from error
        devices = build_devices(settings, world)
        runtime = cls(config, devices, world)
        if open_devices:
            runtime.open_devices()
        return runtime

    def open_devices(self) -> None:
        """Open every device; one that fails now is reported by the step that needs it."""
        for name, device in self.devices.items():
            try:
                device.open()
            except DeviceError as error:
                log.warning("%s", error.staff_message)
            else:
                log.info("%s opened (%s)", name, type(device).__name__)

    def check_devices(self) -> list[tuple[str, Device, Health]]:
        """Open and probe each device: the self-test behind ``kiosk devices check``."""
        results = []
        for name, device in self.devices.items():
            started = time.perf_counter()
            try:
                device.open()
            except DeviceError as error:
                health = Health(False, error.detail, (time.perf_counter() - started) * 1000,
                                code=error.code)
            else:
                health = device.probe()
            results.append((name, device, health))
        return results

    def reopen(self, name: str) -> None:
        """Open a device again after a failure (a replugged pad needs it; others reconnect)."""
        device = dict(self.devices.items()).get(name)
        if device is not None:
            device.open()

    def device_health(self) -> list[tuple[str, Health]]:
        """Probe the open devices (for the staff's status view; nothing is reopened)."""
        return [(name, device.probe()) for name, device in self.devices.items()]

    # --- the steps ------------------------------------------------------------------------

    def assess_document(self, lines: tuple[str, ...] | list[str]) -> Any:
        """The document core's decision on the MRZ lines the scanner read."""
        from kiosk.document.decision import assess_document

        return assess_document(lines, self.today(), self.config.document)

    def photo_capture(self) -> PhotoStep:
        """A fresh live photo capture (guidance, auto-capture, token photo)."""
        from kiosk.steps.photo import PhotoStep

        return PhotoStep(self.config.photo)

    def check_camera(self) -> None:
        """Raise the camera's DeviceError when its stream has failed or frozen."""
        self.devices.camera.raise_if_failed()  # type: ignore[attr-defined]

    def finger_sequence(self, decision: Any) -> FingerStep:
        """The guided finger sequence for this citizen."""
        from kiosk.steps.fingerprints import FingerStep

        step = FingerStep(self.config.fingerprint, age=decision.age)
        if self.world is not None:
            step.observers.append(self.world.finger_requested)
        return step

    def wait_for_lift(self, reader: FingerprintReader, cancelled: Callable[[], bool]) -> None:
        """Wait until the finger has left the reader, so the next attempt is a new placement."""
        while not cancelled() and reader.finger_present():
            time.sleep(0.05)

    def hand_off(self, data: Any) -> str:
        """Store the application for the case worker; returns its reference."""
        from kiosk.fingerprint.encoding import iso19794_4_record

        prints = data.fingerprints
        # The record is built from the impressions themselves: each carries the finger
        # position it was captured as, so the record cannot swap left and right.
        record = (iso19794_4_record(prints.impressions, self.config.fingerprint.encoding)
                  if prints is not None and prints.impressions else None)
        return self.outbox.put(data.document.handoff, data.photo, prints, data.signature,
                               record)

    def call_staff(self, state: State) -> None:
        """Call a librarian to the kiosk."""
        audit.info("staff called at %s", state.value)
        if self.world is not None:
            self.world.staff_called(state.value)

    def state_changed(self, state: State) -> None:
        """The kiosk moved to ``state`` (the simulated citizen watches the screen)."""
        if self.world is not None:
            self.world.kiosk_state(state.value)

    def close(self) -> None:
        """Close the devices and stop the simulator. Safe to call twice."""
        for _name, device in self.devices.items():
            device.close()
        if self.world is not None:
            self.world.stop()
            self.world = None

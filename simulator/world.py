"""The simulated world: the four simulated devices of one kiosk (and, optionally, its citizen).

``start`` brings the devices up (serial devices on ptys, the camera as an MJPEG stream on
loopback, the signature pad and a USB fingerprint scanner as SDK-style facades) and returns the
device settings with their addresses, so the kiosk's real drivers open them exactly as they open
hardware. Every device is a :class:`~simulator.faults.SimulatedDevice`: faults are injected and
cleared the same way on each, by name ``device:fault``.

:class:`simulator.attach.Simulation` is what a kiosk service uses; this class is the devices
underneath it.
"""

from __future__ import annotations

import logging

from kiosk.config import DevicesSettings
from simulator.camera.server import SimulatedCamera
from simulator.citizen import SimulatedCitizen
from simulator.faults import FaultParam, SimulatedDevice
from simulator.fingerprint_sensor import SimulatedR30x
from simulator.lift import SimulatedLift, make_lift
from simulator.printer import SimulatedPrinter
from simulator.scanner import SimulatedScanner
from simulator.scenario import Scenario
from simulator.signature_pad import SimulatedPadSdk, SimulatedSignaturePad
from simulator.usb_fingerprint import SimulatedScannerSdk, SimulatedUsbScanner

log = logging.getLogger(__name__)

#: Which described scanner model speaks each framing.
SCANNER_MODELS = {
    "lines": "mrz-plain",
    "3m": "mrz-3m-rte6701",
    "desko": "mrz-desko-penta",
    "idbox": "mrz-idbox",
}
DEVICE_NAMES = ("scanner", "fingerprint", "camera", "signature")


class SimulatedWorld:
    """Simulated devices for one kiosk, played by one scenario's citizen.

    Args:
        scenario: The scenario (camera persona; the citizen's passport, fingers, signature).
        settings: The kiosk's device settings (framing, baud rates, camera size, models).
        auto_citizen: Create a :class:`SimulatedCitizen` that acts when the kiosk asks.
        pacing: Pace serial output to the baud rate, as hardware does (off for fast tests).
    """

    def __init__(self, scenario: Scenario, settings: DevicesSettings, *,
                 auto_citizen: bool = True, pacing: bool = True) -> None:
        self.scenario = scenario
        self.settings = settings
        self.scanner = SimulatedScanner.from_model(
            SCANNER_MODELS[settings.scanner.framing], name="scanner", pacing=pacing,
            baud=settings.scanner.baudrate)
        self.fingerprint: SimulatedR30x | SimulatedUsbScanner
        #: The SDK facade of a simulated USB scanner (None for a serial reader).
        self.fingerprint_sdk: SimulatedScannerSdk | None = None
        if settings.fingerprint.model == "usb-500ppi":
            self.fingerprint = SimulatedUsbScanner("fingerprint")
            self.fingerprint_sdk = SimulatedScannerSdk(self.fingerprint)
        else:
            self.fingerprint = SimulatedR30x.from_model(
                "r307", name="fingerprint", pacing=pacing, baud=settings.fingerprint.baudrate)
        camera = settings.camera
        self.camera = SimulatedCamera(scenario.persona, width=camera.width, height=camera.height,
                                      fps=camera.fps)
        #: The camera lift on a pty (None without one); it moves the camera's picture.
        self.lift: SimulatedLift | None = make_lift(scenario, settings, self.camera,
                                                    pacing=pacing)
        self.signature_pad = SimulatedSignaturePad("signature")
        #: The SDK facade the kiosk's signature step drives.
        self.signature_sdk = SimulatedPadSdk(self.signature_pad)
        #: The receipt printer on a pty (None when the kiosk is configured without one).
        self.printer = (None if settings.printer.model == "none" else
                        SimulatedPrinter("printer", pacing=pacing,
                                         baud=settings.printer.baudrate))
        self.citizen = (SimulatedCitizen(scenario, self.scanner, self.fingerprint,
                                         self.signature_pad) if auto_citizen else None)
        self._started = False

    @property
    def devices(self) -> dict[str, SimulatedDevice]:
        """Every simulated device by its configured name."""
        devices: dict[str, SimulatedDevice] = {
            "scanner": self.scanner, "fingerprint": self.fingerprint,
            "camera": self.camera, "signature": self.signature_pad}
        if self.printer is not None:
            devices["printer"] = self.printer
        if self.lift is not None:
            devices["lift"] = self.lift
        return devices

    def start(self, *, prepare: bool = True) -> DevicesSettings:
        """Start every simulated device; returns the settings that point the drivers at them.

        ``prepare=False``: the camera does not prepare its portrait in the background at once
        (the caller does, with ``camera.prepare()``, when it suits it).
        """
        scanner_path = self.scanner.start()
        fingerprint_path = (self.fingerprint.start() if isinstance(self.fingerprint, SimulatedR30x)
                            else self.settings.fingerprint.url)
        camera_url = self.camera.start(prepare=prepare)
        lift = (self.settings.lift if self.lift is None else self.settings.lift.model_copy(
            update={"model": "serial", "url": self.lift.start()}))
        printer = self.settings.printer
        if self.printer is not None:
            # Whatever the configured connection, the simulated printer is on a serial pty.
            printer = printer.model_copy(update={"model": "serial",
                                                 "url": self.printer.start()})
        self._started = True
        log.info("simulator started: scanner %s, fingerprint %s, camera %s",
                 scanner_path, fingerprint_path, camera_url)
        return self.settings.model_copy(update={
            "scanner": self.settings.scanner.model_copy(update={"url": scanner_path}),
            "fingerprint": self.settings.fingerprint.model_copy(update={"url": fingerprint_path}),
            "camera": self.settings.camera.model_copy(update={"source": camera_url}),
            "lift": lift,
            "printer": printer,
        })

    def stop(self) -> None:
        """Stop the citizen and every device. Safe to call twice."""
        if self.citizen is not None:
            self.citizen.stop()
        if self._started:
            self.scanner.stop()
            if isinstance(self.fingerprint, SimulatedR30x):
                self.fingerprint.stop()
            self.camera.stop()
            if self.lift is not None:
                self.lift.stop()
            if self.printer is not None:
                self.printer.stop()
            self._started = False

    # --- what a developer or a scenario does -------------------------------------------------

    def device(self, name: str) -> SimulatedDevice:
        """A simulated device by its configured name; ValueError for another name."""
        devices = self.devices
        if name not in devices:
            raise ValueError(f"no simulated device {name!r}; devices: {', '.join(devices)}")
        return devices[name]

    def inject(self, spec: str, **params: FaultParam) -> None:
        """Inject a fault, named ``device:fault`` (``scanner:unplug``, ``camera:freeze``)."""
        name, fault = split_spec(spec)
        self.device(name).inject(fault, **params)

    def clear(self, spec: str) -> None:
        """Clear a fault, named ``device:fault``; the device works again (``unplug``: replug)."""
        name, fault = split_spec(spec)
        self.device(name).clear(fault)

    def active_faults(self) -> list[str]:
        """Faults in force now, as ``device:fault``."""
        return [f"{name}:{fault}" for name, device in self.devices.items()
                for fault in device.active_faults]

    def faults_met(self) -> list[str]:
        """Every fault met so far, as ``device:fault``, in order of time."""
        met = [m for device in self.devices.values() for m in device.faults_met]
        return [m.spec for m in sorted(met, key=lambda m: m.t)]

    def set_persona(self, persona: str) -> None:
        """Put another persona in front of the camera."""
        self.camera.set_persona(persona)


def split_spec(spec: str) -> tuple[str, str]:
    """``device:fault`` split in two; ValueError for another shape."""
    device, _, fault = spec.partition(":")
    if not device or not fault:
        raise ValueError(f"a fault is named device:fault, e.g. scanner:unplug (got {spec!r})")
    return device, fault

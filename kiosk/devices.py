"""The kiosk's four devices, and the registry that builds their drivers from the settings.

Each device kind has models (``fingerprint``: ``r30x``, ``usb-500ppi``...); a model is a factory
``settings -> driver``. The kiosk registers the drivers it ships; an SDK wrapper (or the
simulator's SDK facades) registers more from outside, so nothing here knows the simulator.
A model with no registered factory gets an :class:`UnsupportedDevice` that says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from drivers.camera import OpenCvCamera
from drivers.interfaces import (
    Camera,
    CameraLift,
    Device,
    DocumentScanner,
    FingerprintReader,
    ReceiptPrinter,
    SignaturePad,
)
from drivers.lift import SerialCameraLift
from drivers.mrz_scanner import SerialDocumentScanner
from drivers.r30x import R30xFingerprintReader
from drivers.receipt_printer import (
    EscPosReceiptPrinter,
    PrinterTransport,
    SerialTransport,
    UsbTransport,
)
from drivers.unsupported import UnsupportedDevice
from kiosk.config import DevicesSettings

DEVICE_NAMES = ("scanner", "fingerprint", "camera", "signature")


@dataclass
class Devices:
    """The kiosk's four devices."""

    scanner: DocumentScanner
    fingerprint: FingerprintReader
    camera: Camera
    signature: SignaturePad
    #: The camera lift, None when the kiosk has none (``devices.lift.model = "none"``).
    lift: CameraLift | None = None
    #: The receipt printer, None when the kiosk has none (``devices.printer.model = "none"``).
    printer: ReceiptPrinter | None = None

    def items(self) -> Iterator[tuple[str, Device]]:
        """``(configured name, device)`` pairs in a fixed order."""
        yield "scanner", self.scanner
        yield "fingerprint", self.fingerprint
        yield "camera", self.camera
        yield "signature", self.signature
        if self.lift is not None:
            yield "lift", self.lift
        if self.printer is not None:
            yield "printer", self.printer

    def get(self, name: str) -> Device | None:
        """A device by its configured name (None for a name that is not a device)."""
        return dict(self.items()).get(name)


ScannerFactory = Callable[[DevicesSettings], DocumentScanner]
FingerprintFactory = Callable[[DevicesSettings], FingerprintReader]
CameraFactory = Callable[[DevicesSettings], Camera]
SignatureFactory = Callable[[DevicesSettings], SignaturePad]
LiftFactory = Callable[[DevicesSettings], CameraLift]
PrinterFactory = Callable[[DevicesSettings], ReceiptPrinter]

#: Why a model without a registered factory cannot be used, for staff and the self-test.
MISSING_DRIVER = {
    "fingerprint": "no vendor SDK wrapped for USB scanners yet (see README)",
    "signature": "no driver for a hardware signature pad yet (vendor SDK needed; see README)",
}


class DeviceRegistry:
    """Factories by device kind and model; ``build`` makes one driver per device."""

    def __init__(self) -> None:
        self.scanners: dict[str, ScannerFactory] = {}
        self.fingerprints: dict[str, FingerprintFactory] = {}
        self.cameras: dict[str, CameraFactory] = {}
        self.signatures: dict[str, SignatureFactory] = {}
        self.lifts: dict[str, LiftFactory] = {}
        #: Receipt printers by connection (``serial``, ``usb``).
        self.printers: dict[str, PrinterFactory] = {}

    def build(self, settings: DevicesSettings) -> Devices:
        """One driver per device. Drivers never know whether the device is simulated."""
        return Devices(
            scanner=_pick(self.scanners, "serial", "scanner")(settings),
            fingerprint=_pick(self.fingerprints, settings.fingerprint.model,
                              "fingerprint")(settings),
            camera=_pick(self.cameras, "opencv", "camera")(settings),
            signature=_pick(self.signatures, settings.signature.kind, "signature")(settings),
            lift=_optional(self.lifts, settings.lift.model, "camera lift")(settings),
            printer=_optional(self.printers, settings.printer.model,
                              "receipt printer")(settings),
        )


D = TypeVar("D", bound=Device)


def _pick(factories: dict[str, Callable[[DevicesSettings], D]], model: str, kind: str
          ) -> Callable[[DevicesSettings], D | UnsupportedDevice]:
    factory = factories.get(model)
    if factory is not None:
        return factory
    reason = MISSING_DRIVER.get(kind, f"no driver registered for model {model!r}")
    return lambda settings: UnsupportedDevice(kind, reason)


def _optional(factories: dict[str, Callable[[DevicesSettings], D]], model: str, kind: str
              ) -> Callable[[DevicesSettings], D | None]:
    """The factory of an optional device; model ``none`` means the kiosk has none.

    A model with no factory is a configuration gap that a stand-in cannot name to the
    self-test (unlike a missing vendor SDK), so it is refused.
    """
    if model == "none":
        return lambda settings: None
    factory = factories.get(model)
    if factory is None:
        raise ValueError(f"no driver registered for {kind} model {model!r}")
    return factory


def default_registry() -> DeviceRegistry:
    """The drivers the kiosk ships: serial MRZ readers, R30x modules, OpenCV cameras."""
    registry = DeviceRegistry()
    registry.scanners["serial"] = lambda s: SerialDocumentScanner(
        "scanner", s.scanner.url, framing=s.scanner.framing, baudrate=s.scanner.baudrate)
    registry.fingerprints["r30x"] = lambda s: R30xFingerprintReader(
        "fingerprint", s.fingerprint.url, baudrate=s.fingerprint.baudrate,
        target_baudrate=s.fingerprint.target_baudrate,
        target_packet_size=s.fingerprint.target_packet_size)
    registry.cameras["opencv"] = lambda s: OpenCvCamera(
        "camera", int(s.camera.source) if s.camera.source.isdigit() else s.camera.source,
        width=s.camera.width, height=s.camera.height, fourcc=s.camera.fourcc, fps=s.camera.fps,
        lock_exposure=s.camera.lock_exposure)
    registry.lifts["serial"] = lambda s: SerialCameraLift("lift", s.lift.url,
                                                          baudrate=s.lift.baudrate)
    registry.printers["serial"] = lambda s: _escpos_printer(
        s, SerialTransport("printer", s.printer.url, baudrate=s.printer.baudrate))
    registry.printers["usb"] = lambda s: _escpos_printer(
        s, UsbTransport("printer", s.printer.usb_vendor, s.printer.usb_product))
    return registry


def _escpos_printer(settings: DevicesSettings, transport: PrinterTransport
                    ) -> EscPosReceiptPrinter:
    printer = settings.printer
    return EscPosReceiptPrinter("printer", transport, columns=printer.columns, qr=printer.qr,
                                qr_size=printer.qr_size, profile=printer.profile)

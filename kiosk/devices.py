"""Build the kiosk's drivers from the device settings (a factory: config in, devices out)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.camera import OpenCvCamera
from drivers.interfaces import FingerprintReader
from drivers.mrz_scanner import SerialDocumentScanner
from drivers.r30x import R30xFingerprintReader
from drivers.unsupported import UnsupportedDevice
from kiosk.config import DevicesSettings
from kiosk.runtime import Devices

if TYPE_CHECKING:
    from simulator.world import SimulatedWorld


def build_devices(settings: DevicesSettings, world: SimulatedWorld | None = None) -> Devices:
    """One driver per device. Drivers never know whether the device is simulated."""
    camera = settings.camera
    source: str | int = int(camera.source) if camera.source.isdigit() else camera.source
    if world is not None and world.fingerprint_sdk is not None:
        fingerprint: FingerprintReader = world.fingerprint_sdk
    elif settings.fingerprint.model == "usb-500ppi":
        fingerprint = UnsupportedDevice("fingerprint", "no vendor SDK wrapped for USB scanners "
                                        "yet (see README)")
    else:
        fingerprint = R30xFingerprintReader("fingerprint", settings.fingerprint.url,
                                            baudrate=settings.fingerprint.baudrate)
    if world is not None:
        signature = world.signature_pad
    else:
        # Signature pads are reached only through vendor SDKs (devices.md §4); until one is
        # wrapped, the self-test and the signature step say so.
        signature = UnsupportedDevice("signature", "no driver for a hardware signature pad yet "
                                      "(vendor SDK needed; see README)")
    return Devices(
        scanner=SerialDocumentScanner("scanner", settings.scanner.url,
                                      framing=settings.scanner.framing,
                                      baudrate=settings.scanner.baudrate),
        fingerprint=fingerprint,
        camera=OpenCvCamera("camera", source, width=camera.width, height=camera.height,
                            fourcc=camera.fourcc, fps=camera.fps,
                            lock_exposure=camera.lock_exposure),
        signature=signature,
    )

"""A simulated certified 500 ppi USB fingerprint scanner, reached through an SDK-style facade.

The scanners used for passport enrolment (Integrated Biometrics, Suprema BioMini, HID U.are.U)
have no public wire protocol: hosts drive them through the vendor SDK (devices.md §2.3). So the
simulator models two objects, as the real world has them: the scanner the citizen touches
(:class:`SimulatedUsbScanner`: place, lift, faults) and the SDK the kiosk calls
(:class:`SimulatedScannerSdk`: open, capture with timeout, image with width/height/ppi, a quality
score), which satisfies :class:`drivers.interfaces.FingerprintReader` like a real SDK wrapper
would. Images are delivered full size at 500 ppi, not cropped to a small sensor.
"""

from __future__ import annotations

import threading
import time

import numpy as np
from numpy.typing import NDArray

from drivers.errors import DeviceDisconnectedError, DeviceError, DeviceNotFoundError
from drivers.interfaces import FingerprintImage, Health
from simulator.faults import FaultParams, FaultSpec, FaultyDevice
from simulator.pty_device import TrafficEntry

#: Capture area of the simulated scanner at 500 ppi (about 20 x 25 mm, a single-finger
#: FBI Appendix F class device).
ROWS, COLS = 500, 400
#: Faults of the USB scanner (a USB device has no bytes to garble here).
USB_FAULTS = {
    "unplug": FaultSpec("pull the USB cable; the SDK must open the scanner again after a replug",
                        times=None),
}


class SimulatedUsbScanner(FaultyDevice):
    """The scanner itself: the citizen places and lifts a finger; faults on demand."""

    def __init__(self, name: str = "fingerprint") -> None:
        super().__init__(name, USB_FAULTS)
        #: No serial traffic: the SDK talks USB.
        self.traffic: list[TrafficEntry] = []
        self._cond = threading.Condition()
        self._finger: NDArray[np.uint8] | None = None

    # -- the citizen -------------------------------------------------------------------------

    def place(self, image: NDArray[np.uint8]) -> None:
        """A finger on the glass (any-size 8-bit grey, centred onto the capture area)."""
        with self._cond:
            self._finger = _fit(image)
            self._cond.notify_all()

    def lift(self) -> None:
        """The finger leaves the glass."""
        with self._cond:
            self._finger = None
            self._cond.notify_all()

    @property
    def finger_present(self) -> bool:
        """True while a finger lies on the glass."""
        return self._finger is not None

    # -- faults ------------------------------------------------------------------------------

    @property
    def plugged(self) -> bool:
        """False after an unplug, until the replug."""
        return not self._faults.is_active("unplug")

    def _fault_armed(self, name: str, params: FaultParams) -> None:
        self._faults.met(name, "", params)
        with self._cond:
            self._cond.notify_all()

    def _end_fault(self, name: str, was_active: bool) -> None:
        with self._cond:
            self._cond.notify_all()

    def unplug(self) -> None:
        """Pull the USB cable: ``inject("unplug")``."""
        self.inject("unplug")

    def replug(self) -> None:
        """Plug it back in (the SDK must open the device again): ``clear("unplug")``."""
        self.clear("unplug")


class SimulatedScannerSdk:
    """The vendor-SDK facade the kiosk drives: a :class:`~drivers.interfaces.FingerprintReader`."""

    def __init__(self, scanner: SimulatedUsbScanner) -> None:
        self.name = scanner.name
        self.scanner = scanner
        self._open = False
        self._session = 0

    def open(self) -> None:
        """Find and open the scanner. Raises DeviceNotFoundError while it is unplugged."""
        if not self.scanner.plugged:
            raise DeviceNotFoundError(self.name, "no USB fingerprint scanner found")
        self._open = True
        self._session = id(self)

    def close(self) -> None:
        """Release the scanner. Never raises."""
        self._open = False

    def probe(self) -> Health:
        """Report whether the scanner is there. Never raises."""
        started = time.perf_counter()
        if not self.scanner.plugged:
            return Health(False, "no USB fingerprint scanner found",
                          (time.perf_counter() - started) * 1000, code=DeviceNotFoundError.code)
        return Health(True, f"USB scanner {COLS}x{ROWS} at 500 ppi",
                      (time.perf_counter() - started) * 1000,
                      extra={"width": str(COLS), "height": str(ROWS), "ppi": "500"})

    def capture(self, timeout: float) -> FingerprintImage | None:
        """Wait up to ``timeout`` s for a finger; its full-size 500 ppi image, or None."""
        deadline = time.monotonic() + timeout
        cond = self.scanner._cond
        with cond:
            while True:
                self._check()
                finger = self.scanner._finger
                if finger is not None:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                cond.wait(remaining)
        return FingerprintImage(finger.copy(), 500, time.monotonic())

    def finger_present(self) -> bool:
        """True while a finger lies on the glass."""
        with self.scanner._cond:
            self._check()
            return self.scanner._finger is not None

    def _check(self) -> None:
        if not self.scanner.plugged:
            self._open = False
            raise DeviceDisconnectedError(self.name, "USB fingerprint scanner disconnected")
        if not self._open:
            raise DeviceError(self.name, "USB fingerprint scanner is not open")


def _fit(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Centre ``image`` on the capture area: crop what is larger, pad with white what is not."""
    out = np.full((ROWS, COLS), 255, np.uint8)
    h, w = image.shape[:2]
    top, left = max(0, (h - ROWS) // 2), max(0, (w - COLS) // 2)
    crop = image[top:top + ROWS, left:left + COLS]
    oy, ox = (ROWS - crop.shape[0]) // 2, (COLS - crop.shape[1]) // 2
    out[oy:oy + crop.shape[0], ox:ox + crop.shape[1]] = crop
    return out

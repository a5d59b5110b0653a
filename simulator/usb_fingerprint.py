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
from typing import Any

import numpy as np

from drivers.errors import DeviceDisconnectedError, DeviceError, DeviceNotFoundError
from drivers.interfaces import FingerprintImage, Health
from simulator.faults import FaultMet

#: Capture area of the simulated scanner at 500 ppi (about 20 x 25 mm, a single-finger
#: FBI Appendix F class device).
ROWS, COLS = 500, 400
FAULTS = ("unplug",)


class SimulatedUsbScanner:
    """The scanner itself: the citizen places and lifts a finger; faults on demand."""

    def __init__(self, name: str = "fingerprint") -> None:
        self.name = name
        self.faults = FAULTS
        #: No serial traffic: the SDK talks USB.
        self.traffic: list[Any] = []
        self.faults_met: list[FaultMet] = []
        self._cond = threading.Condition()
        self._finger: np.ndarray | None = None
        self._plugged = True

    # -- the citizen -------------------------------------------------------------------------

    def place(self, image: np.ndarray) -> None:
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
        return self._plugged

    @property
    def active_faults(self) -> dict[str, dict[str, Any]]:
        """Faults in force (an unplug shows as ``plugged`` being False instead)."""
        return {}

    def inject(self, fault: str, **params: Any) -> None:
        """Start a fault: only ``unplug`` (a USB device has no bytes to garble here)."""
        if fault not in FAULTS:
            raise ValueError(f"unsupported fault {fault!r}; supported: {list(FAULTS)}")
        self.faults_met.append(FaultMet(time.monotonic(), fault, ""))
        self.unplug()

    def clear(self, fault: str | None = None) -> None:
        """End a fault."""
        self.replug()

    def unplug(self) -> None:
        """Pull the USB cable."""
        with self._cond:
            self._plugged = False
            self._cond.notify_all()

    def replug(self) -> None:
        """Plug it back in (the SDK must open the device again)."""
        with self._cond:
            self._plugged = True
            self._cond.notify_all()


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


def _fit(image: np.ndarray) -> np.ndarray:
    """Centre ``image`` on the capture area: crop what is larger, pad with white what is not."""
    out = np.full((ROWS, COLS), 255, np.uint8)
    h, w = image.shape[:2]
    top, left = max(0, (h - ROWS) // 2), max(0, (w - COLS) // 2)
    crop = image[top:top + ROWS, left:left + COLS]
    oy, ox = (ROWS - crop.shape[0]) // 2, (COLS - crop.shape[1]) // 2
    out[oy:oy + crop.shape[0], ox:ox + crop.shape[1]] = crop
    return out

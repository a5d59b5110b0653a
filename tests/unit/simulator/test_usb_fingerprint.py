"""The simulated 500 ppi USB scanner and its SDK facade: full-size images, unplug, reopen."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from drivers.errors import DeviceDisconnectedError, DeviceNotFoundError
from drivers.interfaces import FingerprintReader
from simulator.usb_fingerprint import COLS, ROWS, SimulatedScannerSdk, SimulatedUsbScanner


def test_facade_is_a_fingerprint_reader() -> None:
    assert isinstance(SimulatedScannerSdk(SimulatedUsbScanner()), FingerprintReader)


def test_capture_waits_for_a_finger_and_delivers_it_full_size() -> None:
    scanner = SimulatedUsbScanner()
    sdk = SimulatedScannerSdk(scanner)
    sdk.open()
    assert sdk.capture(0.05) is None
    finger = np.full((560, 380), 80, np.uint8)
    threading.Timer(0.05, scanner.place, args=(finger,)).start()
    image = sdk.capture(2.0)
    assert image is not None and image.ppi == 500
    assert image.pixels.shape == (ROWS, COLS)
    # Taller than the glass: cropped; narrower: padded with white.
    assert image.pixels[:, 0].min() == 255 and image.pixels[ROWS // 2, COLS // 2] == 80
    assert sdk.finger_present()
    scanner.lift()
    assert not sdk.finger_present()


def test_unplug_is_a_named_error_and_a_reopen_recovers() -> None:
    scanner = SimulatedUsbScanner()
    sdk = SimulatedScannerSdk(scanner)
    sdk.open()
    scanner.inject("unplug")
    with pytest.raises(DeviceDisconnectedError):
        sdk.capture(0.1)
    with pytest.raises(DeviceNotFoundError):
        sdk.open()
    assert not sdk.probe().ok
    scanner.clear("unplug")
    sdk.open()
    scanner.place(np.zeros((10, 10), np.uint8))
    assert sdk.capture(0.1) is not None
    assert [met.fault for met in scanner.faults_met] == ["unplug"]

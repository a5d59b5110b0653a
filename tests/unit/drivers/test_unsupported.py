"""A device without a driver stands in for any kind of device and fails every use by name."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from drivers import camera, interfaces
from drivers.errors import DeviceNotFoundError
from drivers.interfaces import Camera, DocumentScanner, FingerprintReader, SignaturePad
from drivers.unsupported import UnsupportedDevice


@pytest.mark.parametrize("protocol", [DocumentScanner, FingerprintReader, Camera, SignaturePad])
def test_satisfies_every_device_interface(protocol: type) -> None:
    assert isinstance(UnsupportedDevice("scanner", "no driver"), protocol)


@pytest.mark.parametrize(
    "use",
    [
        lambda d: d.open(),
        lambda d: d.capture(1.0),
        lambda d: d.read_document(1.0),
        lambda d: d.latest(),
        lambda d: d.raise_if_failed(),
        lambda d: d.finger_present(),
    ],
)
def test_every_use_fails_with_the_reason(use: Callable[[UnsupportedDevice], object]) -> None:
    with pytest.raises(DeviceNotFoundError, match="no driver for model x"):
        use(UnsupportedDevice("camera", "no driver for model x"))


def test_status_probe_and_close_never_raise() -> None:
    device = UnsupportedDevice("camera", "no driver for model x")
    status = device.status()
    assert not status.ok and status.state == "closed"
    assert isinstance(status.error, DeviceNotFoundError)
    health = device.probe()
    assert not health.ok and health.code == "device_not_found"
    device.close()
    device.clear()


def test_camera_status_is_the_interface_type() -> None:
    assert camera.CameraStatus is interfaces.CameraStatus

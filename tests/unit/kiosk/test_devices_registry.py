"""The device registry: one driver per configured device, optional devices really optional."""

from __future__ import annotations

import pytest

from drivers.lift import SerialCameraLift
from drivers.unsupported import UnsupportedDevice
from kiosk.config import DevicesSettings, LiftSettings, PrinterSettings
from kiosk.devices import DeviceRegistry, default_registry


def settings(lift: str, printer: str) -> DevicesSettings:
    return DevicesSettings(lift=LiftSettings(model=lift, url="/dev/null"),
                           printer=PrinterSettings(model=printer, url="/dev/null"))


def test_a_kiosk_without_lift_or_printer_has_neither() -> None:
    devices = default_registry().build(settings("none", "none"))
    assert devices.lift is None and devices.printer is None
    assert [name for name, _ in devices.items()] == ["scanner", "fingerprint", "camera",
                                                     "signature"]


def test_configured_lift_and_printer_get_their_drivers() -> None:
    devices = default_registry().build(settings("serial", "serial"))
    assert isinstance(devices.lift, SerialCameraLift)
    assert devices.printer is not None and devices.get("printer") is devices.printer


def test_an_optional_model_without_a_driver_is_refused_by_name() -> None:
    registry = DeviceRegistry()
    with pytest.raises(ValueError, match="camera lift model 'serial'"):
        registry.build(settings("serial", "none"))
    with pytest.raises(ValueError, match="receipt printer model 'usb'"):
        registry.build(settings("none", "usb"))


def test_a_required_device_without_a_driver_becomes_a_named_stand_in() -> None:
    devices = DeviceRegistry().build(settings("none", "none"))
    assert isinstance(devices.scanner, UnsupportedDevice)

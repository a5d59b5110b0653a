"""Layout snapshots of the kiosk's screens at the touchscreen's size (review diffs before
``--snapshot-update``). No devices are attached, so device steps end on the device-error screen."""

from __future__ import annotations

from typing import Any

from drivers.unsupported import UnsupportedDevice
from kiosk.config import KioskConfig, SimulatorSettings
from kiosk.devices import Devices
from kiosk.service.kiosk import KioskService
from kiosk.ui.app import KioskApp

SIZE = (120, 44)


def app_without_devices(language: str = "en") -> KioskApp:
    """The production app on a service whose devices all say they have no driver."""
    devices = Devices(*(UnsupportedDevice(name, "not connected")
                        for name in ("scanner", "fingerprint", "camera", "signature")))
    config = KioskConfig(language=language, simulator=SimulatorSettings(enabled=False))
    return KioskApp(KioskService(config, devices).start())


def test_welcome_in_danish(snap_compare: Any) -> None:
    assert snap_compare(app_without_devices("da"), terminal_size=SIZE)


def test_welcome_in_english(snap_compare: Any) -> None:
    assert snap_compare(app_without_devices("en"), terminal_size=SIZE)


def test_device_error(snap_compare: Any) -> None:
    async def start(pilot: Any) -> None:
        await pilot.click("#start")
        for _ in range(100):
            if pilot.app.service.state.value == "device_error":
                break
            await pilot.pause(0.05)
        await pilot.pause()

    assert snap_compare(app_without_devices("en"), terminal_size=SIZE, run_before=start)


def test_help_with_staff_button(snap_compare: Any) -> None:
    async def ask(pilot: Any) -> None:
        # A still clock: the screen counts the seconds waited ("0 s" here).
        pilot.app.service.session.clock = lambda: 1000.0
        await pilot.click("#help")
        await pilot.pause()

    assert snap_compare(app_without_devices("da"), terminal_size=SIZE, run_before=ask)


def test_staff_sign_in(snap_compare: Any) -> None:
    async def open_sign_in(pilot: Any) -> None:
        await pilot.click("#help")
        await pilot.pause()
        await pilot.click("#staff-open")
        await pilot.pause()
        for digit in "1234":
            await pilot.click(f"#key-{digit}")
        await pilot.pause(0.6)  # past the last key's flash, so the picture is always the same

    assert snap_compare(app_without_devices("da"), terminal_size=SIZE, run_before=open_sign_in)

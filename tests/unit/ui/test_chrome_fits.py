"""The chrome (step, language, volume, help, stop) fits one line at 80 columns in every language."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import Static

from drivers.unsupported import UnsupportedDevice
from kiosk.config import KioskConfig, SimulatorSettings
from kiosk.devices import Devices
from kiosk.i18n import LANGUAGES
from kiosk.service.kiosk import KioskService
from kiosk.ui.app import KioskApp
from kiosk.workflow import State


def app_on(language: str, state: State) -> KioskApp:
    """The app showing ``state`` (voice on, so the volume control takes its room)."""
    devices = Devices(*(UnsupportedDevice(name, "not connected")
                        for name in ("scanner", "fingerprint", "camera", "signature")))
    config = KioskConfig(language=language, simulator=SimulatorSettings(enabled=False))
    app = KioskApp(KioskService(config, devices).start())
    app.service.session.state = state
    return app


@pytest.mark.parametrize("language", sorted(LANGUAGES))
async def test_every_chrome_item_fits_on_an_80_column_screen(language: str) -> None:
    app = app_on(language, State.PHOTO_REVIEW)  # cancellable: every chrome button shows
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        chrome = app.screen.query_one("#chrome")
        step = chrome.query_one(".step", Static)
        text = str(step.render())
        assert text and step.region.width >= cell_len(text), (language, text, step.region)
        shown = [child for child in chrome.children if child.display]
        assert {"languages", "help", "stop-ask"} <= {child.id for child in shown}
        assert all(child.region.right <= 80 for child in shown), [
            (child.id, child.region) for child in shown]

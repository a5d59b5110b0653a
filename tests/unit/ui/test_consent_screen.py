"""The consent step's screen: Send only once the whole consent text has been on screen."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Button, Static

from drivers.unsupported import UnsupportedDevice
from kiosk.config import KioskConfig, SimulatorSettings
from kiosk.devices import Devices
from kiosk.service.kiosk import KioskService
from kiosk.ui.app import KioskApp
from kiosk.workflow import State
from tests.helpers.kiosk import async_wait_until


def consent_app(language: str = "en") -> KioskApp:
    """The app on the consent step (the session is put there directly: no runner starts)."""
    devices = Devices(*(UnsupportedDevice(name, "not connected")
                        for name in ("scanner", "fingerprint", "camera", "signature")))
    config = KioskConfig(language=language, simulator=SimulatorSettings(enabled=False))
    service = KioskService(config, devices)
    service.session.state = State.CONSENT
    return KioskApp(service.start())


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 44), (200, 60)])
@pytest.mark.parametrize("language", ["en", "da"])
async def test_the_text_fits_and_send_is_ready_from_80_by_24_up(size: tuple[int, int],
                                                                language: str) -> None:
    app = consent_app(language)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        send = app.screen.query_one("#consent", Button)
        await async_wait_until(lambda: not send.disabled, lambda: f"Send disabled at {size}",
                               timeout=10)
        text = app.screen.query_one("#consent-text", Static)
        visible = app.screen.query_one("#consent-scroll").region
        assert visible.contains_region(text.region), (size, text.region, visible)
        assert app.focused is send  # Enter sends, once the text is there to read
    app.service.close()


async def test_send_waits_until_the_end_of_the_text_has_been_shown() -> None:
    app = consent_app()
    async with app.run_test(size=(60, 18)) as pilot:  # smaller than the kiosk supports
        await pilot.pause()
        await pilot.pause(0.2)
        send = app.screen.query_one("#consent", Button)
        scroll = app.screen.query_one("#consent-scroll", VerticalScroll)
        assert scroll.max_scroll_y > 0  # the text does not fit here
        assert send.disabled
        await pilot.click("#consent")
        assert app.service.state is State.CONSENT  # a tap on a disabled Send sends nothing
        scroll.scroll_end(animate=False)
        await async_wait_until(lambda: not send.disabled, lambda: scroll.scroll_y, timeout=10)
        scroll.scroll_home(animate=False)
        await pilot.pause()
        assert not send.disabled  # seen once is enough
    app.service.close()

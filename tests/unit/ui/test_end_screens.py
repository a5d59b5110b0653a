"""The done screen counts back to the start; the refusal of a 12-17-year-old says what to do."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Static

from drivers.unsupported import UnsupportedDevice
from kiosk.config import KioskConfig, SimulatorSettings
from kiosk.devices import Devices
from kiosk.document.decision import assess_document
from kiosk.document.settings import DocumentSettings
from kiosk.service.kiosk import KioskService
from kiosk.ui.app import KioskApp
from kiosk.ui.widgets.qr import QRCode
from kiosk.workflow import State
from simulator.scenario import Passport
from tests.helpers.kiosk import async_wait_until
from tests.helpers.workflow import Clock

TODAY = dt.date(2026, 11, 30)


def app_in(state: State, language: str = "en") -> KioskApp:
    """The app on ``state`` (put there directly: no runner starts), on a hand-moved clock."""
    devices = Devices(*(UnsupportedDevice(name, "not connected")
                        for name in ("scanner", "fingerprint", "camera", "signature")))
    config = KioskConfig(language=language, simulator=SimulatorSettings(enabled=False))
    service = KioskService(config, devices)
    service.session.clock = Clock()
    service.session.touch()
    service.session.state = state
    return KioskApp(service.start())


def shown(app: KioskApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_done_counts_down_to_the_start_and_shows_the_reference() -> None:
    app = app_in(State.DONE)
    app.service.session.data.reference = "PB-814S-0DS3-6"
    clock = app.service.session.clock
    assert isinstance(clock, Clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "30 seconds" in shown(app, "#done-countdown")
        assert shown(app, "#reference") == "PB · 814S · 0DS3 · 6"
        assert app.screen.query_one(QRCode).text == "PB-814S-0DS3-6"
        clock.advance(29)
        # The screen reads the session's clock every second.
        await async_wait_until(lambda: "1 second" in shown(app, "#done-countdown"),
                               lambda: shown(app, "#done-countdown"), timeout=10)
        assert "seconds" not in shown(app, "#done-countdown")  # the singular form
        assert app.focused is not None and app.focused.id == "finish"
    app.service.close()


async def test_a_minor_is_told_what_to_do_with_their_custody_holders() -> None:
    app = app_in(State.REFUSED)
    lines = Passport(age_years=15).mrz(TODAY)
    decision = assess_document(lines, TODAY, DocumentSettings())
    assert decision.reason == "minor_needs_consent"
    app.service.session.data.document = decision
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        path = shown(app, "#minor-path")
        assert "12 to 17" in path and "custody" in path and "MitID" in path
    app.service.close()


async def test_an_adult_refusal_has_no_minor_path() -> None:
    app = app_in(State.REFUSED)
    lines = Passport(age_years=40, expires_in_days=-10 * 365).mrz(TODAY)
    app.service.session.data.document = assess_document(lines, TODAY, DocumentSettings())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.screen.query("#minor-path")
    app.service.close()

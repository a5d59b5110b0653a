"""The kiosk app with its voice and no sound device (this machine and CI have none): it starts,
says once in the log that it runs silently, synthesises nothing, and the volume control on the
chrome changes the voice's level without pressing anything on the service."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from textual.pilot import Pilot
from textual.widgets import Button

from drivers.unsupported import UnsupportedDevice
from kiosk.config import KioskConfig, SimulatorSettings, VoiceSettings
from kiosk.devices import Devices
from kiosk.service.kiosk import KioskService
from kiosk.ui.app import KioskApp
from kiosk.ui.widgets.volume import VolumeControl
from kiosk.voice.voice import VOLUME_STEP
from kiosk.workflow import State
from tests.helpers.kiosk import async_wait_until

SIZE = (120, 44)
SILENT = "the kiosk runs silently"


@pytest.fixture(autouse=True)
def no_sound_device(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make sure no sound system answers, even on a developer's machine that has one."""
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/pasboks-no-pulse")
    monkeypatch.setenv("ALSA_CONFIG_PATH", "/dev/null")
    monkeypatch.setenv("JACK_NO_START_SERVER", "1")


@asynccontextmanager
async def kiosk_app(size: tuple[int, int] = SIZE) -> AsyncIterator[tuple[KioskApp, Pilot[None]]]:
    devices = Devices(*(UnsupportedDevice(name, "not connected")
                        for name in ("scanner", "fingerprint", "camera", "signature")))
    config = KioskConfig(language="en", simulator=SimulatorSettings(enabled=False),
                         voice=VoiceSettings(volume=60))
    service = KioskService(config, devices).start()
    app = KioskApp(service)
    try:
        async with app.run_test(size=size) as pilot:
            await async_wait_until(lambda: app.screen.is_mounted
                                   and getattr(app.screen, "state", None) is State.WELCOME,
                                   lambda: app.screen)
            yield app, pilot
    finally:
        service.close()


async def tap(pilot: Pilot[None], selector: str) -> None:
    """A tap, then the pause a person leaves before the next (Textual ignores a second press
    of the same button while its 0.2 s press effect is showing)."""
    await pilot.click(selector)
    await pilot.pause(0.3)


async def test_the_app_runs_silently_without_a_sound_device(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.voice")
    async with kiosk_app() as (app, pilot):
        await async_wait_until(lambda: app.voice.silent, lambda: caplog.text)
        await pilot.click("#start")
        await async_wait_until(lambda: app.service.state is not State.WELCOME,
                               lambda: app.service.state)
        await async_wait_until(lambda: getattr(app.screen, "state", None)
                               is app.service.state and app.screen.is_mounted,
                               lambda: app.screen)
        await pilot.pause()
        # The screens went on; the voice said why it is silent once, with no traceback.
        said = [record for record in caplog.records if SILENT in record.getMessage()]
        assert len(said) == 1
        assert said[0].exc_info is None
        assert "no sound device" in said[0].getMessage()
        # Nothing was synthesised for nobody to hear.
        assert app.voice.prompts.rendered == 0
        thread = app.voice._thread
    # The app's end closes the voice (its thread, the device).
    assert thread is not None and not thread.is_alive()
    assert app.voice._thread is None


async def test_volume_and_mute_on_the_chrome_are_the_citizens_for_the_session() -> None:
    async with kiosk_app() as (app, pilot):
        control = app.screen.query_one(VolumeControl)
        assert control.display
        level = app.screen.query_one("#voice-mute", Button)
        assert "60" in str(level.label)
        await tap(pilot, "#voice-louder")
        await tap(pilot, "#voice-louder")
        assert app.voice.volume == 60 + 2 * VOLUME_STEP
        await tap(pilot, "#voice-quieter")
        assert app.voice.volume == 60 + VOLUME_STEP
        assert str(VOLUME_STEP + 60) in str(level.label)
        await tap(pilot, "#voice-mute")
        assert app.voice.muted
        assert str(level.label) == app.translate("voice.muted")
        # View-only: the service saw no button and stayed on the welcome screen.
        assert app.service.state is State.WELCOME
        # The level stays for the session: the next screen shows it (the next citizen's
        # reset is in test_kiosk_voice.py).
        await pilot.click("#start")
        await async_wait_until(lambda: app.service.state is not State.WELCOME
                               and getattr(app.screen, "state", None) is app.service.state
                               and app.screen.is_mounted, lambda: app.screen)
        assert app.voice.muted and app.voice.volume == 60 + VOLUME_STEP
        shown = app.screen.query_one("#voice-mute", Button)
        assert str(shown.label) == app.translate("voice.muted")


async def test_at_80_columns_the_level_is_a_number_and_the_chrome_fits() -> None:
    async with kiosk_app((80, 24)) as (app, pilot):
        await tap(pilot, "#voice-mute")
        level = app.screen.query_one("#voice-mute", Button)
        assert str(level.label) == "✕ 60 %"
        assert level.tooltip == app.translate("voice.mute_help")
        await tap(pilot, "#voice-mute")
        assert str(level.label) == "60 %"
        for button in app.screen.query_one("#chrome").query(Button):
            assert button.region.right <= 80, button.id

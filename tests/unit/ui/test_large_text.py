"""Large-text mode: the title and live instruction drawn twice as tall as real pixels, offered
only where the terminal draws real pixels, for one citizen's session."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.pilot import Pilot

from drivers.unsupported import UnsupportedDevice
from kiosk.config import DisplaySettings, KioskConfig, SimulatorSettings, VoiceSettings
from kiosk.devices import Devices
from kiosk.service.kiosk import KioskService
from kiosk.ui.app import KioskApp
from kiosk.ui.widgets.large_text import ROWS_PER_LINE, LargeText, render
from kiosk.workflow import State
from tests.helpers.kiosk import async_wait_until

CELL = (10, 20)


def app(graphics: str) -> KioskApp:
    devices = Devices(*(UnsupportedDevice(name, "not connected")
                        for name in ("scanner", "fingerprint", "camera", "signature")))
    config = KioskConfig(language="en", simulator=SimulatorSettings(enabled=False),
                         display=DisplaySettings(graphics=graphics),  # type: ignore[arg-type]
                         voice=VoiceSettings(enabled=False))
    return KioskApp(KioskService(config, devices).start())


def ink_columns(image: np.ndarray) -> np.ndarray:
    return np.flatnonzero(image.max(axis=(0, 2)) > 0)


@settings(max_examples=25)
@given(st.lists(st.sampled_from(["passport", "photo", "finger", "the", "glass", "on"]),
                min_size=1, max_size=30), st.integers(min_value=12, max_value=120))
def test_text_is_two_rows_a_line_and_never_wider_than_the_widget(words: list[str],
                                                                columns: int) -> None:
    image = render(" ".join(words), columns, CELL)
    assert image.shape[1] == columns * CELL[0]
    assert image.shape[0] % (ROWS_PER_LINE * CELL[1]) == 0
    assert ink_columns(image).size > 0


def test_arabic_is_right_aligned_and_latin_left_aligned() -> None:
    latin = ink_columns(render("Passport", 60, CELL))
    arabic = ink_columns(render("جواز", 60, CELL, rtl=True))
    width = 60 * CELL[0]
    assert latin[0] < CELL[0] and latin[-1] < width / 2
    assert arabic[-1] > width - CELL[0] and arabic[0] > width / 2


async def to_device_error(kiosk: KioskApp, pilot: Pilot[None]) -> None:
    """Start: with no devices attached the kiosk lands on the device-error screen."""
    await pilot.click("#start")
    await async_wait_until(lambda: kiosk.service.state is State.DEVICE_ERROR,
                           lambda: kiosk.service.state)


async def test_not_offered_without_real_pixels() -> None:
    kiosk = app("halfblock")
    async with kiosk.run_test(size=(120, 44)) as pilot:
        await to_device_error(kiosk, pilot)
        await async_wait_until(lambda: kiosk.screen.query("#languages"), lambda: "chrome")
        assert not kiosk.screen.query("#large-text")


async def test_a_plus_draws_the_title_large_and_the_next_citizen_starts_small() -> None:
    kiosk = app("sixel")
    async with kiosk.run_test(size=(120, 44)) as pilot:
        await to_device_error(kiosk, pilot)
        await async_wait_until(lambda: kiosk.screen.query("#large-text"), lambda: "chrome")
        await pilot.click("#large-text")
        await async_wait_until(lambda: kiosk.screen.query(LargeText), lambda: "large text")
        large = kiosk.screen.query(LargeText).first()
        assert large.kind == "title" and not large.source.display
        await async_wait_until(lambda: large.size.height >= ROWS_PER_LINE,
                               lambda: large.size)
        assert kiosk.large_text
        kiosk.service.press("cancel")
        await async_wait_until(lambda: kiosk.service.state in (State.ABORTED, State.WELCOME),
                               lambda: kiosk.service.state)
        kiosk.service.press("finish")
        await async_wait_until(lambda: kiosk.service.state is State.WELCOME,
                               lambda: kiosk.service.state)
        await async_wait_until(lambda: not kiosk.large_text, lambda: "reset")

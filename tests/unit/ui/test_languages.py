"""Languages on the screen: Arabic shaped and right to left, every language offered on the
welcome screen, and the language picker that keeps the citizen's place."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from drivers.unsupported import UnsupportedDevice
from kiosk.config import KioskConfig, SimulatorSettings
from kiosk.devices import Devices
from kiosk.i18n import LANGUAGES, translate
from kiosk.service.kiosk import KioskService
from kiosk.ui.app import KioskApp
from kiosk.ui.screens.languages import LanguagePicker, in_reading_order
from kiosk.ui.widgets.bidi import Static, has_rtl, visual_line
from kiosk.workflow import State
from tests.helpers.kiosk import async_wait_until

ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
SMALL = (80, 24)


def app_without_devices(language: str) -> KioskApp:
    devices = Devices(*(UnsupportedDevice(name, "not connected")
                        for name in ("scanner", "fingerprint", "camera", "signature")))
    config = KioskConfig(language=language, simulator=SimulatorSettings(enabled=False))
    return KioskApp(KioskService(config, devices).start())


@given(st.text(alphabet="abcdefXYZ0123456789 .,-", max_size=40))
def test_text_without_right_to_left_letters_is_untouched(text: str) -> None:
    assert visual_line(text) == text


@given(st.lists(st.text(alphabet=ARABIC_LETTERS, min_size=1, max_size=8), min_size=1,
                max_size=6))
def test_arabic_is_shaped_and_reversed_and_keeps_its_width(words: list[str]) -> None:
    text = " ".join(words)
    shown = visual_line(text)
    assert len(shown) == len(text)
    # Drawn left to right, read right to left: undoing the shaping (NFKC maps presentation
    # forms, the lam-alef ligature included, back to letters) gives the text back.
    assert unicodedata.normalize("NFKC", shown.strip()[::-1]) == text
    # Shaped: letters that join take their contextual forms (presentation forms block).
    if any(len(word) > 1 and word[0] not in "ادذرزو" for word in words):
        assert any("\ufe70" <= ch <= "\ufefc" for ch in shown)


def test_a_left_aligned_line_moves_to_the_right_and_numbers_stay_left_to_right() -> None:
    shown = visual_line("رقمك PB-814S-0DS3-6" + " " * 10)
    assert shown.startswith(" " * 10)
    assert "PB-814S-0DS3-6" in shown


async def test_welcome_offers_every_language_in_its_own_name_at_80_by_24() -> None:
    app = app_without_devices("da")
    async with app.run_test(size=SMALL) as pilot:
        await async_wait_until(lambda: app.screen.query("#start"), lambda: "welcome")
        for code, name in LANGUAGES.items():
            button = app.screen.query_one(f"#choose-{code}")
            assert str(button.label) == name  # type: ignore[attr-defined]
            region = button.region
            assert region.bottom <= SMALL[1] and region.right <= SMALL[0], code
            assert region.height >= 3, code
        start = app.screen.query_one("#start").region
        assert start.bottom <= SMALL[1]
        await pilot.click("#choose-uk")
        await async_wait_until(lambda: app.language == "uk", lambda: "Ukrainian")
        await pilot.pause()
        title = app.screen.query_one(".title")
        assert str(title.render()) == translate("ui.welcome.title", "uk")


async def test_arabic_title_is_drawn_from_the_right_edge() -> None:
    app = app_without_devices("ar")
    async with app.run_test(size=SMALL) as pilot:
        await async_wait_until(lambda: app.screen.query("#start"), lambda: "welcome")
        await pilot.pause()
        title = app.screen.query_one(".title")
        line = title.render_line(0).text
        assert has_rtl(line)
        # Right-aligned: the text ends at the right edge (a cell of slack) and blanks lead.
        assert len(line) - len(line.rstrip()) <= 1 and line.startswith("    "), repr(line)


async def grid_columns(language: str, prefix: str) -> list[list[int]]:
    """The x of each language button, row by row, on the welcome screen (``choose-``) or in
    the picker (``pick-``)."""
    app = app_without_devices(language)
    async with app.run_test(size=SMALL) as pilot:
        await async_wait_until(lambda: app.screen.query("#start"), lambda: "welcome")
        if prefix == "pick-":
            app.push_screen(LanguagePicker(app))
            await async_wait_until(lambda: app.screen.query("#pick-close"), lambda: "picker")
        await pilot.pause()
        codes = list(LANGUAGES)
        return [[app.screen.query_one(f"#{prefix}{code}").region.x for code in row]
                for row in (codes[:4], codes[4:])]


async def test_arabic_mirrors_the_language_grids() -> None:
    """In Arabic the first language sits at the top right and each row runs right to left,
    on the welcome screen and in the picker; in Danish the same grid runs left to right."""
    for language, prefix, mirrored in (("ar", "choose-", True), ("da", "choose-", False),
                                       ("ar", "pick-", True)):
        rows = await grid_columns(language, prefix)
        for xs in rows:
            assert xs == sorted(xs, reverse=mirrored), (language, prefix, rows)
        # The first language of the second row sits under the first of the first.
        assert rows[0][0] == rows[1][0], (language, prefix, rows)


def test_a_short_last_row_is_pushed_to_the_right_in_arabic() -> None:
    buttons = [Static(str(i)) for i in range(6)]
    rtl = list(in_reading_order(buttons, rtl=True, columns=4))
    assert rtl[:4] == buttons[3::-1]
    assert all(cell.has_class("language-gap") for cell in rtl[4:6]) and rtl[6:] == buttons[:3:-1]
    assert list(in_reading_order(buttons, rtl=False, columns=4)) == buttons


async def test_the_picker_changes_the_language_and_keeps_the_place() -> None:
    app = app_without_devices("en")
    async with app.run_test(size=SMALL) as pilot:
        await async_wait_until(lambda: app.screen.query("#start"), lambda: "welcome")
        await pilot.click("#start")
        # No devices: the first step ends on the device-error screen, which has the chrome.
        await async_wait_until(lambda: app.service.state is State.DEVICE_ERROR,
                               lambda: "device error")
        await async_wait_until(lambda: app.screen.query("#languages"), lambda: "chrome")
        await pilot.click("#languages")
        await async_wait_until(lambda: isinstance(app.screen, LanguagePicker), lambda: "picker")
        assert len(app.screen.query(".language")) == len(LANGUAGES)
        await pilot.click("#pick-pl")
        await async_wait_until(lambda: app.language == "pl", lambda: "Polish")
        assert app.service.state is State.DEVICE_ERROR
        await async_wait_until(lambda: not isinstance(app.screen, LanguagePicker), lambda: "closed")
        await pilot.pause()
        assert str(app.screen.query_one("#languages").label).startswith(  # type: ignore[attr-defined]
            LANGUAGES["pl"])


async def test_escape_closes_the_picker_without_a_change() -> None:
    app = app_without_devices("da")
    async with app.run_test(size=SMALL) as pilot:
        await async_wait_until(lambda: app.screen.query("#start"), lambda: "welcome")
        await pilot.click("#start")
        await async_wait_until(lambda: app.screen.query("#languages"), lambda: "chrome")
        await pilot.click("#languages")
        await async_wait_until(lambda: isinstance(app.screen, LanguagePicker), lambda: "picker")
        await pilot.press("escape")
        await async_wait_until(lambda: not isinstance(app.screen, LanguagePicker), lambda: "closed")
        assert app.language == "da"

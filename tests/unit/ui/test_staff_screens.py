"""The staff screens in the real app (headless): sign-in on the keypad, staff mode taking the
kiosk out of service and back, the help call that tells the truth, refused staff controls
asking for a sign-in, and a librarian's notice."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from argon2 import PasswordHasher
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from drivers.unsupported import UnsupportedDevice
from kiosk.config import KioskConfig, SimulatorSettings, StaffSettings
from kiosk.devices import Devices
from kiosk.service.kiosk import KioskService
from kiosk.staff.accounts import StaffAccounts
from kiosk.ui.app import KioskApp
from kiosk.ui.screens.simple import HelpScreen, OutOfServiceScreen, WelcomeScreen
from kiosk.ui.screens.staff import StaffModeScreen, StaffSignInScreen
from kiosk.workflow import State
from kiosk.workflow import events as ev
from tests.helpers.kiosk import async_wait_until

SIZE = (120, 44)
PIN = "271828"
HANG_S = 60.0


@asynccontextmanager
async def kiosk_app(tmp_path: Path) -> AsyncIterator[tuple[KioskApp, Pilot[None]]]:
    devices = Devices(*(UnsupportedDevice(name, "not connected")
                        for name in ("scanner", "fingerprint", "camera", "signature")))
    config = KioskConfig(language="en", simulator=SimulatorSettings(enabled=False),
                         staff=StaffSettings(accounts_file=tmp_path / "staff.sqlite3",
                                             language="en"))
    accounts = StaffAccounts.open(config, hasher=PasswordHasher(time_cost=1, memory_cost=8,
                                                                 parallelism=1))
    accounts.add("lib-anna", PIN)
    service = KioskService(config, devices)
    service.use_staff_accounts(accounts)
    service.start()
    app = KioskApp(service)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(lambda: isinstance(app.screen, WelcomeScreen))
            yield app, pilot
    finally:
        service.close()


async def until(condition: Callable[[], bool]) -> None:
    """Wait for ``condition`` (a hang guard only, not a time limit on the kiosk)."""
    await async_wait_until(condition, lambda: "the screen never came", HANG_S)


def text(app: KioskApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def type_pin(pilot: Pilot[None], pin: str) -> None:
    for digit in pin:
        await pilot.click(f"#key-{digit}")


async def test_sign_in_then_out_of_service_and_back(tmp_path: Path) -> None:
    async with kiosk_app(tmp_path) as (app, pilot):
        service = app.service
        await pilot.click("#help")
        await until(lambda: isinstance(app.screen, HelpScreen))
        await pilot.click("#staff-open")
        await until(lambda: isinstance(app.screen, StaffSignInScreen))
        app.screen.query_one("#staff-name", Input).value = "lib-anna"
        await type_pin(pilot, "999999")
        assert text(app, "#pin-dots") == "●" * 6
        await pilot.click("#sign-in")
        await until(lambda: "not right" in text(app, "#sign-in-message"))
        # The same words for a name that does not exist.
        app.screen.query_one("#staff-name", Input).value = "nobody"
        await type_pin(pilot, PIN)
        await pilot.click("#sign-in")
        await until(lambda: text(app, "#sign-in-message") == "The name or the PIN is not right.")
        assert text(app, "#pin-dots") == ""
        app.screen.query_one("#staff-name", Input).value = "lib-anna"
        await type_pin(pilot, PIN)
        await pilot.click("#sign-in")
        await until(lambda: isinstance(app.screen, StaffModeScreen) and app.screen.is_mounted)
        assert service.staff_signed_in == "lib-anna"
        await pilot.click("#out-of-service")
        await until(lambda: service.state is State.OUT_OF_SERVICE
                    and app.screen.query("#back-in-service"))
        await pilot.click("#sign-out")
        await until(lambda: isinstance(app.screen, OutOfServiceScreen))
        assert service.press("start").result(timeout=HANG_S) is State.OUT_OF_SERVICE
        # Back in service needs a sign-in again; then the next citizen's welcome.
        await pilot.click("#staff-open")
        await until(lambda: isinstance(app.screen, StaffSignInScreen))
        app.screen.query_one("#staff-name", Input).value = "lib-anna"
        await type_pin(pilot, PIN)
        await pilot.click("#sign-in")
        await until(lambda: isinstance(app.screen, StaffModeScreen)
                    and bool(app.screen.query("#back-in-service")))
        await pilot.click("#back-in-service")
        await until(lambda: isinstance(app.screen, WelcomeScreen))
        assert service.state is State.WELCOME and service.staff_signed_in is None
        actors = [record.actor for record in service.session.data.staff_actions]
        assert actors == []  # wiped with the session; the audit trail has the actions


async def test_the_help_call_tells_the_truth(tmp_path: Path) -> None:
    async with kiosk_app(tmp_path) as (app, pilot):
        await pilot.click("#help")
        await until(lambda: isinstance(app.screen, HelpScreen) and app.screen.is_mounted)
        assert text(app, "#call") == "We are calling a librarian …"
        assert text(app, "#waited").startswith("You have waited ")
        assert "on the way" not in text(app, "#call")
        app.service.staff(ev.AcknowledgeHelp("console:bo")).result(timeout=HANG_S)
        await until(lambda: bool(app.screen.query("#call"))
                    and "on the way" in text(app, "#call"))
        assert text(app, "#call") == "A librarian has been told and is on the way."
        assert not app.screen.query("#waited")
        assert "bo" not in text(app, "#call")


async def test_a_staff_control_without_a_sign_in_asks_for_one(tmp_path: Path) -> None:
    async with kiosk_app(tmp_path) as (app, _pilot):
        app.service.press("help").result(timeout=HANG_S)
        app.service.press("out-of-service").result(timeout=HANG_S)
        await until(lambda: isinstance(app.screen, StaffSignInScreen))
        assert app.service.state is State.HELP


async def test_a_notice_shows_on_the_citizen_screen_until_tapped(tmp_path: Path) -> None:
    async with kiosk_app(tmp_path) as (app, pilot):
        app.service.post_notice("[b]Back in 5 minutes[/b]", "console:bo")
        await until(lambda: bool(app.screen.query("#notice")))
        label = str(app.screen.query_one("#notice", Button).label)
        assert "[b]Back in 5 minutes[/b]" in label
        await pilot.click("#notice")
        await until(lambda: not app.screen.query("#notice"))
        assert app.notice is None

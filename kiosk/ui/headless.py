"""Drive the running Textual app from a script: a driver whose taps are real clicks.

``kiosk simulate --headless`` (and the visible variant) play a scenario through this, so the
taps go through the real screens exactly as a citizen's would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from textual.pilot import Pilot
from textual.widgets import Input

from kiosk.ui.app import KioskApp
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.screens.staff import StaffModeScreen, StaffScreen, StaffSignInScreen

T = TypeVar("T")

#: Terminal size of the headless app: big enough for every button to be tappable.
SCREEN_SIZE = (120, 44)


class AppDriver:
    """Shows what the app shows; taps by clicking the button with that id."""

    def __init__(self, app: KioskApp, pilot: Pilot[None]) -> None:
        self.app = app
        self.pilot = pilot

    def showing(self, screen: str) -> bool:
        current = self.app.screen
        state = self.app.service.state
        if state.value != screen or not current.is_mounted:
            return False
        # Staff mode shows over the citizen's screen of the same state.
        return ((isinstance(current, KioskScreen) and current.state is state)
                or isinstance(current, StaffScreen))

    async def tap(self, button: str) -> None:
        await self.pilot.pause()
        await self.pilot.click(f"#{button}")

    def current(self) -> str:
        return self.app.service.state.value

    async def sign_in(self, name: str, pin: str) -> None:
        """Sign a librarian in the way they would: Staff, the name, the PIN on the keypad."""
        await self.pilot.pause()
        if not isinstance(self.app.screen, StaffSignInScreen):
            await self.pilot.click("#staff-open")
            await self._until(lambda: isinstance(self.app.screen, StaffSignInScreen)
                              and self.app.screen.is_mounted)
        self.app.screen.query_one("#staff-name", Input).value = name
        for digit in pin:
            await self.pilot.click(f"#key-{digit}")
        await self.pilot.click("#sign-in")
        await self._until(lambda: isinstance(self.app.screen, StaffModeScreen)
                          and self.app.screen.is_mounted)

    async def _until(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("the staff screen did not come")
            await asyncio.sleep(0.05)


async def run_in_app(app: KioskApp, script: Callable[[AppDriver], Awaitable[T]],
                     headless: bool = True, linger_s: float = 1.5) -> T:
    """Run the app (headless, or on this terminal) and ``script`` against it; its result."""
    if headless:
        async with app.run_test(headless=True, size=SCREEN_SIZE) as pilot:
            return await script(AppDriver(app, pilot))
    running = asyncio.create_task(app.run_async())
    try:
        while not (app.is_running and isinstance(app.screen, KioskScreen)):
            if running.done():
                raise RuntimeError("the kiosk's screen closed before the scenario started")
            await asyncio.sleep(0.05)
        result = await script(AppDriver(app, Pilot(app)))
        await asyncio.sleep(linger_s)  # let the person watching see the last screen
        return result
    finally:
        app.exit()
        await running

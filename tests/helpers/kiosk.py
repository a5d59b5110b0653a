"""Build a kiosk on the simulator for UI and end-to-end tests, and wait for its screens."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

from textual.pilot import Pilot

from kiosk.composition import Kiosk, build_kiosk
from kiosk.config import KioskConfig, SimulatorSettings, TimeoutSettings, VoiceSettings
from kiosk.ui.app import KioskApp
from kiosk.workflow import State
from simulator.scenario import load_scenario

#: Terminal size the UI tests run at (the kiosk's touchscreen at 120 x 44 cells).
SIZE = (120, 44)


def sim_config(**timeouts: float) -> KioskConfig:
    """The simulator without baud-rate pacing, so tests take seconds, not minutes."""
    # Silent: a developer's laptop has speakers, and tests need not talk to them.
    return KioskConfig(simulator=SimulatorSettings(pacing=False),
                       timeouts=TimeoutSettings(device_read_s=0.2, **timeouts),
                       voice=VoiceSettings(enabled=False))


@contextmanager
def simulated_kiosk(scenario: str = "happy", **timeouts: float) -> Iterator[Kiosk]:
    """A running kiosk service on a simulator playing ``scenario``; closed after."""
    kiosk = build_kiosk(sim_config(**timeouts), load_scenario(scenario))
    try:
        yield kiosk
    finally:
        kiosk.close()


def wait_for_state(kiosk: Kiosk, state: State, timeout: float = 30.0) -> None:
    """Wait (blocking) until the service is in ``state``."""
    deadline = time.monotonic() + timeout
    while kiosk.service.state is not state:
        if time.monotonic() > deadline:
            raise AssertionError(f"kiosk is in {kiosk.service.state.value}, not {state.value}")
        time.sleep(0.05)


async def wait_for(app: KioskApp, state: State, timeout: float = 30.0) -> None:
    """Wait until ``state``'s screen is showing and mounted."""
    deadline = time.monotonic() + timeout
    while not (app.service.state is state and getattr(app.screen, "state", None) is state
               and app.screen.is_mounted):
        if time.monotonic() > deadline:
            raise AssertionError(f"kiosk shows {app.service.state.value}, not {state.value}")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def running_kiosk(scenario: str = "happy", size: tuple[int, int] = SIZE,
                        **timeouts: float
                        ) -> AsyncIterator[tuple[KioskApp, Pilot[None], Kiosk]]:
    """A kiosk on the simulator with its UI running headless at ``size``, on the welcome screen."""
    with simulated_kiosk(scenario, **timeouts) as kiosk:
        app = KioskApp(kiosk.service)
        async with app.run_test(size=size) as pilot:
            await wait_for(app, State.WELCOME)
            yield app, pilot, kiosk


class Hung(Exception):
    """A condition never came: a hang guard, not a speed check (the limits are generous)."""


def wait_until(condition: Callable[[], bool], describe: Callable[[], object],
               timeout: float = 120.0, poll: float = 0.05) -> None:
    """Poll ``condition`` until it holds; raise Hung (with ``describe()``) after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise Hung(describe())
        time.sleep(poll)


async def async_wait_until(condition: Callable[[], bool], describe: Callable[[], object],
                           timeout: float = 120.0, poll: float = 0.05) -> None:
    """``wait_until`` for async tests (yields to the app's loop while it waits)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise Hung(describe())
        await asyncio.sleep(poll)


async def tap(pilot: Pilot[None], selector: str, timeout: float = 10.0) -> None:
    """Click ``selector`` the way a citizen would: again if the layout moved under the finger.

    A live screen can re-lay itself out between the test finding a button and the click
    arriving (a picture or a progress line appears); the click then lands beside the button.
    A citizen would tap again, so the test does; a button that never takes the tap is Hung.
    """
    deadline = time.monotonic() + timeout
    await pilot.pause()
    while not await pilot.click(selector):
        if time.monotonic() > deadline:
            raise Hung(f"the click on {selector} never landed on it")
        await pilot.pause(0.1)

"""Build a kiosk on the simulator for UI and end-to-end tests, and wait for its screens."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from textual.pilot import Pilot

from kiosk.config import KioskConfig, SimulatorSettings, TimeoutSettings
from kiosk.runtime import KioskRuntime
from kiosk.ui.app import KioskApp
from kiosk.workflow import State
from simulator.scenario import load_scenario

#: Terminal size the UI tests run at (the kiosk's touchscreen at 120 x 44 cells).
SIZE = (120, 44)


def sim_config(**timeouts: float) -> KioskConfig:
    """The simulator without baud-rate pacing, so tests take seconds, not minutes."""
    return KioskConfig(simulator=SimulatorSettings(pacing=False),
                       timeouts=TimeoutSettings(device_read_s=0.2, **timeouts))


def make_app(scenario: str = "happy", **timeouts: float) -> KioskApp:
    """A kiosk app on a started simulated world playing ``scenario``."""
    runtime = KioskRuntime.start(sim_config(**timeouts), scenario=load_scenario(scenario))
    return KioskApp(runtime)


async def wait_for(app: KioskApp, state: State, timeout: float = 30.0) -> None:
    """Wait until ``state``'s screen is showing and mounted."""
    deadline = time.monotonic() + timeout
    while not (app.session.state is state and getattr(app.screen, "state", None) is state
               and app.screen.is_mounted):
        if time.monotonic() > deadline:
            raise AssertionError(f"kiosk shows {app.session.state.value}, not {state.value}")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def running_kiosk(scenario: str = "happy", **timeouts: float
                        ) -> AsyncIterator[tuple[KioskApp, Pilot[None]]]:
    """A kiosk on the simulator, running headless, shown its welcome screen; closed after."""
    app = make_app(scenario, **timeouts)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(app, State.WELCOME)
            yield app, pilot
    finally:
        app.runtime.close()

"""``kiosk simulate``: a scripted citizen goes through the real UI against the simulator.

The scenario's taps go through Textual's Pilot into the real screens; its device actions are
done by the simulated citizen inside the simulator, on the real drivers' wire. The summary lists
the screens visited with the time in each, the taps, the faults met, the outcome and the
application's reference.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from textual.pilot import Pilot

from kiosk.config import KioskConfig
from kiosk.runtime import KioskRuntime
from kiosk.ui.app import KioskApp
from kiosk.ui.screens.base import KioskScreen
from kiosk.workflow import State
from kiosk.workflow import events as ev
from simulator.scenario import Scenario, Step

#: Terminal size of the headless app: big enough for every button to be tappable.
SCREEN_SIZE = (120, 44)


@dataclass
class StepVisit:
    """One screen the citizen saw and how long they stayed."""

    screen: str
    seconds: float


@dataclass
class SimulationSummary:
    """What happened in one scripted visit."""

    scenario: str
    outcome: str = "incomplete"
    reference: str | None = None
    refusal: str | None = None
    taps: int = 0
    seconds: float = 0.0
    steps: list[StepVisit] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def completed(self) -> bool:
        """True when the application was handed off."""
        return self.outcome == "completed"

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain data (for ``--json``)."""
        data = asdict(self)
        data["steps"] = [{"screen": s.screen, "seconds": round(s.seconds, 3)}
                         for s in self.steps]
        data["seconds"] = round(self.seconds, 3)
        return data


class ScenarioTimeout(Exception):
    """The kiosk did not reach the screen a step waits for."""


class ScriptedCitizen:
    """Plays a scenario's steps against a running app."""

    def __init__(self, app: KioskApp, scenario: Scenario, summary: SimulationSummary) -> None:
        self.app = app
        self.scenario = scenario
        self.summary = summary
        app.session.listeners.append(self._heard)

    def _heard(self, old: State, new: State, event: ev.Event) -> None:
        if isinstance(event, ev.HandoffCompleted):
            self.summary.reference = event.reference
        if new is State.REFUSED and self.app.session.data.refusal:
            self.summary.refusal = self.app.session.data.refusal

    async def play(self, pilot: Pilot[None]) -> None:
        """Do every step, in order, each once its screen is showing."""
        for step in self.scenario.steps:
            await self._wait_for(step.screen)
            await self._do(step, pilot)
        await self._settle()

    async def _wait_for(self, screen: str) -> None:
        deadline = time.monotonic() + self.scenario.step_timeout_s
        while not self._showing(screen):
            if time.monotonic() > deadline:
                raise ScenarioTimeout(
                    f"waited {self.scenario.step_timeout_s:.0f} s for screen {screen!r}; "
                    f"the kiosk shows {self.app.session.state.value!r}")
            await asyncio.sleep(0.05)

    def _showing(self, screen: str) -> bool:
        current = self.app.screen
        return (self.app.session.state.value == screen
                and getattr(current, "state", None) is self.app.session.state
                and current.is_mounted)

    async def _do(self, step: Step, pilot: Pilot[None]) -> None:
        if step.wait_s:
            await asyncio.sleep(step.wait_s)
        world = self.app.runtime.world
        if step.tap is not None:
            await pilot.pause()
            await pilot.click(f"#{step.tap}")
            self.summary.taps += 1
        elif step.fault is not None and world is not None:
            world.inject(step.fault, **step.params)
        elif step.clear is not None and world is not None:
            world.clear(step.clear)
        elif step.persona is not None and world is not None:
            world.set_persona(step.persona)

    async def _settle(self) -> None:
        """Let the last tap's transition happen."""
        for _ in range(20):
            await asyncio.sleep(0.05)


def _outcome(app: KioskApp, summary: SimulationSummary) -> str:
    visited = {visit.state for visit in app.session.history}
    if summary.reference is not None:
        return "completed"
    if State.REFUSED in visited:
        return "refused"
    if State.ABORTED in visited:
        return "aborted"
    return "incomplete"


async def simulate(scenario: Scenario, config: KioskConfig, headless: bool = True
                   ) -> SimulationSummary:
    """Run one scenario through the real UI on the simulator and summarise it."""
    summary = SimulationSummary(scenario.name)
    runtime = KioskRuntime.start(config, scenario=scenario)
    app = KioskApp(runtime)
    citizen = ScriptedCitizen(app, scenario, summary)
    started = time.monotonic()
    try:
        if headless:
            async with app.run_test(headless=True, size=SCREEN_SIZE) as pilot:
                await _play(citizen, pilot, summary)
        else:
            running = asyncio.create_task(app.run_async())
            while not (app.is_running and isinstance(app.screen, KioskScreen)):
                if running.done():
                    break
                await asyncio.sleep(0.05)
            if not running.done():
                await _play(citizen, Pilot(app), summary)
                await asyncio.sleep(1.5)  # let the person watching see the last screen
                app.exit()
            await running
    finally:
        summary.seconds = time.monotonic() - started
        summary.steps = [StepVisit(visit.state.value, visit.seconds)
                         for visit in app.session.history]
        if runtime.world is not None:
            summary.faults = runtime.world.faults_met()
        summary.outcome = _outcome(app, summary)
        runtime.close()
    return summary


async def _play(citizen: ScriptedCitizen, pilot: Pilot[None], summary: SimulationSummary) -> None:
    try:
        await citizen.play(pilot)
    except ScenarioTimeout as error:
        summary.error = str(error)

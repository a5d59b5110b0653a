"""A scenario's script, played against a running kiosk: the taps, faults and persona changes.

The player waits for each step's screen and then does the step. How it taps is given from
outside: ``run_scenario`` presses the kiosk service's buttons directly (no UI at all), the
Textual front-end clicks the real buttons with its Pilot. Both produce the same summary.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kiosk.config import KioskConfig
from kiosk.service.kiosk import KioskService
from kiosk.service.messages import ApplicationCompleted, Message, Refused
from kiosk.workflow import State
from kiosk.workflow.session import Visit
from simulator.scenario import Scenario, Step


class Simulated(Protocol):
    """What the player does to the simulator (faults and personas)."""

    def inject(self, spec: str, **params: float | int | str) -> None:
        """Inject a fault ``device:fault``."""

    def clear(self, spec: str) -> None:
        """Clear a fault ``device:fault``."""

    def set_persona(self, name: str) -> None:
        """Put another persona in front of the camera."""

    def faults_met(self) -> list[str]:
        """Faults that happened, in order."""
        ...


@dataclass
class StepVisit:
    """One screen the citizen saw and how long they stayed."""

    screen: str
    seconds: float


@dataclass
class SimulationSummary:
    """What happened in one scripted visit (the same keys for every front-end)."""

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

    def hear(self, message: Message) -> None:
        """Keep the reference and the refusal code from the service's messages."""
        if isinstance(message, ApplicationCompleted):
            self.reference = message.reference
        elif isinstance(message, Refused):
            self.refusal = message.reason

    def close(self, history: list[Visit], simulation: Simulated | None, started: float) -> None:
        """Fill in the screens visited, the faults and the outcome."""
        self.seconds = time.monotonic() - started
        self.steps = [StepVisit(visit.state.value, visit.seconds) for visit in history]
        if simulation is not None:
            self.faults = simulation.faults_met()
        visited = {visit.state for visit in history}
        if self.reference is not None:
            self.outcome = "completed"
        elif State.REFUSED in visited:
            self.outcome = "refused"
        elif State.ABORTED in visited:
            self.outcome = "aborted"
        else:
            self.outcome = "incomplete"

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain data (for ``--json``)."""
        data = asdict(self)
        data["steps"] = [{"screen": s.screen, "seconds": round(s.seconds, 3)}
                         for s in self.steps]
        data["seconds"] = round(self.seconds, 3)
        return data


class ScenarioTimeout(Exception):
    """The kiosk did not reach the screen a step waits for."""


class Driver(Protocol):
    """How a front-end shows screens and presses buttons, for the player."""

    def showing(self, screen: str) -> bool:
        """True when ``screen`` shows and can be tapped."""
        ...

    async def tap(self, button: str) -> None:
        """Press ``button`` on the screen showing now."""

    def current(self) -> str:
        """The screen showing now."""
        ...

    async def sign_in(self, name: str, pin: str) -> None:
        """A librarian signs in at the kiosk with ``name`` and ``pin``."""


class KioskLike(Protocol):
    """A built kiosk (``kiosk.composition.Kiosk``): its service and its simulation."""

    @property
    def service(self) -> KioskService:
        """The kiosk service."""
        ...

    @property
    def simulation(self) -> Simulated | None:
        """The simulator behind the devices."""
        ...


class ServiceDriver:
    """Presses the service's buttons directly: no UI at all."""

    def __init__(self, service: KioskService) -> None:
        self.service = service

    def showing(self, screen: str) -> bool:
        return self.service.state.value == screen

    async def tap(self, button: str) -> None:
        self.service.press(button).result(timeout=10)

    def current(self) -> str:
        return self.service.state.value

    async def sign_in(self, name: str, pin: str) -> None:
        result = self.service.sign_in(name, pin).result(timeout=60)
        if not result.ok:
            raise ScenarioTimeout(f"staff sign-in as {name!r} failed ({result.status})")


class ScenarioPlayer:
    """Plays a scenario's steps through a front-end's driver, each once its screen shows."""

    def __init__(self, scenario: Scenario, simulation: Simulated | None, driver: Driver,
                 pins: dict[str, str] | None = None) -> None:
        self.scenario = scenario
        self.simulation = simulation
        self.driver = driver
        self.taps = 0
        #: The throwaway staff accounts' PINs, by name (see :func:`staff_for`).
        self.pins = pins or {}

    async def play(self) -> None:
        """Do every step in order; raises ScenarioTimeout when a screen never comes."""
        for step in self.scenario.steps:
            await self._wait_for(step.screen)
            await self._do(step)
        await asyncio.sleep(1.0)  # let the last tap's transition happen

    async def _wait_for(self, screen: str) -> None:
        deadline = time.monotonic() + self.scenario.step_timeout_s
        while not self.driver.showing(screen):
            if time.monotonic() > deadline:
                raise ScenarioTimeout(
                    f"waited {self.scenario.step_timeout_s:.0f} s for screen {screen!r}; "
                    f"the kiosk shows {self.driver.current()!r}")
            await asyncio.sleep(0.05)

    async def _do(self, step: Step) -> None:
        if step.wait_s:
            await asyncio.sleep(step.wait_s)
        simulation = self.simulation
        if step.tap is not None:
            await self.driver.tap(step.tap)
            self.taps += 1
        elif step.fault is not None and simulation is not None:
            simulation.inject(step.fault, **step.params)
        elif step.clear is not None and simulation is not None:
            simulation.clear(step.clear)
        elif step.persona is not None and simulation is not None:
            simulation.set_persona(step.persona)
        elif step.sign_in is not None:
            await self.driver.sign_in(step.sign_in, self.pins[step.sign_in])
            self.taps += 1


async def play(kiosk: KioskLike, scenario: Scenario, driver: Driver | None = None
               ) -> SimulationSummary:
    """Play ``scenario`` on a running kiosk through ``driver`` (default: no UI); summarise."""
    service = kiosk.service
    summary = SimulationSummary(scenario.name)
    subscription = service.bus.subscribe(summary.hear)
    staff_dir, pins = staff_for(scenario, service)
    player = ScenarioPlayer(scenario, kiosk.simulation, driver or ServiceDriver(service), pins)
    started = time.monotonic()
    try:
        await player.play()
    except ScenarioTimeout as error:
        summary.error = str(error)
    finally:
        subscription.close()
        if staff_dir is not None:
            shutil.rmtree(staff_dir, ignore_errors=True)
        summary.taps = player.taps
        summary.close(list(service.session.history), kiosk.simulation, started)
    return summary


def staff_for(scenario: Scenario, service: KioskService) -> tuple[Path | None, dict[str, str]]:
    """The librarians a scenario signs in: accounts with random PINs in a throwaway file the
    service then checks sign-ins against (never the kiosk's own accounts file, and no PIN
    that anyone could know). Returns the file's directory (to delete) and the PINs."""
    names = sorted({step.sign_in for step in scenario.steps if step.sign_in is not None})
    if not names:
        return None, {}
    from kiosk.staff.accounts import StaffAccounts

    directory = Path(tempfile.mkdtemp(prefix="pasboks-staff-"))
    accounts = StaffAccounts(directory / "staff.sqlite3")
    pins = {name: f"{secrets.randbelow(10**8):08d}" for name in names}
    for name, pin in pins.items():
        accounts.add(name, pin)
    service.use_staff_accounts(accounts)
    return directory, pins


def simulator_config(config: KioskConfig) -> KioskConfig:
    """``config`` with the simulator switched on (a scenario needs it)."""
    return config.model_copy(update={
        "simulator": config.simulator.model_copy(update={"enabled": True})})


def run_scenario(scenario: Scenario, config: KioskConfig) -> SimulationSummary:
    """Run one scenario on the kiosk service with no UI at all, and summarise it."""
    from kiosk.composition import build_kiosk

    kiosk = build_kiosk(simulator_config(config), scenario)
    try:
        return asyncio.run(play(kiosk, scenario))
    finally:
        kiosk.close()

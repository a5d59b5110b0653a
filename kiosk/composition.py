"""The composition root: configuration in, a running kiosk service out, with the simulator
attached from outside when it is enabled. The only module of ``kiosk`` (with the CLI that
picks a scenario) that knows the simulator exists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.config import KioskConfig
from kiosk.devices import default_registry
from kiosk.service.kiosk import KioskService

if TYPE_CHECKING:
    from simulator.attach import Simulation
    from simulator.scenario import Scenario

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The kiosk cannot start (the simulator failed, a driver cannot be built)."""


@dataclass
class Kiosk:
    """A built kiosk: its service and, on the simulator, the simulation behind its devices."""

    service: KioskService
    simulation: Simulation | None = None

    def close(self) -> None:
        """Close the service (which stops the simulation). Safe to call twice."""
        self.service.close()


def build_kiosk(config: KioskConfig, scenario: Scenario | None = None, *,
                open_devices: bool = True, run: bool = True) -> Kiosk:
    """Build the devices (on the simulator when enabled) and the service; start it.

    ``run=False`` builds without opening the devices or starting the service's thread
    (``kiosk devices check`` opens and probes them itself).
    """
    registry = default_registry()
    settings = config.devices
    simulation = None
    if config.simulator.enabled:
        from simulator.attach import Simulation
        from simulator.scenario import ScenarioError, load_scenario

        try:
            simulation = Simulation(scenario or load_scenario(config.simulator.persona), config)
            settings = simulation.start(registry)
        except (ScenarioError, OSError, ValueError) as error:
            if simulation is not None:
                simulation.stop()
            raise StartupError(f"the simulator could not start: {error}") from error
        config = config.model_copy(update={"devices": settings})
    service = KioskService(config, registry.build(settings))
    if simulation is not None:
        simulation.attach(service)
    if run:
        service.start(open_devices=open_devices)
    return Kiosk(service, simulation)

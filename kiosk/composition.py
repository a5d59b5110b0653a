"""The composition root: configuration in, a running kiosk service out, with the simulator
attached from outside when it is enabled. The only module of ``kiosk`` (with the CLI that
picks a scenario) that knows the simulator exists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.audit import AuditTrail
from kiosk.config import KioskConfig
from kiosk.devices import default_registry
from kiosk.service.kiosk import KioskService
from kiosk.store.db import ApplicationStore
from kiosk.store.errors import StoreError
from kiosk.store.sweeper import Sweeper

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
    #: Why the application store could not be opened (the kiosk is then out of service).
    store_error: StoreError | None = None

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
    trail = AuditTrail.for_config(config)
    store, store_error = _open_store(config, trail) if run else (None, None)
    service = KioskService(config, registry.build(settings), store=store,
                           store_problem=store_error.code if store_error else None, trail=trail)
    if store is not None:
        sweeper = Sweeper(store, config.storage.sweep_every_s).start()
        # Closers run newest first: the sweeper stops before the store closes.
        service.on_close(store.close)
        service.on_close(sweeper.stop)
    if simulation is not None:
        simulation.attach(service)
    if run and config.console.url:
        # The staff console, when configured: the link follows the service from its start.
        from kiosk.console.link import start_link

        start_link(service)
    if run:
        service.start(open_devices=open_devices)
    return Kiosk(service, simulation, store_error)


def _open_store(config: KioskConfig, trail: AuditTrail) -> tuple[ApplicationStore | None,
                                                                  StoreError | None]:
    """The encrypted store, or None and why (the kiosk then starts out of service and says
    why in its log and the audit trail)."""
    try:
        return ApplicationStore.open(config, audit=trail), None
    except StoreError as error:
        log.warning("the application store cannot be used: %s", error)
        try:
            trail.record("store_unavailable", actor="kiosk", result=error.code)
        except (OSError, ValueError):
            log.error("the audit trail cannot be written either")
        return None, error

"""The simulation, attached to a kiosk service from outside.

The kiosk's composition root makes a :class:`Simulation`, starts it (the simulated devices come
up and the SDK facades are registered among the kiosk's drivers), builds the service on the
device settings it returns, and attaches it: the simulated citizen then follows the service's
messages, the developer controls are offered to the UI, and the simulation stops when the
service closes. Nothing in the service knows the simulator; this module knows the service only
through the small protocols below.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from kiosk.config import DevicesSettings, KioskConfig
from kiosk.devices import DeviceRegistry
from kiosk.service.devtools import DeveloperControls
from kiosk.service.messages import Message, StateChanged
from simulator import scratch
from simulator.citizen import FINGER_NAMES
from simulator.devtools import SimulatorControls
from simulator.faults import FaultParam
from simulator.fingerprints import master_print
from simulator.scenario import Scenario
from simulator.world import SimulatedWorld

log = logging.getLogger(__name__)


class Subscription(Protocol):
    """A bus subscription."""

    def close(self) -> None:
        """Stop receiving messages."""
        ...


class MessageBus(Protocol):
    """The service's message bus, as the simulation uses it."""

    def subscribe(self, callback: Callable[[Message], None], *,
                  private: bool = False) -> Subscription:
        """Call ``callback`` with every message (on the service's threads)."""
        ...


class AttachableService(Protocol):
    """What the simulation needs of a kiosk service."""

    devtools: DeveloperControls | None

    @property
    def bus(self) -> MessageBus:
        """Where the service publishes its messages."""
        ...

    @property
    def config(self) -> KioskConfig:
        """The service's configuration."""
        ...

    def on_close(self, fn: Callable[[], None], /) -> None:
        """Call ``fn`` when the service closes."""
        ...


#: Seconds after ``start`` at which the background preparation begins, unless a session starts
#: sooner: Python threads share one interpreter lock, and preparing the portrait while the
#: kiosk draws its first screen would slow that screen down.
PREPARE_AFTER_S = 2.0


class Simulation:
    """Simulated devices and citizen for one kiosk, playing one scenario.

    Args:
        scenario: Who the citizen is and what happens (persona, passport, fingers, faults).
        config: The kiosk's configuration (device settings; ``simulator.auto_citizen`` and
            ``simulator.pacing``).
        prepare_after_s: When the background preparation begins (see :data:`PREPARE_AFTER_S`).
    """

    def __init__(self, scenario: Scenario, config: KioskConfig, *,
                 prepare_after_s: float = PREPARE_AFTER_S) -> None:
        self.scenario = scenario
        self.config = config
        self.world = SimulatedWorld(scenario, config.devices,
                                    auto_citizen=config.simulator.auto_citizen,
                                    pacing=config.simulator.pacing)
        #: What the developer panel drives.
        self.controls = SimulatorControls(self.world)
        self.prepare_after_s = prepare_after_s
        self._settings: DevicesSettings | None = None
        self._subscriptions: list[Subscription] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._preparing: threading.Thread | None = None
        self._stopped = False

    # -- life cycle -------------------------------------------------------------------------

    def start(self, registry: DeviceRegistry) -> DevicesSettings:
        """Start every simulated device and register the SDK facades in ``registry``.

        Scratch folders left by a simulator that crashed are removed first. Returns the device
        settings that point the kiosk's real drivers at the simulated devices, within a few
        milliseconds: the camera's portrait and the citizen's first fingers are prepared in the
        background (:meth:`prepare`), from :attr:`prepare_after_s` after the start or when a
        session starts. A frame or print needed sooner is made on demand; until the portrait is
        ready the camera streams the empty booth.
        """
        if self._stopped:
            raise RuntimeError("the simulation was stopped; make a new one")
        if self._settings is None:
            scratch.remove_stale()
            settings = self.world.start(prepare=False)
            sdk = self.world.fingerprint_sdk
            if sdk is not None:
                registry.fingerprints["usb-500ppi"] = lambda _settings: sdk
            pad = self.world.signature_sdk
            registry.signatures["simulated"] = lambda _settings: pad
            self._settings = settings
            timer = threading.Timer(self.prepare_after_s, self.prepare)
            timer.daemon = True
            self._timer = timer
            timer.start()
        return self._settings

    def prepare(self) -> None:
        """Begin the background preparation now, if it has not begun (returns at once)."""
        with self._lock:
            if self._preparing is not None or self._stopped:
                return
            self._preparing = threading.Thread(target=self._prepare, name="sim-prepare",
                                               daemon=True)
            self._preparing.start()

    def _prepare(self) -> None:
        """The camera's portrait, then the master prints of the fingers the kiosk asks for
        first, so the first frame and the first print come at once."""
        self.world.camera.prepare()
        fingers = self.scenario.fingers
        prints = self.config.fingerprint
        for position in (prints.right_fallback[0], prints.left_fallback[0]):
            if self._stopped:
                return
            if fingers.condition(FINGER_NAMES[int(position)]) != "missing":
                try:
                    master_print(fingers.seed, int(position))
                except Exception:  # noqa: BLE001 - made again (and reported) when pressed
                    log.exception("could not prepare the citizen's finger %d", position)

    def _watch(self, message: Message) -> None:
        """A bus callback: a session started, so the camera will be needed soon."""
        if isinstance(message, StateChanged):
            self.prepare()

    def attach(self, service: AttachableService) -> None:
        """Play the citizen on ``service``'s messages, offer the developer controls, and stop
        when the service closes."""
        if self._settings is None:
            raise RuntimeError("start the simulation before attaching it")
        self._subscriptions.append(service.bus.subscribe(self._watch))
        citizen = self.world.citizen
        if citizen is not None and self.config.simulator.auto_citizen:
            self._subscriptions.append(service.bus.subscribe(citizen.on_message))
        service.devtools = self.controls
        service.on_close(self.stop)

    def stop(self) -> None:
        """Stop the citizen and every device. Safe to call twice.

        A preparation under way is waited for (it cannot be interrupted, and native code must
        not be running in it when the interpreter exits): up to a few seconds.
        """
        subscriptions, self._subscriptions = self._subscriptions, []
        for subscription in subscriptions:
            subscription.close()
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            preparing = self._preparing
        if self._timer is not None:
            self._timer.cancel()
        self.world.stop()
        if preparing is not None:
            preparing.join(timeout=60)

    # -- what a developer or a scenario does ------------------------------------------------

    def inject(self, spec: str, **params: FaultParam) -> None:
        """Inject fault ``device:fault`` (``scanner:unplug``, ``camera:freeze``) with ``params``.

        Raises:
            ValueError: No such device, or the device has no such fault.
        """
        self.world.inject(spec, **params)

    def clear(self, spec: str) -> None:
        """Clear fault ``device:fault``; clearing ``unplug`` plugs the device back in."""
        self.world.clear(spec)

    def set_persona(self, name: str) -> None:
        """Put persona ``name`` in front of the camera."""
        self.controls.set_persona(name)

    def faults_met(self) -> list[str]:
        """Faults met so far, as ``device:fault``, in order of time."""
        return self.world.faults_met()

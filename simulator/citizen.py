"""The simulated citizen: reads the kiosk's screen and uses the devices as a person would.

They lay the passport on the scanner when asked, press the finger the kiosk names (in the
condition the scenario gives it), lift it when told, and sign on the pad. Each action comes
``act_delay_s`` after the request, from a timer thread, never from the kiosk's threads.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import TYPE_CHECKING

from simulator.fingerprints import persona_finger
from simulator.scenario import Scenario

if TYPE_CHECKING:
    from simulator.world import SimulatedWorld

log = logging.getLogger(__name__)

#: ISO/IEC 19794-4 finger position codes by name.
FINGER_NAMES = {1: "right_thumb", 2: "right_index", 3: "right_middle", 4: "right_ring",
                5: "right_little", 6: "left_thumb", 7: "left_index", 8: "left_middle",
                9: "left_ring", 10: "left_little"}


class SimulatedCitizen:
    """Acts on the world's devices when the kiosk asks."""

    def __init__(self, world: SimulatedWorld, scenario: Scenario) -> None:
        self.world = world
        self.scenario = scenario
        self._timers: list[threading.Timer] = []
        self._lock = threading.Lock()
        self._stopped = False

    def sees(self, state: str) -> None:
        """The kiosk shows ``state``."""
        if state == "identify":
            lines = self.scenario.passport.mrz(dt.date.today())
            self._later(lambda: self.world.scanner.present(lines))
        elif state == "signature":
            self._later(lambda: self.world.signature_pad.sign(seed=self.scenario.signature_seed))
        elif state in ("welcome", "done", "aborted"):
            # The citizen takes their passport and steps away.
            self._later(self.world.scanner.remove)
            self.world.fingerprint.lift()

    def finger(self, kind: str, position: int, attempt: int) -> None:
        """The kiosk asks to place finger ``position`` (attempt ``attempt``) or to lift it."""
        if kind == "lift":
            self._later(self.world.fingerprint.lift)
            return
        name = FINGER_NAMES.get(position, str(position))
        condition = self.scenario.fingers.condition(name)
        if condition == "missing":
            log.info("simulated citizen has no usable %s", name)
            return
        image = persona_finger(self.scenario.fingers.seed, position, condition, attempt)
        self._later(lambda: self.world.fingerprint.place(image))

    def _later(self, action: object) -> None:
        with self._lock:
            if self._stopped:
                return
            timer = threading.Timer(self.scenario.act_delay_s, action)  # type: ignore[arg-type]
            timer.daemon = True
            self._timers = [t for t in self._timers if t.is_alive()] + [timer]
            timer.start()

    def stop(self) -> None:
        """Stop acting (the simulator is shutting down)."""
        with self._lock:
            self._stopped = True
            for timer in self._timers:
                timer.cancel()

"""A pty device with a fault book: the fault API and frame faults both simulated devices share."""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Mapping
from typing import Any

from simulator.faults import FaultBook, FaultMet, FaultSpec, ScriptStep
from simulator.pty_device import PtyDevice

#: Faults every simulated serial device supports.
COMMON_FAULTS = {
    "unplug": FaultSpec(
        "pull the cable now, or after `after_bytes` more bytes; `replug_after` s plugs it back",
        times=None,
    ),
    "replug": FaultSpec("plug the cable back in (for scripts)", times=None),
    "silent": FaultSpec("stop answering: requests and documents go nowhere", times=None),
    "slow": FaultSpec("wait `delay` s (default 1.0) before each answer", times=None),
    "garbage": FaultSpec("send `count` (default 8) random bytes before the next frame"),
    "truncate": FaultSpec("send only the first `keep` bytes (default half) of the next frame"),
}
#: Other names the fault API accepts, after what the host sees.
FAULT_ALIASES = {"timeout": "silent", "wrong_checksum": "bad_checksum", "garbage_bytes": "garbage"}


class SimulatedSerialDevice(PtyDevice):
    """PtyDevice plus ``inject``/``clear``, a fault script and the log of faults met."""

    def __init__(
        self,
        name: str,
        faults: Mapping[str, FaultSpec],
        *,
        baud: int,
        pacing: bool,
        script: Iterable[ScriptStep | Mapping[str, Any]] = (),
        seed: int = 0,
    ) -> None:
        super().__init__(name, baud=baud, pacing=pacing)
        self._book = FaultBook(faults)
        self._book.load_script(script)
        #: Seeded so a fault scenario replays byte for byte.
        self._rng = random.Random(seed)

    @property
    def faults(self) -> tuple[str, ...]:
        """Names of the faults this device supports."""
        return tuple(sorted(self._book.supported))

    @property
    def active_faults(self) -> dict[str, dict[str, Any]]:
        """Armed faults and their parameters."""
        return self._book.active

    @property
    def faults_met(self) -> list[FaultMet]:
        """Faults that actually happened, oldest first."""
        return self._book.met_log

    def inject(self, fault: str, **params: Any) -> None:
        """Arm ``fault`` (see :attr:`faults`); ``unplug`` and ``replug`` happen at once."""
        fault = FAULT_ALIASES.get(fault, fault)
        if fault == "replug":
            self._book.check(fault)
            self._book.met("replug")
            self.replug()
            return
        if fault == "unplug":
            self._book.check(fault)
            self._book.met("unplug", f"after_bytes={params.get('after_bytes')}")
            self.unplug(**params)
            return
        self._book.inject(fault, params)

    def clear(self, fault: str | None = None) -> None:
        """Disarm ``fault``, or all faults."""
        self._book.clear(FAULT_ALIASES.get(fault, fault) if fault else None)

    def load_script(self, steps: Iterable[ScriptStep | Mapping[str, Any]]) -> None:
        """Add scripted faults: ``{"on": "command:UpImage", "fault": "unplug", ...}``."""
        self._book.load_script(steps)

    def _event(self, name: str) -> None:
        """Count a device event and inject what the script says happens at it."""
        for step in self._book.event(name):
            self.inject(step.fault, **step.params)

    def _silent(self, what: str) -> bool:
        """True (and recorded) when the device is playing dead."""
        return self._book.take("silent", what) is not None

    def _delay(self, base: float) -> None:
        """The model's reply delay plus any ``slow`` fault."""
        slow = self._book.take("slow")
        delay = base + (float(slow.get("delay", 1.0)) if slow is not None else 0.0)
        if delay > 0:
            time.sleep(delay)

    def _garbage(self) -> bytes:
        params = self._book.take("garbage")
        if params is None:
            return b""
        return bytes(self._rng.randrange(256) for _ in range(int(params.get("count", 8))))

    def _truncate(self, frame: bytes) -> bytes | None:
        """The cut frame if ``truncate`` is armed, else None."""
        params = self._book.take("truncate", f"frame of {len(frame)} bytes")
        if params is None:
            return None
        return frame[: int(params.get("keep", len(frame) // 2))]

"""A pty device with a fault book: the fault API and frame faults both serial devices share."""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Mapping

from simulator.faults import (
    FaultMet,
    FaultParam,
    FaultParams,
    FaultSpec,
    FaultyDevice,
    ScriptStep,
    param_float,
    param_int,
)
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


class SimulatedSerialDevice(PtyDevice, FaultyDevice):
    """PtyDevice plus the fault API (:class:`~simulator.faults.SimulatedDevice`), a fault
    script and the log of faults met. ``unplug`` and ``replug`` happen at once; ``unplug`` is
    active while the cable is out."""

    def __init__(
        self,
        name: str,
        faults: Mapping[str, FaultSpec],
        *,
        baud: int,
        pacing: bool,
        script: Iterable[ScriptStep | Mapping[str, object]] = (),
        seed: int = 0,
    ) -> None:
        PtyDevice.__init__(self, name, baud=baud, pacing=pacing)
        FaultyDevice.__init__(self, name, faults, FAULT_ALIASES)
        self._faults.load_script(script)
        #: Seeded so a fault scenario replays byte for byte.
        self._rng = random.Random(seed)

    @property
    def faults_met(self) -> list[FaultMet]:
        """Faults that actually happened, oldest first."""
        return self._faults.met_log

    def _start_fault(self, name: str, params: FaultParams) -> bool:
        if name == "replug":
            self._faults.met("replug")
            self.replug()
            return True
        if name == "unplug":
            after = params.get("after_bytes")
            replug = params.get("replug_after")
            self._faults.met("unplug", f"after_bytes={after}", params)
            self.unplug(after_bytes=None if after is None else int(after),
                        replug_after=None if replug is None else float(replug))
            return True
        return False

    def _end_fault(self, name: str, was_active: bool) -> None:
        if name == "unplug":
            self.replug()

    def on_plug(self, plugged: bool) -> None:
        """The cable was plugged in or pulled: ``unplug`` is active while it is out.

        Subclasses that reset state on a replug call this first.
        """
        if plugged:
            self._faults.clear("unplug")
        else:
            self._faults.inject("unplug")

    def load_script(self, steps: Iterable[ScriptStep | Mapping[str, object]]) -> None:
        """Add scripted faults: ``{"on": "command:UP_IMAGE", "fault": "unplug", ...}``."""
        self._faults.load_script(steps)

    def _event(self, name: str) -> None:
        """Count a device event and inject what the script says happens at it."""
        for step in self._faults.event(name):
            self.inject(step.fault, **step.params)

    def _silent(self, what: str) -> bool:
        """True (and recorded) when the device is playing dead."""
        return self._faults.take("silent", what) is not None

    def _delay(self, base: float) -> None:
        """The model's reply delay plus any ``slow`` fault."""
        slow = self._faults.take("slow")
        delay = base + (param_float(slow, "delay", 1.0) if slow is not None else 0.0)
        if delay > 0:
            time.sleep(delay)

    def _garbage(self) -> bytes:
        params = self._faults.take("garbage")
        if params is None:
            return b""
        return bytes(self._rng.randrange(256) for _ in range(param_int(params, "count", 8)))

    def _truncate(self, frame: bytes) -> bytes | None:
        """The cut frame if ``truncate`` is armed, else None."""
        params = self._faults.take("truncate", f"frame of {len(frame)} bytes")
        if params is None:
            return None
        return frame[: param_int(params, "keep", len(frame) // 2)]


__all__ = ["COMMON_FAULTS", "FAULT_ALIASES", "FaultParam", "SimulatedSerialDevice"]

"""Fault bookkeeping for simulated devices: what is injected, scripted triggers, and faults met."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FaultSpec:
    """A fault a device supports."""

    #: What it does and which parameters it takes, for the developer panel.
    description: str
    #: How many times it applies before clearing itself; None: until cleared. Ignored for
    #: actions (``unplug``), which happen at once.
    times: int | None = 1


@dataclass(frozen=True)
class FaultMet:
    """A fault that actually happened to the traffic, for a scenario summary."""

    t: float
    fault: str
    detail: str


@dataclass(frozen=True)
class ScriptStep:
    """Inject ``fault`` with ``params`` when the device's ``nth`` ``on`` event happens.

    Events are named by the device: ``present`` (scanner), ``command:GenImg``,
    ``command:UpImage`` ... (R30x), ``place`` and ``connect`` (both).
    """

    on: str
    fault: str
    nth: int = 1
    params: Mapping[str, Any] = field(default_factory=dict)


class FaultBook:
    """Active faults of one device, its fault script and the log of faults met."""

    def __init__(self, supported: Mapping[str, FaultSpec]) -> None:
        self.supported = dict(supported)
        self._active: dict[str, tuple[dict[str, Any], int | None]] = {}
        self._met: list[FaultMet] = []
        self._script: list[ScriptStep] = []
        self._counts: dict[str, int] = {}

    def check(self, name: str) -> FaultSpec:
        """The spec of ``name``; ValueError when this device does not support it."""
        if name not in self.supported:
            raise ValueError(f"unsupported fault {name!r}; supported: {sorted(self.supported)}")
        return self.supported[name]

    def inject(self, name: str, params: Mapping[str, Any]) -> None:
        """Arm ``name``; ``params['times']`` overrides how often it applies."""
        spec = self.check(name)
        params = dict(params)
        times = params.pop("times", spec.times)
        self._active[name] = (params, times)

    def clear(self, name: str | None = None) -> None:
        """Disarm ``name``, or every fault."""
        if name is None:
            self._active.clear()
        else:
            self._active.pop(name, None)

    @property
    def active(self) -> dict[str, dict[str, Any]]:
        """Armed faults and their parameters."""
        return {name: dict(params) for name, (params, _) in self._active.items()}

    def peek(self, name: str) -> dict[str, Any] | None:
        """Parameters of ``name`` if armed, without using it up."""
        entry = self._active.get(name)
        return None if entry is None else dict(entry[0])

    def take(self, name: str, detail: str = "") -> dict[str, Any] | None:
        """Use ``name`` once if armed: record it as met and return its parameters."""
        entry = self._active.get(name)
        if entry is None:
            return None
        params, times = entry
        if times is not None:
            if times <= 1:
                del self._active[name]
            else:
                self._active[name] = (params, times - 1)
        self.met(name, detail)
        return dict(params)

    def met(self, name: str, detail: str = "") -> None:
        """Record that ``name`` happened."""
        self._met.append(FaultMet(time.monotonic(), name, detail))

    @property
    def met_log(self) -> list[FaultMet]:
        """Faults met so far, oldest first."""
        return list(self._met)

    def load_script(self, steps: Iterable[ScriptStep | Mapping[str, Any]]) -> None:
        """Add scripted steps (dicts as in a TOML ``[[script]]`` table are accepted)."""
        for step in steps:
            if not isinstance(step, ScriptStep):
                step = ScriptStep(**step)
            self.check(step.fault)
            self._script.append(step)

    def event(self, name: str) -> list[ScriptStep]:
        """Count event ``name``; return the steps it fires (the device injects them)."""
        count = self._counts[name] = self._counts.get(name, 0) + 1
        fired = [s for s in self._script if s.on == name and s.nth == count]
        for step in fired:
            self._script.remove(step)
        return fired

"""Faults of simulated devices: one fault book and one device protocol for every device.

Every simulated device (the MRZ scanner and the R30x module on ptys, the USB fingerprint
scanner, the camera, the signature pad) keeps its faults in a :class:`FaultBook`: which faults
it supports (with a description for the developer panel), which are in force and with what
parameters, a script of faults to inject on device events, and the log of faults met. A device
is driven through the :class:`SimulatedDevice` protocol: ``inject(fault, **params)`` and
``clear(fault)``; clearing ``unplug`` plugs the device back in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

#: A fault parameter: a number or a word (``delay=1.5``, ``count=3``, ``mode=stall``).
FaultParam = int | float | str
FaultParams = dict[str, FaultParam]


@dataclass(frozen=True)
class FaultSpec:
    """A fault a device supports."""

    #: What it does and which parameters it takes, for the developer panel.
    description: str
    #: How many times it applies before clearing itself; None: until cleared.
    times: int | None = 1


@dataclass(frozen=True)
class FaultMet:
    """A fault that actually happened (to the traffic, the stream, the pad), oldest first."""

    #: When, ``time.monotonic()``.
    t: float
    fault: str
    detail: str = ""
    params: Mapping[str, FaultParam] = field(default_factory=dict)
    #: The device's configured name (``scanner``, ``camera``...).
    device: str = ""

    @property
    def name(self) -> str:
        """The fault's name (same as :attr:`fault`)."""
        return self.fault

    @property
    def spec(self) -> str:
        """``device:fault``."""
        return f"{self.device}:{self.fault}"


@dataclass(frozen=True)
class ScriptStep:
    """Inject ``fault`` with ``params`` when the device's ``nth`` ``on`` event happens.

    Events are named by the device: ``present`` (scanner), ``command:GEN_IMG``,
    ``command:UP_IMAGE`` ... (R30x), ``place`` (fingerprint readers).
    """

    on: str
    fault: str
    nth: int = 1
    params: Mapping[str, FaultParam] = field(default_factory=dict)


class FaultBook:
    """Supported and active faults of one device, its fault script and the log of faults met.

    Thread-safe: faults are injected from the developer panel or a scenario while the device's
    own threads use them up.

    Args:
        supported: The faults the device supports, by name.
        device: The device's configured name, carried by every :class:`FaultMet`.
        aliases: Other names accepted for a fault (``timeout`` for ``silent``).
    """

    def __init__(self, supported: Mapping[str, FaultSpec], device: str = "",
                 aliases: Mapping[str, str] | None = None) -> None:
        self.supported = dict(supported)
        self.device = device
        self.aliases = dict(aliases or {})
        self._lock = threading.RLock()
        self._active: dict[str, tuple[FaultParams, int | None]] = {}
        self._met: list[FaultMet] = []
        self._script: list[ScriptStep] = []
        self._counts: dict[str, int] = {}

    # -- what the device supports -------------------------------------------------------------

    def __contains__(self, name: object) -> bool:
        return name in self.supported

    def __iter__(self) -> Iterator[str]:
        """Names of the supported faults, sorted."""
        return iter(sorted(self.supported))

    def __len__(self) -> int:
        return len(self.supported)

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the supported faults, sorted."""
        return tuple(sorted(self.supported))

    def resolve(self, name: str) -> str:
        """The fault's own name for ``name`` (aliases resolved); ValueError if unsupported."""
        name = self.aliases.get(name, name)
        if name not in self.supported:
            where = f" by {self.device}" if self.device else ""
            raise ValueError(f"unsupported fault {name!r}{where}; supported: "
                             f"{', '.join(sorted(self.supported))}")
        return name

    def check(self, name: str) -> FaultSpec:
        """The spec of ``name``; ValueError when this device does not support it."""
        return self.supported[self.resolve(name)]

    def describe(self, name: str) -> str:
        """What fault ``name`` does ("" when unsupported)."""
        spec = self.supported.get(self.aliases.get(name, name))
        return "" if spec is None else spec.description

    # -- active faults ------------------------------------------------------------------------

    def inject(self, name: str, params: Mapping[str, FaultParam] | None = None) -> str:
        """Arm ``name``; ``params['times']`` overrides how often it applies. Returns its name."""
        name = self.resolve(name)
        spec = self.supported[name]
        args = dict(params or {})
        times_param = args.pop("times", None)
        times = spec.times if times_param is None else int(times_param)
        with self._lock:
            self._active[name] = (args, times)
        return name

    def clear(self, name: str | None = None) -> None:
        """Disarm ``name``, or every fault."""
        with self._lock:
            if name is None:
                self._active.clear()
            else:
                self._active.pop(self.aliases.get(name, name), None)

    @property
    def active(self) -> dict[str, FaultParams]:
        """Armed faults and their parameters."""
        with self._lock:
            return {name: dict(params) for name, (params, _) in self._active.items()}

    def is_active(self, name: str) -> bool:
        """True while ``name`` is armed."""
        with self._lock:
            return self.aliases.get(name, name) in self._active

    def peek(self, name: str) -> FaultParams | None:
        """Parameters of ``name`` if armed, without using it up."""
        with self._lock:
            entry = self._active.get(name)
            return None if entry is None else dict(entry[0])

    def take(self, name: str, detail: str = "") -> FaultParams | None:
        """Use ``name`` once if armed: record it as met and return its parameters."""
        with self._lock:
            entry = self._active.get(name)
            if entry is None:
                return None
            params, times = entry
            if times is not None:
                if times <= 1:
                    del self._active[name]
                else:
                    self._active[name] = (params, times - 1)
            self.met(name, detail, params)
            return dict(params)

    # -- faults met ---------------------------------------------------------------------------

    def met(self, name: str, detail: str = "",
            params: Mapping[str, FaultParam] | None = None) -> None:
        """Record that ``name`` happened."""
        record = FaultMet(time.monotonic(), name, detail, dict(params or {}), self.device)
        with self._lock:
            self._met.append(record)

    @property
    def met_log(self) -> list[FaultMet]:
        """Faults met so far, oldest first."""
        with self._lock:
            return list(self._met)

    # -- the script ---------------------------------------------------------------------------

    def load_script(self, steps: Iterable[ScriptStep | Mapping[str, object]]) -> None:
        """Add scripted steps (dicts as in a TOML ``[[script]]`` table are accepted)."""
        for step in steps:
            if not isinstance(step, ScriptStep):
                step = _script_step(step)
            self.check(step.fault)
            with self._lock:
                self._script.append(step)

    def event(self, name: str) -> list[ScriptStep]:
        """Count event ``name``; return the steps it fires (the device injects them)."""
        with self._lock:
            count = self._counts[name] = self._counts.get(name, 0) + 1
            fired = [s for s in self._script if s.on == name and s.nth == count]
            for step in fired:
                self._script.remove(step)
            return fired


def _script_step(data: Mapping[str, object]) -> ScriptStep:
    """A script step from a TOML table: ``on``, ``fault``, optional ``nth`` and ``params``."""
    unknown = set(data) - {"on", "fault", "nth", "params"}
    if unknown:
        raise ValueError(f"unknown keys in a fault script step: {sorted(unknown)}")
    on, fault, nth = data.get("on"), data.get("fault"), data.get("nth", 1)
    params = data.get("params", {})
    if not isinstance(on, str) or not isinstance(fault, str) or not isinstance(nth, int):
        raise ValueError(f"a fault script step needs on and fault names and an nth: {dict(data)}")
    if not isinstance(params, Mapping) or not all(
            isinstance(k, str) and isinstance(v, int | float | str) for k, v in params.items()):
        raise ValueError(f"fault script parameters are names with numbers or words: {params}")
    return ScriptStep(on, fault, nth, dict(params))


def param_int(params: Mapping[str, FaultParam], name: str, default: int) -> int:
    """An integer parameter (``count``, ``keep``...), or ``default``."""
    value = params.get(name)
    return default if value is None else int(value)


def param_float(params: Mapping[str, FaultParam], name: str, default: float) -> float:
    """A number parameter (``delay``, ``fps``...), or ``default``."""
    value = params.get(name)
    return default if value is None else float(value)


@runtime_checkable
class SimulatedDevice(Protocol):
    """What every simulated device offers the simulation, a scenario and the developer panel."""

    @property
    def name(self) -> str:
        """The device's configured name (``scanner``, ``fingerprint``, ``camera``...)."""
        ...

    @property
    def faults(self) -> FaultBook:
        """The device's fault book: supported faults (iterating gives their names), active
        ones, and the faults met."""
        ...

    def inject(self, fault: str, **params: FaultParam) -> None:
        """Inject ``fault``; ValueError for a fault the device does not support."""
        ...

    def clear(self, fault: str | None = None) -> None:
        """End ``fault`` (or every fault); clearing ``unplug`` plugs the device back in."""
        ...

    @property
    def faults_met(self) -> list[FaultMet]:
        """Faults that happened, oldest first."""
        ...

    @property
    def active_faults(self) -> dict[str, FaultParams]:
        """Faults in force now (``unplug`` while the device is unplugged), with parameters."""
        ...


class FaultyDevice:
    """Base of the simulated devices: a name, a fault book and the fault API over it.

    Subclasses list their faults in the book and implement the hooks :meth:`_start_fault`,
    :meth:`_fault_armed` and :meth:`_end_fault` for faults the device acts on at once
    (``unplug``); the others are used up by the device's own code with
    ``self.faults.take(name)``.
    """

    def __init__(self, name: str, faults: Mapping[str, FaultSpec],
                 aliases: Mapping[str, str] | None = None) -> None:
        #: The device's configured name.
        self.name = name
        self._faults = FaultBook(faults, name, aliases)

    @property
    def faults(self) -> FaultBook:
        """The device's fault book."""
        return self._faults

    @property
    def faults_met(self) -> list[FaultMet]:
        """Faults that happened, oldest first."""
        return self._faults.met_log

    @property
    def active_faults(self) -> dict[str, FaultParams]:
        """Faults in force now, with their parameters."""
        return self._faults.active

    def inject(self, fault: str, **params: FaultParam) -> None:
        """Inject ``fault`` with ``params`` (see the device's fault descriptions)."""
        name = self._faults.resolve(fault)
        if self._start_fault(name, params):
            return
        self._faults.inject(name, params)
        self._fault_armed(name, params)

    def clear(self, fault: str | None = None) -> None:
        """End ``fault``, or every fault; ``unplug`` plugs the device back in."""
        names = list(self._faults.active) if fault is None else [self._faults.resolve(fault)]
        for name in names:
            was_active = self._faults.is_active(name)
            self._faults.clear(name)
            self._end_fault(name, was_active)

    def _start_fault(self, name: str, params: FaultParams) -> bool:
        """Hook, before the fault is armed: True when it was an action done here (not armed)."""
        return False

    def _fault_armed(self, name: str, params: FaultParams) -> None:
        """Hook: the fault is now armed (a device reacts at once to ``unplug``, ``freeze``)."""

    def _end_fault(self, name: str, was_active: bool) -> None:
        """Hook: undo what a fault did (plug back in); it was already disarmed."""

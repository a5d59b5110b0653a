"""Developer controls: the hook through which a developer tool drives the kiosk's devices.

The kiosk service has an attribute ``devtools`` (a :class:`DeveloperControls`, or None on real
hardware). The hardware simulator sets it when it attaches (``simulator.devtools``); the
developer panel (F12 in ``kiosk run``) shows and uses it, and knows nothing of the simulator.
Everything here is plain data and actions: names, descriptions, formatted lines, no device
objects. No Textual, no simulator imports.

Faults are named ``device:fault`` (``scanner:unplug``, ``camera:freeze``); parameters are
numbers or words (``delay=2``, ``mode=stall``). Actions raise :class:`ValueError` with a
one-line message for a name that does not exist (or a finger the citizen does not have).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

#: A fault parameter's value.
ParamValue = int | float | str
#: The finger condition that means "as the scenario's citizen has it".
AS_SCENARIO = "scenario"


@dataclass(frozen=True)
class FaultInfo:
    """A fault a device supports, for a menu."""

    device: str
    name: str
    #: What it does and which parameters it takes.
    description: str

    @property
    def spec(self) -> str:
        """``device:fault``."""
        return f"{self.device}:{self.name}"


@dataclass(frozen=True)
class TrafficUpdate:
    """Traffic lines after a cursor, and the cursor to ask with next time."""

    #: Formatted lines, oldest first, each naming its device (``12.345 scanner tx 50 3c…``).
    lines: tuple[str, ...]
    cursor: int


class DeveloperControls(Protocol):
    """What the developer panel shows and does."""

    # -- what there is ----------------------------------------------------------------------

    @property
    def scenario_name(self) -> str:
        """The scenario being played."""
        ...

    @property
    def persona_names(self) -> Sequence[str]:
        """Camera personas to choose from (the current one included)."""
        ...

    @property
    def persona(self) -> str:
        """The persona in front of the camera now."""
        ...

    @property
    def device_names(self) -> Sequence[str]:
        """The devices faults can be injected into (``scanner``, ``fingerprint``...)."""
        ...

    def faults(self, device: str) -> Sequence[FaultInfo]:
        """The faults ``device`` supports, with descriptions (ValueError: no such device)."""
        ...

    def active_faults(self) -> list[str]:
        """Faults in force now, as ``device:fault`` (a pulled cable is ``device:unplug``)."""
        ...

    def faults_met(self) -> list[str]:
        """Faults that happened so far, as ``device:fault``, oldest first."""
        ...

    @property
    def finger_names(self) -> Mapping[int, str]:
        """ISO/IEC 19794-4 finger position codes and their names (``7: left_index``)."""
        ...

    @property
    def finger_conditions(self) -> Sequence[str]:
        """Conditions a finger can be placed in; :data:`AS_SCENARIO` first."""
        ...

    @property
    def finger_on_sensor(self) -> bool:
        """Whether a finger lies on the fingerprint reader now."""
        ...

    @property
    def fingers_placed(self) -> int:
        """How many fingers the developer has placed."""
        ...

    def camera_status(self) -> str:
        """One line about the camera (persona, the eyes' height against it, frames sent)."""
        ...

    @property
    def traffic_devices(self) -> Mapping[str, str]:
        """Serial devices whose traffic is logged, and the label their lines carry."""
        ...

    def traffic(self, since: int = 0, width: int = 40) -> TrafficUpdate:
        """Serial traffic lines after cursor ``since`` (0: all kept), at most ``width`` long."""
        ...

    # -- actions ----------------------------------------------------------------------------

    def inject(self, spec: str, **params: ParamValue) -> None:
        """Inject fault ``device:fault`` with ``params``."""
        ...

    def clear(self, spec: str) -> None:
        """Clear fault ``device:fault`` (``unplug``: plug back in)."""
        ...

    def toggle(self, spec: str) -> bool:
        """Clear ``spec`` if it is in force, else inject it; True when it is in force now."""
        ...

    def clear_all(self) -> None:
        """Clear every fault in force."""
        ...

    def present_passport(self) -> None:
        """Lay the scenario's passport on the scanner."""
        ...

    def remove_passport(self) -> None:
        """Take the passport off the scanner."""
        ...

    def place_finger(self, position: int, condition: str = AS_SCENARIO) -> None:
        """Press finger ``position`` in ``condition`` on the reader.

        Making the print takes up to a second: call it off the UI thread. ValueError for a
        finger or condition that does not exist or a finger the citizen does not have.
        """
        ...

    def lift_finger(self) -> None:
        """Lift the finger off the reader."""
        ...

    def sign(self) -> None:
        """Sign on the pad (the scenario's signature) and confirm."""
        ...

    def move_eyes(self, mm: float) -> None:
        """The citizen stands ``mm`` taller (negative: lower); a camera lift may follow."""
        ...

    def set_persona(self, name: str) -> None:
        """Put persona ``name`` in front of the camera (ValueError: no such persona)."""
        ...

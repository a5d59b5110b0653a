"""The simulator's developer controls: :class:`kiosk.service.devtools.DeveloperControls` over a
simulated world, for the developer panel (F12 in ``kiosk run``).

The panel gets plain data and actions; everything that knows the simulated devices lives here:
the fault menus and descriptions, which faults are in force, the serial traffic log (formatted,
kept in memory only: it carries MRZ data), the passport, fingers, signature and personas.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence

from kiosk.service.devtools import AS_SCENARIO, FaultInfo, ParamValue, TrafficUpdate
from simulator.camera.persona import persona_names
from simulator.citizen import FINGER_NAMES
from simulator.fingerprint_sensor import SimulatedR30x
from simulator.fingerprints import CONDITIONS, persona_finger
from simulator.pty_device import TrafficEntry
from simulator.traffic_format import format_entry
from simulator.world import SimulatedWorld, split_spec

#: Traffic lines kept for the panel.
TRAFFIC_KEEP = 200
#: Labels of the serial devices' traffic lines (R30x packets are decoded on ``fp``).
TRAFFIC_LABELS = {"scanner": "scanner", "fingerprint": "fp"}


class SimulatorControls:
    """Developer controls of one simulated world (a :class:`DeveloperControls`).

    Args:
        world: The simulated devices and the scenario.
        today: Today's date, for the passport's dates.
    """

    def __init__(self, world: SimulatedWorld,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        self.world = world
        self.today = today
        self._lock = threading.Lock()
        self._placed = 0
        self._lines: deque[tuple[int, str, TrafficEntry]] = deque(maxlen=TRAFFIC_KEEP)
        self._cursor = 0
        self._last_seen: dict[str, TrafficEntry] = {}
        self._t0: float | None = None

    # -- what there is ----------------------------------------------------------------------

    @property
    def scenario_name(self) -> str:
        """The scenario being played."""
        return self.world.scenario.name

    @property
    def persona_names(self) -> Sequence[str]:
        """The bundled personas and the current one."""
        return sorted({*persona_names(), self.persona})

    @property
    def persona(self) -> str:
        """The persona in front of the camera now."""
        return self.world.camera.persona.name

    @property
    def device_names(self) -> Sequence[str]:
        """The simulated devices, the lift and the printer included when the kiosk has them."""
        return tuple(self.world.devices)

    def faults(self, device: str) -> Sequence[FaultInfo]:
        """The faults ``device`` supports, with descriptions."""
        book = self.world.device(device).faults
        return [FaultInfo(device, name, book.describe(name)) for name in book]

    def active_faults(self) -> list[str]:
        """Faults in force now, as ``device:fault``."""
        return self.world.active_faults()

    def faults_met(self) -> list[str]:
        """Faults met so far, as ``device:fault``, oldest first."""
        return self.world.faults_met()

    @property
    def finger_names(self) -> Mapping[int, str]:
        """Finger position codes and names."""
        return dict(FINGER_NAMES)

    @property
    def finger_conditions(self) -> Sequence[str]:
        """:data:`AS_SCENARIO`, then every condition a synthetic print can have."""
        return (AS_SCENARIO, *CONDITIONS)

    @property
    def finger_on_sensor(self) -> bool:
        """Whether a finger lies on the reader."""
        return self.world.fingerprint.finger_present

    @property
    def fingers_placed(self) -> int:
        """Fingers the developer placed so far."""
        return self._placed

    def camera_status(self) -> str:
        """The persona, the eyes' height against the camera and how many frames it sent."""
        camera = self.world.camera
        return (f"{camera.persona.name} · eyes {camera.eyes_above_camera_mm:+.0f} mm · "
                f"{camera.frames_sent} frames sent")

    # -- traffic ----------------------------------------------------------------------------

    @property
    def traffic_devices(self) -> Mapping[str, str]:
        """Serial devices and their labels (a USB fingerprint scanner has no serial traffic)."""
        serial = {"scanner": True, "fingerprint": isinstance(self.world.fingerprint,
                                                             SimulatedR30x)}
        return {name: label for name, label in TRAFFIC_LABELS.items() if serial[name]}

    def traffic(self, since: int = 0, width: int = 40) -> TrafficUpdate:
        """Traffic lines after cursor ``since``, merged across devices in time order."""
        with self._lock:
            self._collect()
            t0 = self._t0 if self._t0 is not None else 0.0
            lines = tuple(format_entry(label, entry, t0, width)
                          for seq, label, entry in self._lines if seq > since)
            return TrafficUpdate(lines, self._cursor)

    def _collect(self) -> None:
        """Take the devices' new traffic entries into the log (under the lock)."""
        new: list[tuple[str, TrafficEntry]] = []
        for name, label in self.traffic_devices.items():
            device = self.world.scanner if name == "scanner" else self.world.fingerprint
            entries = device.traffic
            last = self._last_seen.get(name)
            if last is not None:
                for i in range(len(entries) - 1, -1, -1):
                    if entries[i] is last:
                        entries = entries[i + 1:]
                        break
            if entries:
                self._last_seen[name] = entries[-1]
            new += [(label, entry) for entry in entries[-TRAFFIC_KEEP:]]
        new.sort(key=lambda item: item[1].t)
        if self._t0 is None:
            # Times count from the first traffic seen, or from now.
            self._t0 = min([time.monotonic(), *(entry.t for _label, entry in new)])
        for label, entry in new:
            self._cursor += 1
            self._lines.append((self._cursor, label, entry))

    # -- actions ----------------------------------------------------------------------------

    def inject(self, spec: str, **params: ParamValue) -> None:
        """Inject fault ``device:fault``."""
        self.world.inject(spec, **params)

    def clear(self, spec: str) -> None:
        """Clear fault ``device:fault``."""
        self.world.clear(spec)

    def toggle(self, spec: str) -> bool:
        """Clear ``spec`` if in force, else inject it; True when it is in force now."""
        split_spec(spec)
        if spec in self.active_faults():
            self.clear(spec)
        else:
            self.inject(spec)
        return spec in self.active_faults()

    def clear_all(self) -> None:
        """Clear every fault in force."""
        for spec in self.active_faults():
            self.clear(spec)

    def present_passport(self) -> None:
        """Lay the scenario's passport on the scanner."""
        self.world.scanner.present(self.world.scenario.passport.mrz(self.today()))

    def remove_passport(self) -> None:
        """Take the passport off the scanner."""
        self.world.scanner.remove()

    def place_finger(self, position: int, condition: str = AS_SCENARIO) -> None:
        """Make the print of finger ``position`` in ``condition`` and press it on the reader."""
        name = FINGER_NAMES.get(position)
        if name is None:
            raise ValueError(f"no finger {position}; fingers are 1-10 (ISO/IEC 19794-4)")
        if condition == AS_SCENARIO:
            condition = self.world.scenario.fingers.condition(name)
            if condition == "missing":
                raise ValueError(f"the scenario's citizen has no usable {name}")
        known = [c for c in CONDITIONS if c == condition]
        if not known:
            raise ValueError(f"no finger condition {condition!r}; conditions: "
                             f"{', '.join(self.finger_conditions)}")
        with self._lock:
            self._placed += 1
            attempt = self._placed
        image = persona_finger(self.world.scenario.fingers.seed, position, known[0], attempt)
        self.world.fingerprint.place(image)

    def lift_finger(self) -> None:
        """Lift the finger."""
        self.world.fingerprint.lift()

    def sign(self) -> None:
        """Sign with the scenario's signature and confirm."""
        self.world.signature_pad.sign(seed=self.world.scenario.signature_seed)

    def move_eyes(self, mm: float) -> None:
        """The citizen stands taller (``mm`` > 0) or lower: their eyes move against the camera
        (a camera lift, if any, may then follow them)."""
        self.world.camera.move_eyes(mm)

    def set_persona(self, name: str) -> None:
        """Put persona ``name`` in front of the camera."""
        try:
            self.world.set_persona(name)
        except FileNotFoundError as error:
            raise ValueError(str(error)) from None

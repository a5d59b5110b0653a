"""The developer's control panel of the hardware simulator, docked beside every kiosk screen."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.dom import NoScreen
from textual.widgets import Button, Input, Log, Select, Static

from kiosk.ui.widgets.traffic_format import format_entry
from simulator.camera.persona import persona_names
from simulator.camera.server import FAULTS as CAMERA_FAULTS
from simulator.citizen import FINGER_NAMES
from simulator.fingerprint_sensor import R30X_FAULTS
from simulator.fingerprints import CONDITIONS, persona_finger
from simulator.pty_device import TrafficEntry
from simulator.scanner import SCANNER_FAULTS
from simulator.signature_pad import FAULTS as SIGNATURE_FAULTS
from simulator.world import DEVICE_NAMES, SimulatedWorld

#: Traffic lines kept in the log.
TRAFFIC_LINES = 200
#: Characters of a traffic line (the panel is 44 columns wide).
LINE_WIDTH = 40
#: Serial devices whose traffic is shown, with their label in the log.
SERIAL_DEVICES = {"scanner": "scanner", "fingerprint": "fp"}
#: What the faults without a FaultSpec do.
OTHER_FAULTS = {
    "camera:freeze": "same picture again (mode=repeat) or none (mode=stall)",
    "camera:low_fps": "frame rate drops to `fps` (default 3)",
    "camera:unplug": "close the stream; new connections refused",
    "signature:unplug": "pull the pad's cable",
}
#: Labels of the quick fault buttons: (off, on).
TOGGLE_LABELS = {"unplug": ("Unplug", "Replug"), "freeze": ("Freeze", "Unfreeze"),
                 "low_fps": ("Low fps", "Full fps")}
#: Class of a screen showing the panel, for the kiosk's CSS: ``Screen.-dev-panel #chrome``.
SCREEN_CLASS = "-dev-panel"
#: Inline styles of the panel's buttons: inline styles beat the kiosk's big-button CSS.
SMALL_BUTTON = "height: 1; min-width: 0; margin: 0 1 0 0; padding: 0; border: none;"


@dataclass
class Choices:
    """What the developer picked, kept per world so it survives the screens being recreated."""

    finger: int = 2
    condition: str = "scenario"
    attempt: int = 0
    device: str = "scanner"
    fault: str = ""
    params: str = ""
    t0: float = field(default_factory=time.monotonic)


_CHOICES: WeakKeyDictionary[SimulatedWorld, Choices] = WeakKeyDictionary()


def choices_for(world: SimulatedWorld) -> Choices:
    """The developer's choices for ``world``; traffic times count from its first panel."""
    if world not in _CHOICES:
        firsts = [entries[0].t for entries in map(traffic_of, _serial(world)) if entries]
        _CHOICES[world] = Choices(t0=min([time.monotonic(), *firsts]))
    return _CHOICES[world]


def traffic_of(device: Any) -> list[TrafficEntry]:
    """A serial device's traffic log, oldest first."""
    traffic = device.traffic
    return list(traffic() if callable(traffic) else traffic)


def _serial(world: SimulatedWorld) -> list[Any]:
    return [world.device(name) for name in SERIAL_DEVICES]


def fault_names(world: SimulatedWorld, device: str) -> tuple[str, ...]:
    """The faults ``device`` supports."""
    if device == "camera":
        return tuple(CAMERA_FAULTS)
    if device == "signature":
        return tuple(SIGNATURE_FAULTS)
    return tuple(world.device(device).faults)


def describe(spec: str) -> str:
    """What fault ``device:fault`` does and which parameters it takes."""
    device, _, fault = spec.partition(":")
    specs = {"scanner": SCANNER_FAULTS, "fingerprint": R30X_FAULTS}.get(device, {})
    return specs[fault].description if fault in specs else OTHER_FAULTS.get(spec, "")


def active_faults(world: SimulatedWorld) -> list[str]:
    """Faults in force now, as ``device:fault``; a pulled cable counts as ``unplug``."""
    active: list[str] = []
    for name in SERIAL_DEVICES:
        device = world.device(name)
        active += [f"{name}:{fault}" for fault in device.active_faults]
        if not device.plugged:
            active.append(f"{name}:unplug")
    active += [f"camera:{fault}" for fault in world.camera.active_faults]
    if not world.signature_pad.probe().ok:
        active.append("signature:unplug")
    return active


def parse_params(text: str) -> dict[str, Any]:
    """Fault parameters from ``key=value`` words; numbers become int or float.

    Raises:
        ValueError: A word is not ``key=value``.
    """
    params: dict[str, Any] = {}
    for word in text.split():
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise ValueError(f"parameters are key=value words, got {word!r}")
        params[key] = _number(value)
    return params


def _number(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def small(*buttons: Button) -> Horizontal:
    """A one-line row of small buttons."""
    for button in buttons:
        button.set_styles(SMALL_BUTTON)
    return Horizontal(*buttons, classes="dev-row")


def toggle(device: str, fault: str) -> Button:
    """A button that injects ``device:fault``, or clears it while it is in force."""
    button = Button(TOGGLE_LABELS[fault][0], id=f"dev-{device}-{fault}")
    button.set_styles(f"width: {max(map(len, TOGGLE_LABELS[fault])) + 2};")
    return button


class DevPanel(Vertical):
    """Controls of the simulated devices and their serial traffic, for a developer.

    It keeps nothing important itself: each refresh reads the world, and the developer's picks
    live in :func:`choices_for`, so a panel can be recreated with every screen. It docks on the
    right, 44 columns wide, and marks its screen with :data:`SCREEN_CLASS` so the kiosk's style
    sheet can keep its docked bars clear of it. Button, Select and Input messages stop here.

    Args:
        world: The simulated world the kiosk runs on.
        id: The widget's id.
    """

    DEFAULT_CSS = """
    DevPanel {
        dock: right;
        width: 44;
        height: 100%;
        padding: 0 1;
        background: #101018;
        color: #e0e0e0;
        border-left: tall #5080ff;
        overflow-y: auto;
    }
    DevPanel .dev-head { color: #80a0ff; text-style: bold; margin-top: 1; height: 1; }
    DevPanel .dev-row { height: 1; width: 100%; }
    DevPanel .dev-row Select { width: 1fr; }
    DevPanel Static { height: auto; }
    DevPanel .dev-note { color: #a0a0a0; }
    DevPanel #dev-traffic { height: 1fr; min-height: 8; scrollbar-size-vertical: 1; }
    """

    def __init__(self, world: SimulatedWorld, *, id: str = "dev-panel") -> None:  # noqa: A002
        super().__init__(id=id)
        self.world = world
        self.choices = choices_for(world)
        self._last_seen: dict[str, TrafficEntry] = {}
        self._personas: list[str] = []

    # -- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        c, world = self.choices, self.world
        yield Static(f"Simulator · scenario {world.scenario.name}", classes="dev-head")
        yield Static("Document", classes="dev-head")
        yield small(Button("Insert", id="dev-insert", variant="primary"),
                    Button("Remove", id="dev-remove"),
                    toggle("scanner", "unplug"))
        yield Static("Camera", classes="dev-head")
        current = world.camera.persona.name
        personas = self._personas = sorted({*persona_names(), current})
        yield Select([(p, p) for p in personas], value=current, allow_blank=False, compact=True,
                     id="dev-persona")
        yield small(*(toggle("camera", fault) for fault in CAMERA_FAULTS))
        yield Static("", id="dev-camera-status", classes="dev-note")
        yield Static("Fingerprint", classes="dev-head")
        with Horizontal(classes="dev-row"):
            yield Select([(name, pos) for pos, name in FINGER_NAMES.items()], value=c.finger,
                         allow_blank=False, compact=True, id="dev-finger")
            yield Select([(x, x) for x in ("scenario", *CONDITIONS)], value=c.condition,
                         allow_blank=False, compact=True, id="dev-condition")
        yield small(Button("Place", id="dev-place", variant="primary"),
                    Button("Lift", id="dev-lift"),
                    toggle("fingerprint", "unplug"))
        yield Static("", id="dev-finger-status", classes="dev-note")
        yield Static("Signature", classes="dev-head")
        yield small(Button("Sign", id="dev-sign", variant="primary"),
                    toggle("signature", "unplug"))
        yield Static("Faults", classes="dev-head")
        with Horizontal(classes="dev-row"):
            yield Select([(d, d) for d in DEVICE_NAMES], value=c.device, allow_blank=False,
                         compact=True, id="dev-fault-device")
            names = fault_names(world, c.device)
            c.fault = c.fault if c.fault in names else names[0]
            yield Select([(f, f) for f in names], value=c.fault, allow_blank=False,
                         compact=True, id="dev-fault-name")
        yield Input(c.params, placeholder="params: delay=2 after_bytes=40", compact=True,
                    id="dev-fault-params")
        yield Static(describe(f"{c.device}:{c.fault}"), id="dev-fault-help", classes="dev-note")
        yield small(Button("Inject", id="dev-inject", variant="error"),
                    Button("Clear", id="dev-clear"), Button("Clear all", id="dev-clear-all"))
        yield Static("", id="dev-faults")
        yield Static("Traffic (scanner, fp)", classes="dev-head")
        yield Log(max_lines=TRAFFIC_LINES, id="dev-traffic")

    def on_mount(self) -> None:
        # The kiosk's style sheet moves its own docked bars out of the way of a screen with this.
        self.screen.add_class(SCREEN_CLASS)
        entries = [
            (entry.t, label, entry)
            for name, label in SERIAL_DEVICES.items()
            for entry in self._new_traffic(name)
        ]
        self._write(sorted(entries, key=lambda e: e[0])[-TRAFFIC_LINES:])
        self.refresh_panel()
        self.set_interval(0.5, self.refresh_panel)

    def on_unmount(self) -> None:
        with contextlib.suppress(NoScreen):  # the screen may be going away too
            self.screen.remove_class(SCREEN_CLASS)

    # -- refresh ---------------------------------------------------------------------------------

    def refresh_panel(self) -> None:
        """Show the world as it is now, and the traffic since the last refresh."""
        world = self.world
        active = active_faults(world)
        for button in self.query(Button):
            device, _, fault = (button.id or "").removeprefix("dev-").partition("-")
            if device in DEVICE_NAMES and fault in TOGGLE_LABELS:
                on = f"{device}:{fault}" in active
                label = TOGGLE_LABELS[fault][on]
                if str(button.label) != label:
                    button.label = label
                    button.variant = "error" if on else "default"
        camera = world.camera
        persona = self.query_one("#dev-persona", Select)
        if persona.value != camera.persona.name and camera.persona.name in self._personas:
            persona.value = camera.persona.name  # a scenario step changed it
        self.query_one("#dev-camera-status", Static).update(
            f"{camera.persona.name} · {camera.frames_sent} frames sent")
        finger = "finger on sensor" if world.fingerprint.finger_present else "no finger"
        self.query_one("#dev-finger-status", Static).update(
            f"{finger} · {self.choices.attempt} placed")
        met = world.faults_met()
        more = f"(+{len(met) - 6}) " if len(met) > 6 else ""
        self.query_one("#dev-faults", Static).update(
            f"active: {', '.join(active) or '-'}\nmet: {more}{', '.join(met[-6:]) or '-'}")
        entries = [
            (entry.t, label, entry)
            for name, label in SERIAL_DEVICES.items()
            for entry in self._new_traffic(name)
        ]
        self._write(sorted(entries, key=lambda e: e[0]))

    def _new_traffic(self, name: str) -> list[TrafficEntry]:
        """Entries of device ``name`` since the last one shown (all of them the first time)."""
        entries = traffic_of(self.world.device(name))
        last = self._last_seen.get(name)
        if last is not None:
            for i in range(len(entries) - 1, -1, -1):
                if entries[i] is last:
                    entries = entries[i + 1 :]
                    break
        if entries:
            self._last_seen[name] = entries[-1]
        return entries[-TRAFFIC_LINES:]

    def _write(self, entries: list[tuple[float, str, TrafficEntry]]) -> None:
        if entries:
            t0 = self.choices.t0
            lines = [format_entry(label, entry, t0, LINE_WIDTH) for _t, label, entry in entries]
            self.query_one("#dev-traffic", Log).write_lines(lines)

    # -- actions ---------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Do what the button says; the kiosk screen never sees the press."""
        event.stop()
        button = event.button.id or ""
        world, c = self.world, self.choices
        device, _, fault = button.removeprefix("dev-").partition("-")
        try:
            if device in DEVICE_NAMES and fault in TOGGLE_LABELS:
                spec = f"{device}:{fault}"
                (world.clear if spec in active_faults(world) else world.inject)(spec)
            elif button == "dev-insert":
                world.scanner.present(world.scenario.passport.mrz(dt.date.today()))
            elif button == "dev-remove":
                world.scanner.remove()
            elif button == "dev-place":
                self.place_finger()
            elif button == "dev-lift":
                world.fingerprint.lift()
            elif button == "dev-sign":
                world.signature_pad.sign(seed=world.scenario.signature_seed)
            elif button == "dev-inject":
                world.inject(f"{c.device}:{c.fault}", **parse_params(c.params))
            elif button == "dev-clear":
                world.clear(f"{c.device}:{c.fault}")
            elif button == "dev-clear-all":
                for spec in active_faults(world):
                    world.clear(spec)
        except (ValueError, TypeError, OSError) as error:
            self.notify(str(error), title="simulator", severity="error")
        self.refresh_panel()

    def place_finger(self) -> None:
        """Press the chosen finger on the sensor; the image is made on a thread."""
        world, c = self.world, self.choices
        name = FINGER_NAMES[c.finger]
        condition = c.condition
        if condition == "scenario":
            condition = world.scenario.fingers.condition(name)
        if condition == "missing":
            self.notify(f"the scenario's citizen has no usable {name}", title="simulator")
            return
        c.attempt += 1
        seed, position, attempt = world.scenario.fingers.seed, c.finger, c.attempt
        app = self.app

        def press() -> None:
            try:
                world.fingerprint.place(persona_finger(seed, position, condition, attempt))
            except Exception as error:  # noqa: BLE001 - shown to the developer, never fatal
                app.call_from_thread(app.notify, str(error), title="simulator", severity="error")

        # On the app: the worker outlives this panel when the screen is switched meanwhile.
        app.run_worker(press, name="dev-place-finger", group="dev-panel", thread=True)

    def on_select_changed(self, event: Select.Changed) -> None:
        """Remember a pick; the persona changes at once."""
        event.stop()
        select, value, c = event.select.id, event.value, self.choices
        if value is Select.BLANK:
            return
        if select == "dev-persona" and value != self.world.camera.persona.name:
            self.world.set_persona(str(value))
        elif select == "dev-finger":
            c.finger = int(value)  # type: ignore[arg-type]
        elif select == "dev-condition":
            c.condition = str(value)
        elif select == "dev-fault-device" and value != c.device:
            c.device = str(value)
            names = fault_names(self.world, c.device)
            c.fault = names[0]
            self.query_one("#dev-fault-name", Select).set_options([(f, f) for f in names])
            self.query_one("#dev-fault-name", Select).value = c.fault
        elif select == "dev-fault-name":
            c.fault = str(value)
        self.query_one("#dev-fault-help", Static).update(describe(f"{c.device}:{c.fault}"))

    def on_input_changed(self, event: Input.Changed) -> None:
        """Remember the fault parameters."""
        event.stop()
        self.choices.params = event.value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the parameters injects the fault."""
        event.stop()
        self.query_one("#dev-inject", Button).press()

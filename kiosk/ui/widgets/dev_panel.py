"""The developer's control panel of the hardware simulator, docked beside every kiosk screen.

It knows nothing of the simulator: it shows and drives a
:class:`~kiosk.service.devtools.DeveloperControls` (the simulator's, offered by the kiosk service
as ``service.devtools``), which gives plain data (names, descriptions, formatted traffic lines)
and actions.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.dom import NoScreen
from textual.widgets import Button, Input, Log, Select, Static

from kiosk.service.devtools import AS_SCENARIO, DeveloperControls, ParamValue

#: Traffic lines kept in the log.
TRAFFIC_LINES = 200
#: Characters of a traffic line (the panel is 44 columns wide).
LINE_WIDTH = 40
#: Labels of the quick fault buttons: (off, on).
TOGGLE_LABELS = {"unplug": ("Unplug", "Replug"), "freeze": ("Freeze", "Unfreeze"),
                 "low_fps": ("Low fps", "Full fps")}
#: Class of a screen showing the panel, for the kiosk's CSS: ``Screen.-dev-panel #chrome``.
SCREEN_CLASS = "-dev-panel"
#: How far the Taller/Lower buttons move the simulated citizen's eyes (mm).
EYES_STEP_MM = 50.0
#: Inline styles of the panel's buttons: inline styles beat the kiosk's big-button CSS.
SMALL_BUTTON = "height: 1; min-width: 0; margin: 0 1 0 0; padding: 0; border: none;"


@dataclass
class Choices:
    """What the developer picked, kept per controls so it survives the screens being recreated."""

    finger: int = 2
    condition: str = AS_SCENARIO
    device: str = "scanner"
    fault: str = ""
    params: str = ""


_CHOICES: WeakKeyDictionary[DeveloperControls, Choices] = WeakKeyDictionary()


def choices_for(controls: DeveloperControls) -> Choices:
    """The developer's choices for ``controls``."""
    if controls not in _CHOICES:
        _CHOICES[controls] = Choices()
    return _CHOICES[controls]


def fault_names(controls: DeveloperControls, device: str) -> tuple[str, ...]:
    """The faults ``device`` supports."""
    return tuple(fault.name for fault in controls.faults(device))


def describe(controls: DeveloperControls, device: str, fault: str) -> str:
    """What fault ``device:fault`` does and which parameters it takes."""
    return next((f.description for f in controls.faults(device) if f.name == fault), "")


def parse_params(text: str) -> dict[str, ParamValue]:
    """Fault parameters from ``key=value`` words; numbers become int or float.

    Raises:
        ValueError: A word is not ``key=value``.
    """
    params: dict[str, ParamValue] = {}
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

    It keeps nothing important itself: each refresh reads the controls, and the developer's
    picks live in :func:`choices_for`, so a panel can be recreated with every screen. It docks
    on the right, 44 columns wide, and marks its screen with :data:`SCREEN_CLASS` so the
    kiosk's style sheet can keep its docked bars clear of it. Button, Select and Input messages
    stop here.

    Args:
        controls: The developer controls (``service.devtools``).
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

    def __init__(self, controls: DeveloperControls, *,
                 id: str = "dev-panel") -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.controls = controls
        self.choices = choices_for(controls)
        self._cursor = 0
        self._personas: list[str] = []

    # -- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        c, controls = self.choices, self.controls
        yield Static(f"Simulator · scenario {controls.scenario_name}", classes="dev-head")
        yield Static("Document", classes="dev-head")
        yield small(Button("Insert", id="dev-insert", variant="primary"),
                    Button("Remove", id="dev-remove"),
                    toggle("scanner", "unplug"))
        yield Static("Camera", classes="dev-head")
        current = controls.persona
        personas = self._personas = list(controls.persona_names)
        yield Select([(p, p) for p in personas], value=current, allow_blank=False, compact=True,
                     id="dev-persona")
        yield small(*(toggle("camera", fault) for fault in fault_names(controls, "camera")
                      if fault in TOGGLE_LABELS))
        yield small(Button(f"Taller +{EYES_STEP_MM:g}", id="dev-eyes-up"),
                    Button(f"Lower -{EYES_STEP_MM:g}", id="dev-eyes-down"))
        yield Static("", id="dev-camera-status", classes="dev-note")
        yield Static("Fingerprint", classes="dev-head")
        with Horizontal(classes="dev-row"):
            yield Select([(name, pos) for pos, name in controls.finger_names.items()],
                         value=c.finger, allow_blank=False, compact=True, id="dev-finger")
            yield Select([(x, x) for x in controls.finger_conditions], value=c.condition,
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
            yield Select([(d, d) for d in controls.device_names], value=c.device,
                         allow_blank=False, compact=True, id="dev-fault-device")
            names = fault_names(controls, c.device)
            c.fault = c.fault if c.fault in names else names[0]
            yield Select([(f, f) for f in names], value=c.fault, allow_blank=False,
                         compact=True, id="dev-fault-name")
        yield Input(c.params, placeholder="params: delay=2 after_bytes=40", compact=True,
                    id="dev-fault-params")
        yield Static(describe(controls, c.device, c.fault), id="dev-fault-help",
                     classes="dev-note")
        yield small(Button("Inject", id="dev-inject", variant="error"),
                    Button("Clear", id="dev-clear"), Button("Clear all", id="dev-clear-all"))
        yield Static("", id="dev-faults")
        labels = ", ".join(controls.traffic_devices.values())
        yield Static(f"Traffic ({labels})", classes="dev-head")
        yield Log(max_lines=TRAFFIC_LINES, id="dev-traffic")

    def on_mount(self) -> None:
        # The kiosk's style sheet moves its own docked bars out of the way of a screen with this.
        self.screen.add_class(SCREEN_CLASS)
        self.refresh_panel()
        self.set_interval(0.5, self.refresh_panel)

    def on_unmount(self) -> None:
        with contextlib.suppress(NoScreen):  # the screen may be going away too
            self.screen.remove_class(SCREEN_CLASS)

    # -- refresh ---------------------------------------------------------------------------------

    def refresh_panel(self) -> None:
        """Show the devices as they are now, and the traffic since the last refresh."""
        controls = self.controls
        active = controls.active_faults()
        for button in self.query(Button):
            device, _, fault = (button.id or "").removeprefix("dev-").partition("-")
            if device in controls.device_names and fault in TOGGLE_LABELS:
                on = f"{device}:{fault}" in active
                label = TOGGLE_LABELS[fault][on]
                if str(button.label) != label:
                    button.label = label
                    button.variant = "error" if on else "default"
        persona = self.query_one("#dev-persona", Select)
        current = controls.persona
        if persona.value != current and current in self._personas:
            persona.value = current  # a scenario step changed it
        self.query_one("#dev-camera-status", Static).update(controls.camera_status())
        finger = "finger on sensor" if controls.finger_on_sensor else "no finger"
        self.query_one("#dev-finger-status", Static).update(
            f"{finger} · {controls.fingers_placed} placed")
        met = controls.faults_met()
        more = f"(+{len(met) - 6}) " if len(met) > 6 else ""
        self.query_one("#dev-faults", Static).update(
            f"active: {', '.join(active) or '-'}\nmet: {more}{', '.join(met[-6:]) or '-'}")
        update = controls.traffic(self._cursor, LINE_WIDTH)
        self._cursor = update.cursor
        if update.lines:
            self.query_one("#dev-traffic", Log).write_lines(update.lines[-TRAFFIC_LINES:])

    # -- actions ---------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Do what the button says; the kiosk screen never sees the press."""
        event.stop()
        button = event.button.id or ""
        controls, c = self.controls, self.choices
        device, _, fault = button.removeprefix("dev-").partition("-")
        try:
            if device in controls.device_names and fault in TOGGLE_LABELS:
                controls.toggle(f"{device}:{fault}")
            elif button == "dev-insert":
                controls.present_passport()
            elif button == "dev-remove":
                controls.remove_passport()
            elif button == "dev-place":
                self.place_finger()
            elif button == "dev-lift":
                controls.lift_finger()
            elif button == "dev-sign":
                controls.sign()
            elif button in ("dev-eyes-up", "dev-eyes-down"):
                controls.move_eyes(EYES_STEP_MM if button == "dev-eyes-up" else -EYES_STEP_MM)
            elif button == "dev-inject":
                controls.inject(f"{c.device}:{c.fault}", **parse_params(c.params))
            elif button == "dev-clear":
                controls.clear(f"{c.device}:{c.fault}")
            elif button == "dev-clear-all":
                controls.clear_all()
        except (ValueError, TypeError, OSError) as error:
            self.notify(str(error), title="simulator", severity="error")
        self.refresh_panel()

    def place_finger(self) -> None:
        """Press the chosen finger on the sensor; the print is made on a thread."""
        controls, position, condition = self.controls, self.choices.finger, self.choices.condition
        app = self.app

        def press() -> None:
            try:
                controls.place_finger(position, condition)
            except ValueError as error:  # the citizen has no such finger: a note, not a fault
                app.call_from_thread(app.notify, str(error), title="simulator")
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
        if select == "dev-persona" and value != self.controls.persona:
            try:
                self.controls.set_persona(str(value))
            except ValueError as error:
                self.notify(str(error), title="simulator", severity="error")
        elif select == "dev-finger" and isinstance(value, int):
            c.finger = value
        elif select == "dev-condition":
            c.condition = str(value)
        elif select == "dev-fault-device" and value != c.device:
            c.device = str(value)
            names = fault_names(self.controls, c.device)
            c.fault = names[0]
            self.query_one("#dev-fault-name", Select).set_options([(f, f) for f in names])
            self.query_one("#dev-fault-name", Select).value = c.fault
        elif select == "dev-fault-name":
            c.fault = str(value)
        self.query_one("#dev-fault-help", Static).update(
            describe(self.controls, c.device, c.fault))

    def on_input_changed(self, event: Input.Changed) -> None:
        """Remember the fault parameters."""
        event.stop()
        self.choices.params = event.value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the parameters injects the fault."""
        event.stop()
        self.query_one("#dev-inject", Button).press()

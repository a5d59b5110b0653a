"""Staff screens: sign-in (name and PIN on a big keypad) and staff mode.

They are views like the citizen's screens: the buttons' ids are pressed on the kiosk service,
which refuses staff buttons without a staff sign-in and records the signed-in librarian as the
actor (:mod:`kiosk.service.buttons`). Texts are in the staff's language
(``config.staff.language``), not the citizen's. The PIN lives only in this screen while it is
typed, shown as dots, and is handed to the service once.
"""

from __future__ import annotations

from typing import ClassVar, cast

from textual import events
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from kiosk.fingerprint.unavailable import UnavailableReason
from kiosk.i18n import Translator
from kiosk.service import messages as news
from kiosk.service.buttons import (
    FINGER_PREFIX,
    HEALTH_CHECK,
    LIFT_RESET,
    OVERRIDE_PREFIX,
    SIGN_OUT,
    STAFF_SEATED,
)
from kiosk.ui.view import KioskView
from kiosk.workflow import State
from kiosk.workflow import events as ev
from kiosk.workflow.machine import allowed_events

#: Longest PIN the keypad takes.
MAX_PIN = 32
DEVICES = ("scanner", "fingerprint", "camera", "signature")


def minutes_seconds(seconds: float) -> dict[str, int]:
    """``{"minutes": m, "seconds": s}`` of a duration, rounded up to the second."""
    whole = max(0, int(seconds + 0.999))
    return {"minutes": whole // 60, "seconds": whole % 60}


class KeyButton(Button):
    """A keypad key: every tap counts, even one during the previous tap's flash (a PIN typed
    fast on the same digit, "999999", must not lose digits)."""

    async def _on_click(self, event: events.Click) -> None:
        event.stop()
        self.press()


class StaffScreen(Screen[None]):
    """Base of the staff screens: the staff's language and the service's news."""

    #: Marks the screen as a staff screen for drivers and tests (it shows no workflow state).
    staff_screen: ClassVar[bool] = True

    _translator: Translator | None = None

    @property
    def kiosk(self) -> KioskView:
        """The app, as a screen sees it."""
        return cast(KioskView, self.app)

    def t(self, key: str, **values: object) -> str:
        """A text in the staff's language."""
        if self._translator is None:
            self._translator = Translator(self.kiosk.config.staff.language)
        return self._translator(key, **values)

    def hear(self, message: news.Message) -> None:
        """News from the service."""


class StaffSignInScreen(StaffScreen):
    """Name, PIN on a keypad (shown as dots), sign in. Wrong and unknown read the same."""

    def __init__(self) -> None:
        super().__init__()
        self._pin = ""
        self._busy = False

    def compose(self) -> ComposeResult:
        yield Static(self.t("ui.staff.sign_in_title"), classes="title")
        with Horizontal(id="sign-in-columns"):
            with Vertical(id="sign-in-fields"):
                yield Static(self.t("ui.staff.name"), classes="lead")
                yield Input(id="staff-name", max_length=32)
                yield Static(self.t("ui.staff.pin"), classes="lead")
                yield Static("", classes="big-number", id="pin-dots")
                yield Static("", classes="problem", id="sign-in-message")
            with Grid(id="keypad"):
                for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9"):
                    yield KeyButton(key, id=f"key-{key}", variant="default")
                yield KeyButton(self.t("ui.staff.delete"), id="key-del", variant="default")
                yield KeyButton("0", id="key-0", variant="default")
                yield Button(self.t("ui.staff.sign_in"), id="sign-in", variant="primary")
        with Horizontal(classes="actions"):
            yield Button(self.t("ui.staff.cancel"), id="staff-cancel", variant="default")

    def on_mount(self) -> None:
        self.query_one("#sign-in-message").display = False
        self.query_one("#staff-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.set_focus(self.query_one("#key-1"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button.id or ""
        if button.startswith("key-"):
            key = button.removeprefix("key-")
            if key == "del":
                self._pin = self._pin[:-1]
            elif len(self._pin) < MAX_PIN:
                self._pin += key
            self.query_one("#pin-dots", Static).update("●" * len(self._pin))
        elif button == "sign-in":
            self.submit()
        elif button == "staff-cancel":
            self.kiosk.close_staff()

    def on_key(self, event: events.Key) -> None:
        # Digits typed on a keyboard go to the PIN, unless the name field has the focus.
        if (event.character and event.character.isdigit()
                and not isinstance(self.focused, Input)):
            event.stop()
            if len(self._pin) < MAX_PIN:
                self._pin += event.character
            self.query_one("#pin-dots", Static).update("●" * len(self._pin))

    def submit(self) -> None:
        """Hand the name and PIN to the service (the answer comes on the bus)."""
        name = self.query_one("#staff-name", Input).value.strip()
        if self._busy or not name or not self._pin:
            return
        self._busy = True
        self._say(self.t("ui.staff.checking"))
        self.kiosk.service.sign_in(name, self._pin)
        self._pin = ""
        self.query_one("#pin-dots", Static).update("")

    def _say(self, text: str) -> None:
        message = self.query_one("#sign-in-message", Static)
        message.update(text)
        message.display = True

    def hear(self, message: news.Message) -> None:
        if isinstance(message, news.StaffSignInFailed) and self.is_mounted:
            self._busy = False
            if message.reason == "locked":
                self._say(self.t("ui.staff.locked", **minutes_seconds(message.retry_after_s)))
            elif message.reason == "unavailable":
                self._say(self.t("ui.staff.unavailable"))
            else:
                self._say(self.t("ui.staff.refused"))


class StaffModeScreen(StaffScreen):
    """What a signed-in librarian can do here and now."""

    def __init__(self) -> None:
        super().__init__()
        self._health: dict[str, news.DeviceHealth] = {}
        self._confirming = False

    @property
    def step(self) -> State:
        """The citizen's step: the state on screen, or the one under Help."""
        session = self.kiosk.service.session
        if session.state is State.HELP and session.underneath is not None:
            return session.underneath
        return session.state

    def compose(self) -> ComposeResult:
        service = self.kiosk.service
        session = service.session
        state = session.state
        with VerticalScroll(id="staff-body"):
            yield Static(self.t("ui.staff.mode_title", name=service.staff_signed_in or ""),
                         classes="title")
            yield Static(self.t("ui.staff.citizen_at",
                                step=self.t(f"ui.staff.step_{self.step.value}")),
                         classes="lead", id="citizen-at")
            if state is State.HELP and session.data.help_acknowledged_by is None:
                yield Static(self.t("ui.staff.help_waiting"), classes="problem")
            yield Static(self._health_text(), classes="lead", id="device-status")
            with Horizontal(classes="staff-row"):
                yield Button(self.t("ui.staff.health"), id=HEALTH_CHECK, variant="default")
                if state is State.HELP and session.data.help_acknowledged_by is None:
                    yield Button(self.t("ui.staff.acknowledge"), id="acknowledge-help",
                                 variant="primary")
                if state is State.OUT_OF_SERVICE:
                    yield Button(self.t("ui.staff.back_in_service"), id="back-in-service",
                                 variant="primary")
                elif state is not State.HANDOFF:
                    yield Button(self.t("ui.staff.out_of_service"), id="out-of-service",
                                 variant="default")
                if ev.EndSession in allowed_events(state) and self.step is not State.WELCOME:
                    yield Button(self.t("ui.staff.end_session"), id="end-session-ask",
                                 variant="error")
            confirm = Horizontal(classes="staff-row", id="end-confirm")
            confirm.display = self._confirming
            with confirm:
                yield Static(self.t("ui.staff.end_session_confirm"), classes="lead")
                yield Button(self.t("ui.staff.end_session_yes"), id="end-session",
                             variant="error")
            if self.step is State.FINGERPRINTS:
                yield Static(self.t("ui.staff.finger_title"), classes="lead")
                with Grid(classes="staff-grid"):
                    for reason in UnavailableReason:
                        yield Button(self.t(f"fingerprint.reason_{reason.value}"),
                                     id=f"{FINGER_PREFIX}{reason.value}", variant="default")
            if service.devices.lift is not None:
                # The camera lift: lower it for a seated citizen, or clear a latched stall or
                # obstruction once the librarian has looked at what blocked it.
                with Horizontal(classes="staff-row"):
                    yield Button(self.t("ui.staff.lift_seated"), id=STAFF_SEATED,
                                 variant="default")
                    yield Button(self.t("ui.staff.lift_reset"), id=LIFT_RESET,
                                 variant="default")
            if self.step is State.PHOTO:
                failing = service.photo_failing
                if failing is None:
                    yield Static(self.t("ui.staff.override_none"), classes="lead")
                else:
                    yield Static(self.t("ui.staff.override_title",
                                        check=self.t(f"photo.defect_{failing}")),
                                 classes="lead")
                    with Grid(classes="staff-grid"):
                        for why in self.kiosk.config.staff.override_reasons:
                            yield Button(self.t(f"ui.staff.override_{why}"),
                                         id=f"{OVERRIDE_PREFIX}{why}", variant="default")
        with Horizontal(classes="actions"):
            yield Button(self.t("ui.staff.close"), id="staff-close", variant="default")
            yield Button(self.t("ui.staff.sign_out"), id=SIGN_OUT, variant="primary")

    def _health_text(self) -> str:
        lines = []
        # The four capture devices first, then any other (camera lift, receipt printer).
        names = [*DEVICES, *(name for name in self._health if name not in DEVICES)]
        for name in names:
            health = self._health.get(name)
            if health is None:
                continue
            if health.detail == "in use by the current step":
                verdict = self.t("ui.staff.device_busy")
            else:
                verdict = self.t("ui.staff.device_ok" if health.ok else "ui.staff.device_failed")
                # What the code means in the staff's language, never the driver's English detail
                # or a device path; a code without a text is shown as the code.
                if not health.ok and health.code:
                    verdict += f": {self._fault_text(health.code)}"
            label = (self.t(f"ui.staff.device_{name}") if self.kiosk.has_text(
                f"ui.staff.device_{name}") else name)
            lines.append(f"{label}: {verdict}")
        return "\n".join(lines)

    def _fault_text(self, code: str) -> str:
        key = f"ui.staff.fault.{code}"
        return self.t(key) if self.kiosk.has_text(key) else code

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button.id or ""
        self.kiosk.service.staff_touch()
        if button == "staff-close":
            self.kiosk.close_staff()
        elif button == "end-session-ask":
            self._confirming = not self._confirming
            self.query_one("#end-confirm").display = self._confirming
        else:
            if button == HEALTH_CHECK:
                self._health = {}
                self.query_one("#device-status", Static).update(
                    self.t("ui.staff.health_checking"))
            self.kiosk.press(button)

    def hear(self, message: news.Message) -> None:
        if not self.is_mounted:
            return
        if isinstance(message, news.DeviceHealth) and message.probed:
            self._health[message.device] = message
            self.query_one("#device-status", Static).update(self._health_text())
        elif isinstance(message, news.HelpAcknowledged | news.StaffActionTaken):
            self.refresh(recompose=True)
        elif isinstance(message, news.StepProgress) and self.step is State.PHOTO:
            failing = message.defects[0] if message.defects else None
            if failing != self._shown_failing:
                self._shown_failing = failing
                self.refresh(recompose=True)

    _shown_failing: str | None = None


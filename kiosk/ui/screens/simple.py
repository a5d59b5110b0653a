"""Screens with nothing but text and buttons: welcome, refused, help, and the end screens.

Their buttons' ids are pressed on the kiosk service (see :mod:`kiosk.service.buttons`).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from kiosk.handoff.references import grouped
from kiosk.i18n import LANGUAGES
from kiosk.service import messages as news
from kiosk.ui.screens.base import KioskScreen, actions
from kiosk.ui.screens.languages import language_grid
from kiosk.ui.widgets.bidi import Button, Static
from kiosk.ui.widgets.qr import QRCode
from kiosk.workflow import State


class WelcomeScreen(KioskScreen):
    """Start an application, in the citizen's language."""

    state = State.WELCOME
    cancellable = False
    default_button = "start"

    def compose_body(self) -> ComposeResult:
        yield Static(self.t("ui.welcome.title"), classes="title")
        yield Static(self.t("ui.welcome.lead"), classes="lead")
        offered = [code for code in LANGUAGES if code in self.kiosk.config.languages]
        if len(offered) > 1:
            # Every language as a big button in its own name; the current one is highlighted.
            yield Static(self.t("ui.welcome.choose_language"), classes="lead")
            yield language_grid(self.kiosk, "choose-", "welcome-languages")
        yield actions(Button(self.t("ui.welcome.start"), id="start", variant="primary"))


class RefusedScreen(KioskScreen):
    """The document cannot be used here: why, and what to do instead."""

    state = State.REFUSED
    default_button = "staff"

    def compose_body(self) -> ComposeResult:
        decision = self.kiosk.service.session.data.document
        reason_key = decision.reason_key if decision else "ui.refused.unreadable"
        action_key = decision.action_key if decision else "ui.refused.unreadable_action"
        yield Static(self.t("ui.refused.title"), classes="title")
        yield Static(self.t(reason_key), classes="problem", id="reason")
        yield Static(self.t(action_key), classes="lead", id="action")
        if decision is not None and decision.reason == "minor_needs_consent":
            # 12-17: what the young citizen and their custody holders do instead.
            yield Static(self.t("ui.refused.minor_path"), classes="lead", id="minor-path")
        yield actions(Button(self.t("ui.refused.retry"), id="retry", variant="default"),
                      Button(self.t("ui.refused.staff"), id="staff", variant="primary"),
                      Button(self.t("ui.refused.finish"), id="finish", variant="default"))


class HelpScreen(KioskScreen):
    """The citizen asked for a librarian: the truth about the call, and the way back.

    Until a librarian acknowledges the call (at the kiosk's staff mode or in the console) the
    screen says a librarian is being called and how long the citizen has waited; only then
    that someone is on the way. The Staff button opens the staff sign-in.
    """

    state = State.HELP
    default_button = "back"

    @property
    def cancellable(self) -> bool:  # type: ignore[override]
        # Help asked for on the welcome screen has no application to stop.
        return self.kiosk.service.session.underneath not in (None, State.WELCOME)

    def compose_body(self) -> ComposeResult:
        yield Static(self.t("ui.help.title"), classes="title")
        acknowledged = self.kiosk.service.session.data.help_acknowledged_by is not None
        if acknowledged:
            yield Static(self.t("ui.help.coming"), classes="problem", id="call")
        else:
            yield Static(self.t("ui.help.calling"), classes="problem", id="call")
            yield Static(self._waited(), classes="lead", id="waited")
        yield actions(Button(self.t("ui.help.staff"), id="staff-open", variant="default"),
                      Button(self.t("ui.help.back"), id="back", variant="primary"))

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)
        super().on_mount()

    def _waited(self) -> str:
        session = self.kiosk.service.session
        since = session.history[-1].entered_at if session.state is State.HELP else None
        seconds = int(session.clock() - since) if since is not None else 0
        if seconds < 60:
            return self.t("ui.help.waited_seconds", seconds=seconds)
        return self.t("ui.help.waited", minutes=seconds // 60, seconds=seconds % 60)

    def _tick(self) -> None:
        waited = self.query("#waited")
        if waited:
            waited.first(Static).update(self._waited())

    def hear(self, message: news.Message) -> None:
        if isinstance(message, news.HelpAcknowledged) and self.is_mounted:
            self.refresh(recompose=True)


class InactivityScreen(KioskScreen):
    """Are you still there? Counts down to the wipe."""

    state = State.INACTIVITY_WARNING
    default_button = "still-here"

    def compose_body(self) -> ComposeResult:
        yield Static(self.t("ui.inactivity.title"), classes="title")
        yield Static(self._countdown(), classes="problem", id="countdown")
        yield actions(Button(self.t("ui.inactivity.still_here"), id="still-here",
                             variant="primary"))

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)
        super().on_mount()

    def _countdown(self) -> str:
        seconds = self.kiosk.service.session.seconds_left() or 0
        return self.kiosk.translate_plural("ui.inactivity.lead", round(seconds))

    def _tick(self) -> None:
        self.query_one("#countdown", Static).update(self._countdown())


class AbortedScreen(KioskScreen):
    """The application was stopped and nothing kept."""

    state = State.ABORTED
    default_button = "finish"
    cancellable = False

    def compose_body(self) -> ComposeResult:
        yield Static(self.t("ui.aborted.title"), classes="title")
        yield Static(self.t("ui.aborted.lead"), classes="lead")
        yield actions(Button(self.t("ui.aborted.finish"), id="finish", variant="primary"))


class DeviceErrorScreen(KioskScreen):
    """A device failed: what happened (not the citizen's fault); try again or get staff."""

    state = State.DEVICE_ERROR
    default_button = "retry"

    def compose_body(self) -> ComposeResult:
        fault = self.kiosk.service.session.data.fault
        device, code = fault if fault else ("scanner", "")
        # A text for this device and this fault where there is one ("no passport read").
        specific = f"ui.device_error.{device}_{code}"
        what = specific if self.kiosk.has_text(specific) else f"ui.device_error.{device}"
        lead = f"ui.device_error.lead_{code}"
        yield Static(self.t("ui.device_error.title"), classes="title")
        yield Static(self.t(what), classes="problem", id="device")
        yield Static(self.t(lead if self.kiosk.has_text(lead) else "ui.device_error.lead"),
                     classes="lead")
        yield actions(Button(self.t("ui.device_error.retry"), id="retry", variant="primary"),
                      Button(self.t("ui.device_error.staff"), id="staff", variant="default"))


class DoneScreen(KioskScreen):
    """The application is sent: the reference, large and grouped for reading aloud and as a QR
    code to photograph; what happens next; and a visible count back to the start."""

    state = State.DONE
    default_button = "finish"
    cancellable = False

    def compose_body(self) -> ComposeResult:
        reference = self.kiosk.service.session.data.reference or ""
        yield Static(self.t("ui.done.title"), classes="title")
        with Horizontal(id="done-body"):
            with Vertical(id="done-text"):
                yield Static(self.t("ui.done.reference"), classes="lead")
                yield Static(grouped(reference), classes="big-number", id="reference")
                if reference:
                    yield Static(self.t("ui.done.qr_hint"), classes="lead", id="qr-hint")
                yield Static(self.t("ui.done.next"), classes="lead")
                if self.kiosk.service.receipt_failed:
                    # The printer failed: the number on screen is the citizen's only copy.
                    yield Static(self.t("receipt.printer_failed"), classes="problem",
                                 id="no-receipt")
                yield Static(self._countdown(), classes="status", id="done-countdown")
            if reference:
                yield QRCode(reference, id="reference-qr")
        yield actions(Button(self.t("ui.done.finish"), id="finish", variant="primary"))

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)
        super().on_mount()

    def _countdown(self) -> str:
        seconds = self.kiosk.service.session.seconds_left()
        return self.kiosk.translate_plural("ui.done.countdown", round(seconds or 0))

    def _tick(self) -> None:
        countdown = self.query("#done-countdown")
        if countdown:
            countdown.first(Static).update(self._countdown())

    def hear(self, message: news.Message) -> None:
        if isinstance(message, news.ReceiptNotPrinted) and self.is_mounted:
            self.refresh(recompose=True)


class OutOfServiceScreen(KioskScreen):
    """Staff took the kiosk out of service: say so, and where to go instead."""

    state = State.OUT_OF_SERVICE
    cancellable = False

    def compose_body(self) -> ComposeResult:
        yield Static(self.t("ui.out_of_service.title"), classes="title")
        yield Static(self.t("ui.out_of_service.lead"), classes="lead")
        # Small and last: for the librarian who puts the kiosk back in service.
        yield actions(Button(self.t("ui.out_of_service.staff"), id="staff-open",
                             variant="default"))

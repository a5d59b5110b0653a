"""The kiosk's Textual app: shows the screen of the session's state and forwards events to it.

It stays thin: the workflow decides, the runtime owns the devices and cores, the screens draw.
"""

from __future__ import annotations

import logging
from pathlib import Path

from textual import events
from textual.app import App
from textual.binding import Binding

from kiosk.i18n import Translator
from kiosk.runtime import KioskRuntime
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.screens.simple import (
    AbortedScreen,
    DeviceErrorScreen,
    DoneScreen,
    HelpScreen,
    InactivityScreen,
    RefusedScreen,
    WelcomeScreen,
)
from kiosk.ui.screens.steps import (
    FingerprintsScreen,
    HandoffScreen,
    IdentifyScreen,
    PhotoReviewScreen,
    PhotoScreen,
    SignatureScreen,
    SummaryScreen,
)
from kiosk.workflow import IllegalEventError, Session, State
from kiosk.workflow import events as ev

log = logging.getLogger(__name__)
audit = logging.getLogger("pasboks.audit")

SCREENS: dict[State, type[KioskScreen]] = {
    screen.state: screen
    for screen in (WelcomeScreen, IdentifyScreen, RefusedScreen, PhotoScreen, PhotoReviewScreen,
                   FingerprintsScreen, SignatureScreen, SummaryScreen, HandoffScreen, DoneScreen,
                   HelpScreen, InactivityScreen, AbortedScreen, DeviceErrorScreen)
}


class KioskApp(App[None]):
    """The touchscreen application."""

    CSS_PATH = Path(__file__).with_name("kiosk.tcss")
    TITLE = "Pasboks"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("f12", "toggle_dev_panel", "Developer panel", show=False, priority=True)]
    #: Whether the simulator's developer panel (F12) is shown on every screen.
    dev_panel_shown = False

    def __init__(self, runtime: KioskRuntime) -> None:
        super().__init__()
        self.runtime = runtime
        self.config = runtime.config
        timeouts = runtime.config.timeouts
        self.session = Session(
            runtime.config.language,
            inactivity_warning_s=timeouts.inactivity_warning_s,
            inactivity_grace_s=timeouts.inactivity_grace_s,
            done_return_s=timeouts.done_return_s,
        )
        self.session.listeners.append(self._on_transition)
        self._translator = Translator(self.session.data.language)

    # --- what screens use ----------------------------------------------------------------

    @property
    def language(self) -> str:
        """The citizen's current language."""
        return self._translator.language

    def translate(self, key: str, **values: object) -> str:
        """A text in the citizen's language."""
        return self._translator(key, **values)

    def send(self, event: ev.Event) -> None:
        """Give an event to the workflow. A stale event (a double tap) is ignored, not fatal."""
        try:
            self.session.handle(event)
        except IllegalEventError as error:
            log.warning("ignored: %s", error)
            return
        if isinstance(event, ev.SetLanguage):
            self._translator = Translator(event.language)
            if isinstance(self.screen, KioskScreen):
                self.screen.retranslate()

    def call_staff(self) -> None:
        """Tell the staff that a citizen needs help."""
        self.runtime.call_staff(self.session.state)

    # --- plumbing ------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(SCREENS[self.session.state]())
        self.set_interval(0.5, self.session.tick)

    def _on_transition(self, old: State, new: State, event: ev.Event) -> None:
        # States and event names only: the audit trail carries no personal data.
        audit.info("%s -> %s on %s", old.value, new.value, type(event).__name__)
        if new is State.WELCOME:
            self._translator = Translator(self.config.language)
            self.session.data.language = self.config.language
        screen = SCREENS[new]()
        if old is State.DEVICE_ERROR and hasattr(screen, "retrying"):
            screen.retrying = True
        self.call_later(self.switch_screen, screen)
        self.runtime.state_changed(new)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.MouseDown, events.Key)) and not event.is_forwarded:
            self.session.touch()
        await super().on_event(event)

    def action_toggle_dev_panel(self) -> None:
        """F12: show or hide the simulator's developer panel (nothing without the simulator)."""
        if self.runtime.world is None:
            return
        from kiosk.ui.widgets.dev_panel import DevPanel

        self.dev_panel_shown = not self.dev_panel_shown
        if self.dev_panel_shown:
            self.screen.mount(DevPanel(self.runtime.world))
        else:
            self.screen.query(DevPanel).remove()

    async def action_quit(self) -> None:
        self.runtime.close()
        self.exit()

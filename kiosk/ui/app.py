"""The kiosk's Textual app: a view of the kiosk service.

It subscribes to the service, shows the screen of the session's state, hands the service's news
to that screen, and sends the citizen's taps back as button presses. It never talks to a device
or a core: the service does.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Literal

from textual import events
from textual.app import App
from textual.binding import Binding

from kiosk.i18n import Translator, catalog
from kiosk.service import messages as news
from kiosk.service.bus import Subscription
from kiosk.service.kiosk import KioskService
from kiosk.systemd import Heartbeat
from kiosk.ui.messages import ServiceNews
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.screens.simple import (
    AbortedScreen,
    DeviceErrorScreen,
    DoneScreen,
    HelpScreen,
    InactivityScreen,
    OutOfServiceScreen,
    RefusedScreen,
    WelcomeScreen,
)
from kiosk.ui.screens.staff import StaffModeScreen, StaffScreen, StaffSignInScreen
from kiosk.ui.screens.steps import (
    ConsentScreen,
    FingerprintsScreen,
    HandoffScreen,
    IdentifyScreen,
    PhotoReviewScreen,
    PhotoScreen,
    SignatureScreen,
    SummaryScreen,
)
from kiosk.ui.view import KioskView
from kiosk.voice.voice import KioskVoice
from kiosk.workflow import State

log = logging.getLogger(__name__)

#: How long a librarian's message stays on the citizen's screen unless tapped away (seconds).
NOTICE_S = 20.0

SCREENS: dict[State, type[KioskScreen]] = {
    screen.state: screen
    for screen in (WelcomeScreen, IdentifyScreen, RefusedScreen, PhotoScreen, PhotoReviewScreen,
                   FingerprintsScreen, SignatureScreen, SummaryScreen, ConsentScreen,
                   HandoffScreen, DoneScreen,
                   HelpScreen, InactivityScreen, AbortedScreen, DeviceErrorScreen,
                   OutOfServiceScreen)
}


#: The UI loop beats this often, and counts as hung after this long without a beat (well
#: inside the units' WatchdogSec=30s, well above any one frame's work).
UI_BEAT_S = 1.0
UI_STALL_S = 12.0


class KioskApp(App[None]):
    """The touchscreen application."""

    CSS_PATH = Path(__file__).with_name("kiosk.tcss")
    TITLE = "Pasboks"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("f12", "toggle_dev_panel", "Developer panel", show=False, priority=True)]
    #: Whether the simulator's developer panel (F12) is shown on every screen.
    dev_panel_shown = False
    #: Large-text mode, chosen by the citizen for their session (reset at the welcome screen).
    large_text = False

    def __init__(self, service: KioskService) -> None:
        super().__init__()
        self.service = service
        self.config = service.config
        self._translator = Translator(service.session.data.language)
        self._subscription: Subscription | None = None
        self._heartbeat: Heartbeat | None = None
        #: What is on screen: the citizen's screen of the state, or a staff screen over it.
        self._showing: Literal["citizen", "sign-in", "staff"] = "citizen"
        self._notice: tuple[str, float] | None = None
        #: Speaks each screen's instruction and the step's guidance (kiosk/voice).
        self.voice = KioskVoice(self.config.voice, self)

    # --- what screens use ----------------------------------------------------------------

    @property
    def language(self) -> str:
        """The citizen's current language."""
        return self._translator.language

    def translate(self, key: str, **values: object) -> str:
        """A text in the citizen's language."""
        return self._translator(key, **values)

    def translate_plural(self, key: str, count: int, **values: object) -> str:
        """A plural text for ``count`` in the citizen's language (``{count}`` is filled)."""
        return self._translator.plural(key, count, **values)

    def has_text(self, key: str) -> bool:
        """True when ``key`` has a text in the current language or the fallback."""
        return key in catalog(self.language) or key in catalog("en")

    def press(self, button: str) -> None:
        """The citizen tapped ``button``: the service decides what it means."""
        self.service.press(button)

    @property
    def notice(self) -> str | None:
        """A librarian's message to show on the citizen's screens now, or None."""
        if self._notice is None or time.monotonic() >= self._notice[1]:
            return None
        return self._notice[0]

    def dismiss_notice(self) -> None:
        """The message was tapped away (or its time is up)."""
        self._notice = None
        if isinstance(self.screen, KioskScreen):
            self.screen.show_notice()

    def open_staff(self) -> None:
        """Show the staff sign-in, or staff mode when a librarian is signed in."""
        if self.service.staff_signed_in is not None:
            self._show("staff")
        else:
            self._show("sign-in")

    def close_staff(self) -> None:
        """Back to the citizen's screen (a signed-in librarian stays signed in)."""
        self._show("citizen")

    def _show(self, what: Literal["citizen", "sign-in", "staff"]) -> None:
        self._showing = what
        if what == "staff":
            self.switch_screen(StaffModeScreen())
        elif what == "sign-in":
            self.switch_screen(StaffSignInScreen())
        else:
            self.switch_screen(SCREENS[self.service.state]())

    # --- plumbing ------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._subscription = self.service.bus.subscribe(self._deliver, private=True)
        # The touchscreen vouches for itself: a UI loop that hangs stops systemd's watchdog.
        self._heartbeat = self.service.heartbeats.register("touchscreen", UI_STALL_S)
        self.set_interval(UI_BEAT_S, self._heartbeat.beat)
        self.push_screen(SCREENS[self.service.state]())
        self.voice.start(self.service.state)

    def _deliver(self, message: news.Message) -> None:
        # Called on the service's threads: post_message is the thread-safe way in.
        self.post_message(ServiceNews(message))

    def on_service_news(self, message: ServiceNews) -> None:
        if not self.screen_stack:
            return  # the app is closing: news still on its way has no screen to go to
        item = message.news
        if isinstance(item, news.StateChanged):
            # The next citizen's welcome comes in the kiosk's default language.
            self._translator = Translator(item.language or self.language)
            if item.new is State.WELCOME:
                self.large_text = False  # the next citizen starts with ordinary text
            if self._showing == "staff":
                self._show("staff")  # staff mode for the new state
            elif self._showing == "citizen":
                self._show("citizen")
            # (a sign-in being typed stays)
        elif isinstance(item, news.LanguageChanged):
            self._translator = Translator(item.language)
            if isinstance(self.screen, KioskScreen):
                self.screen.retranslate()
        elif isinstance(item, news.StaffSignedIn):
            if self._showing != "citizen":
                self._show("staff")
        elif isinstance(item, news.StaffSignedOut):
            if self._showing == "staff":
                self._show("citizen")
        elif isinstance(item, news.StaffRefused):
            # A staff control without a staff sign-in: ask for one.
            if self._showing != "sign-in":
                self._show("sign-in")
        elif isinstance(item, news.StaffNotice):
            self._notice = (item.text, time.monotonic() + NOTICE_S)
            self.set_timer(NOTICE_S, self._notice_over)
            if isinstance(self.screen, KioskScreen):
                self.screen.show_notice()
        elif isinstance(self.screen, KioskScreen | StaffScreen):
            self.screen.hear(item)
        self.voice.hear(item)  # after the screen: it speaks the text now shown

    def _notice_over(self) -> None:
        if self._notice is not None and time.monotonic() >= self._notice[1]:
            self.dismiss_notice()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.MouseDown, events.Key)) and not event.is_forwarded:
            self.service.touch()
        await super().on_event(event)

    def action_toggle_dev_panel(self) -> None:
        """F12: show or hide the simulator's developer panel (nothing without the simulator)."""
        controls = self.service.devtools
        if controls is None:
            return
        from kiosk.ui.widgets.dev_panel import DevPanel

        self.dev_panel_shown = not self.dev_panel_shown
        if self.dev_panel_shown:
            self.screen.mount(DevPanel(controls))
        else:
            self.screen.query(DevPanel).remove()

    def on_unmount(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.close()
        self.voice.close()

    async def action_quit(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
        self.exit()


def _as_view(app: KioskApp) -> KioskView:
    """Type check only: the app offers everything its screens ask of it."""
    return app

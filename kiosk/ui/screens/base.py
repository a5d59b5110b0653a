"""The chrome every kiosk screen shares: step, language choice, help; and the plumbing.

A screen renders the session's state and the service's news (``hear``); its buttons' ids are
pressed on the service, which knows what each means (:mod:`kiosk.service.buttons`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar, cast

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget

from kiosk.i18n import LANGUAGES, is_rtl
from kiosk.service import messages as news
from kiosk.service.buttons import VIEW_BUTTONS
from kiosk.ui.screens.confirm import StopQuestion
from kiosk.ui.view import KioskView
from kiosk.ui.widgets import large_text
from kiosk.ui.widgets.bidi import Button, Static
from kiosk.ui.widgets.volume import VolumeControl
from kiosk.workflow import State

#: The steps a citizen sees counted ("Step 2 of 5").
NUMBERED_STEPS = (State.IDENTIFY, State.PHOTO, State.FINGERPRINTS, State.SIGNATURE,
                  State.SUMMARY)
STEP_OF = {State.PHOTO_REVIEW: State.PHOTO, State.CONSENT: State.SUMMARY}
#: Below this many rows the screens use their compact layout.
COMPACT_BELOW_ROWS = 32
#: Below this many columns (the 120-column touchscreen included) the chrome's buttons are
#: packed to their words: step, language, volume, help and stop must all fit.
NARROW_BELOW_COLUMNS = 150


class KioskScreen(Screen[None]):
    """Base of the kiosk screens. Subclasses compose their body and send workflow events."""

    #: The workflow state this screen shows.
    state: ClassVar[State]
    #: Whether the chrome shows a Stop button (not on welcome, done, and similar).
    cancellable: ClassVar[bool] = True
    #: Only ``default_button`` gets the focus when a screen opens: Textual would otherwise
    #: focus the first button (the language button), and Enter would open the picker.
    AUTO_FOCUS = ""

    @property
    def kiosk(self) -> KioskView:
        """The app, as a screen sees it (the kiosk app is the only app screens run in)."""
        return cast(KioskView, self.app)

    def t(self, key: str, **values: object) -> str:
        """Translate a key in the citizen's current language."""
        return self.kiosk.translate(key, **values)

    def text(self, key: str, values: Mapping[str, news.TextValue]) -> str:
        """Translate ``key``; values named ``*_key`` are translation keys themselves."""
        if not key:
            return ""
        filled: dict[str, object] = {}
        for name, value in values.items():
            if name.endswith("_key"):
                filled[name.removesuffix("_key")] = self.t(str(value))
            else:
                filled[name] = value
        return self.t(key, **filled)

    def hear(self, message: news.Message) -> None:
        """News from the service for this screen (progress, frames, device health)."""

    def compose(self) -> ComposeResult:
        # Right to left (Arabic) mirrors the bar: the step at the right edge, Stop at the left.
        rtl = is_rtl(self.kiosk.language)
        items = list(self._chrome_items())
        with Horizontal(id="chrome"):
            yield from reversed(items) if rtl else items
        notice = self.kiosk.notice
        if notice is not None:
            yield self._notice_banner(notice)
        for widget in self.compose_body():
            yield widget
            if self.kiosk.large_text and isinstance(widget, Static):
                kind = ("title" if widget.has_class("title")
                        else "status" if widget.id == "status" else None)
                if kind is not None:
                    yield large_text.LargeText(widget, kind,
                                               rtl=is_rtl(self.kiosk.language))
        controls = self.kiosk.service.devtools
        if self.kiosk.dev_panel_shown and controls is not None:
            from kiosk.ui.widgets.dev_panel import DevPanel

            yield DevPanel(controls)

    def _chrome_items(self) -> Iterator[Widget]:
        """The bar at the top of every screen, left to right: step, language, text size,
        volume, help, stop, back to staff mode."""
        yield Static(self._step_text(), classes="step")
        if len(self.kiosk.config.languages) > 1 and self.state is not State.WELCOME:
            # One button opens the picker: eight languages do not fit in a row at 80 columns.
            yield Button(f"{LANGUAGES[self.kiosk.language]} ▾", id="languages",
                         classes="language-button")
        if large_text.available(self.app):
            # Large text: the title and the live instruction twice as tall (real pixels).
            big = Button("A−" if self.kiosk.large_text else "A+", id="large-text",
                         classes="large-text-button")
            big.tooltip = self.t("ui.large_text")
            yield big
        yield VolumeControl()
        if self.state not in (State.HELP, State.OUT_OF_SERVICE):
            yield Button(self.t("ui.help_button"), id="help", variant="warning")
        if self.cancellable:
            # Stop asks first (kiosk.ui.screens.confirm); only its "Yes" presses cancel.
            yield Button(self.t("ui.cancel_button"), id="stop-ask", variant="error")
        if (self.kiosk.service.staff_signed_in is not None
                and self.state not in (State.HELP, State.OUT_OF_SERVICE)):
            # A librarian who went back to the citizen's screen returns to staff mode.
            yield Button(self.t("ui.help.staff"), id="staff-open", variant="default")

    def compose_body(self) -> ComposeResult:
        """The screen's own content, below the chrome."""
        yield from ()

    def _notice_banner(self, text: str) -> Button:
        # Content, not markup: the librarian's text is shown exactly as typed.
        return Button(Content(self.t("ui.notice.from_staff", text=text)), id="notice",
                      classes="notice")

    def show_notice(self) -> None:
        """Show the librarian's current message under the chrome, or remove it."""
        if not self.is_mounted:
            return
        self.query("#notice").remove()
        notice = self.kiosk.notice
        if notice is not None:
            self.mount(self._notice_banner(notice), after=self.query_one("#chrome"))

    def _step_text(self) -> str:
        step = STEP_OF.get(self.state, self.state)
        if step in NUMBERED_STEPS:
            number = NUMBERED_STEPS.index(step) + 1
            return self.t("ui.step", number=number, total=len(NUMBERED_STEPS))
        return self.t("ui.app_title")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Chrome buttons here; a screen handles its own in ``pressed``."""
        button = event.button.id or ""
        event.stop()
        if button == "notice":
            self.kiosk.dismiss_notice()
        elif button == "staff-open":
            self.kiosk.open_staff()
        elif button == "languages":
            self.choose_language()
        elif button == "large-text":
            self.kiosk.large_text = not self.kiosk.large_text
            self.retranslate()
        elif button == "stop-ask":
            self.ask_stop()
        elif button == "stop-no":
            for question in self.query(StopQuestion):
                question.close()
            self._focus_default()
        elif button in VIEW_BUTTONS:
            self.pressed(button)
        else:
            self.kiosk.press(button)

    def choose_language(self) -> None:
        """Open the language picker; the choice changes the language and keeps the place."""
        from kiosk.ui.screens.languages import LanguagePicker

        def chosen(code: str | None) -> None:
            if code is not None and code != self.kiosk.language:
                self.kiosk.press(f"lang-{code}")

        self.app.push_screen(LanguagePicker(self.kiosk), chosen)

    def ask_stop(self) -> None:
        """Stop: ask "Stop and delete what you have done so far?" (No is the default)."""
        if not self.query(StopQuestion):
            self.mount(StopQuestion(self.kiosk))

    def pressed(self, button: str) -> None:
        """A view-only button of the screen's own was pressed (it changes only the view)."""

    #: The button that has the focus when the screen opens (Enter presses it).
    default_button: ClassVar[str | None] = None

    def on_mount(self) -> None:
        self._fit(self.app.size.height)
        self.set_class(is_rtl(self.kiosk.language), "-rtl")
        self._focus_default()

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.height, event.size.width)

    def _fit(self, height: int, width: int | None = None) -> None:
        # A short terminal (80 x 24) gets slimmer bars and buttons: every cell is bigger there,
        # so a 3-row button is still a large target, and the screen's text stays visible.
        self.set_class(height < COMPACT_BELOW_ROWS, "-compact")
        # A narrow one packs the chrome's buttons tighter so all of them stay on screen.
        self.set_class((width or self.app.size.width) < NARROW_BELOW_COLUMNS, "-narrow")

    def retranslate(self) -> None:
        """The language changed: rebuild the texts (workers keep running)."""
        self.refresh(recompose=True)
        self.call_after_refresh(self._focus_default)

    def _focus_default(self) -> None:
        if self.default_button:
            buttons = self.query(f"#{self.default_button}")
            if buttons:
                buttons.first().focus()


class ActionRow(Horizontal):
    """The row of big action buttons at the bottom of a screen, mirrored right to left."""

    def __init__(self, *buttons: Button) -> None:
        super().__init__(classes="actions")
        self._buttons = buttons

    def compose(self) -> ComposeResult:
        # The order in which the buttons were given reads left to right; Arabic reads the
        # row from the right, so the same first button stands at the right edge.
        rtl = is_rtl(cast(KioskView, self.app).language)
        yield from reversed(self._buttons) if rtl else self._buttons


def actions(*buttons: Button) -> Horizontal:
    """The row of big action buttons at the bottom of a screen."""
    return ActionRow(*buttons)

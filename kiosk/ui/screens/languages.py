"""The language picker: every offered language as a big button with its own name.

Opened from the chrome's language button on any screen; choosing a language changes the texts of
the screen underneath and keeps the citizen exactly where they were (the service's session only
changes its language). Each button is written in its own language and script, so a citizen who
cannot read the current language still finds theirs.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen

from kiosk.i18n import LANGUAGES
from kiosk.ui.view import KioskView
from kiosk.ui.widgets.bidi import Button, Static


class LanguagePicker(ModalScreen[str | None]):
    """Pick a language; dismissed with its code, or None (Close, Escape)."""

    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, view: KioskView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        with Vertical(id="language-dialog"):
            yield Static(self.view.translate("ui.language.title"), classes="title")
            with Grid(id="language-grid"):
                for code, name in LANGUAGES.items():
                    if code in self.view.config.languages:
                        yield Button(name, id=f"pick-{code}", classes="language",
                                     variant="primary" if code == self.view.language
                                     else "default")
            yield Button(self.view.translate("ui.language.close"), id="pick-close")

    def on_mount(self) -> None:
        self.query_one(f"#pick-{self.view.language}", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        code = (event.button.id or "").removeprefix("pick-")
        self.dismiss(None if code == "close" else code)

    def action_close(self) -> None:
        self.dismiss(None)

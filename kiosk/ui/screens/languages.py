"""The language picker: every offered language as a big button with its own name.

Opened from the chrome's language button on any screen; choosing a language changes the texts of
the screen underneath and keeps the citizen exactly where they were (the service's session only
changes its language). Each button is written in its own language and script, so a citizen who
cannot read the current language still finds theirs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget

from kiosk.i18n import LANGUAGES, is_rtl
from kiosk.ui.view import KioskView
from kiosk.ui.widgets.bidi import Button, Static

#: Buttons per row of a language grid (``grid-size`` of ``#welcome-languages`` and
#: ``#language-grid`` in kiosk.tcss).
LANGUAGE_COLUMNS = 4


def in_reading_order(buttons: Sequence[Widget], rtl: bool,
                     columns: int = LANGUAGE_COLUMNS) -> Iterator[Widget]:
    """The grid's cells row by row; right to left for a right-to-left language.

    A grid fills each row from the left, so for Arabic each row is given reversed, and a short
    last row is padded on its left with empty cells: the first language then sits at the top
    right, where an Arabic reader starts.
    """
    for start in range(0, len(buttons), columns):
        row: list[Widget] = list(buttons[start:start + columns])
        if rtl:
            row = [Static(classes="language-gap") for _ in range(columns - len(row))] + row[::-1]
        yield from row


def language_grid(view: KioskView, id_prefix: str, grid_id: str) -> Grid:
    """Every offered language as a big button in its own name and script; the current one
    highlighted. Button ids are ``{id_prefix}{code}``."""
    buttons = [Button(name, id=f"{id_prefix}{code}", classes="language",
                      variant="primary" if code == view.language else "default")
               for code, name in LANGUAGES.items() if code in view.config.languages]
    return Grid(*in_reading_order(buttons, is_rtl(view.language)), id=grid_id)


class LanguagePicker(ModalScreen[str | None]):
    """Pick a language; dismissed with its code, or None (Close, Escape)."""

    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, view: KioskView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        with Vertical(id="language-dialog"):
            yield Static(self.view.translate("ui.language.title"), classes="title")
            yield language_grid(self.view, "pick-", "language-grid")
            yield Button(self.view.translate("ui.language.close"), id="pick-close")

    def on_mount(self) -> None:
        # No photo is taken behind the picker: the citizen would not see the 3-2-1.
        self.view.service.hold_photo(True)
        self.query_one(f"#pick-{self.view.language}", Button).focus()

    def on_unmount(self) -> None:
        self.view.service.hold_photo(False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        code = (event.button.id or "").removeprefix("pick-")
        self.dismiss(None if code == "close" else code)

    def action_close(self) -> None:
        self.dismiss(None)

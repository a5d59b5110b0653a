"""The question before Stop: "Stop and delete what you have done so far?"

Stop wipes the citizen's application, and a Stop reached by accident (a stray tap, Tab Tab
Enter) must not cost them ten minutes. So the chrome's Stop button only opens this question;
"No, go on" is the default (focused: Enter keeps the application) and Escape means No too. Only
"Yes, stop" presses the service's ``cancel``, which stays immediate for scripts and staff.

The question is drawn *inside* the screen, on a layer of its own above the step, rather than as
a pushed screen: the step underneath keeps hearing its runner (the camera preview goes on), and
when the session moves on by itself (the photo is taken, the inactivity warning comes) the new
screen simply replaces the step together with its question. While it is open the rest of the
screen is disabled, so focus and taps stay in the question.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.widget import Widget

from kiosk.ui.view import KioskView
from kiosk.ui.widgets.bidi import Button, Static

#: The buttons of the question (``cancel`` is the service's Stop; ``stop-no`` only closes).
YES = "cancel"
NO = "stop-no"


class StopQuestion(Container):
    """A modal question over the screen: "Yes, stop" or "No, go on" (the default)."""

    BINDINGS = [Binding("escape", "go_on", "No, go on", show=False)]

    def __init__(self, view: KioskView) -> None:
        super().__init__(id="stop-question")
        self.view = view
        self._disabled: list[Widget] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="stop-dialog"):
            yield Static(self.view.translate("ui.stop.question"), classes="title",
                         id="stop-text")
            yield Static(self.view.translate("ui.stop.lead"), classes="lead")
            with Horizontal(classes="stop-buttons"):
                yield Button(self.view.translate("ui.stop.no"), id=NO, variant="primary")
                yield Button(self.view.translate("ui.stop.yes"), id=YES, variant="error")

    def on_mount(self) -> None:
        # No photo is taken behind the question: the citizen would not see the 3-2-1.
        self.view.service.hold_photo(True)
        # Everything else on the screen is out of reach while the question is open.
        for widget in self.screen.children:
            if widget is not self and not widget.disabled:
                widget.disabled = True
                self._disabled.append(widget)
        self.query_one(f"#{NO}", Button).focus()

    def close(self) -> None:
        """Take the question away and give the screen back (the citizen goes on)."""
        for widget in self._disabled:
            widget.disabled = False
        self._disabled.clear()
        self.remove()

    def on_unmount(self) -> None:
        self.view.service.hold_photo(False)

    def action_go_on(self) -> None:
        """Escape: the same as "No, go on"."""
        self.query_one(f"#{NO}", Button).press()

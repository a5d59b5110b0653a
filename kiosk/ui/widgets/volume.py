"""Volume and mute on every screen: quieter, sound on/off with the level, louder.

Three buttons big enough to touch in the chrome. They change only the kiosk's voice (view-only
buttons, :data:`kiosk.service.buttons.VIEW_BUTTONS`): the press is handled here and never
reaches the service. Each button's label says what it does in words or shows the level, and
its tooltip names it in full, for assistive tools that read the widget tree. The level belongs
to the citizen's session (:class:`kiosk.voice.voice.KioskVoice` resets it for the next one).
"""

from __future__ import annotations

from typing import cast

from textual.app import ComposeResult
from textual.containers import Horizontal

from kiosk.ui.view import KioskView
from kiosk.ui.widgets.bidi import Button
from kiosk.voice.voice import KioskVoice

QUIETER, MUTE, LOUDER = "voice-quieter", "voice-mute", "voice-louder"
#: The ids of the control's buttons (all view-only).
BUTTONS = frozenset({QUIETER, MUTE, LOUDER})
#: Width of the − and + buttons (cells): a touch target of 5 x 4 cells.
SIGN_WIDTH = 5
#: Least width of the level button (cells).
MIN_LEVEL_WIDTH = 10
#: From this many columns the level is in words ("Sound 70 %", "Sound off"); below, the chrome
#: of an 80-column screen has room for a number only (Ukrainian "Звук вимкнено" is 13 cells).
WORDS_FROM = 100


class VolumeControl(Horizontal):
    """Quieter · Sound 70 % (tap: off) · Louder — for the app's :class:`KioskVoice`.

    Below :data:`WORDS_FROM` columns the level button shows "70 %" (muted: "✕ 70 %"); its
    tooltip still says what it does in words.
    """

    DEFAULT_CSS = """
    VolumeControl {
        width: auto;
        height: auto;
    }
    VolumeControl Button {
        margin: 0 0 0 1;
    }
    """

    @property
    def voice(self) -> KioskVoice | None:
        """The app's voice (None in an app without one: then the control shows nothing)."""
        voice = getattr(self.app, "voice", None)
        return voice if isinstance(voice, KioskVoice) else None

    def _t(self, key: str, **values: object) -> str:
        return cast(KioskView, self.app).translate(key, **values)

    def compose(self) -> ComposeResult:
        if self.voice is None or not self.voice.settings.enabled:
            self.display = False
            return
        quieter = Button("−", id=QUIETER)
        quieter.tooltip = self._t("voice.quieter")
        mute = Button(self._level_text(), id=MUTE)
        mute.tooltip = self._t("voice.mute_help")
        louder = Button("+", id=LOUDER)
        louder.tooltip = self._t("voice.louder")
        for small in (quieter, louder):
            # Inline: the chrome's stylesheet gives its buttons room for a word (12 cells);
            # a sign needs 5, which keeps the chrome within 80 columns.
            small.styles.min_width = SIGN_WIDTH
            small.styles.width = SIGN_WIDTH
        # As wide as its longest label, so that + does not move under the finger. One cell of
        # border on each side, and padding: two cells a side, one on a narrow screen's chrome
        # (whose every cell counts: "Schritt 2 von 5" must stay on one line at 80 columns).
        if self.compact:
            mute.styles.width = max(MIN_LEVEL_WIDTH, len("✕ 100 %") + 4)
        else:
            longest = max(len(self._t("voice.volume", percent=100)), len(self._t("voice.muted")))
            mute.styles.width = max(MIN_LEVEL_WIDTH, longest + 6)
        yield quieter
        yield mute
        yield louder

    @property
    def compact(self) -> bool:
        """Narrower than :data:`WORDS_FROM`: the level shows as a number, not in words."""
        return self.app.size.width < WORDS_FROM

    def _level_text(self) -> str:
        voice = self.voice
        if voice is None:
            return ""
        if self.compact:
            # Language-neutral and at most 7 cells: "70 %", muted "✕ 70 %".
            return f"✕ {voice.volume} %" if voice.muted else f"{voice.volume} %"
        if voice.muted:
            return self._t("voice.muted")
        return self._t("voice.volume", percent=voice.volume)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        # Handled here: the screen would send any other button to the service.
        event.stop()
        voice = self.voice
        if voice is None:
            return
        if event.button.id == QUIETER:
            voice.quieter()
        elif event.button.id == LOUDER:
            voice.louder()
        elif event.button.id == MUTE:
            voice.toggle_mute()
        self.query_one(f"#{MUTE}", Button).label = self._level_text()

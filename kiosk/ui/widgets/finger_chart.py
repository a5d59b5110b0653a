"""Both hands, palms down as they lie on the reader, with the finger to place highlighted.

Left and right swapped in some 208,000 Danish passports: the kiosk shows which hand and which
finger in a picture as well as in words, the way a person sees their own hands on the glass.
"""

from __future__ import annotations

from rich.text import Text

from kiosk.i18n import translate
from kiosk.ui.widgets.bidi import Static

# Palms down, seen from above: the left hand's thumb is on its right, the right hand's on its left.
LEFT_HAND = (10, 9, 8, 7, 6)
RIGHT_HAND = (1, 2, 3, 4, 5)
SHORT_NAMES = {1: "thumb", 2: "index", 3: "middle", 4: "ring", 5: "little",
               6: "thumb", 7: "index", 8: "middle", 9: "ring", 10: "little"}
WIDTH = 9


class FingerChart(Static):
    """Shows the requested finger among all ten."""

    DEFAULT_CSS = """
    FingerChart {
        height: 5;
        margin: 1 2;
    }
    """

    def __init__(self, language: str, position: int | None = None, *,
                 id: str | None = None) -> None:  # noqa: A002
        super().__init__("", id=id)
        self.language = language
        self.position = position

    def on_mount(self) -> None:
        self.update(self.chart())

    def show(self, position: int) -> None:
        """Highlight finger ``position`` (ISO/IEC 19794-4 code)."""
        self.position = position
        self.update(self.chart())

    def chart(self) -> Text:
        """The two hands as text, the requested finger and its hand highlighted."""
        text = Text()
        hands = ((LEFT_HAND, "ui.fingerprints.left_hand"),
                 (RIGHT_HAND, "ui.fingerprints.right_hand"))
        for column, (fingers, key) in enumerate(hands):
            active = self.position in fingers
            label = translate(key, self.language).upper()
            text.append(label.center(WIDTH * 5), "bold #000000 on #ffd700" if active else "#b0b0b0")
            text.append("    " if column == 0 else "\n")
        for row in range(2):
            for column, (fingers, _key) in enumerate(hands):
                for finger in fingers:
                    name = translate(f"ui.fingerprints.short_{SHORT_NAMES[finger]}", self.language)
                    cell = (name if row == 0 else ("▼" if finger == self.position else "")).center(
                        WIDTH - 1)
                    # The index fingers (asked for first) stand out a little even when not asked.
                    style = ("bold #000000 on #ffd700" if finger == self.position
                             else "#ffffff on #303030" if finger in (2, 7)
                             else "#b0b0b0 on #181818")
                    text.append(cell, style)
                    text.append(" ")
                text.append("    " if column == 0 else "\n")
        return text

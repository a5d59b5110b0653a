"""The finger chart highlights exactly the requested finger, on the right hand of the picture."""

from __future__ import annotations

import pytest

from kiosk.ui.widgets.finger_chart import LEFT_HAND, RIGHT_HAND, FingerChart


def highlighted(chart: FingerChart) -> list[str]:
    text = chart.chart()
    return [text.plain[span.start:span.end].strip() for span in text.spans
            if "on #ffd700" in str(span.style)]


@pytest.mark.parametrize(("position", "hand", "finger"), [
    (7, "LEFT HAND", "index"), (2, "RIGHT HAND", "index"), (6, "LEFT HAND", "thumb"),
    (3, "RIGHT HAND", "middle"),
])
def test_the_requested_finger_and_its_hand_are_highlighted(position: int, hand: str,
                                                           finger: str) -> None:
    chart = FingerChart("en", position)
    assert highlighted(chart) == [hand, finger, "▼"]


def test_hands_are_drawn_palms_down_left_then_right() -> None:
    # On the glass the left thumb lies towards the middle, next to the right thumb.
    assert LEFT_HAND[-1] == 6 and RIGHT_HAND[0] == 1
    line = FingerChart("da", 7).chart().plain.splitlines()[1].split()
    assert line == ["lille", "ring", "lang", "pege", "tommel", "tommel", "pege", "lang",
                    "ring", "lille"]

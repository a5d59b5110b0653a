"""The 3-2-1 before the photo: it counts only while every new frame passes."""

from __future__ import annotations

import math

from kiosk.service.runners import PHOTO_COUNT_S, PhotoCount


def shown(left: float | None) -> int | None:
    return None if left is None else max(1, math.ceil(left)) if left > 0 else 0


def test_counts_three_two_one_then_ends() -> None:
    count = PhotoCount()
    seen = [shown(count.feed(True, 100.0 + t / 10)) for t in range(0, 10 * PHOTO_COUNT_S + 1)]
    assert seen[0] == 3 and seen[-1] == 0
    # Each number in order, none skipped, none repeated after it has passed.
    assert [n for i, n in enumerate(seen) if i == 0 or n != seen[i - 1]] == [3, 2, 1, 0]


def test_a_failing_frame_starts_again_from_three() -> None:
    count = PhotoCount()
    count.feed(True, 0.0)
    assert shown(count.feed(True, 2.5)) == 1
    assert count.feed(False, 2.6) is None
    assert shown(count.feed(True, 2.7)) == 3
    assert count.feed(True, 2.7 + PHOTO_COUNT_S) == 0.0


def test_never_ends_without_passing_frames() -> None:
    count = PhotoCount()
    assert all(count.feed(False, float(t)) is None for t in range(100))

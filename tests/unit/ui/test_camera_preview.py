"""The half-block camera preview renders frames in a real (headless) Textual app."""

from __future__ import annotations

import numpy as np
from textual.app import App, ComposeResult

from drivers.interfaces import Frame
from kiosk.ui.widgets.camera_preview import HALF_BLOCK, CameraPreview, PreviewOverlay


class PreviewApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CameraPreview(id="preview")


def two_tone(height: int = 480, width: int = 640) -> np.ndarray:
    """Red on the even rows, blue on the odd ones (BGR)."""
    frame = np.zeros((height, width, 3), np.uint8)
    frame[0::2] = (0, 0, 255)
    frame[1::2] = (255, 0, 0)
    return frame


async def test_blank_before_the_first_frame() -> None:
    app = PreviewApp()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        strip = app.query_one(CameraPreview).render_line(0)
        assert HALF_BLOCK not in strip.text


async def test_upper_pixel_is_foreground_and_lower_is_background() -> None:
    app = PreviewApp()
    async with app.run_test(size=(40, 10)) as pilot:
        preview = app.query_one(CameraPreview)
        top = np.zeros((20, 40, 3), np.uint8)
        top[:, :] = (255, 0, 0)  # blue
        top[0::2] = (0, 0, 255)  # red on the upper pixel of every cell
        preview.show(top)
        await pilot.pause()
        strip = preview.render_line(3)
        assert strip.cell_length == 40
        assert strip.text == HALF_BLOCK * 40
        style = next(iter(strip)).style
        assert style is not None and style.color is not None and style.bgcolor is not None
        r, g, b = style.color.triplet
        assert r > 200 and b < 50
        r, g, b = style.bgcolor.triplet
        assert b > 200 and r < 50


async def test_runs_merge_into_few_segments_and_styles_are_cached() -> None:
    app = PreviewApp()
    async with app.run_test(size=(80, 30)) as pilot:
        preview = app.query_one(CameraPreview)
        preview.show(np.full((480, 640, 3), 200, np.uint8))
        await pilot.pause()
        assert len(list(preview.render_line(10))) == 1
        assert len(preview._styles) == 1


async def test_overlay_and_guide_are_drawn() -> None:
    app = PreviewApp()
    async with app.run_test(size=(80, 30)) as pilot:
        preview = app.query_one(CameraPreview)
        plain = np.zeros((480, 640, 3), np.uint8)
        preview.show(plain)
        await pilot.pause()
        assert len(preview._styles) == 1
        preview.show(
            plain, PreviewOverlay(face_box=(200, 100, 240, 280), face_ok=False, guide=True)
        )
        await pilot.pause()
        lines = [preview.render_line(y) for y in range(30)]
        assert sum(len(list(s)) for s in lines) > 60  # box and oval break the runs
        assert len(preview._styles) > 2


async def test_follow_polls_a_camera_and_shows_new_frames() -> None:
    class FakeCamera:
        def __init__(self) -> None:
            self.n = 0

        def latest(self) -> Frame:
            self.n += 1
            return Frame(two_tone(), float(self.n), self.n)

    app = PreviewApp()
    async with app.run_test(size=(40, 10)) as pilot:
        preview = app.query_one(CameraPreview)
        preview.follow(FakeCamera(), fps=50)
        await pilot.pause(0.2)
        assert preview.frames_shown >= 3
        assert preview.render_line(0).text == HALF_BLOCK * 40

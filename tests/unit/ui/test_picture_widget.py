"""The Picture widget in a real (headless) Textual app: fallback, Sixel and kitty paths."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.screen import Screen

from kiosk.ui.widgets.camera_preview import CameraPreview
from kiosk.ui.widgets.graphics import DEFAULT_CELL
from kiosk.ui.widgets.picture import HALF_BLOCK, Picture, PreviewOverlay
from tests.helpers.kiosk import async_wait_until
from tests.unit.ui.test_picture_encoders import decode_sixel, parse_kitty


class PictureApp(App[None]):
    def __init__(self, picture: Picture) -> None:
        super().__init__()
        self.picture = picture

    def compose(self) -> ComposeResult:
        yield self.picture


def solid(bgr: tuple[int, int, int], height: int = 480, width: int = 640) -> np.ndarray:
    frame = np.zeros((height, width, 3), np.uint8)
    frame[:, :] = bgr
    return frame


def controls(picture: Picture) -> list[Segment]:
    """The zero-width control segments of the widget's last line (where the image rides)."""
    last = picture.render_line(picture.size.height - 1)
    return [segment for segment in last if segment.control]


async def test_auto_in_the_test_driver_is_the_half_block_fallback() -> None:
    app = PictureApp(Picture(solid((0, 0, 200))))
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        assert app.picture.protocol == "halfblock"
        assert app.picture.render_line(3).text == HALF_BLOCK * 40
        assert controls(app.picture) == []


async def test_camera_preview_is_a_picture_with_the_old_api() -> None:
    preview = CameraPreview(guide=True)
    app = PictureApp(preview)
    async with app.run_test(size=(40, 12)) as pilot:
        preview.show(solid((90, 90, 90)), PreviewOverlay(face_box=(200, 100, 200, 250)))
        await pilot.pause()
        assert isinstance(preview, Picture) and preview.frames_shown == 1
        assert len(list(preview.render_line(6))) > 1  # the oval and the box break the runs


async def test_sixel_image_lands_in_the_widget_with_the_frame_aspect() -> None:
    picture = Picture(protocol="sixel", max_width=1920)
    app = PictureApp(picture)
    async with app.run_test(size=(60, 20)) as pilot:
        picture.show(solid((0, 0, 255)))  # red in BGR
        await async_wait_until(lambda: picture.frames_drawn >= 1, lambda: picture.frames_shown)
        await pilot.pause()
        move, image, back = controls(picture)
        sixel = decode_sixel(image.text)
        height, width = sixel.shape[:2]
        cw, ch = DEFAULT_CELL
        assert width <= 60 * cw and height <= 20 * ch
        assert width == 60 * cw or height == 20 * ch  # as large as the widget allows
        assert abs(width / height - 640 / 480) < 0.02
        assert (sixel[height // 2, width // 2] == (255, 0, 0)).all()
        # Centred: the cursor goes to the image's top-left cell (1-based CUP), then back.
        x0 = (60 - -(-width // cw)) // 2
        y0 = (20 - -(-height // ch)) // 2
        assert move.text == f"\x1b[{y0 + 1};{x0 + 1}H"
        assert back.text == "\x1b[20;60H"
        assert all(not segment.control for segment in picture.render_line(0))


async def test_max_width_caps_the_encoded_pixels() -> None:
    picture = Picture(solid((0, 128, 0)), protocol="sixel", max_width=320)
    app = PictureApp(picture)
    async with app.run_test(size=(100, 40)) as pilot:
        await async_wait_until(lambda: picture.frames_drawn >= 1, lambda: picture.frames_shown)
        await pilot.pause()
        assert decode_sixel(controls(picture)[1].text).shape[:2] == (240, 320)


async def test_kitty_image_is_scaled_to_cells_and_deleted_with_its_screen() -> None:
    written: list[str] = []

    class Recording(Picture):
        def _write(self, data: str) -> None:
            written.append(data)

    picture = Recording(solid((255, 0, 0), 120, 160), protocol="kitty")
    app = PictureApp(picture)
    async with app.run_test(size=(50, 20)) as pilot:
        await async_wait_until(lambda: picture.frames_drawn >= 1, lambda: picture.frames_shown)
        await pilot.pause()
        _, image, _ = controls(picture)
        keys: dict[str, Any] = parse_kitty(image.text)[0][0]
        cols, rows = int(keys["c"]), int(keys["r"])
        assert cols <= 50 and rows <= 20 and (cols == 50 or rows == 20)
        # 4:3 pixels in 1:2 cells: twice as many columns per row.
        assert abs((cols / rows) - (4 / 3) * 2) < 0.2
        await app.push_screen(Screen())
        await pilot.pause()
        assert written and parse_kitty(written[-1])[0][0]["a"] == "d"
        assert parse_kitty(written[-1])[0][0]["i"] == keys["i"]


async def test_a_burst_of_frames_is_dropped_not_queued_and_the_newest_wins() -> None:
    picture = Picture(protocol="sixel", max_width=160)
    app = PictureApp(picture)
    async with app.run_test(size=(30, 10)) as pilot:
        await pilot.pause()
        for value in range(60):
            picture.show(solid((0, 0, value * 4)))
        newest = (value * 4, 0, 0)  # RGB of the last frame

        def shows_newest() -> bool:
            segments = controls(picture)
            if not segments:
                return False
            decoded = decode_sixel(segments[1].text)
            return bool(np.abs(decoded[5, 5] - np.array(newest)).max() <= 3)

        await async_wait_until(shows_newest, lambda: picture.frames_drawn)
        assert picture.frames_shown == 60
        assert picture.frames_drawn < 60  # older frames were replaced in the mailbox
        assert picture.encode_seconds > 0

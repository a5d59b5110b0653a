"""The Picture widget in a real (headless) Textual app: fallback, Sixel and kitty paths."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

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


def solid(bgr: tuple[int, int, int], height: int = 480, width: int = 640) -> NDArray[np.uint8]:
    frame = np.zeros((height, width, 3), np.uint8)
    frame[:, :] = bgr
    return frame


def controls(picture: Picture) -> list[Segment]:
    """The zero-width control segments of the widget's last line (where the image rides)."""
    last = picture.render_line(picture.size.height - 1)
    return [segment for segment in last if segment.control]


def placed_image(picture: Picture) -> tuple[int, int, str]:
    """(rows up, 1-based column, image escapes) of the image riding on the last line."""
    (segment,) = controls(picture)
    match = re.fullmatch(r"\x1b7(?:\x1b\[(\d+)A)?\x1b\[(\d+)G(.*)\x1b8", segment.text, re.S)
    assert match is not None, "save cursor, up, column, image, restore cursor"
    return int(match.group(1) or 0), int(match.group(2)), match.group(3)


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
        up, column, image = placed_image(picture)
        sixel = decode_sixel(image)
        height, width = sixel.shape[:2]
        cw, ch = DEFAULT_CELL
        assert width <= 60 * cw and height <= 20 * ch
        assert width == 60 * cw or height == 20 * ch  # as large as the widget allows
        assert abs(width / height - 640 / 480) < 0.02
        assert (sixel[height // 2, width // 2] == (255, 0, 0)).all()
        # Centred: from the last row up to the image's top-left cell.
        x0 = (60 - -(-width // cw)) // 2
        y0 = (20 - -(-height // ch)) // 2
        assert (up, column) == (19 - y0, x0 + 1)
        assert picture.render_line(19).cell_length == 60
        assert all(not segment.control for segment in picture.render_line(0))
        assert picture.render_line(0).text == " " * 60


async def test_max_width_caps_the_encoded_pixels() -> None:
    picture = Picture(solid((0, 128, 0)), protocol="sixel", max_width=320)
    app = PictureApp(picture)
    async with app.run_test(size=(100, 40)) as pilot:
        await async_wait_until(lambda: picture.frames_drawn >= 1, lambda: picture.frames_shown)
        await pilot.pause()
        assert decode_sixel(placed_image(picture)[2]).shape[:2] == (240, 320)


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
        keys: dict[str, Any] = parse_kitty(placed_image(picture)[2])[0][0]
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
            if not controls(picture):
                return False
            decoded = decode_sixel(placed_image(picture)[2])
            return bool(np.abs(decoded[5, 5] - np.array(newest)).max() <= 3)

        await async_wait_until(shows_newest, lambda: picture.frames_drawn)
        assert picture.frames_shown == 60
        assert picture.frames_drawn < 60  # older frames were replaced in the mailbox
        assert picture.encode_seconds > 0


async def test_half_blocks_until_the_first_frame_is_encoded() -> None:
    picture = Picture(protocol="sixel")
    app = PictureApp(picture)
    async with app.run_test(size=(30, 10)) as pilot:
        await pilot.pause()
        picture.show(solid((0, 0, 255)))
        # The encoder's answer is a message: not handled before this coroutine yields.
        assert picture.render_line(4).text == HALF_BLOCK * 30
        await async_wait_until(lambda: picture.frames_drawn >= 1, lambda: picture.frames_shown)
        await pilot.pause()
        assert placed_image(picture)[2].startswith("\x1bP")


class ScrolledApp(App[None]):
    """A picture below a tall text in a scrolling column: only its top shows."""

    def __init__(self, picture: Picture) -> None:
        super().__init__()
        self.picture = picture

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("\n".join(["text"] * 15))
            yield self.picture


async def test_a_picture_partly_out_of_view_falls_back_to_half_blocks() -> None:
    picture = Picture(solid((0, 255, 0)), protocol="sixel", classes="short")
    picture.styles.height = 10
    app = ScrolledApp(picture)
    async with app.run_test(size=(40, 20)) as pilot:
        await async_wait_until(lambda: picture.frames_drawn >= 1, lambda: picture.frames_shown)
        await pilot.pause()
        assert controls(picture) == []
        assert picture.render_line(0).text.startswith(HALF_BLOCK)
        app.query_one(VerticalScroll).scroll_end(animate=False)
        await pilot.pause()
        assert placed_image(picture)[2].startswith("\x1bP")  # fully in view: real pixels

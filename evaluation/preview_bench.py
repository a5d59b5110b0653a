"""Measure the camera preview widget's frame rate: a 640x480 frame shown in an 80x30-cell area."""

from __future__ import annotations

import asyncio
import time

import numpy as np
from textual.app import App, ComposeResult
from textual.widgets import Static

from kiosk.ui.widgets.camera_preview import CameraPreview, PreviewOverlay
from simulator.camera.persona import load_persona
from simulator.camera.scene import Scene

SECONDS = 3.0


class PreviewApp(App[None]):
    """Just the preview, filling an 80x30 terminal."""

    def compose(self) -> ComposeResult:
        yield CameraPreview(guide=True)


class BaselineApp(App[None]):
    """A one-word Static: how fast the headless harness refreshes anything at all."""

    def compose(self) -> ComposeResult:
        yield Static("0")


def frames(count: int) -> list[np.ndarray]:
    """Moving 640x480 frames (the moving persona), so consecutive frames all differ."""
    scene, persona = Scene(640, 480), load_persona("moving")
    return [
        scene.render(persona.pose_at(i / 30), persona.background, i).copy() for i in range(count)
    ]


async def measure() -> None:
    """Show frames as fast as the app renders them, end to end through Textual's compositor."""
    clips = frames(30)
    app = PreviewApp()
    async with app.run_test(size=(80, 30)) as pilot:
        preview = app.query_one(CameraPreview)
        overlay = PreviewOverlay(face_box=(250, 150, 140, 180), guide=True)
        # Widget alone: resize, overlay, quantise, build the 30 strips.
        started, n = time.perf_counter(), 0
        while time.perf_counter() - started < SECONDS:
            preview.show(clips[n % len(clips)], overlay)
            for y in range(30):
                preview.render_line(y)
            n += 1
        widget_fps = n / (time.perf_counter() - started)
        # End to end: show, then let Textual refresh and composite the screen.
        started, n = time.perf_counter(), 0
        while time.perf_counter() - started < SECONDS:
            preview.show(clips[n % len(clips)], overlay)
            await pilot.pause()
            n += 1
        app_fps = n / (time.perf_counter() - started)
    baseline = BaselineApp()
    async with baseline.run_test(size=(80, 30)) as pilot:
        counter = baseline.query_one(Static)
        started, n = time.perf_counter(), 0
        while time.perf_counter() - started < SECONDS:
            counter.update(str(n))
            await pilot.pause()
            n += 1
        base_fps = n / (time.perf_counter() - started)
    print(
        f"preview 640x480 -> 80x30 cells: widget alone {widget_fps:.1f} fps, "
        f"end to end in run_test {app_fps:.1f} fps (one-word Static update: {base_fps:.1f} fps)"
    )


if __name__ == "__main__":
    asyncio.run(measure())

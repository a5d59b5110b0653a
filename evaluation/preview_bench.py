"""Measure the camera preview: encoders, the widget end to end, the photo analysis beside it.

Sections (each prints frames per second and time per frame):

* ``encoders``: Sixel, kitty and (for comparison) textual-image's Sixel encoder on moving
  persona frames at 320x240 and 640x480: wall and CPU milliseconds per frame and bytes.
* ``widget``: the Picture widget in Textual's headless driver with each protocol forced,
  fed 30 frames a second: frames that reached the screen per second (the encoder thread drops
  frames it cannot keep up with). Textual's test driver discards the output, so the terminal's
  own decoding is not in this number; ``--in-terminal`` measures that.
* ``analysis``: photo analysis frames per second (of 30 a second from the "camera") alone, and
  with every analysed frame posted to the app and shown by the preview (the kiosk's own
  path), per protocol.
* ``halfblock``: the old measurement of the half-block widget (80x30 cells).

``--in-terminal SECONDS`` runs the preview full screen in the terminal it is started in (the
protocol chosen as the kiosk chooses it) and writes one result line to ``--out``.
``--cage`` starts a headless Cage with foot (or ``--terminal kitty``) as an unprivileged user,
runs ``--in-terminal`` inside it, takes a ``grim`` screenshot (``--shot``) and prints the line.

Usage::

    .venv/bin/python evaluation/preview_bench.py [--only encoders,widget,analysis,halfblock]
    .venv/bin/python evaluation/preview_bench.py --cage --terminal foot --shot /tmp/preview.png
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Static

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.ui.widgets import graphics  # noqa: E402
from kiosk.ui.widgets.camera_preview import CameraPreview, PreviewOverlay  # noqa: E402
from kiosk.ui.widgets.graphics import GraphicsSetting  # noqa: E402
from simulator.camera.persona import load_persona  # noqa: E402
from simulator.camera.scene import Scene  # noqa: E402

SECONDS = 3.0
#: The kiosk camera's frame rate (devices.camera.fps): the analysis never has more to do.
CAMERA_FPS = 30.0
SIZES = ((320, 240), (640, 480))
OVERLAY = PreviewOverlay(face_box=(250, 150, 140, 180), guide=True)
ROOT = Path(__file__).resolve().parents[1]


def frames(count: int, size: tuple[int, int] = (640, 480)) -> list[NDArray[np.uint8]]:
    """Moving frames (the moving persona), so consecutive frames all differ."""
    scene, persona = Scene(*size), load_persona("moving")
    return [
        scene.render(persona.pose_at(i / 30), persona.background, i).copy() for i in range(count)
    ]


def _rgb(frame: NDArray[np.uint8], size: tuple[int, int]) -> NDArray[np.uint8]:
    small = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
    return np.asarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB), dtype=np.uint8)


# -- encoders -------------------------------------------------------------------------------------


def bench_encoders(clips: list[NDArray[np.uint8]]) -> None:
    """Encode time per frame for each protocol and size (wall and this thread's CPU)."""
    from PIL import Image as PILImage
    from textual_image._sixel import image_to_sixels  # the encoder only: no terminal probe

    def textual_image_sixel(rgb: NDArray[np.uint8]) -> str:
        return image_to_sixels(PILImage.fromarray(rgb, "RGB"))

    encoders = {
        "sixel": graphics.encode_sixel,
        "kitty": lambda rgb: graphics.encode_kitty(rgb, 1, (40, 15)),
        "sixel (textual-image 0.12)": textual_image_sixel,
    }
    for width, height in SIZES:
        rgbs = [_rgb(frame, (width, height)) for frame in clips]
        for name, encode in encoders.items():
            encode(rgbs[0])
            wall, cpu, count, size = time.perf_counter(), time.thread_time(), 0, 0
            while time.perf_counter() - wall < SECONDS:
                size += len(encode(rgbs[count % len(rgbs)]))
                count += 1
            wall_ms = (time.perf_counter() - wall) / count * 1000
            cpu_ms = (time.thread_time() - cpu) / count * 1000
            print(f"encode {name:27s} {width}x{height}: {wall_ms:6.1f} ms/frame wall "
                  f"({1000 / wall_ms:5.1f} fps), {cpu_ms:6.1f} ms CPU ({1000 / cpu_ms:5.1f} fps), "
                  f"{size / count / 1024:6.0f} KiB/frame")


# -- the widget in Textual's headless driver ------------------------------------------------------


class PictureBench(App[None]):
    """One preview filling the terminal, with a forced protocol and pixel cap."""

    def __init__(self, protocol: GraphicsSetting, max_width: int) -> None:
        super().__init__()
        self.protocol = protocol
        self.max_width = max_width

    def compose(self) -> ComposeResult:
        yield CameraPreview(guide=True, protocol=self.protocol, max_width=self.max_width)


async def feed(preview: CameraPreview, clips: list[NDArray[np.uint8]], seconds: float,
               fps: float = 30.0) -> tuple[float, float, float]:
    """Show frames at ``fps`` for ``seconds``; (shown/s, written to the terminal/s, encode ms)."""
    shown0, drawn0, busy0 = preview.frames_shown, preview.frames_painted, preview.encode_seconds
    encoded0 = preview.frames_drawn
    started, n = time.perf_counter(), 0
    while (elapsed := time.perf_counter() - started) < seconds:
        if n < elapsed * fps:
            preview.show(clips[n % len(clips)], OVERLAY)
            n += 1
        await asyncio.sleep(0.002)
    elapsed = time.perf_counter() - started
    drawn = preview.frames_painted - drawn0
    encoded = preview.frames_drawn - encoded0
    busy = preview.encode_seconds - busy0
    return ((preview.frames_shown - shown0) / elapsed, drawn / elapsed,
            busy / encoded * 1000 if encoded else float("nan"))


async def bench_widget(clips: list[NDArray[np.uint8]]) -> None:
    """Frames drawn per second through the widget's encoder thread, 30 offered per second."""
    cw, ch = graphics.DEFAULT_CELL  # the headless driver has no pixel size: 10x20 cells
    for protocol in ("sixel", "kitty"):
        for width, height in SIZES:
            app = PictureBench(protocol, width)
            async with app.run_test(size=(width // cw, height // ch)) as pilot:
                await pilot.pause()
                preview = app.query_one(CameraPreview)
                shown, drawn, encode_ms = await feed(preview, clips, SECONDS)
                pixels = preview._drawn.pixels if preview._drawn else (0, 0)
            print(f"widget {protocol:5s} {pixels[0]}x{pixels[1]}: {drawn:5.1f} fps drawn of "
                  f"{shown:.0f} offered, {encode_ms:5.1f} ms per encode (headless driver)")


# -- the photo analysis beside the encoder --------------------------------------------------------


def analysis_fps(clips: list[NDArray[np.uint8]], seconds: float,
                 publish: Callable[[NDArray[np.uint8]], object] | None = None,
                 camera_fps: float = CAMERA_FPS) -> float:
    """Photo analysis frames per second (the service's PhotoStep on moving frames).

    Frames come at ``camera_fps`` as from the camera (the runner analyses the latest frame
    and skips those it missed); ``publish`` gets every analysed frame, as the photo runner
    publishes its PreviewFrame.
    """
    from drivers.interfaces import Frame
    from kiosk.photo.settings import PhotoSettings
    from kiosk.steps.photo import PhotoStep

    step = PhotoStep(PhotoSettings())
    try:
        step.feed(Frame(clips[0], 0.0, 0))
        started, n = time.perf_counter(), 0
        last = -1
        while (elapsed := time.perf_counter() - started) < seconds:
            index = int(elapsed * camera_fps)  # the camera's latest frame
            if index == last:  # as the runner does: wait for a new frame
                time.sleep((index + 1) / camera_fps - elapsed)
                continue
            last, n = index, n + 1
            frame = clips[index % len(clips)]
            step.feed(Frame(frame, index / camera_fps, index))
            if publish is not None:
                publish(frame)
        return n / (time.perf_counter() - started)
    finally:
        step.close()


class PipelineBench(PictureBench):
    """The kiosk's path: analysed frames posted to the app, shown by the preview."""

    class News(Message):
        def __init__(self, frame: NDArray[np.uint8]) -> None:
            super().__init__()
            self.frame = frame

    def on_pipeline_bench_news(self, message: PipelineBench.News) -> None:
        self.query_one(CameraPreview).show(message.frame, OVERLAY)


async def analysis_with_preview(clips: list[NDArray[np.uint8]], protocol: GraphicsSetting,
                                size: tuple[int, int]) -> tuple[float, float]:
    """(analysis fps, preview frames written out per second) with the preview running."""
    cw, ch = graphics.DEFAULT_CELL
    app = PipelineBench(protocol, size[0])
    async with app.run_test(size=(size[0] // cw, size[1] // ch)) as pilot:
        await pilot.pause()
        preview = app.query_one(CameraPreview)
        painted = preview.frames_painted
        result: list[float] = []

        def analyse() -> None:
            result.append(analysis_fps(clips, SECONDS,
                                       lambda frame: app.post_message(PipelineBench.News(frame))))

        worker = threading.Thread(target=analyse)
        started = time.perf_counter()
        worker.start()
        while worker.is_alive():
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
        return result[0], (preview.frames_painted - painted) / elapsed


def bench_analysis(clips: list[NDArray[np.uint8]], rounds: int = 3) -> None:
    """Analysis rate alone and with the preview showing every analysed frame (the kiosk's path).

    The configurations take turns for ``rounds`` rounds and medians are printed: on a shared
    machine the load of other work moves single runs by a factor of two.
    """
    configs: list[tuple[GraphicsSetting | None, tuple[int, int]]] = [
        (None, (0, 0)), ("halfblock", (640, 480)), ("sixel", (320, 240)), ("sixel", (480, 360)),
        ("sixel", (640, 480)), ("kitty", (640, 480)),
    ]
    runs: dict[int, list[tuple[float, float]]] = {i: [] for i in range(len(configs))}
    for _ in range(rounds):
        for i, (protocol, size) in enumerate(configs):
            if protocol is None:
                runs[i].append((analysis_fps(clips, SECONDS), 0.0))
            else:
                runs[i].append(asyncio.run(analysis_with_preview(clips, protocol, size)))
    for i, (protocol, size) in enumerate(configs):
        fps = sorted(run[0] for run in runs[i])
        shown = sorted(run[1] for run in runs[i])
        if protocol is None:
            label = "alone"
        elif protocol == "halfblock":
            label = "with the half-block preview"
        else:
            label = f"with the {protocol} {size[0]}x{size[1]} preview"
        extra = f", preview {shown[len(shown) // 2]:5.1f} fps written out" if protocol not in (
            None, "halfblock") else ""
        print(f"analysis {label:33s}: {fps[len(fps) // 2]:5.1f} fps median of {rounds} "
              f"({fps[0]:.1f}-{fps[-1]:.1f}){extra}")
    print(f"({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at the end)")


# -- the old half-block measurement ---------------------------------------------------------------


class BaselineApp(App[None]):
    """A one-word Static: how fast the headless harness refreshes anything at all."""

    def compose(self) -> ComposeResult:
        yield Static("0")


async def bench_halfblock(clips: list[NDArray[np.uint8]]) -> None:
    """Show frames as fast as the app renders them, end to end through Textual's compositor."""
    app = PictureBench("halfblock", 640)
    async with app.run_test(size=(80, 30)) as pilot:
        preview = app.query_one(CameraPreview)
        started, n = time.perf_counter(), 0
        while time.perf_counter() - started < SECONDS:
            preview.show(clips[n % len(clips)], OVERLAY)
            for y in range(30):
                preview.render_line(y)
            n += 1
        widget_fps = n / (time.perf_counter() - started)
        started, n = time.perf_counter(), 0
        while time.perf_counter() - started < SECONDS:
            preview.show(clips[n % len(clips)], OVERLAY)
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
        f"halfblock 640x480 -> 80x30 cells: widget alone {widget_fps:.1f} fps, "
        f"end to end in run_test {app_fps:.1f} fps (one-word Static update: {base_fps:.1f} fps)"
    )


# -- in a real terminal ---------------------------------------------------------------------------


class TerminalBench(App[None]):
    """The preview full screen in a real terminal, fed at 30 fps, then one result line."""

    def __init__(self, clips: list[NDArray[np.uint8]], seconds: float, out: Path,
                 setting: GraphicsSetting, max_width: int) -> None:
        super().__init__()
        self.clips, self.seconds, self.out = clips, seconds, out
        self.setting, self.max_width = setting, max_width

    def compose(self) -> ComposeResult:
        yield CameraPreview(guide=True, protocol=self.setting, max_width=self.max_width)

    async def on_mount(self) -> None:
        self.run_worker(self._measure())

    async def _measure(self) -> None:
        preview = self.query_one(CameraPreview)
        await asyncio.sleep(1.0)  # let the terminal settle; the first frame is the slowest
        measuring = asyncio.ensure_future(feed(preview, self.clips, self.seconds))
        await asyncio.sleep(self.seconds / 2)
        self.out.with_suffix(".half").touch()  # the moment for a screenshot
        shown, drawn, encode_ms = await measuring
        drawn_px = preview._drawn.pixels if preview._drawn else (0, 0)
        result = {
            "term": os.environ.get("TERM", ""), "protocol": preview.protocol,
            "cells": list(preview.size), "cell_px": list(graphics.cell_pixels()),
            "pixels": list(drawn_px), "offered_fps": round(shown, 1),
            "drawn_fps": round(drawn, 1), "encode_ms": round(encode_ms, 1),
        }
        self.out.write_text(json.dumps(result) + "\n")
        self.exit()


def in_terminal(seconds: float, out: Path, setting: GraphicsSetting, max_width: int) -> None:
    """Measure in this terminal; a failure goes to ``out`` with a ``.log`` suffix."""
    try:
        graphics.probe_once()  # before Textual owns the terminal, as `kiosk run` may do
        clips = frames(30)
        TerminalBench(clips, seconds, out, setting, max_width).run()
    except Exception:
        import traceback

        out.with_suffix(".log").write_text(traceback.format_exc())
        raise


#: Runs inside the terminal as the unprivileged user (system Python, standard library only):
#: hands the terminal (its pty, fd 0) and TERM over a Unix socket to the measuring process,
#: which runs as the caller with the project's .venv, then waits until the measurement is done.
RELAY = """
import os, socket, sys
link = socket.socket(socket.AF_UNIX)
link.connect(sys.argv[1])
socket.send_fds(link, [(os.environ.get("TERM", "") + " "
                        + os.environ.get("COLORTERM", "")).encode()], [0])
link.recv(1)
"""


def under_cage(terminal: str, seconds: float, shot: Path | None, setting: str,
               max_width: int) -> int:
    """Run ``--in-terminal`` on ``terminal``'s pty under a headless Cage (unprivileged user).

    Cage must not run as root, and the project's interpreter may live where that user cannot
    read; so the terminal runs a relay that passes its pty back, and the measurement runs here.
    """
    for tool in ("cage", terminal, "grim", "runuser"):
        if shutil.which(tool) is None:
            print(f"preview_bench: {tool} is not installed")
            return 1
    user = "nobody" if os.geteuid() == 0 else None
    runtime = Path(tempfile.mkdtemp(prefix="pasboks-bench-"))
    if user is not None:
        shutil.chown(runtime, user)
    env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(runtime),
        "XDG_RUNTIME_DIR": str(runtime),
        "LANG": "C.UTF-8", "WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman",
        "WLR_LIBINPUT_NO_DEVICES": "1", "LIBGL_ALWAYS_SOFTWARE": "1",
        "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent",  # no session bus to wait for
    }
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(runtime / "relay.sock"))
    os.chmod(runtime / "relay.sock", 0o666)
    listener.listen(1)
    listener.settimeout(60)
    relay = ["/usr/bin/python3", "-c", RELAY, str(runtime / "relay.sock")]
    if terminal == "foot":
        # As deploy/smoke-test does: a window a pixel smaller than the screen, because Cage
        # 0.1.4's headless output shows no further frames of a full-screen (scanned-out) one.
        inner = ["foot", f"--config={ROOT / 'deploy' / 'foot.ini'}", "-o", "csd.preferred=client",
                 "-o", "csd.size=1", "--", *relay]
    else:
        inner = ["kitty", "-o", "confirm_os_window_close=0", "--", *relay]
    command = ["cage", "--", *inner]
    if user is not None:
        command = ["runuser", "-p", "-u", user, "--", *command]
    out = Path(tempfile.mkdtemp(prefix="pasboks-bench-out-")) / "result.json"
    errors = ""
    session_log = out.with_suffix(".session")
    with open(session_log, "wb") as log:
        # Its own process group: on failure the whole session (runuser, cage, terminal) goes.
        session = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    bench: subprocess.Popen[str] | None = None
    try:
        link, _ = listener.accept()
        term, fds, _, _ = socket.recv_fds(link, 64, 1)
        bench = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--in-terminal", str(seconds),
             "--out", str(out), "--graphics", setting, "--max-width", str(max_width)],
            # Textual draws on stderr: all three are the terminal.
            stdin=fds[0], stdout=fds[0], stderr=fds[0], cwd=ROOT, text=True,
            env={**os.environ, "TERM": term.decode().split(" ")[0],
                 "COLORTERM": term.decode().split(" ")[1]})
        if shot is not None:
            half = out.with_suffix(".half")
            deadline = time.monotonic() + 60
            while not half.exists() and bench.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            grim = ["grim", str(runtime / "shot.png")]
            if user is not None:
                grim = ["runuser", "-p", "-u", user, "--", *grim]
            wayland = sorted(p.name for p in runtime.glob("wayland-*") if not p.suffix)
            if wayland:
                subprocess.run(grim, env={**env, "WAYLAND_DISPLAY": wayland[0]},
                               check=False, timeout=30)
        bench.wait(timeout=seconds + 60)
        link.close()
        os.close(fds[0])
        session.wait(timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        errors = f"{error}"
        os.killpg(session.pid, signal.SIGKILL)
        session.wait()
        if bench is not None:
            bench.kill()
    finally:
        listener.close()
        for log_file in (out.with_suffix(".log"), session_log):
            if log_file.exists():
                errors += "\n".join(line for line in log_file.read_text(errors="replace")
                                     .splitlines() if "output test failed" not in line)
    if shot is not None and (runtime / "shot.png").exists():
        shutil.copy(runtime / "shot.png", shot)
    shutil.rmtree(runtime, ignore_errors=True)
    if not out.exists():
        print(f"preview_bench: no result from {terminal} under cage: "
              f"{(errors or '').strip().splitlines()[-3:]}")
        shutil.rmtree(out.parent, ignore_errors=True)
        return 1
    result = json.loads(out.read_text())
    shutil.rmtree(out.parent, ignore_errors=True)
    print(f"in {terminal} under cage (headless, pixman), TERM={result['term']}: "
          f"{result['protocol']} {result['pixels'][0]}x{result['pixels'][1]} px in "
          f"{result['cells'][0]}x{result['cells'][1]} cells of {result['cell_px'][0]}x"
          f"{result['cell_px'][1]} px: {result['drawn_fps']} fps drawn of "
          f"{result['offered_fps']} offered, {result['encode_ms']} ms per encode"
          + (f"; screenshot {shot}" if shot else ""))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="encoders,widget,analysis,halfblock",
                        help="comma-separated sections to run")
    parser.add_argument("--in-terminal", type=float, metavar="SECONDS")
    parser.add_argument("--out", type=Path, default=Path("preview-bench.json"))
    parser.add_argument("--cage", action="store_true")
    parser.add_argument("--terminal", choices=("foot", "kitty"), default="foot")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--shot", type=Path)
    parser.add_argument("--graphics", choices=("auto", "kitty", "sixel", "halfblock"),
                        default="auto")
    parser.add_argument("--max-width", type=int, default=320)
    args = parser.parse_args()
    if args.in_terminal is not None:
        in_terminal(args.in_terminal, args.out, args.graphics, args.max_width)
        return 0
    if args.cage:
        return under_cage(args.terminal, args.seconds, args.shot, args.graphics, args.max_width)
    clips = frames(30)
    sections = set(args.only.split(","))
    if "encoders" in sections:
        bench_encoders(clips)
    if "widget" in sections:
        asyncio.run(bench_widget(clips))
    if "analysis" in sections:
        bench_analysis(clips)
    if "halfblock" in sections:
        asyncio.run(bench_halfblock(clips))
    for thread in threading.enumerate():  # an encoder finishing its last frame
        if thread.name == "picture-encoder":
            thread.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())

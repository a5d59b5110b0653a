"""The simulated camera: renders a persona and serves it as MJPEG over HTTP on loopback.

The real :class:`drivers.camera.OpenCvCamera` opens the URL exactly as it would open a network
camera, so the kiosk reads the same bytes it would read from hardware. Faults are injected live
from tests or a debug console:

* ``freeze`` (``mode="repeat"``: keep sending the same JPEG; ``mode="stall"``: send nothing but
  keep the connection open),
* ``low_fps`` (``fps=3``: the frame rate drops),
* ``unplug`` (connections are closed and new ones refused until :meth:`SimulatedCamera.replug`).

Faults are kept in the camera's :class:`~simulator.faults.FaultBook`, like every simulated
device's, and last until cleared.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections import OrderedDict
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from simulator.camera.persona import Persona, load_persona
from simulator.camera.scene import NOISE_PHASES, Scene, raised_by
from simulator.camera.stamp import stamp_sequence
from simulator.faults import FaultParams, FaultSpec, FaultyDevice, param_float

log = logging.getLogger(__name__)

#: Faults of the simulated camera; each lasts until cleared.
CAMERA_FAULTS = {
    "freeze": FaultSpec("same picture again (mode=repeat) or none (mode=stall)", times=None),
    "low_fps": FaultSpec("frame rate drops to `fps` (default 3)", times=None),
    "unplug": FaultSpec("close the stream; new connections refused", times=None),
}
BOUNDARY = b"frame"


class SimulatedCamera(FaultyDevice):
    """A persona in front of a simulated camera, streamed as ``multipart/x-mixed-replace``."""

    def __init__(
        self,
        persona: str | Path | Persona = "compliant",
        width: int = 1280,
        height: int = 720,
        fps: float = 30.0,
        portrait: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        jpeg_quality: int = 85,
        stamp_frames: bool = False,
        name: str = "camera",
    ) -> None:
        """Make the camera. The portrait is prepared when the camera starts, in the background
        (a couple of seconds the first time): until then the stream shows the empty booth, as a
        camera does before the citizen steps in.

        Args:
            persona: Bundled persona name, a persona TOML path, or a :class:`Persona`.
            width: Frame width; match the driver's configured size.
            height: Frame height.
            fps: Frames per second the stream is paced to.
            portrait: Path of a portrait photo to use instead of the bundled astronaut.
            host: Address to listen on; loopback only by default.
            port: TCP port, 0 for an ephemeral one (read :attr:`url` after :meth:`start`).
            jpeg_quality: JPEG quality of the stream.
            stamp_frames: Write the frame number into the top-left pixels (for benchmarks).
            name: The configured device name.
        """
        super().__init__(name, CAMERA_FAULTS)
        self.scene = Scene(width, height, portrait)
        self.fps = fps
        self.host = host
        self.port = port
        self.jpeg_quality = jpeg_quality
        self.stamp_frames = stamp_frames
        #: Send time (``time.monotonic()``) of recent frame numbers, for latency measurements.
        self.sent_at: OrderedDict[int, float] = OrderedDict()
        self._persona = self._resolve(persona)
        self._persona_start = time.monotonic()
        #: How far the citizen's eyes are above the camera's axis (mm; negative: below). A
        #: camera lift changes it as it moves; a child or a seated citizen starts below.
        self.eyes_above_camera_mm = 0.0
        self._eyes_lock = threading.Lock()
        self._jpeg_cache: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._cond = threading.Condition()
        self._jpeg = b""
        self._seq = 0
        self._clients: set[socket.socket] = set()
        self._running = False
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # -- control -------------------------------------------------------------------------------

    def move_eyes(self, mm: float) -> None:
        """The citizen's eyes rise by ``mm`` relative to the camera (negative: they sink); the
        column's runs and a citizen who straightens up both come here, from their threads."""
        with self._eyes_lock:
            self.eyes_above_camera_mm += mm

    @property
    def url(self) -> str:
        """The stream URL (valid after :meth:`start`)."""
        return f"http://{self.host}:{self.port}/stream.mjpg"

    @property
    def persona(self) -> Persona:
        """The persona now in front of the camera."""
        return self._persona

    @property
    def plugged(self) -> bool:
        """False after an unplug, until the replug."""
        return not self._faults.is_active("unplug")

    @property
    def frames_sent(self) -> int:
        """Frames published to the stream so far."""
        return self._seq

    def start(self, prepare: bool = True) -> str:
        """Start serving; returns the stream URL.

        With ``prepare`` the portrait is prepared in the background at once; without, when
        :meth:`prepare` is called or a snapshot needs it. Until it is ready the stream shows
        the empty booth.
        """
        if self._running:
            return self.url
        self._running = True
        self._listen()
        producer = threading.Thread(target=self._produce, name="simcam-producer", daemon=True)
        producer.start()
        self._threads = [producer]
        if prepare and not self.scene.ready:
            preparing = threading.Thread(target=self.prepare, name="simcam-prepare", daemon=True)
            preparing.start()
            self._threads.append(preparing)
        return self.url

    def prepare(self) -> None:
        """Prepare the scene now (blocks; idempotent; :meth:`start` can run it in the
        background)."""
        try:
            self.scene.prepare()
        except Exception:  # a broken portrait file: the stream keeps showing the empty booth
            log.exception("the simulated camera could not prepare its portrait")

    def stop(self) -> None:
        """Stop serving and close every connection."""
        self._running = False
        self._close_server()
        with self._cond:
            self._cond.notify_all()
        for t in self._threads:
            # The preparation cannot be interrupted: wait for it, or native code would still
            # run in it while the interpreter shuts down (and abort the process).
            t.join(timeout=60 if t.name == "simcam-prepare" else 2)
        self._threads = []

    def set_persona(self, persona: str | Path | Persona) -> None:
        """Put another persona in front of the camera; its timeline starts now."""
        resolved = self._resolve(persona)
        with self._cond:
            self._persona = resolved
            self._persona_start = time.monotonic()

    def _fault_armed(self, name: str, params: FaultParams) -> None:
        log.info("camera fault injected: %s %s", name, params)
        self._faults.met(name, "", params)
        with self._cond:
            self._cond.notify_all()
        if name == "unplug":
            self._close_server()

    def _end_fault(self, name: str, was_active: bool) -> None:
        with self._cond:
            self._cond.notify_all()
        if name == "unplug" and was_active and self._running:
            self._listen()

    def unplug(self) -> None:
        """Pull the cable: ``inject("unplug")``."""
        self.inject("unplug")

    def replug(self) -> None:
        """Put the cable back: ``clear("unplug")``."""
        self.clear("unplug")

    def frame_at(self, t: float) -> NDArray[np.uint8]:
        """The frame the persona shows ``t`` seconds into its timeline (no server needed)."""
        pose = raised_by(self._persona.pose_at(t), self.eyes_above_camera_mm)
        return self.scene.render(pose, self._persona.background)

    # -- producing frames -----------------------------------------------------------------------

    def _resolve(self, persona: str | Path | Persona) -> Persona:
        return persona if isinstance(persona, Persona) else load_persona(persona)

    def _encode(self, seq: int) -> bytes:
        with self._cond:
            persona, start = self._persona, self._persona_start
        pose = raised_by(persona.pose_at(time.monotonic() - start),
                         self.eyes_above_camera_mm).quantised()
        if not self.scene.ready:
            pose = replace(pose, present=False)  # the citizen is not prepared yet: empty booth
        phase = seq % NOISE_PHASES
        if self.stamp_frames:
            frame = self.scene.render(pose, persona.background, phase)
            stamp_sequence(frame, seq)
            return self._jpeg_bytes(frame)
        key = (pose, persona.background, phase)
        jpeg = self._jpeg_cache.get(key)
        if jpeg is None:
            jpeg = self._jpeg_bytes(self.scene.render(pose, persona.background, phase))
            self._jpeg_cache[key] = jpeg
            if len(self._jpeg_cache) > 4 * NOISE_PHASES:
                self._jpeg_cache.popitem(last=False)
        return jpeg

    def _jpeg_bytes(self, frame: NDArray[np.uint8]) -> bytes:
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        return buf.tobytes()

    def _produce(self) -> None:
        """Publish a frame every tick while anyone watches; faults change what and how often."""
        next_tick = time.monotonic()
        while self._running:
            faults = self._faults.active
            rate = param_float(faults["low_fps"], "fps", 3.0) if "low_fps" in faults else self.fps
            next_tick += 1.0 / rate
            delay = next_tick - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                next_tick = time.monotonic()  # fell behind: do not burst to catch up
            if not self._clients or "unplug" in faults:
                continue
            freeze = faults.get("freeze")
            if freeze is not None and freeze.get("mode", "repeat") == "stall":
                continue
            # A hung sensor sends the same image again and again.
            frozen = freeze is not None and self._jpeg
            jpeg = self._jpeg if frozen else self._encode(self._seq + 1)
            with self._cond:
                self._seq += 1
                self._jpeg = jpeg
                self.sent_at[self._seq] = time.monotonic()
                if len(self.sent_at) > 600:
                    self.sent_at.popitem(last=False)
                self._cond.notify_all()

    def _next_jpeg(self, after: int) -> tuple[int, bytes] | None:
        """Wait for a frame newer than ``after``; None when the stream should end."""
        with self._cond:
            while self._running and self.plugged and self._seq <= after:
                self._cond.wait(timeout=0.5)
            if not self._running or not self.plugged:
                return None
            return self._seq, self._jpeg

    # -- HTTP ------------------------------------------------------------------------------------

    def _listen(self) -> None:
        camera = self

        class Handler(_StreamHandler):
            sim = camera

        server = ThreadingHTTPServer((self.host, self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        # A short poll interval: unplug and stop (server.shutdown) take effect within 50 ms.
        threading.Thread(
            target=server.serve_forever, args=(0.05,), name="simcam-http", daemon=True
        ).start()

    def _close_server(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()  # new connections are now refused, like an unplugged camera
        with self._cond:
            clients = list(self._clients)
            self._cond.notify_all()
        for conn in clients:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _StreamHandler(BaseHTTPRequestHandler):
    """Serves ``/stream.mjpg`` (multipart MJPEG) and ``/snapshot.jpg`` (one JPEG)."""

    sim: SimulatedCamera

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("simcam http: " + format, *args)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        sim = self.sim
        if self.path.startswith("/snapshot"):
            body = sim._jpeg_bytes(sim.frame_at(time.monotonic() - sim._persona_start))
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if not self.path.startswith("/stream"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY.decode()}")
        self.end_headers()
        with sim._cond:
            sim._clients.add(self.connection)
            seq = sim._seq
        try:
            while (item := sim._next_jpeg(seq)) is not None:
                seq, jpeg = item
                head = b"--%s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % (
                    BOUNDARY,
                    len(jpeg),
                )
                self.wfile.write(head + jpeg + b"\r\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the viewer went away
        finally:
            with sim._cond:
                sim._clients.discard(self.connection)

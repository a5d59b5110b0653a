"""The camera driver: ``cv2.VideoCapture`` read by a thread that keeps only the newest frame.

One class serves every source the kiosk meets: a UVC camera by index (V4L2 on Linux), a network
camera's MJPEG URL (also what the simulator serves) and a recorded clip or image sequence. The
UI polls :meth:`OpenCvCamera.latest` (never blocks) and :meth:`OpenCvCamera.status`, which says
whether the stream is healthy and, if not, carries the named :class:`DeviceError` to show
(:class:`~drivers.interfaces.CameraStatus`, re-exported here).
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import cv2
import cv2.typing
import numpy as np
from numpy.typing import NDArray

from drivers.camera_controls import CaptureProperties, configure_format, lock_controls
from drivers.errors import (
    DeviceDisconnectedError,
    DeviceError,
    DeviceNotFoundError,
    DeviceTimeoutError,
)
from drivers.interfaces import CameraStatus as CameraStatus
from drivers.interfaces import Frame, Health

log = logging.getLogger(__name__)



class VideoSource(CaptureProperties, Protocol):
    """What the driver uses of a ``cv2.VideoCapture`` (tests pass a fake device)."""

    def isOpened(self) -> bool: ...  # noqa: N802 - OpenCV's name

    def read(self) -> tuple[bool, cv2.typing.MatLike | None]: ...

    def release(self) -> None: ...


#: Makes a :class:`VideoSource` from ``(source, api)`` or ``(url, api, params)``.
CaptureFactory = Callable[..., VideoSource]


class OpenCvCamera:
    """A camera behind ``cv2.VideoCapture``: device index, ``http://`` URL, or file/sequence."""

    #: Seconds over which the health probe measures the delivered frame rate.
    PROBE_WINDOW = 0.5

    def __init__(
        self,
        name: str,
        source: str | int,
        width: int = 1280,
        height: int = 720,
        fourcc: str = "MJPG",
        fps: float = 30.0,
        lock_exposure: bool = True,
        exposure: float | None = None,
        white_balance: float | None = None,
        loop: bool = True,
        open_timeout: float = 5.0,
        stall_timeout: float = 2.0,
        frozen_after: float | None = 3.0,
        warmup: float = 1.0,
        max_backoff: float = 4.0,
        min_backoff: float = 0.25,
        capture_factory: CaptureFactory | None = None,
    ) -> None:
        """Configure the camera; nothing is opened until :meth:`open`.

        Args:
            name: The configured device name, used in errors.
            source: Device index (``0`` or ``"0"``), URL (``http://…``) or file/sequence path
                (``clip.avi``, ``frames/%04d.png``).
            width: Requested frame width (devices only; URLs and files deliver their own size).
            height: Requested frame height.
            fourcc: Requested pixel format; ``MJPG`` reaches full frame rate over USB 2.0.
            fps: Requested device frame rate; also the pace at which a file source is played.
            lock_exposure: After ``warmup`` s, freeze auto exposure, white balance and focus at
                the values the camera settled on (V4L2 devices), for repeatable photos.
            exposure: Manual exposure value (backend units; V4L2: 100 µs); implies locking.
            white_balance: Manual white balance in Kelvin; implies locking.
            loop: Play a file source again from the start when it ends.
            open_timeout: Seconds :meth:`open` waits for the first frame.
            stall_timeout: No new frame for this long means the stream stalled.
            frozen_after: Bit-identical frames for this long means the sensor froze (a real
                sensor always shows some noise); None to disable, e.g. for a still image.
            warmup: Seconds of streaming before exposure and white balance are locked.
            max_backoff: Longest wait between reconnection attempts, in seconds.
            min_backoff: First wait before reconnecting; doubles up to ``max_backoff``.
            capture_factory: Replaces ``cv2.VideoCapture`` (tests pass a fake device).
        """
        self.name = name
        self.source = source
        self.width, self.height, self.fourcc, self.fps = width, height, fourcc, fps
        self.lock_exposure = lock_exposure or exposure is not None or white_balance is not None
        self.exposure, self.white_balance = exposure, white_balance
        self.loop = loop
        self.open_timeout, self.stall_timeout = open_timeout, stall_timeout
        self.frozen_after, self.warmup, self.max_backoff = frozen_after, warmup, max_backoff
        self.min_backoff = min_backoff
        self._factory = capture_factory or cv2.VideoCapture
        self._kind, self._target = _parse_source(source)
        #: What the backend accepted: requested vs read-back values, lock results.
        self.settings: dict[str, str] = {}
        #: Seconds from :meth:`open` to the first frame, the last time it opened.
        self.open_seconds: float | None = None
        self._lock = threading.Lock()
        self._reset_counters()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def _reset_counters(self) -> None:
        self._frame: Frame | None = None
        self._taken = True
        self._read = self._dropped = self._reconnects = 0
        self._times: deque[float] = deque(maxlen=31)
        self._same_since = 0.0
        self._signature = -1
        self._state = "closed"
        self._error: DeviceError | None = None

    # -- the Device protocol -----------------------------------------------------------------

    def open(self) -> None:
        """Open the source, start the capture thread and wait for the first frame.

        On an open camera whose stream is healthy this does nothing. On one whose stream has
        failed (reconnecting, stalled or frozen) it is a retry someone asked for: the capture
        thread and its reconnect backoff are dropped and the source is reopened at once.

        Raises:
            DeviceNotFoundError: The source cannot be opened.
            DeviceTimeoutError: It opened but no frame came within ``open_timeout``.
        """
        if self._thread is not None:
            if self.status().ok:
                return
            self.close()
        started = time.monotonic()
        with self._lock:
            self._reset_counters()
        cap = self._open_capture()
        # A fresh event per thread: a previous thread still stuck in a read must stay stopped.
        self._stop = threading.Event()
        self._state = "streaming"
        self._thread = threading.Thread(
            target=self._run, args=(cap, self._stop), name=f"camera-{self.name}", daemon=True
        )
        self._thread.start()
        while self._frame is None and time.monotonic() - started < self.open_timeout:
            if self._error is not None and self._state == "reconnecting":
                break
            time.sleep(0.005)
        if self._frame is None:
            self.close()
            raise DeviceTimeoutError(self.name, f"no frame within {self.open_timeout:.1f} s")
        self.open_seconds = time.monotonic() - started

    def close(self) -> None:
        """Stop the capture thread and release the source. Never raises."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=self.stall_timeout + 3.0)
        self._state = "closed"

    def probe(self) -> Health:
        """Wait for a fresh frame (opening the camera if closed) and report. Never raises."""
        started = time.monotonic()
        opened_here = self._thread is None
        try:
            if opened_here:
                self.open()
            before = self._frame.index if self._frame else -1
            while time.monotonic() - started < self.open_timeout + self.stall_timeout:
                frame = self._frame
                if frame is not None and frame.index > before:
                    break
                self.raise_if_failed()
                time.sleep(0.005)
            else:
                raise DeviceTimeoutError(self.name, "no new frame during the probe")
            # Measure the rate over a window of our own: just after opening, the stream
            # delivers its buffered frames in a burst that would inflate the running estimate.
            window_start, first = time.monotonic(), frame.index
            time.sleep(self.PROBE_WINDOW)
            last = self._frame.index if self._frame else first
            fps = (last - first) / (time.monotonic() - window_start)
            h, w = frame.pixels.shape[:2]
            extra = {"width": str(w), "height": str(h), "fps": f"{fps:.1f}"}
            extra |= {f"setting.{k}": v for k, v in self.settings.items()}
            if self.open_seconds is not None:
                extra["open_seconds"] = f"{self.open_seconds:.3f}"
            latency = (time.monotonic() - started) * 1000
            return Health(True, f"{w}x{h} at {fps:.1f} fps", latency, extra=extra)
        except DeviceError as e:
            latency = (time.monotonic() - started) * 1000
            return Health(False, e.detail, latency, code=e.code)
        finally:
            if opened_here:
                self.close()

    # -- the Camera protocol and status --------------------------------------------------------

    def latest(self) -> Frame | None:
        """The newest frame, or None before the first. Never blocks."""
        frame = self._frame
        self._taken = True
        return frame

    def status(self) -> CameraStatus:
        """The stream's health now; ``error`` names what is wrong (never raises)."""
        now = time.monotonic()
        with self._lock:
            frame, state, error = self._frame, self._state, self._error
            times = list(self._times)
            same_since = self._same_since
        age = now - frame.timestamp if frame is not None else None
        if state == "streaming" and age is not None and age > self.stall_timeout:
            state = "stalled"
            error = DeviceTimeoutError(self.name, f"no new frame for {age:.1f} s")
        elif (
            state == "streaming"
            and self.frozen_after is not None
            and same_since
            and now - same_since > self.frozen_after
        ):
            state = "frozen"
            error = DeviceTimeoutError(self.name, f"image frozen for {now - same_since:.1f} s")
        fps = 0.0
        recent = [t for t in times if now - t < 2.0]
        if len(recent) >= 2 and recent[-1] > recent[0]:
            fps = (len(recent) - 1) / (recent[-1] - recent[0])
        return CameraStatus(state, error, fps, self._read, self._dropped, age, self._reconnects)

    @property
    def error(self) -> DeviceError | None:
        """The error making the stream unusable now, or None."""
        return self.status().error

    def raise_if_failed(self) -> None:
        """Raise the stream's current error (DeviceTimeoutError, DeviceDisconnectedError...)."""
        error = self.status().error
        if error is not None:
            raise error

    #: Alias of :meth:`raise_if_failed`.
    check = raise_if_failed

    # -- opening and configuring -----------------------------------------------------------------

    def _open_capture(self) -> VideoSource:
        if self._kind == "device":
            api = cv2.CAP_V4L2 if sys.platform.startswith("linux") else cv2.CAP_ANY
            cap = self._factory(self._target, api)
        elif self._kind == "url":
            timeout_ms = int(max(self.stall_timeout, 0.5) * 1000)
            params = [
                cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
                int(self.open_timeout * 1000),
                cv2.CAP_PROP_READ_TIMEOUT_MSEC,
                timeout_ms,
            ]
            cap = self._factory(self._target, cv2.CAP_FFMPEG, params)
        else:
            target = str(self._target)
            if "%" not in target and not Path(target).exists():
                raise DeviceNotFoundError(self.name, f"no such file {target}")
            cap = self._factory(target, cv2.CAP_ANY)
        if not cap.isOpened():
            cap.release()
            raise DeviceNotFoundError(self.name, f"cannot open camera source {self.source!r}")
        if self._kind == "device":
            self.settings |= configure_format(
                cap, self.fourcc, self.width, self.height, self.fps, self.name
            )
        return cap

    # -- the capture thread ----------------------------------------------------------------------

    def _run(self, cap: VideoSource | None, stop: threading.Event) -> None:
        """Read continuously; publish each frame; reopen with backoff when the source fails."""
        backoff = self.min_backoff
        opened_at = time.monotonic()
        locked = replaying = False
        pace = 0.0
        if cap is not None and self._kind == "file":
            pace = 1.0 / (cap.get(cv2.CAP_PROP_FPS) or self.fps)
        due = time.monotonic()
        while not stop.is_set():
            if cap is None:
                try:
                    cap = self._open_capture()
                except DeviceError as e:
                    self._fail(
                        stop, "reconnecting", type(self._error or e), f"reopen failed: {e.detail}"
                    )
                    stop.wait(backoff)
                    backoff = min(backoff * 2, self.max_backoff)
                    continue
                if stop.is_set():
                    break
                self._reconnects += 0 if replaying else 1
                opened_at, locked, replaying = time.monotonic(), False, False
            ok, img = cap.read()
            if stop.is_set():
                break
            if not ok or img is None:
                cap.release()
                cap = None
                if self._kind == "file" and self.loop and self._frame is not None:
                    replaying = True  # end of the clip: play it again
                    continue
                # A read that failed after a long wait is a stall; one that failed at once, a loss.
                age = time.monotonic() - self._frame.timestamp if self._frame else float("inf")
                stalled = age > self.stall_timeout / 2
                kind = DeviceTimeoutError if stalled else DeviceDisconnectedError
                self._fail(stop, "reconnecting", kind, "no frames" if stalled else "stream lost")
                stop.wait(backoff)  # a source that accepts and drops must not spin us
                backoff = min(backoff * 2, self.max_backoff)
                continue
            backoff = self.min_backoff
            self._publish(np.asarray(img, dtype=np.uint8), stop)
            if (
                not locked
                and self._kind == "device"
                and self.lock_exposure
                and time.monotonic() - opened_at > self.warmup
            ):
                self.settings |= lock_controls(cap, self.exposure, self.white_balance)
                locked = True
            if pace:
                due = max(due + pace, time.monotonic() - pace)
                stop.wait(max(0.0, due - time.monotonic()))
        if cap is not None:
            cap.release()

    def _publish(self, img: NDArray[np.uint8], stop: threading.Event) -> None:
        now = time.monotonic()
        # A cheap fingerprint of the picture: equal fingerprints over time mean a frozen sensor.
        signature = zlib.crc32(np.ascontiguousarray(img[::16, ::16]).data)
        with self._lock:
            if stop.is_set():  # a thread being replaced must not touch the new stream's state
                return
            if not self._taken:
                self._dropped += 1
            if signature != self._signature:
                self._signature, self._same_since = signature, 0.0
            elif not self._same_since:
                self._same_since = now
            self._frame = Frame(img, now, self._read)
            self._read += 1
            self._taken = False
            self._times.append(now)
            self._state, self._error = "streaming", None

    def _fail(
        self, stop: threading.Event, state: str, kind: type[DeviceError], detail: str
    ) -> None:
        with self._lock:
            if stop.is_set():
                return
            if self._state != state or self._error is None:
                log.warning("%s: %s (%s)", self.name, detail, state)
            self._state = state
            self._error = kind(self.name, detail)


def _parse_source(source: str | int) -> tuple[str, str | int]:
    """Classify a source as ``device`` (index), ``url`` or ``file``."""
    if isinstance(source, int):
        return "device", source
    text = str(source).strip()
    if text.isdigit():
        return "device", int(text)
    if "://" in text:
        return "url", text
    return "file", text


# Reconnect attempts make OpenCV print a warning each; the driver logs its own line instead.
with contextlib.suppress(Exception):
    cv2.setLogLevel(2)  # 2 = LOG_LEVEL_ERROR

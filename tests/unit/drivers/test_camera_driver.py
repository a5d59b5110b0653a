"""The real OpenCvCamera against the simulated camera's MJPEG stream over loopback."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from drivers.camera import CameraStatus, OpenCvCamera
from drivers.errors import DeviceDisconnectedError, DeviceNotFoundError, DeviceTimeoutError
from drivers.interfaces import Camera
from simulator.camera.clip import write_clip
from simulator.camera.server import SimulatedCamera


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` s pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def sim() -> Iterator[SimulatedCamera]:
    camera = SimulatedCamera("compliant", width=640, height=360)
    camera.start()
    yield camera
    camera.stop()


@pytest.fixture
def cam(sim: SimulatedCamera) -> Iterator[OpenCvCamera]:
    camera = OpenCvCamera("camera", sim.url, stall_timeout=0.8, frozen_after=0.8, max_backoff=0.5)
    camera.open()
    yield camera
    camera.close()


def test_satisfies_the_camera_protocol(cam: OpenCvCamera) -> None:
    assert isinstance(cam, Camera)


def test_full_size_frames_arrive_and_their_rate_is_measured() -> None:
    # Open time, frame rate and latency are measured by evaluation/camera_bench.py.
    sim = SimulatedCamera("compliant")
    sim.start()
    cam = OpenCvCamera("camera", sim.url)
    try:
        cam.open()
        assert cam.open_seconds is not None
        first = cam.latest()
        assert first is not None
        assert wait_for(lambda: (f := cam.latest()) is not None and f.index >= first.index + 2)
        frame = cam.latest()
        assert frame is not None
        assert frame.pixels.shape == (720, 1280, 3)
        status = cam.status()
        assert status.ok and status.state == "streaming"
        assert status.fps > 0
    finally:
        cam.close()
        sim.stop()


def test_the_newest_frame_wins(cam: OpenCvCamera) -> None:
    # How long latest() takes and how old its frame is: evaluation/camera_bench.py.
    first = cam.latest()
    assert first is not None
    assert wait_for(lambda: cam.status().frames_read > first.index + 3)
    newest = cam.latest()
    assert newest is not None and newest.index > first.index + 1
    # Frames nobody looked at were dropped, not queued.
    assert cam.status().frames_dropped >= newest.index - first.index - 1 > 0
    assert newest.timestamp > first.timestamp


def test_probe_reports_size_and_rate(cam: OpenCvCamera) -> None:
    health = cam.probe()
    assert health.ok, health
    assert health.extra["width"] == "640" and health.extra["height"] == "360"
    assert float(health.extra["fps"]) > 0


def test_stalled_stream_is_a_timeout_and_recovers(sim: SimulatedCamera, cam: OpenCvCamera) -> None:
    sim.inject("freeze", mode="stall")
    assert wait_for(lambda: cam.status().error is not None)
    with pytest.raises(DeviceTimeoutError):
        cam.raise_if_failed()
    sim.clear("freeze")
    assert wait_for(lambda: cam.status().ok, timeout=8)


def test_frozen_image_is_a_timeout_and_recovers(sim: SimulatedCamera, cam: OpenCvCamera) -> None:
    sim.inject("freeze", mode="repeat")
    assert wait_for(lambda: cam.status().state == "frozen")
    assert isinstance(cam.error, DeviceTimeoutError)
    assert "frozen" in cam.error.detail
    sim.clear("freeze")
    assert wait_for(lambda: cam.status().ok)


def test_unplug_is_a_disconnection_and_replug_reconnects(
    sim: SimulatedCamera, cam: OpenCvCamera
) -> None:
    sim.unplug()
    assert wait_for(lambda: isinstance(cam.error, DeviceDisconnectedError))
    assert cam.status().state == "reconnecting"
    before = cam.latest()
    sim.replug()
    assert wait_for(lambda: cam.status().ok, timeout=8)
    after = cam.latest()
    assert before is not None and after is not None and after.index > before.index
    assert cam.status().reconnects >= 1
    assert [f.name for f in sim.faults_met] == ["unplug"]


def test_low_fps_shows_in_the_measured_rate(sim: SimulatedCamera, cam: OpenCvCamera) -> None:
    sim.inject("low_fps", fps=4)
    time.sleep(1.5)
    status: CameraStatus = cam.status()
    assert status.fps < 8


def test_unreachable_url_is_not_found(sim: SimulatedCamera) -> None:
    url = sim.url
    sim.stop()
    cam = OpenCvCamera("camera", url, open_timeout=1.0)
    with pytest.raises(DeviceNotFoundError):
        cam.open()
    health = cam.probe()
    assert not health.ok and health.code == "device_not_found"


def test_missing_file_is_not_found() -> None:
    with pytest.raises(DeviceNotFoundError):
        OpenCvCamera("camera", "/nonexistent/clip.avi").open()


def test_recorded_clip_loops(tmp_path) -> None:
    clip = write_clip(
        "stepping-in", tmp_path / "clip.avi", seconds=0.5, fps=20, width=320, height=180
    )
    cam = OpenCvCamera("camera", str(clip), fps=20)
    cam.open()
    try:
        # 10 frames in the file; playing on past them means it looped.
        assert wait_for(lambda: cam.status().frames_read > 14, timeout=3)
        frame = cam.latest()
        assert frame is not None and frame.pixels.shape == (180, 320, 3)
        assert cam.status().ok
    finally:
        cam.close()

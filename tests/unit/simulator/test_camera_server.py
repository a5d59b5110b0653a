"""The simulated camera's HTTP stream, fault API and clip writer."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import cv2
import numpy as np
import pytest

from simulator.camera.clip import write_clip
from simulator.camera.server import SimulatedCamera
from simulator.camera.stamp import read_stamp, stamp_sequence


@pytest.fixture
def sim() -> Iterator[SimulatedCamera]:
    camera = SimulatedCamera("compliant", width=320, height=180)
    camera.start()
    yield camera
    camera.stop()


def test_stream_is_multipart_jpeg(sim: SimulatedCamera) -> None:
    with urllib.request.urlopen(sim.url, timeout=5) as response:
        assert response.headers["Content-Type"] == "multipart/x-mixed-replace; boundary=frame"
        assert response.readline() == b"--frame\r\n"
        headers = {}
        while (line := response.readline()) != b"\r\n":
            key, value = line.decode().split(":", 1)
            headers[key] = value.strip()
        assert headers["Content-Type"] == "image/jpeg"
        body = response.read(int(headers["Content-Length"]))
    image = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (180, 320, 3)


def test_snapshot_url_serves_one_jpeg(sim: SimulatedCamera) -> None:
    url = sim.url.replace("stream.mjpg", "snapshot.jpg")
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.headers["Content-Type"] == "image/jpeg"
        image = cv2.imdecode(np.frombuffer(response.read(), np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (180, 320, 3)


def test_unplug_refuses_connections_until_replug(sim: SimulatedCamera) -> None:
    sim.unplug()
    with pytest.raises(OSError):
        urllib.request.urlopen(sim.url, timeout=2)
    sim.replug()
    with urllib.request.urlopen(sim.url, timeout=5) as response:
        assert response.readline() == b"--frame\r\n"


def test_faults_are_recorded_and_unknown_ones_rejected(sim: SimulatedCamera) -> None:
    sim.inject("low_fps", fps=2)
    sim.inject("freeze", mode="stall")
    assert set(sim.active_faults) == {"low_fps", "freeze"}
    sim.clear("low_fps")
    sim.clear("freeze")
    assert sim.active_faults == {}
    assert [(f.spec, f.params) for f in sim.faults_met] == [
        ("camera:low_fps", {"fps": 2}),
        ("camera:freeze", {"mode": "stall"}),
    ]
    with pytest.raises(ValueError, match="unsupported fault 'explode' by camera"):
        sim.inject("explode")


def test_set_persona_switches_live(sim: SimulatedCamera) -> None:
    sim.set_persona("absent")
    assert sim.persona.name == "absent"
    empty = sim.frame_at(0.0)
    assert empty[:, :, :].std() < 10  # just the plain wall


def test_stamp_round_trips_through_jpeg() -> None:
    frame = np.full((180, 320, 3), 128, np.uint8)
    stamp_sequence(frame, 654321)
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert read_stamp(cv2.imdecode(buf, cv2.IMREAD_COLOR)) == 654321


def test_clip_is_readable_mjpg_avi(tmp_path) -> None:
    path = write_clip("compliant", tmp_path / "c.avi", seconds=0.5, fps=10, width=320, height=180)
    cap = cv2.VideoCapture(str(path))
    frames = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        assert frame.shape == (180, 320, 3)
        frames += 1
    cap.release()
    assert frames == 5


def stream_frames(url: str, count: int) -> list[np.ndarray]:
    """The next ``count`` frames of the stream."""
    frames = []
    with urllib.request.urlopen(url, timeout=5) as response:
        for _ in range(count):
            assert response.readline() == b"--frame\r\n"
            length = 0
            while (line := response.readline()) != b"\r\n":
                key, value = line.decode().split(":", 1)
                if key == "Content-Length":
                    length = int(value)
            body = response.read(length)
            assert response.readline() == b"\r\n"
            frames.append(cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR))
    return frames


def test_the_stream_shows_the_empty_booth_until_the_portrait_is_prepared() -> None:
    camera = SimulatedCamera("compliant", width=320, height=180)
    camera.start(prepare=False)
    try:
        assert not camera.scene.ready
        # The plain wall, nobody in front; the stream never waits for the portrait.
        assert all(frame.std() < 10 for frame in stream_frames(camera.url, 3))
        assert not camera.scene.ready
        camera.prepare()
        assert camera.scene.ready
        # A frame begun before the portrait was ready may still come; then the citizen.
        assert stream_frames(camera.url, 3)[-1].std() > 20
    finally:
        camera.stop()


def test_a_snapshot_prepares_the_portrait_when_it_is_needed() -> None:
    camera = SimulatedCamera("compliant", width=320, height=180)
    camera.start(prepare=False)
    try:
        url = camera.url.replace("stream.mjpg", "snapshot.jpg")
        with urllib.request.urlopen(url, timeout=30) as response:
            image = cv2.imdecode(np.frombuffer(response.read(), np.uint8), cv2.IMREAD_COLOR)
        assert camera.scene.ready and image.std() > 20
    finally:
        camera.stop()

"""UVC property handling, against a fake VideoCapture that records what was set."""

from __future__ import annotations

import time
from typing import Any

import cv2
import numpy as np

from drivers.camera import OpenCvCamera
from drivers.camera_controls import V4L2_EXPOSURE_MANUAL, configure_format, lock_controls


class FakeDevice:
    """A V4L2 camera that takes some properties, refuses others, and streams grey frames."""

    def __init__(self, *args: Any, refuse: tuple[int, ...] = (), **kwargs: Any) -> None:
        self.args = args
        self.calls: list[tuple[int, float]] = []
        self.props: dict[int, float] = {cv2.CAP_PROP_EXPOSURE: 156.0}
        self.refuse = refuse
        self.n = 0

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return True

    def set(self, prop: int, value: float) -> bool:
        self.calls.append((prop, value))
        if prop in self.refuse:
            return False
        self.props[prop] = value
        return True

    def get(self, prop: int) -> float:
        return self.props.get(prop, 0.0)

    def read(self) -> tuple[bool, np.ndarray]:
        time.sleep(0.01)
        self.n += 1
        return True, np.full((72, 128, 3), self.n % 256, np.uint8)

    def release(self) -> None:
        pass


def test_fourcc_is_requested_before_the_size_and_read_back() -> None:
    dev = FakeDevice(refuse=(cv2.CAP_PROP_FPS,))
    report = configure_format(dev, "MJPG", 1280, 720, 30)
    props = [p for p, _ in dev.calls]
    assert props.index(cv2.CAP_PROP_FOURCC) < props.index(cv2.CAP_PROP_FRAME_WIDTH)
    assert (cv2.CAP_PROP_BUFFERSIZE, 1) in dev.calls
    assert report["fourcc"].startswith("MJPG")
    assert report["width"] == "1280 (asked 1280)"
    assert "refused" in report["fps"]


def test_lock_keeps_the_settled_exposure_in_manual_mode() -> None:
    dev = FakeDevice(refuse=(cv2.CAP_PROP_AUTOFOCUS,))
    report = lock_controls(dev, white_balance=5000)
    assert (cv2.CAP_PROP_AUTO_EXPOSURE, V4L2_EXPOSURE_MANUAL) in dev.calls
    assert (cv2.CAP_PROP_EXPOSURE, 156.0) in dev.calls
    assert report["exposure"] == "locked at 156"
    assert report["white_balance"] == "locked at 5000"
    assert report["focus"] == "not supported"


def test_device_index_opens_v4l2_and_locks_after_warmup() -> None:
    made: list[FakeDevice] = []

    def factory(*args: Any) -> FakeDevice:
        made.append(FakeDevice(*args))
        return made[-1]

    cam = OpenCvCamera("camera", "0", warmup=0.1, capture_factory=factory)
    cam.open()
    try:
        time.sleep(0.3)
        assert made[0].args == (0, cv2.CAP_V4L2)
        assert cam.settings["exposure"] == "locked at 156"
        assert cam.probe().extra["setting.width"] == "1280 (asked 1280)"
    finally:
        cam.close()

"""Rendered persona frames have the geometry and look the personas promise."""

from __future__ import annotations

import math
from collections.abc import Iterator

import cv2
import mediapipe as mp
import numpy as np
import pytest

from simulator.camera.persona import Pose, load_persona
from simulator.camera.scene import Scene


@pytest.fixture(scope="module")
def scene() -> Scene:
    return Scene(1280, 720)


@pytest.fixture(scope="module")
def detector() -> Iterator[object]:
    with mp.solutions.face_detection.FaceDetection(
        model_selection=0, min_detection_confidence=0.5
    ) as d:
        yield d


@pytest.fixture(scope="module")
def mesh() -> Iterator[object]:
    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True, refine_landmarks=True, max_num_faces=1
    ) as m:
        yield m


def iris_roll(mesh, frame: np.ndarray) -> float:
    """Roll in degrees (clockwise) of the line through the iris centres."""
    faces = mesh.process(np.ascontiguousarray(frame[:, :, ::-1])).multi_face_landmarks
    assert faces
    h, w = frame.shape[:2]
    right, left = faces[0].landmark[468], faces[0].landmark[473]
    return math.degrees(math.atan2((left.y - right.y) * h, (left.x - right.x) * w))


def frame_of(scene: Scene, name: str, t: float = 5.0, noise: bool = True) -> np.ndarray:
    p = load_persona(name)
    if not noise:
        return scene.clean(p.pose_at(t), p.background)
    return scene.render(p.pose_at(t), p.background)


def face(detector, frame: np.ndarray) -> tuple[float, float, float] | None:
    """(centre x, centre y, inter-eye distance) of the first face detected, in pixels."""
    result = detector.process(np.ascontiguousarray(frame[:, :, ::-1]))
    if not result.detections:
        return None
    h, w = frame.shape[:2]
    loc = result.detections[0].location_data
    box = loc.relative_bounding_box
    right, left = loc.relative_keypoints[0], loc.relative_keypoints[1]
    dx, dy = (left.x - right.x) * w, (left.y - right.y) * h
    return (box.xmin + box.width / 2) * w, (box.ymin + box.height / 2) * h, math.hypot(dx, dy)


def test_compliant_face_is_centred_level_and_large(scene: Scene, detector, mesh) -> None:
    frame = frame_of(scene, "compliant")
    assert frame.shape == (720, 1280, 3)
    found = face(detector, frame)
    assert found is not None
    cx, cy, eyes = found
    assert abs(cx - 640) < 0.05 * 1280
    assert abs(cy - 360) < 0.08 * 720
    assert eyes > 100
    assert abs(iris_roll(mesh, frame)) < 1.5


def test_compliant_background_is_plain_and_light(scene: Scene) -> None:
    frame = frame_of(scene, "compliant")
    corner = frame[:100, :150].reshape(-1, 3)
    assert corner.mean() > 200
    assert corner.std(axis=0).max() < 5


def test_absent_scene_has_no_face(scene: Scene, detector) -> None:
    assert face(detector, frame_of(scene, "absent")) is None


def test_stepping_in_starts_off_centre(scene: Scene, detector) -> None:
    found = face(detector, frame_of(scene, "stepping-in", t=0.9))
    assert found is None or found[0] < 500


def test_too_far_face_is_small(scene: Scene, detector) -> None:
    found = face(detector, frame_of(scene, "too-far"))
    assert found is not None and found[2] < 80


def test_tilted_head_is_rolled_15_degrees(scene: Scene, mesh) -> None:
    assert iris_roll(mesh, frame_of(scene, "tilted")) == pytest.approx(15, abs=1.5)


def test_dark_blurred_and_busy_differ_from_compliant_as_named(scene: Scene) -> None:
    # Noise-free frames: sensor noise would swamp a Laplacian sharpness measure.
    good = frame_of(scene, "compliant", noise=False)
    grey = cv2.cvtColor(good, cv2.COLOR_BGR2GRAY)
    sharpness = cv2.Laplacian(grey, cv2.CV_64F).var()
    assert frame_of(scene, "dark").mean() < 0.5 * good.mean()
    blurred = cv2.cvtColor(frame_of(scene, "blurred", noise=False), cv2.COLOR_BGR2GRAY)
    assert cv2.Laplacian(blurred, cv2.CV_64F).var() < 0.2 * sharpness
    busy = cv2.cvtColor(frame_of(scene, "busy-background", noise=False), cv2.COLOR_BGR2GRAY)
    # The upper left is background only (the citizen stands in the middle).
    assert busy[:300, :250].std() > 10 * grey[:300, :250].std()


def test_frames_of_a_still_scene_are_never_bit_identical(scene: Scene) -> None:
    a, b = scene.render(Pose(), phase=0), scene.render(Pose(), phase=1)
    assert not np.array_equal(a, b)
    assert np.abs(a.astype(int) - b.astype(int)).mean() < 3


def test_a_still_citizen_is_rendered_once_then_served_from_the_cache(scene: Scene) -> None:
    # Speed itself is measured by evaluation/camera_bench.py; timing asserts flake on a busy CI.
    p = load_persona("compliant")
    first = scene.clean(p.pose_at(0.0), p.background)
    assert all(scene.clean(p.pose_at(t / 30), p.background) is first for t in range(30))

"""The photo step: live frames get captured; a frozen camera's repeated frame never does."""

from __future__ import annotations

import pytest

from drivers.interfaces import Frame
from kiosk.photo.settings import PhotoSettings
from kiosk.steps.photo import PhotoStep
from simulator.camera.persona import load_persona
from simulator.camera.scene import Scene


@pytest.fixture(scope="module")
def scene() -> Scene:
    return Scene(1280, 720, None)


def frames(scene: Scene, count: int, repeat: bool = False) -> list[Frame]:
    persona = load_persona("compliant")
    first = scene.render(persona.pose_at(0), persona.background, 0)
    return [Frame(first if repeat else scene.render(persona.pose_at(i / 30), persona.background,
                                                    i), i / 15, i) for i in range(count)]


def test_a_citizen_holding_still_is_captured(scene: Scene) -> None:
    step = PhotoStep(PhotoSettings())
    try:
        results = [step.feed(frame) for frame in frames(scene, 60)]
    finally:
        step.close()
    captured = [update for update in results if update.result is not None]
    assert captured, [update.text_key for update in results][-5:]
    assert captured[0].progress == 1.0
    assert captured[0].result.image.shape[0] > captured[0].result.image.shape[1]


def test_a_frozen_camera_is_never_captured(scene: Scene) -> None:
    step = PhotoStep(PhotoSettings())
    analysed: list[float] = []
    process = step.session.process

    def counted(pixels: object, timestamp: float) -> object:
        analysed.append(timestamp)
        return process(pixels, timestamp)  # type: ignore[arg-type]

    step.session.process = counted  # type: ignore[method-assign]
    try:
        results = [step.feed(frame) for frame in frames(scene, 60, repeat=True)]
    finally:
        step.close()
    assert all(update.result is None for update in results)
    # Only the first frame was analysed: the rest are the same picture.
    assert len(analysed) == 1

"""Write a persona to a video file (MJPG in .avi), for the driver's file-source path."""

from __future__ import annotations

from pathlib import Path

import cv2

from simulator.camera.persona import Persona, load_persona
from simulator.camera.scene import Scene


def write_clip(
    persona: str | Path | Persona,
    path: str | Path,
    seconds: float | None = None,
    fps: float = 30.0,
    width: int = 1280,
    height: int = 720,
    portrait: str | None = None,
) -> Path:
    """Render ``persona`` frame by frame into an MJPG ``.avi`` and return its path.

    Args:
        persona: Bundled persona name, persona TOML path, or a :class:`Persona`.
        path: Output file; ``.avi`` (MJPG is the codec this OpenCV build both writes and reads).
        seconds: Clip length; default one second past the persona's last keyframe (at least 2 s).
        fps: Frame rate written into the file.
        width: Frame width.
        height: Frame height.
        portrait: Portrait photo path instead of the bundled astronaut.
    """
    p = persona if isinstance(persona, Persona) else load_persona(persona)
    seconds = seconds if seconds is not None else max(p.duration + 1.0, 2.0)
    scene = Scene(width, height, portrait)
    out = Path(path)
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"MJPG"), fps, (width, height))
    if not writer.isOpened():
        raise OSError(f"cannot write video {out}")
    try:
        for i in range(max(1, round(seconds * fps))):
            writer.write(scene.render(p.pose_at(i / fps), p.background, i))
    finally:
        writer.release()
    return out

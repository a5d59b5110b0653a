"""Personas: how the simulated citizen appears over time, as a timeline of keyframes in TOML.

A persona file looks like this (all keyframe fields are optional; a missing field keeps the
value of the previous keyframe, or the default below for the first one)::

    description = "Enters from the left over 1 s, then stands compliant."
    background = "plain"     # plain | cluttered | original (the portrait's own backdrop)
    loop = false             # after the last keyframe: hold it (false) or start again (true)

    [[keyframe]]
    t = 0.0                  # seconds since the persona was put in front of the camera
    present = true           # false: nobody in front of the camera (not interpolated)
    x = -0.75                # face centre offset from the frame centre, in frame widths
    y = 0.0                  # ... and in frame heights (positive = down)
    scale = 1.0              # 1.0 = the compliant distance; 0.5 = twice as far away
    roll = 0.0               # head roll in degrees, positive = clockwise in the image
    blur = 0.0               # Gaussian blur sigma in pixels of a 720-row frame (focus, motion)
    brightness = 1.0         # exposure gain applied to the whole frame
    cast = [1.0, 1.0, 1.0]   # colour gains (red, green, blue): a colour cast
    shadow = 0.0             # 0..1 strength of the citizen's shadow on the background

Numbers are interpolated linearly between keyframes; ``present`` switches at its keyframe.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

#: Where the bundled persona files live.
PERSONA_DIR = Path(__file__).resolve().parent.parent / "personas"

BACKGROUNDS = ("plain", "cluttered", "original")


@dataclass(frozen=True)
class Pose:
    """How the citizen appears at one instant: the parameters the scene renderer takes."""

    present: bool = True
    x: float = 0.0
    y: float = 0.0
    scale: float = 1.0
    roll: float = 0.0
    blur: float = 0.0
    brightness: float = 1.0
    cast: tuple[float, float, float] = (1.0, 1.0, 1.0)
    shadow: float = 0.0

    def quantised(self) -> Pose:
        """The pose rounded to steps too small to see, so a still persona hits the frame cache."""
        return Pose(
            present=self.present,
            x=round(self.x, 4),
            y=round(self.y, 4),
            scale=round(self.scale, 3),
            roll=round(self.roll, 1),
            blur=round(self.blur, 1),
            brightness=round(self.brightness, 2),
            cast=(round(self.cast[0], 2), round(self.cast[1], 2), round(self.cast[2], 2)),
            shadow=round(self.shadow, 2),
        )


@dataclass(frozen=True)
class Keyframe:
    """A pose pinned to a time on the persona's timeline."""

    t: float
    pose: Pose


@dataclass(frozen=True)
class Persona:
    """A named timeline of keyframes plus the scene's background."""

    name: str
    keyframes: tuple[Keyframe, ...]
    background: str = "plain"
    loop: bool = False
    description: str = ""
    #: Free-form extra keys from the file (e.g. what the photo core should conclude).
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.keyframes:
            raise ValueError(f"persona {self.name!r} has no keyframes")
        if self.background not in BACKGROUNDS:
            raise ValueError(f"persona {self.name!r}: unknown background {self.background!r}")
        times = [k.t for k in self.keyframes]
        if times != sorted(times):
            raise ValueError(f"persona {self.name!r}: keyframe times must not decrease")

    @property
    def duration(self) -> float:
        """Time of the last keyframe."""
        return self.keyframes[-1].t

    def pose_at(self, t: float) -> Pose:
        """The interpolated pose ``t`` seconds after the persona started."""
        frames = self.keyframes
        if self.loop and self.duration > 0:
            t = math.fmod(max(t, 0.0), self.duration)
        if t <= frames[0].t:
            return frames[0].pose
        for before, after in zip(frames, frames[1:], strict=False):
            if t < after.t:
                span = after.t - before.t
                return _lerp(before.pose, after.pose, (t - before.t) / span if span else 1.0)
        return frames[-1].pose


def _lerp(a: Pose, b: Pose, w: float) -> Pose:
    """Blend two poses; ``present`` keeps the earlier value until the next keyframe."""

    def mix(p: float, q: float) -> float:
        return p + (q - p) * w

    return Pose(
        present=a.present,
        x=mix(a.x, b.x),
        y=mix(a.y, b.y),
        scale=mix(a.scale, b.scale),
        roll=mix(a.roll, b.roll),
        blur=mix(a.blur, b.blur),
        brightness=mix(a.brightness, b.brightness),
        cast=(mix(a.cast[0], b.cast[0]), mix(a.cast[1], b.cast[1]), mix(a.cast[2], b.cast[2])),
        shadow=mix(a.shadow, b.shadow),
    )


_POSE_FIELDS = {f.name for f in fields(Pose)}


def persona_from_dict(name: str, data: dict[str, Any]) -> Persona:
    """Build a persona from parsed TOML (see the module docstring for the keys)."""
    keyframes: list[Keyframe] = []
    pose = Pose()
    for raw in data.get("keyframe", []):
        raw = dict(raw)
        t = float(raw.pop("t", 0.0))
        unknown = set(raw) - _POSE_FIELDS
        if unknown:
            raise ValueError(f"persona {name!r}: unknown keyframe keys {sorted(unknown)}")
        if "cast" in raw:
            cast = [float(c) for c in raw["cast"]]
            if len(cast) != 3:
                raise ValueError(f"persona {name!r}: cast needs three gains (red, green, blue)")
            raw["cast"] = (cast[0], cast[1], cast[2])
        pose = Pose(
            present=bool(raw.get("present", pose.present)),
            x=float(raw.get("x", pose.x)),
            y=float(raw.get("y", pose.y)),
            scale=float(raw.get("scale", pose.scale)),
            roll=float(raw.get("roll", pose.roll)),
            blur=float(raw.get("blur", pose.blur)),
            brightness=float(raw.get("brightness", pose.brightness)),
            cast=raw.get("cast", pose.cast),
            shadow=float(raw.get("shadow", pose.shadow)),
        )
        keyframes.append(Keyframe(t, pose))
    known = {"keyframe", "background", "loop", "description"}
    return Persona(
        name=name,
        keyframes=tuple(keyframes),
        background=str(data.get("background", "plain")),
        loop=bool(data.get("loop", False)),
        description=str(data.get("description", "")),
        meta={k: v for k, v in data.items() if k not in known},
    )


def load_persona(name_or_path: str | Path) -> Persona:
    """Load a bundled persona by name (``compliant``) or any persona TOML file by path."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = PERSONA_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise FileNotFoundError(f"no persona {name_or_path!r} (looked for {path})")
    with path.open("rb") as f:
        return persona_from_dict(path.stem, tomllib.load(f))


def persona_names() -> list[str]:
    """Names of the bundled personas."""
    return sorted(p.stem for p in PERSONA_DIR.glob("*.toml"))


def still(pose: Pose, name: str = "still", background: str = "plain") -> Persona:
    """A persona that holds one pose forever (handy in tests)."""
    return Persona(name=name, keyframes=(Keyframe(0.0, pose),), background=background)

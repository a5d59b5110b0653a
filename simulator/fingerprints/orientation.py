"""Orientation field, ridge period and finger outline of a synthetic master print (SFinGe 1-3)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

#: Pattern classes and how often they occur in the population (Henry classes, rounded).
PATTERN_CLASSES: dict[str, float] = {
    "left_loop": 0.33,
    "right_loop": 0.31,
    "whorl": 0.28,
    "arch": 0.04,
    "tented_arch": 0.04,
}


@dataclass(frozen=True)
class FingerLayout:
    """Where a master print's singular points are and how its ridges run.

    Attributes:
        pattern: One of :data:`PATTERN_CLASSES`.
        cores: Core points as (x, y) pixels.
        deltas: Delta points as (x, y) pixels.
        period: Mean ridge period in pixels (inverse ridge frequency) at 500 ppi.
        rotation: Global rotation of the whole pattern in radians.
    """

    pattern: str
    cores: tuple[tuple[float, float], ...]
    deltas: tuple[tuple[float, float], ...]
    period: float
    rotation: float


def choose_layout(rng: np.random.Generator, width: int, height: int) -> FingerLayout:
    """Draw a pattern class and place its singular points around the image centre.

    The core is kept near the centre so that a small sensor that centre-crops the
    impression still sees the most distinctive part of the finger.
    """
    names = list(PATTERN_CLASSES)
    weights = np.array([PATTERN_CLASSES[name] for name in names])
    pattern = str(rng.choice(names, p=weights / weights.sum()))
    cx = width / 2 + rng.uniform(-0.08, 0.08) * width
    cy = height * 0.45 + rng.uniform(-0.07, 0.07) * height
    cores: list[tuple[float, float]] = []
    deltas: list[tuple[float, float]] = []
    if pattern in ("left_loop", "right_loop"):
        side = -1.0 if pattern == "left_loop" else 1.0
        cores.append((cx, cy))
        deltas.append(
            (cx + side * rng.uniform(0.22, 0.32) * width, cy + rng.uniform(0.28, 0.38) * height)
        )
    elif pattern == "whorl":
        gap = rng.uniform(0.03, 0.07) * height
        shift = rng.uniform(-0.03, 0.03) * width
        cores += [(cx + shift, cy - gap / 2), (cx - shift, cy + gap / 2)]
        dy = cy + rng.uniform(0.28, 0.36) * height
        deltas += [
            (cx - rng.uniform(0.3, 0.4) * width, dy),
            (cx + rng.uniform(0.3, 0.4) * width, dy),
        ]
    elif pattern == "tented_arch":
        cores.append((cx, cy))
        deltas.append(
            (cx + rng.uniform(-0.02, 0.02) * width, cy + rng.uniform(0.12, 0.18) * height)
        )
    period = float(rng.uniform(7.5, 11.5))
    rotation = float(rng.normal(0.0, np.radians(12)))
    return FingerLayout(pattern, tuple(cores), tuple(deltas), period, rotation)


def orientation_field(layout: FingerLayout, width: int, height: int) -> NDArray[np.float32]:
    """Ridge direction (radians, modulo pi) at every pixel: the Sherlock-Monro zero-pole model.

    Each core adds half a turn and each delta takes half a turn away, which is what
    makes loops and whorls close around their cores. Arches have no singular points,
    so they get a smooth analytic field instead.
    """
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    if layout.pattern == "arch":
        cx, cy = width / 2, height * 0.55
        u = (xs - cx) / (0.28 * width)
        # Ridges bend upwards over the middle of the finger, less so far from the bend.
        amplitude = 0.9 * np.exp(-(((ys - cy) / (0.6 * height)) ** 2))
        theta = np.arctan(amplitude * 2 * u * np.exp(-(u**2)))
        return np.asarray((theta + layout.rotation) % np.pi, dtype=np.float32)
    theta = np.zeros((height, width), np.float32)
    # The model is stated with y upwards; image rows run downwards, hence the sign flips.
    for x, y in layout.cores:
        theta += np.arctan2(y - ys, xs - x)
    for x, y in layout.deltas:
        theta -= np.arctan2(y - ys, xs - x)
    # Half the sum of pole angles is the ridge direction; with as many cores as deltas the
    # ridges far from the singular points run across the finger, as they do on a real one.
    theta = -0.5 * theta + layout.rotation
    return np.asarray(theta % np.pi, dtype=np.float32)


def finger_mask(rng: np.random.Generator, width: int, height: int) -> NDArray[np.bool_]:
    """The fingertip outline as a boolean mask: a rounded top, a flat cut at the first crease."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    cx = width / 2
    cy = height * 0.5
    ax = width * rng.uniform(0.40, 0.46)
    ay = height * rng.uniform(0.44, 0.48)
    # A super-ellipse is squarer than an ellipse, as a pressed fingertip is.
    power = rng.uniform(2.2, 2.8)
    inside = np.abs((xs - cx) / ax) ** power + np.abs((ys - cy) / ay) ** power <= 1.0
    inside &= ys < height * rng.uniform(0.93, 0.97)
    return np.asarray(inside, dtype=np.bool_)

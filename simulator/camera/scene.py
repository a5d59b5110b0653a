"""Render camera frames of the simulated citizen: a segmented portrait posed in front of a backdrop.

The portrait comes from a declared dependency (``skimage.data.astronaut()``, public domain) or a
path the user points at; it is segmented and its face located once per process, and every
rendered frame is cached by its (rounded) pose, so a citizen standing still costs a dictionary
lookup per frame.

Preparing the portrait takes a couple of seconds (MediaPipe's models, the expression warp), so a
:class:`Scene` prepares nothing when it is made: the backdrop on the first frame, the portrait
on the first frame that shows the citizen (or in the background: :meth:`Scene.prepare`).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from simulator.camera.expression import neutral_expression
from simulator.camera.persona import Pose

#: Inter-eye distance at ``scale = 1`` as a fraction of the frame height: 122 px at 720 rows,
#: comfortably above the 90 px a passport photo needs.
EYE_DISTANCE_AT_SCALE_1 = 0.17
#: A typical adult's inter-pupillary distance in millimetres: what turns the citizen's height
#: relative to the camera (a lift moving, a child) into pixels in the frame.
EYE_DISTANCE_MM = 63.0
#: Colour of the plain booth wall (BGR): a light, slightly warm grey.
WALL_BGR = (222, 226, 229)
#: Sensor noise, in grey levels (sigma). Keeps frames of a still scene from being bit-identical,
#: as on a real sensor, which is what lets the driver tell a frozen camera from a still citizen.
NOISE_SIGMA = 1.2
NOISE_PHASES = 8

#: A BGR frame or image (uint8).
Frame = NDArray[np.uint8]


def _u8(image: object) -> Frame:
    """OpenCV's result typed as what it is for uint8 input (no copy)."""
    return np.asarray(image, dtype=np.uint8)


@dataclass(frozen=True)
class Portrait:
    """A portrait prepared for posing: the person cut out, and where the face is."""

    #: The person, premultiplied by the segmentation mask, which is the alpha channel; bottom
    #: rows extended so a small (far) citizen still has a body below the frame edge.
    person: Frame
    #: The whole photo, alpha 255 everywhere, bottom extended the same way.
    photo: Frame
    #: Centre of the face box (x, y) in portrait pixels; the point the pose places.
    face_centre: tuple[float, float]
    #: Distance between the eye centres in portrait pixels.
    eye_distance: float
    #: The sitter's own head roll in degrees (clockwise); poses are relative to a level head.
    roll: float = 0.0


#: Held while a portrait is prepared, so two threads never prepare the same one twice.
_PORTRAIT_LOCK = threading.Lock()


def prepared_portrait(path: str | None = None) -> Portrait:
    """:func:`load_portrait`, prepared once per process even when threads ask together."""
    with _PORTRAIT_LOCK:
        return load_portrait(path)


@functools.lru_cache(maxsize=4)
def load_portrait(path: str | None = None, neutral: bool = True) -> Portrait:
    """Load, segment and measure a portrait once per process (``None``: the astronaut).

    With ``neutral`` the sitter closes their mouth and relaxes their smile first (see
    :mod:`simulator.camera.expression`): the astronaut smiles, a citizen at the kiosk would not.
    """
    if path is None:
        bgr = astronaut()
    else:
        read = cv2.imread(str(Path(path)), cv2.IMREAD_COLOR)
        if read is None:
            raise FileNotFoundError(f"cannot read portrait {path}")
        bgr = _u8(read)
    if neutral:
        bgr = neutral_expression(bgr)
    rgb = np.ascontiguousarray(bgr[:, :, ::-1])
    face_centre, eye_distance, roll = _find_face(rgb)
    alpha = _person_alpha(rgb, face_centre)
    # Extend the bottom by replicating the last row: shoulders continue down out of the frame.
    pad = bgr.shape[0]
    # Premultiplied alpha: warping stays correct and blending is one multiply and one add.
    premultiplied = (bgr.astype(np.float32) * (alpha[:, :, None] / 255.0)).astype(np.uint8)
    person = np.dstack([premultiplied, alpha])
    photo = np.dstack([bgr, np.full(bgr.shape[:2], 255, np.uint8)])
    return Portrait(_u8(cv2.copyMakeBorder(person, 0, pad, 0, 0, cv2.BORDER_REPLICATE)),
                    _u8(cv2.copyMakeBorder(photo, 0, pad, 0, 0, cv2.BORDER_REPLICATE)),
                    face_centre, eye_distance, roll)


def astronaut() -> Frame:
    """``skimage.data.astronaut()`` as BGR, read straight from its file: the same pixels
    without ``skimage.data``'s image-reader imports (most of a second on a busy machine)."""
    spec = importlib.util.find_spec("skimage")
    if spec is not None and spec.origin is not None:
        path = Path(spec.origin).parent / "data" / "astronaut.png"
        with contextlib.suppress(OSError), Image.open(path) as image:
            return np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
    from skimage import data

    return np.ascontiguousarray(data.astronaut()[:, :, ::-1])


def _find_face(rgb: Frame) -> tuple[tuple[float, float], float, float]:
    """Face-box centre, inter-eye distance and eye-line roll (degrees, clockwise) of a portrait.

    The box comes from MediaPipe's short-range detector; the eyes from the face mesh's iris
    centres, whose line gives the roll to within half a degree (the detector's eye keypoints
    are several degrees off).
    """
    from kiosk.photo.mediapipe_solutions import solutions

    h, w = rgb.shape[:2]
    with solutions().face_detection.FaceDetection(
        model_selection=0, min_detection_confidence=0.5
    ) as detector:
        result = detector.process(rgb)
    if not result.detections:
        raise ValueError("no face found in the portrait")
    box = result.detections[0].location_data.relative_bounding_box
    centre = ((box.xmin + box.width / 2) * w, (box.ymin + box.height / 2) * h)
    with solutions().face_mesh.FaceMesh(
        static_image_mode=True, refine_landmarks=True, max_num_faces=1
    ) as mesh:
        faces = mesh.process(rgb).multi_face_landmarks
    if not faces:
        raise ValueError("no face mesh found in the portrait")
    right, left = faces[0].landmark[468], faces[0].landmark[473]  # iris centres
    dx, dy = (left.x - right.x) * w, (left.y - right.y) * h
    return centre, float(np.hypot(dx, dy)), float(np.degrees(np.arctan2(dy, dx)))


def _person_alpha(rgb: Frame, face_centre: tuple[float, float]) -> NDArray[np.uint8]:
    """Soft person mask (uint8) from MediaPipe selfie segmentation, limited to the face's blob."""
    from kiosk.photo.mediapipe_solutions import solutions

    with solutions().selfie_segmentation.SelfieSegmentation(model_selection=0) as seg:
        mask = seg.process(rgb).segmentation_mask
    # Stray blobs (a flag, a held helmet) are not part of the citizen: keep the blob under the face.
    _, labels = cv2.connectedComponents((mask > 0.5).astype(np.uint8))
    fx, fy = int(face_centre[0]), int(face_centre[1])
    keep = (labels == labels[fy, fx]).astype(np.uint8)
    keep = cv2.dilate(keep, np.ones((9, 9), np.uint8))
    soft = np.clip((mask - 0.3) / 0.4, 0.0, 1.0) * keep
    smooth = np.asarray(cv2.GaussianBlur(soft.astype(np.float32), (0, 0), 1.0), dtype=np.float32)
    return np.asarray(smooth * 255, dtype=np.uint8)


def plain_wall(width: int, height: int) -> Frame:
    """The booth's plain light back wall, with the gentle fall-off of real lighting."""
    wall = np.empty((height, width, 3), np.uint8)
    wall[:] = WALL_BGR
    fall = np.linspace(3.0, -3.0, height, dtype=np.float32)[:, None, None]
    return np.clip(wall.astype(np.float32) + fall, 0, 255).astype(np.uint8)


def cluttered_wall(width: int, height: int) -> Frame:
    """A busy background: posters, a shelf of books, a door frame. Deterministic."""
    rng = np.random.default_rng(7)
    img = plain_wall(width, height)
    img[:] = (150, 170, 185)
    sx, sy = width / 1280, height / 720
    for i in range(6):  # posters, spread across the whole wall
        x = int((i + rng.uniform(0.0, 0.4)) * width / 6)
        y = int(rng.uniform(0.03, 0.25) * height)
        w, h = int(rng.integers(120, 260) * sx), int(rng.integers(160, 320) * sy)
        colour = tuple(int(c) for c in rng.integers(20, 235, 3))
        cv2.rectangle(img, (x, y), (x + w, y + h), colour, -1)
        for k in range(4):
            cv2.line(img, (x + 10, y + 20 + 25 * k), (x + w - 10, y + 20 + 25 * k), (250,) * 3, 3)
    shelf_y = int(height * 0.62)
    cv2.rectangle(img, (0, shelf_y), (width, shelf_y + int(14 * sy)), (40, 70, 110), -1)
    x = 0
    while x < width:  # books on the shelf
        w = int(rng.integers(12, 40) * sx)
        h = int(rng.integers(60, 130) * sy)
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        cv2.rectangle(img, (x, shelf_y - h), (x + w, shelf_y), colour, -1)
        x += w + 2
    cv2.rectangle(img, (int(width * 0.86), 0), (width, height), (60, 90, 120), int(18 * sx))
    return img


def raised_by(pose: Pose, eyes_above_camera_mm: float) -> Pose:
    """``pose`` as seen by a camera that is ``eyes_above_camera_mm`` below the citizen's eyes
    (negative: the camera is above them). Eyes above the camera's axis appear higher in the
    frame, by the frame-height fraction their distance makes at the pose's scale."""
    if not eyes_above_camera_mm:
        return pose
    per_mm = EYE_DISTANCE_AT_SCALE_1 * pose.scale / EYE_DISTANCE_MM
    return replace(pose, y=pose.y - eyes_above_camera_mm * per_mm)


class Scene:
    """Renders frames of one size: backdrop, posed person, blur, exposure and sensor noise."""

    def __init__(
        self, width: int = 1280, height: int = 720, portrait: str | None = None, cache: int = 4
    ) -> None:
        """Make a scene; nothing is prepared until it is needed (or :meth:`prepare` is called).

        Args:
            width: Frame width in pixels (the camera's configured size).
            height: Frame height in pixels.
            portrait: Path of a portrait photo, or None for ``skimage``'s astronaut.
            cache: How many noise-free frames to keep (2.8 MB each at 1280x720).
        """
        self.width = width
        self.height = height
        self._portrait_path = portrait
        self._portrait: Portrait | None = None
        self._walls: dict[str, Frame] = {}
        self._noise_up = self._noise_down = np.zeros((0, 0, 3), np.uint8)
        self._lock = threading.Lock()
        self._clean_cache: OrderedDict[tuple[Pose, str], Frame] = OrderedDict()
        self._cache_size = cache

    # -- preparation ---------------------------------------------------------------------------

    @property
    def portrait(self) -> Portrait:
        """The prepared portrait (prepared now if it was not yet: a couple of seconds)."""
        portrait = self._portrait
        if portrait is None:
            portrait = self._portrait = prepared_portrait(self._portrait_path)
        return portrait

    @property
    def ready(self) -> bool:
        """Whether the portrait is prepared (frames showing the citizen render at once)."""
        return self._portrait is not None

    def prepare(self) -> None:
        """Prepare the backdrops and the portrait now (idempotent; for a background thread)."""
        self._backdrops()
        _ = self.portrait

    def _backdrops(self) -> None:
        """Make the walls and the sensor noise on first use (a tenth of a second)."""
        with self._lock:
            if self._walls:
                return
            width, height = self.width, self.height
            rng = np.random.default_rng(1)
            # One tall noise field; each phase is a different row window of it.
            noise = rng.normal(0.0, NOISE_SIGMA, (height + NOISE_PHASES * 7, width, 3))
            self._noise_up = np.clip(noise, 0, 255).astype(np.uint8)
            self._noise_down = np.clip(-noise, 0, 255).astype(np.uint8)
            self._walls = {
                "plain": plain_wall(width, height),
                "cluttered": cluttered_wall(width, height),
                "original": plain_wall(width, height),
            }

    # -- rendering -------------------------------------------------------------------------------

    def render(self, pose: Pose, background: str = "plain", phase: int = 0) -> Frame:
        """A new BGR frame for a pose; ``phase`` picks one of the sensor-noise patterns."""
        return self._noisy(self.clean(pose, background), phase % NOISE_PHASES)

    def clean(self, pose: Pose, background: str = "plain") -> Frame:
        """The noise-free frame for a pose, cached (shared: copy before writing into it)."""
        key = (pose.quantised(), background)
        hit = self._clean_cache.get(key)
        if hit is not None:
            self._clean_cache.move_to_end(key)
            return hit
        frame = self._render_clean(*key)
        self._clean_cache[key] = frame
        if len(self._clean_cache) > self._cache_size:
            self._clean_cache.popitem(last=False)
        return frame

    def eye_distance(self, pose: Pose) -> float:
        """Inter-eye distance in frame pixels that ``pose`` produces."""
        return EYE_DISTANCE_AT_SCALE_1 * self.height * pose.scale

    def _render_clean(self, pose: Pose, background: str) -> Frame:
        self._backdrops()
        frame = self._walls[background].copy()
        if pose.present:
            layer = self.portrait.photo if background == "original" else self.portrait.person
            self._compose(frame, layer, pose)
        if pose.blur > 0:
            sigma = pose.blur * self.height / 720
            frame = _u8(cv2.GaussianBlur(frame, (0, 0), sigma))
        gains = np.array(pose.cast[::-1], np.float32) * pose.brightness  # BGR order
        if not np.allclose(gains, 1.0):
            levels = np.arange(256, dtype=np.float32)[:, None] * gains[None, :]
            lut = np.clip(levels, 0, 255).astype(np.uint8).reshape(256, 1, 3)
            frame = _u8(cv2.LUT(frame, lut))
        return frame

    def _noisy(self, frame: Frame, phase: int) -> Frame:
        self._backdrops()
        rows = slice(phase * 7, phase * 7 + self.height)
        out = cv2.add(frame, self._noise_up[rows])
        return _u8(cv2.subtract(out, self._noise_down[rows], dst=out))

    def _compose(self, frame: Frame, layer: Frame, pose: Pose) -> None:
        """Warp the person layer into place and alpha-blend it over ``frame`` (in place)."""
        p = self.portrait
        scale = EYE_DISTANCE_AT_SCALE_1 * self.height / p.eye_distance * pose.scale
        target = (self.width * (0.5 + pose.x), self.height * (0.5 + pose.y))
        # Positive roll turns the head clockwise on screen; OpenCV's angle is anticlockwise.
        # The sitter's own roll is taken out first, so roll 0 means level eyes.
        m = cv2.getRotationMatrix2D(p.face_centre, p.roll - pose.roll, scale)
        m[0, 2] += target[0] - p.face_centre[0]
        m[1, 2] += target[1] - p.face_centre[1]
        # Only warp and blend the part of the frame the layer can cover.
        lh, lw = layer.shape[:2]
        corners = np.array([[0, 0, 1], [lw, 0, 1], [0, lh, 1], [lw, lh, 1]], np.float64) @ m.T
        x0, y0 = np.floor(corners.min(axis=0)).astype(int)
        x1, y1 = np.ceil(corners.max(axis=0)).astype(int)
        x0, y0 = max(x0, 0), max(y0, 0)
        x1, y1 = min(x1, self.width), min(y1, self.height)
        if x1 <= x0 or y1 <= y0:
            return
        m[0, 2] -= x0
        m[1, 2] -= y0
        warped = cv2.warpAffine(
            layer, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0, 0)
        )
        roi = frame[y0:y1, x0:x1]
        *colour, split_alpha = cv2.split(warped)
        alpha = _u8(split_alpha)
        if pose.shadow > 0:
            self._cast_shadow(frame, alpha, (x0, y0), pose.shadow)
        transparency = cv2.cvtColor(cv2.bitwise_not(alpha), cv2.COLOR_GRAY2BGR)
        behind = cv2.multiply(roi, transparency, scale=1 / 255)
        roi[:] = cv2.add(behind, cv2.merge(colour))

    def _cast_shadow(
        self, frame: Frame, alpha: Frame, origin: tuple[int, int], strength: float
    ) -> None:
        """Darken the wall where the citizen's silhouette, offset and softened, falls on it."""
        h, w = frame.shape[:2]
        shade = np.zeros((h, w), np.float32)
        dx, dy = int(0.06 * w), int(0.02 * h)  # light from the upper left
        x0, y0 = origin[0] + dx, origin[1] + dy
        ah, aw = alpha.shape
        x1, y1 = min(x0 + aw, w), min(y0 + ah, h)
        if x1 > x0 and y1 > y0:
            shade[y0:y1, x0:x1] = alpha[: y1 - y0, : x1 - x0] * (0.6 * strength / 255)
        soft = np.asarray(cv2.GaussianBlur(shade, (0, 0), 0.015 * h), dtype=np.float32)
        frame[:] = (frame * (1.0 - soft)[:, :, None]).astype(np.uint8)

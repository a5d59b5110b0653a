"""Analyse a frame once: face detection, 478-point mesh with irises, person segmentation."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from numpy.typing import NDArray

from kiosk.photo import geometry as geo
from kiosk.photo.frame import frame_problem, frame_size
from kiosk.photo.mediapipe_solutions import solutions
from kiosk.photo.settings import PhotoSettings

if TYPE_CHECKING:
    from kiosk.photo.regions import Background, FaceRegions

Coords = geo.Coords
#: 8-bit pixels: BGR or RGB frames (H x W x 3) and grey planes.
Pixels = NDArray[np.uint8]

#: Size of the aligned face image every face-region check reads (width, height) and where
#: the eyes land in it: about 51 px between the eyes, enough for focus and colour, small
#: enough that all face checks together stay near a millisecond.
FACE_SIZE = (128, 166)
FACE_EYES = ((38.4, 64.0), (89.6, 64.0))
#: Inter-eye distance in the aligned face; region offsets are given in 1/64ths of it.
FACE_IED = FACE_EYES[1][0] - FACE_EYES[0][0]
#: Width of the downscaled frame the segmentation and background checks work on.
SMALL_WIDTH = 256
#: A small upright image of the head above the eyes (width, height) and where the eyes land
#: in it: 16 px between the eyes, 2.75 of them above the eye line, enough to see a hat or hair
#: above the forehead (the aligned face stops at the hairline).
HEAD_TOP_SIZE = (48, 48)
HEAD_TOP_EYES = ((16.0, 44.0), (32.0, 44.0))
#: One serialised mesh landmark: field tags and three little-endian floats (x, y, z).
_LANDMARK = np.dtype([("tag", "u1"), ("len", "u1"), ("tx", "u1"), ("x", "<f4"), ("ty", "u1"),
                      ("y", "<f4"), ("tz", "u1"), ("z", "<f4")])
#: Offset and value of each framing byte of ``_LANDMARK``: the field tags and the length.
_FRAMING = ((0, 0x0A), (1, 15), (2, 0x0D), (7, 0x15), (12, 0x1D))
#: Offsets of the bytes of x, y and z in a ``_LANDMARK`` record.
_XYZ_BYTES = np.array([3, 4, 5, 6, 8, 9, 10, 11, 13, 14, 15, 16])


@dataclass(frozen=True)
class FaceBox:
    """A detected face: box in source pixels and detector score."""

    x: float
    y: float
    width: float
    height: float
    score: float
    eye_distance: float = 0.0
    """Distance between the detector's two eye keypoints (a rough inter-eye distance)."""


@dataclass
class FrameAnalysis:
    """Everything the checks need about one frame, computed once by :class:`FaceAnalyzer`.

    Source-pixel geometry is ``None`` when no face mesh was found. The intermediate images
    (``small``, ``mask``, ``face``) stay here so that a person can inspect them.
    """

    width: int
    height: int
    faces: list[FaceBox]
    """Detected faces, largest first."""
    points: Coords | None = None
    """Mesh landmarks (478 x 3) in source pixels; z in the same scale as x."""
    right_eye: Coords | None = None
    left_eye: Coords | None = None
    inter_eye: float = 0.0
    pose: geo.Pose | None = None
    chin: Coords | None = None
    crown: Coords | None = None
    crown_ratio: float = math.nan
    """Crown height above the eye line over the chin-to-eye distance (hats make it large)."""
    crown_from_mask: bool = False
    crown_cut: bool = False
    """The person mask runs off the frame above the head: the top of the head is cut off."""
    eye_openness: tuple[float, float] = (math.nan, math.nan)
    mouth_gap: float = math.nan
    smile_lift: float = math.nan
    mouth_width: float = math.nan
    """Mouth width over the inter-eye distance."""
    expression: tuple[float, ...] = ()
    """The scale- and roll-free expression measures (``geometry.EXPRESSION_FEATURES``)."""
    gaze_offset: float = math.nan
    crop: geo.CropBox | None = None
    """The token-photo crop in source pixels (head at the configured ratio of its height)."""
    small: Pixels | None = None
    """The frame downscaled to ``SMALL_WIDTH`` (BGR: a channel-reversed view of ``small_rgb``)."""
    small_rgb: Pixels | None = None
    """The same downscaled frame in RGB, as the segmentation saw it (contiguous)."""
    mask: NDArray[np.float32] | None = None
    """Person probability (0-1) at the size of ``small``."""
    face: Pixels | None = None
    """The aligned face (BGR, ``FACE_SIZE``), eyes level at ``FACE_EYES``: a channel-reversed
    view of ``face_rgb`` from the analyser."""
    face_rgb: Pixels | None = None
    """The same aligned face in RGB, as warped from the RGB frame (contiguous)."""
    face_points: Coords | None = None
    """Mesh landmarks (x, y) in ``face`` coordinates."""
    source_face_box: Pixels | None = None
    """The central face box of the RGB source frame (a view; see ``source_face_gray``)."""
    head_top: Pixels | None = None
    """The head above the eyes, upright (BGR, ``HEAD_TOP_SIZE``, eyes at ``HEAD_TOP_EYES``):
    a channel-reversed view of ``head_top_rgb`` from the analyser."""
    head_top_rgb: Pixels | None = None
    """The same head top in RGB, as warped from the RGB frame (contiguous)."""
    head_top_mask: NDArray[np.float32] | None = None
    """Person probability over ``head_top`` (-1 outside the frame)."""
    head_top_matrix: Coords | None = None
    """The 2x3 similarity from source pixels to ``head_top`` pixels."""
    timings_ms: dict[str, float] = field(default_factory=dict)
    unusable: str = ""
    """Why the frame could not be analysed at all (empty, a strip, not 8-bit...); empty for a
    usable frame. Such a frame reaches no model and its report says "no usable frame"."""
    # Computed on first use by kiosk.photo.regions and kept with the analysis they derive from.
    _regions: FaceRegions | None = field(default=None, init=False, repr=False, compare=False)
    _background: Background | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def has_face(self) -> bool:
        """Whether a face mesh was found (the checks of face properties need it)."""
        return self.points is not None

    @property
    def small_scale(self) -> float:
        """Source pixels per pixel of ``small``."""
        return self.width / SMALL_WIDTH

    @property
    def source_face_gray(self) -> Pixels | None:
        """Luminance of the central face box at source resolution (for JPEG blocking): the
        green channel, which carries most of the luminance and all of the blocking. Only the
        camera-only blocking check reads it, so it is copied out when read, not per frame."""
        if self.source_face_box is None:
            return None
        return np.ascontiguousarray(self.source_face_box[..., 1])

    @property
    def head_top_points(self) -> Coords | None:
        """Mesh landmarks (x, y) in ``head_top`` coordinates (computed when read)."""
        return self.head_top_points_at(slice(None))

    def head_top_points_at(self, rows: slice | list[int]) -> Coords | None:
        """The ``rows`` of ``head_top_points`` alone (the same numbers: the same matrix
        product, row by row), for a check that reads three of the 478 points."""
        if self.points is None or self.head_top_matrix is None:
            return None
        m = self.head_top_matrix
        moved: Coords = self.points[rows, :2] @ m[:, :2].T + m[:, 2]
        return moved


class FaceAnalyzer:
    """Owns the mediapipe models; one instance per thread (the graphs are not thread-safe).

    Args:
        settings: the photo settings (token head ratio, pitch calibration, detector score).
        static: treat frames as unrelated stills (the CLI and evaluation); ``False`` lets the
            mesh track the face from frame to frame, which is faster for a camera stream.
    """

    def __init__(self, settings: PhotoSettings | None = None, *, static: bool = False) -> None:
        # Loaded here so that importing the package (for settings, CLI help) stays cheap.
        mp = solutions()
        face_detection, face_mesh = mp.face_detection, mp.face_mesh
        selfie_segmentation = mp.selfie_segmentation

        settings = settings or PhotoSettings()
        self.head_ratio = settings.token_head_ratio
        self.pitch_offset = settings.pitch_offset_deg
        # Stills may show people far from the camera; the kiosk camera sees them within 2 m,
        # where the short-range model is the faster and better one.
        self._detector = face_detection.FaceDetection(
            model_selection=1 if static else 0,
            min_detection_confidence=settings.min_detection_confidence)
        self._mesh = face_mesh.FaceMesh(static_image_mode=static, max_num_faces=1,
                                        refine_landmarks=True, min_detection_confidence=0.5)
        # The landscape model (1) is the faster one and accurate enough at 256 px.
        self._segmenter = selfie_segmentation.SelfieSegmentation(model_selection=1)
        # mediapipe ships no type information: its models and results are Any.
        self._far_detector: Any = None
        self._min_conf = settings.min_detection_confidence
        self._max_pixels = settings.max_image_pixels

    def _find_far_faces(self, bgr: Pixels) -> Any:
        """Full-range detection, run only when nothing was found: someone far from the camera
        should hear "move closer", not "stand in front of the camera"."""
        if self._far_detector is None:
            self._far_detector = solutions().face_detection.FaceDetection(
                model_selection=1, min_detection_confidence=self._min_conf)
        return self._far_detector.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))

    def close(self) -> None:
        """Release the model graphs."""
        for model in (self._detector, self._mesh, self._segmenter, self._far_detector):
            if model is not None:
                model.close()

    def __enter__(self) -> FaceAnalyzer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def prepare(bgr: Pixels) -> tuple[Pixels, Pixels, Pixels]:
        """Model inputs: the RGB frame, the 256-px BGR frame (a view) and the 256-px RGB one."""
        rgb = _u8(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        # Downscaled from the RGB frame just written, which is still in the cache (about
        # 0.2 ms less than from the BGR one); the resize treats channels alike, so the small
        # frames are the same pixels either way.
        small_rgb = _small(rgb)
        # The BGR small frame is the RGB one read backwards along the channels: the same
        # pixels, no conversion (the background reads ``small_rgb`` itself).
        return rgb, small_rgb[..., ::-1], small_rgb

    def infer(self, rgb: Pixels, small_rgb: Pixels) -> tuple[Any, Any, Any]:
        """The three models alone on prepared inputs: the inference floor of the bench."""
        return (self._detector.process(rgb), self._mesh.process(rgb),
                self._segmenter.process(small_rgb))

    def analyze(self, bgr: Pixels) -> FrameAnalysis:
        """Analyse one BGR frame (uint8, H x W x 3) into a :class:`FrameAnalysis`.

        Grey (H x W or H x W x 1) and BGRA frames are converted. Anything else (another pixel
        type or channel count, a strip, an empty or oversized frame) is refused before the
        models see it (they abort the process on some such inputs): the analysis then has no
        face and says why in ``unusable``.
        """
        problem = frame_problem(bgr, self._max_pixels)
        if problem is not None:
            w, h = frame_size(bgr)
            return FrameAnalysis(width=w, height=h, faces=[], unusable=problem)
        if bgr.ndim == 2 or bgr.shape[2] == 1:
            bgr = _u8(cv2.cvtColor(bgr, cv2.COLOR_GRAY2BGR))
        elif bgr.shape[2] == 4:
            bgr = _u8(cv2.cvtColor(bgr, cv2.COLOR_BGRA2BGR))
        elif not bgr.flags.c_contiguous:
            bgr = np.ascontiguousarray(bgr)
        t0 = time.perf_counter()
        rgb, small, small_rgb = self.prepare(bgr)
        t_in = time.perf_counter()
        det, mesh, seg = self.infer(rgb, small_rgb)
        t1 = time.perf_counter()
        h, w = bgr.shape[:2]
        out = FrameAnalysis(width=w, height=h, faces=_faces(det, w, h))
        landmarks = getattr(mesh, "multi_face_landmarks", None)
        if not out.faces and not landmarks:
            out.faces = _faces(self._find_far_faces(bgr), w, h)
        out.small, out.small_rgb = small, small_rgb
        mask = getattr(seg, "segmentation_mask", None)
        out.mask = None if mask is None else np.asarray(mask, dtype=np.float32)
        if landmarks:
            pts = _landmarks(landmarks[0], w, h)
            _fill_geometry(out, pts, rgb, self.head_ratio, self.pitch_offset)
        out.timings_ms = {"models": (t1 - t_in) * 1e3,
                          "total": (time.perf_counter() - t0) * 1e3}
        return out


def _u8(image: cv2.typing.MatLike) -> Pixels:
    """An OpenCV result on 8-bit input as the uint8 array it is (no copy)."""
    return np.asarray(image, dtype=np.uint8)


def _small(image: Pixels) -> Pixels:
    """The frame at ``SMALL_WIDTH``, in its own channel order, for the segmentation and the
    background.

    Halving with linear interpolation averages 2x2 blocks (no aliasing) and is ten times
    cheaper than one ``INTER_AREA`` step of 5x on a 1280x720 frame.
    """
    h, w = image.shape[:2]
    img = image
    while img.shape[1] >= 2 * SMALL_WIDTH:
        img = _u8(cv2.resize(img, (img.shape[1] // 2, img.shape[0] // 2),
                             interpolation=cv2.INTER_LINEAR))
    small = _u8(cv2.resize(img, (SMALL_WIDTH, max(1, round(h * SMALL_WIDTH / w))),
                           interpolation=cv2.INTER_LINEAR))
    return small


def _landmarks(face: Any, w: int, h: int) -> Coords:
    """The mesh landmarks as a (478, 3) array in source pixels.

    Reading 478 protobuf messages attribute by attribute costs about 0.25 ms in the live loop;
    the serialised list is a fixed 17-byte record per point, which numpy reads in one go. Any
    other layout (a field left out, another mediapipe version) takes the slow path.
    """
    raw = face.SerializeToString()
    size = _LANDMARK.itemsize
    if len(raw) % size == 0:
        n = len(raw) // size
        # The five framing bytes of every record, compared as byte strings (plain C, no numpy
        # call per field).
        if all(raw[at::size] == bytes((value,)) * n for at, value in _FRAMING):
            # The twelve float bytes of every record in one gather, read as aligned float32
            # (x, y, z) and scaled in float32, as the record fields would be.
            xyz = np.frombuffer(raw, np.uint8).reshape(n, size).take(_XYZ_BYTES, axis=1).view("<f4")
            pts: Coords = (xyz * np.array([w, h, w], np.float32)).astype(np.float64)
            return pts
    return np.array([(p.x * w, p.y * h, p.z * w) for p in face.landmark], dtype=np.float64)


def _faces(result: Any, w: int, h: int) -> list[FaceBox]:
    faces = []
    for d in getattr(result, "detections", None) or []:
        box = d.location_data.relative_bounding_box
        kp = d.location_data.relative_keypoints
        eyes = math.hypot((kp[1].x - kp[0].x) * w, (kp[1].y - kp[0].y) * h) if len(kp) > 1 else 0
        faces.append(FaceBox(box.xmin * w, box.ymin * h, box.width * w, box.height * h,
                             float(d.score[0]), eyes))
    return sorted(faces, key=lambda f: -f.width * f.height)


def _fill_geometry(out: FrameAnalysis, pts: Coords, rgb: Pixels, head_ratio: float,
                   pitch_offset: float) -> None:
    """Geometry, the aligned face, the head top and the blocking box from the mesh points.

    The images are cut from the RGB frame the mesh has just read, which the models leave
    warmer in the cache than the BGR one (about 40 us less for the face warp right after the
    models). A warp treats every channel alike, so the channel-reversed result is the same
    pixels as warping the BGR frame.
    """
    out.points = pts
    out.right_eye, out.left_eye = geo.eye_centres(pts)
    out.inter_eye = geo.distance(out.left_eye, out.right_eye)
    out.pose = geo.head_pose(pts, pitch_offset)
    out.chin = pts[geo.CHIN, :2].copy()
    right_open, left_open, out.mouth_gap = geo.openness_and_gap(pts)
    out.eye_openness = (right_open, left_open)
    out.smile_lift, mouth_px, out.gaze_offset, out.expression = geo.face_shape(
        pts, out.inter_eye, out.pose.roll, sum(out.eye_openness) / 2.0)
    out.mouth_width = mouth_px / (out.inter_eye + 1e-9)
    eye_mid = (out.right_eye + out.left_eye) / 2.0
    out.crown, out.crown_from_mask, out.crown_ratio = _crown(out, eye_mid)
    # The segmentation fades at the image border, so a mask ending within a few small-frame
    # pixels of the edge means the head reaches the edge.
    edge = 2.0 * out.small_scale
    out.crown_cut = out.crown_from_mask and not (
        edge <= out.crown[0] < out.width - edge and edge <= out.crown[1] < out.height - edge)
    out.crop = geo.token_crop(out.chin, out.crown, eye_mid, out.pose.roll, head_ratio)
    # One similarity warp puts the face upright at a fixed scale for every face-region check.
    m = similarity(out.right_eye, out.left_eye, *_FACE_EYES)
    # Linear: the kiosk shrinks by at most about 2, where area averaging buys little and
    # costs more than the whole face-region analysis.
    out.face_rgb = _u8(cv2.warpAffine(rgb, m, FACE_SIZE, flags=cv2.INTER_LINEAR,
                                      borderMode=cv2.BORDER_REPLICATE))
    # The BGR face is the RGB one read backwards along the channels (as ``small``): the face
    # regions convert ``face_rgb`` itself, so no conversion is needed here.
    out.face = out.face_rgb[..., ::-1]
    out.face_points = pts[:, :2] @ m[:, :2].T + m[:, 2]
    _head_top(out, rgb)
    # Blocking is on the source pixel grid: keep a grid-aligned box between the eyes and the
    # mouth, at most 192 px a side so that the cost stays flat for large faces.
    half = int(min(96, max(16, out.inter_eye * 0.6))) // 8 * 8
    x0 = int(eye_mid[0]) // 8 * 8 - half
    y0 = int(eye_mid[1]) // 8 * 8
    x0, y0 = max(0, x0), max(0, y0)
    box = rgb[y0:y0 + 2 * half, x0:x0 + 2 * half]
    if box.size:
        # A view: the green plane (the middle channel in RGB as in BGR) is copied out only
        # when the blocking check reads it.
        out.source_face_box = box


#: Where the eyes land in the aligned face and in the head top, as the arrays ``similarity``
#: takes (made once).
_FACE_EYES = (np.array(FACE_EYES[0]), np.array(FACE_EYES[1]))
_HEAD_TOP_EYES = (np.array(HEAD_TOP_EYES[0]), np.array(HEAD_TOP_EYES[1]))


def _head_top(out: FrameAnalysis, rgb: Pixels) -> None:
    """Warp the head above the eyes, and the person mask over it, to ``HEAD_TOP_SIZE``.

    Only region means are read from it (the colour above the forehead), which point sampling
    estimates without bias, so plain bilinear sampling of the full frame is enough: 48 x 48
    pixels cost a few microseconds.
    """
    assert out.right_eye is not None and out.left_eye is not None and out.points is not None
    m = similarity(out.right_eye, out.left_eye, *_HEAD_TOP_EYES)
    out.head_top_rgb = _u8(cv2.warpAffine(rgb, m, HEAD_TOP_SIZE, flags=cv2.INTER_LINEAR,
                                          borderMode=cv2.BORDER_REPLICATE))
    out.head_top = out.head_top_rgb[..., ::-1]  # BGR, as ``face``
    out.head_top_matrix = m
    if out.mask is not None:
        ms = m.copy()
        ms[:, :2] *= out.small_scale  # mask pixels -> source pixels -> head-top pixels
        out.head_top_mask = np.asarray(
            cv2.warpAffine(out.mask, ms, HEAD_TOP_SIZE, flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=(-1.0,)),
            dtype=np.float32)


def similarity(a0: Coords, a1: Coords, b0: Coords, b1: Coords) -> Coords:
    """The 2x3 rotation-scale-shift matrix taking points ``a0, a1`` to ``b0, b1``."""
    (a0x, a0y), (a1x, a1y) = a0.tolist(), a1.tolist()
    (b0x, b0y), (b1x, b1y) = b0.tolist(), b1.tolist()
    za, zb = complex(a1x - a0x, a1y - a0y), complex(b1x - b0x, b1y - b0y)
    k = zb / (za if za != 0 else 1e-9)
    c, s = k.real, k.imag
    # The shift ``b0 - rot @ a0`` in plain floats, summed in the same order (the same numbers
    # as np.hstack of the rotation and the shift, without a handful of numpy calls).
    return np.array([[c, -s, b0x - (c * a0x + -s * a0y)], [s, c, b0y - (s * a0x + c * a0y)]])


#: Where the crown search samples the mask: chin-to-eye distances above the eyes.
_CROWN_STEPS = np.arange(0.0, 2.5, 0.02)
_CROWN_STEP_LIST: list[float] = _CROWN_STEPS.tolist()


def _crown(out: FrameAnalysis, eye_mid: Coords) -> tuple[Coords, bool, float]:
    """Top of the head: where the person mask ends above the eyes, else an anthropometric guess.

    The mesh stops at the forehead, so the crown comes from the segmentation: walk up the face
    axis from the eye midpoint until the mask ends. Hair and hats count as head for the mask,
    so the walk is capped and the ratio kept as a head-covering cue.

    The walk is plain floats, step by step, stopping at the first step off the mask (about 60
    of the 125 on a kiosk frame): the same sample positions and rounding as the array
    arithmetic over all steps, without a dozen numpy calls on a cold cache.
    """
    assert out.chin is not None
    (ex, ey), (chx, chy) = eye_mid.tolist(), out.chin.tolist()
    dx, dy = chx - ex, chy - ey
    chin_eye = math.hypot(dx, dy) + 1e-9
    ux, uy = -dx / chin_eye, -dy / chin_eye

    def at(ratio: float) -> Coords:
        return np.array([ex + ux * chin_eye * ratio, ey + uy * chin_eye * ratio])

    guess = at(geo.CROWN_FACTOR)
    if out.mask is None:
        return guess, False, math.nan
    mask = out.mask
    scale = out.small_scale
    mh, mw = mask.shape
    for ratio in _CROWN_STEP_LIST:
        k = ratio * chin_eye
        # ``round`` is numpy's rounding (half to even) of the same float.
        xi, yi = round((ex + ux * k) / scale), round((ey + uy * k) / scale)
        if not (0 <= xi < mw and 0 <= yi < mh):
            # The head reaches the frame edge: the crown is somewhere outside. Put it just
            # outside (or at the anthropometric guess if that is further) so that the cut shows.
            ratio = max(ratio + 0.04, geo.CROWN_FACTOR)
            return at(ratio), True, ratio
        if mask.item(yi, xi) < 0.5:
            # Beyond about 1.35 the mask is measuring a hat or big hair, not the skull; cap it.
            return at(min(max(ratio, 0.85), 1.35)), True, ratio
    return guess, False, math.nan

"""The live loop's per-frame geometry in plain floats gives exactly the values of the numpy
arithmetic it replaced (each reference below is the replaced code), and check results built
without the dataclass ``__init__`` are the same frozen objects."""

from __future__ import annotations

import dataclasses
import math

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kiosk.photo import geometry as geo
from kiosk.photo.analysis import FaceAnalyzer, FrameAnalysis, _crown
from kiosk.photo.result import CheckResult, Status, unknown, verdict

seeds = st.integers(0, 2**32 - 1)


def _face_points(seed: int) -> np.ndarray:
    """478 mesh-like points in source pixels (float64, as ``analysis._landmarks`` gives)."""
    rng = np.random.default_rng(seed)
    scale = rng.uniform(50, 2000)
    return (rng.uniform(0, 1, (478, 3)).astype(np.float32)
            * np.array([scale, scale * 0.6, scale], np.float32)).astype(np.float64)


def _eye_openness_numpy(points: np.ndarray,
                       spec: tuple[int, int, tuple[int, int], tuple[int, int]]) -> float:
    """The eye aspect ratio as it was measured one eye at a time."""
    outer, inner, (u1, l1), (u2, l2) = spec
    p = points[[outer, inner, u1, l1, u2, l2], :2]
    d = np.hypot(*(p[0::2] - p[1::2]).T)  # width, first gap, second gap
    return float((d[1] + d[2]) / (2.0 * (d[0] + 1e-9)))


def _mouth_gap_numpy(points: np.ndarray) -> float:
    """The mouth gap as it was measured on its own."""
    pairs = (geo.MOUTH_CORNERS, *geo.INNER_LIP_PAIRS)
    a = points[[u for u, _ in pairs], :2]
    b = points[[lo for _, lo in pairs], :2]
    d = np.hypot(*(a - b).T)  # mouth width, then the inner-lip gaps
    return float(d[1:].max() / (d[0] + 1e-9))


@given(seed=seeds)
def test_openness_and_gap_in_one_go_are_the_three_measures(seed: int) -> None:
    pts = _face_points(seed)
    assert geo.openness_and_gap(pts) == (_eye_openness_numpy(pts, geo.RIGHT_EAR),
                                         _eye_openness_numpy(pts, geo.LEFT_EAR),
                                         _mouth_gap_numpy(pts))


def _head_pose_numpy(points: np.ndarray, pitch_offset: float) -> geo.Pose:
    """``geometry.head_pose`` as it was: the points read through numpy vectors."""
    roll = geo.roll_degrees(*geo.eye_centres(points))
    c, s = math.cos(math.radians(-roll)), math.sin(math.radians(-roll))

    def level(x: float, y: float, z: float) -> tuple[float, float, float]:
        norm = math.sqrt(x * x + y * y + z * z) + 1e-9
        if z < 0:
            norm = -norm
        x, y, z = x / norm, y / norm, z / norm
        return c * x - s * y, s * x + c * y, z

    ax, ay, az = (points[geo.EYE_OUTER[1]] - points[geo.EYE_OUTER[0]]).tolist()
    dx, dy, dz = (points[geo.CHIN] - points[geo.FOREHEAD]).tolist()
    nx, ny, nz = level(ay * dz - az * dy, az * dx - ax * dz, ax * dy - ay * dx)
    yaw = math.degrees(math.atan2(nx, nz))
    # Round 6: the pitch from the same face-plane normal (was the rigid-landmark plane).
    pitch = geo._wrap(math.degrees(math.atan2(ny, nz)) - pitch_offset)
    return geo.Pose(yaw=yaw, pitch=pitch, roll=roll)


@given(seed=seeds, offset=st.floats(-30, 30))
def test_head_pose_from_one_gather_is_the_vector_arithmetic(seed: int, offset: float) -> None:
    pts = _face_points(seed)
    assert geo.head_pose(pts, offset) == _head_pose_numpy(pts, offset)


def _token_crop_numpy(chin: np.ndarray, crown: np.ndarray, eye_mid: np.ndarray, roll: float,
                      head_ratio: float) -> geo.CropBox:
    head = geo.distance(chin, crown)
    height = head / head_ratio
    width = height * (35.0 / 45.0)
    top_margin = (1.0 - head_ratio) / 2.0
    axis = (chin - crown) / (head + 1e-9)
    across = np.array([axis[1], -axis[0]])
    along_centre = crown + axis * (height / 2.0 - top_margin * height)
    offset = float(np.dot(eye_mid - along_centre, across))
    centre = along_centre + across * offset
    return geo.CropBox(cx=float(centre[0]), cy=float(centre[1]), width=width, height=height,
                       angle=roll)


def _corners_numpy(box: geo.CropBox) -> np.ndarray:
    hw, hh = box.width / 2.0, box.height / 2.0
    rect = np.array([[-hw, -hh], [hw, -hh], [hw, hh], [-hw, hh]]) + [box.cx, box.cy]
    return geo.rotate_points(rect, np.array([box.cx, box.cy]), box.angle)


def _outside_numpy(box: geo.CropBox, width: int, height: int) -> float:
    c = _corners_numpy(box)
    over_x = max(0.0, -c[:, 0].min(), c[:, 0].max() - width) / box.width
    over_y = max(0.0, -c[:, 1].min(), c[:, 1].max() - height) / box.height
    return float(max(over_x, over_y))


@given(xy=st.lists(st.floats(-3000, 3000), min_size=6, max_size=6), roll=st.floats(-60, 60),
       ratio=st.floats(0.5, 0.9), size=st.tuples(st.integers(1, 4000), st.integers(1, 4000)))
def test_token_crop_corners_and_overshoot_in_floats_are_the_vector_arithmetic(
        xy: list[float], roll: float, ratio: float, size: tuple[int, int]) -> None:
    chin, crown, eye_mid = np.array(xy[0:2]), np.array(xy[2:4]), np.array(xy[4:6])
    box = geo.token_crop(chin, crown, eye_mid, roll, ratio)
    expected = _token_crop_numpy(chin, crown, eye_mid, roll, ratio)
    assert box == expected
    assert np.array_equal(box.corners(), _corners_numpy(expected))
    if box.width > 0 and box.height > 0:
        assert box.outside_fraction(*size) == _outside_numpy(expected, *size)


def _crown_numpy(out: FrameAnalysis, eye_mid: np.ndarray) -> tuple[np.ndarray, bool, float]:
    """``analysis._crown`` as it was: every step sampled at once with numpy."""
    assert out.chin is not None
    down = out.chin - eye_mid
    chin_eye = geo.distance(eye_mid, out.chin) + 1e-9
    up = -down / chin_eye
    guess = eye_mid + up * chin_eye * geo.CROWN_FACTOR
    if out.mask is None:
        return guess, False, math.nan
    mh, mw = out.mask.shape
    steps = np.arange(0.0, 2.5, 0.02)
    xy = (eye_mid[None, :] + up[None, :] * (steps[:, None] * chin_eye)) / out.small_scale
    xi, yi = np.round(xy).astype(int).T
    inside = (xi >= 0) & (xi < mw) & (yi >= 0) & (yi < mh)
    values = np.zeros(len(steps))
    values[inside] = out.mask[yi[inside], xi[inside]]
    below = np.flatnonzero(values < 0.5)
    if len(below) == 0:
        return guess, False, math.nan
    first_out = int(below[0])
    ratio = float(steps[first_out])
    if not inside[first_out]:
        ratio = max(ratio + 0.04, geo.CROWN_FACTOR)
        return eye_mid + up * chin_eye * ratio, True, ratio
    used = float(np.clip(ratio, 0.85, 1.35))
    return eye_mid + up * chin_eye * used, True, ratio


def _same(a: tuple[np.ndarray, bool, float], b: tuple[np.ndarray, bool, float]) -> bool:
    return (np.array_equal(a[0], b[0]) and a[1] == b[1]
            and (a[2] == b[2] or (math.isnan(a[2]) and math.isnan(b[2]))))


@given(seed=seeds, width=st.sampled_from([640, 1280, 1920]), head=st.floats(0.0, 0.7),
       with_mask=st.booleans())
def test_crown_walk_in_floats_is_the_sampled_steps(seed: int, width: int, head: float,
                                                   with_mask: bool) -> None:
    rng = np.random.default_rng(seed)
    height = width * 9 // 16
    mh = round(height * 256 / width)
    # A person blob (head height drawn), noise and an outside, so that the walk ends on the
    # mask, at the frame edge or nowhere; a rounding tie now and then from whole coordinates.
    mask = (rng.random((mh, 256)) * 0.3).astype(np.float32)
    top = int(rng.integers(-mh // 2, mh))
    mask[max(0, top):, 40:216] += np.float32(0.6 + head)
    eye_mid = rng.uniform(-50, width + 50, 2).round(int(rng.integers(0, 3)))
    chin = eye_mid + rng.uniform(-80, 80, 2) + [0.0, height * head]
    out = FrameAnalysis(width=width, height=height, faces=[], chin=chin,
                        mask=mask if with_mask else None)
    assert _same(_crown(out, eye_mid), _crown_numpy(out, eye_mid))


def test_crown_walk_through_a_mask_with_no_end_finds_nothing() -> None:
    mask = np.ones((144, 256), np.float32)
    out = FrameAnalysis(width=1280, height=720, faces=[], chin=np.array([640.0, 400.0]),
                        mask=mask)
    eye_mid = np.array([640.0, 399.0])  # one pixel above the chin: 125 steps stay inside
    got = _crown(out, eye_mid)
    assert _same(got, _crown_numpy(out, eye_mid)) and not got[1] and math.isnan(got[2])


@given(value=st.one_of(st.floats(allow_nan=True), st.integers(-5, 5)), ok=st.booleans(),
       extra=st.one_of(st.none(), st.dictionaries(st.sampled_from("abc"), st.floats())))
def test_results_are_the_frozen_dataclass_as_constructed(value: float, ok: bool,
                                                         extra: dict[str, float] | None) -> None:
    got = verdict("Sharpness", value, ok, "blurred", "> 1", extra)
    if isinstance(value, float) and math.isnan(value):
        expected = CheckResult(name="Sharpness", value=None, status=Status.UNKNOWN,
                               threshold="> 1")
    else:
        expected = CheckResult(name="Sharpness", value=float(value),
                               status=Status.PASS if ok else Status.FAIL,
                               reason=None if ok else "blurred", threshold="> 1",
                               extra={k: float(v) for k, v in (extra or {}).items()})
    assert dataclasses.astuple(got) == dataclasses.astuple(expected) or (
        # NaN extras: compare field by field, NaN equal to NaN.
        repr(got) == repr(expected))
    assert type(got) is CheckResult and vars(got).keys() == vars(expected).keys()
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.value = 0.0  # type: ignore[misc]


def test_unknown_is_the_dataclass_as_constructed() -> None:
    assert unknown("EyesOpen", "no face") == CheckResult(
        name="EyesOpen", value=None, status=Status.UNKNOWN, threshold="no face")
    assert unknown("EyesOpen").failed is False


# The analyser's images as views: the BGR face and head top are the RGB warps read backwards,
# the blocking plane and the head-top landmarks are computed when read. Every reader gets the
# numbers it got when they were separate copies.


def _regions_fields(r: object) -> dict[str, object]:
    return {f.name: getattr(r, f.name) for f in dataclasses.fields(r)}  # type: ignore[arg-type]


def _same_fields(a: dict[str, object], b: dict[str, object]) -> bool:
    for name, x in a.items():
        y = b[name]
        if isinstance(x, np.ndarray):
            if not (isinstance(y, np.ndarray) and x.dtype == y.dtype
                    and np.array_equal(x, y, equal_nan=x.dtype.kind == "f")):
                return False
        elif x != y and not (isinstance(x, float) and math.isnan(x) and math.isnan(y)):  # type: ignore[arg-type]
            return False
    return True


@pytest.fixture(scope="module")
def kiosk_analysis(analyzer: FaceAnalyzer, studio: np.ndarray) -> FrameAnalysis:
    return analyzer.analyze(studio)


def test_face_and_head_top_are_reversed_views_of_the_rgb_warps(
        kiosk_analysis: FrameAnalysis) -> None:
    a = kiosk_analysis
    assert a.face is not None and a.face_rgb is not None and a.face.base is a.face_rgb
    assert a.head_top is not None and a.head_top_rgb is not None
    assert a.head_top.base is a.head_top_rgb
    assert np.array_equal(a.face, cv2.cvtColor(a.face_rgb, cv2.COLOR_RGB2BGR))
    assert np.array_equal(a.head_top, cv2.cvtColor(a.head_top_rgb, cv2.COLOR_RGB2BGR))


def test_regions_from_the_rgb_face_are_those_from_a_bgr_copy(
        kiosk_analysis: FrameAnalysis) -> None:
    from kiosk.photo.checks.head_covering import head_top_colours
    from kiosk.photo.regions import face_regions

    a = kiosk_analysis
    assert a.face is not None and a.head_top is not None
    # Contiguous BGR copies, as the analyser made them before: the BGR conversions run.
    copied = dataclasses.replace(a, face=np.ascontiguousarray(a.face),
                                 head_top=np.ascontiguousarray(a.head_top))
    fast, slow = face_regions(dataclasses.replace(a)), face_regions(copied)
    assert fast is not None and slow is not None
    assert _same_fields(_regions_fields(fast), _regions_fields(slow))
    colours = head_top_colours(a, fast)
    assert not math.isnan(colours[0]) and colours == head_top_colours(copied, slow)


def test_blocking_plane_and_head_top_points_are_computed_as_before(
        kiosk_analysis: FrameAnalysis) -> None:
    a = kiosk_analysis
    assert a.source_face_box is not None and a.points is not None
    gray = a.source_face_gray
    assert gray is not None and gray.flags.c_contiguous
    assert np.array_equal(gray, np.ascontiguousarray(a.source_face_box[..., 1]))
    m = a.head_top_matrix
    assert m is not None
    every = a.head_top_points
    assert every is not None and np.array_equal(every, a.points[:, :2] @ m[:, :2].T + m[:, 2])
    rows = [geo.FOREHEAD, 234, 454]
    assert np.array_equal(a.head_top_points_at(rows), every[rows])  # type: ignore[arg-type]
    bare = dataclasses.replace(a, source_face_box=None, head_top_matrix=None)
    assert bare.source_face_gray is None and bare.head_top_points is None


@given(gray=arrays(np.uint8, st.tuples(st.integers(1, 60), st.integers(1, 60))),
       seed=seeds, axis=st.sampled_from([0, 1]))
def test_central_difference_is_the_absolute_ksize_1_sobel(gray: np.ndarray, seed: int,
                                                          axis: int) -> None:
    from kiosk.photo.checks.sharpness import central_difference

    sobel = cv2.convertScaleAbs(cv2.Sobel(gray, cv2.CV_16S, axis, 1 - axis, ksize=1))
    got = central_difference(gray, axis)
    assert got.dtype == np.uint8 and np.array_equal(got, sobel)
    mask = (np.random.default_rng(seed).random(gray.shape) > 0.3).astype(np.uint8)
    assert cv2.mean(got, mask=mask) == cv2.mean(sobel, mask=mask)


def _mouth_line_numpy(p: np.ndarray, gray: np.ndarray) -> float:
    """``occlusion.mouth_line`` as it was (numpy positions)."""
    from kiosk.photo.regions import median_f

    top = (p[0, 1] + p[13, 1]) / 2.0
    bottom = (p[14, 1] + p[17, 1]) / 2.0
    y0, y1 = max(0, math.floor(top)), min(gray.shape[0], math.ceil(bottom) + 1)
    left, right = p[geo.MOUTH_CORNERS[0], 0], p[geo.MOUTH_CORNERS[1], 0]
    xs = np.clip(np.round(left + (right - left) * np.linspace(0.3, 0.7, 9)).astype(np.intp), 0,
                 gray.shape[1] - 1)
    if y1 - y0 < 3:
        return math.nan
    cols = gray[y0:y1][:, xs].astype(np.float32)
    median = median_f(cols.copy(), axis=0)
    return float(median_f((median - cols.min(axis=0)) / (median + 1.0)))


def _asymmetry_numpy(skin: np.ndarray, detail: np.ndarray) -> float:
    flipped = cv2.flip(detail, 1)
    both = skin & skin[:, ::-1]
    if np.count_nonzero(both) < 50:
        return float("nan")
    d = detail[both]
    return float(np.abs(d - flipped[both]).mean() / (d.mean() + 1.0))


@given(seed=seeds)
def test_lip_line_and_detail_asymmetry_are_the_numpy_arithmetic(seed: int) -> None:
    from types import SimpleNamespace

    from kiosk.photo.checks.occlusion import mouth_line, texture_asymmetry

    rng = np.random.default_rng(seed)
    gray = rng.integers(0, 256, (166, 128), dtype=np.uint8)
    # Whole and half coordinates now and then: rounding ties.
    points = (rng.uniform(-20, 180, (478, 2)) * 2).round(int(rng.integers(0, 3))) / 2
    a = FrameAnalysis(width=128, height=166, faces=[], face_points=points)
    r = SimpleNamespace(gray=gray, skin=rng.random((166, 128)) > rng.uniform(0.2, 0.99))
    got, expected = mouth_line(a, r), _mouth_line_numpy(points, gray)  # type: ignore[arg-type]
    assert got == expected or (math.isnan(got) and math.isnan(expected))
    detail = rng.uniform(0, 40, (166, 128)).astype(np.float32)
    got, expected = texture_asymmetry(r, detail), _asymmetry_numpy(r.skin, detail)  # type: ignore[arg-type]
    assert got == expected or (math.isnan(got) and math.isnan(expected))


@given(seed=seeds)
def test_cut_off_from_one_gather_is_the_extremes_of_the_outline(seed: int) -> None:
    from kiosk.photo.checks.framing import _cut_off

    rng = np.random.default_rng(seed)
    points = rng.uniform(-300, 1600, (478, 3))
    chin, crown = rng.uniform(-100, 1400, 2), rng.uniform(-100, 1400, 2)
    a = FrameAnalysis(width=1280, height=720, faces=[], points=points, chin=chin, crown=crown)
    oval = points[geo.FACE_OVAL, :2]
    (x_low, y_low), (x_high, y_high) = oval.min(axis=0).tolist(), oval.max(axis=0).tolist()
    cx, cy = float(crown[0]), float(crown[1])
    over = max(-min(x_low, cx), max(x_high, cx) - 1280, -min(y_low, cy), max(y_high, cy) - 720)
    assert _cut_off(a) == max(0.0, over) / (geo.distance(chin, crown) + 1e-9)


def test_exposure_levels_are_numpys_searches(kiosk_analysis: FrameAnalysis) -> None:
    from kiosk.photo.checks.exposure import check
    from kiosk.photo.regions import face_regions, levels_u8
    from kiosk.photo.settings import PhotoSettings

    r = face_regions(kiosk_analysis)
    assert r is not None
    skin, oval = r.skin_levels, levels_u8(r.gray, r.oval)
    luminance, _ = check(kiosk_analysis, PhotoSettings(), "live")
    assert luminance.value == float(np.searchsorted(skin, skin[-1] / 2.0))
    assert luminance.extra["face_highlight"] == float(np.searchsorted(skin, 0.95 * skin[-1]))
    assert luminance.extra["dynamic_range"] == float(
        np.searchsorted(oval, 0.99 * oval[-1]) - np.searchsorted(oval, 0.01 * oval[-1]))


def _background_numpy(a: FrameAnalysis) -> object:
    """``regions.background`` as it was: the crop outline through numpy."""
    from kiosk.photo.regions import Background

    assert a.mask is not None and a.small_rgb is not None and a.crop is not None
    h, w = a.mask.shape
    crop_poly = a.crop.corners() / a.small_scale
    xs, ys = crop_poly.T.tolist()
    x0, y0 = math.floor(min(xs)) - 13, math.floor(min(ys)) - 13
    x1, y1 = math.ceil(max(xs)) + 14, math.ceil(max(ys)) + 14
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    small, mask = np.ascontiguousarray(a.small_rgb[y0:y1, x0:x1]), a.mask[y0:y1, x0:x1]
    in_crop = np.zeros(mask.shape, np.uint8)
    cv2.fillPoly(in_crop, [np.round(crop_poly - (x0, y0)).astype(np.int32)], (1,))
    person = (mask > 0.5).view(np.uint8)
    bg = in_crop.view(np.bool_) & (cv2.dilate(person, np.ones((5, 5), np.uint8)) == 0)
    ring = cv2.dilate(person, np.ones((25, 25), np.uint8)).view(np.bool_)
    return Background(lab=cv2.cvtColor(small, cv2.COLOR_RGB2LAB),
                      gray=cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), mask=bg, near=bg & ring,
                      far=bg & ~ring)


@given(cx=st.floats(-200, 1500), cy=st.floats(-200, 900), size=st.floats(1, 900),
       angle=st.floats(-40, 40), half=st.booleans())
def test_background_box_from_float_corners_is_the_numpy_outline(
        kiosk_analysis: FrameAnalysis, cx: float, cy: float, size: float, angle: float,
        half: bool) -> None:
    from kiosk.photo.regions import background

    # Half-pixel centres now and then: rounding ties on the small frame.
    crop = geo.CropBox(cx=round(cx) + 0.5 * half, cy=cy, width=size * 35 / 45, height=size,
                       angle=angle)
    a = dataclasses.replace(kiosk_analysis, crop=crop)
    got = background(a)
    if got is None:
        return
    assert _same_fields(_regions_fields(got), _regions_fields(_background_numpy(a)))


@given(seed=seeds, roll=st.floats(-40, 40), aperture=st.floats(0, 0.5))
def test_face_shape_in_one_gather_is_each_measure(seed: int, roll: float,
                                                  aperture: float) -> None:
    pts = _face_points(seed)
    inter_eye = geo.distance(pts[geo.RIGHT_IRIS], pts[geo.LEFT_IRIS])
    corners = pts[list(geo.MOUTH_CORNERS), :2]
    assert geo.face_shape(pts, inter_eye, roll, aperture) == (
        geo.smile_lift(pts, inter_eye, roll), geo.distance(corners[0], corners[1]),
        geo.gaze_offset(pts), geo.expression_features(pts, roll, aperture))


def test_eye_centres_are_copies_of_the_iris_points() -> None:
    pts = _face_points(7)
    right, left = geo.eye_centres(pts)
    assert np.array_equal(right, pts[geo.RIGHT_IRIS, :2])
    assert np.array_equal(left, pts[geo.LEFT_IRIS, :2])
    assert not np.shares_memory(right, pts) and not np.shares_memory(left, pts)
    assert not np.shares_memory(right, left)

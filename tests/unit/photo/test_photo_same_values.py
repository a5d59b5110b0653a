"""The live loop's shortcuts for numpy and protobuf calls give exactly the values they replace."""

from __future__ import annotations

import math

import cv2
import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kiosk.photo.analysis import FaceAnalyzer, FrameAnalysis, _landmarks, similarity
from kiosk.photo.checks import natural_colour
from kiosk.photo.regions import _OUTLINES, _outlines, levels_u8, mask8, median_f, share
from kiosk.photo.settings import PhotoSettings

finite = st.floats(-1e6, 1e6, width=32, allow_nan=False, allow_infinity=False)


@given(v=arrays(np.float32, st.integers(1, 300), elements=finite))
def test_median_f_is_numpys_median(v: np.ndarray) -> None:
    expected = np.median(v)
    got = median_f(v.copy())
    assert got.dtype == expected.dtype and float(got) == float(expected)


@given(v=arrays(np.float32, st.tuples(st.integers(1, 12), st.integers(1, 40)), elements=finite),
       axis=st.sampled_from([0, 1]))
def test_median_f_along_an_axis_is_numpys_median(v: np.ndarray, axis: int) -> None:
    expected = np.median(v, axis=axis)
    got = median_f(v.copy(), axis=axis)
    assert got.dtype == expected.dtype and np.array_equal(got, expected)


@given(flags=arrays(np.bool_, st.integers(1, 500)))
def test_share_is_the_mean_of_booleans(flags: np.ndarray) -> None:
    assert share(flags) == float(np.mean(flags))


def test_share_of_nothing_is_nan() -> None:
    assert math.isnan(share(np.zeros(0, np.bool_)))


@given(mask=arrays(np.bool_, st.tuples(st.integers(1, 30), st.integers(1, 30))))
def test_mask8_is_the_same_mask_without_a_copy(mask: np.ndarray) -> None:
    values = np.arange(mask.size, dtype=np.float32).reshape(mask.shape)
    view = mask8(mask)
    assert np.shares_memory(view, mask)
    assert cv2.mean(values, mask=view) == cv2.mean(values, mask=mask.astype(np.uint8))


@given(small=arrays(np.uint8, st.tuples(st.integers(2, 60), st.integers(2, 60), st.just(3))))
def test_colour_present_is_the_mean_largest_channel_difference(small: np.ndarray) -> None:
    analysis = FrameAnalysis(width=small.shape[1], height=small.shape[0], faces=[], small=small)
    colour = natural_colour.check(analysis, PhotoSettings(), "live")[0]
    b, g, r = (small[::2, ::2, i].astype(np.int16) for i in range(3))
    expected = float(np.mean(np.maximum(np.maximum(abs(r - g), abs(g - b)), abs(r - b))))
    assert colour.name == "ColourPresent" and colour.value == expected


def _mesh(points: np.ndarray, with_z: bool = True) -> object:
    from mediapipe.framework.formats import landmark_pb2

    face = landmark_pb2.NormalizedLandmarkList()
    for x, y, z in points.tolist():
        mark = face.landmark.add()
        mark.x, mark.y = x, y
        if with_z:
            mark.z = z
    return face


def _slow(face: object, w: int, h: int) -> np.ndarray:
    return np.array([(p.x * w, p.y * h, p.z * w) for p in face.landmark],  # type: ignore[attr-defined]
                    dtype=np.float64)


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 478))
def test_landmarks_read_in_one_go_match_the_messages(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    points = rng.uniform(-0.2, 1.2, (n, 3)).astype(np.float32)
    face = _mesh(points)
    # The one-go reading scales in float32, as the numpy field checks it replaces did.
    expected = (points * np.array([640, 480, 640], np.float32)).astype(np.float64)
    got = _landmarks(face, 640, 480)
    assert np.array_equal(got, expected)
    assert np.allclose(got, _slow(face, 640, 480), rtol=1e-6, atol=1e-4)


def test_landmarks_of_another_layout_take_the_slow_path() -> None:
    points = np.random.default_rng(3).uniform(0, 1, (478, 3)).astype(np.float32)
    face = _mesh(points, with_z=False)  # z left out: shorter records
    got = _landmarks(face, 1280, 720)
    assert got.shape == (478, 3) and np.array_equal(got, _slow(face, 1280, 720))
    assert np.all(got[:, 2] == 0.0)


@given(frame=arrays(np.uint8, st.tuples(st.integers(32, 700), st.integers(32, 700), st.just(3))))
def test_the_bgr_small_frame_is_the_rgb_one_reversed(frame: np.ndarray) -> None:
    rgb, small, small_rgb = FaceAnalyzer.prepare(frame)
    assert np.array_equal(rgb, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    assert small_rgb.flags.c_contiguous and small_rgb.shape[1] == 256
    assert np.array_equal(small, cv2.cvtColor(small_rgb, cv2.COLOR_RGB2BGR))


@given(box=arrays(np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40), st.just(3))))
def test_background_colours_from_rgb_are_those_from_bgr(box: np.ndarray) -> None:
    bgr = np.ascontiguousarray(box[..., ::-1])
    assert np.array_equal(cv2.cvtColor(box, cv2.COLOR_RGB2LAB),
                          cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB))
    assert np.array_equal(cv2.cvtColor(box, cv2.COLOR_RGB2GRAY),
                          cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))


@given(image=arrays(np.uint8, st.tuples(st.integers(1, 60), st.integers(1, 60))),
       seed=st.integers(0, 2**32 - 1))
def test_levels_u8_counts_as_bincount(image: np.ndarray, seed: int) -> None:
    mask = np.random.default_rng(seed).random(image.shape) > 0.4
    expected = np.bincount(image[mask], minlength=256).cumsum()
    got = levels_u8(image, mask)
    assert got.dtype == expected.dtype and np.array_equal(got, expected)


@given(seed=st.integers(0, 2**32 - 1))
def test_outlines_are_each_outline_rounded(seed: int) -> None:
    points = np.random.default_rng(seed).uniform(-5.0, 170.0, (478, 2))
    outlines = _outlines(points)
    assert len(outlines) == len(_OUTLINES)
    for outline, idx in zip(outlines, _OUTLINES, strict=True):
        assert outline.dtype == np.int32
        assert np.array_equal(outline, np.round(points[idx]).astype(np.int32))


@given(coords=arrays(np.float64, 8, elements=st.floats(-2000, 2000)))
def test_similarity_is_the_stacked_matrix(coords: np.ndarray) -> None:
    a0, a1, b0, b1 = coords[0:2], coords[2:4], coords[4:6], coords[6:8]
    m = similarity(a0, a1, b0, b1)
    za, zb = complex(*(a1 - a0)), complex(*(b1 - b0))
    k = zb / (za if za != 0 else 1e-9)
    rot = np.array([[k.real, -k.imag], [k.imag, k.real]])
    # Degenerate inputs (a subnormal eye distance) give inf and NaN entries both ways.
    with np.errstate(invalid="ignore"):
        expected = np.hstack([rot, (b0 - rot @ a0)[:, None]])
    assert m.shape == (2, 3) and np.array_equal(m, expected, equal_nan=True)


@given(gray=arrays(np.uint8, st.tuples(st.integers(3, 50), st.integers(3, 50))),
       dx=st.sampled_from([0, 1]))
def test_central_differences_fit_in_8_bits(gray: np.ndarray, dx: int) -> None:
    derivative = cv2.Sobel(gray, cv2.CV_16S, dx, 1 - dx, ksize=1)
    assert np.array_equal(cv2.convertScaleAbs(derivative), np.abs(derivative))


def test_chroma_of_any_8_bit_colour_fits_in_8_bits() -> None:
    levels = np.arange(0, 256, 5)  # 0, 5, ..., 255: the pure colours hold the a*, b* extremes
    cube = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), -1).astype(np.uint8)
    lab8 = cv2.cvtColor(cube.reshape(-1, len(levels), 3), cv2.COLOR_BGR2LAB)
    neutral = (0.0, 128.0, 128.0, 0.0)
    weights = np.array([[0.0, 1.0, 1.0]], np.float32)
    as_float = cv2.transform(cv2.absdiff(lab8.astype(np.float32), neutral), weights)
    as_bytes = cv2.transform(cv2.absdiff(lab8, neutral), weights)
    assert as_bytes.dtype == np.uint8 and int(as_bytes.max()) < 255
    assert np.array_equal(as_float, as_bytes.astype(np.float32))

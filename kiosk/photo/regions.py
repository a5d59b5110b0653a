"""Pixel regions of the aligned face (skin, cheeks, eyes, forehead...) and of the background."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from kiosk.photo import geometry as geo
from kiosk.photo.analysis import FACE_IED, FACE_SIZE, FrameAnalysis, Pixels

Mask = NDArray[np.bool_]


@dataclass(frozen=True)
class FaceRegions:
    """Boolean masks over ``FrameAnalysis.face`` plus its luminance and Lab planes."""

    gray: Pixels
    lab: NDArray[np.float32]
    """CIE Lab, 8-bit OpenCV scaling (L 0-255, a and b offset by 128), float32."""
    lab8: Pixels
    """The same Lab values as uint8: masked means read a quarter of the memory and give the
    same numbers (the values are whole numbers either way)."""
    oval: Mask
    skin: Mask
    """The oval without eyes, brows, lips and nostrils: where skin should be."""
    cheek_right: Mask
    cheek_left: Mask
    cheeks: Mask
    """Both cheeks (``cheek_right | cheek_left``), formed once for the checks that use both."""
    forehead: Mask
    lower: Mask
    """Between the nose and the chin, lips excluded: where masks and hands show."""
    eye_right: Mask
    eye_left: Mask
    eye_band: Mask
    """Around both eyes, brow to cheekbone: where lenses and frames are."""
    bridge: Mask
    """Between the eyes at the height of the eye corners: where a glasses bridge is."""
    nose_bridge: Mask
    """Between the eyes, brow line to eye line: skin that masks and hands rarely cover."""
    skin_distance: NDArray[np.float32]
    """Lab distance of every pixel from the median cheek colour (the face's own skin tone)."""
    skin_hue_distance2: NDArray[np.float32]
    """Squared a*b* distance from the median cheek colour (luminance left out)."""
    skin_spread: float
    """Mean skin distance inside the cheeks: how varied this face's skin is."""
    cheek_colour: tuple[float, float, float]
    """Mean Lab colour of the cheeks (8-bit OpenCV scaling): this face's skin tone."""
    chroma: Pixels
    """|a*| + |b*| distance from neutral grey per pixel (uint8: whole numbers, at most 187 for
    any 8-bit colour, so the same values as in float)."""
    skin_levels: NDArray[np.intp]
    """Cumulative histogram (256 bins) of ``gray`` over ``skin``: medians, percentiles and
    shares of dark or bright skin for the exposure and illumination checks, counted once."""
    texture: NDArray[np.float32]
    """|Laplacian| of ``gray`` (float32): fine detail, shared by sharpness, occlusion and the
    skin-texture cue, so that it is computed once."""


# Row and column coordinates as a column and a row: comparisons stay tiny and broadcast only
# when combined with a full mask (several times cheaper than full coordinate grids).
#: Pixel offsets below are for 64 px between the eyes; ``U`` scales them to ``FACE_IED``.
U = FACE_IED / 64.0
#: The margin round the eyes that the skin leaves out (5 x 5 at ``FACE_IED``), made once.
_EYE_MARGIN = np.ones((2 * round(2 * U) + 1,) * 2, np.uint8)
_GRID_Y = np.arange(FACE_SIZE[1], dtype=np.float32)[:, None]
_GRID_X = np.arange(FACE_SIZE[0], dtype=np.float32)[None, :]
#: Channel weights for ``cv2.transform``: the sum of three channels, and |a*| + |b*|.
_SUM3 = np.ones((1, 3), np.float32)
_AB = np.array([[0.0, 1.0, 1.0]], np.float32)


def median_u8(values: Pixels) -> float:
    """Median of uint8 values by histogram (several times faster than ``np.median``)."""
    if values.size == 0:
        return float("nan")
    cum = np.bincount(values.ravel(), minlength=256).cumsum()
    # The array's own method: ``np.searchsorted``'s dispatch layer costs as much as the search.
    return float(cum.searchsorted(cum[-1] / 2.0))


def percentile_u8(values: Pixels, q: float) -> float:
    """``np.percentile(values, q)`` (linear interpolation, the same value) for uint8 values,
    by histogram: ``np.percentile`` costs about 0.3 ms on a cold cache in the live loop."""
    if values.size == 0:
        return float("nan")
    cum = np.bincount(values.ravel(), minlength=256).cumsum()
    position = q / 100.0 * (values.size - 1)
    low = math.floor(position)
    # The k-th smallest value (from 0) is the first level whose cumulative count exceeds k.
    v_low, v_high = cum.searchsorted([low, min(low + 1, values.size - 1)], side="right")
    return float(v_low + (position - low) * (float(v_high) - float(v_low)))


def median_f(values: NDArray[Any], axis: int | None = None) -> NDArray[np.float32]:
    """``np.median(values, axis)`` of finite float values, the same value bit for bit (the
    middle element, or the float mean of the two middle ones), without ``np.median``'s Python
    layers: about 30 us per call right after the face models, several calls per frame.

    ``values`` is partitioned in place: pass an array the caller no longer needs.
    """
    flat = values.reshape(-1) if axis is None else values
    ax = -1 if axis is None else axis
    n = flat.shape[ax]
    half = n // 2
    if n % 2:
        flat.partition(half, axis=ax)
        middle: NDArray[np.float32] = np.asarray(flat.take(half, axis=ax))
        return middle
    flat.partition((half - 1, half), axis=ax)
    both: NDArray[np.float32] = np.asarray(flat.take(half - 1, axis=ax) + flat.take(half, axis=ax))
    return both / np.float32(2.0)


def levels_u8(image: Pixels, mask: Mask) -> NDArray[np.intp]:
    """Cumulative 256-bin histogram of ``image[mask]`` (``np.bincount(...).cumsum()``, the same
    counts), counted by OpenCV under the mask instead of gathering the pixels first."""
    hist = cv2.calcHist([image], [0], mask8(mask), [256], [0, 256])
    levels: NDArray[np.intp] = hist.reshape(-1).astype(np.intp).cumsum()
    return levels


def share(flags: NDArray[np.bool_]) -> float:
    """``np.mean`` of booleans, the same value, by counting (NaN when empty)."""
    return int(np.count_nonzero(flags)) / flags.size if flags.size else math.nan


def mask8(mask: Mask) -> Pixels:
    """A boolean mask as the 0/1 bytes OpenCV takes as a mask: the same memory, no copy."""
    return mask.view(np.uint8)


#: The outlines the face masks are filled from, gathered and rounded in one go (one numpy call
#: each instead of one per outline; rounding is per point, so every outline is the same).
_OUTLINES = (geo.FACE_OVAL, geo.RIGHT_EYE, geo.LEFT_EYE, geo.RIGHT_BROW, geo.LEFT_BROW,
             geo.LIPS_OUTER)
_OUTLINE_INDEX = np.concatenate([np.asarray(o, np.intp) for o in _OUTLINES])
_OUTLINE_ENDS = np.cumsum([len(o) for o in _OUTLINES]).tolist()
_OUTLINE_SLICES = tuple(slice(end - len(o), end) for o, end in zip(_OUTLINES, _OUTLINE_ENDS,
                                                                      strict=True))


def _outlines(points: geo.Coords) -> list[NDArray[np.int32]]:
    """Every outline in ``_OUTLINES``, in that order, as rounded int32 pixel positions."""
    rounded: NDArray[np.int32] = np.round(points[_OUTLINE_INDEX]).astype(np.int32)
    return [rounded[part] for part in _OUTLINE_SLICES]


def face_regions(a: FrameAnalysis) -> FaceRegions | None:
    """The regions of ``a.face``, computed once per analysis and cached on it."""
    if a._regions is not None:
        return a._regions
    if a.face is None or a.face_points is None:
        return None
    p = a.face_points
    w, h = FACE_SIZE
    shape = (h, w)

    def fill(*polys: NDArray[np.int32]) -> Mask:
        m = np.zeros(shape, np.uint8)
        cv2.fillPoly(m, list(polys), (1,))
        return m.view(np.bool_)  # 0/1 bytes are valid booleans: no copy

    oval_p, eye_right_p, eye_left_p, brow_right_p, brow_left_p, lips_p = _outlines(p)
    oval = fill(oval_p)
    eye_right, eye_left = fill(eye_right_p), fill(eye_left_p)
    eyes = eye_right | eye_left
    brows = fill(brow_right_p, brow_left_p)
    lips = fill(lips_p)
    eyes = cv2.dilate(eyes.view(np.uint8), _EYE_MARGIN).view(bool)
    skin = oval & ~(eyes | brows | lips)
    yy, xx = _GRID_Y, _GRID_X
    eye_y = p[geo.RIGHT_IRIS, 1]
    chin_y = p[geo.CHIN, 1]
    nose_y = p[geo.NOSE_TIP, 1]
    mouth_y = (p[13, 1] + p[14, 1]) / 2.0
    mid_x = (p[geo.RIGHT_IRIS, 0] + p[geo.LEFT_IRIS, 0]) / 2.0
    # Cheeks: below the eyes, above the mouth, outside the nose.
    banded = skin & ((yy > eye_y + 14 * U) & (yy < mouth_y - 4 * U))
    cheek_right = banded & (xx < mid_x - 14 * U)
    cheek_left = banded & (xx > mid_x + 14 * U)
    brow_y = min(p[105, 1], p[334, 1])
    forehead = oval & ((yy < brow_y - 3 * U) & (yy > p[geo.FOREHEAD, 1] + 2 * U))
    lower = oval & ~lips & ((yy > nose_y + 2 * U) & (yy < chin_y - 2 * U))
    eye_band = oval & ~brows & ((yy > brow_y) & (yy < eye_y + 16 * U))
    inner_r, inner_l = p[133], p[362]
    # A row of column tests and a column of row tests combine into the full (h, w) mask.
    bridge = (((xx > inner_r[0] + 2 * U) & (xx < inner_l[0] - 2 * U))
              & ((yy > eye_y - 12 * U) & (yy < eye_y + 2 * U)))
    nose_bridge = (((xx > inner_r[0] + 4 * U) & (xx < inner_l[0] - 4 * U))
                   & ((yy > brow_y) & (yy < eye_y + 6 * U)))

    face, to_gray, to_lab = a.face, cv2.COLOR_BGR2GRAY, cv2.COLOR_BGR2LAB
    if a.face_rgb is not None and a.face.base is a.face_rgb:
        # The analyser's BGR face is a reversed view of the RGB one: convert that (the same
        # numbers) rather than have OpenCV copy the strided view first.
        face, to_gray, to_lab = a.face_rgb, cv2.COLOR_RGB2GRAY, cv2.COLOR_RGB2LAB
    gray = np.asarray(cv2.cvtColor(face, to_gray), np.uint8)
    lab8 = np.asarray(cv2.cvtColor(face, to_lab), np.uint8)
    lab = lab8.astype(np.float32)
    both_cheeks = cheek_left | cheek_right
    cheeks = both_cheeks
    if np.count_nonzero(cheeks) < 10:
        cheeks = skin
    cheeks8 = mask8(cheeks)
    cheek_colour = np.array(cv2.mean(lab8, mask=cheeks8)[:3], np.float32)
    # One distance map serves head covering, occlusion and eye visibility.
    # Whole 3-channel arrays only: OpenCV copies every strided channel view it is given.
    # OpenCV takes a tuple as a per-channel scalar; its stubs only list arrays (twice here).
    diff = cv2.subtract(lab, (*cheek_colour.tolist(), 0.0))  # type: ignore[call-overload]
    squares = cv2.multiply(diff, diff)
    skin_distance = np.asarray(cv2.sqrt(cv2.transform(squares, _SUM3)), np.float32)
    # The chroma part alone (a*, b*): lighting moves luminance, hardly hue.
    skin_hue_distance2 = np.asarray(cv2.transform(squares, _AB), np.float32)
    spread = cv2.mean(skin_distance, mask=cheeks8)[0] if cheeks.any() else 0.0
    neutral = (0.0, 128.0, 128.0, 0.0)
    # |a*| + |b*| as a plain 8-bit sum of the two channels (at most 187, so the same numbers
    # as OpenCV's saturating channel transform, in half the time).
    offsets: Pixels = np.asarray(cv2.absdiff(lab8, neutral), np.uint8)  # type: ignore[call-overload]
    chroma: Pixels = offsets[..., 1] + offsets[..., 2]
    # 16-bit from 8-bit luminance is exact and cheaper than a float Laplacian.
    texture = np.abs(cv2.Laplacian(gray, cv2.CV_16S)).astype(np.float32)
    regions = FaceRegions(
        gray=gray, lab=lab, lab8=lab8, oval=oval, skin=skin, cheek_right=cheek_right,
        cheek_left=cheek_left, cheeks=both_cheeks, forehead=forehead, lower=lower,
        eye_right=eye_right, eye_left=eye_left,
        eye_band=eye_band, bridge=bridge, nose_bridge=nose_bridge,
        skin_distance=skin_distance, skin_hue_distance2=skin_hue_distance2, skin_spread=spread,
        cheek_colour=tuple(cheek_colour.tolist()), chroma=chroma, texture=texture,
        skin_levels=levels_u8(gray, skin),
    )
    a._regions = regions
    return regions


#: Padding round the crop's bounding box on the small frame: half the shadow ring (12 px)
#: plus one pixel for the 3 x 3 gradient.
_PAD = 13
#: Structuring elements, made once: the safety margin round the person and the shadow ring.
_MARGIN = np.ones((5, 5), np.uint8)
_RING = np.ones((25, 25), np.uint8)


@dataclass(frozen=True)
class Background:
    """The background inside the token crop, on the downscaled frame."""

    lab: Pixels
    """The crop's padded bounding box on the small frame, in Lab (uint8, OpenCV scaling)."""
    gray: Pixels
    """Luminance of the same box."""
    mask: Mask
    """Background pixels inside the crop (bool, size of the box)."""
    near: Mask
    """Background pixels close to the person's outline (where a cast shadow falls)."""
    far: Mask


def background(a: FrameAnalysis) -> Background | None:
    """Background pixels of the token crop region; ``None`` without segmentation or a face."""
    if a._background is not None:
        return a._background
    if a.small_rgb is None or a.mask is None or a.crop is None:
        return None
    h, w = a.mask.shape
    scale = a.small_scale
    # The crop's corners on the small frame in plain floats (the same divisions as of the
    # corner array).
    corners = [(x / scale, y / scale) for x, y in a.crop.corner_points()]
    # Work on the crop's bounding box only, padded by the widest neighbourhood used below
    # (the 25 x 25 shadow ring): every value inside the crop comes out as on the whole frame.
    # The bounds from the four corners in plain floats (the same numbers as numpy's min/max).
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    if not all(math.isfinite(v) for v in xs + ys):
        return None
    x0, y0 = math.floor(min(xs)) - _PAD, math.floor(min(ys)) - _PAD
    x1, y1 = math.ceil(max(xs)) + _PAD + 1, math.ceil(max(ys)) + _PAD + 1
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return None
    # One contiguous copy of the box, converted from RGB (the same numbers as from BGR):
    # OpenCV would copy the strided view once per conversion.
    small, mask = np.ascontiguousarray(a.small_rgb[y0:y1, x0:x1]), a.mask[y0:y1, x0:x1]
    in_crop = np.zeros(mask.shape, np.uint8)
    # The corners relative to the box, rounded half to even (``round``, as ``np.round``).
    outline = np.array([(round(x - x0), round(y - y0)) for x, y in corners], np.int32)
    cv2.fillPoly(in_crop, [outline], (1,))
    # 0/1 bytes throughout, read as booleans where a mask is needed (no copies).
    person = (mask > 0.5).view(np.uint8)
    # Keep a safety margin round the person: hair edges are half person, half background.
    grown = cv2.dilate(person, _MARGIN)
    bg = in_crop.view(np.bool_) & (grown == 0)
    ring = cv2.dilate(person, _RING).view(np.bool_)
    gray = np.asarray(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), np.uint8)
    lab = np.asarray(cv2.cvtColor(small, cv2.COLOR_RGB2LAB), np.uint8)
    out = Background(lab=lab, gray=gray, mask=bg, near=bg & ring, far=bg & ~ring)
    a._background = out
    return out

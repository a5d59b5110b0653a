"""The histogram shortcuts of the live loop give exactly what numpy gives."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kiosk.photo.geometry import distance
from kiosk.photo.regions import median_u8, percentile_u8

values = arrays(np.uint8, st.integers(1, 400), elements=st.integers(0, 255))


@given(v=values, q=st.floats(0, 100))
def test_percentile_matches_numpy(v: np.ndarray, q: float) -> None:
    assert math.isclose(percentile_u8(v, q), float(np.percentile(v, q)), abs_tol=1e-9)


@given(v=values)
def test_median_is_a_middle_value(v: np.ndarray) -> None:
    m = median_u8(v)
    assert np.count_nonzero(v <= m) * 2 >= v.size and np.count_nonzero(v >= m) * 2 >= v.size


def test_empty_values_have_no_percentile() -> None:
    assert math.isnan(percentile_u8(np.zeros(0, np.uint8), 10))


@given(a=st.tuples(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4)),
       b=st.tuples(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4)))
def test_distance_matches_norm(a: tuple[float, float], b: tuple[float, float]) -> None:
    pa, pb = np.array(a), np.array(b)
    assert math.isclose(distance(pa, pb), float(np.linalg.norm(pb - pa)), rel_tol=1e-12,
                        abs_tol=1e-9)

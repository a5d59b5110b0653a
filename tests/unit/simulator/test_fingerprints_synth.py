"""The simulator's synthetic fingerprints: deterministic, distinct, every condition."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.fingerprints import CONDITIONS, MASTER_SIZE, impression, master_print, persona_finger


def test_master_is_deterministic_read_only_and_sized() -> None:
    master = master_print(1234, 7)
    assert master.dtype == np.uint8 and master.shape == (MASTER_SIZE[1], MASTER_SIZE[0])
    assert not master.flags.writeable
    assert np.array_equal(master, master_print(1234, 7))


def test_fingers_and_personas_differ() -> None:
    a, b, c = master_print(1, 7), master_print(1, 2), master_print(2, 7)
    assert np.mean(a != b) > 0.3 and np.mean(a != c) > 0.3


def test_master_for_a_new_persona_is_generated() -> None:
    # How fast this is (aim 0.35 s) is measured by evaluation/fingerprint_synth_bench.py.
    master = master_print(987_654, 3)
    assert master.dtype == np.uint8 and master.shape == (MASTER_SIZE[1], MASTER_SIZE[0])
    assert master.std() > 5


@pytest.mark.parametrize("condition", CONDITIONS)
def test_impressions_in_every_condition(condition: str) -> None:
    master = master_print(5, 2)
    rng = np.random.default_rng(0)
    image = impression(master, rng, condition)
    assert image.dtype == np.uint8 and image.shape == master.shape
    assert image.std() > 5


def test_core_area_is_central_for_a_small_sensor() -> None:
    """A 256 x 288 centre crop (the serial sensor) is nearly all finger for a good touch."""
    image = persona_finger(8, 7, "good", 1)
    h, w = image.shape
    crop = image[(h - 288) // 2 : (h + 288) // 2, (w - 256) // 2 : (w + 256) // 2]
    assert (crop < 200).mean() > 0.3 and crop.mean() < 200


def test_persona_attempts_differ_but_repeat() -> None:
    first = persona_finger(3, 7, "good", 1)
    assert np.array_equal(first, persona_finger(3, 7, "good", 1))
    assert not np.array_equal(first, persona_finger(3, 7, "good", 2))


def test_unknown_condition_is_refused() -> None:
    with pytest.raises(ValueError):
        impression(master_print(1, 1), np.random.default_rng(0), "oily")  # type: ignore[arg-type]

"""Shared synthetic prints for the fingerprint tests (generated once per session)."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.fingerprints import persona_finger


@pytest.fixture(scope="session")
def good_print() -> np.ndarray:
    """A good impression of persona 11's left index finger."""
    return persona_finger(11, 7, "good", 1)


@pytest.fixture(scope="session")
def prints_by_condition() -> dict[str, list[np.ndarray]]:
    """Three personas' left index finger under every condition."""
    from simulator.fingerprints import CONDITIONS

    return {
        condition: [persona_finger(seed, 7, condition, 1) for seed in (21, 22, 23)]
        for condition in CONDITIONS
    }

"""The R30x driver sees a finger arrive and leave on the simulated module over a real pty."""

from __future__ import annotations

import numpy as np

from drivers.r30x import R30xFingerprintReader
from simulator.fingerprint_sensor import SimulatedR30x


def test_finger_present_follows_place_and_lift() -> None:
    sensor = SimulatedR30x.from_model("r307", pacing=False)
    reader = R30xFingerprintReader("fingerprint", sensor.start())
    try:
        reader.open()
        assert reader.finger_present() is False
        sensor.place(np.full((300, 260), 90, np.uint8))
        assert reader.finger_present() is True
        sensor.lift()
        assert reader.finger_present() is False
    finally:
        reader.close()
        sensor.stop()

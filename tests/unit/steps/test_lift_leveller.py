"""The levelling loop against the simulated column on a pty, eyes computed from its position."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from drivers.errors import LiftObstructedError
from drivers.lift import SerialCameraLift
from kiosk.config import LiftSettings
from kiosk.steps.lift import Eyes, Leveller, LiftCommand
from simulator.lift import SimulatedLift

SETTINGS = LiftSettings(model="serial", settle_s=0.05, level_timeout_s=60)
HEIGHT = 720
INTER_EYE = 122.0
#: A camera's frame interval (fast: the tests need not wait for a real 30 fps).
FRAME_S = 0.002
#: Levelling that has not ended after this long is hung (it takes well under a second).
HANG_GUARD_S = 60.0


@pytest.fixture
def column() -> Iterator[tuple[SimulatedLift, SerialCameraLift]]:
    sim = SimulatedLift(pacing=False, start_mm=300)
    lift = SerialCameraLift("lift", sim.start(), backoff_initial=0.0)
    try:
        lift.open()
        yield sim, lift
    finally:
        lift.close()
        sim.stop()


def citizen(sim: SimulatedLift, eye_height_mm: float, inter_eye: float = INTER_EYE
            ) -> Iterator[tuple[Eyes | None, float]]:
    """Frames of a citizen whose eyes are at ``eye_height_mm`` (in lift positions)."""
    while True:
        offset = (sim.position_mm - eye_height_mm) * inter_eye / SETTINGS.eye_distance_mm
        yield Eyes(SETTINGS.eye_line * HEIGHT + offset, inter_eye, HEIGHT), time.monotonic()
        time.sleep(FRAME_S)


def level(lift: SerialCameraLift, frames: Iterator[tuple[Eyes | None, float]], *,
          seated: bool = False) -> tuple[str, list[LiftCommand], Leveller]:
    said: list[LiftCommand] = []
    leveller = Leveller(lift, SETTINGS, seated=lambda: seated)
    # A hang guard, not a speed check: a loaded machine may take many frames per run, so
    # the guard counts seconds (generously), not commands.
    deadline = time.monotonic() + HANG_GUARD_S
    outcome = leveller.run(lambda: next(frames), said.append,
                           lambda: time.monotonic() > deadline)
    return outcome, said, leveller


def test_the_column_brings_the_camera_to_the_eyes(
        column: tuple[SimulatedLift, SerialCameraLift]) -> None:
    sim, lift = column
    outcome, said, leveller = level(lift, citizen(sim, 180))
    assert outcome == "on_line" and 1 <= leveller.moves <= 2
    assert abs(sim.position_mm - 180) <= SETTINGS.tolerance * HEIGHT * 63 / INTER_EYE
    assert said[0].action == "move" and said[-1].action == "done"


def test_eyes_beyond_the_travel_end_at_the_limit(
        column: tuple[SimulatedLift, SerialCameraLift]) -> None:
    sim, lift = column
    outcome, _said, _leveller = level(lift, citizen(sim, 900))
    assert outcome == "at_limit" and round(sim.position_mm) == 600


def test_a_face_too_close_moves_nothing(column: tuple[SimulatedLift, SerialCameraLift]) -> None:
    sim, lift = column
    close = citizen(sim, 100, inter_eye=SETTINGS.too_close * HEIGHT + 20)
    frames = iter([next(close) for _ in range(50)])
    said: list[LiftCommand] = []
    leveller = Leveller(lift, SETTINGS)
    outcome = leveller.run(lambda: next(frames, None), said.append, lambda: len(said) >= 50)
    assert outcome == "cancelled" and not sim.runs
    assert {command.reason for command in said} == {"too_close"}


def test_nobody_in_view_moves_nothing_unless_seated(
        column: tuple[SimulatedLift, SerialCameraLift]) -> None:
    sim, lift = column
    said: list[LiftCommand] = []
    Leveller(lift, SETTINGS).run(lambda: (None, time.monotonic()), said.append,
                                 lambda: len(said) >= 20)
    assert not sim.runs
    Leveller(lift, SETTINGS, seated=lambda: True).run(
        lambda: (None, time.monotonic()), said.append, lambda: len(said) >= 40)
    assert [run[2] for run in sim.runs] == [SETTINGS.seated_start_mm]


def test_an_obstruction_while_levelling_is_raised_and_stays(
        column: tuple[SimulatedLift, SerialCameraLift]) -> None:
    sim, lift = column
    sim.inject("obstruct", after_mm=15)
    with pytest.raises(LiftObstructedError):
        level(lift, citizen(sim, 150))
    assert round(sim.position_mm) == 285 and len(sim.runs) == 1
    # The next levelling finds the latch and moves nothing.
    outcome, said, _leveller = level(lift, citizen(sim, 150))
    assert outcome == "latched_obstructed" and not said and len(sim.runs) == 1

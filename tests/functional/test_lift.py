"""The camera lift end to end: scripted citizens on the simulator, the lift on a pty.

Each scenario runs on the kiosk service (no UI) with the simulated column and camera: the
column's position moves the citizen's eyes in the camera's frames, the kiosk's photo step
levels them before it asks the citizen anything.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from kiosk.composition import Kiosk, build_kiosk
from kiosk.service.messages import DeviceHealth, Message, StepProgress
from kiosk.workflow import State
from simulator.lift import START_MM, SimulatedLift
from simulator.play import SimulationSummary, play
from simulator.scenario import Scenario, Step, load_scenario
from tests.helpers.kiosk import sim_config

pytestmark = pytest.mark.slow

@contextmanager
def lift_run(name: str | Scenario) -> Iterator[tuple[Kiosk, SimulationSummary, list[Message],
                                                 SimulatedLift]]:
    """Play scenario ``name``; hand over the kiosk, the summary, what the service published
    and the simulated column."""
    scenario = load_scenario(name) if isinstance(name, str) else name
    kiosk = build_kiosk(sim_config(), scenario)
    heard: list[Message] = []
    subscription = kiosk.service.bus.subscribe(heard.append)
    try:
        assert kiosk.simulation is not None
        lift = kiosk.simulation.world.lift
        assert lift is not None
        summary = asyncio.run(play(kiosk, scenario))
        yield kiosk, summary, heard, lift
    finally:
        subscription.close()
        kiosk.close()


def photo_keys(heard: list[Message]) -> list[str]:
    """The photo step's progress keys, in order, without repeats."""
    keys: list[str] = []
    for message in heard:
        if (isinstance(message, StepProgress) and message.state is State.PHOTO
                and (not keys or keys[-1] != message.key)):
            keys.append(message.key)
    return keys


def test_low_eyes_are_met_by_the_lift_before_the_citizen_is_asked_anything() -> None:
    with lift_run("lift-low-eyes") as (kiosk, summary, heard, lift):
        assert summary.completed, summary.as_dict()
        # The column ran down towards the eyes 100 mm below the camera, once or twice.
        assert 1 <= len(lift.runs) <= 2 and lift.runs[0][2] < START_MM
        # Where it stopped, the eyes are on the line (within the tolerance, ~11 mm).
        assert abs(lift.position_mm - (START_MM - 100)) <= 15
        world = kiosk.simulation.world if kiosk.simulation else None
        assert world is not None and abs(world.camera.eyes_above_camera_mm) <= 15
        keys = photo_keys(heard)
        # The lift moving, and only then the photo's own guidance (before it at most the
        # request to face the camera while no face is in view).
        moving = len(keys) - keys[::-1].index("ui.photo.lift_moving")
        assert set(keys[:moving]) <= {"ui.photo.starting", "ui.photo.lift_moving",
                                      "photo.guide_face_camera"}, keys


def test_the_lift_follows_a_citizen_who_straightens_up_after_levelling() -> None:
    """Levelled for eyes 100 mm below the camera, the citizen then straightens up by 60 mm
    (about 0.16 of the frame above the line): after ``relevel_after_s`` the column runs up
    after them, instead of the photo asking them to bend, and the photo is taken there."""
    scenario = load_scenario("lift-low-eyes")
    kiosk = build_kiosk(sim_config(), scenario)
    assert kiosk.simulation is not None
    world = kiosk.simulation.world
    lift = world.lift
    assert lift is not None
    moved: list[tuple[float, float]] = []  # (when, column position) of the citizen's move

    def straighten_up(message: Message) -> None:
        # The first photo guidance after the column stopped: levelling is over.
        if (not moved and isinstance(message, StepProgress) and message.state is State.PHOTO
                and message.phase != "lift" and lift.runs and lift.state == "IDLE"):
            moved.append((time.monotonic(), lift.position_mm))
            world.camera.move_eyes(60.0)

    subscription = kiosk.service.bus.subscribe(straighten_up)
    try:
        summary = asyncio.run(play(kiosk, scenario))
    finally:
        subscription.close()
        kiosk.close()
    assert summary.completed, summary.as_dict()
    assert moved
    when, where = moved[0]
    assert abs(where - (START_MM - 100)) <= 15
    # A run after the move, up towards the eyes, and the column ends 60 mm higher.
    after = [run for run in lift.runs if run[0] > when]
    assert after and after[0][2] > where, lift.runs
    assert abs(lift.position_mm - (START_MM - 40)) <= 15
    assert abs(world.camera.eyes_above_camera_mm) <= 15


def test_an_obstruction_stops_the_lift_tells_the_citizen_and_nothing_moves_after() -> None:
    with lift_run("lift-obstructed") as (_kiosk, summary, heard, lift):
        assert summary.completed, summary.as_dict()
        screens = [step.screen for step in summary.steps]
        assert screens.index("device_error") == screens.index("photo") + 1
        assert summary.faults == ["lift:obstruct"]
        reported = [m for m in heard if isinstance(m, DeviceHealth) and m.device == "lift"]
        assert reported and reported[0].code == "lift_obstructed" and not reported[0].ok
        # One run, stopped 20 mm in by the sensor; the retried photo step moved nothing.
        assert len(lift.runs) == 1
        _t, stop_mm, why = lift.stops[-1]
        assert why == "obstructed" and abs(stop_mm - (START_MM - 20)) < 1
        assert lift.position_mm == stop_mm and lift.state == "OBSTRUCTED"


def test_staff_reset_the_lift_and_it_levels_again() -> None:
    scenario = load_scenario("lift-obstructed")
    steps: list[Step] = []
    for step in scenario.steps:
        if step.screen == "device_error":
            steps += [Step(screen="device_error", sign_in="librarian"),
                      Step(screen="device_error", tap="lift-reset", wait_s=0.5)]
        steps.append(step)
    with lift_run(scenario.model_copy(update={"steps": tuple(steps)})) as (_kiosk, summary,
                                                                           heard, lift):
        assert summary.completed, summary.as_dict()
        reset = [m for m in heard if isinstance(m, DeviceHealth) and m.device == "lift"
                 and m.probed]
        assert reset and reset[0].ok
        # After the reset the retried photo step ran the column on to the eyes.
        assert len(lift.runs) == 2 and lift.state == "IDLE"
        assert abs(lift.position_mm - (START_MM - 70)) <= 15


def seated_citizen() -> Scenario:
    """A citizen in a wheelchair: eyes 250 mm below the camera at the lift's resting height,
    out of the picture; they tap "Sitting down?" on the photo screen. (Not a bundled scenario
    yet: the touchscreen's photo screen has no ``seated`` button so far.)"""
    base = load_scenario("lift-low-eyes")
    steps = list(base.steps)
    at = next(i for i, step in enumerate(steps) if step.screen == "photo_review")
    steps.insert(at, Step(screen="photo", tap="seated", wait_s=0.5))
    return base.model_copy(update={"name": "lift-seated", "eye_offset_mm": -250,
                                   "steps": tuple(steps)})


def test_seated_mode_brings_the_lift_into_its_lower_range() -> None:
    with lift_run(seated_citizen()) as (kiosk, summary, _heard, lift):
        assert summary.completed, summary.as_dict()
        settings = kiosk.service.config.devices.lift
        assert lift.runs[0][2] == settings.seated_start_mm  # down before the face is seen
        assert lift.position_mm <= settings.seated_max_mm
        assert abs(lift.position_mm - (START_MM - 250)) <= 15


def test_staff_choose_seated_mode_for_the_citizen() -> None:
    seated = seated_citizen()
    steps = [Step(screen="photo", sign_in="librarian") if step.tap == "seated" else step
             for step in seated.steps]
    at = next(i for i, step in enumerate(steps) if step.sign_in)
    steps.insert(at + 1, Step(screen="photo", tap="staff-seated"))
    with lift_run(seated.model_copy(update={"steps": tuple(steps)})) as (kiosk, summary,
                                                                         _heard, lift):
        assert summary.completed, summary.as_dict()
        settings = kiosk.service.config.devices.lift
        assert lift.runs[0][2] == settings.seated_start_mm
        assert lift.position_mm <= settings.seated_max_mm


def test_an_unplugged_lift_is_reported_to_staff_and_the_photo_goes_on() -> None:
    scenario = load_scenario("lift-low-eyes")
    steps = list(scenario.steps)
    steps.insert(2, Step(screen="identify", fault="lift:unplug"))
    unplugged = scenario.model_copy(update={"steps": tuple(steps), "eye_offset_mm": -30})
    with lift_run(unplugged) as (_kiosk, summary, heard, lift):
        assert summary.completed, summary.as_dict()
        assert "device_error" not in [step.screen for step in summary.steps]
        reported = [m for m in heard if isinstance(m, DeviceHealth) and m.device == "lift"]
        assert [m.code for m in reported] == ["lift_unplugged"]
        assert not lift.runs


def test_a_kiosk_without_a_lift_has_no_lift_device() -> None:
    kiosk = build_kiosk(sim_config(), load_scenario("happy"), run=False)
    try:
        assert kiosk.service.devices.lift is None
        assert "lift" not in dict(kiosk.service.devices.items())
        assert kiosk.simulation is not None and kiosk.simulation.world.lift is None
    finally:
        kiosk.close()

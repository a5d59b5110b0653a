"""The levelling core: safety (never moves too close, blind or faulted), range and convergence."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from drivers.interfaces import LiftStatus
from kiosk.config import LiftSettings
from kiosk.steps.lift import DriftWatch, Eyes, decide, travel

SETTINGS = LiftSettings(model="serial")
HEIGHT = 720

states = st.sampled_from(["idle", "moving", "stalled", "obstructed"])


@st.composite
def lifts(draw: st.DrawFn, state: st.SearchStrategy[str] = states) -> LiftStatus:
    low = draw(st.integers(0, 200))
    high = draw(st.integers(low + 50, low + 900))
    return LiftStatus(draw(st.integers(low, high)), draw(state), low, high)


eyes_st = st.builds(Eyes, y=st.floats(0, HEIGHT), inter_eye=st.floats(20, 400),
                    frame_height=st.just(HEIGHT))


@given(eyes=st.none() | eyes_st, lift=lifts(), seated=st.booleans(), at_rest=st.booleans(),
       moves=st.integers(0, 10))
def test_a_run_stays_within_the_range_and_never_starts_when_unsafe(
        eyes: Eyes | None, lift: LiftStatus, seated: bool, at_rest: bool, moves: int) -> None:
    command = decide(eyes, lift, SETTINGS, seated=seated, at_rest=at_rest, moves=moves)
    if command.action != "move":
        return
    low, high = travel(lift, SETTINGS, seated)
    assert command.target_mm is not None and low <= command.target_mm <= high
    assert command.target_mm != lift.position_mm
    assert lift.fault is None
    assert eyes is None or eyes.closeness <= SETTINGS.too_close
    assert not lift.moving
    if eyes is None:  # blind runs only go down into the seated range
        assert seated and command.reason == "seated_start" and command.target_mm < lift.position_mm


@given(eyes=eyes_st.filter(lambda e: e.closeness > SETTINGS.too_close), lift=lifts(),
       seated=st.booleans())
def test_a_face_too_close_stops_a_running_column_and_starts_none(
        eyes: Eyes, lift: LiftStatus, seated: bool) -> None:
    command = decide(eyes, lift, SETTINGS, seated=seated)
    assert command.action in ("stop", "wait")
    if lift.moving:
        assert command.action == "stop"


@given(eyes=st.none() | eyes_st, lift=lifts(st.sampled_from(["stalled", "obstructed"])))
def test_a_latched_fault_moves_nothing(eyes: Eyes | None, lift: LiftStatus) -> None:
    assert decide(eyes, lift, SETTINGS).action == "stop"


@given(lift=lifts(st.just("idle")), inter_eye=st.floats(60, 200),
       off=st.floats(0.05, 0.4), low_eyes=st.booleans())
def test_the_column_runs_towards_the_eyes(lift: LiftStatus, inter_eye: float, off: float,
                                          low_eyes: bool) -> None:
    line = SETTINGS.eye_line + (off if low_eyes else -off)
    eyes = Eyes(line * HEIGHT, inter_eye, HEIGHT)
    command = decide(eyes, lift, SETTINGS)
    if command.action == "move":
        assert command.target_mm is not None
        # Eyes low in the frame: the camera is above them and goes down.
        assert (command.target_mm < lift.position_mm) == low_eyes
    else:
        assert command.reason == "at_limit"
        assert lift.position_mm == (lift.min_mm if low_eyes else lift.max_mm)


@given(lift=lifts(st.just("idle")), inter_eye=st.floats(60, 200),
       off=st.floats(-0.999 * SETTINGS.tolerance, 0.999 * SETTINGS.tolerance))
def test_eyes_on_the_line_end_the_levelling(lift: LiftStatus, inter_eye: float,
                                            off: float) -> None:
    eyes = Eyes((SETTINGS.eye_line + off) * HEIGHT, inter_eye, HEIGHT)
    assert decide(eyes, lift, SETTINGS).action == "done"


@given(lift=lifts(st.just("idle")), eye_height=st.integers(-200, 1100),
       inter_eye=st.floats(80, 180), error=st.floats(0.9, 1.1), seated=st.booleans())
def test_a_few_runs_bring_reachable_eyes_to_the_line(
        lift: LiftStatus, eye_height: int, inter_eye: float, error: float,
        seated: bool) -> None:
    """A citizen whose eyes are at ``eye_height`` (lift position units): the frame shows
    them off the line by their height difference to the camera, seen through a pupil
    distance up to 10 % off the assumed one. A reachable height ends on the line."""
    position = lift.position_mm
    px_per_mm = inter_eye / SETTINGS.eye_distance_mm * error
    low, high = travel(lift, SETTINGS, seated)
    for moves in range(SETTINGS.max_moves + 1):
        y = SETTINGS.eye_line * HEIGHT + (position - eye_height) * px_per_mm
        status = LiftStatus(position, "idle", lift.min_mm, lift.max_mm)
        command = decide(Eyes(y, inter_eye, HEIGHT), status, SETTINGS, seated=seated,
                         moves=moves)
        if command.action != "move":
            break
        assert command.target_mm is not None
        position = command.target_mm
    assert command.action == "done"
    if command.reason == "on_line":
        assert low <= position <= high
    reachable = low + 15 <= eye_height <= high - 15
    if reachable:
        assert command.reason == "on_line"
    else:
        assert command.reason in ("on_line", "at_limit")


def test_seated_mode_goes_down_before_the_citizen_is_in_view() -> None:
    lift = LiftStatus(450, "idle", 0, 600)
    command = decide(None, lift, SETTINGS, seated=True)
    assert command.action == "move" and command.target_mm == SETTINGS.seated_start_mm
    assert decide(None, lift, SETTINGS, seated=False).action == "wait"


def test_a_frame_from_a_running_column_aims_nothing() -> None:
    eyes = Eyes(0.6 * HEIGHT, 120, HEIGHT)
    running = LiftStatus(300, "moving", 0, 600)
    assert decide(eyes, running, SETTINGS).reason == "running"
    resting = LiftStatus(300, "idle", 0, 600)
    assert decide(eyes, resting, SETTINGS, at_rest=False).reason == "settling"
    command = decide(eyes, resting, SETTINGS)
    # 0.21 of 720 px is 151 px; at 120 px per 63 mm that is 79 mm down.
    assert command.action == "move" and command.target_mm == 221


# --- following a citizen who moves after levelling ----------------------------------------------

def eyes_at(line: float) -> Eyes:
    return Eyes(line * HEIGHT, 0.17 * HEIGHT, HEIGHT)


@given(offs=st.lists(st.floats(-SETTINGS.relevel_tolerance, SETTINGS.relevel_tolerance),
                     min_size=1, max_size=200),
       step=st.floats(0.01, 1.0))
def test_eyes_near_the_line_never_call_the_lift(offs: list[float], step: float) -> None:
    watch = DriftWatch(SETTINGS)
    assert not any(watch.feed(eyes_at(SETTINGS.eye_line + off), i * step)
                   for i, off in enumerate(offs))


@given(off=st.floats(SETTINGS.relevel_tolerance * 1.01, 0.3), up=st.booleans(),
       step=st.floats(0.02, 0.5))
def test_eyes_that_stay_off_the_line_call_the_lift_after_the_delay(off: float, up: bool,
                                                                   step: float) -> None:
    watch = DriftWatch(SETTINGS)
    eyes = eyes_at(SETTINGS.eye_line + (-off if up else off))
    frames = 0
    while not watch.feed(eyes, frames * step):
        frames += 1
        assert frames * step < SETTINGS.relevel_after_s + step, "called too late"
    # Not before the eyes have been off for relevel_after_s.
    assert frames * step >= SETTINGS.relevel_after_s


@given(gap=st.sampled_from(["face lost", "back on the line"]))
def test_a_nod_or_a_lost_face_starts_the_wait_again(gap: str) -> None:
    watch = DriftWatch(SETTINGS)
    off = eyes_at(SETTINGS.eye_line + 2 * SETTINGS.relevel_tolerance)
    half = SETTINGS.relevel_after_s * 0.6
    assert not watch.feed(off, 0.0) and not watch.feed(off, half)
    assert not watch.feed(None if gap == "face lost" else eyes_at(SETTINGS.eye_line), half + 0.1)
    # The earlier frames no longer count: 0.6 of the wait again is not enough.
    assert not watch.feed(off, half + 0.2) and not watch.feed(off, 2 * half + 0.2)
    assert watch.feed(off, half + 0.2 + SETTINGS.relevel_after_s + 0.01)
    watch.reset()
    assert not watch.feed(off, 100.0)

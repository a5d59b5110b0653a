"""The step runners on the simulator, through the kiosk service alone (no UI): what the citizen
is told during the fingerprints, staff skipping a finger, help in the middle of a step, and a
scanner that never delivers a passport."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kiosk.composition import Kiosk, build_kiosk
from kiosk.config import KioskConfig, SimulatorSettings, TimeoutSettings
from kiosk.service.bus import Subscription
from kiosk.service.messages import Message, StaffActionTaken, StepProgress
from kiosk.staff.accounts import StaffAccounts
from kiosk.workflow import State
from simulator.scenario import load_scenario
from tests.helpers.kiosk import simulated_kiosk, wait_for_state

pytestmark = pytest.mark.slow


def drain(subscription: Subscription) -> list[Message]:
    messages = []
    while (message := subscription.get(0.05)) is not None:
        messages.append(message)
    return messages


def finger_progress(messages: list[Message]) -> list[StepProgress]:
    return [m for m in messages
            if isinstance(m, StepProgress) and m.state is State.FINGERPRINTS]


def next_progress(subscription: Subscription, timeout: float = 30.0) -> StepProgress:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = subscription.get(0.1)
        if isinstance(message, StepProgress) and message.state is State.FINGERPRINTS:
            return message
    raise AssertionError("no fingerprint progress")


def to_fingerprints(kiosk: Kiosk) -> None:
    kiosk.service.press("start").result(timeout=5)
    wait_for_state(kiosk, State.PHOTO_REVIEW, timeout=60)
    kiosk.service.press("accept").result(timeout=5)
    wait_for_state(kiosk, State.FINGERPRINTS)


def test_each_capture_asks_for_a_lift_and_the_next_finger_starts_clean() -> None:
    with simulated_kiosk("happy") as kiosk:
        heard = kiosk.service.bus.subscribe()
        to_fingerprints(kiosk)
        wait_for_state(kiosk, State.SIGNATURE, timeout=120)
        progress = finger_progress(drain(heard))
    phases = [(p.phase, p.finger) for p in progress]
    lifts = [i for i, (phase, _) in enumerate(phases) if phase == "lift"]
    assert lifts, phases
    assert all(phases[i - 1][0] == "place" for i in lifts)
    assert all(progress[i].key == "ui.fingerprints.lift" for i in lifts)
    # A capture's verdict, judged after the lift was asked for, is said before the next lift;
    # the last one (the second finger saved) too.
    first, second = lifts[0], lifts[1]
    assert progress[first].quality is None
    assert any(p.quality is not None for p in progress[first + 1:second]), phases
    assert progress[-1].feedback == "ui.fingerprints.accepted"
    # The first request for the right index does not repeat what was said about the left.
    first_right = next(p for p in progress if p.finger == 2 and p.phase == "place")
    assert first_right.feedback == ""
    # No personal data in what every subscriber hears.
    assert all(set(p.values) <= {"finger_key", "seconds_left"} for p in progress)


def test_staff_skip_shows_the_next_finger_at_once_and_is_recorded(tmp_path: Path) -> None:
    with simulated_kiosk("missing-finger") as kiosk:
        to_fingerprints(kiosk)
        heard = kiosk.service.bus.subscribe()
        first = next_progress(heard)
        assert (first.phase, first.finger) == ("place", 7)
        # Without a librarian signed in the button does nothing.
        kiosk.service.press("reason-amputated").result(timeout=5)
        assert kiosk.service.session.data.staff_actions == []
        accounts = StaffAccounts(tmp_path / "staff.sqlite3")
        accounts.add("lib-1", "593017")
        kiosk.service.use_staff_accounts(accounts)
        assert kiosk.service.sign_in("lib-1", "593017").result(timeout=60).ok
        kiosk.service.press("reason-amputated").result(timeout=5)
        following = next_progress(heard, timeout=5)
        while following.finger == 7:  # requests for it published before the press
            following = next_progress(heard, timeout=5)
        assert (following.phase, following.finger, following.attempt) == ("place", 6, 1)
        staff = [m for m in drain(heard) if isinstance(m, StaffActionTaken)]
        assert [(m.actor, m.action, m.reason) for m in staff] == [
            ("lib-1", "MarkFingerUnavailable", "amputated")]
        wait_for_state(kiosk, State.SIGNATURE, timeout=120)
        prints = kiosk.service.session.data.fingerprints
        assert prints is not None
        assert [int(f.position) for f in prints.fingers] == [6, 2]
        assert [(int(p), r.value) for p, r in prints.unavailable] == [(7, "amputated")]


def test_help_during_the_fingerprints_comes_back_to_the_same_finger() -> None:
    with simulated_kiosk("happy") as kiosk:
        heard = kiosk.service.bus.subscribe()
        to_fingerprints(kiosk)
        while next_progress(heard, timeout=60).finger != 2:
            pass
        kiosk.service.press("help").result(timeout=5)
        kiosk.service.press("back").result(timeout=5)
        resumed = next_progress(heard)
        assert (resumed.phase, resumed.finger) == ("place", 2)


@contextmanager
def lonely_kiosk(**timeouts: float) -> Iterator[Kiosk]:
    """A kiosk on the simulator whose citizen never lays a passport on the scanner."""
    config = KioskConfig(simulator=SimulatorSettings(pacing=False, auto_citizen=False),
                         timeouts=TimeoutSettings(device_read_s=0.2, **timeouts))
    kiosk = build_kiosk(config, load_scenario("happy"))
    try:
        yield kiosk
    finally:
        kiosk.close()


def test_no_passport_read_is_said_before_the_inactivity_warning() -> None:
    with lonely_kiosk(document_wait_s=2, scanner_probe_s=0.5) as kiosk:
        kiosk.service.press("start").result(timeout=5)
        wait_for_state(kiosk, State.DEVICE_ERROR, timeout=30)
        assert kiosk.service.session.data.fault == ("scanner", "no_document")
        kiosk.service.press("retry").result(timeout=5)
        wait_for_state(kiosk, State.IDENTIFY)


def test_a_scanner_that_went_silent_ends_on_a_screen_that_says_so() -> None:
    with lonely_kiosk(document_wait_s=2, scanner_probe_s=0.5) as kiosk:
        assert kiosk.simulation is not None
        kiosk.simulation.inject("scanner:silent", times=100)
        kiosk.service.press("start").result(timeout=5)
        wait_for_state(kiosk, State.DEVICE_ERROR, timeout=30)
        device, code = kiosk.service.session.data.fault or ("", "")
        assert device == "scanner" and code in ("no_document", "device_timeout")

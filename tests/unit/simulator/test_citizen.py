"""The simulated citizen reacts to the kiosk's messages: passport, fingers, signature, leaving.

Messages are handed to the citizen directly (no service); its actions are kept by a scheduler
the test runs when it chooses, so nothing depends on timing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from kiosk.service.messages import DeviceHealth, StateChanged, StepProgress
from kiosk.workflow.machine import State
from simulator import citizen as citizen_module
from simulator.citizen import SimulatedCitizen
from simulator.scenario import Fingers, load_scenario

TODAY = dt.date(2026, 11, 21)


class Devices:
    """Records what the citizen does to the scanner, the reader and the pad."""

    def __init__(self) -> None:
        self.log: list[str] = []

    def present(self, lines: Sequence[str]) -> None:
        self.log.append(f"present {len(lines)} lines")

    def remove(self) -> None:
        self.log.append("remove")

    def place(self, image: NDArray[np.uint8]) -> None:
        self.log.append(f"place {int(image[0, 0])}")

    def lift(self) -> None:
        self.log.append("lift")

    def sign(self, *, seed: int) -> object:
        self.log.append(f"sign {seed}")
        return None


class Harness:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, fingers: Fingers | None = None) -> None:
        scenario = load_scenario("happy")
        if fingers is not None:
            scenario = scenario.model_copy(update={"fingers": fingers})
        self.devices = Devices()
        self.pending: list[tuple[float, Callable[[], None]]] = []
        self.prints: list[tuple[int, int, str, int]] = []

        def finger(seed: int, position: int, condition: str, attempt: int) -> NDArray[np.uint8]:
            self.prints.append((seed, position, condition, attempt))
            return np.full((4, 4), position, np.uint8)

        monkeypatch.setattr(citizen_module, "persona_finger", finger)
        self.citizen = SimulatedCitizen(scenario, self.devices, self.devices, self.devices,
                                        today=lambda: TODAY,
                                        schedule=lambda delay, act: self.pending.append(
                                            (delay, act)))

    def run(self) -> list[str]:
        """Do what the citizen scheduled; what happened to the devices."""
        pending, self.pending = self.pending, []
        for _delay, act in pending:
            act()
        done, self.devices.log = self.devices.log, []
        return done


def state(new: State, old: State = State.WELCOME) -> StateChanged:
    return StateChanged(kiosk_id="k1", old=old, new=new, event="next")


def place(finger: int, attempt: int) -> StepProgress:
    return StepProgress(kiosk_id="k1", state=State.FINGERPRINTS, key="fingerprints.place",
                        finger=finger, attempt=attempt, attempts=3, phase="place")


def lift() -> StepProgress:
    return StepProgress(kiosk_id="k1", state=State.FINGERPRINTS, key="fingerprints.lift",
                        phase="lift")


def test_the_citizen_lays_the_passport_signs_and_leaves(monkeypatch: pytest.MonkeyPatch) -> None:
    h = Harness(monkeypatch)
    h.citizen.on_message(state(State.IDENTIFY))
    assert h.devices.log == []  # nothing on the kiosk's thread
    assert [delay for delay, _ in h.pending] == [h.citizen.scenario.act_delay_s]
    assert h.run() == ["present 2 lines"]
    h.citizen.on_message(state(State.PHOTO, State.IDENTIFY))
    assert h.run() == []
    # Once the photo is taken the first finger of each hand is drawn, at once, ahead.
    h.citizen.on_message(state(State.PHOTO_REVIEW, State.PHOTO))
    assert [delay for delay, _ in h.pending] == [0.0, 0.0]
    assert h.run() == []
    assert [p[1:] for p in h.prints] == [(7, "good", 1), (2, "good", 1)]
    h.citizen.on_message(state(State.SIGNATURE, State.FINGERPRINTS))
    assert h.run() == [f"sign {h.citizen.scenario.signature_seed}"]
    for leaving in (State.DONE, State.ABORTED, State.OUT_OF_SERVICE, State.WELCOME):
        h.citizen.on_message(state(leaving, State.SUMMARY))
        assert sorted(h.run()) == ["lift", "remove"]


def test_a_finger_is_pressed_once_per_request_until_lifted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    h = Harness(monkeypatch)
    h.citizen.on_message(place(7, 1))
    h.citizen.on_message(place(7, 1))  # the same request again (the screen was redrawn)
    assert h.prints == []  # the print is made on the timer thread, not the kiosk's
    assert h.run() == ["place 7"]
    # Pressed, and the next attempt drawn ahead.
    assert h.prints == [(h.citizen.scenario.fingers.seed, 7, "good", 1),
                        (h.citizen.scenario.fingers.seed, 7, "good", 2)]
    h.citizen.on_message(lift())
    assert h.run() == ["lift"]
    h.citizen.on_message(place(7, 1))  # asked again after a lift: pressed again
    h.citizen.on_message(place(7, 2))  # the next attempt (its print was drawn ahead)
    h.citizen.on_message(place(2, 1))  # another finger
    h.citizen.on_message(place(2, 1))
    assert h.run() == ["place 7", "place 7", "place 2"]
    assert [p[1:] for p in h.prints[2:]] == [(7, "good", 1), (7, "good", 3), (2, "good", 1),
                                             (2, "good", 2)]


def test_prints_drawn_ahead_are_the_prints_pressed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole default sequence (two fingers, three attempts): every print is drawn once,
    before its press, and each press lays exactly the print it would have drawn itself."""
    h = Harness(monkeypatch)
    pressed: list[NDArray[np.uint8]] = []
    monkeypatch.setattr(h.devices, "place", pressed.append)
    drawn = {}

    def finger(seed: int, position: int, condition: str, attempt: int) -> NDArray[np.uint8]:
        h.prints.append((seed, position, condition, attempt))
        image = np.full((4, 4), position * 10 + attempt, np.uint8)
        drawn[(position, attempt)] = image
        return image

    monkeypatch.setattr(citizen_module, "persona_finger", finger)
    h.citizen.on_message(state(State.PHOTO_REVIEW, State.PHOTO))
    h.run()
    asked = [(7, 1), (7, 2), (7, 3), (2, 1), (2, 2), (2, 3)]
    for position, attempt in asked:
        h.citizen.on_message(place(position, attempt))
        h.run()
        h.citizen.on_message(lift())
        h.run()
    assert sorted(p[1::2] for p in h.prints) == sorted(asked)  # each drawn once
    assert [int(image[0, 0]) for image in pressed] == [p * 10 + a for p, a in asked]
    assert all(image is drawn[key] for image, key in zip(pressed, asked, strict=True))


def test_a_print_drawn_ahead_that_failed_is_drawn_at_the_press(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    h = Harness(monkeypatch)
    calls: list[int] = []

    def flaky(seed: int, position: int, condition: str, attempt: int) -> NDArray[np.uint8]:
        calls.append(position)
        if len(calls) == 1:
            raise MemoryError("no room for a print")
        return np.full((4, 4), position, np.uint8)

    monkeypatch.setattr(citizen_module, "persona_finger", flaky)
    h.citizen.on_message(state(State.FINGERPRINTS, State.PHOTO_REVIEW))
    h.run()  # drawing 7 fails, 2 is drawn
    h.citizen.on_message(place(7, 1))
    assert h.run() == ["place 7"]
    assert calls == [7, 2, 7, 7]  # 7 again at the press; 7's second attempt drawn ahead


def test_a_session_end_forgets_the_press(monkeypatch: pytest.MonkeyPatch) -> None:
    h = Harness(monkeypatch)
    h.citizen.on_message(place(2, 1))
    h.citizen.on_message(state(State.ABORTED, State.FINGERPRINTS))
    h.citizen.on_message(place(2, 1))  # a new citizen's session asks for the same finger
    assert h.run().count("place 2") == 2


def test_fingers_keep_their_condition_and_a_missing_one_is_never_pressed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    h = Harness(monkeypatch, Fingers(seed=5, conditions={"left_index": "missing",
                                                         "right_index": "dry"}))
    h.citizen.on_message(place(7, 1))
    h.citizen.on_message(place(2, 1))
    assert h.run() == ["place 2"]
    assert h.prints == [(5, 2, "dry", 1), (5, 2, "dry", 2)]  # and its next touch drawn ahead
    h.citizen.on_message(state(State.WELCOME, State.DONE))
    h.run()
    h.citizen.on_message(state(State.PHOTO_REVIEW, State.PHOTO))  # the missing one is not drawn
    h.run()
    assert h.prints[2:] == [(5, 2, "dry", 1)]


def test_other_messages_and_other_states_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    h = Harness(monkeypatch)
    h.citizen.on_message(DeviceHealth(kiosk_id="k1", device="scanner", ok=False))
    h.citizen.on_message(StepProgress(kiosk_id="k1", state=State.PHOTO, key="photo.hold",
                                      finger=2, attempt=1, phase="place"))
    h.citizen.on_message(StepProgress(kiosk_id="k1", state=State.FINGERPRINTS,
                                      key="fingerprints.wait", phase="wait"))
    h.citizen.on_message(state(State.HELP, State.PHOTO))
    assert h.pending == []


def test_a_failing_action_never_reaches_the_kiosk(monkeypatch: pytest.MonkeyPatch) -> None:
    h = Harness(monkeypatch)

    def broken(lines: Sequence[str]) -> None:
        raise OSError("pty gone")

    monkeypatch.setattr(h.devices, "present", broken)
    h.citizen.on_message(state(State.IDENTIFY))
    h.run()  # logged, not raised


def test_a_stopped_citizen_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    h = Harness(monkeypatch)
    h.citizen.stop()
    h.citizen.on_message(state(State.IDENTIFY))
    assert h.pending == []

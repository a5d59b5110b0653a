"""The fingerprint runner against the real R30x driver and the simulated module on a pty (paced
at the line rate): the lift is asked for when the image is taken, the upload's progress arrives
as values for a progress bar, and an attempt is judged while the next one is asked for."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from drivers.r30x import R30xFingerprintReader
from kiosk.config import KioskConfig, TimeoutSettings
from kiosk.service.messages import Message, StepProgress
from kiosk.service.runners import FingerprintRunner, StepInput, StepRunner
from kiosk.steps.fingerprints import FingerStep
from kiosk.workflow import events as ev
from kiosk.workflow.session import SessionData
from simulator.fingerprint_sensor import SimulatedR30x
from simulator.fingerprints import persona_finger
from tests.helpers.kiosk import wait_until

pytestmark = pytest.mark.slow


@dataclass
class Devices:
    fingerprint: R30xFingerprintReader

    def get(self, name: str) -> Any:
        return self.fingerprint if name == "fingerprint" else None


@dataclass
class Host:
    """The service, as far as a runner sees it; the citizen presses and lifts when told."""

    devices: Devices
    module: SimulatedR30x
    config: KioskConfig = field(default_factory=lambda: KioskConfig(
        timeouts=TimeoutSettings(device_read_s=0.2)))
    store: None = None
    heard: list[StepProgress] = field(default_factory=list)
    finished: list[ev.Event] = field(default_factory=list)

    def today(self) -> dt.date:
        return dt.date.today()

    def finish(self, runner: StepRunner, event: ev.Event) -> None:
        self.finished.append(event)

    def activity(self) -> None:
        pass

    def publish(self, message: Message) -> None:
        assert isinstance(message, StepProgress)
        self.heard.append(message)
        if message.phase == "place" and message.finger and message.attempt:
            if not self.module.finger_present:
                self.module.place(persona_finger(7, message.finger, "good", message.attempt))
        elif message.phase == "lift":
            self.module.lift()


@contextmanager
def runner_on_pty(fingers: FingerStep) -> Iterator[tuple[FingerprintRunner, Host]]:
    module = SimulatedR30x.from_model("r307", pacing=True, line_speed_check=True)
    reader = R30xFingerprintReader("fingerprint", module.start(), 57600,
                                   target_baudrate=115200)
    reader.open()
    host = Host(Devices(reader), module)
    runner = FingerprintRunner(host, StepInput(SessionData("en")), fingers)  # type: ignore[arg-type]
    try:
        yield runner, host
    finally:
        runner.cancel()
        runner.join(timeout=10)
        reader.close()
        module.stop()


def fingers() -> FingerStep:
    return FingerStep(KioskConfig().fingerprint, age=41)


def test_lift_then_rising_transfer_progress_for_a_bar() -> None:
    with runner_on_pty(fingers()) as (runner, host):
        runner.start()
        wait_until(lambda: any(p.phase == "place" and p.attempt == 2 for p in host.heard),
                   lambda: [(p.phase, p.fraction) for p in host.heard])
        runner.cancel()
        first = [p for p in host.heard if p.attempt == 1]
    phases = [p.phase for p in first]
    assert phases[0] == "place"
    # Lift is asked for once, when the image is taken: before any of it is on the wire.
    lift = phases.index("lift")
    assert phases.count("lift") == 1 and first[lift].activity
    transfer = [p for p in first[lift + 1:] if p.phase == "transfer"]
    fractions = [p.fraction for p in transfer]
    seconds = [p.values["seconds_left"] for p in transfer]
    assert len(transfer) >= 3, fractions  # a 3.5 s upload, reported every 0.2 s
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(a is not None and b is not None and a < b
               for a, b in zip(fractions, fractions[1:], strict=False)), fractions
    assert all(isinstance(s, float) for s in seconds)
    assert seconds[-1] == 0.0 and seconds == sorted(seconds, reverse=True), seconds
    # At 115200 baud an image is about 3.5 s on the wire: that is what the bar starts from.
    assert 3.0 < float(seconds[0]) < 4.0
    assert all(p.key == "ui.fingerprints.lift" and p.finger == 7 for p in transfer)


def test_the_next_attempt_is_asked_for_while_the_last_is_judged() -> None:
    step = fingers()
    judging = threading.Event()
    release = threading.Event()
    record = step.record

    def slow_record(*args: Any) -> Any:
        judging.set()
        release.wait(30)  # the hang guard: the test releases it as soon as it has looked
        return record(*args)

    step.record = slow_record  # type: ignore[method-assign]
    with runner_on_pty(step) as (runner, host):
        runner.start()
        wait_until(judging.is_set, lambda: [p.phase for p in host.heard])
        wait_until(lambda: any(p.phase == "place" and p.attempt == 2 for p in host.heard),
                   lambda: [(p.phase, p.attempt) for p in host.heard])
        asked = [p for p in host.heard if p.phase == "place" and p.attempt == 2]
        # Asked for while attempt 1 was still being judged: no verdict yet.
        assert asked[0].quality is None and asked[0].feedback == ""
        release.set()
        # The verdict follows, on the same request said again.
        wait_until(lambda: any(p.attempt == 2 and p.quality is not None for p in host.heard),
                   lambda: [(p.phase, p.attempt, p.quality) for p in host.heard])
        verdict = next(p for p in host.heard if p.attempt == 2 and p.quality is not None)
        assert verdict.feedback
        assert step.sequence.current is not None and step.sequence.current.attempt >= 2


class Busy(StepRunner):
    """A previous step's runner (another device) still closing down."""

    state = FingerprintRunner.state
    device = "camera"

    def __init__(self, host: Host, until: threading.Event) -> None:
        super().__init__(host, StepInput(SessionData("en")))  # type: ignore[arg-type]
        self.until = until

    def run(self) -> None:
        self.until.wait(30)  # released by the test as soon as it has looked


def test_the_step_does_not_wait_for_another_device_s_runner_to_close() -> None:
    with runner_on_pty(fingers()) as (runner, host):
        release = threading.Event()
        camera = Busy(host, release)
        camera.start()
        try:
            runner.start(after=camera)
            wait_until(lambda: any(p.phase == "place" for p in host.heard),
                       lambda: host.heard)
            assert not camera.join(timeout=0)  # still closing: the reader was not held up
        finally:
            release.set()
            camera.join(timeout=10)

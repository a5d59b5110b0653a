"""Step runners: one per device state, all the same shape.

A runner is started when the session enters its state and cancelled when it leaves. It runs on
its own thread, talks to one device and one core, publishes progress, and ends with one
workflow event (``finish``) that the service applies if the runner is still the current one.
A device error becomes ``DeviceFailed`` with the error's code; any other exception is a bug,
logged with its traceback and shown to the citizen as the device-error screen.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

from drivers.errors import DeviceError, LiftObstructedError, LiftStalledError
from kiosk.config import KioskConfig
from kiosk.devices import Devices
from kiosk.service.messages import DeviceHealth, Message, PreviewFrame, StepProgress, TextValue
from kiosk.workflow import State
from kiosk.workflow import events as ev
from kiosk.workflow.session import SessionData

if TYPE_CHECKING:
    from drivers.interfaces import FingerprintImage
    from drivers.r30x import TransferProgress
    from kiosk.steps.fingerprints import FingerStep, Request
    from kiosk.steps.photo import PhotoStep
    from kiosk.store.db import ApplicationStore

# The cores (face models, fingerprint maths) are imported by the runners that use them, on
# their own threads, so the kiosk's first screen does not wait for them.

log = logging.getLogger(__name__)

#: How often device activity (a face in view, a finger pressed) restarts the inactivity clock.
ACTIVITY_EVERY_S = 1.0
#: The visible count before the photo is taken (3, 2, 1), in seconds.
PHOTO_COUNT_S = 3


class RunnerHost(Protocol):
    """What a runner needs from the service."""

    config: KioskConfig
    devices: Devices
    #: The encrypted application store (None when it could not be opened).
    store: ApplicationStore | None

    def today(self) -> dt.date:
        """Today's date (the document core judges expiry against it)."""

    def finish(self, runner: StepRunner, event: ev.Event) -> None:
        """Apply ``event`` if ``runner`` is still the current runner."""

    def publish(self, message: Message) -> None:
        """Publish a message to the subscribers."""

    def activity(self) -> None:
        """The citizen did something at a device (keeps the session alive)."""


@dataclass(frozen=True)
class StepInput:
    """What a runner reads from the session when it starts (it never writes the session)."""

    data: SessionData
    #: The citizen asked to try again after a device error: reconnect the device first.
    retrying: bool = False


class StepRunner:
    """Base of the runners: start, cancel, progress, and a result that becomes an event."""

    state: ClassVar[State]
    #: The device's configured name (``storage`` for the hand-off), used in DeviceFailed.
    device: ClassVar[str]

    def __init__(self, host: RunnerHost, step: StepInput) -> None:
        self.host = host
        self.step = step
        self.poll_s = host.config.timeouts.device_read_s
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_activity = float("-inf")

    # --- lifecycle ------------------------------------------------------------------------

    def start(self, after: StepRunner | None = None) -> None:
        """Run on a new thread; first wait for ``after`` (the previous runner) to let go."""
        self._thread = threading.Thread(target=self._main, args=(after,), daemon=True,
                                        name=f"step-{self.state.value}")
        self._thread.start()

    def cancel(self) -> None:
        """Ask the runner to stop; it stops within one device poll."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """True once the runner should stop."""
        return self._cancel.is_set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; True when it has."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def _main(self, after: StepRunner | None) -> None:
        # Two threads on one serial line would garble it: let the previous runner finish.
        if after is not None and not after.join(timeout=max(5.0, 4 * self.poll_s)):
            log.warning("previous step %s still busy", after.state.value)
        if self.cancelled:
            return
        try:
            if self.step.retrying:
                self._reconnect()
            self.run()
        except DeviceError as error:
            # Staff see which device and why (the log); the citizen a plain message.
            log.warning("device failed: %s", error.staff_message)
            self.finish(ev.DeviceFailed(self.device, error.code))
        except Exception:  # a bug must not freeze the kiosk: show the device-error screen
            log.exception("step %s failed", self.state.value)
            self.finish(ev.DeviceFailed(self.device, "internal_error"))

    def _reconnect(self) -> None:
        device = self.host.devices.get(self.device)
        if device is not None:
            device.open()

    # --- for subclasses ---------------------------------------------------------------------

    def run(self) -> None:
        """The device work, on the runner's thread. Ends with :meth:`finish` or on cancel."""
        raise NotImplementedError

    def finish(self, event: ev.Event) -> None:
        """The step's result, for the workflow (dropped if the runner was cancelled)."""
        if not self.cancelled:
            self.host.finish(self, event)

    def progress(self, key: str, values: dict[str, TextValue] | None = None, *,
                 feedback: str = "", feedback_values: dict[str, TextValue] | None = None,
                 fraction: float | None = None, activity: bool = False,
                 finger: int | None = None, attempt: int | None = None,
                 attempts: int | None = None, phase: str = "",
                 quality: int | None = None, defects: tuple[str, ...] = ()) -> None:
        """Publish the step's live status."""
        message = StepProgress(
            kiosk_id=self.host.config.kiosk_id, state=self.state, key=key, values=values or {},
            feedback=feedback, feedback_values=feedback_values or {}, fraction=fraction,
            finger=finger, attempt=attempt, attempts=attempts, phase=phase, quality=quality,
            activity=activity, defects=defects)
        if activity:
            self.touch()
        self.host.publish(message)

    def touch(self) -> None:
        """The citizen did something at the device: restart the inactivity clock."""
        # The clock counts in tens of seconds: once a second is plenty (not every frame).
        if time.monotonic() - self._last_activity >= ACTIVITY_EVERY_S:
            self._last_activity = time.monotonic()
            self.host.activity()


class IdentifyRunner(StepRunner):
    """Wait for the passport on the scanner and let the document core judge it.

    A scanner sends nothing until a document arrives, so silence is normal. Every
    ``scanner_probe_s`` of silence the scanner is probed (a dead scanner is reported as a
    device error); after ``document_wait_s`` the citizen is told the passport could not be read
    and offered a retry or a librarian, instead of waiting for the inactivity warning.
    """

    state = State.IDENTIFY
    device = "scanner"

    def run(self) -> None:
        timeouts = self.host.config.timeouts
        from kiosk.document.decision import assess_document

        scanner = self.host.devices.scanner
        started = last_probe = time.monotonic()
        hinted = False
        self.progress("ui.identify.waiting")
        while not self.cancelled:
            read = scanner.read_document(self.poll_s)
            if read is not None:
                self.progress("ui.identify.reading", activity=True)
                decision = assess_document(read.lines, self.host.today(),
                                           self.host.config.document)
                self.finish(ev.DocumentRead(decision))
                return
            now = time.monotonic()
            if now - last_probe >= timeouts.scanner_probe_s:
                last_probe = now
                health = scanner.probe()
                if not health.ok:
                    log.warning("scanner probe failed: %s", health.detail)
                    self.finish(ev.DeviceFailed(self.device, health.code or "device_timeout"))
                    return
            if not hinted and now - started >= timeouts.document_wait_s / 2:
                hinted = True
                self.progress("ui.identify.waiting", feedback="ui.identify.hint")
            if now - started >= timeouts.document_wait_s:
                self.finish(ev.DeviceFailed(self.device, "no_document"))
                return




class PhotoCount:
    """The 3-2-1 before the photo: it runs while every new frame passes the checks and starts
    again from 3 when one does not (or the camera repeats a frame: a frozen picture is not a
    citizen holding still)."""

    def __init__(self, seconds: int = PHOTO_COUNT_S) -> None:
        self.seconds = seconds
        self._since: float | None = None

    def feed(self, passes: bool, now: float) -> float | None:
        """Seconds left of the count (0 when it is over), or None when it is not counting."""
        if not passes:
            self._since = None
            return None
        if self._since is None:
            self._since = now
        return max(0.0, self.seconds - (now - self._since))


class PhotoRunner(StepRunner):
    """Live frames through the photo core: guidance, hold-still progress, the photo.

    The photo is kept only once a visible 3-2-1 (``PHOTO_COUNT_S``, published as the value
    ``count`` of ``ui.photo.count``) has run out with every frame passing: the core's burst is
    taken from frames of the count, and a frame that fails starts the count and the burst again.

    Checks a librarian overrode (``OverrideCheck``, kept in the session's staff actions) no
    longer hold the capture back; the photo's own check results still say they failed.
    """

    state = State.PHOTO
    device = "camera"

    def __init__(self, host: RunnerHost, step: StepInput) -> None:
        super().__init__(host, step)
        self.waived = frozenset(record.subject for record in step.data.staff_actions
                                if record.action == "override" and record.subject)
        #: Seated mode (the citizen or staff chose it): the camera lift uses its lower range.
        self.seated = False
        #: A dialog covers the screen (the service's ``hold_photo``): no photo is taken.
        self.held = False

    def waive(self, check: str) -> None:
        """A librarian overrode ``check`` (a defect code) while the step runs."""
        self.waived = self.waived | {check}

    def run(self) -> None:
        from kiosk.steps.lift import DriftWatch
        from kiosk.steps.photo import PhotoStep

        camera = self.host.devices.camera
        capture = PhotoStep(self.host.config.photo)
        kiosk_id = self.host.config.kiosk_id
        try:
            last_index = -1
            said: tuple[str, float, tuple[str, ...], int] | None = None
            count, previous = PhotoCount(), None
            self.progress("ui.photo.starting")
            if not self._level_camera(capture):
                return
            lift_settings = self.host.config.devices.lift
            drift = DriftWatch(lift_settings) if self.host.devices.lift is not None else None
            relevels = 0
            while not self.cancelled:
                camera.raise_if_failed()
                frame = camera.latest()
                if frame is None or frame.index == last_index:
                    time.sleep(0.01)
                    continue
                last_index = frame.index
                capture.waive(self.waived)
                update = capture.feed(frame)
                self.host.publish(PreviewFrame(kiosk_id=kiosk_id, pixels=update.preview))
                # A repeated frame comes back as the same update: it is no new evidence.
                passes = (update.citizen_present and not update.defects and update is not previous
                          and not self.held)
                previous = update
                left = count.feed(passes, time.monotonic())
                if (drift is not None and left is None and relevels < lift_settings.max_relevels
                        and drift.feed(update.eyes, frame.timestamp)):
                    # The citizen stood up or sat down after the camera was levelled: the
                    # lift follows their eyes rather than the photo asking them to stretch.
                    relevels += 1
                    log.info("eyes left the line after levelling: levelling again (%d)",
                             relevels)
                    capture.session.retake()
                    said, previous = None, None
                    if not self._level_camera(capture):
                        return
                    drift.reset()
                    continue
                if left is None and update.result is not None:
                    capture.session.retake()  # taken before the count was over: not this one
                shown = 0 if left is None else max(1, math.ceil(left))
                key = "ui.photo.count" if shown else update.text_key
                # Every analysed frame reports; most say what the frame before said.
                if (key, update.progress, update.defects, shown) != said:
                    said = (key, update.progress, update.defects, shown)
                    self.progress(key, {"count": shown} if shown else None,
                                  fraction=update.progress, defects=update.defects)
                if update.citizen_present:
                    self.touch()
                if left == 0.0 and update.result is not None:
                    self.finish(ev.PhotoCaptured(update.result))
                    return
        finally:
            capture.close()


    def _level_camera(self, capture: PhotoStep) -> bool:
        """Bring the camera lift to the citizen's eyes before anything is asked of them.

        No lift: nothing happens. A stall or obstruction while it moves takes the citizen to
        the device-error screen (``lift``: told, and staff can help); one already latched
        means nothing moves. Any other lift failure is reported to staff and the photo goes on
        without levelling. False when the step ended here.
        """
        lift = self.host.devices.lift
        if lift is None:
            return True
        from kiosk.steps.lift import Eyes, Leveller, LiftCommand
        from kiosk.steps.photo import eyes_of

        camera, kiosk_id = self.host.devices.camera, self.host.config.kiosk_id
        last_index, said = -1, ("", "")

        def look() -> tuple[Eyes | None, float] | None:
            nonlocal last_index
            camera.raise_if_failed()
            frame = camera.latest()
            if frame is None or frame.index == last_index:
                return None
            last_index = frame.index
            self.host.publish(PreviewFrame(kiosk_id=kiosk_id, pixels=frame.pixels))
            eyes = eyes_of(capture.session.analyzer.analyze(frame.pixels), frame.pixels.shape[0])
            if eyes is not None:
                self.touch()
            return eyes, frame.timestamp

        def say(command: LiftCommand) -> None:
            nonlocal said
            if command.action == "done":
                return  # the photo's own guidance follows at once
            text = ("photo.guide_face_camera" if command.reason == "no_face"
                    else "ui.photo.lift_moving",
                    "ui.photo.lift_too_close" if command.reason == "too_close" else "")
            if text != said:
                said = text
                self.progress(text[0], feedback=text[1], phase="lift")

        leveller = Leveller(lift, self.host.config.devices.lift, seated=lambda: self.seated)
        started = time.monotonic()
        try:
            outcome = leveller.run(look, say, lambda: self.cancelled)
        except (LiftStalledError, LiftObstructedError) as error:
            log.warning("%s", error.staff_message)
            self.finish(ev.DeviceFailed("lift", error.code))
            return False
        except DeviceError as error:
            if error.device != "lift":
                raise
            log.warning("photo goes on without levelling: %s", error.staff_message)
            self.host.publish(DeviceHealth(kiosk_id=kiosk_id, device="lift", ok=False,
                                           code=error.code, detail=error.staff_message))
            return True
        log.info("camera levelling ended: %s after %d run(s) in %.1f s", outcome,
                 leveller.moves, time.monotonic() - started)
        return True


class FingerprintRunner(StepRunner):
    """The guided finger sequence: ask for a finger, capture it, judge it, wait for the lift.

    The sequence (``fingers``) belongs to the service and outlives the runner, so a citizen
    who went to Help comes back to the same finger and attempt.

    The citizen's time is the image upload (3.5 s at 115200 baud), so nothing else waits on it:
    the finger may be lifted as soon as the image is taken (``lift`` comes before the upload);
    an image is judged (quality, comparison) on a worker thread while the next attempt of the
    same finger is placed and uploaded, and only a finger's last attempt is waited for, since
    its verdict decides the next finger (:meth:`FingerStep.following`); the lift is watched
    with back-to-back GenImg polls, which the module itself paces; and the step does not wait
    for another device's runner to close.

    What it publishes (``StepProgress``, state ``fingerprints``; ``finger``, ``attempt`` and
    ``attempts`` always set; ``values["finger_key"]`` the finger's name key), by ``phase``:

    * ``place`` (key ``ui.fingerprints.place``): put the finger on. Published again, for the
      same finger and attempt, when the verdict of the attempt before arrives.
    * ``lift`` (key ``ui.fingerprints.lift``): once per capture, the moment the image is taken.
    * ``transfer`` (key ``ui.fingerprints.lift``): the image is on the wire. For the progress
      bar: ``fraction``, the share received (0..1, rising to 1.0), and
      ``values["seconds_left"]``, the expected seconds it still needs on the wire (a float to
      0.1 s, falling to 0.0); at most every ``TRANSFER_EVERY_S`` and once at the end. Readers
      that cannot report an upload (USB scanners) send none.

    ``feedback``/``feedback_values`` and ``quality`` always carry the last verdict; a verdict
    that arrives while the citizen lifts is published as the last ``transfer`` message again.
    """

    state = State.FINGERPRINTS
    device = "fingerprint"
    #: Least time between two ``transfer`` messages (the screen redraws on each).
    TRANSFER_EVERY_S = 0.2
    #: Least time between two "is the finger still there?" polls.
    LIFT_POLL_S = 0.02

    def __init__(self, host: RunnerHost, step: StepInput, fingers: FingerStep) -> None:
        super().__init__(host, step)
        self.fingers = fingers
        #: How the last attempt went, shown under a retry of the same finger.
        self._feedback: tuple[str, dict[str, TextValue]] = ("", {})
        self._quality: int | None = None
        self._shown: tuple[int, int] | None = None
        #: The request being captured, and the last message said (to say it again).
        self._capturing: Request | None = None
        self._said: tuple[str, str, Request, float | None, dict[str, TextValue]] | None = None
        self._last_transfer = float("-inf")
        # Runner, judge and service threads all publish: one message at a time, in order.
        self._say = threading.RLock()

    def start(self, after: StepRunner | None = None) -> None:
        """Run on a new thread; wait only for a previous runner on the same reader (another
        device's runner, the camera's closing its face models, cannot garble this line)."""
        super().start(after if after is not None and after.device == self.device else None)

    def run(self) -> None:
        from kiosk.steps.fingerprints import ReportsTransfer

        reader = self.host.devices.fingerprint
        fingers = self.fingers
        reporting = isinstance(reader, ReportsTransfer)
        if isinstance(reader, ReportsTransfer):
            reader.on_transfer = self._transferred
        judge = ThreadPoolExecutor(1, thread_name_prefix="fingerprint-judge")
        judging: Future[None] | None = None
        request: Request | None = None
        try:
            while not self.cancelled:
                if request is None:
                    # What comes next depends on the verdicts so far: wait for them.
                    if judging is not None:
                        judging.result()
                        judging = None
                    if fingers.is_done:
                        break
                    request = fingers.request()
                self.show_request(request)
                self._capturing = request
                image = reader.capture(self.poll_s)
                if image is None:
                    request = None  # ask the sequence again: staff may have skipped the finger
                    continue
                if not reporting:
                    self._said_lift(request)
                if judging is not None:
                    judging.result()  # in order; a judge's error is the step's error
                judging = judge.submit(self._judge, image, request)
                self._wait_for_lift()
                request = fingers.following(request)
            if judging is not None:
                judging.result()
        finally:
            self._capturing = None
            if isinstance(reader, ReportsTransfer):
                reader.on_transfer = None
            judge.shutdown(wait=False, cancel_futures=True)
        if fingers.is_done:
            self.finish(ev.FingerprintsCaptured(fingers.result()))

    def show_request(self, request: Request | None = None) -> None:
        """Publish the finger asked for now (again after staff skipped one)."""
        with self._say:
            if request is None:
                if self.fingers.is_done:
                    return
                request = self.fingers.request()
            if self._shown is not None and self._shown[0] != request.position:
                # A new finger: what was said about the last one no longer applies.
                self._feedback, self._quality = ("", {}), None
            self._shown = (request.position, request.attempt)
            self._publish("place", "ui.fingerprints.place", request)

    def _judge(self, image: FingerprintImage, request: Request) -> None:
        """On the judge's thread: record the image, then say the verdict."""
        outcome = self.fingers.record(image, request)
        with self._say:
            self._feedback = (outcome.text_key, dict(outcome.values))
            self._quality = outcome.quality
            said = self._said
            # Said again with the verdict; a lift is not asked for twice.
            if said is not None and said[0] != "lift" and not self.cancelled:
                self._publish(*said)

    def _transferred(self, progress: TransferProgress) -> None:
        """The reader's upload report (on the runner's thread, inside ``capture``)."""
        request = self._capturing
        if request is None or self.cancelled:
            return
        if progress.received == 0:
            self._said_lift(request)
        now = time.monotonic()
        if progress.fraction < 1.0 and now - self._last_transfer < self.TRANSFER_EVERY_S:
            return
        self._last_transfer = now
        seconds: dict[str, TextValue] = {"seconds_left": round(progress.seconds_left, 1)}
        self._publish("transfer", "ui.fingerprints.lift", request, progress.fraction, seconds)

    def _said_lift(self, request: Request) -> None:
        self._last_transfer = float("-inf")
        self._publish("lift", "ui.fingerprints.lift", request, activity=True)

    def _publish(self, phase: str, key: str, request: Request, fraction: float | None = None,
                 extra: dict[str, TextValue] | None = None, activity: bool = False) -> None:
        with self._say:
            self._said = (phase, key, request, fraction, extra or {})
            values: dict[str, TextValue] = {
                "finger_key": self.fingers.finger_key(request.position), **(extra or {})}
            feedback, feedback_values = self._feedback
            self.progress(key, values, feedback=feedback, feedback_values=feedback_values,
                          fraction=fraction, finger=request.position, attempt=request.attempt,
                          attempts=request.attempts, phase=phase, quality=self._quality,
                          activity=activity)

    def _wait_for_lift(self) -> None:
        """Until the finger has left the reader, so the next attempt is a new placement.

        Polls are at most ``LIFT_POLL_S`` apart and only a reader that answers quicker (an SDK
        from memory) is paused: an R30x GenImg with a finger on takes its imaging time anyway.
        """
        reader = self.host.devices.fingerprint
        while not self.cancelled:
            asked = time.monotonic()
            if not reader.finger_present():
                return
            spare = self.LIFT_POLL_S - (time.monotonic() - asked)
            if spare > 0:
                time.sleep(spare)


class SignatureRunner(StepRunner):
    """Wait for the citizen to sign on the pad."""

    state = State.SIGNATURE
    device = "signature"

    def run(self) -> None:
        pad = self.host.devices.signature
        self.progress("ui.signature.waiting")
        while not self.cancelled:
            signature = pad.capture(self.poll_s)
            if signature is not None:
                self.finish(ev.SignatureCaptured(signature))
                return


class HandoffRunner(StepRunner):
    """Store the application for the caseworker; its reference ends the step.

    The reference reaches the citizen (``HandoffCompleted``) only after the store has
    committed and fsynced the whole record: a crash before that shows no reference, and one
    after it loses nothing. A store that fails (full disk, missing key) is a device error of
    ``storage``: the session keeps the capture, and Retry stores it again.
    """

    state = State.HANDOFF
    device = "storage"

    def run(self) -> None:
        from kiosk.handoff.record import build_record
        from kiosk.handoff.references import new_reference
        from kiosk.store.errors import StoreError

        store = self.host.store
        if store is None:
            self.finish(ev.DeviceFailed("storage", "unavailable"))
            return
        code = "duplicate_reference"
        for _ in range(3):  # a reference drawn twice is one in 2**40: draw again
            reference = new_reference()
            record = build_record(self.step.data, reference, kiosk_id=self.host.config.kiosk_id,
                                  created_at=store.clock(),
                                  fingerprint_encoding=self.host.config.fingerprint.encoding)
            try:
                store.put(record.to_parts(), reference)
            except StoreError as error:
                code = error.code
                if code == "duplicate_reference":
                    continue
                break
            self.finish(ev.HandoffCompleted(reference))
            return
        log.error("the application could not be stored: %s", code)
        self.finish(ev.DeviceFailed("storage", code))


#: The runner of each device state (fingerprints need the service's sequence: built apart).
RUNNERS: dict[State, type[StepRunner]] = {
    runner.state: runner
    for runner in (IdentifyRunner, PhotoRunner, FingerprintRunner, SignatureRunner,
                   HandoffRunner)
}

"""The capture steps: passport, photo, review, fingerprints, signature, summary, hand-off.

Each step's device work runs in a thread worker (never on the UI thread) that polls with a short
timeout so it stops soon after its screen goes. Results come back as messages.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Center, Horizontal
from textual.widgets import Button, ProgressBar, Static
from textual.worker import get_current_worker

from drivers.errors import DeviceError
from kiosk.fingerprint.sequence import UnavailableReason
from kiosk.steps.fingerprints import FingerStep
from kiosk.ui.messages import Progress, WorkflowEvent
from kiosk.ui.screens.base import KioskScreen, actions
from kiosk.ui.widgets.camera_preview import CameraPreview
from kiosk.ui.widgets.finger_chart import FingerChart
from kiosk.workflow import State
from kiosk.workflow import events as ev

log = logging.getLogger(__name__)


class DeviceStepScreen(KioskScreen):
    """A step whose worker talks to a device and reports back."""

    #: The device's name in configuration and in device-error texts.
    device: str = ""
    #: Set when the citizen tapped "Try again" after a device error: reopen the device first.
    retrying: bool = False

    def on_mount(self) -> None:
        self.run_step()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def run_step(self) -> None:
        try:
            if self.retrying:
                self.kiosk.runtime.reopen(self.device)
            self.step()
        except DeviceError as error:
            # Staff see which device and why; the citizen sees a plain message.
            log.warning("device failed: %s", error.staff_message)
            self.post_message(WorkflowEvent(ev.DeviceFailed(self.device, error.code)))
        except Exception:  # a bug must not freeze the kiosk: show the device-error screen
            log.exception("step %s failed", self.state.value)
            self.post_message(WorkflowEvent(ev.DeviceFailed(self.device, "internal_error")))

    def step(self) -> None:
        """The device work, in a worker thread."""

    def cancelled(self) -> bool:
        """True once the screen is gone and the worker should stop."""
        return get_current_worker().is_cancelled

    def on_workflow_event(self, message: WorkflowEvent) -> None:
        self.send(message.event)

    def on_progress(self, message: Progress) -> None:
        if message.activity:
            self.kiosk.session.touch()
        self.show_progress(message)

    def show_progress(self, message: Progress) -> None:
        """Show a worker's live status."""
        status = self.query("#status")
        if status:
            status.first(Static).update(self.t(message.key, **message.values))


class IdentifyScreen(DeviceStepScreen):
    """Scan the old passport and let the document core judge it."""

    state = State.IDENTIFY
    device = "scanner"

    def compose_body(self) -> ComposeResult:
        yield Static(self.t("ui.identify.title"), classes="title")
        yield Static(self.t("ui.identify.lead"), classes="lead")
        yield Static(self.t("ui.identify.waiting"), classes="status", id="status")

    def step(self) -> None:
        runtime = self.kiosk.runtime
        while not self.cancelled():
            read = runtime.devices.scanner.read_document(runtime.poll_s)
            if read is None:
                continue
            self.post_message(Progress("ui.identify.reading", {}))
            decision = runtime.assess_document(read.lines)
            self.post_message(WorkflowEvent(ev.DocumentRead(decision)))
            return


class PhotoScreen(DeviceStepScreen):
    """Live preview with one instruction at a time; the photo is taken by itself."""

    state = State.PHOTO
    device = "camera"

    def compose_body(self) -> ComposeResult:
        yield Static(self.t("ui.photo.title"), classes="title")
        yield Static(self.t("ui.photo.starting"), classes="problem", id="status")
        yield CameraPreview(guide=True, id="preview")
        yield ProgressBar(total=1.0, show_eta=False, show_percentage=False, id="hold")

    def step(self) -> None:
        runtime = self.kiosk.runtime
        capture = runtime.photo_capture()
        camera = runtime.devices.camera
        try:
            last_index = -1
            while not self.cancelled():
                frame = camera.latest()
                runtime.check_camera()
                if frame is None or frame.index == last_index:
                    time.sleep(0.01)
                    continue
                last_index = frame.index
                update = capture.feed(frame)
                self.post_message(Progress(update.text_key, {}, frame=update.preview,
                                           fraction=update.progress,
                                           activity=update.citizen_present))
                if update.result is not None:
                    self.post_message(WorkflowEvent(ev.PhotoCaptured(update.result)))
                    return
        finally:
            capture.close()

    def show_progress(self, message: Progress) -> None:
        super().show_progress(message)
        if message.frame is not None:
            self.query_one(CameraPreview).show(message.frame)
        if message.fraction is not None:
            self.query_one(ProgressBar).update(progress=message.fraction)


class PhotoReviewScreen(KioskScreen):
    """The token photo as it will be sent; accept or retake."""

    state = State.PHOTO_REVIEW
    default_button = "accept"

    def compose_body(self) -> ComposeResult:
        yield Static(self.t("ui.review.title"), classes="title")
        yield Static(self.t("ui.review.lead"), classes="lead")
        with Center():
            yield CameraPreview(id="token")
        yield actions(Button(self.t("ui.review.retake"), id="retake", variant="default"),
                      Button(self.t("ui.review.accept"), id="accept", variant="primary"))

    def on_mount(self) -> None:
        photo = self.kiosk.session.data.photo
        self.query_one(CameraPreview).show(photo.preview)

    def pressed(self, button: str) -> None:
        self.send(ev.AcceptPhoto() if button == "accept" else ev.RetakePhoto())


class FingerprintsScreen(DeviceStepScreen):
    """The guided finger sequence: which finger, how it went, the next one."""

    state = State.FINGERPRINTS
    device = "fingerprint"
    #: The running sequence, once the worker has made it (staff mark fingers on it).
    fingers: FingerStep | None = None
    #: The finger position asked for now (kept across a language switch).
    shown_position: int | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(self.t("ui.fingerprints.title"), classes="title")
        yield Static(self.t("ui.fingerprints.lead"), classes="lead")
        yield Static("", classes="problem", id="status")
        yield FingerChart(self.kiosk.language, self.shown_position, id="finger-chart")
        yield Static("", classes="status", id="detail")
        yield Static("", classes="status", id="feedback")
        # Staff only: a finger that cannot be given (injury, amputation), with the reason.
        with Horizontal(classes="actions", id="finger-actions"):
            yield Button(self.t("ui.fingerprints.unavailable"), id="finger-unavailable",
                         variant="default")
        with Horizontal(classes="actions", id="reasons"):
            for reason in UnavailableReason:
                yield Button(self.t(f"fingerprint.reason_{reason.value}"),
                             id=f"reason-{reason.value}", variant="default")

    def on_mount(self) -> None:
        self.query_one("#reasons").display = False
        super().on_mount()

    def pressed(self, button: str) -> None:
        asking = button == "finger-unavailable"
        self.query_one("#reasons").display = asking
        self.query_one("#finger-actions").display = not asking
        if button.startswith("reason-") and self.fingers is not None:
            self.fingers.mark_unavailable(button.removeprefix("reason-"))

    def step(self) -> None:
        runtime = self.kiosk.runtime
        fingers = runtime.finger_sequence(self.kiosk.session.data.document)
        self.fingers = fingers
        reader = runtime.devices.fingerprint
        while not fingers.is_done and not self.cancelled():
            request = fingers.request()
            self.post_message(Progress("ui.fingerprints.place", {
                "finger": self.t(request.finger_key),
                "position": int(request.capture.position),
                "attempt": request.attempt, "attempts": request.attempts,
            }))
            image = reader.capture(runtime.poll_s)
            if image is None:
                continue
            outcome = fingers.record(image, request)
            values = dict(outcome.values)
            if "finger" in values:
                values["finger"] = self.t(values["finger"])
            self.post_message(Progress(outcome.text_key, values, activity=True))
            runtime.wait_for_lift(reader, self.cancelled)
        if fingers.is_done:
            self.post_message(WorkflowEvent(ev.FingerprintsCaptured(fingers.result())))

    def show_progress(self, message: Progress) -> None:
        # The request (which finger) stays up; how the last capture went shows below it.
        text = self.t(message.key, **message.values)
        if message.key == "ui.fingerprints.place":
            self.query_one("#status", Static).update(text)
            self.shown_position = message.values["position"]
            self.query_one(FingerChart).show(self.shown_position)
            self.query_one("#detail", Static).update(self.t(
                "ui.fingerprints.attempt", number=message.values["attempt"],
                total=message.values["attempts"]))
        else:
            self.query_one("#feedback", Static).update(text)


class SignatureScreen(DeviceStepScreen):
    """Sign on the pad."""

    state = State.SIGNATURE
    device = "signature"

    def compose_body(self) -> ComposeResult:
        yield Static(self.t("ui.signature.title"), classes="title")
        yield Static(self.t("ui.signature.lead"), classes="lead")
        yield Static(self.t("ui.signature.waiting"), classes="status", id="status")

    def step(self) -> None:
        runtime = self.kiosk.runtime
        while not self.cancelled():
            signature = runtime.devices.signature.capture(runtime.poll_s)
            if signature is not None:
                self.post_message(WorkflowEvent(ev.SignatureCaptured(signature)))
                return


class SummaryScreen(KioskScreen):
    """What will be sent; consent sends it."""

    state = State.SUMMARY
    default_button = "consent"

    def compose_body(self) -> ComposeResult:
        data = self.kiosk.session.data
        yield Static(self.t("ui.summary.title"), classes="title")
        for label, value in self._lines(data):
            yield Static(f"{label}: [b]{value}[/b]", classes="lead")
        yield Static(self.t("ui.summary.consent"), classes="problem", id="consent-text")
        yield actions(Button(self.t("ui.summary.send"), id="consent", variant="primary"))

    def _lines(self, data: Any) -> list[tuple[str, str]]:
        decision = data.document
        holder = decision.handoff
        expired = decision.expiry_status == "expired"
        expiry_key = "ui.summary.expired" if expired else "ui.summary.expiry"
        taken = self.t("ui.summary.captured")
        return [
            (self.t("ui.summary.name"),
             f"{holder.get('given_names', '')} {holder.get('surname', '')}"),
            (self.t(expiry_key), decision.expiry.isoformat() if decision.expiry else "-"),
            (self.t("ui.summary.photo"), taken),
            (self.t("ui.summary.fingerprints"), self._fingers(data.fingerprints)),
            (self.t("ui.summary.signature"), taken),
        ]

    def _fingers(self, prints: Any) -> str:
        # Naming the stored fingers lets the citizen see that left and right are right.
        if prints is None or not prints.fingers:
            return self.t("ui.summary.fingers_none")
        return ", ".join(self.t(finger.position.text_key) for finger in prints.fingers)

    def pressed(self, button: str) -> None:
        self.send(ev.GiveConsent())


class HandoffScreen(DeviceStepScreen):
    """Store the application for the case worker and get its reference."""

    state = State.HANDOFF
    device = "storage"
    cancellable = False

    def compose_body(self) -> ComposeResult:
        yield Static(self.t("ui.handoff.title"), classes="title")
        yield Static(self.t("ui.handoff.lead"), classes="lead")

    def step(self) -> None:
        reference = self.kiosk.runtime.hand_off(self.kiosk.session.data)
        self.post_message(WorkflowEvent(ev.HandoffCompleted(reference)))

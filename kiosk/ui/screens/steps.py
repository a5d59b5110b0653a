"""The capture steps: passport, photo, review, fingerprints, signature, summary, hand-off.

The device work runs in the kiosk service's step runners; these screens show what the runners
publish (``hear``) and what the session holds for the citizen's own eyes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import Center
from textual.widgets import Button, ProgressBar, Static

from kiosk.service import messages as news
from kiosk.ui.screens.base import KioskScreen, actions
from kiosk.ui.widgets.camera_preview import CameraPreview
from kiosk.ui.widgets.finger_chart import FingerChart
from kiosk.workflow import State

if TYPE_CHECKING:
    from kiosk.fingerprint.sequence import SequenceResult


class DeviceStepScreen(KioskScreen):
    """A step whose runner talks to a device: shows the runner's live status."""

    #: The status line shown before the runner says anything.
    waiting_key: ClassVar[str] = ""
    #: The last status heard, so a language switch (which recomposes) keeps it.
    last: news.StepProgress | None = None

    def compose_body(self) -> ComposeResult:
        yield from self.compose_step()
        yield Static(self._status_text(), classes="status", id="status")
        yield Static(self._feedback_text(), classes="status", id="feedback")

    def compose_step(self) -> ComposeResult:
        """Title, lead and the step's own widgets, above the status lines."""
        yield from ()

    def _status_text(self) -> str:
        if self.last is None:
            return self.t(self.waiting_key) if self.waiting_key else ""
        return self.text(self.last.key, self.last.values)

    def _feedback_text(self) -> str:
        last = self.last
        return self.text(last.feedback, last.feedback_values) if last is not None else ""

    def hear(self, message: news.Message) -> None:
        if isinstance(message, news.StepProgress) and message.state is self.state:
            self.last = message
            # News may come before the screen has composed: compose then shows ``last``.
            if self.is_mounted and self.query("#status"):
                self.show(message)

    def show(self, progress: news.StepProgress) -> None:
        """Show a runner's live status."""
        self.query_one("#status", Static).update(self._status_text())
        self.query_one("#feedback", Static).update(self._feedback_text())


class IdentifyScreen(DeviceStepScreen):
    """Scan the old passport; the service's runner reads and judges it."""

    state = State.IDENTIFY
    waiting_key = "ui.identify.waiting"

    def compose_step(self) -> ComposeResult:
        yield Static(self.t("ui.identify.title"), classes="title")
        yield Static(self.t("ui.identify.lead"), classes="lead")


class PhotoScreen(DeviceStepScreen):
    """Live preview with one instruction at a time; the photo is taken by itself."""

    state = State.PHOTO
    waiting_key = "ui.photo.starting"

    def compose_step(self) -> ComposeResult:
        yield Static(self.t("ui.photo.title"), classes="title")
        yield CameraPreview(guide=True, id="preview")
        yield ProgressBar(total=1.0, show_eta=False, show_percentage=False, id="hold")

    def hear(self, message: news.Message) -> None:
        if isinstance(message, news.PreviewFrame):
            previews = self.query(CameraPreview)
            if previews:
                previews.first().show(message.pixels)
        else:
            super().hear(message)

    def show(self, progress: news.StepProgress) -> None:
        super().show(progress)
        if progress.fraction is not None:
            self.query_one(ProgressBar).update(progress=progress.fraction)


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
        photo = self.kiosk.service.session.data.photo
        if photo is not None:
            self.query_one(CameraPreview).show(photo.image)
        super().on_mount()


class FingerprintsScreen(DeviceStepScreen):
    """The guided finger sequence: which finger, lift, how it went, the next one."""

    state = State.FINGERPRINTS

    def compose_step(self) -> ComposeResult:
        yield Static(self.t("ui.fingerprints.title"), classes="title")
        yield Static(self.t("ui.fingerprints.lead"), classes="lead")
        finger = self.last.finger if self.last is not None else None
        yield FingerChart(self.kiosk.language, finger, id="finger-chart")
        yield Static(self._attempt_text(), classes="status", id="detail")

    # A finger that cannot be given (injury, amputation) is marked by a librarian in staff
    # mode (Help, then Staff): no citizen can skip a finger.

    def _attempt_text(self) -> str:
        last = self.last
        if last is None or last.attempt is None or last.attempts is None:
            return ""
        return self.t("ui.fingerprints.attempt", number=last.attempt, total=last.attempts)

    def show(self, progress: news.StepProgress) -> None:
        super().show(progress)
        if progress.finger is not None:
            self.query_one(FingerChart).show(progress.finger)
        self.query_one("#detail", Static).update(self._attempt_text())


class SignatureScreen(DeviceStepScreen):
    """Sign on the pad."""

    state = State.SIGNATURE
    waiting_key = "ui.signature.waiting"

    def compose_step(self) -> ComposeResult:
        yield Static(self.t("ui.signature.title"), classes="title")
        yield Static(self.t("ui.signature.lead"), classes="lead")


class SummaryScreen(KioskScreen):
    """What will be sent; consent sends it."""

    state = State.SUMMARY
    default_button = "consent"

    def compose_body(self) -> ComposeResult:
        yield Static(self.t("ui.summary.title"), classes="title")
        for label, value in self._lines():
            yield Static(f"{label}: [b]{value}[/b]", classes="lead")
        yield Static(self.t("ui.summary.consent"), classes="problem", id="consent-text")
        yield actions(Button(self.t("ui.summary.send"), id="consent", variant="primary"))

    def _lines(self) -> list[tuple[str, str]]:
        data = self.kiosk.service.session.data
        decision = data.document
        if decision is None:
            return []
        holder = decision.handoff
        expiry_key = ("ui.summary.expired" if decision.expiry_status == "expired"
                      else "ui.summary.expiry")
        taken = self.t("ui.summary.captured")
        return [
            (self.t("ui.summary.name"),
             f"{holder.get('given_names', '')} {holder.get('surname', '')}"),
            (self.t(expiry_key), decision.expiry.isoformat() if decision.expiry else "-"),
            (self.t("ui.summary.photo"), taken),
            (self.t("ui.summary.fingerprints"), self._fingers(data.fingerprints)),
            (self.t("ui.summary.signature"), taken),
        ]

    def _fingers(self, prints: SequenceResult | None) -> str:
        # Naming the stored fingers lets the citizen see that left and right are right.
        if prints is None or not prints.fingers:
            return self.t("ui.summary.fingers_none")
        return ", ".join(self.t(finger.position.text_key) for finger in prints.fingers)


class HandoffScreen(KioskScreen):
    """The application is being stored for the case worker."""

    state = State.HANDOFF
    cancellable = False

    def compose_body(self) -> ComposeResult:
        yield Static(self.t("ui.handoff.title"), classes="title")
        yield Static(self.t("ui.handoff.lead"), classes="lead")

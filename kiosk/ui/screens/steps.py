"""The capture steps: passport, photo, review, fingerprints, signature, summary, consent, hand-off.

The device work runs in the kiosk service's step runners; these screens show what the runners
publish (``hear``) and what the session holds for the citizen's own eyes. No wait is silent:
the passport step says how long it may take, the photo counts 3-2-1 before it is taken, and a
fingerprint image on its way from the reader has a progress bar with the seconds left.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical, VerticalScroll
from textual.widgets import Digits, ProgressBar

from kiosk.i18n import format_date
from kiosk.service import messages as news
from kiosk.ui.screens.base import KioskScreen, actions
from kiosk.ui.widgets.bidi import Button, Static
from kiosk.ui.widgets.camera_preview import CameraPreview
from kiosk.ui.widgets.finger_chart import FingerChart
from kiosk.workflow import State

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from kiosk.fingerprint.sequence import SequenceResult

#: The fingerprint runner's phase while an image is on the wire: ``fraction`` is the share
#: received, the value ``seconds_left`` what it still needs (see ``FingerprintRunner``).
TRANSFER = "transfer"
TRANSFER_SECONDS_LEFT = "seconds_left"
#: The name the photo runner publishes its 3-2-1 under (``StepProgress`` values).
PHOTO_COUNT = "count"


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
        # How long the kiosk waits before it says the passport could not be read.
        wait_s = round(self.kiosk.config.timeouts.document_wait_s)
        yield Static(self.kiosk.translate_plural("ui.identify.wait_hint", wait_s),
                     classes="lead", id="wait-hint")


class PhotoScreen(DeviceStepScreen):
    """Live preview with one instruction at a time; the photo is taken by itself."""

    state = State.PHOTO
    waiting_key = "ui.photo.starting"

    def compose_step(self) -> ComposeResult:
        yield Static(self.t("ui.photo.title"), classes="title")
        with Horizontal(id="photo-row"):
            yield CameraPreview(guide=True, id="preview")
            count = self._count()
            # 3-2-1 before the photo is taken, big beside the preview.
            yield Digits(str(count or ""), id="photo-count", classes="" if count else "idle")
        yield ProgressBar(total=1.0, show_eta=False, show_percentage=False, id="hold")
        if self.kiosk.service.devices.lift is not None:
            # A citizen in a wheelchair (or anyone seated) lowers the camera with one tap.
            yield actions(Button(self.t("ui.photo.seated"), id="seated", variant="default"))

    def _count(self) -> int | None:
        last = self.last
        value = last.values.get(PHOTO_COUNT) if last is not None else None
        return int(value) if isinstance(value, int | float) and value > 0 else None

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
        count = self._count()
        digits = self.query_one("#photo-count", Digits)
        digits.update(str(count or ""))
        digits.set_class(count is None, "idle")


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
        fraction, left = self._transfer()
        with Horizontal(id="transfer", classes="" if fraction is not None else "idle"):
            yield ProgressBar(total=1.0, show_eta=False, show_percentage=True,
                              id="transfer-bar")
            yield Static(self._transfer_text(left), id="transfer-left")

    def _transfer(self) -> tuple[float | None, float | None]:
        """The image transfer's fraction and seconds left, while the reader sends one."""
        last = self.last
        if last is None or last.phase != TRANSFER or last.fraction is None:
            return None, None
        left = last.values.get(TRANSFER_SECONDS_LEFT)
        return last.fraction, float(left) if isinstance(left, int | float) else None

    def _transfer_text(self, left: float | None) -> str:
        if left is None:
            return ""
        # Whole seconds, rounded up: "1 second" until the image is in.
        return self.kiosk.translate_plural("ui.fingerprints.transfer_left",
                                           max(1, math.ceil(left)))

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
        fraction, left = self._transfer()
        self.query_one("#transfer").set_class(fraction is None, "idle")
        if fraction is not None:
            self.query_one("#transfer-bar", ProgressBar).update(progress=fraction)
            self.query_one("#transfer-left", Static).update(self._transfer_text(left))


class SignatureScreen(DeviceStepScreen):
    """Sign on the pad."""

    state = State.SIGNATURE
    waiting_key = "ui.signature.waiting"

    def compose_step(self) -> ComposeResult:
        yield Static(self.t("ui.signature.title"), classes="title")
        yield Static(self.t("ui.signature.lead"), classes="lead")


class SummaryScreen(KioskScreen):
    """What will be sent, with the photo and the signature as pictures; a new photo or a new
    signature go back to that step and return here; Continue leads to the consent step."""

    state = State.SUMMARY
    default_button = "continue"

    def compose_body(self) -> ComposeResult:
        yield Static(self.t("ui.summary.title"), classes="title")
        with VerticalScroll(id="summary-body"):
            with Horizontal(id="summary-pictures"):
                with Vertical(classes="summary-picture"):
                    yield Static(self.t("ui.summary.photo"), classes="caption")
                    yield CameraPreview(id="summary-photo")
                with Vertical(classes="summary-picture"):
                    yield Static(self.t("ui.summary.signature"), classes="caption")
                    yield CameraPreview(id="summary-signature")
            for label, value in self._lines():
                yield Static(f"{label}: [b]{value}[/b]", classes="lead")
        yield actions(Button(self.t("ui.summary.retake_photo"), id="retake-photo",
                             variant="default"),
                      Button(self.t("ui.summary.sign_again"), id="sign-again", variant="default"),
                      Button(self.t("ui.summary.continue"), id="continue", variant="primary"))

    def on_mount(self) -> None:
        self._show_pictures()
        super().on_mount()

    def retranslate(self) -> None:
        super().retranslate()
        self.call_after_refresh(self._show_pictures)

    def _show_pictures(self) -> None:
        data = self.kiosk.service.session.data
        if data.photo is not None:
            self.query_one("#summary-photo", CameraPreview).show(data.photo.image)
        if data.signature is not None:
            self.query_one("#summary-signature", CameraPreview).show(
                _as_bgr(data.signature.image))

    def _lines(self) -> list[tuple[str, str]]:
        data = self.kiosk.service.session.data
        decision = data.document
        if decision is None:
            return []
        holder = decision.handoff
        expiry_key = ("ui.summary.expired" if decision.expiry_status == "expired"
                      else "ui.summary.expiry")
        return [
            (self.t("ui.summary.name"),
             f"{holder.get('given_names', '')} {holder.get('surname', '')}"),
            (self.t(expiry_key),
             format_date(decision.expiry, self.kiosk.language) if decision.expiry else "-"),
            (self.t("ui.summary.fingerprints"), self._fingers(data.fingerprints)),
        ]

    def _fingers(self, prints: SequenceResult | None) -> str:
        # Naming the stored fingers lets the citizen see that left and right are right.
        if prints is None or not prints.fingers:
            return self.t("ui.summary.fingers_none")
        return ", ".join(self.t(finger.position.text_key) for finger in prints.fingers)


def _as_bgr(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """A grey picture (the signature) as the three channels the picture widget draws."""
    import numpy as np

    return image if image.ndim == 3 else np.repeat(image[:, :, None], 3, axis=2)


class ConsentScreen(KioskScreen):
    """Consent, as a step of its own: the whole text is seen before Send can be pressed.

    The text sits in a scroll area; Send is enabled once its end has been on screen (at once
    when it fits, as it does from 80 x 24 up in the shipped languages; after scrolling to the
    end otherwise, e.g. a long translation or large text). Back returns to the summary.
    """

    state = State.CONSENT
    default_button = "consent"
    #: Whether the end of the consent text has been on screen (Send is enabled from then on).
    seen_to_end = False

    def compose_body(self) -> ComposeResult:
        yield Static(self.t("ui.consent.title"), classes="title")
        with VerticalScroll(id="consent-scroll"):
            yield Static(self.t("ui.summary.consent"), classes="problem", id="consent-text")
        yield actions(Button(self.t("ui.consent.back"), id="back", variant="default"),
                      Button(self.t("ui.summary.send"), id="consent", variant="primary",
                             disabled=not self.seen_to_end))

    def on_mount(self) -> None:
        scroll = self.query_one("#consent-scroll", VerticalScroll)
        self.watch(scroll, "scroll_y", self._check_end, init=False)
        super().on_mount()
        self.call_after_refresh(self._check_end)

    def on_resize(self, event: object) -> None:
        self.call_after_refresh(self._check_end)

    def retranslate(self) -> None:
        super().retranslate()
        self.call_after_refresh(self._after_recompose)

    def _after_recompose(self) -> None:
        scroll = self.query_one("#consent-scroll", VerticalScroll)
        self.watch(scroll, "scroll_y", self._check_end, init=False)
        self._check_end()

    def _check_end(self, *_: object) -> None:
        """Enable Send once the end of the text is (or has been) on screen."""
        scrolls = self.query("#consent-scroll")
        if not scrolls or not self.is_mounted:
            return
        scroll = scrolls.first(VerticalScroll)
        text = self.query_one("#consent-text", Static)
        laid_out = scroll.size.height > 0 and text.size.height > 0
        if laid_out and scroll.scroll_y + 0.5 >= scroll.max_scroll_y:
            self.seen_to_end = True
        send = self.query_one("#consent", Button)
        if send.disabled and self.seen_to_end:
            send.disabled = False
            self._focus_default()

    def _focus_default(self) -> None:
        send = self.query("#consent")
        if send and not send.first(Button).disabled:
            send.first(Button).focus()
        elif self.query("#consent-scroll"):
            # Keys scroll the text first (Send is not reachable yet).
            self.query_one("#consent-scroll").focus()


class HandoffScreen(KioskScreen):
    """The application is being stored for the case worker."""

    state = State.HANDOFF
    cancellable = False

    def compose_body(self) -> ComposeResult:
        yield Static(self.t("ui.handoff.title"), classes="title")
        yield Static(self.t("ui.handoff.lead"), classes="lead")

"""Events that move a session: frozen dataclasses, one per thing that can happen.

Citizen events come from taps on the screen; device events from the kiosk service's step
runners; clock events from the session's own inactivity timer; staff events from a librarian,
always with the actor who did it. Payloads are typed but opaque to the workflow (it never looks
inside a photo or a fingerprint), and their modules are imported for type checking only, so the
workflow loads no image libraries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from kiosk.document.decision import DocumentDecision
    from kiosk.fingerprint.sequence import SequenceResult
    from kiosk.photo.token import TokenPhoto


class SignatureImage(Protocol):
    """What the kiosk keeps of a signature: its rendered image (the pad's driver type fits)."""

    @property
    def image(self) -> NDArray[np.uint8]:
        """Grey image, white background."""
        ...


@dataclass(frozen=True)
class Event:
    """Base of all events."""


# --- the citizen -------------------------------------------------------------------------


@dataclass(frozen=True)
class Start(Event):
    """The citizen taps Start on the welcome screen."""


@dataclass(frozen=True)
class SetLanguage(Event):
    """The citizen picks a language (allowed on every screen; does not change the state)."""

    language: str


@dataclass(frozen=True)
class RetryDocument(Event):
    """After a refusal or an unreadable passport, the citizen tries the scanner again."""


@dataclass(frozen=True)
class AcceptPhoto(Event):
    """The citizen accepts the photo on the review screen."""


@dataclass(frozen=True)
class RetakePhoto(Event):
    """The citizen wants another photo."""


@dataclass(frozen=True)
class RedoPhoto(Event):
    """From the summary: take a new photo, then come back to the summary."""


@dataclass(frozen=True)
class SignAgain(Event):
    """From the summary: sign again, then come back to the summary."""


@dataclass(frozen=True)
class ContinueToConsent(Event):
    """The citizen has checked the summary and goes on to the consent step."""


@dataclass(frozen=True)
class BackToSummary(Event):
    """From the consent step, back to the summary (to look again or redo something)."""


@dataclass(frozen=True)
class GiveConsent(Event):
    """The citizen has read the consent text and sends the application."""


@dataclass(frozen=True)
class RequestHelp(Event):
    """The citizen (or staff) taps Help."""


@dataclass(frozen=True)
class DismissHelp(Event):
    """Help is over; go back to where the citizen was."""


@dataclass(frozen=True)
class StillHere(Event):
    """The citizen answers the inactivity warning."""


@dataclass(frozen=True)
class Cancel(Event):
    """The citizen stops the application."""


@dataclass(frozen=True)
class Finish(Event):
    """Leave the done, aborted or refused screen for the next citizen."""


@dataclass(frozen=True)
class RetryDevice(Event):
    """After a device error, try the step again."""


# --- the devices and cores ---------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRead(Event):
    """The scanner read a document and the document core judged it."""

    decision: DocumentDecision


@dataclass(frozen=True)
class PhotoCaptured(Event):
    """Auto-capture took a photo (the payload is the photo core's result)."""

    photo: TokenPhoto


@dataclass(frozen=True)
class FingerprintsCaptured(Event):
    """The finger sequence finished (the payload is the fingerprint core's result)."""

    fingerprints: SequenceResult


@dataclass(frozen=True)
class SignatureCaptured(Event):
    """The citizen signed on the pad."""

    signature: SignatureImage


@dataclass(frozen=True)
class HandoffCompleted(Event):
    """The application was stored for the case worker under this reference."""

    reference: str


@dataclass(frozen=True)
class DeviceFailed(Event):
    """A device failed during a step (a :class:`drivers.errors.DeviceError`'s code and device)."""

    device: str
    code: str


# --- staff ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffEvent(Event):
    """Something a librarian did. ``actor`` names them (a staff id, never a citizen's data)."""

    actor: str


@dataclass(frozen=True)
class MarkFingerUnavailable(StaffEvent):
    """The finger asked for now cannot be given; ``reason`` is an UnavailableReason code."""

    reason: str


@dataclass(frozen=True)
class OverrideCheck(StaffEvent):
    """Staff accept a failed check (``check``, e.g. a photo check code) for ``reason``."""

    check: str
    reason: str


@dataclass(frozen=True)
class TakeOutOfService(StaffEvent):
    """The kiosk stops taking citizens (the citizen is told where to go instead)."""

    reason: str = ""


@dataclass(frozen=True)
class PutBackInService(StaffEvent):
    """The kiosk takes citizens again."""


@dataclass(frozen=True)
class EndSession(StaffEvent):
    """Staff end the citizen's session; nothing captured is kept."""


@dataclass(frozen=True)
class AcknowledgeHelp(StaffEvent):
    """A librarian answers the help call: the citizen is told someone is on the way."""


# --- the clock ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InactivityTimeout(Event):
    """Nobody touched the screen for too long (first: warn; in the warning: wipe)."""


__all__ = [name for name, value in dict(globals()).items()
           if isinstance(value, type) and issubclass(value, Event)]

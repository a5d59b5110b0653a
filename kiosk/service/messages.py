"""What the kiosk service tells its subscribers: typed, frozen messages, one per kind of news.

The touchscreen, the scripted citizen, the staff console and the hand-off service all read the
same stream. Only :class:`PreviewFrame` carries the citizen's own data (a camera frame); it is
``private`` and reaches only subscribers that asked for private messages (the citizen's own
screen, the simulator). Every other message carries codes, keys, numbers of attempts and
references: no names, document numbers, dates of birth or images.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from kiosk.workflow.machine import State

#: A value of a translated text: a number, or a string that is itself a translation key
#: when its name ends in ``_key`` (the view translates it; e.g. ``finger_key``).
TextValue = int | float | str


@dataclass(frozen=True, kw_only=True)
class Message:
    """Base of every message: which kiosk, and when (wall clock, for consoles)."""

    kiosk_id: str
    at: float = field(default_factory=time.time, compare=False)
    #: Whether the message carries the citizen's own data (only private subscribers get it).
    private: ClassVar[bool] = False


@dataclass(frozen=True, kw_only=True)
class StateChanged(Message):
    """The session moved from ``old`` to ``new`` on an event (named, never its payload).

    Only real moves: a language switch is :class:`LanguageChanged`, a staff action that keeps
    the screen is :class:`StaffActionTaken`."""

    old: State
    new: State
    event: str
    #: The state an overlay (help, warning, device error) returns to.
    underneath: State | None = None
    #: The citizen's language now.
    language: str = ""
    #: A staff action's actor, when a staff event caused the change.
    actor: str | None = None


@dataclass(frozen=True, kw_only=True)
class LanguageChanged(Message):
    """The citizen chose another language (the screen stays)."""

    language: str


@dataclass(frozen=True, kw_only=True)
class StepProgress(Message):
    """A device step's live status for the citizen's screen.

    ``key`` is what the citizen is asked to do now (a translation key with ``values``);
    ``feedback`` is how the last attempt went, shown below it (empty: nothing to say).
    """

    state: State
    key: str
    values: Mapping[str, TextValue] = field(default_factory=dict)
    feedback: str = ""
    feedback_values: Mapping[str, TextValue] = field(default_factory=dict)
    #: Hold-still progress of the photo, 0..1.
    fraction: float | None = None
    #: Fingerprints: the ISO/IEC 19794-4 position asked for, the attempt and how many there are.
    finger: int | None = None
    attempt: int | None = None
    attempts: int | None = None
    #: Fingerprints: ``place`` (put the finger on), ``lift`` (take it off) or ``wait``.
    phase: str = ""
    #: Quality score of the last impression (0-100), when one was judged.
    quality: int | None = None
    #: The citizen did something at a device (a face in view, a finger pressed): it keeps the
    #: session alive, like a tap.
    activity: bool = False
    #: Photo: the codes of the checks the frame fails now (what staff may override).
    defects: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PreviewFrame(Message):
    """The newest camera frame for the citizen's own screen (private: it shows their face)."""

    private: ClassVar[bool] = True
    pixels: NDArray[np.uint8] = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class DeviceHealth(Message):
    """A device's health, after a probe or a failure (``detail`` is for staff, no data)."""

    device: str
    ok: bool
    code: str = ""
    detail: str = ""
    latency_ms: float = 0.0
    #: True for the result of a health probe; False when a step met the failure.
    probed: bool = False


@dataclass(frozen=True, kw_only=True)
class ReceiptNotPrinted(Message):
    """The receipt printer failed while the citizen is on the done screen: the screen asks them
    to write the reference down (staff see the printer's fault as its ``DeviceHealth``)."""

    code: str


@dataclass(frozen=True, kw_only=True)
class HelpRequested(Message):
    """A citizen asked for a librarian, on the screen named by ``state``."""

    state: State


@dataclass(frozen=True, kw_only=True)
class HelpAcknowledged(Message):
    """A librarian acknowledged the help call."""

    actor: str


@dataclass(frozen=True, kw_only=True)
class Refused(Message):
    """The passport cannot be used here; ``reason`` is the document core's code."""

    reason: str


@dataclass(frozen=True, kw_only=True)
class ApplicationCompleted(Message):
    """An application was handed off under ``reference`` (the only thing it carries)."""

    reference: str


@dataclass(frozen=True, kw_only=True)
class StaffActionTaken(Message):
    """A staff action was applied: who, what, and the reason code."""

    actor: str
    action: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class ServiceAvailability(Message):
    """The kiosk was taken out of service or put back (by ``actor``)."""

    in_service: bool
    actor: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class StaffSignedIn(Message):
    """A librarian signed in at the kiosk's screen (``actor``: their staff name)."""

    actor: str


@dataclass(frozen=True, kw_only=True)
class StaffSignedOut(Message):
    """The staff session at the kiosk ended: ``signed_out``, ``idle`` or ``session_ended``."""

    actor: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class StaffSignInFailed(Message):
    """A staff sign-in at the kiosk failed: ``refused`` (wrong PIN or unknown name, never
    told apart), ``locked`` (``retry_after_s`` left) or ``unavailable`` (no accounts file)."""

    reason: str
    retry_after_s: float = 0.0


@dataclass(frozen=True, kw_only=True)
class StaffRefused(Message):
    """A staff-only button was pressed without a staff sign-in; nothing was done."""

    button: str


@dataclass(frozen=True, kw_only=True)
class StaffNotice(Message):
    """A short message from a librarian (the console) for the kiosk's screen.

    ``text`` is at most 200 printable characters; it is shown, never audited or logged."""

    actor: str
    text: str = field(repr=False)

"""A kiosk session: the current state, what was captured so far, and the inactivity clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from typing import TYPE_CHECKING

from kiosk.workflow import events as ev
from kiosk.workflow.machine import (
    OVERLAYS,
    RESUME,
    STAY,
    TRANSITIONS,
    IllegalEventError,
    State,
)

if TYPE_CHECKING:
    from kiosk.document.decision import DocumentDecision
    from kiosk.fingerprint.sequence import SequenceResult
    from kiosk.photo.token import TokenPhoto

#: Fields that hold biometric or personal data; wiped together, never logged.
CAPTURED_FIELDS = ("document", "photo", "fingerprints", "signature")


@dataclass(frozen=True)
class StaffRecord:
    """A staff action kept with the application: who, what, why (codes only)."""

    actor: str
    action: str
    subject: str = ""
    reason: str = ""


@dataclass
class SessionData:
    """What a session holds. Biometric payloads are opaque here and live only in memory."""

    language: str
    document: DocumentDecision | None = None
    photo: TokenPhoto | None = None
    fingerprints: SequenceResult | None = None
    signature: ev.SignatureImage | None = None
    consent: bool = False
    #: The citizen went back from the summary to redo the photo or the signature: the step
    #: returns to the summary instead of going on.
    revising: bool = False
    reference: str | None = None
    #: Codes (never personal data) that explain the last refusal or device fault.
    refusal: str | None = None
    fault: tuple[str, str] | None = None
    #: Staff actions on this application (fingers marked unavailable, checks overridden).
    staff_actions: list[StaffRecord] = field(default_factory=list)
    #: The librarian who answered the help call, while the citizen is in help.
    help_acknowledged_by: str | None = None

    def holds_captured_data(self) -> bool:
        """True while any personal or biometric data is held."""
        return any(getattr(self, name) is not None for name in CAPTURED_FIELDS)

    def wipe(self) -> None:
        """Forget everything but the language."""
        for item in fields(self):
            if item.name == "language":
                continue
            if item.default_factory is not MISSING:
                setattr(self, item.name, item.default_factory())
            else:
                setattr(self, item.name, item.default)

    def __repr__(self) -> str:
        # Never show payloads: a repr ends up in logs and tracebacks.
        held = [name for name in CAPTURED_FIELDS if getattr(self, name) is not None]
        return f"SessionData(language={self.language!r}, holds={held}, refusal={self.refusal!r})"


@dataclass(frozen=True)
class Visit:
    """One stay in a state, for the simulation summary and the (anonymous) audit trail."""

    state: State
    entered_at: float
    left_at: float | None = None

    @property
    def seconds(self) -> float:
        """Time spent, up to now when the state is current."""
        end = self.left_at if self.left_at is not None else time.monotonic()
        return end - self.entered_at


@dataclass
class Session:
    """Applies events to a session and keeps its invariants.

    Invariants (tested by ``tests/unit/workflow``): the welcome and aborted states hold no
    captured data; done holds only the reference; every state can reach done or be wiped.
    """

    language: str
    inactivity_warning_s: float = 90.0
    inactivity_grace_s: float = 30.0
    done_return_s: float = 30.0
    #: A citizen waiting in Help for a librarian is not asked "are you still there?" sooner.
    help_wait_s: float = 600.0
    clock: Callable[[], float] = time.monotonic
    state: State = State.WELCOME
    data: SessionData = field(init=False)
    history: list[Visit] = field(init=False)
    _resume: list[State] = field(init=False, default_factory=list)
    _last_activity: float = field(init=False)
    listeners: list[Callable[[State, State, ev.Event], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.data = SessionData(self.language)
        now = self.clock()
        self.history = [Visit(self.state, now)]
        self._last_activity = now

    # --- events ----------------------------------------------------------------------------

    def handle(self, event: ev.Event) -> State:
        """Apply one event; returns the new state. Raises IllegalEventError."""
        if isinstance(event, ev.SetLanguage):
            self.data.language = event.language
            self.touch()
            self._notify(self.state, event)
            return self.state
        target = TRANSITIONS.get((self.state, type(event)))
        if target is None:
            raise IllegalEventError(self.state, event)
        if target == STAY:
            self._record(event, self.state)
            self.touch()
            self._notify(self.state, event)
            return self.state
        if target == RESUME:
            new_state = self._resume.pop()
        elif isinstance(target, State):
            new_state = target
        else:
            assert callable(target)
            new_state = target(self.data, event)
        self._record(event, new_state)
        previous = self.state
        if new_state in OVERLAYS and target != RESUME:
            self._resume.append(previous)
        elif new_state not in OVERLAYS:
            self._resume.clear()
        self._enter(new_state)
        self._notify(previous, event)
        return new_state

    def _notify(self, previous: State, event: ev.Event) -> None:
        """Tell the listeners: ``(previous, current, event)``; the same state when it stayed."""
        for listener in list(self.listeners):
            listener(previous, self.state, event)

    def _record(self, event: ev.Event, new_state: State) -> None:
        """Keep what the event brings; drop what the new state must not hold."""
        data = self.data
        match event:
            case ev.DocumentRead(decision=decision):
                data.document = decision
                data.refusal = None if new_state is State.PHOTO else decision.reason
            case ev.PhotoCaptured(photo=photo):
                data.photo = photo
            case ev.RetakePhoto():
                data.photo = None
            case ev.RedoPhoto():
                data.photo = None
                data.revising = True
            case ev.SignAgain():
                data.signature = None
                data.revising = True
            case ev.FingerprintsCaptured(fingerprints=prints):
                data.fingerprints = prints
            case ev.SignatureCaptured(signature=signature):
                data.signature = signature
            case ev.GiveConsent():
                data.consent = True
            case ev.HandoffCompleted(reference=reference):
                data.reference = reference
            case ev.DeviceFailed(device=device, code=code):
                data.fault = (device, code)
            case ev.RetryDevice():
                data.fault = None
            case ev.RetryDocument():
                data.document = None
                data.refusal = None
            case ev.MarkFingerUnavailable(actor=actor, reason=reason):
                data.staff_actions.append(StaffRecord(actor, "finger_unavailable", "", reason))
            case ev.OverrideCheck(actor=actor, check=check, reason=reason):
                data.staff_actions.append(StaffRecord(actor, "override", check, reason))
            case ev.AcknowledgeHelp(actor=actor):
                data.help_acknowledged_by = actor
            case ev.DismissHelp():
                data.help_acknowledged_by = None
        if new_state is State.SUMMARY:
            data.revising = False
        if new_state is State.DONE:
            # Handed off: the kiosk keeps nothing of the application but its reference.
            kept = data.reference
            data.wipe()
            data.reference = kept
        elif new_state in (State.WELCOME, State.ABORTED, State.OUT_OF_SERVICE):
            data.wipe()

    def _enter(self, new_state: State) -> None:
        now = self.clock()
        last = self.history[-1]
        self.history[-1] = Visit(last.state, last.entered_at, now)
        self.history.append(Visit(new_state, now))
        self.state = new_state
        self._last_activity = now

    @property
    def underneath(self) -> State | None:
        """The state an overlay (help, warning, device error) returns to; None without one."""
        return self._resume[-1] if self._resume else None

    # --- the inactivity clock ----------------------------------------------------------------

    def touch(self) -> None:
        """The citizen did something: restart the inactivity clock."""
        self._last_activity = self.clock()

    def deadline(self) -> float | None:
        """When the clock fires next, or None when it does not run (welcome, hand-off)."""
        if self.state in (State.WELCOME, State.HANDOFF, State.OUT_OF_SERVICE):
            return None
        if self.state is State.INACTIVITY_WARNING:
            return self.history[-1].entered_at + self.inactivity_grace_s
        if self.state in (State.DONE, State.ABORTED):
            return self._last_activity + self.done_return_s
        if self.state is State.HELP:
            return self._last_activity + max(self.inactivity_warning_s, self.help_wait_s)
        return self._last_activity + self.inactivity_warning_s

    def seconds_left(self) -> float | None:
        """Seconds until the clock fires (for the warning's countdown)."""
        deadline = self.deadline()
        return None if deadline is None else max(0.0, deadline - self.clock())

    def tick(self) -> State | None:
        """Fire the inactivity clock if it is due; returns the new state when it fired."""
        deadline = self.deadline()
        if deadline is None or self.clock() < deadline:
            return None
        return self.handle(ev.InactivityTimeout())

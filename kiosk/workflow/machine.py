"""States and the transition table of a kiosk session.

The rules, in the order a citizen meets them:

* welcome -> identify (old passport) -> photo -> photo review -> fingerprints -> signature ->
  summary -> consent -> hand-off -> done -> welcome.
* The summary offers a new photo or a new signature: the citizen goes back to that step and
  returns to the summary afterwards (not through the fingerprints again). Consent is a step of
  its own, so its text is on screen, alone, before anything can be sent.
* A document the core does not accept for self-service leads to *refused*, which explains why and
  offers another try or staff help. Fingerprints are skipped when the core says they are not
  required (under 12).
* *help*, *inactivity warning* and *device error* are overlays: they remember the state below
  and return to it.
* Inactivity anywhere warns first; inactivity in the warning wipes the session (welcome).
* Cancel from any step ends in *aborted*, which holds nothing captured.
* Staff events carry an actor. Some change the state (out of service and back, end the
  session); others stay in the state and are recorded (a finger marked unavailable, a check
  overridden, a help call acknowledged).

Transitions are a ``(state, event type) -> target`` table; a target is a state or a guard that
picks one from the event. An event the table does not list for the current state raises
:class:`IllegalEventError`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

from kiosk.workflow import events as ev

if TYPE_CHECKING:
    from kiosk.workflow.session import SessionData


class State(StrEnum):
    """Where a session is. The values name the screens."""

    WELCOME = "welcome"
    IDENTIFY = "identify"
    REFUSED = "refused"
    PHOTO = "photo"
    PHOTO_REVIEW = "photo_review"
    FINGERPRINTS = "fingerprints"
    SIGNATURE = "signature"
    SUMMARY = "summary"
    CONSENT = "consent"
    HANDOFF = "handoff"
    DONE = "done"
    HELP = "help"
    INACTIVITY_WARNING = "inactivity_warning"
    ABORTED = "aborted"
    DEVICE_ERROR = "device_error"
    OUT_OF_SERVICE = "out_of_service"


#: Steps of an application in progress (a citizen is at the kiosk and data may be captured).
ACTIVE_STATES = frozenset({
    State.IDENTIFY, State.REFUSED, State.PHOTO, State.PHOTO_REVIEW, State.FINGERPRINTS,
    State.SIGNATURE, State.SUMMARY, State.CONSENT,
})
#: States that sit on top of another one and return to it.
OVERLAYS = frozenset({State.HELP, State.INACTIVITY_WARNING, State.DEVICE_ERROR})
#: States whose work is done by a device, where a device can fail.
DEVICE_STEPS = frozenset({
    State.IDENTIFY, State.PHOTO, State.FINGERPRINTS, State.SIGNATURE, State.HANDOFF,
})
#: Screens with nothing in progress: the end screens, left by Finish or by the clock.
END_STATES = frozenset({State.DONE, State.ABORTED})
#: Marker target: go back to the state under the overlay.
RESUME = "resume"
#: Marker target: stay in the state; the event is recorded (staff actions that change no screen).
STAY = "stay"

#: A guard picks the target from the session data and the event.
Guard = Callable[["SessionData", ev.Event], State]
Target = State | str | Guard


class IllegalEventError(Exception):
    """The UI or a worker sent an event the current state does not accept (a program fault)."""

    def __init__(self, state: State, event: ev.Event) -> None:
        super().__init__(f"{type(event).__name__} is not allowed in state {state.value!r}")
        self.state = state
        self.event = event


def _after_document(data: SessionData, event: ev.Event) -> State:
    assert isinstance(event, ev.DocumentRead)
    decision = event.decision
    if decision.eligible and decision.path == "self_service":
        return State.PHOTO
    return State.REFUSED


def _after_photo(data: SessionData, event: ev.Event) -> State:
    if data.revising:
        # A new photo asked for on the summary: back there, the rest is already captured.
        return State.SUMMARY
    # Children under 12 give no fingerprints (requirements.md §3); the document core knows the age.
    required = data.document is None or data.document.fingerprints_required
    return State.FINGERPRINTS if required else State.SIGNATURE


def _build_table() -> dict[tuple[State, type[ev.Event]], Target]:
    table: dict[tuple[State, type[ev.Event]], Target] = {
        (State.WELCOME, ev.Start): State.IDENTIFY,
        (State.IDENTIFY, ev.DocumentRead): _after_document,
        (State.REFUSED, ev.RetryDocument): State.IDENTIFY,
        (State.REFUSED, ev.Finish): State.WELCOME,
        (State.PHOTO, ev.PhotoCaptured): State.PHOTO_REVIEW,
        (State.PHOTO_REVIEW, ev.RetakePhoto): State.PHOTO,
        (State.PHOTO_REVIEW, ev.AcceptPhoto): _after_photo,
        (State.FINGERPRINTS, ev.FingerprintsCaptured): State.SIGNATURE,
        (State.SIGNATURE, ev.SignatureCaptured): State.SUMMARY,
        (State.SUMMARY, ev.RedoPhoto): State.PHOTO,
        (State.SUMMARY, ev.SignAgain): State.SIGNATURE,
        (State.SUMMARY, ev.ContinueToConsent): State.CONSENT,
        (State.CONSENT, ev.BackToSummary): State.SUMMARY,
        (State.CONSENT, ev.GiveConsent): State.HANDOFF,
        (State.HANDOFF, ev.HandoffCompleted): State.DONE,
        (State.DONE, ev.Finish): State.WELCOME,
        (State.ABORTED, ev.Finish): State.WELCOME,
        (State.HELP, ev.DismissHelp): RESUME,
        (State.INACTIVITY_WARNING, ev.StillHere): RESUME,
        (State.INACTIVITY_WARNING, ev.InactivityTimeout): State.WELCOME,
        (State.DEVICE_ERROR, ev.RetryDevice): RESUME,
        (State.FINGERPRINTS, ev.MarkFingerUnavailable): STAY,
        (State.PHOTO, ev.OverrideCheck): STAY,
        (State.PHOTO_REVIEW, ev.OverrideCheck): STAY,
        (State.HELP, ev.AcknowledgeHelp): STAY,
        (State.OUT_OF_SERVICE, ev.PutBackInService): State.WELCOME,
    }
    for state in State:
        if state not in (State.HELP, State.OUT_OF_SERVICE):
            table[(state, ev.RequestHelp)] = State.HELP
        # Never in the middle of storing an application: it would lose the citizen's work.
        if state not in (State.OUT_OF_SERVICE, State.HANDOFF):
            table[(state, ev.TakeOutOfService)] = State.OUT_OF_SERVICE
        if state in ACTIVE_STATES or state in OVERLAYS:
            table[(state, ev.EndSession)] = State.ABORTED
        if state in ACTIVE_STATES or state in OVERLAYS:
            table[(state, ev.Cancel)] = State.ABORTED
        if state in ACTIVE_STATES or state in (State.HELP, State.DEVICE_ERROR):
            table[(state, ev.InactivityTimeout)] = State.INACTIVITY_WARNING
        if state in END_STATES:
            table[(state, ev.InactivityTimeout)] = State.WELCOME
        if state in DEVICE_STEPS:
            table[(state, ev.DeviceFailed)] = State.DEVICE_ERROR
    return table


TRANSITIONS: dict[tuple[State, type[ev.Event]], Target] = _build_table()


def allowed_events(state: State) -> frozenset[type[ev.Event]]:
    """The event types the table accepts in ``state`` (SetLanguage is always accepted too)."""
    return frozenset(event for (source, event) in TRANSITIONS if source is state)

"""The session workflow without UI or devices: the happy path, refusals, overlays, the clock."""

from __future__ import annotations

import pytest

from kiosk.workflow import IllegalEventError, Session, State
from kiosk.workflow import events as ev
from kiosk.workflow.machine import TRANSITIONS, allowed_events
from tests.helpers.workflow import Clock, Decision

ADULT = Decision()


def walk_to(session: Session, state: State, decision: Decision = ADULT) -> None:
    path = [ev.Start(), ev.DocumentRead(decision), ev.PhotoCaptured("photo"), ev.AcceptPhoto(),
            ev.FingerprintsCaptured("prints"), ev.SignatureCaptured("sig"),
            ev.ContinueToConsent(), ev.GiveConsent(), ev.HandoffCompleted("PB-0001")]
    for event in path:
        if session.state is state:
            return
        session.handle(event)
    assert session.state is state


def test_happy_path_visits_every_step_in_order(session: Session) -> None:
    walk_to(session, State.DONE)
    visited = [visit.state for visit in session.history]
    assert visited == [State.WELCOME, State.IDENTIFY, State.PHOTO, State.PHOTO_REVIEW,
                       State.FINGERPRINTS, State.SIGNATURE, State.SUMMARY, State.CONSENT,
                       State.HANDOFF, State.DONE]


def test_done_keeps_only_the_reference(session: Session) -> None:
    walk_to(session, State.DONE)
    assert session.data.reference == "PB-0001"
    assert not session.data.holds_captured_data()
    assert session.data.consent is False


def test_refused_document_explains_and_allows_retry(session: Session) -> None:
    walk_to(session, State.IDENTIFY)
    session.handle(ev.DocumentRead(Decision(eligible=False, path="staff",
                                            reason="expired_too_long")))
    assert session.state is State.REFUSED
    assert session.data.refusal == "expired_too_long"
    session.handle(ev.RetryDocument())
    assert session.state is State.IDENTIFY
    assert session.data.document is None and session.data.refusal is None


def test_eligible_but_staff_path_is_refused_for_self_service(session: Session) -> None:
    walk_to(session, State.IDENTIFY)
    session.handle(ev.DocumentRead(Decision(eligible=True, path="staff",
                                            reason="minor_needs_consent")))
    assert session.state is State.REFUSED


def test_child_under_twelve_skips_fingerprints(session: Session) -> None:
    walk_to(session, State.PHOTO_REVIEW, Decision(fingerprints_required=False))
    assert session.handle(ev.AcceptPhoto()) is State.SIGNATURE


def test_retake_drops_the_photo(session: Session) -> None:
    walk_to(session, State.PHOTO_REVIEW)
    session.handle(ev.RetakePhoto())
    assert session.state is State.PHOTO and session.data.photo is None


def test_a_new_photo_from_the_summary_comes_back_to_the_summary(session: Session) -> None:
    walk_to(session, State.SUMMARY)
    assert session.handle(ev.RedoPhoto()) is State.PHOTO
    assert session.data.photo is None
    assert session.data.fingerprints == "prints" and session.data.signature == "sig"
    session.handle(ev.PhotoCaptured("photo-2"))
    session.handle(ev.RetakePhoto())  # a retake on the way keeps the way back
    session.handle(ev.PhotoCaptured("photo-3"))
    assert session.handle(ev.AcceptPhoto()) is State.SUMMARY
    assert session.data.photo == "photo-3" and not session.data.revising
    # Back on the ordinary path: no shortcut is left over for the next time.
    visited = [visit.state for visit in session.history]
    assert visited.count(State.FINGERPRINTS) == 1


def test_signing_again_from_the_summary_comes_back_to_the_summary(session: Session) -> None:
    walk_to(session, State.SUMMARY)
    assert session.handle(ev.SignAgain()) is State.SIGNATURE
    assert session.data.signature is None and session.data.photo == "photo"
    assert session.handle(ev.SignatureCaptured("sig-2")) is State.SUMMARY
    assert session.data.signature == "sig-2"


def test_consent_is_a_step_of_its_own(session: Session) -> None:
    walk_to(session, State.SUMMARY)
    with pytest.raises(IllegalEventError):
        session.handle(ev.GiveConsent())  # nothing is sent from the summary itself
    assert session.handle(ev.ContinueToConsent()) is State.CONSENT
    assert session.handle(ev.BackToSummary()) is State.SUMMARY
    session.handle(ev.ContinueToConsent())
    assert session.handle(ev.GiveConsent()) is State.HANDOFF
    assert session.data.consent


def test_a_new_photo_asked_for_then_abandoned_leaves_no_shortcut(session: Session) -> None:
    walk_to(session, State.SUMMARY)
    session.handle(ev.RedoPhoto())
    session.handle(ev.Cancel())
    session.handle(ev.Finish())
    walk_to(session, State.PHOTO_REVIEW)
    assert session.handle(ev.AcceptPhoto()) is State.FINGERPRINTS


def test_help_returns_to_the_step_it_interrupted(session: Session) -> None:
    walk_to(session, State.FINGERPRINTS)
    session.handle(ev.RequestHelp())
    assert session.state is State.HELP
    assert session.handle(ev.DismissHelp()) is State.FINGERPRINTS


def test_help_from_welcome_returns_to_welcome(session: Session) -> None:
    session.handle(ev.RequestHelp())
    assert session.underneath is State.WELCOME
    assert session.handle(ev.DismissHelp()) is State.WELCOME


def test_nested_overlays_unwind_in_order(session: Session, clock: Clock) -> None:
    walk_to(session, State.PHOTO)
    session.handle(ev.DeviceFailed("camera", "device_timeout"))
    session.handle(ev.RequestHelp())
    clock.advance(session.help_wait_s + 1)
    assert session.tick() is State.INACTIVITY_WARNING
    assert session.handle(ev.StillHere()) is State.HELP
    assert session.handle(ev.DismissHelp()) is State.DEVICE_ERROR
    assert session.handle(ev.RetryDevice()) is State.PHOTO
    assert session.data.fault is None


def test_device_failure_records_the_fault_codes(session: Session) -> None:
    walk_to(session, State.IDENTIFY)
    session.handle(ev.DeviceFailed("scanner", "device_disconnected"))
    assert session.state is State.DEVICE_ERROR
    assert session.data.fault == ("scanner", "device_disconnected")


def test_inactivity_warns_then_wipes(session: Session, clock: Clock) -> None:
    walk_to(session, State.SIGNATURE)
    clock.advance(59)
    assert session.tick() is None
    clock.advance(2)
    assert session.tick() is State.INACTIVITY_WARNING
    assert session.seconds_left() == pytest.approx(30)
    clock.advance(30)
    assert session.tick() is State.WELCOME
    assert not session.data.holds_captured_data()


def test_touch_postpones_the_warning(session: Session, clock: Clock) -> None:
    walk_to(session, State.PHOTO)
    clock.advance(50)
    session.touch()
    clock.advance(50)
    assert session.tick() is None


def test_still_here_keeps_the_data(session: Session, clock: Clock) -> None:
    walk_to(session, State.SIGNATURE)
    clock.advance(61)
    session.tick()
    session.handle(ev.StillHere())
    assert session.state is State.SIGNATURE
    assert session.data.photo == "photo" and session.data.fingerprints == "prints"


def test_welcome_and_handoff_have_no_clock(session: Session, clock: Clock) -> None:
    clock.advance(10_000)
    assert session.tick() is None
    walk_to(session, State.HANDOFF)
    clock.advance(10_000)
    assert session.tick() is None


def test_done_returns_to_welcome_by_itself(session: Session, clock: Clock) -> None:
    walk_to(session, State.DONE)
    clock.advance(21)
    assert session.tick() is State.WELCOME
    assert session.data.reference is None


def test_cancel_wipes_everything(session: Session) -> None:
    walk_to(session, State.SUMMARY)
    session.handle(ev.Cancel())
    assert session.state is State.ABORTED
    assert not session.data.holds_captured_data()
    assert session.handle(ev.Finish()) is State.WELCOME


def test_illegal_event_raises_a_named_error(session: Session) -> None:
    with pytest.raises(IllegalEventError, match="GiveConsent.*'welcome'"):
        session.handle(ev.GiveConsent())
    assert session.state is State.WELCOME


def test_language_can_change_anywhere_without_moving(session: Session) -> None:
    walk_to(session, State.PHOTO)
    assert session.handle(ev.SetLanguage("en")) is State.PHOTO
    assert session.data.language == "en"


def test_listeners_hear_every_transition(session: Session) -> None:
    heard: list[tuple[State, State]] = []
    session.listeners.append(lambda old, new, event: heard.append((old, new)))
    walk_to(session, State.PHOTO)
    assert heard == [(State.WELCOME, State.IDENTIFY), (State.IDENTIFY, State.PHOTO)]


def test_repr_never_shows_payloads(session: Session) -> None:
    walk_to(session, State.SUMMARY)
    session.data.photo = "SECRET-PIXELS"
    assert "SECRET" not in repr(session.data)


def test_every_state_has_a_way_out() -> None:
    for state in State:
        if state is not State.WELCOME:
            assert allowed_events(state), state


def test_table_only_names_real_states() -> None:
    for (source, _event), target in TRANSITIONS.items():
        assert isinstance(source, State)
        assert isinstance(target, State) or callable(target) or target in ("resume", "stay")


def test_a_citizen_waiting_for_a_librarian_is_not_hurried(session: Session,
                                                          clock: Clock) -> None:
    walk_to(session, State.PHOTO)
    session.handle(ev.RequestHelp())
    clock.advance(session.inactivity_warning_s + 1)
    assert session.tick() is None  # the ordinary 90 s do not apply while help is on its way
    clock.advance(session.help_wait_s)
    assert session.tick() is State.INACTIVITY_WARNING  # but nobody waits forever

"""Hypothesis stateful test: whatever citizen, devices and clock do, the invariants hold."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from kiosk.workflow import IllegalEventError, Session, State
from kiosk.workflow import events as ev
from kiosk.workflow.machine import OVERLAYS, TRANSITIONS, allowed_events
from tests.helpers.workflow import Clock, Decision

decisions = st.builds(
    Decision,
    eligible=st.booleans(),
    path=st.sampled_from(["self_service", "staff", "refused"]),
    reason=st.sampled_from(["ok", "expired_too_long", "not_danish", "unreadable"]),
    fingerprints_required=st.booleans(),
)

EVENT_SAMPLES: dict[type[ev.Event], st.SearchStrategy[ev.Event]] = {
    ev.Start: st.just(ev.Start()),
    ev.DocumentRead: decisions.map(ev.DocumentRead),
    ev.PhotoCaptured: st.just(ev.PhotoCaptured("photo")),
    ev.AcceptPhoto: st.just(ev.AcceptPhoto()),
    ev.RetakePhoto: st.just(ev.RetakePhoto()),
    ev.FingerprintsCaptured: st.just(ev.FingerprintsCaptured("prints")),
    ev.SignatureCaptured: st.just(ev.SignatureCaptured("signature")),
    ev.GiveConsent: st.just(ev.GiveConsent()),
    ev.RedoPhoto: st.just(ev.RedoPhoto()),
    ev.SignAgain: st.just(ev.SignAgain()),
    ev.ContinueToConsent: st.just(ev.ContinueToConsent()),
    ev.BackToSummary: st.just(ev.BackToSummary()),
    ev.HandoffCompleted: st.just(ev.HandoffCompleted("PB-TEST")),
    ev.RequestHelp: st.just(ev.RequestHelp()),
    ev.DismissHelp: st.just(ev.DismissHelp()),
    ev.StillHere: st.just(ev.StillHere()),
    ev.Cancel: st.just(ev.Cancel()),
    ev.Finish: st.just(ev.Finish()),
    ev.RetryDevice: st.just(ev.RetryDevice()),
    ev.RetryDocument: st.just(ev.RetryDocument()),
    ev.DeviceFailed: st.just(ev.DeviceFailed("camera", "device_timeout")),
    ev.InactivityTimeout: st.just(ev.InactivityTimeout()),
    ev.SetLanguage: st.sampled_from(["da", "en"]).map(ev.SetLanguage),
    ev.MarkFingerUnavailable: st.just(ev.MarkFingerUnavailable("lib-1", "amputated")),
    ev.OverrideCheck: st.just(ev.OverrideCheck("lib-1", "head_covering", "religious")),
    ev.TakeOutOfService: st.just(ev.TakeOutOfService("lib-1", "paper_jam")),
    ev.PutBackInService: st.just(ev.PutBackInService("lib-1")),
    ev.EndSession: st.just(ev.EndSession("lib-1")),
    ev.AcknowledgeHelp: st.just(ev.AcknowledgeHelp("lib-1")),
}


def test_every_event_type_is_sampled() -> None:
    assert {event for (_state, event) in TRANSITIONS} <= set(EVENT_SAMPLES)


class SessionMachine(RuleBasedStateMachine):
    """Throws any event at a session, legal or not, and moves the clock."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.session = Session("da", inactivity_warning_s=60, inactivity_grace_s=30,
                               done_return_s=20, clock=self.clock)

    @rule(data=st.data())
    def legal_event(self, data: st.DataObject) -> None:
        choices = sorted(allowed_events(self.session.state), key=lambda kind: kind.__name__)
        kind = data.draw(st.sampled_from(choices))
        self.session.handle(data.draw(EVENT_SAMPLES[kind]))

    @rule(event=st.one_of(*EVENT_SAMPLES.values()))
    def any_event(self, event: ev.Event) -> None:
        before = self.session.state
        try:
            self.session.handle(event)
        except IllegalEventError:
            assert self.session.state is before

    @rule(seconds=st.floats(min_value=0, max_value=200))
    def time_passes(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.session.tick()

    @precondition(lambda self: self.session.state not in (State.HANDOFF, State.OUT_OF_SERVICE))
    @rule()
    def walk_away(self) -> None:
        """A citizen who leaves: the clock alone always brings the kiosk back to welcome
        (out of service waits for staff, by design)."""
        for _ in range(4):
            self.clock.advance(1000)
            self.session.tick()
        assert self.session.state is State.WELCOME

    @invariant()
    def wiped_states_hold_nothing(self) -> None:
        if self.session.state in (State.WELCOME, State.ABORTED, State.DONE,
                                  State.OUT_OF_SERVICE):
            assert not self.session.data.holds_captured_data()

    @invariant()
    def staff_records_name_an_actor(self) -> None:
        assert all(record.actor for record in self.session.data.staff_actions)

    @invariant()
    def done_has_a_reference(self) -> None:
        if self.session.state is State.DONE:
            assert self.session.data.reference

    @invariant()
    def photo_review_has_a_photo(self) -> None:
        if self.session.state is State.PHOTO_REVIEW:
            assert self.session.data.photo is not None

    @invariant()
    def summary_and_consent_show_a_photo_and_a_signature(self) -> None:
        # What the citizen reviews and consents to is there: a redo always comes back with one.
        if self.session.state in (State.SUMMARY, State.CONSENT):
            assert self.session.data.photo is not None
            assert self.session.data.signature is not None

    @invariant()
    def revising_only_between_summary_and_the_redone_step(self) -> None:
        if self.session.data.revising:
            assert self.session.state in (State.PHOTO, State.PHOTO_REVIEW, State.SIGNATURE,
                                          *OVERLAYS), self.session.state

    @invariant()
    def consent_only_after_summary(self) -> None:
        if self.session.data.consent:
            assert self.session.state is State.HANDOFF or (
                self.session.state in (State.HELP, State.INACTIVITY_WARNING, State.DEVICE_ERROR)
            )


SessionMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40,
                                            deadline=None)
TestSessionStateMachine = SessionMachine.TestCase


def test_every_state_reaches_done_or_welcome() -> None:
    """Graph search over the table: from every state, done and a wipe are both reachable."""
    edges: dict[State, set[State]] = {state: set() for state in State}
    for (source, _event), target in TRANSITIONS.items():
        if isinstance(target, State):
            edges[source].add(target)
        else:  # guards and resume can lead to any step; count the states they name
            edges[source].update({State.PHOTO, State.REFUSED, State.FINGERPRINTS,
                                  State.SIGNATURE, State.SUMMARY} if callable(target) else set())
    for start in State:
        seen, todo = {start}, [start]
        while todo:
            for nxt in edges[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        assert State.WELCOME in seen or start is State.WELCOME, start
        assert State.DONE in seen, start

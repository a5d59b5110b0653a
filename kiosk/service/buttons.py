"""The buttons a citizen (or a librarian at the kiosk) can press, by id, per state.

The touchscreen's buttons carry these ids, scenario files tap them, and the service turns them
into workflow events here, so every front-end presses the same buttons with the same meaning.

Staff buttons (:func:`is_staff_button`) act only for a librarian signed in at the kiosk: the
service refuses them otherwise, and the signed-in staff name becomes the event's actor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kiosk.fingerprint.unavailable import UnavailableReason
from kiosk.workflow import State
from kiosk.workflow import events as ev

#: Buttons of each screen's own (the chrome's help, stop and language buttons come on top).
SCREEN_BUTTONS: dict[State, dict[str, ev.Event]] = {
    State.WELCOME: {"start": ev.Start()},
    State.REFUSED: {"retry": ev.RetryDocument(), "staff": ev.RequestHelp(),
                    "finish": ev.Finish()},
    State.PHOTO_REVIEW: {"accept": ev.AcceptPhoto(), "retake": ev.RetakePhoto()},
    State.SUMMARY: {"retake-photo": ev.RedoPhoto(), "sign-again": ev.SignAgain(),
                    "continue": ev.ContinueToConsent()},
    State.CONSENT: {"consent": ev.GiveConsent(), "back": ev.BackToSummary()},
    State.DONE: {"finish": ev.Finish()},
    State.ABORTED: {"finish": ev.Finish()},
    State.HELP: {"back": ev.DismissHelp()},
    State.INACTIVITY_WARNING: {"still-here": ev.StillHere()},
    State.DEVICE_ERROR: {"retry": ev.RetryDevice(), "staff": ev.RequestHelp()},
}

#: Buttons that only change what the screen shows (no event): opening the staff sign-in or
#: staff mode, asking before ending a session; the voice's volume and mute.
VIEW_BUTTONS = frozenset({"staff-open", "end-session-ask", "languages", "large-text",
                          "voice-quieter", "voice-mute", "voice-louder"})

#: Staff buttons whose event does not depend on the step: id -> event for an actor.
STAFF_COMMANDS: dict[str, Callable[[str], ev.StaffEvent]] = {
    "out-of-service": lambda actor: ev.TakeOutOfService(actor, "staff"),
    "back-in-service": ev.PutBackInService,
    "end-session": ev.EndSession,
    "acknowledge-help": ev.AcknowledgeHelp,
}
#: The staff self-test of the devices (a command of the service, not a workflow event).
HEALTH_CHECK = "health-check"
#: Seated mode of the camera lift (a lower range): the citizen's button on the photo screen
#: turns it on and off; staff turn it on with ``staff-seated``. Service commands, not events.
SEATED = "seated"
STAFF_SEATED = "staff-seated"
#: Staff clear the camera lift's latched stall or obstruction, after looking at the column.
LIFT_RESET = "lift-reset"
#: Ends the staff session (allowed to anyone: it only takes rights away).
SIGN_OUT = "sign-out"
#: Staff buttons for the step under way: a finger's reason, a photo check's override reason.
FINGER_PREFIX = "reason-"
OVERRIDE_PREFIX = "override-"
FINGER_BUTTONS = tuple(f"{FINGER_PREFIX}{reason.value}" for reason in UnavailableReason)


def is_staff_button(button: str) -> bool:
    """True for a button only a signed-in librarian may press."""
    return (button in STAFF_COMMANDS or button in (HEALTH_CHECK, STAFF_SEATED, LIFT_RESET)
            or button.startswith((FINGER_PREFIX, OVERRIDE_PREFIX)))


def staff_buttons(override_reasons: Iterable[str]) -> tuple[str, ...]:
    """Every staff button id (for tests and scenarios that try them all)."""
    return (*STAFF_COMMANDS, HEALTH_CHECK, STAFF_SEATED, LIFT_RESET, *FINGER_BUTTONS,
            *(f"{OVERRIDE_PREFIX}{reason}" for reason in override_reasons))


def staff_event_for(step: State | None, button: str, actor: str, *,
                    override_reasons: Iterable[str] = (),
                    failing_check: str | None = None) -> ev.StaffEvent | None:
    """The staff event a signed-in ``actor``'s press of ``button`` sends at ``step``.

    ``step`` is the state on screen, or the one under Help: finger and photo buttons act on
    the step the citizen was at. None when the button does nothing there.
    """
    command = STAFF_COMMANDS.get(button)
    if command is not None:
        return command(actor)
    if button.startswith(FINGER_PREFIX) and step is State.FINGERPRINTS:
        reason = button.removeprefix(FINGER_PREFIX)
        if reason in {item.value for item in UnavailableReason}:
            return ev.MarkFingerUnavailable(actor, reason)
    if button.startswith(OVERRIDE_PREFIX) and step is State.PHOTO and failing_check:
        reason = button.removeprefix(OVERRIDE_PREFIX)
        if reason in tuple(override_reasons):
            return ev.OverrideCheck(actor, failing_check, reason)
    return None


def event_for(state: State, button: str) -> ev.Event | None:
    """The event a press of ``button`` sends in ``state``; None for a view-only button.

    Raises KeyError for a button the state does not have (staff buttons are not here: see
    :func:`staff_event_for`).
    """
    if button in VIEW_BUTTONS:
        return None
    if button.startswith(("lang-", "choose-")):
        return ev.SetLanguage(button.split("-", 1)[1])
    if button == "help":
        return ev.RequestHelp()
    if button == "cancel":
        return ev.Cancel()
    return SCREEN_BUTTONS.get(state, {})[button]

"""The buttons a citizen (or a librarian at the kiosk) can press, by id, per state.

The touchscreen's buttons carry these ids, scenario files tap them, and the service turns them
into workflow events here, so every front-end presses the same buttons with the same meaning.
"""

from __future__ import annotations

from kiosk.fingerprint.unavailable import UnavailableReason
from kiosk.workflow import State
from kiosk.workflow import events as ev

#: The actor of staff buttons pressed at the kiosk before staff sign-in exists.
KIOSK_STAFF = "kiosk-staff"

#: Buttons of each screen's own (the chrome's help, stop and language buttons come on top).
SCREEN_BUTTONS: dict[State, dict[str, ev.Event]] = {
    State.WELCOME: {"start": ev.Start()},
    State.REFUSED: {"retry": ev.RetryDocument(), "staff": ev.RequestHelp(),
                    "finish": ev.Finish()},
    State.PHOTO_REVIEW: {"accept": ev.AcceptPhoto(), "retake": ev.RetakePhoto()},
    State.FINGERPRINTS: {
        f"reason-{reason.value}": ev.MarkFingerUnavailable(KIOSK_STAFF, reason.value)
        for reason in UnavailableReason
    },
    State.SUMMARY: {"consent": ev.GiveConsent()},
    State.DONE: {"finish": ev.Finish()},
    State.ABORTED: {"finish": ev.Finish()},
    State.HELP: {"back": ev.DismissHelp()},
    State.INACTIVITY_WARNING: {"still-here": ev.StillHere()},
    State.DEVICE_ERROR: {"retry": ev.RetryDevice(), "staff": ev.RequestHelp()},
}

#: Buttons that only change what the screen shows (no event): opening the staff reasons,
#: asking for the device status.
VIEW_BUTTONS = frozenset({"finger-unavailable", "health-check"})


def event_for(state: State, button: str) -> ev.Event | None:
    """The event a press of ``button`` sends in ``state``; None for a view-only button.

    Raises KeyError for a button the state does not have.
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

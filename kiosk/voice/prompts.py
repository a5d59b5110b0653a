"""What is spoken: the texts a screen shows as its main instruction, and a step's guidance.

Only catalogue keys live here, never sentences: the voice reads the same translated text the
screen shows, in the citizen's language. A key without a text (in the language or the English
fallback) is skipped rather than read out as a key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from kiosk.service.messages import StepProgress, TextValue
from kiosk.workflow import State

#: Each screen's main instruction, read in this order when the screen opens.
SCREEN_KEYS: dict[State, tuple[str, ...]] = {
    State.WELCOME: ("ui.welcome.title", "ui.welcome.lead"),
    State.IDENTIFY: ("ui.identify.title", "ui.identify.lead"),
    State.REFUSED: ("ui.refused.title",),
    State.PHOTO: ("ui.photo.title", "ui.photo.lead"),
    State.PHOTO_REVIEW: ("ui.review.title", "ui.review.lead"),
    State.FINGERPRINTS: ("ui.fingerprints.title", "ui.fingerprints.lead"),
    State.SIGNATURE: ("ui.signature.title", "ui.signature.lead"),
    State.SUMMARY: ("ui.summary.title", "ui.summary.lead"),
    # The consent text is read out in full: the citizen agrees to what they heard.
    State.CONSENT: ("ui.consent.title", "ui.summary.consent"),
    State.HANDOFF: ("ui.handoff.title", "ui.handoff.lead"),
    State.DONE: ("ui.done.title", "ui.done.next"),
    State.HELP: ("ui.help.title", "ui.help.calling"),
    State.INACTIVITY_WARNING: ("ui.inactivity.title",),
    State.ABORTED: ("ui.aborted.title", "ui.aborted.lead"),
    State.DEVICE_ERROR: ("ui.device_error.title", "ui.device_error.lead"),
    State.OUT_OF_SERVICE: ("ui.out_of_service.title", "ui.out_of_service.lead"),
}

#: Feedback shown on screen but not worth saying (a number the citizen cannot act on).
UNSPOKEN_FEEDBACK = frozenset({"ui.fingerprints.quality"})
#: Countdowns: only the number is said ("3", "2", "1", in the voice's language), at once.
COUNTDOWNS: dict[str, str] = {"ui.photo.count": "count"}


class Translate(Protocol):
    """A text in the citizen's current language (the app's ``translate``)."""

    def __call__(self, key: str, **values: object) -> str: ...


def _text(translate: Translate, key: str, values: Mapping[str, TextValue]) -> str:
    """``key`` translated, values named ``*_key`` translated first (as the screens do);
    empty when the catalogue has no text for the key."""
    if not key:
        return ""
    filled: dict[str, object] = {}
    for name, value in values.items():
        if name.endswith("_key"):
            filled[name.removesuffix("_key")] = translate(str(value))
        else:
            filled[name] = value
    try:
        text = translate(key, **filled)
    except (KeyError, IndexError, ValueError):  # a translation with a placeholder we lack
        return ""
    return "" if text == key else text


def join(parts: list[str]) -> str:
    """Sentences read one after the other (a full stop between, unless one is there)."""
    out = ""
    for part in (part.strip() for part in parts):
        if not part:
            continue
        if out and not out.endswith((".", "!", "?", "…", ":", "。", "؟")):
            out += "."
        out = f"{out} {part}" if out else part
    return out


def screen_text(state: State, translate: Translate) -> str:
    """What ``state``'s screen says when it opens (empty: nothing to say)."""
    return join([_text(translate, key, {}) for key in SCREEN_KEYS.get(state, ())])


def countdown(progress: StepProgress) -> str | None:
    """The number to say when ``progress`` is a countdown tick, else None."""
    name = COUNTDOWNS.get(progress.key)
    if name is None or name not in progress.values:
        return None
    return str(progress.values[name])


def progress_text(progress: StepProgress, translate: Translate) -> str:
    """A step's live instruction: how the last attempt went, then what to do now."""
    feedback = ("" if progress.feedback in UNSPOKEN_FEEDBACK
                else _text(translate, progress.feedback, progress.feedback_values))
    return join([feedback, _text(translate, progress.key, progress.values)])

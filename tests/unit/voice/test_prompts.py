"""What is spoken is the screen's own translated text: every screen has an instruction made of
catalogue texts (never a key read aloud), and a step's guidance fills its values as the screen
does."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.fingerprint.positions import FingerPosition
from kiosk.i18n import translate
from kiosk.service.messages import StepProgress
from kiosk.voice.prompts import SCREEN_KEYS, join, progress_text, screen_text
from kiosk.workflow import State


def in_(language: str) -> Callable[..., str]:
    """The app's translate, in ``language``."""
    return lambda key, **values: translate(key, language, **values)


@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize("state", list(State))
def test_every_screen_has_an_instruction_of_catalogue_texts(state: State, language: str) -> None:
    assert state in SCREEN_KEYS
    text = screen_text(state, in_(language))
    assert text
    for key in SCREEN_KEYS[state]:
        assert translate(key, language) != key, key  # the key has a text
        assert translate(key, language) in text
        assert key not in text


def test_guidance_fills_finger_names_and_says_feedback_first() -> None:
    finger = FingerPosition(2).text_key
    progress = StepProgress(kiosk_id="k", state=State.FINGERPRINTS, key="ui.fingerprints.place",
                            values={"finger_key": finger}, feedback="ui.identify.hint")
    said = progress_text(progress, in_("da"))
    place = translate("ui.fingerprints.place", "da", finger=translate(finger, "da"))
    assert said.endswith(place)
    assert said.startswith(translate("ui.identify.hint", "da"))


def test_an_unknown_key_is_not_read_out() -> None:
    progress = StepProgress(kiosk_id="k", state=State.PHOTO, key="photo.no_such_guidance")
    assert progress_text(progress, in_("en")) == ""


def test_sentences_are_joined_with_a_stop() -> None:
    assert join(["Your photo", "Look here"]) == "Your photo. Look here"
    assert join(["Reading …", "", "Wait."]) == "Reading … Wait."
    assert join(["Are you there?", "Yes"]) == "Are you there? Yes"


def test_a_countdown_says_only_its_number() -> None:
    from kiosk.voice.prompts import countdown

    tick = StepProgress(kiosk_id="k", state=State.PHOTO, key="ui.photo.count",
                        values={"count": 2})
    assert countdown(tick) == "2"
    other = StepProgress(kiosk_id="k", state=State.PHOTO, key="ui.photo.holding")
    assert countdown(other) is None

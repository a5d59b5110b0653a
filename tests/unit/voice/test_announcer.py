"""When the kiosk speaks (a fake clock, no sound): a screen at once, the same guidance once
however often it is reported, changed guidance at most once every 2 s with the newest text
winning, and nothing for a screen no longer shown."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.voice.announcer import MIN_GAP_S, Announcer
from kiosk.voice.mixer import Kind


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make() -> tuple[Announcer, Clock, list[tuple[str, Kind, float]]]:
    clock = Clock()
    said: list[tuple[str, Kind, float]] = []
    announcer = Announcer(lambda text, kind: said.append((text, kind, clock.now)), clock=clock)
    return announcer, clock, said


def test_a_screen_is_spoken_at_once_and_the_same_guidance_only_once() -> None:
    announcer, clock, said = make()
    announcer.screen("photo", "Your photo. Look into the camera.")
    clock.now += 3
    for _ in range(90):  # three seconds of frames all saying the same
        announcer.guidance("photo", "Move closer")
        announcer.poll()
        clock.now += 1 / 30
    assert [text for text, _, _ in said] == ["Your photo. Look into the camera.", "Move closer"]
    assert [kind for _, kind, _ in said] == [Kind.SCREEN, Kind.GUIDANCE]


def test_changed_guidance_waits_for_the_gap_and_the_newest_wins() -> None:
    announcer, clock, said = make()
    announcer.screen("photo", "Your photo")
    clock.now += 5
    announcer.guidance("photo", "Move closer")
    clock.now += 0.5
    announcer.guidance("photo", "Look straight ahead")
    clock.now += 0.5
    announcer.guidance("photo", "Hold still")
    announcer.poll()
    assert [text for text, _, _ in said] == ["Your photo", "Move closer"]
    assert announcer.next_due == said[-1][2] + MIN_GAP_S
    clock.now = said[-1][2] + MIN_GAP_S
    announcer.poll()
    assert [text for text, _, _ in said][-1] == "Hold still"
    assert said[-1][2] - said[-2][2] >= MIN_GAP_S
    assert announcer.next_due is None


def test_guidance_back_to_what_was_said_cancels_the_waiting_text() -> None:
    announcer, clock, said = make()
    announcer.screen("photo", "Your photo")
    clock.now += 5
    announcer.guidance("photo", "Move closer")
    clock.now += 0.3
    announcer.guidance("photo", "Hold still")  # a frame's flicker ...
    clock.now += 0.1
    announcer.guidance("photo", "Move closer")  # ... and back
    clock.now += 5
    announcer.poll()
    assert [text for text, _, _ in said] == ["Your photo", "Move closer"]


def test_a_new_screen_interrupts_and_forgets_the_old_screens_guidance() -> None:
    announcer, clock, said = make()
    announcer.screen("photo", "Your photo")
    clock.now += 5
    announcer.guidance("photo", "Move closer")
    clock.now += 0.5
    announcer.guidance("photo", "Hold still")  # waiting ...
    announcer.screen("review", "Is this photo good?")  # ... and dropped
    clock.now += 5
    announcer.poll()
    announcer.guidance("photo", "Move closer")  # late news of the old screen
    assert [text for text, _, _ in said] == ["Your photo", "Move closer", "Is this photo good?"]


def test_a_screen_opened_again_says_its_guidance_again() -> None:
    announcer, clock, said = make()
    announcer.screen("fingerprints", "Your fingerprints")
    clock.now += 3
    announcer.guidance("fingerprints", "Place your right index finger on the reader")
    clock.now += 3
    announcer.screen("fingerprints", "Dine fingeraftryk")  # the citizen chose Danish
    clock.now += 3
    announcer.guidance("fingerprints", "Læg din højre pegefinger på læseren")
    assert [kind for _, kind, _ in said] == [Kind.SCREEN, Kind.GUIDANCE] * 2


def test_empty_texts_are_not_spoken() -> None:
    announcer, clock, said = make()
    announcer.screen("handoff", "")
    announcer.guidance("handoff", "")
    clock.now += 5
    announcer.poll()
    assert said == []


reports = st.lists(st.tuples(st.floats(0.0, 1.5), st.sampled_from(["A", "B", "C", "D"]),
                             st.booleans()), max_size=80)


@given(reports)
def test_guidance_is_never_faster_than_the_gap_nor_said_twice_in_a_row(
        steps: list[tuple[float, str, bool]]) -> None:
    announcer, clock, said = make()
    announcer.screen("photo", "Your photo")
    for wait, text, poll in steps:
        clock.now += wait
        if poll:
            announcer.poll()
        else:
            announcer.guidance("photo", text)
    clock.now += 10
    announcer.poll()
    prompts = [(text, at) for text, kind, at in said if kind is Kind.GUIDANCE]
    spoken = [at for _, _, at in said]
    assert all(b - a >= MIN_GAP_S - 1e-9 for a, b in zip(spoken[1:], spoken[2:], strict=False))
    assert all(first[0] != second[0]
               for first, second in zip(prompts, prompts[1:], strict=False))
    # The last guidance reported is the last thing said (nothing is lost at the end).
    reported = [text for _, text, poll in steps if not poll]
    if reported:
        assert prompts and prompts[-1][0] == reported[-1]


def test_a_countdown_is_said_number_by_number() -> None:
    announcer, clock, said = make()
    announcer.screen("photo", "Your photo")
    clock.now += 3
    announcer.guidance("photo", "Look straight ahead")
    for number in ("3", "2", "1"):
        clock.now += 0.8
        for _ in range(20):  # every frame of the second repeats the number
            announcer.guidance("photo", number, urgent=True)
    assert [text for text, _, _ in said] == ["Your photo", "Look straight ahead", "3", "2", "1"]

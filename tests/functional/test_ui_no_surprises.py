"""Pilot tests of a kiosk that never surprises: Stop asks first, the inactivity warning can be
answered again and again, the summary lets the citizen redo the photo and the signature, and the
consent text is on screen before Send can be pressed, at 80 x 24."""

from __future__ import annotations

import time

from textual.pilot import Pilot
from textual.widgets import Button, Static

from kiosk.service.messages import PreviewFrame
from kiosk.service.runners import PHOTO_COUNT_S
from kiosk.ui.app import KioskApp
from kiosk.ui.screens.confirm import StopQuestion
from kiosk.workflow import State
from tests.helpers.kiosk import async_wait_until, running_kiosk, tap, wait_for

#: The smallest terminal the kiosk supports.
SMALL = (80, 24)


async def to_photo_review(app: KioskApp, pilot: Pilot[None]) -> None:
    await tap(pilot, "#choose-en")
    await tap(pilot, "#start")
    await wait_for(app, State.PHOTO_REVIEW, timeout=90)


def text_of(app: KioskApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_stop_asks_first_and_no_is_the_default() -> None:
    async with running_kiosk(size=SMALL) as (app, pilot, kiosk):
        await to_photo_review(app, pilot)
        # Enter on the question keeps the application: "No, go on" has the focus.
        await tap(pilot, "#stop-ask")
        await pilot.pause()
        question = app.screen.query_one(StopQuestion)
        assert "delete" in text_of(app, "#stop-text").lower()
        assert app.focused is not None and app.focused.id == "stop-no"
        # Focus stays in the question: the step's own buttons are out of reach.
        for _ in range(3):
            await pilot.press("tab")
            assert app.focused is not None and question in app.focused.ancestors
        await pilot.press("shift+tab")
        assert app.focused is not None and app.focused.id == "stop-no"
        await pilot.press("enter")
        await pilot.pause()
        assert not app.screen.query(StopQuestion)
        assert app.service.state is State.PHOTO_REVIEW
        assert app.service.session.data.photo is not None
        assert not app.screen.query_one("#accept", Button).disabled
        # Escape is No as well.
        await tap(pilot, "#stop-ask")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.query(StopQuestion)
        assert app.service.state is State.PHOTO_REVIEW
        # Only "Yes, stop" stops, and then nothing is kept.
        await tap(pilot, "#stop-ask")
        await pilot.pause()
        await tap(pilot, "#cancel")
        await wait_for(app, State.ABORTED)
        assert not app.service.session.data.holds_captured_data()


async def test_inactivity_warning_can_be_answered_ten_times() -> None:
    async with running_kiosk(size=SMALL) as (app, pilot, kiosk):
        await to_photo_review(app, pilot)
        # From here the citizen is "idle" for half a second before every warning (the
        # capture steps before keep the usual 90 s, so the session gets here).
        app.service.session.inactivity_warning_s = 0.5
        for extension in range(10):
            await wait_for(app, State.INACTIVITY_WARNING)
            # At least 20 s to answer (WCAG 2.2.1), shown as a countdown.
            left = app.service.session.seconds_left()
            assert left is not None and left >= 19, extension
            if extension == 0:
                first = text_of(app, "#countdown")
                assert str(round(app.service.session.inactivity_grace_s)) in first

                def ticked(first: str = first) -> bool:
                    return text_of(app, "#countdown") != first

                # It counts down, second by second, while the citizen thinks.
                await async_wait_until(ticked, lambda: text_of(app, "#countdown"), timeout=10)
            await tap(pilot, "#still-here")
            await wait_for(app, State.PHOTO_REVIEW)
            assert app.service.session.data.photo is not None, extension
        visits = [visit.state for visit in app.service.session.history]
        assert visits.count(State.INACTIVITY_WARNING) == 10
        assert State.WELCOME not in visits[1:]


async def test_new_photo_and_new_signature_from_the_summary() -> None:
    async with running_kiosk(size=SMALL) as (app, pilot, kiosk):
        await to_photo_review(app, pilot)
        await tap(pilot, "#accept")
        await wait_for(app, State.SUMMARY, timeout=240)
        data = app.service.session.data
        first_photo, first_signature = data.photo, data.signature
        await tap(pilot, "#retake-photo")
        await wait_for(app, State.PHOTO_REVIEW, timeout=90)
        await tap(pilot, "#accept")
        await wait_for(app, State.SUMMARY)  # straight back, not through the fingerprints
        assert data.photo is not None and data.photo is not first_photo
        assert data.signature is first_signature
        await tap(pilot, "#sign-again")
        await wait_for(app, State.SUMMARY, timeout=60)  # the citizen signs on the pad again
        assert data.signature is not None and data.signature is not first_signature
        visits = [visit.state for visit in app.service.session.history]
        assert visits.count(State.FINGERPRINTS) == 1
        assert visits.count(State.SIGNATURE) == 2 and visits.count(State.PHOTO) == 2
        await tap(pilot, "#continue")
        await wait_for(app, State.CONSENT)
        await tap(pilot, "#consent")
        await wait_for(app, State.DONE, timeout=30)


async def test_consent_is_on_screen_before_send_at_80_by_24() -> None:
    async with running_kiosk(size=SMALL) as (app, pilot, kiosk):
        await to_photo_review(app, pilot)
        await tap(pilot, "#accept")
        await wait_for(app, State.SUMMARY, timeout=240)
        await tap(pilot, "#continue")
        await wait_for(app, State.CONSENT)
        send = app.screen.query_one("#consent", Button)
        await async_wait_until(lambda: not send.disabled, lambda: "Send stays disabled",
                               timeout=10)
        # Send is enabled only with the whole text inside the visible part of the screen.
        text = app.screen.query_one("#consent-text", Static)
        scroll = app.screen.query_one("#consent-scroll")
        visible = scroll.region.intersection(app.screen.region)
        assert text.region.height > 2
        assert visible.contains_region(text.region), (text.region, visible)
        assert "municipality" in str(text.render())
        assert not send.region.overlaps(text.region)
        assert app.screen.region.contains_region(send.region)
        # Back to the summary and forth again keeps everything.
        await tap(pilot, "#back")
        await wait_for(app, State.SUMMARY)
        await tap(pilot, "#continue")
        await wait_for(app, State.CONSENT)
        await pilot.pause(0.2)
        await tap(pilot, "#consent")
        await wait_for(app, State.DONE, timeout=30)


async def test_no_photo_is_taken_behind_the_language_picker_or_the_stop_question() -> None:
    """A dialog over the photo screen hides the 3-2-1: no photo is taken until it closes,
    however long a compliant face waits behind it."""
    async with running_kiosk(size=SMALL) as (app, pilot, kiosk):
        simulation = kiosk.simulation
        assert simulation is not None
        # Private: the preview frames too (each one is a frame the photo step analysed).
        heard = app.service.bus.subscribe(private=True)

        async def wait_behind(opener: str) -> None:
            await tap(pilot, opener)
            await async_wait_until(lambda: app.service.photo_held, lambda: f"{opener} held")
            simulation.set_persona("compliant")
            since, frames = time.monotonic(), 0

            def long_enough() -> bool:
                # More analysed frames than a whole 3-2-1 and burst need, over more time.
                nonlocal frames
                while (message := heard.get(0)) is not None:
                    frames += isinstance(message, PreviewFrame)
                return frames >= 30 and time.monotonic() - since > PHOTO_COUNT_S + 1.5

            await async_wait_until(long_enough, lambda: f"{frames} frames behind {opener}")
            assert app.service.state is State.PHOTO, opener

        simulation.set_persona("absent")  # nobody in front of the camera yet
        await tap(pilot, "#choose-en")
        await tap(pilot, "#start")
        await wait_for(app, State.PHOTO, timeout=30)
        await wait_behind("#languages")
        simulation.set_persona("absent")
        await pilot.press("escape")  # closes the picker
        await async_wait_until(lambda: not app.service.photo_held, lambda: "picker held")
        await wait_behind("#stop-ask")
        await pilot.press("escape")  # "No, go on"
        await wait_for(app, State.PHOTO_REVIEW, timeout=90)
        assert not app.service.photo_held

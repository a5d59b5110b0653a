"""The console in a real browser (Debian's Chromium driven by Playwright), on the demo: three
simulated kiosks linked to a console on a free port. A librarian signs in, sees the kiosks,
sees a help call arrive live, answers it ("I'm coming") and the kiosk's service has the
acknowledgement; sends a message with the keyboard alone; a screenshot is saved.

Skipped, with one line saying how to enable them, where Chromium is not installed."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import KioskConfig
from kiosk.console.demo import Demo, start_demo
from kiosk.service.messages import HelpAcknowledged, Message, StaffNotice
from kiosk.workflow import State
from tests.console.conftest import CHROMIUM, NAME, PIN, Librarians
from tests.helpers.kiosk import wait_for_state

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Generous hang guard for anything the page waits for (milliseconds).
WAIT_MS = 30_000


@pytest.fixture
def demo(config: KioskConfig) -> Iterator[Demo]:
    running = start_demo(config, "127.0.0.1:0", librarians=Librarians())
    try:
        yield running
    finally:
        running.close()


def test_a_librarian_answers_a_help_call_in_chromium(demo: Demo, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    help_kiosk, refused_kiosk, _happy_kiosk = demo.kiosks
    news = help_kiosk.service.bus.subscribe()
    requests: list[str] = []
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            page = browser.new_page(ignore_https_errors=True,
                                    viewport={"width": 1500, "height": 1100})
            page.set_default_timeout(WAIT_MS)
            page.on("request", lambda request: requests.append(request.url))

            page.goto(demo.console.url + "/")
            expect(page).to_have_url(re.compile(r"/login$"))
            page.fill("#name", NAME)
            page.fill("#secret", "000000")
            page.click("#sign-in")
            expect(page.locator("#login-message")).to_contain_text("do not match")
            page.fill("#name", NAME)
            page.fill("#secret", PIN)
            page.click("#sign-in")

            cards = page.locator("section.card")
            expect(cards).to_have_count(3)
            for role in demo.roles:
                card = page.locator(f'section[data-kiosk="{role.kiosk_id}"]')
                expect(card.locator("h2")).to_have_text(role.name)
                expect(card.locator(".place")).to_have_text(role.place)
            first = page.locator('section[data-kiosk="pasboks-demo-1"]')
            second = page.locator('section[data-kiosk="pasboks-demo-2"]')
            expect(first).to_have_attribute("data-help", "none")
            expect(first.locator("button.ack")).to_be_hidden()

            # The refused citizen plays their script; the librarian reads why.
            demo.play(lambda role: role.kiosk_id == "pasboks-demo-2")
            wait_for_state(refused_kiosk, State.REFUSED)
            expect(second.locator(".refusal-code")).to_have_text("expired_too_long")
            expect(second.locator(".explanation")).to_contain_text("expired a long time ago")

            # A citizen taps Help at the first kiosk: the card lights up by itself.
            help_kiosk.service.press("help").result(timeout=10)
            expect(first).to_have_attribute("data-help", "waiting")
            expect(first).to_have_class(re.compile(r"\bhelp\b"))
            expect(first.locator(".help-alert")).to_contain_text("Help requested")
            expect(page.locator("body")).to_have_attribute("data-alarm", "on")

            first.locator("button.ack").click()
            expect(first).to_have_attribute("data-help", "acknowledged")
            expect(first.locator(".help-alert")).to_contain_text(f"{NAME} is on the way")
            assert help_kiosk.service.session.data.help_acknowledged_by == f"console:{NAME}"
            assert [m.actor for m in drain(news, HelpAcknowledged)] == [  # type: ignore[attr-defined]
                f"console:{NAME}"]

            # The keyboard alone: focus the message field, type, Enter sends it.
            first.locator("input.message-text").focus()
            page.keyboard.type("I am coming from the desk")
            page.keyboard.press("Enter")
            expect(first.locator(".feedback")).to_have_text("Done.")
            assert [(n.actor, n.text) for n in drain(news, StaffNotice)] == [  # type: ignore[attr-defined]
                (f"console:{NAME}", "I am coming from the desk")]

            shot = tmp_path / "console.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()
            news.close()
    outside = [url for url in requests if not url.startswith(demo.console.url)]
    assert outside == []


def drain(subscription: object, kind: type[Message]) -> list[Message]:
    from kiosk.service.bus import Subscription

    assert isinstance(subscription, Subscription)
    found = []
    while (message := subscription.get(0.05)) is not None:
        if isinstance(message, kind):
            found.append(message)
    return found

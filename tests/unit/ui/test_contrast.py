"""Contrast of every text and focus ring the kiosk draws: >= 4.5:1 against its background
(WCAG 2.2 SC 1.4.3), measured on the rendered screens, not on the stylesheet's intentions."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.containers import Horizontal

from kiosk.service.messages import Message, StateChanged
from kiosk.ui.app import KioskApp
from kiosk.ui.widgets.bidi import Button, Static
from kiosk.workflow import State
from simulator.scenario import load_scenario
from tests.helpers.contrast import contrast, low_contrast
from tests.helpers.kiosk import async_wait_until, running_kiosk

VARIANTS = ("default", "primary", "success", "warning", "error")


def test_the_formula_matches_wcag_examples() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((255, 255, 255), (255, 255, 255)) == pytest.approx(1.0)
    # #767676 on white is the lightest grey that passes 4.5:1.
    assert contrast((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)


class Buttons(App[None]):
    CSS_PATH = KioskApp.CSS_PATH

    def compose(self) -> ComposeResult:
        yield Static("Plain text", classes="lead")
        yield Static("A title", classes="title")
        yield Static("A problem", classes="problem")
        yield Horizontal(*(Button(f"{variant} button", id=variant, variant=variant)
                           for variant in VARIANTS), classes="actions")


async def test_every_button_variant_focused_and_not() -> None:
    app = Buttons()
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        app.set_focus(None)
        await pilot.pause()
        assert not low_contrast(app), "\n".join(map(str, low_contrast(app)))
        for variant in VARIANTS:
            app.query_one(f"#{variant}").focus()
            await pilot.pause()
            problems = low_contrast(app)
            assert not problems, f"{variant} focused:\n" + "\n".join(map(str, problems))


@pytest.mark.slow
@pytest.mark.parametrize("size", [(120, 44), (80, 24)])
async def test_every_screen_of_a_session(size: tuple[int, int]) -> None:
    """The simulated citizen goes through a whole application; each screen is checked."""
    seen: dict[State, list[str]] = {}
    taps = {step.screen: step.tap for step in load_scenario("happy").steps if step.tap}
    async with running_kiosk("happy") as (app, pilot, kiosk):
        await pilot.resize_terminal(*size)
        states: list[State] = []

        def hear(message: Message) -> None:
            if isinstance(message, StateChanged):
                states.append(message.new)

        subscription = kiosk.service.bus.subscribe(hear)
        try:
            await pilot.click("#start")
            checked = 0
            while State.DONE not in seen:
                await async_wait_until(lambda seen_before=checked: len(states) > seen_before
                                       or app.service.state is State.DONE,
                                       lambda: f"a next screen after {list(seen)}")
                checked = len(states)
                await pilot.pause(0.3)
                state = app.service.state
                seen[state] = [str(finding) for finding in low_contrast(app)]
                # The person at the screen taps what the scenario says (accept, consent...).
                tap = taps.get(state.value)
                if tap is not None and state not in (State.WELCOME, State.DONE):
                    app.service.press(tap)
        finally:
            subscription.close()
    assert {State.PHOTO_REVIEW, State.SUMMARY, State.DONE} <= set(seen), seen
    bad = {state.value: findings for state, findings in seen.items() if findings}
    assert not bad, "\n".join(f"{state}: {finding}" for state, findings in bad.items()
                               for finding in findings)

"""Pilot tests of the real UI on the simulator: welcome, languages, help, a refused passport."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from kiosk.staff.accounts import StaffAccounts
from kiosk.ui.screens.staff import StaffModeScreen, StaffSignInScreen
from kiosk.workflow import State
from tests.helpers.kiosk import running_kiosk, tap, wait_for


async def test_expired_passport_is_refused_with_reason_and_staff_help() -> None:
    async with running_kiosk("expired-document") as (app, pilot, kiosk):
        await tap(pilot, "#choose-en")
        await tap(pilot, "#start")
        await wait_for(app, State.REFUSED)
        reason = str(app.screen.query_one("#reason", Static).render())
        assert "expired" in reason.lower()
        assert app.service.session.data.refusal == "expired_too_long"
        await tap(pilot, "#staff")
        await wait_for(app, State.HELP)
        await tap(pilot, "#back")
        await wait_for(app, State.REFUSED)
        await tap(pilot, "#finish")
        await wait_for(app, State.WELCOME)
        assert not app.service.session.data.holds_captured_data()


async def test_language_switch_retranslates_the_screen() -> None:
    async with running_kiosk() as (app, pilot, kiosk):
        await tap(pilot, "#choose-da")
        await pilot.pause()
        assert "Forny dit pas" in str(app.screen.query(".title").first(Static).render())
        await tap(pilot, "#choose-en")
        await pilot.pause()
        assert "Renew your passport" in str(app.screen.query(".title").first(Static).render())


async def test_inactivity_warns_then_wipes_back_to_welcome() -> None:
    kiosk = running_kiosk("expired-document", inactivity_warning_s=0.5, inactivity_grace_s=20)
    async with kiosk as (app, pilot, kiosk):
        await tap(pilot, "#start")
        await wait_for(app, State.REFUSED)
        await wait_for(app, State.INACTIVITY_WARNING, timeout=5)
        await tap(pilot, "#still-here")
        await wait_for(app, State.REFUSED)
        app.service.session.inactivity_grace_s = 0.5
        await wait_for(app, State.INACTIVITY_WARNING, timeout=5)
        await wait_for(app, State.WELCOME, timeout=5)
        assert not app.service.session.data.holds_captured_data()


async def test_staff_see_device_health_in_staff_mode(tmp_path: Path) -> None:
    async with running_kiosk() as (app, pilot, kiosk):
        accounts = StaffAccounts(tmp_path / "staff.sqlite3")
        accounts.add("lib-1", "141421")
        app.service.use_staff_accounts(accounts)
        await tap(pilot, "#choose-en")
        await tap(pilot, "#help")
        await wait_for(app, State.HELP)
        assert not app.screen.query("#health-check")  # no self-test for citizens
        await tap(pilot, "#staff-open")
        for _ in range(200):
            if isinstance(app.screen, StaffSignInScreen) and app.screen.is_mounted:
                break
            await pilot.pause(0.05)
        app.screen.query_one("#staff-name", Input).value = "lib-1"
        for digit in "141421":
            await tap(pilot, f"#key-{digit}")
        await tap(pilot, "#sign-in")
        for _ in range(400):
            if isinstance(app.screen, StaffModeScreen) and app.screen.is_mounted:
                break
            await pilot.pause(0.05)
        kiosk.simulation.inject("fingerprint:silent")
        await tap(pilot, "#health-check")
        for _ in range(200):
            text = str(app.screen.query_one("#device-status", Static).render())
            if "Underskriftsplade" in text:  # staff screens speak config.staff.language
                break
            await pilot.pause(0.05)
        assert "Passcanner: virker" in text
        assert "Fingeraftrykslæser: VIRKER IKKE" in text
        assert "/dev/" not in text and "/tmp/" not in text  # codes, never device paths

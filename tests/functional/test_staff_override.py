"""A photo check that cannot pass (a head that stays tilted, standing in for a religious head
covering or a medical device): a citizen cannot override it; a signed-in librarian can, the
photo is then taken, and the override is kept with the application."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.staff.accounts import StaffAccounts
from kiosk.workflow import State
from tests.helpers.kiosk import simulated_kiosk, wait_until

pytestmark = pytest.mark.slow

HANG_S = 120.0
PIN = "358979"


def test_a_librarian_overrides_a_failing_photo_check(tmp_path: Path) -> None:
    scenario = tmp_path / "tilted.toml"
    scenario.write_text('description = "A head that stays tilted."\npersona = "tilted"\n')
    with simulated_kiosk(str(scenario)) as kiosk:
        service = kiosk.service
        accounts = StaffAccounts(tmp_path / "staff.sqlite3")
        accounts.add("lib-1", PIN)
        service.use_staff_accounts(accounts)
        service.press("start").result(timeout=HANG_S)
        wait_until(lambda: service.state is State.PHOTO
                   and service.photo_failing == "head_tilted",
                   lambda: (service.state, service.photo_failing), HANG_S)
        # The citizen alone: refused, nothing recorded, still no photo.
        assert service.press("override-medical_condition").result(timeout=HANG_S) is State.PHOTO
        assert service.session.data.staff_actions == []
        assert service.sign_in("lib-1", PIN).result(timeout=HANG_S).ok
        def overridden() -> bool:
            if service.state is State.PHOTO and service.photo_failing is not None:
                service.press("override-medical_condition").result(timeout=HANG_S)
            return service.state is not State.PHOTO

        wait_until(overridden, lambda: service.photo_failing, HANG_S, poll=0.2)
        assert service.state is State.PHOTO_REVIEW
        records = service.session.data.staff_actions
        assert ("lib-1", "override", "head_tilted", "medical_condition") in [
            (r.actor, r.action, r.subject, r.reason) for r in records]
        assert {r.actor for r in records} == {"lib-1"}
        photo = service.session.data.photo
        assert photo is not None
        # The photo's own check results stay honest: the overridden check failed.
        statuses = {name: status for name, _value, status in photo.checks}
        assert statuses["HeadPoseRoll"] == "fail"

"""A citizen alone at the kiosk tries every staff control on every screen of a whole visit,
and over Help on each: nothing is applied, no finger is skipped, no check overridden, the kiosk
stays in service, the application's staff actions stay empty, and each try is audited as
``staff_refused``."""

from __future__ import annotations

import pytest

from kiosk.service.buttons import staff_buttons
from kiosk.service.messages import StaffActionTaken, StaffRefused
from kiosk.workflow import State
from tests.helpers.kiosk import simulated_kiosk, wait_until

pytestmark = pytest.mark.slow

HANG_S = 120.0
#: The screens of a visit, in order, and the citizen's tap that moves on from each.
VISIT = [(State.WELCOME, "start"), (State.IDENTIFY, None), (State.PHOTO, None),
         (State.PHOTO_REVIEW, "accept"), (State.FINGERPRINTS, None), (State.SIGNATURE, None),
         (State.SUMMARY, "continue"), (State.CONSENT, "consent")]


def test_every_staff_control_is_refused_without_a_sign_in() -> None:
    with simulated_kiosk("happy") as kiosk:
        service = kiosk.service
        buttons = staff_buttons(service.config.staff.override_reasons)
        heard = service.bus.subscribe(maxsize=100_000)
        assert service.trail is not None
        # The tests share one audit trail: look only at what this visit adds.
        before = len(list(service.trail.lines()))
        tried: list[tuple[str, str]] = []

        def try_everything(where: State) -> None:
            for button in buttons:
                service.press(button).result(timeout=HANG_S)
                tried.append((where.value, button))
            assert service.session.data.staff_actions == []
            assert service.state is not State.OUT_OF_SERVICE

        for state, tap in VISIT:
            wait_until(lambda wanted=state: service.state is wanted,
                       lambda wanted=state: f"never reached {wanted.value}", timeout=HANG_S)
            try_everything(state)
            if service.state is state:
                service.press("help").result(timeout=HANG_S)
                try_everything(State.HELP)
                assert service.session.data.help_acknowledged_by is None
                service.press("back").result(timeout=HANG_S)
            if tap is not None:
                service.press(tap).result(timeout=HANG_S)
            if state is State.SUMMARY:
                assert service.session.data.staff_actions == []
                prints = service.session.data.fingerprints
                assert prints is not None and len(prints.fingers) == 2
                assert not prints.unavailable
        wait_until(lambda: service.state is State.DONE,
                   lambda: f"ended in {service.state.value}", timeout=HANG_S)
        messages = list(iter(lambda: heard.get(0.2), None))
        assert not [m for m in messages if isinstance(m, StaffActionTaken)]
        refused = [m for m in messages if isinstance(m, StaffRefused)]
        assert len(refused) == len(tried)
        added = list(service.trail.lines())[before:]
        assert len([line for line in added if line["event"] == "staff_refused"]) == len(tried)
        assert not [line for line in added
                    if line["event"] in ("staff_action", "staff_signed_in")]

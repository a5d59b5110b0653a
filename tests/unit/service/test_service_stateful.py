"""Hypothesis stateful test of the service: any presses and staff actions, in any order (with
device steps failing underneath), keep the stream of state changes one continuous chain, keep
private messages private, and log no error."""

from __future__ import annotations

import logging

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from drivers.unsupported import UnsupportedDevice
from kiosk.config import KioskConfig, SimulatorSettings, TimeoutSettings
from kiosk.devices import Devices
from kiosk.service import messages as news
from kiosk.service.buttons import SCREEN_BUTTONS, VIEW_BUTTONS, staff_buttons
from kiosk.service.kiosk import KioskService
from kiosk.workflow import State
from kiosk.workflow import events as ev

BUTTONS = sorted({button for buttons in SCREEN_BUTTONS.values() for button in buttons}
                 | VIEW_BUTTONS | {"help", "cancel", "lang-da", "lang-en", "nonsense"}
                 # Staff buttons without a staff sign-in: always refused.
                 | set(staff_buttons(KioskConfig().staff.override_reasons)) | {"sign-out"})
STAFF = [ev.TakeOutOfService("lib-1", "maintenance"), ev.PutBackInService("lib-1"),
         ev.EndSession("lib-1"), ev.AcknowledgeHelp("lib-1"),
         ev.MarkFingerUnavailable("lib-1", "bandaged"),
         ev.OverrideCheck("lib-1", "head_covering", "religious")]


class Errors(logging.Handler):
    """Keeps every error the service logs (a bug's traceback would be one)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class ServiceMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        devices = Devices(*(UnsupportedDevice(name, "not connected")
                            for name in ("scanner", "fingerprint", "camera", "signature")))
        config = KioskConfig(language="en", simulator=SimulatorSettings(enabled=False),
                             timeouts=TimeoutSettings(device_read_s=0.05))
        self.service = KioskService(config, devices).start()
        self.public = self.service.bus.subscribe(maxsize=100_000)
        self.last = State.WELCOME
        self.errors = Errors()
        logging.getLogger("kiosk").addHandler(self.errors)

    @rule(button=st.sampled_from(BUTTONS))
    def press(self, button: str) -> None:
        self.service.press(button).result(timeout=10)

    @rule(event=st.sampled_from(STAFF))
    def staff(self, event: ev.StaffEvent) -> None:
        self.service.staff(event).result(timeout=10)

    @invariant()
    def state_changes_form_one_chain(self) -> None:
        while (message := self.public.get(0)) is not None:
            assert not message.private
            if isinstance(message, news.StateChanged):
                assert message.old is self.last, (message, self.last)
                self.last = message.new

    @invariant()
    def no_staff_action_without_a_staff_member(self) -> None:
        # Nobody signs in here: only the trusted staff() path records actions.
        assert all(record.actor == "lib-1" for record in self.service.session.data.staff_actions)
        assert self.service.staff_signed_in is None

    @invariant()
    def nothing_went_wrong_inside(self) -> None:
        assert self.errors.records == []

    def teardown(self) -> None:
        self.service.close()
        logging.getLogger("kiosk").removeHandler(self.errors)


ServiceMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=30,
                                            deadline=None)
TestServiceMachine = ServiceMachine.TestCase

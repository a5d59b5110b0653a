"""The kiosk service without a simulator: devices that are not there, commands, staff events,
and what subscribers hear."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import numpy as np
import pytest

from drivers.unsupported import UnsupportedDevice
from kiosk.config import KioskConfig, SimulatorSettings, TimeoutSettings
from kiosk.devices import Devices
from kiosk.service import messages as news
from kiosk.service.bus import Bus, Subscription
from kiosk.service.buttons import SCREEN_BUTTONS, event_for
from kiosk.service.kiosk import KioskService
from kiosk.workflow import State
from kiosk.workflow import events as ev
from kiosk.workflow.machine import allowed_events

#: Only a guard against a hang: the service answers in milliseconds, but a loaded machine may
#: be slow, so nothing here measures how fast.
HANG_S = 120.0


def next_message(subscription: Subscription) -> news.Message:
    """The next message the service publishes (fails only if the service went silent)."""
    message = subscription.get(HANG_S)
    if message is None:
        raise AssertionError(f"the service published nothing for {HANG_S:.0f} s")
    return message


@pytest.fixture
def service() -> Iterator[KioskService]:
    devices = Devices(*(UnsupportedDevice(name, "not connected")
                        for name in ("scanner", "fingerprint", "camera", "signature")))
    config = KioskConfig(language="en", simulator=SimulatorSettings(enabled=False),
                         timeouts=TimeoutSettings(device_read_s=0.1))
    kiosk = KioskService(config, devices).start()
    yield kiosk
    kiosk.close()


def test_every_screen_button_sends_an_event_its_state_accepts() -> None:
    for state, buttons in SCREEN_BUTTONS.items():
        for button, event in buttons.items():
            assert type(event) in allowed_events(state), (state, button)
            assert event_for(state, button) == event
    assert event_for(State.PHOTO, "help") == ev.RequestHelp()
    assert event_for(State.SUMMARY, "lang-da") == ev.SetLanguage("da")
    assert event_for(State.HELP, "staff-open") is None
    with pytest.raises(KeyError):
        event_for(State.WELCOME, "consent")


def test_private_messages_reach_only_private_subscribers() -> None:
    bus = Bus()
    public, private = bus.subscribe(), bus.subscribe(private=True)
    frame = news.PreviewFrame(kiosk_id="k", pixels=np.zeros((2, 2, 3), np.uint8))
    bus.publish(frame)
    bus.publish(news.HelpRequested(kiosk_id="k", state=State.PHOTO))
    assert isinstance(public.get(0), news.HelpRequested)
    assert private.get(0) is frame
    assert isinstance(private.get(0), news.HelpRequested)


def test_a_slow_queue_keeps_the_newest_and_a_broken_callback_harms_no_one(
        caplog: pytest.LogCaptureFixture) -> None:
    bus = Bus()
    slow = bus.subscribe(maxsize=2)
    heard: list[news.Message] = []

    def broken(message: news.Message) -> None:
        raise RuntimeError("subscriber bug")

    bus.subscribe(broken)
    bus.subscribe(heard.append)
    for reason in ("a", "b", "c"):
        bus.publish(news.Refused(kiosk_id="k", reason=reason))
    assert [m.reason for m in heard] == ["a", "b", "c"]  # type: ignore[attr-defined]
    assert [slow.get(0).reason, slow.get(0).reason] == ["b", "c"]  # type: ignore[union-attr]
    assert slow.dropped == 1
    assert "subscriber failed" in caplog.text


def test_a_missing_scanner_ends_on_the_device_error_screen(service: KioskService) -> None:
    heard = service.bus.subscribe()
    service.press("start").result(timeout=HANG_S)
    kinds = [next_message(heard)]
    while not isinstance(kinds[-1], news.DeviceHealth):  # published with the device error
        kinds.append(next_message(heard))
    assert service.session.data.fault == ("scanner", "device_not_found")
    changes = [(m.old, m.new) for m in kinds if isinstance(m, news.StateChanged)]
    assert changes == [(State.WELCOME, State.IDENTIFY), (State.IDENTIFY, State.DEVICE_ERROR)]
    health = [m for m in kinds if isinstance(m, news.DeviceHealth)]
    assert [(h.device, h.ok, h.code) for h in health] == [("scanner", False,
                                                          "device_not_found")]


def test_buttons_not_on_the_screen_are_ignored(service: KioskService) -> None:
    assert service.press("consent").result(timeout=HANG_S) is State.WELCOME
    assert service.send(ev.GiveConsent()).result(timeout=HANG_S) is State.WELCOME


def test_staff_take_the_kiosk_out_of_service_and_back_audited(
        service: KioskService, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="pasboks.audit")
    heard = service.bus.subscribe()
    service.staff(ev.TakeOutOfService("lib-7", "maintenance")).result(timeout=HANG_S)
    assert service.state is State.OUT_OF_SERVICE
    assert service.press("start").result(timeout=HANG_S) is State.OUT_OF_SERVICE
    service.staff(ev.PutBackInService("lib-7")).result(timeout=HANG_S)
    assert service.state is State.WELCOME
    messages = []
    while (message := heard.get(0.2)) is not None:
        messages.append(message)
    availability = [m for m in messages if isinstance(m, news.ServiceAvailability)]
    assert [(m.in_service, m.actor) for m in availability] == [(False, "lib-7"),
                                                               (True, "lib-7")]
    actions = [m for m in messages if isinstance(m, news.StaffActionTaken)]
    assert [m.action for m in actions] == ["TakeOutOfService", "PutBackInService"]
    assert "staff lib-7: TakeOutOfService reason=maintenance kiosk=pasboks-dev" in caplog.text


def test_help_is_announced_with_the_screen_it_was_asked_on(service: KioskService) -> None:
    heard = service.bus.subscribe()
    service.press("help").result(timeout=HANG_S)
    service.staff(ev.AcknowledgeHelp("lib-2")).result(timeout=HANG_S)
    assert service.session.data.help_acknowledged_by == "lib-2"
    service.press("back").result(timeout=HANG_S)
    assert service.session.data.help_acknowledged_by is None
    messages = []
    while (message := heard.get(0.2)) is not None:
        messages.append(message)
    assert [m.state for m in messages if isinstance(m, news.HelpRequested)] == [State.WELCOME]
    assert [m.actor for m in messages if isinstance(m, news.HelpAcknowledged)] == ["lib-2"]


def test_a_health_check_publishes_one_result_per_device(service: KioskService) -> None:
    heard = service.bus.subscribe()
    service.request_health_check()
    results: list[news.DeviceHealth] = []
    while len(results) < 4:
        message = next_message(heard)
        if isinstance(message, news.DeviceHealth):
            results.append(message)
    assert [r.device for r in results] == ["scanner", "fingerprint", "camera", "signature"]
    assert not any(r.ok for r in results)


def test_language_resets_for_the_next_citizen(service: KioskService) -> None:
    service.press("lang-da").result(timeout=HANG_S)
    assert service.session.data.language == "da"
    service.press("start").result(timeout=HANG_S)
    service.press("cancel").result(timeout=HANG_S)
    service.press("finish").result(timeout=HANG_S)
    assert service.state is State.WELCOME
    assert service.session.data.language == "en"

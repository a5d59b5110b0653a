"""The touchscreen vouches for its own loop to the service's watchdog while it runs."""

from __future__ import annotations

from tests.helpers.kiosk import async_wait_until, running_kiosk, simulated_kiosk


async def test_the_running_ui_beats_and_stops_counting_when_it_closes() -> None:
    async with running_kiosk() as (app, pilot, kiosk):
        beats = kiosk.service.heartbeats
        heartbeat = app._heartbeat
        assert heartbeat is not None and heartbeat.name == "touchscreen"
        first = heartbeat.last
        await async_wait_until(lambda: heartbeat.last > first,
                               lambda: "the UI never beat")
        assert beats.stalled() == []
    # Closed: a UI that has gone away must not hold the watchdog.
    assert heartbeat not in beats._beats


def test_a_kiosk_without_a_screen_has_no_heartbeats() -> None:
    with simulated_kiosk() as kiosk:
        assert kiosk.service.heartbeats.stalled() == []
        assert kiosk.service.heartbeats._beats == []

"""The real miniaudio device path: on miniaudio's "null" backend (a device that plays into
nothing at real-time pace) the player's device thread pulls the mixer until the prompt has
played; the real backends on this machine find no device and the player stays silent."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from kiosk.voice.mixer import Kind, Mixer
from kiosk.voice.player import Player
from tests.helpers.kiosk import wait_until

pytest.importorskip("miniaudio", reason="miniaudio is not installed: no player test")

RATE = 22050


def test_the_device_thread_plays_the_mixer_from_memory() -> None:
    mixer = Mixer()
    player = Player(mixer, RATE, backends=["null"])
    assert player.open() and player.available
    try:
        mixer.speak(np.full(RATE // 4, 1000, dtype=np.int16), Kind.SCREEN)  # 0.25 s
        mixer.earcon(np.full(RATE // 8, 500, dtype=np.int16))
        wait_until(lambda: not mixer.busy, lambda: "the device never pulled the samples")
    finally:
        player.close()
    assert not player.available


def test_a_player_is_opened_once(caplog: pytest.LogCaptureFixture,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/pasboks-no-pulse")
    monkeypatch.setenv("ALSA_CONFIG_PATH", "/dev/null")
    caplog.set_level(logging.INFO, logger="kiosk.voice")
    player = Player(Mixer(), RATE, backends=["alsa", "pulseaudio"])
    assert [player.open() for _ in range(5)] == [False] * 5
    said = [r for r in caplog.records if "runs silently" in r.getMessage()]
    assert len(said) == 1 and said[0].exc_info is None
    assert player.silent_because.startswith("MiniaudioError")
    player.close()  # nothing to close: no error

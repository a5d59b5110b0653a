"""The loudspeaker: miniaudio plays the mixer's samples from memory on its own thread.

miniaudio loads the system's sound library (PulseAudio, ALSA, JACK ...) when the device is
opened, so the kiosk needs no sound packages at build time. Its device thread pulls a block
from :class:`~kiosk.voice.mixer.Mixer` whenever it needs one; the UI never waits for sound.

Without a sound device (a test machine, CI, a kiosk whose speaker is unplugged at boot) the
device cannot open: the player says so in the log once, without a traceback, does not try
again, and everything it is given is dropped. miniaudio's "null" backend, which plays into
nothing, is not accepted as a device.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from kiosk.voice.mixer import Mixer

log = logging.getLogger(__name__)

#: Length of one block the device asks for (ms): a new prompt is heard within about this.
BLOCK_MS = 50


class _Device(Protocol):
    """The part of ``miniaudio.PlaybackDevice`` the player uses."""

    def close(self) -> None: ...


class Player:
    """A sound device fed by a mixer, or silence when there is none."""

    def __init__(self, mixer: Mixer, sample_rate: int, *,
                 backends: Sequence[str] | None = None) -> None:
        self.mixer = mixer
        self.sample_rate = sample_rate
        #: miniaudio backends to try, by name (``alsa``, ``pulseaudio``, ``null`` for tests);
        #: None: every real one the platform has.
        self.backends = backends
        self._device: _Device | None = None
        self._tried = False
        #: Why there is no sound (empty while the device plays or before it was tried).
        self.silent_because = ""

    @property
    def available(self) -> bool:
        """Whether a sound device is open."""
        return self._device is not None

    def open(self) -> bool:
        """Open the sound device once; False (and one log line) when there is none."""
        if self._tried:
            return self.available
        self._tried = True
        try:
            import miniaudio

            if self.backends is None:
                backends = [backend for backend in miniaudio.Backend
                            if backend not in (miniaudio.Backend.NULL,
                                               miniaudio.Backend.CUSTOM,
                                               miniaudio.Backend.WEBAUDIO)]
            else:
                backends = [miniaudio.Backend[name.upper()] for name in self.backends]
            device = miniaudio.PlaybackDevice(
                output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1,
                sample_rate=self.sample_rate, buffersize_msec=BLOCK_MS, backends=backends,
                app_name="Pasboks")
            stream = self._stream()
            next(stream)
            device.start(stream)
        except Exception as error:  # ImportError, MiniaudioError, a broken sound library
            self.silent_because = _reason(error)
            log.warning("no sound device (%s): the kiosk runs silently", self.silent_because)
            return False
        self._device = device
        log.info("sound on %s at %d Hz", getattr(device, "backend", "?"), self.sample_rate)
        return True

    def _stream(self) -> Generator[NDArray[np.int16], int, None]:
        # miniaudio sends the number of frames it needs and takes the samples yielded.
        count = yield np.zeros(0, dtype=np.int16)
        while True:
            count = yield self.mixer.pull(count)

    def close(self) -> None:
        """Stop the device (idempotent)."""
        device, self._device = self._device, None
        if device is not None:
            try:
                device.close()
            except Exception as error:  # closing must never take the kiosk down
                log.warning("sound device did not close cleanly: %s", _reason(error))


def _reason(error: BaseException) -> str:
    """A short reason for the log (no traceback): the error's name and its first argument."""
    detail = str(error.args[0]) if error.args else ""
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__

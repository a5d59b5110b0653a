"""A simulated signature pad behind the same SDK-style interface as a Wacom STU or Topaz facade.

Real pads are reached only through vendor SDKs (no public wire protocol), so the simulator models
two objects, as the USB fingerprint scanner does: the pad the citizen signs on
(:class:`SimulatedSignaturePad`: ``sign``, ``confirm``, faults) and the SDK facade the kiosk's
signature step drives (:class:`SimulatedPadSdk`, a :class:`drivers.interfaces.SignaturePad`).
Fault: ``unplug`` (``inject("unplug")`` / ``clear("unplug")``, or ``unplug()``/``replug()``):
the facade's calls raise :class:`~drivers.errors.DeviceDisconnectedError` (``open``:
:class:`~drivers.errors.DeviceNotFoundError`) until the pad is plugged back in and reopened.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from drivers.errors import DeviceDisconnectedError, DeviceError, DeviceNotFoundError
from drivers.interfaces import Health, Signature, StrokePoint
from drivers.signature import render_strokes
from simulator.faults import FaultParams, FaultSpec, FaultyDevice

#: Faults of the simulated pad.
PAD_FAULTS = {
    "unplug": FaultSpec("pull the pad's cable; the kiosk must open it again after a replug",
                        times=None),
}
#: Pen report rate of a Wacom STU-430, samples per second.
REPORT_RATE = 200.0

Strokes = tuple[tuple[StrokePoint, ...], ...]


def generate_signature(seed: int = 0, width: int = 320, height: int = 200) -> Strokes:
    """A plausible handwritten signature, deterministic from ``seed``.

    A looping cursive name (a prolate cycloid whose loop size wanders smoothly), a separate
    initial before it, and an underline flourish; pressure rises and falls along each stroke
    and samples come at the pad's report rate.
    """
    rng = np.random.default_rng(seed)
    strokes: list[tuple[StrokePoint, ...]] = []
    t0 = 0.0

    def stroke(xs: NDArray[np.float64], ys: NDArray[np.float64]) -> None:
        nonlocal t0
        n = len(xs)
        u = np.linspace(0.0, 1.0, n)
        # Pen lands light, presses through the middle, lifts off light.
        pressure = 0.25 + 0.65 * np.sin(np.pi * u) ** 0.6 + rng.normal(0, 0.03, n)
        pts = tuple(
            StrokePoint(
                float(np.clip(x, 1, width - 1)),
                float(np.clip(y, 1, height - 1)),
                float(np.clip(p, 0.05, 1.0)),
                round(t0 + i / REPORT_RATE, 4),
            )
            for i, (x, y, p) in enumerate(zip(xs, ys, pressure, strict=True))
        )
        strokes.append(pts)
        t0 = pts[-1].t + float(rng.uniform(0.15, 0.35))  # pen lifted between strokes

    base = height * rng.uniform(0.55, 0.62)
    # The initial: a tall loop with a tail.
    n = int(rng.integers(60, 90))
    s = np.linspace(0, 1, n)
    x0 = width * rng.uniform(0.08, 0.14)
    stroke(
        x0 + width * 0.07 * np.sin(2 * np.pi * s) + width * 0.05 * s,
        base - height * 0.32 * np.sin(np.pi * s) + height * 0.04 * np.cos(2 * np.pi * s),
    )
    # The name: loops advancing to the right; loop height wanders like real letters.
    loops = int(rng.integers(5, 9))
    n = loops * 30
    s = np.linspace(0, loops * 2 * np.pi, n)
    wander = np.interp(np.arange(n), np.linspace(0, n, loops + 1), rng.uniform(0.4, 1.0, loops + 1))
    radius = height * 0.1 * wander
    start = x0 + width * rng.uniform(0.14, 0.2)
    advance = (width * 0.82 - start) / (loops * 2 * np.pi)
    stroke(start + advance * s - radius * 0.8 * np.sin(s), base - radius * (1 - np.cos(s)))
    # The underline flourish, slightly rising.
    n = int(rng.integers(40, 70))
    s = np.linspace(0, 1, n)
    stroke(
        width * (0.12 + 0.75 * s),
        base + height * (0.16 - 0.08 * s + 0.03 * np.sin(math.pi * s * rng.uniform(1, 3))),
    )
    return tuple(strokes)


class SimulatedSignaturePad(FaultyDevice):
    """A 320x200 pen pad (like a Wacom STU-430) that the simulated citizen signs on."""

    def __init__(
        self, name: str = "signature", width: int = 320, height: int = 200, scale: float = 2.0
    ) -> None:
        """Create the pad, unsigned.

        Args:
            name: The configured device name, used in errors.
            width: Pad width in its own units.
            height: Pad height in its own units.
            scale: Pixels per pad unit of the rendered signature image.
        """
        super().__init__(name, PAD_FAULTS)
        self.width = width
        self.height = height
        self.scale = scale
        self._cond = threading.Condition()
        self._strokes: Strokes = ()
        self._confirmed = False
        #: Bumped by every unplug: a facade opened before it must be opened again.
        self._generation = 0

    @property
    def plugged(self) -> bool:
        """False after an unplug, until the replug."""
        return not self._faults.is_active("unplug")

    # -- the citizen -----------------------------------------------------------------------------

    def sign(
        self,
        strokes: Sequence[Sequence[StrokePoint]] | None = None,
        seed: int = 0,
        confirm: bool = True,
    ) -> Strokes:
        """The citizen signs (generated from ``seed`` unless ``strokes`` are given) and confirms.

        Returns:
            The strokes now on the pad.
        """
        chosen = (
            tuple(tuple(s) for s in strokes)
            if strokes is not None
            else generate_signature(seed, self.width, self.height)
        )
        with self._cond:
            self._strokes = chosen
            self._confirmed = confirm
            self._cond.notify_all()
        return chosen

    def confirm(self) -> None:
        """The citizen presses OK on the pad."""
        with self._cond:
            self._confirmed = bool(self._strokes)
            self._cond.notify_all()

    def wipe(self) -> None:
        """Discard the strokes so far."""
        with self._cond:
            self._strokes, self._confirmed = (), False

    # -- faults ------------------------------------------------------------------------------

    def _fault_armed(self, name: str, params: FaultParams) -> None:
        self._faults.met(name, "", params)
        with self._cond:
            self._generation += 1
            self._cond.notify_all()

    def _end_fault(self, name: str, was_active: bool) -> None:
        with self._cond:
            self._cond.notify_all()

    def unplug(self) -> None:
        """Pull the cable: ``inject("unplug")``."""
        self.inject("unplug")

    def replug(self) -> None:
        """Put the cable back: ``clear("unplug")``; the kiosk must open the pad again."""
        self.clear("unplug")


class SimulatedPadSdk:
    """The vendor-SDK facade the kiosk drives: a :class:`~drivers.interfaces.SignaturePad`."""

    def __init__(self, pad: SimulatedSignaturePad) -> None:
        self.name = pad.name
        self.pad = pad
        #: The pad's unplug generation when it was opened; None while closed.
        self._opened: int | None = None

    # -- the SignaturePad protocol -------------------------------------------------------------

    def open(self) -> None:
        """Connect to the pad. Raises DeviceNotFoundError while it is unplugged."""
        pad = self.pad
        with pad._cond:
            if not pad.plugged:
                raise DeviceNotFoundError(self.name, "no signature pad connected")
            self._opened = pad._generation

    def close(self) -> None:
        """Disconnect. Never raises."""
        with self.pad._cond:
            self._opened = None
            self.pad._cond.notify_all()

    def probe(self) -> Health:
        """Report whether the pad answers. Never raises."""
        started = time.monotonic()
        plugged = self.pad.plugged
        latency = (time.monotonic() - started) * 1000
        if not plugged:
            return Health(False, "no signature pad connected", latency, code="device_not_found")
        extra = {"width": str(self.pad.width), "height": str(self.pad.height),
                 "model": "simulated"}
        return Health(True, f"{self.pad.width}x{self.pad.height} pad", latency, extra=extra)

    def capture(self, timeout: float) -> Signature | None:
        """Wait up to ``timeout`` s for a confirmed signature; None when none came.

        Raises:
            DeviceDisconnectedError: The pad is unplugged, before or during the wait.
            DeviceError: The pad was not opened (or not since it was replugged).
        """
        pad = self.pad
        deadline = time.monotonic() + timeout
        with pad._cond:
            while True:
                if not pad.plugged:
                    self._opened = None
                    raise DeviceDisconnectedError(self.name, "signature pad disconnected")
                if self._opened != pad._generation:
                    raise DeviceError(self.name, "signature pad is not open")
                if pad._confirmed:
                    strokes = pad._strokes
                    pad._strokes, pad._confirmed = (), False
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                pad._cond.wait(remaining)
        image = render_strokes(strokes, pad.width, pad.height, pad.scale)
        return Signature(strokes, image, pad.width, pad.height)

    def clear(self) -> None:
        """Discard the strokes so far (the citizen wants to sign again)."""
        self.pad.wipe()

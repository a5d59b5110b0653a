"""The simulated signature pad: SDK-style capture, generated signatures and the unplug fault."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from drivers.errors import DeviceDisconnectedError, DeviceError, DeviceNotFoundError
from drivers.interfaces import SignaturePad, StrokePoint
from simulator.faults import SimulatedDevice
from simulator.signature_pad import SimulatedPadSdk, SimulatedSignaturePad, generate_signature


@pytest.fixture
def pad() -> SimulatedSignaturePad:
    return SimulatedSignaturePad()


@pytest.fixture
def sdk(pad: SimulatedSignaturePad) -> SimulatedPadSdk:
    facade = SimulatedPadSdk(pad)
    facade.open()
    return facade


def test_the_facade_is_a_signature_pad_and_the_pad_a_simulated_device(
    pad: SimulatedSignaturePad, sdk: SimulatedPadSdk
) -> None:
    assert isinstance(sdk, SignaturePad)
    assert isinstance(pad, SimulatedDevice)
    assert sdk.probe().ok


def test_generated_signatures_are_deterministic_plausible_and_on_the_pad() -> None:
    a, b = generate_signature(3), generate_signature(3)
    assert a == b
    assert a != generate_signature(4)
    assert 2 <= len(a) <= 5
    times = [p.t for stroke in a for p in stroke]
    assert times == sorted(times)
    for stroke in a:
        assert len(stroke) >= 20
        assert all(0 <= p.x <= 320 and 0 <= p.y <= 200 and 0 < p.pressure <= 1 for p in stroke)
        # Smooth: consecutive samples at 200 Hz are a few pad units apart, never a jump.
        steps = [np.hypot(q.x - p.x, q.y - p.y) for p, q in zip(stroke, stroke[1:], strict=False)]
        assert max(steps) < 15


def test_capture_returns_the_signed_strokes_and_image(
    pad: SimulatedSignaturePad, sdk: SimulatedPadSdk
) -> None:
    strokes = pad.sign(seed=1)
    sig = sdk.capture(timeout=0.5)
    assert sig is not None
    assert sig.strokes == strokes
    assert (sig.width, sig.height) == (320, 200)
    assert sig.image.shape == (400, 640) and sig.image.dtype == np.uint8
    assert 0.01 < (sig.image < 128).mean() < 0.2  # ink, but mostly paper
    assert sdk.capture(timeout=0.05) is None  # consumed


def test_capture_waits_for_the_citizen(pad: SimulatedSignaturePad, sdk: SimulatedPadSdk) -> None:
    threading.Timer(0.1, pad.sign).start()
    assert sdk.capture(timeout=2.0) is not None


def test_timeout_and_clear_give_nothing(pad: SimulatedSignaturePad, sdk: SimulatedPadSdk) -> None:
    assert sdk.capture(timeout=0.05) is None
    pad.sign(confirm=False)
    sdk.clear()
    pad.confirm()  # nothing left to confirm
    assert sdk.capture(timeout=0.05) is None


def test_explicit_strokes_are_used_as_given(
    pad: SimulatedSignaturePad, sdk: SimulatedPadSdk
) -> None:
    stroke = (StrokePoint(10, 10, 0.5, 0.0), StrokePoint(300, 190, 0.5, 0.5))
    pad.sign([stroke])
    sig = sdk.capture(timeout=0.1)
    assert sig is not None and sig.strokes == (stroke,)


def test_unplug_fails_capture_and_open_until_replugged(
    pad: SimulatedSignaturePad, sdk: SimulatedPadSdk
) -> None:
    threading.Timer(0.1, pad.unplug).start()
    with pytest.raises(DeviceDisconnectedError):
        sdk.capture(timeout=2.0)
    with pytest.raises(DeviceNotFoundError):
        sdk.open()
    assert sdk.probe().code == "device_not_found"
    assert pad.active_faults == {"unplug": {}}
    pad.clear("unplug")
    with pytest.raises(DeviceError):
        sdk.capture(timeout=0.05)  # must be opened again, as after a real replug
    sdk.open()
    pad.sign()
    assert sdk.capture(timeout=0.1) is not None
    assert [met.spec for met in pad.faults_met] == ["signature:unplug"]
    with pytest.raises(ValueError, match="unsupported fault 'smudge'"):
        pad.inject("smudge")


def test_an_unplug_while_closed_still_needs_a_new_open(
    pad: SimulatedSignaturePad, sdk: SimulatedPadSdk
) -> None:
    pad.inject("unplug")
    pad.replug()
    with pytest.raises(DeviceError):
        sdk.capture(timeout=0.05)

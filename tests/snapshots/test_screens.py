"""Layout snapshots of the kiosk's screens at the touchscreen's size (review diffs before
``--snapshot-update``). No devices are attached, so device steps end on the device-error screen."""

from __future__ import annotations

from typing import Any

from drivers.unsupported import UnsupportedDevice
from kiosk.config import KioskConfig, SimulatorSettings
from kiosk.devices import Devices
from kiosk.service.kiosk import KioskService
from kiosk.ui.app import KioskApp

SIZE = (120, 44)


def app_without_devices(language: str = "en") -> KioskApp:
    """The production app on a service whose devices all say they have no driver."""
    devices = Devices(*(UnsupportedDevice(name, "not connected")
                        for name in ("scanner", "fingerprint", "camera", "signature")))
    config = KioskConfig(language=language, simulator=SimulatorSettings(enabled=False))
    return KioskApp(KioskService(config, devices).start())


def test_welcome_in_danish(snap_compare: Any) -> None:
    assert snap_compare(app_without_devices("da"), terminal_size=SIZE)


def test_welcome_in_english(snap_compare: Any) -> None:
    assert snap_compare(app_without_devices("en"), terminal_size=SIZE)


def test_device_error(snap_compare: Any) -> None:
    async def start(pilot: Any) -> None:
        await pilot.click("#start")
        for _ in range(100):
            if pilot.app.service.state.value == "device_error":
                break
            await pilot.pause(0.05)
        await pilot.pause()

    assert snap_compare(app_without_devices("en"), terminal_size=SIZE, run_before=start)


def test_help_with_staff_button(snap_compare: Any) -> None:
    async def ask(pilot: Any) -> None:
        # A still clock: the screen counts the seconds waited ("0 s" here).
        pilot.app.service.session.clock = lambda: 1000.0
        await pilot.click("#help")
        await pilot.pause()

    assert snap_compare(app_without_devices("da"), terminal_size=SIZE, run_before=ask)


def test_staff_sign_in(snap_compare: Any) -> None:
    async def open_sign_in(pilot: Any) -> None:
        await pilot.click("#help")
        await pilot.pause()
        await pilot.click("#staff-open")
        await pilot.pause()
        for digit in "1234":
            await pilot.click(f"#key-{digit}")
        await pilot.pause(0.6)  # past the last key's flash, so the picture is always the same

    assert snap_compare(app_without_devices("da"), terminal_size=SIZE, run_before=open_sign_in)


# --- The citizen's flow in Danish, Arabic and Ukrainian, at the touchscreen's size and at
# 80 x 24: welcome, photo (the 3-2-1), fingerprint (an image on its way), summary (photo and
# signature as pictures), consent and done (grouped reference, QR code, countdown). The session
# is put in each state directly, with made-up data and a still clock, so no step runner starts
# and every picture is the same each time.

import datetime as dt  # noqa: E402 - the flow's snapshots are a section of their own
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from kiosk.document.decision import assess_document  # noqa: E402
from kiosk.document.settings import DocumentSettings  # noqa: E402
from kiosk.fingerprint.positions import FingerPosition  # noqa: E402
from kiosk.service.messages import StepProgress  # noqa: E402
from kiosk.workflow import State  # noqa: E402
from simulator.scenario import Passport  # noqa: E402

TODAY = dt.date(2026, 11, 30)
FLOW_LANGUAGES = ("da", "ar", "uk")
FLOW_SIZES = {"touch": SIZE, "small": (80, 24)}


@dataclass(frozen=True)
class Still:
    """A picture the session holds (the token photo or the signature): only its image is read."""

    image: np.ndarray


@dataclass(frozen=True)
class Finger:
    position: FingerPosition


@dataclass(frozen=True)
class Prints:
    fingers: tuple[Finger, ...]


def token_photo() -> np.ndarray:
    """A made-up 'photo': light background, a darker oval face, in the passport's 35 x 45."""
    height, width = 90, 70
    y, x = np.mgrid[0:height, 0:width]
    image = np.full((height, width, 3), 225, dtype=np.uint8)
    face = ((x - 35) / 16.0) ** 2 + ((y - 40) / 22.0) ** 2 <= 1.0
    image[face] = (120, 150, 190)
    return image


def signature() -> np.ndarray:
    image = np.full((60, 200), 255, dtype=np.uint8)
    for x in range(20, 180):
        image[30 + int(12 * np.sin(x / 9.0)), x] = 0
    return image


def flow_app(language: str, state: State) -> KioskApp:
    """The app showing ``state`` with made-up session data (nothing is captured)."""
    app = app_without_devices(language)
    session = app.service.session
    session.clock = lambda: 1000.0
    session.touch()
    data = session.data
    if state in (State.SUMMARY, State.CONSENT):
        lines = Passport(surname="Hansen", given_names="Mette Marie").mrz(TODAY)
        data.document = assess_document(lines, TODAY, DocumentSettings())
        data.photo = Still(token_photo())  # type: ignore[assignment]
        data.signature = Still(signature())
        data.fingerprints = Prints((Finger(FingerPosition.LEFT_INDEX),  # type: ignore[assignment]
                                    Finger(FingerPosition.RIGHT_INDEX)))
    if state is State.DONE:
        data.reference = "PB-814S-0DS3-6"
    session.state = state
    return app


async def settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", sorted(FLOW_SIZES))
@pytest.mark.parametrize("language", FLOW_LANGUAGES)
@pytest.mark.parametrize("screen", ["welcome", "photo", "fingerprints", "summary", "consent",
                                    "done"])
def test_citizen_flow(snap_compare: Any, screen: str, language: str, size: str) -> None:
    state = State(screen)
    kiosk_id = "pasboks-test"

    async def show(pilot: Any) -> None:
        await settle(pilot)
        if state is State.PHOTO:
            pilot.app.screen.hear(StepProgress(kiosk_id=kiosk_id, state=State.PHOTO,
                                               key="ui.photo.count", values={"count": 2},
                                               fraction=0.6))
        elif state is State.FINGERPRINTS:
            pilot.app.screen.hear(StepProgress(
                kiosk_id=kiosk_id, state=State.FINGERPRINTS, key="ui.fingerprints.lift",
                values={"finger_key": "fingerprint.finger_left_index", "seconds_left": 1.6},
                fraction=0.5, finger=7, attempt=1, attempts=3, phase="transfer"))
        await settle(pilot)

    assert snap_compare(flow_app(language, state), terminal_size=FLOW_SIZES[size],
                        run_before=show)

"""The small interfaces the workflow sees for each device, and the typed results they return.

Drivers for real hardware, SDK facades and the simulator's in-process devices all satisfy these.
All blocking methods take an explicit timeout and raise only :mod:`drivers.errors` errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from drivers.errors import DeviceError


@dataclass(frozen=True)
class MrzRead:
    """One document read by the scanner: the MRZ lines as the reader sent them.

    The driver never trusts the reader's own check-digit validation; the document core
    re-validates. Padding the framing adds (3M's ``_``) is already stripped; substitute
    characters for unrecognised positions are left in place for the core to judge.
    """

    lines: tuple[str, ...]
    #: Which framing carried it: ``lines``, ``3m``, ``desko`` or ``idbox``.
    framing: str
    #: Framing findings that did not stop the read, e.g. ``bcc_mismatch_ignored``, ``line1_empty``.
    diagnostics: tuple[str, ...] = ()


@dataclass(frozen=True)
class FingerprintImage:
    """One fingerprint impression as the reader delivered it: 8-bit grey, rows x columns."""

    pixels: NDArray[np.uint8]
    ppi: int
    #: ``time.monotonic()`` when the image was complete.
    captured_at: float
    #: The reader's own quality score where it offers one (SDK devices), else None.
    device_quality: int | None = None


@dataclass(frozen=True)
class Frame:
    """One camera frame: BGR uint8 pixels, a monotonic timestamp and a running index."""

    pixels: NDArray[np.uint8]
    timestamp: float
    index: int


@dataclass(frozen=True)
class CameraStatus:
    """A snapshot of the stream's health, for the UI and the staff panel."""

    #: ``closed``, ``streaming``, ``stalled``, ``frozen`` or ``reconnecting``.
    state: str
    #: Why the stream is not usable now (None while it is).
    error: DeviceError | None
    #: Frames per second delivered over the last second or so.
    fps: float
    #: Frames read from the source since open.
    frames_read: int
    #: Frames replaced by a newer one before anyone called ``latest()``.
    frames_dropped: int
    #: Seconds since the newest frame arrived (None before the first).
    frame_age: float | None
    #: Times the source was reopened after a failure.
    reconnects: int

    @property
    def ok(self) -> bool:
        """True while frames are flowing."""
        return self.error is None and self.state == "streaming"


@dataclass(frozen=True)
class StrokePoint:
    """One sample of a pen stroke in pad coordinates (pressure 0..1, t seconds from the start)."""

    x: float
    y: float
    pressure: float
    t: float


@dataclass(frozen=True)
class Signature:
    """A signature: the stroke samples and a rendered grey image (white background)."""

    strokes: tuple[tuple[StrokePoint, ...], ...]
    image: NDArray[np.uint8]
    #: Pad size in its own units, so the strokes can be re-rendered.
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class Health:
    """Result of a health probe."""

    ok: bool
    detail: str
    latency_ms: float
    #: Reason code when not ok (a :class:`drivers.errors.DeviceError` code).
    code: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class Device(Protocol):
    """What every device offers: open, close and a health probe."""

    name: str

    def open(self) -> None:
        """Open the transport and check the device answers. Raises DeviceError."""

    def close(self) -> None:
        """Release the device. Never raises."""

    def probe(self) -> Health:
        """Run a minimal exchange and report. Never raises."""


@runtime_checkable
class DocumentScanner(Device, Protocol):
    """An MRZ reader: a document arriving is the insert event."""

    def read_document(self, timeout: float) -> MrzRead | None:
        """Wait up to ``timeout`` s for a document; None when none arrived."""


@runtime_checkable
class FingerprintReader(Device, Protocol):
    """A flat single-finger reader, by byte protocol or vendor SDK."""

    def capture(self, timeout: float) -> FingerprintImage | None:
        """Wait up to ``timeout`` s for a finger and return its image; None when no finger came."""

    def finger_present(self) -> bool:
        """True while a finger lies on the reader, so the kiosk can ask for a fresh placement."""


@runtime_checkable
class Camera(Device, Protocol):
    """A camera whose frames are read by a background thread; the newest frame wins."""

    def latest(self) -> Frame | None:
        """The newest frame, or None before the first. Never blocks."""

    def status(self) -> CameraStatus:
        """The stream's health now; ``error`` names what is wrong. Never raises."""

    def raise_if_failed(self) -> None:
        """Raise the stream's current DeviceError (stalled, frozen, lost); nothing while ok."""


@runtime_checkable
class SignaturePad(Device, Protocol):
    """A pen pad. Delivers the strokes of one signature."""

    def capture(self, timeout: float) -> Signature | None:
        """Wait up to ``timeout`` s for the citizen to sign and confirm; None when they did not."""

    def clear(self) -> None:
        """Discard the strokes so far (the citizen wants to sign again)."""




@dataclass(frozen=True)
class LiftStatus:
    """Where the camera lift is and what it is doing, as its controller reports it."""

    #: The column's position in millimetres above its lowest point.
    position_mm: int
    #: ``idle``, ``moving``, ``stalled`` or ``obstructed`` (the last two are latched faults).
    state: str
    #: Travel limits in millimetres.
    min_mm: int
    max_mm: int

    @property
    def fault(self) -> str | None:
        """``stalled`` or ``obstructed`` while a fault is latched, else None."""
        return self.state if self.state in ("stalled", "obstructed") else None

    @property
    def moving(self) -> bool:
        """True while the column runs."""
        return self.state == "moving"


@runtime_checkable
class CameraLift(Device, Protocol):
    """A motorised column that moves the camera (and screen) up and down, in millimetres."""

    def lift_status(self) -> LiftStatus:
        """Position, state and limits now. Raises DeviceError."""

    def move_to(self, position_mm: int) -> None:
        """Start running to ``position_mm`` (clamped to the limits); returns at once.

        Raises LiftStalledError / LiftObstructedError while a fault is latched.
        """

    def stop(self) -> None:
        """Stop now. Raises DeviceError when the controller cannot be reached."""

    def reset(self) -> None:
        """Clear a latched stall or obstruction (staff, after looking). Raises DeviceError."""


@dataclass(frozen=True)
class Receipt:
    """One receipt, already in the citizen's language (made by :mod:`kiosk.receipt`).

    It carries the application's reference and nothing else about the citizen.
    """

    #: The language the texts are in (a kiosk language code).
    language: str
    title: str
    #: The label above the reference.
    reference_label: str
    #: The reference, grouped as the done screen shows it (``PB · 7K3Q · 9XM2 · T``).
    reference: str
    #: What the QR code holds: the reference as typed (``PB-7K3Q-9XM2-T``).
    qr_payload: str
    #: The day of the application in the citizen's language, with its label.
    date: str
    #: Paragraphs of what happens next.
    next_steps: tuple[str, ...]


@runtime_checkable
class ReceiptPrinter(Device, Protocol):
    """A receipt printer: prints a receipt or says, by a named error, why it cannot."""

    def print_receipt(self, receipt: Receipt) -> None:
        """Print ``receipt``; raises the printer's DeviceError (paper out, cover open...)."""

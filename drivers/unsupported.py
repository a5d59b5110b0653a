"""A device the kiosk has no driver for yet: it fails every call with a clear reason.

It stands in for any kind of device, so it satisfies every device interface; the check at the
bottom makes mypy prove it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from drivers.errors import DeviceNotFoundError
from drivers.interfaces import CameraStatus, Health

if TYPE_CHECKING:
    from drivers.interfaces import Camera, DocumentScanner, FingerprintReader, SignaturePad


class UnsupportedDevice:
    """Stands where a configured device has no driver, so the self-test names the gap."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason

    def _error(self) -> DeviceNotFoundError:
        return DeviceNotFoundError(self.name, self.reason)

    def open(self) -> NoReturn:
        raise self._error()

    def close(self) -> None:
        """Nothing to release."""

    def probe(self) -> Health:
        return Health(False, self.reason, 0.0, code=DeviceNotFoundError.code)

    def capture(self, timeout: float) -> NoReturn:
        raise self._error()

    def clear(self) -> None:
        """Nothing to clear."""

    # Whatever kind of device stands here, using it fails the same way.
    def read_document(self, timeout: float) -> NoReturn:
        raise self._error()

    def latest(self) -> NoReturn:
        raise self._error()

    def status(self) -> CameraStatus:
        """A camera that never streams: closed, with the reason as its error. Never raises."""
        return CameraStatus("closed", self._error(), 0.0, 0, 0, None, 0)

    def raise_if_failed(self) -> NoReturn:
        raise self._error()

    def finger_present(self) -> NoReturn:
        raise self._error()


if TYPE_CHECKING:

    def _stands_for_every_device(
        device: UnsupportedDevice,
    ) -> tuple[DocumentScanner, FingerprintReader, Camera, SignaturePad]:
        return device, device, device, device

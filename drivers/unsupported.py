"""A device the kiosk has no driver for yet: it fails every call with a clear reason."""

from __future__ import annotations

from typing import NoReturn

from drivers.errors import DeviceNotFoundError
from drivers.interfaces import Health


class UnsupportedDevice:
    """Stands where a configured device has no driver, so the self-test names the gap."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason

    def open(self) -> NoReturn:
        raise DeviceNotFoundError(self.name, self.reason)

    def close(self) -> None:
        """Nothing to release."""

    def probe(self) -> Health:
        return Health(False, self.reason, 0.0, code=DeviceNotFoundError.code)

    def capture(self, timeout: float) -> NoReturn:
        raise DeviceNotFoundError(self.name, self.reason)

    def clear(self) -> None:
        """Nothing to clear."""

    # Whatever kind of device stands here, using it fails the same way.
    def read_document(self, timeout: float) -> NoReturn:
        raise DeviceNotFoundError(self.name, self.reason)

    def latest(self) -> NoReturn:
        raise DeviceNotFoundError(self.name, self.reason)

    def raise_if_failed(self) -> NoReturn:
        raise DeviceNotFoundError(self.name, self.reason)

    def finger_present(self) -> NoReturn:
        raise DeviceNotFoundError(self.name, self.reason)

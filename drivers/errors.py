"""Named device errors: what went wrong, a reason code for the UI and a message fit for staff.

Every driver raises only these (never a bare ``serial.SerialException`` or ``OSError``), so the
workflow can tell a citizen what happened and offer a retry, and staff can see which device
failed and why.
"""

from __future__ import annotations


class DeviceError(Exception):
    """A device could not do what was asked. The fault is the device's, not the citizen's."""

    #: Short, stable code the UI maps to a translated message and pictogram.
    code: str = "device_error"
    #: Title for a staff-facing modal.
    title: str = "Device error"

    def __init__(self, device: str, detail: str) -> None:
        super().__init__(f"{device}: {detail}")
        #: Which device (its configured name, e.g. ``scanner``).
        self.device = device
        #: What happened, in words for staff. Never carries personal data.
        self.detail = detail

    @property
    def staff_message(self) -> str:
        """One line for the staff panel and the audit log."""
        return f"{self.title} ({self.device}): {self.detail}"


class DeviceNotFoundError(DeviceError):
    """The device is not there: no such port, camera index or URL."""

    code = "device_not_found"
    title = "Device not found"


class DeviceDisconnectedError(DeviceError):
    """The device was there and went away (cable pulled, port closed under us)."""

    code = "device_disconnected"
    title = "Device disconnected"


class DeviceTimeoutError(DeviceError):
    """The device did not answer in time."""

    code = "device_timeout"
    title = "Device timeout"


class DeviceProtocolError(DeviceError):
    """The device answered with bytes that break its protocol (garbage, bad sum, truncation)."""

    code = "device_protocol_error"
    title = "Device protocol error"


class DeviceRefusedError(DeviceError):
    """The device understood the request and reported a failure of its own (a status code)."""

    code = "device_refused"
    title = "Device reported an error"

    def __init__(self, device: str, detail: str, status: str) -> None:
        super().__init__(device, detail)
        #: The device's own status name, e.g. ``image_upload_failure``.
        self.status = status


class LiftStalledError(DeviceError):
    """The camera lift's motor stalled (overcurrent) and the column stopped; latched until a
    reset, so nothing moves again by itself."""

    code = "lift_stalled"
    title = "Camera lift stalled"


class LiftObstructedError(DeviceError):
    """The camera lift's anti-collision sensor stopped the column: something is in the way."""

    code = "lift_obstructed"
    title = "Camera lift obstructed"


class LiftUnpluggedError(DeviceDisconnectedError):
    """The camera lift's controller is not there (cable out, port gone)."""

    code = "lift_unplugged"
    title = "Camera lift unplugged"


class LiftGarbageError(DeviceProtocolError):
    """The camera lift's controller sent lines that break its protocol (noise, bad checksum)."""

    code = "lift_garbage"
    title = "Camera lift protocol error"

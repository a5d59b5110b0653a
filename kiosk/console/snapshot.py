"""What a kiosk tells the console about itself, built from the service's public messages.

:class:`KioskWatch` subscribes to the bus (never privately: camera frames are not for it) and
keeps device health, the out-of-service reason and the last refusal's code; the rest (step,
help call, who acknowledged it) is read from the service when a snapshot is made. A snapshot
holds codes, counts, staff names and seconds: the citizen's data never reaches it.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from kiosk.service.messages import (
    ApplicationCompleted,
    DeviceHealth,
    HelpAcknowledged,
    HelpRequested,
    Message,
    Refused,
    ServiceAvailability,
    StaffActionTaken,
    StaffSignedIn,
    StaffSignedOut,
    StateChanged,
)
from kiosk.workflow import State

if TYPE_CHECKING:
    from kiosk.service.bus import Subscription
    from kiosk.service.kiosk import KioskService

log = logging.getLogger(__name__)

#: Messages that change what the console shows (StepProgress and the like do not).
RELEVANT = (StateChanged, HelpRequested, HelpAcknowledged, Refused, DeviceHealth,
            ServiceAvailability, ApplicationCompleted, StaffActionTaken, StaffSignedIn,
            StaffSignedOut)
#: How long the store's count is reused before it is asked again (seconds).
STORE_EVERY_S = 5.0


class KioskWatch:
    """Follows one kiosk's messages; :meth:`snapshot` says where it stands now."""

    def __init__(self, service: KioskService, clock: Any = time.monotonic) -> None:
        self.service = service
        self.clock = clock
        self._lock = threading.Lock()
        self._devices: dict[str, dict[str, Any]] = {
            name: {"ok": True, "code": ""} for name, _device in service.devices.items()}
        self._out_reason = ""
        self._refusal: tuple[str, float] | None = None
        self._store: tuple[float, dict[str, Any]] | None = None
        #: Set whenever something the console shows may have changed.
        self.changed = threading.Event()
        self.changed.set()
        self._subscription: Subscription | None = None

    def attach(self) -> KioskWatch:
        """Start listening to the service's (public) messages."""
        self._subscription = self.service.bus.subscribe(self.hear)
        return self

    def detach(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None

    def hear(self, message: Message) -> None:
        """A bus callback: quick, never raises."""
        if not isinstance(message, RELEVANT):
            return
        with self._lock:
            match message:
                case DeviceHealth(device=device, ok=ok, code=code):
                    self._devices[device] = {"ok": ok, "code": "" if ok else (code or "fault")}
                case StateChanged(old=State.DEVICE_ERROR, event="RetryDevice"):
                    # The citizen retries: the device is presumed well until it fails again.
                    for health in self._devices.values():
                        health.update(ok=True, code="")
                case ServiceAvailability(in_service=in_service, reason=reason):
                    self._out_reason = "" if in_service else (reason or "other")
                case Refused(reason=reason):
                    self._refusal = (reason, self.clock())
                case ApplicationCompleted():
                    self._store = None
                case _:
                    pass
        self.changed.set()

    def snapshot(self) -> dict[str, Any]:
        """Where the kiosk stands now, as the console shows it (see ``protocol``)."""
        service = self.service
        config = service.config
        now = self.clock()
        session = service.session
        state = session.state
        underneath = session.underneath
        history = list(session.history)
        entered = history[-1].entered_at if history else now
        help_call = None
        if state is State.HELP or underneath is State.HELP:
            since = next((visit.entered_at for visit in reversed(history)
                          if visit.state is State.HELP), entered)
            asked_at = underneath if state is State.HELP else None
            help_call = {"age_s": round(max(0.0, now - since), 1),
                         "acknowledged_by": session.data.help_acknowledged_by,
                         "state": asked_at.value if asked_at is not None else None}
        with self._lock:
            devices = {name: dict(health) for name, health in self._devices.items()}
            out_reason = self._out_reason if state is State.OUT_OF_SERVICE else ""
            if state is State.OUT_OF_SERVICE and not out_reason:
                out_reason = "other"
            refusal = None if self._refusal is None else {
                "reason": self._refusal[0], "age_s": round(max(0.0, now - self._refusal[1]), 1)}
        return {
            "type": "snapshot",
            "kiosk_id": config.kiosk_id,
            "name": config.console.name or config.kiosk_id,
            "place": config.console.place,
            "state": state.value,
            "underneath": underneath.value if underneath is not None else None,
            "state_age_s": round(max(0.0, now - entered), 1),
            "help": help_call,
            "devices": devices,
            "in_service": state is not State.OUT_OF_SERVICE,
            "out_of_service_reason": out_reason,
            "applications": self._applications(now),
            "last_refusal": refusal,
            "staff": service.staff_signed_in,
        }

    def _applications(self, now: float) -> dict[str, Any]:
        store = self.service.store
        if store is None:
            return {"pending": None, "oldest_age_s": None}
        cached = self._store
        if cached is not None and now - cached[0] < STORE_EVERY_S:
            return cached[1]
        try:
            status = store.status()
        except Exception as error:  # a broken store must not break the link
            log.warning("store status for the console failed: %s", type(error).__name__)
            return {"pending": None, "oldest_age_s": None}
        oldest = status.oldest_age_s
        value = {"pending": status.pending,
                 "oldest_age_s": None if oldest is None else round(oldest)}
        self._store = (now, value)
        return value


"""The session workflow: a pure state machine (no Textual, OpenCV or serial imports)."""

from kiosk.workflow.events import *  # noqa: F403 - the events are the package's vocabulary
from kiosk.workflow.machine import (
    ACTIVE_STATES,
    TRANSITIONS,
    IllegalEventError,
    State,
)
from kiosk.workflow.session import Session, SessionData

__all__ = ["ACTIVE_STATES", "TRANSITIONS", "IllegalEventError", "Session", "SessionData", "State"]

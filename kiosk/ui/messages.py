"""Messages that workers post to their screen (thread-safe; dropped when the screen is gone)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from kiosk.workflow import events as ev


@dataclass
class WorkflowEvent(Message):
    """A worker's result for the workflow (a document read, a photo taken, a device failure)."""

    event: ev.Event


@dataclass
class Progress(Message):
    """A step's live status for the citizen: a text key with values, and an optional frame."""

    key: str
    values: dict[str, Any]
    frame: Any = None
    fraction: float | None = None
    #: The citizen did something at a device (pressed a finger, stands at the camera): it
    #: counts as activity for the inactivity clock, like a tap.
    activity: bool = False

    def can_replace(self, message: Message) -> bool:
        # Frames arrive faster than the screen draws: only the newest matters.
        return isinstance(message, Progress)

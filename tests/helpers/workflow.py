"""Stand-ins for the workflow tests: a settable clock and document decisions."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    """The part of a document decision the workflow reads."""

    eligible: bool = True
    path: str = "self_service"
    reason: str = "ok"
    fingerprints_required: bool = True


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

"""Why staff marked a finger as impossible to capture (a light module: screens and the
service's buttons use it without loading the fingerprint core)."""

from __future__ import annotations

from enum import StrEnum


class UnavailableReason(StrEnum):
    """Why staff marked a finger as impossible to capture."""

    AMPUTATED = "amputated"
    PERMANENT_INJURY = "permanent_injury"
    TEMPORARY_INJURY = "temporary_injury"
    BANDAGED = "bandaged"
    OTHER = "other"

"""The photo core: pure code, no devices and no UI."""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Imported lazily, so that loading the settings (for the config) does not pull in OpenCV.
_EXPORTS = {
    "FaceAnalyzer": "analysis", "FrameAnalysis": "analysis",
    "AutoCapture": "capture", "CaptureState": "capture", "CaptureStatus": "capture",
    "Guide": "guidance", "Instruction": "guidance",
    "PhotoReport": "report", "assess": "report",
    "REASON_CODES": "result", "CheckResult": "result", "Status": "result",
    "LivePhotoSession": "session", "LiveUpdate": "session",
    "PhotoSettings": "settings",
    "TokenPhoto": "token", "TokenPhotoError": "token", "make_token_photo": "token",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f"kiosk.photo.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'kiosk.photo' has no attribute {name!r}")

"""The fingerprint core: pure code over images, no devices and no UI.

The integration API is documented in README.md in this folder. Names are imported lazily, so
that reading the settings (``kiosk.fingerprint.settings``) does not load OpenCV and SciPy.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "assess_quality": "quality", "Feedback": "quality", "QualityResult": "quality",
    "FingerSequence": "sequence", "SequenceResult": "sequence", "StoredFinger": "sequence",
    "AttemptResult": "sequence", "Outcome": "sequence", "Verdict": "sequence",
    "UnavailableReason": "unavailable", "SequenceError": "sequence",
    "CaptureRequest": "impression", "Impression": "impression", "take_impression": "impression",
    "Template": "matching", "compare": "matching", "extract_template": "matching",
    "to_wsq": "encoding", "to_png_lossless": "encoding", "iso19794_4_record": "encoding",
    "parse_iso19794_4": "encoding", "FingerPosition": "positions",
    "FingerprintSettings": "settings",
}  # fmt: skip

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)

"""mediapipe's face solutions, imported once for the whole process, under a lock.

mediapipe's package initialisation is not safe when two threads import it for the first time
at once (the loser sees a half-built package: ``NameError: name 'framework' is not defined``).
The photo runner and the simulator's background preparation both load it lazily, on their own
threads, so every user goes through :func:`solutions`.
"""

from __future__ import annotations

import threading
from types import ModuleType

_LOCK = threading.Lock()


def solutions() -> ModuleType:
    """``mediapipe.solutions`` (face detection, face mesh, selfie segmentation)."""
    with _LOCK:
        import mediapipe

        solutions_module: ModuleType = mediapipe.solutions
        return solutions_module

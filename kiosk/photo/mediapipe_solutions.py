"""mediapipe's face solutions, imported once for the whole process, under a lock.

mediapipe's package initialisation is not safe when two threads import it for the first time
at once (the loser sees a half-built package: ``NameError: name 'framework' is not defined``).
The photo runner and the simulator's background preparation both load it lazily, on their own
threads, so every user goes through :func:`solutions`.

mediapipe's drawing helpers import ``matplotlib.pyplot`` as they load, for a 3-D plot the kiosk
never draws: two thirds of mediapipe's import time (3 of 4.2 s on a busy 2-core machine), spent
while a citizen waits at the photo step. During that import stand-ins take the place of
``matplotlib`` and its pyplot; a stand-in loads the real module on first use, and any later
``import matplotlib`` gets the real one.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import threading
from importlib.machinery import ModuleSpec
from types import ModuleType

_LOCK = threading.Lock()
#: What mediapipe imports and never uses for faces.
_UNUSED = ("matplotlib", "matplotlib.pyplot")


class _OnFirstUse(ModuleType):
    """Stands in for a module: the real one is imported when an attribute is first read.

    It carries the real module's spec, found without importing it: code on another thread
    that asks ``importlib.util.find_spec`` while a stand-in is in ``sys.modules`` (the receipt
    looking for matplotlib's fonts) gets the answer it would get anyway, not
    ``ValueError: matplotlib.__spec__ is None``.
    """

    def __init__(self, name: str, spec: ModuleSpec | None) -> None:
        super().__init__(name)
        self.__spec__ = spec

    def __getattr__(self, name: str) -> object:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


def _specs() -> dict[str, ModuleSpec | None]:
    """The specs of :data:`_UNUSED`, found on the path without importing anything."""
    package = importlib.machinery.PathFinder.find_spec(_UNUSED[0])
    places = package.submodule_search_locations if package is not None else None
    pyplot = importlib.machinery.PathFinder.find_spec(_UNUSED[1], places) if places else None
    return {_UNUSED[0]: package, _UNUSED[1]: pyplot}


def solutions() -> ModuleType:
    """``mediapipe.solutions`` (face detection, face mesh, selfie segmentation)."""
    with _LOCK:
        stand_ins: dict[str, ModuleType] = {}
        if "mediapipe" not in sys.modules and not any(name in sys.modules for name in _UNUSED):
            stand_ins = {name: _OnFirstUse(name, spec) for name, spec in _specs().items()}
            vars(stand_ins["matplotlib"])["pyplot"] = stand_ins["matplotlib.pyplot"]
            sys.modules.update(stand_ins)
        try:
            import mediapipe
        finally:
            for name, stand_in in stand_ins.items():
                if sys.modules.get(name) is stand_in:
                    del sys.modules[name]

        solutions_module: ModuleType = mediapipe.solutions
        return solutions_module

"""mediapipe loads safely when the photo step and the simulator ask for it at the same moment
(its first import from two threads at once left a half-built package: NameError)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import threading
from kiosk.photo.mediapipe_solutions import solutions
barrier = threading.Barrier(4)
loaded, failed = [], []
def load():
    barrier.wait()
    try:
        loaded.append(solutions().face_mesh.FaceMesh)
    except Exception as error:
        failed.append(repr(error))
threads = [threading.Thread(target=load) for _ in range(4)]
for thread in threads: thread.start()
for thread in threads: thread.join()
print(len(loaded), failed)
"""


def test_four_threads_loading_mediapipe_at_once_all_get_it() -> None:
    # A fresh interpreter: in this one mediapipe may be imported already.
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.stdout.strip().splitlines()[-1] == "4 []", done.stdout + done.stderr


PYPLOT_SCRIPT = """
import sys
from kiosk.photo.mediapipe_solutions import solutions
mp = solutions()
print(sorted(name for name in sys.modules if name.split('.')[0] == 'matplotlib'))
figure = mp.drawing_utils.plt.figure  # mediapipe's own pyplot, loaded on first use
import matplotlib.pyplot as plt
print(figure is plt.figure, type(plt).__name__, plt.__file__.endswith('pyplot.py'))
"""


def test_mediapipe_loads_without_matplotlib_and_pyplot_still_works_when_used() -> None:
    done = subprocess.run([sys.executable, "-c", PYPLOT_SCRIPT], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.stdout.strip().splitlines()[-2:] == ["[]", "True module True"], (
        done.stdout + done.stderr)


SPEC_SCRIPT = """
import importlib.util, sys
from kiosk.photo import mediapipe_solutions as m
stand_ins = {name: m._OnFirstUse(name, spec) for name, spec in m._specs().items()}
sys.modules.update(stand_ins)
spec = importlib.util.find_spec("matplotlib")
pyplot = importlib.util.find_spec("matplotlib.pyplot")
real = [name for name in sys.modules
        if name.split('.')[0] == 'matplotlib' and sys.modules[name] not in stand_ins.values()]
print(spec.origin.endswith('__init__.py'), pyplot.origin.endswith('pyplot.py'), real)
"""


def test_a_stand_in_answers_find_spec_as_the_real_module_would() -> None:
    # The receipt asks find_spec("matplotlib") for its fonts while, on another thread,
    # mediapipe may be loading behind the stand-ins: it must get the spec, not ValueError,
    # and asking must not import matplotlib.
    done = subprocess.run([sys.executable, "-c", SPEC_SCRIPT], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.stdout.strip().splitlines()[-1:] == ["True True []"], done.stdout + done.stderr

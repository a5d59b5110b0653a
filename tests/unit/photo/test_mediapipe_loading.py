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

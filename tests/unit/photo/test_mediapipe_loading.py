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

"""The service imports the steps' heavy modules ahead, and a failed import harms nothing."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from kiosk.photo import mediapipe_solutions
from kiosk.service import kiosk as service_module

SCRIPT = """
import sys
from kiosk.service.kiosk import _warm_up_steps
_warm_up_steps()
print('mediapipe' in sys.modules, 'kiosk.steps.fingerprints' in sys.modules)
"""


def test_the_warm_up_imports_the_face_models_and_the_fingerprint_core() -> None:
    # A fresh interpreter: in this one they may be imported already.
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.stdout.strip().splitlines()[-1] == "True True", done.stdout + done.stderr


def test_a_failed_warm_up_is_one_warning_not_an_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    def broken() -> object:
        raise ImportError("no mediapipe wheel for this machine")

    monkeypatch.setattr(mediapipe_solutions, "solutions", broken)
    with caplog.at_level(logging.WARNING, logger=service_module.__name__):
        service_module._warm_up_steps()
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "could not be loaded ahead" in caplog.records[0].getMessage()

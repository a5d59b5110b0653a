"""``kiosk simulate`` end to end, as a user runs it: a process, its output and its exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from simulator.scenario import available

pytestmark = pytest.mark.slow


def start(scenario: str, front: str = "--headless", **environment: str
          ) -> subprocess.Popen[str]:
    """``kiosk simulate --json`` as a user starts it, not waited for."""
    env = dict(os.environ, PASBOKS_SIMULATOR__PACING="false", **environment)
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "simulate", "--scenario", scenario, front,
         "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def result(process: subprocess.Popen[str]) -> tuple[int, dict[str, object]]:
    """Its exit code and JSON summary (300 s is a hang guard: a run takes seconds)."""
    try:
        stdout, stderr = process.communicate(timeout=300)
    finally:
        process.kill()
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    assert lines, stdout + stderr
    assert "Traceback" not in stderr, stderr
    return process.returncode, json.loads(lines[-1])


def simulate(scenario: str, front: str = "--headless", **environment: str
             ) -> tuple[int, dict[str, object]]:
    return result(start(scenario, front, **environment))


def screens(summary: dict[str, object]) -> list[str]:
    return [step["screen"] for step in summary["steps"]]  # type: ignore[index, attr-defined]


@pytest.mark.parametrize("scenario", available())
def test_no_ui_and_headless_agree_on_every_bundled_scenario(scenario: str) -> None:
    """The service driven directly and the real UI visit the same screens to the same end."""
    # Side by side (each waits on its simulated devices much of the time): half the wall time.
    both = start(scenario, "--no-ui"), start(scenario, "--headless")
    (code_no_ui, no_ui), (code_ui, ui) = result(both[0]), result(both[1])
    assert code_no_ui == code_ui
    assert set(no_ui) == set(ui) == {"scenario", "outcome", "reference", "refusal", "taps",
                                     "seconds", "steps", "faults", "error", "step_seconds"}
    for key in ("outcome", "refusal", "taps", "faults", "error"):
        assert no_ui[key] == ui[key], key
    assert screens(no_ui) == screens(ui)


def test_a_no_ui_run_loads_no_textual_module() -> None:
    env = dict(os.environ, PASBOKS_SIMULATOR__PACING="false")
    code = ("import sys; sys.argv = ['kiosk', 'simulate', '--scenario', "
            "'expired-document', '--no-ui', '--json']\n"
            "from kiosk.cli import main\n"
            "main()\n"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'textual')\n"
            "print('TEXTUAL', loaded)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env=env, check=False)
    assert "TEXTUAL []" in done.stdout, done.stdout + done.stderr


def test_happy_scenario_completes_with_a_reference() -> None:
    code, summary = simulate("happy")
    assert code == 0, summary
    assert summary["outcome"] == "completed"
    assert str(summary["reference"]).startswith("PB-")
    screens = [step["screen"] for step in summary["steps"]]  # type: ignore[index]
    assert screens[:10] == ["welcome", "identify", "photo", "photo_review", "fingerprints",
                            "signature", "summary", "consent", "handoff", "done"]
    assert summary["taps"] == 6


def test_happy_scenario_on_a_500ppi_usb_scanner() -> None:
    code, summary = simulate("happy", PASBOKS_DEVICES__FINGERPRINT__MODEL="usb-500ppi")
    assert code == 0, summary
    assert summary["outcome"] == "completed"


def test_expired_document_is_refused_and_exits_nonzero() -> None:
    code, summary = simulate("expired-document")
    assert code == 1
    assert summary["outcome"] == "refused"
    assert summary["refusal"] == "expired_too_long"
    assert summary["reference"] is None


@pytest.mark.parametrize(("scenario", "fault"), [
    ("scanner-unplugged", "scanner:unplug"),
    ("fingerprint-garbage", "fingerprint:garbage"),
    ("camera-freeze", "camera:freeze"),
    ("signature-unplugged", "signature:unplug"),
])
def test_fault_scenarios_recover_and_complete(scenario: str, fault: str) -> None:
    code, summary = simulate(scenario)
    assert code == 0, summary
    assert fault in summary["faults"]  # type: ignore[operator]
    assert "device_error" in [step["screen"] for step in summary["steps"]]  # type: ignore[index]


def test_missing_finger_is_skipped_by_staff_and_completes() -> None:
    code, summary = simulate("missing-finger")
    assert code == 0, summary
    assert summary["taps"] == 10  # with the librarian's sign-in


def test_unknown_scenario_is_a_clear_error() -> None:
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "simulate", "--scenario", "nope",
                           "--headless"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "no scenario 'nope'" in done.stderr and "Traceback" not in done.stderr


def test_invalid_config_is_one_clear_message(tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "bad.toml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("[devices.camera]\nwidth = -5\n")
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "run", "--config", path],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert f"{path}: devices.camera.width: Input should be greater than 0" in done.stderr
    assert "Traceback" not in done.stderr


def test_devices_check_reports_every_simulated_device() -> None:
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "devices", "check", "--json"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    devices = [json.loads(line) for line in done.stdout.splitlines()]
    assert [d["device"] for d in devices] == ["scanner", "fingerprint", "camera", "signature",
                                            "printer"]
    assert all(d["ok"] for d in devices)

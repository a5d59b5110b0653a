"""The appliance: deploy/smoke-test boots the real kiosk session (Cage headless, foot, Pasboks on
the simulator) and leaves a screenshot of the welcome screen; the units are hardened and pass
``systemd-analyze verify``; install.sh --dry-run plans the whole install and changes nothing."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers.kiosk import Hung

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted(DEPLOY.glob("*.service"))
TOOLS = ("cage", "foot", "grim", "Xwayland")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]
ENABLE = "the appliance test needs Cage: apt-get install cage foot grim xwayland (.ci/run does)"

needs_cage = pytest.mark.skipif(bool(MISSING), reason=ENABLE)


def _smoke_test(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(DEPLOY / "smoke-test"), str(out), *args],
                          capture_output=True, text=True, timeout=600)


def _stylesheet_colours() -> set[tuple[int, int, int]]:
    """Every #rrggbb the kiosk's stylesheet uses."""
    text = (ROOT / "kiosk" / "ui" / "kiosk.tcss").read_text(encoding="utf-8")
    return {(int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
            for h in re.findall(r"#([0-9a-fA-F]{6})\b", text)}


@pytest.mark.appliance
@pytest.mark.slow
@needs_cage
@pytest.mark.parametrize("terminal", ["foot", "kitty"])
def test_the_session_boots_to_the_welcome_screen(terminal: str, tmp_path: Path) -> None:
    if shutil.which(terminal) is None:
        pytest.skip(f"{terminal} is not installed: apt-get install {terminal}")
    out = tmp_path / "shot.png"
    result = _smoke_test(out, "--terminal", terminal)
    assert result.returncode == 0, result.stderr
    with Image.open(out) as image:
        assert image.format == "PNG"
        width, height = image.size
        assert width >= 640 and height >= 480
        pixels = width * height
        colours = {rgb: n for n, rgb in image.convert("RGB").getcolors(pixels) or []}
    # Not blank: no single colour covers the screen, and text was drawn (many shades).
    assert max(colours.values()) < 0.95 * pixels
    assert len(colours) >= 50
    # The kiosk's own colours, not a terminal's: at least three of the stylesheet's colours
    # cover a visible area each (backgrounds, the accent of the title and the selected button).
    shown = [rgb for rgb in _stylesheet_colours() if colours.get(rgb, 0) >= 0.001 * pixels]
    assert len(shown) >= 3, f"stylesheet colours on screen: {shown}"


@pytest.mark.appliance
@needs_cage
def test_a_session_that_does_not_come_up_fails_with_one_line(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    result = _smoke_test(out, "--timeout", "1")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "did not come up within 1 s" in lines[0]
    assert "Traceback" not in result.stderr
    assert not out.exists()


def _settings(unit: Path) -> dict[str, list[str]]:
    """KEY -> values of a unit file (keys may repeat; comments skipped)."""
    found: dict[str, list[str]] = {}
    for line in unit.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


@pytest.mark.parametrize("unit", UNITS, ids=[unit.name for unit in UNITS])
def test_units_are_notify_services_with_a_watchdog_and_hardened(unit: Path) -> None:
    settings = _settings(unit)
    expected = {"Type": "notify", "Restart": "always", "User": "pasboks",
                "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
                "NoNewPrivileges": "yes", "CapabilityBoundingSet": "",
                "SystemCallFilter": "@system-service", "StateDirectory": "pasboks",
                "UMask": "0077"}
    for key, value in expected.items():
        assert value in settings.get(key, []), f"{unit.name}: {key}={value}"
    assert settings.get("WatchdogSec"), f"{unit.name}: no WatchdogSec="
    assert settings.get("RestrictAddressFamilies"), f"{unit.name}: no RestrictAddressFamilies="
    assert "AF_PACKET" not in " ".join(settings["RestrictAddressFamilies"])


def test_the_record_key_comes_as_an_encrypted_credential() -> None:
    for name in ("pasboks-kiosk@.service", "pasboks-handoff.service"):
        settings = _settings(DEPLOY / name)
        assert settings["LoadCredentialEncrypted"] == ["record-key:/etc/pasboks/record-key.cred"]
    # The console never opens the store: it gets no key.
    assert "LoadCredentialEncrypted" not in _settings(DEPLOY / "pasboks-console.service")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is missing")
def test_systemd_analyze_verify_finds_nothing(tmp_path: Path) -> None:
    # A root with systemd's own units, the pasboks units and stand-ins for the installed code.
    root = tmp_path / "root"
    shutil.copytree("/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    units = root / "etc/systemd/system"
    units.mkdir(parents=True)
    for unit in UNITS:
        shutil.copy(unit, units / unit.name)
    for program in ("opt/pasboks/deploy/pasboks-session", "opt/pasboks/.venv/bin/kiosk"):
        path = root / program
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    names = [unit.name.replace("@.service", "@tty1.service") for unit in UNITS]
    result = subprocess.run(["systemd-analyze", "verify", f"--root={root}",
                             *(f"/etc/systemd/system/{name}" for name in names)],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stderr


def test_install_dry_run_plans_everything_and_changes_nothing() -> None:
    result = subprocess.run(["bash", str(DEPLOY / "install.sh"), "--dry-run", "--no-apt"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for unit in UNITS:
        assert f"would write /etc/systemd/system/{unit.name}" in out
    assert "would write /etc/pam.d/pasboks-kiosk" in out
    assert "would write /etc/udev/rules.d/99-pasboks.rules" in out
    assert "make -C /opt/pasboks setup" in out
    assert "would run: systemctl enable pasboks-kiosk@tty1.service" in out
    assert "Dry run: nothing was changed." in out


def test_install_refuses_bad_options_with_one_line() -> None:
    result = subprocess.run(["bash", str(DEPLOY / "install.sh"), "--dry-run", "--tty", "vt1"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["install.sh: --tty must look like tty1, not vt1"]


class _Notifications:
    """A bound abstract datagram socket standing in for systemd's $NOTIFY_SOCKET."""

    def __init__(self) -> None:
        self.name = f"pasboks-test-{uuid.uuid4().hex}"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + self.name)

    def until(self, field: str, process: subprocess.Popen[str],
              timeout: float = 120.0) -> list[str]:
        """Messages up to the one holding ``field``; fails at once when ``process`` ended
        without sending it, and raises Hung after ``timeout``."""
        got: list[str] = []
        deadline = time.monotonic() + timeout
        self.sock.settimeout(0.5)
        while not got or field not in got[-1].split("\n"):
            try:
                got.append(self.sock.recv(4096).decode())
            except TimeoutError:
                if process.poll() is not None and field != "STOPPING=1":
                    pytest.fail(f"exited {process.returncode} before {field}: "
                                f"{process.stderr.read() if process.stderr else ''}")
                if time.monotonic() > deadline:
                    raise Hung(f"no {field} within {timeout} s; got {got}") from None
        return got


@pytest.mark.slow
@pytest.mark.parametrize("server", ["handoff", "console"])
def test_servers_notify_ready_watchdog_and_stopping(server: str, tmp_path: Path) -> None:
    from kiosk import pki

    kiosk = Path(sys.executable).with_name("kiosk")
    command = [str(kiosk), server, "serve", "--listen", "127.0.0.1:0"]
    if server == "handoff":
        command += ["--config", str(pki.make_demo(tmp_path / "demo").kiosk_config)]
    notifications = _Notifications()
    env = {**os.environ, "NOTIFY_SOCKET": "@" + notifications.name,
           "WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "",
           "XDG_STATE_HOME": str(tmp_path / "state"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        ready = notifications.until("READY=1", process)[-1]
        assert "STATUS=" in ready and "https://127.0.0.1:" in ready
        # Two pings, a watchdog interval apart: by then the server waits for SIGTERM (its
        # handler is set just after READY=1).
        notifications.until("WATCHDOG=1", process)
        notifications.until("WATCHDOG=1", process)
        process.send_signal(signal.SIGTERM)
        notifications.until("STOPPING=1", process)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        notifications.sock.close()

"""Test-wide setup: every kiosk the tests build keeps its store, keys and logs in a private
temporary directory, never in the developer's own ``~/.local/state/pasboks``."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_HOME = tempfile.mkdtemp(prefix="pasboks-tests-")
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)
os.environ["XDG_STATE_HOME"] = os.path.join(_HOME, "state")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
# Nor does a test talk to the systemd that may be running the test run (sd_notify).
for _name in ("STATE_DIRECTORY", "LOGS_DIRECTORY", "CREDENTIALS_DIRECTORY", "PASBOKS_CONFIG",
              "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
    os.environ.pop(_name, None)

# Hypothesis's deadline and "too slow" health check are timing assertions: on a loaded 2-core
# machine they fail tests whose logic is fine. Correctness is what the tests check.
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("pasboks", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("pasboks")


def pytest_configure(config: pytest.Config) -> None:
    """Markers registered here rather than in pyproject.toml."""
    config.addinivalue_line("markers", "appliance: boots the kiosk session under Cage and "
                            "screenshots it (deploy/smoke-test; skipped without cage, foot, "
                            "grim and Xwayland)")

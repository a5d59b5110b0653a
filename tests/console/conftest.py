"""Fixtures of the console tests: a console on a free port with its own state, kiosks on the
simulator linked to it, and (for the tests marked ``browser``) Debian's Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import (
    ConsoleSettings,
    KioskConfig,
    LogSettings,
    SimulatorSettings,
    StaffSettings,
    StorageSettings,
    TimeoutSettings,
)
from kiosk.console.accounts import Verdict
from kiosk.console.server import RunningConsole

#: The librarian the tests sign in as (their fake accounts know only her).
NAME, PIN = "anne", "135790"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ENABLE = "browser tests need Chromium: apt-get install chromium (Debian; .ci/run installs it)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium the browser tests are skipped with one line saying how to run them."""
    if CHROMIUM is not None:
        return
    skip = pytest.mark.skip(reason=ENABLE)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


class Librarians:
    """Anne with her PIN; anybody else is refused (the real accounts are tested elsewhere)."""

    def verify(self, name: str, secret: str) -> Verdict:
        return Verdict("ok", name) if (name, secret) == (NAME, PIN) else Verdict("refused")


def base_config(tmp_path: Path) -> KioskConfig:
    """The simulator without pacing, and every file of this test under ``tmp_path``."""
    return KioskConfig(
        simulator=SimulatorSettings(pacing=False),
        timeouts=TimeoutSettings(device_read_s=0.2),
        storage=StorageSettings(directory=tmp_path / "store"),
        logs=LogSettings(directory=tmp_path / "log"),
        staff=StaffSettings(accounts_file=tmp_path / "staff" / "staff.sqlite3", language="en"),
    )


def linked(config: KioskConfig, console: RunningConsole, kiosk_id: str, *,
           url: str | None = None, token_file: Path | None = None) -> KioskConfig:
    """``config`` for a kiosk linked to ``console``."""
    return config.model_copy(update={"kiosk_id": kiosk_id, "console": ConsoleSettings(
        url=url or console.link_url, token_file=token_file or console.tokens.path,
        ca=console.tls.ca, name=f"Kiosk {kiosk_id}", place="Test library")})


@pytest.fixture
def config(tmp_path: Path) -> KioskConfig:
    return base_config(tmp_path)


@pytest.fixture
def console(config: KioskConfig) -> Iterator[RunningConsole]:
    from kiosk.console.server import start_console

    running = start_console(config, "127.0.0.1:0", librarians=Librarians())
    try:
        yield running
    finally:
        running.close()

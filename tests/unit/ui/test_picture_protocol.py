"""Which drawing protocol a terminal gets: environment, query answers, config and test driver."""

from __future__ import annotations

import os
import pty
import threading

import pytest
from pydantic import ValidationError

from kiosk.config import KioskConfig
from kiosk.ui.widgets.graphics import (
    DA1_QUERY,
    KITTY_QUERY,
    TerminalAnswers,
    choose,
    detect,
    probe_terminal,
)

FOOT_DA1 = "\x1b[?62;4;22c"  # what foot 1.13 answers: VT220 with Sixel (4)
PLAIN_DA1 = "\x1b[?62;22c"  # a VT220 without Sixel
KITTY_OK = "\x1b_Gi=31;OK\x1b\\"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"TERM": "foot"}, "sixel"),
        ({"TERM": "foot-extra"}, "sixel"),
        ({"TERM": "xterm-kitty"}, "kitty"),
        ({"TERM": "xterm-256color", "KITTY_WINDOW_ID": "1"}, "kitty"),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, "sixel"),
        ({"TERM": "mlterm"}, "sixel"),
        ({"TERM": "xterm-256color"}, "halfblock"),
        ({"TERM": "linux"}, "halfblock"),
        ({}, "halfblock"),
        ({"TERM": "tmux-256color"}, "halfblock"),
        ({"TERM": "foot", "TMUX": "/tmp/tmux-1/default,1,0"}, "halfblock"),
    ],
)
def test_environment_names_the_protocol(env: dict[str, str], expected: str) -> None:
    assert detect(env) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (FOOT_DA1, "sixel"),
        (PLAIN_DA1, "halfblock"),
        (KITTY_OK + PLAIN_DA1, "kitty"),
        ("\x1b_Gi=31;ENOTSUPPORTED:no\x1b\\" + FOOT_DA1, "sixel"),
        ("\x1b[?64;1;4c", "sixel"),
        ("\x1b[?64;14c", "halfblock"),  # 14 is not 4
        ("", "halfblock"),
    ],
)
def test_terminal_answers_name_the_protocol(raw: str, expected: str) -> None:
    assert detect({"TERM": "xterm-256color"}, TerminalAnswers(raw)) == expected


def test_config_overrides_and_the_test_driver_gets_half_blocks() -> None:
    foot = {"TERM": "foot"}
    assert choose("auto", foot, headless=False) == "sixel"
    assert choose("auto", foot, headless=True) == "halfblock"
    assert choose("kitty", foot, headless=True) == "kitty"
    assert choose("halfblock", foot, headless=False) == "halfblock"


def test_display_section_in_the_config() -> None:
    assert KioskConfig().display.graphics == "auto"
    assert KioskConfig(display={"graphics": "sixel"}).display.graphics == "sixel"
    with pytest.raises(ValidationError):
        KioskConfig(display={"graphics": "png"})
    with pytest.raises(ValidationError):
        KioskConfig(display={"max_width": 10})


def _terminal(master: int, answer: str, seen: list[bytes]) -> None:
    """The terminal's side of a pty: read the queries, answer like a real terminal."""
    data = b""
    while not data.endswith(DA1_QUERY.encode()):
        data += os.read(master, 1024)
    seen.append(data)
    os.write(master, answer.encode())


@pytest.mark.parametrize(("answer", "expected"),
                         [(FOOT_DA1, "sixel"), (KITTY_OK + PLAIN_DA1, "kitty"),
                          (PLAIN_DA1, "halfblock")])
def test_probe_over_a_real_pty(answer: str, expected: str) -> None:
    master, slave = pty.openpty()
    seen: list[bytes] = []
    try:
        terminal = threading.Thread(target=_terminal, args=(master, answer, seen), daemon=True)
        terminal.start()
        answers = probe_terminal(slave, slave, timeout=5.0)
        terminal.join(5.0)
    finally:
        os.close(master)
        os.close(slave)
    assert answers is not None
    assert seen[0].startswith(KITTY_QUERY.encode())
    assert detect({"TERM": "xterm-256color"}, answers) == expected


def test_probe_of_a_non_terminal_is_none() -> None:
    read, write = os.pipe()
    try:
        assert probe_terminal(read, write) is None
    finally:
        os.close(read)
        os.close(write)


def test_probe_once_asks_once_and_remembers(monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk.ui.widgets import graphics

    calls: list[float] = []

    def probe(fd_in: int | None = None, fd_out: int | None = None,
              timeout: float = 0.2) -> TerminalAnswers:
        calls.append(timeout)
        return TerminalAnswers(FOOT_DA1)

    monkeypatch.setattr(graphics, "_probed", [])
    monkeypatch.setattr(graphics, "probe_terminal", probe)
    assert graphics.detected() is None
    first = graphics.probe_once()
    assert graphics.probe_once() is first and graphics.detected() is first
    assert len(calls) == 1
    assert choose("auto", {"TERM": "xterm"}, headless=False, answers=graphics.detected()) == "sixel"

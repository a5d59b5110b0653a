"""Scratch folders left by a simulator that is gone are removed; a live one's never are."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from simulator import scratch
from simulator.pty_device import PtyDevice


def folder(root: Path, name: str, owner: str | None) -> Path:
    path = root / f"{scratch.PREFIX}{name}"
    path.mkdir()
    (path / "scanner").symlink_to("/dev/null")
    if owner is not None:
        (path / scratch.OWNER_FILE).write_text(owner + "\n")
    return path


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_dead_owner_s_folder_is_removed_and_a_live_one_kept(tmp_path: Path) -> None:
    dead = folder(tmp_path, "dead", str(dead_pid()))
    me = os.getpid()
    live = folder(tmp_path, "live", f"{me} {scratch.process_start(me)}")
    live_pid_only = folder(tmp_path, "live-pid", str(me))
    removed = scratch.remove_stale(tmp_path)
    assert removed == [dead]
    assert not dead.exists() and live.exists() and live_pid_only.exists()


def test_a_reused_pid_does_not_keep_a_folder(tmp_path: Path) -> None:
    me = os.getpid()
    started = scratch.process_start(me)
    assert started is not None  # Linux /proc
    reused = folder(tmp_path, "reused", f"{me} {started + 12345}")
    assert scratch.remove_stale(tmp_path) == [reused]


def test_unowned_folders_are_removed_only_when_old(tmp_path: Path) -> None:
    young = folder(tmp_path, "young", None)
    old = folder(tmp_path, "old", None)
    long_ago = time.time() - 2 * scratch.UNOWNED_GRACE_S
    os.utime(old, (long_ago, long_ago))
    garbled = folder(tmp_path, "garbled", "not a pid")
    other = tmp_path / "someone-else"
    other.mkdir()
    assert scratch.remove_stale(tmp_path) == [old]
    assert young.exists() and garbled.exists() and other.exists()


def test_a_device_s_folder_names_its_owner() -> None:
    device = PtyDevice("probe", baud=9600, pacing=False)
    path = Path(device.start())
    try:
        owner = (path.parent / scratch.OWNER_FILE).read_text().split()
        assert int(owner[0]) == os.getpid()
        assert not scratch.is_stale(path.parent)
    finally:
        device.stop()
    assert not path.parent.exists()

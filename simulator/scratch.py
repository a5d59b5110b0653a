"""The simulator's scratch folders (``/tmp/pasboks-sim-*``: the serial devices' stable links).

Each folder carries an owner file naming the process that made it (pid and, on Linux, the
process's start time, so a reused pid is not mistaken for the owner). A kiosk that crashed
leaves its folders behind; :func:`remove_stale` removes those whose owner is gone and never
touches one whose owner still runs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

PREFIX = "pasboks-sim-"
OWNER_FILE = "owner.pid"
#: A folder without an owner file younger than this may be being made right now: left alone.
UNOWNED_GRACE_S = 60.0


def make_folder() -> str:
    """A new scratch folder owned by this process."""
    path = tempfile.mkdtemp(prefix=PREFIX)
    pid = os.getpid()
    started = process_start(pid)
    owner = f"{pid} {started}" if started is not None else str(pid)
    Path(path, OWNER_FILE).write_text(owner + "\n", encoding="ascii")
    return path


def process_start(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot, Linux), or None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may contain spaces: split after it.
    fields = stat.rpartition(")")[2].split()
    try:
        return int(fields[19])  # field 22 of the whole line
    except (IndexError, ValueError):
        return None


def owner_alive(pid: int, started: int | None) -> bool:
    """Whether process ``pid`` (started at ``started``, when known) still runs."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    if started is None:
        return True
    now = process_start(pid)
    return now is None or now == started


def is_stale(folder: Path) -> bool:
    """Whether ``folder``'s owner is gone (False when in doubt)."""
    try:
        text = (folder / OWNER_FILE).read_text(encoding="ascii").split()
    except FileNotFoundError:
        try:
            age = time.time() - folder.stat().st_mtime
        except OSError:
            return False
        return age > UNOWNED_GRACE_S  # left by a simulator from before owner files
    except OSError:
        return False
    try:
        pid = int(text[0])
        started = int(text[1]) if len(text) > 1 else None
    except (IndexError, ValueError):
        return False
    return not owner_alive(pid, started)


def remove_stale(root: str | Path | None = None) -> list[Path]:
    """Remove this user's scratch folders whose owner is gone; returns the ones removed."""
    base = Path(root if root is not None else tempfile.gettempdir())
    removed: list[Path] = []
    uid = os.getuid()
    for folder in base.glob(f"{PREFIX}*"):
        with contextlib.suppress(OSError):
            if folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != uid:
                continue
            if is_stale(folder):
                shutil.rmtree(folder)
                removed.append(folder)
    if removed:
        log.info("removed %d scratch folder(s) left by a simulator that is gone", len(removed))
    return removed

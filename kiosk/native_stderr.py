"""Keep native libraries' log lines off the terminal.

mediapipe's C++ code writes warnings straight to file descriptor 2 before its logging is set up,
and Textual draws the UI on that same descriptor: the lines would land in the middle of the
touchscreen. This moves descriptor 2 to a file (or /dev/null) and gives Python a fresh handle on
the terminal, so Python's messages and Textual's drawing still reach it.
"""

from __future__ import annotations

import os
import sys

_diverted = False


def divert_native_stderr(target: str = os.devnull) -> None:
    """Send what native code writes to fd 2 into ``target``; Python keeps the terminal."""
    global _diverted
    if _diverted:
        # Already diverted: only point fd 2 at the new target.
        _point_fd2(target)
        return
    if sys.stderr is not sys.__stderr__:
        # Python's stderr was already redirected (a test capturing it, an embedding program):
        # that owner decides where the text goes; fd 2 is not the terminal we would protect.
        return
    try:
        terminal = os.dup(2)
    except OSError:  # no stderr at all (a daemon): nothing to protect
        return
    stream = os.fdopen(terminal, "w", buffering=1, encoding=sys.stderr.encoding or "utf-8",
                       errors="backslashreplace")
    sys.stderr.flush()
    _point_fd2(target)
    sys.stderr = stream
    # typeshed marks sys.__stderr__ Final, but code that wants "the real terminal" (Textual's
    # driver among it) reads it: it must name the terminal handle, not the diverted fd 2.
    sys.__stderr__ = stream  # type: ignore[misc]
    _diverted = True


def _point_fd2(target: str) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(fd, 2)
    os.close(fd)

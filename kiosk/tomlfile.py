"""TOML files written by people (the kiosk config, scenarios), read with care.

:func:`read_toml` turns every way a file can be wrong into one :class:`TomlFileError` whose text
is one line naming the file and the problem: missing, a directory, a FIFO or a device, too
large, not UTF-8, not TOML, nested too deeply, a number too long to convert. No other exception
leaves it, whatever the bytes; the caller prints the line instead of a traceback.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from kiosk.safetext import printable

#: Largest file read (the example config is 10 kB; a scenario a few kB).
MAX_BYTES = 1_000_000
#: Deepest nesting of tables and arrays accepted (configs use 3, scenarios 4).
MAX_DEPTH = 32


class TomlFileError(Exception):
    """The file cannot be used; the message is one line: ``FILE: problem``."""


def read_toml(path: Path | str, what: str = "file", *, max_bytes: int = MAX_BYTES,
              max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """The TOML document in ``path`` as a dict.

    Args:
        path: The file to read; it must be a regular file.
        what: What the file is, for the messages ("config file", "scenario file").
        max_bytes: Larger files are refused unread.
        max_depth: Deeper nesting of tables and arrays is refused.

    Raises:
        TomlFileError: One line, ``FILE: problem``.
    """
    name = printable(path)
    data = _read_bytes(Path(path), name, what, max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise TomlFileError(f"{name}: not UTF-8 text (byte 0x{data[error.start]:02x} at line "
                            f"{line}, column {column}); save the {what} as UTF-8") from None
    if _dotted_depth(text) > max_depth:  # tomllib takes quadratic time over long dotted keys
        raise TomlFileError(f"{name}: nested too deeply (more than {max_depth} levels)")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TomlFileError(f"{name}: not valid TOML ({printable(error)})") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise TomlFileError(f"{name}: nested too deeply (more than {max_depth} "
                            "levels)") from None
    except ValueError as error:  # a number with thousands of digits, an impossible date
        reason = ("a number has too many digits" if "digits" in str(error)
                  else printable(error)[:200])
        raise TomlFileError(f"{name}: not valid TOML ({reason})") from None
    if _depth(document) > max_depth:
        raise TomlFileError(f"{name}: nested too deeply (more than {max_depth} levels)")
    return document


def _read_bytes(path: Path, name: str, what: str, max_bytes: int) -> bytes:
    try:
        # Non-blocking, so that a FIFO is refused instead of waited on.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise TomlFileError(f"{name}: no such {what}") from None
    except (OSError, ValueError) as error:  # ValueError: a NUL in the name
        reason = error.strerror if isinstance(error, OSError) else None
        raise TomlFileError(f"{name}: cannot be read ({reason or printable(error)})") from None
    try:
        status = os.fstat(fd)
        if stat.S_ISDIR(status.st_mode):
            raise TomlFileError(f"{name}: is a directory, not a {what}")
        if not stat.S_ISREG(status.st_mode):
            raise TomlFileError(f"{name}: is not a regular file (a {what} must be one)")
        if status.st_size > max_bytes:
            raise TomlFileError(f"{name}: too large for a {what} ({status.st_size:,} bytes; "
                                f"at most {max_bytes:,})")
        os.set_blocking(fd, True)
        chunks = []
        size = 0
        while size <= max_bytes:  # the file may grow between fstat and read
            chunk = os.read(fd, max_bytes + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise TomlFileError(f"{name}: cannot be read ({error.strerror or error})") from None
    finally:
        os.close(fd)
    if size > max_bytes:
        raise TomlFileError(f"{name}: too large for a {what} (more than {max_bytes:,} bytes)")
    return b"".join(chunks)


def _dotted_depth(text: str) -> int:
    """The most dots in a key or a table header of any line, counted before parsing (a quoted
    key's own dots count too, so this can only overestimate)."""
    deepest = 0
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("["):
            key = stripped.split("]", 1)[0]
        else:
            key = stripped.split("=", 1)[0] if "=" in stripped else ""
        deepest = max(deepest, key.count("."))
    return deepest


def _depth(value: object) -> int:
    """Nesting of the parsed document (dotted keys nest without brackets), without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return deepest

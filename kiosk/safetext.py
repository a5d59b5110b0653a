"""Text from outside (file names, MRZ lines, decoder messages) made safe to print.

A terminal obeys the control characters it is sent: an MRZ line or a file name carrying
``ESC [ 2 J`` would clear the screen, a carriage return would overwrite the verdict before it,
a right-to-left override would reverse what follows. Commands pass every input-derived string
through :func:`printable` (or print JSON with :func:`json_line`) so that such characters show
as visible escapes (``\\x1b``) and do nothing.
"""

from __future__ import annotations

import json
import re

# C0 and C1 controls and DEL; invisible format characters (zero-width, bidi embeddings and
# overrides and isolates, word joiners, BOM, interlinear annotation); line and paragraph
# separators; lone surrogates (undecodable bytes of a file name, as os.fsdecode gives them).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """``str(text)`` with every control or invisible formatting character escaped.

    Ordinary text (letters of any script, spaces, punctuation) is unchanged; a newline in the
    input becomes ``\\n``, so one input line stays one output line.
    """
    return _UNSAFE.sub(_escape, str(text))


def json_line(value: object) -> str:
    """``json.dumps`` on one line, non-ASCII letters kept, every unsafe character escaped.

    JSON already escapes C0 controls; DEL, C1 controls (``\\x9b`` starts a control sequence on
    some terminals), bidi overrides and lone surrogates are escaped here as ``\\uXXXX``, which
    every JSON reader decodes back to the same string.
    """
    text = json.dumps(value, ensure_ascii=False)
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)

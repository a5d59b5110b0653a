"""The camera lift's line protocol: checksummed ASCII lines, shared by the driver and simulator.

Real column controllers (LINAK, Timotion) report the column's position in millimetres, run to a
target position by themselves and stop on overcurrent (a stalled motor) or on their
anti-collision sensor (something in the way), latching the fault until they are reset. This
small protocol models that over a serial line so the kiosk can talk to a controller board in
front of such a column. Lines are short ASCII, so a traffic log can be read by eye, and each
carries an XOR checksum (as NMEA does), so line noise is found instead of being obeyed.

A line is ``BODY*HH\\r\\n``: ``HH`` is the XOR of the bytes of ``BODY``, two upper-case hex
digits. At most :data:`MAX_LINE` bytes. Both directions use it.

Host to controller (requests)::

    ID?            identify          -> ID <model> <firmware>
    POS?           position, state   -> POS <mm> <state>
    LIM?           travel limits     -> LIM <min_mm> <max_mm>
    MOVE <mm>      run to a position -> OK | ERR RANGE | ERR STALLED | ERR OBSTRUCTED
    STOP           stop now          -> OK
    RESET          clear a latched stall or obstruction -> OK

Controller to host, unprompted (events)::

    EV ARRIVED <mm>     the target was reached
    EV STALL <mm>       overcurrent: the motor stopped (latched until RESET)
    EV OBSTRUCT <mm>    anti-collision: the column stopped (latched until RESET)

``<state>`` is ``IDLE``, ``MOVING``, ``STALLED`` or ``OBSTRUCTED``. ``ERR SYNTAX`` and
``ERR CHECKSUM`` answer a request the controller could not read. Every request gets exactly one
reply line; events may come between a request and its reply.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Longest line (body, checksum and line end), in bytes.
MAX_LINE = 64
#: Column states as the controller names them.
STATES = ("IDLE", "MOVING", "STALLED", "OBSTRUCTED")
#: Latched fault states (cleared only by RESET).
FAULT_STATES = ("STALLED", "OBSTRUCTED")
#: Event names.
EVENTS = ("ARRIVED", "STALL", "OBSTRUCT")


class LineError(ValueError):
    """A line that breaks the protocol (bad checksum, not ASCII, unknown shape)."""


def checksum(body: bytes) -> int:
    """XOR of the bytes of ``body``."""
    value = 0
    for byte in body:
        value ^= byte
    return value


def encode_line(body: str) -> bytes:
    """``body`` framed as a line: ``BODY*HH\\r\\n``."""
    raw = body.encode("ascii")
    if b"*" in raw or b"\r" in raw or b"\n" in raw:
        raise ValueError(f"a line body cannot hold '*' or line ends: {body!r}")
    line = raw + b"*%02X\r\n" % checksum(raw)
    if len(line) > MAX_LINE:
        raise ValueError(f"line too long ({len(line)} bytes)")
    return line


def decode_line(line: bytes) -> str:
    """The body of one received line (without its line end); LineError when it is broken."""
    line = line.rstrip(b"\r\n")
    body, star, digits = line.rpartition(b"*")
    if not star or len(digits) != 2:
        raise LineError("no checksum")
    try:
        expected = int(digits, 16)
        text = body.decode("ascii")
    except (ValueError, UnicodeDecodeError):
        raise LineError("not an ASCII line with a hex checksum") from None
    if checksum(body) != expected:
        raise LineError(f"checksum {digits.decode('ascii', 'replace')} does not match")
    if not text.isprintable():
        raise LineError("control characters in the line")
    return text


class LineSplitter:
    """Splits a byte stream into lines; an overlong run without a line end is one broken line."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def reset(self) -> None:
        """Forget a half-received line (after a reconnect)."""
        self._buffer.clear()

    def feed(self, data: bytes) -> list[bytes]:
        """The complete lines in what arrived so far (each with its ``\\n``)."""
        self._buffer += data
        lines: list[bytes] = []
        while True:
            end = self._buffer.find(b"\n")
            if end < 0:
                if len(self._buffer) > MAX_LINE:
                    # No line end in sight: hand the junk over as one broken line.
                    lines.append(bytes(self._buffer))
                    self._buffer.clear()
                return lines
            lines.append(bytes(self._buffer[: end + 1]))
            del self._buffer[: end + 1]


@dataclass(frozen=True)
class Reply:
    """A reply or event line, parsed: its first word and the words after it."""

    kind: str
    args: tuple[str, ...]

    @property
    def is_event(self) -> bool:
        """True for an unprompted ``EV`` line."""
        return self.kind == "EV"


def parse(body: str) -> Reply:
    """A decoded body split into its kind and arguments; LineError for an unknown shape."""
    words = body.split()
    if not words:
        raise LineError("empty line")
    kind, args = words[0], tuple(words[1:])
    shapes = {"ID": (1, 3), "POS": (2, 2), "LIM": (2, 2), "OK": (0, 0), "ERR": (1, 1),
              "EV": (2, 2)}
    if kind not in shapes:
        raise LineError(f"unknown reply {kind[:12]!r}")
    low, high = shapes[kind]
    if not low <= len(args) <= high:
        raise LineError(f"{kind} with {len(args)} arguments")
    numbers = {"POS": (0,), "LIM": (0, 1), "EV": (1,)}.get(kind, ())
    for index in numbers:
        if not _is_int(args[index]):
            raise LineError(f"{kind}: {args[index][:12]!r} is not a number of millimetres")
    if kind == "POS" and args[1] not in STATES:
        raise LineError(f"unknown state {args[1][:12]!r}")
    if kind == "EV" and args[0] not in EVENTS:
        raise LineError(f"unknown event {args[0][:12]!r}")
    return Reply(kind, args)


def _is_int(word: str) -> bool:
    digits = word[1:] if word.startswith("-") else word
    return digits.isascii() and digits.isdigit() and len(digits) <= 6

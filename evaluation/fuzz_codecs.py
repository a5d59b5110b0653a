"""Fuzz every serial codec with Hypothesis: valid, random, truncated and corrupted frames.

For each codec (the four MRZ framings and the R30x packet codec) it runs ``COUNT`` Hypothesis
examples (default 10,000), each in one of four modes, and counts them. Valid frames must decode
to exactly what was encoded, whatever the chunking; every other input must give only records
and named :class:`~drivers.codec.FrameError` values. Anything else (an unhandled exception, a
wrong round trip) is printed.

Usage: ``python evaluation/fuzz_codecs.py [COUNT]``.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from drivers.codec import FrameError
from drivers.interfaces import MrzRead
from drivers.mrz_encoders import encode_document
from drivers.mrz_framing import IdboxReply, MrzFraming, make_decoder
from drivers.r30x_protocol import Packet, PacketDecoder, Pid, encode_packet

MODES = ("valid", "random", "truncated", "corrupted")
MRZ_CHAR = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<?")
LATE = 100.0


def mrz_lines(kind: str) -> st.SearchStrategy[tuple[str, ...]]:
    """Line sets each framing carries unchanged."""
    def line(lo: int, hi: int) -> st.SearchStrategy[str]:
        return st.text(MRZ_CHAR, min_size=lo, max_size=hi)

    if kind == "desko":
        return st.lists(line(7, 44), min_size=2, max_size=3).map(tuple)
    if kind == "3m":
        return st.one_of(
            st.lists(line(1, 44), min_size=1, max_size=2).map(tuple),
            st.lists(line(1, 30), min_size=3, max_size=3).map(tuple),
        )
    if kind == "lines":
        shapes = st.sampled_from([(44, 44), (36, 36), (30, 30, 30)])
        return shapes.flatmap(lambda s: st.tuples(*(line(n, n) for n in s)))
    return st.lists(line(1, 44), min_size=1, max_size=3).map(tuple)


def chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:], strict=False)]


def mrz_codec(kind: str) -> tuple[st.SearchStrategy, Callable, Callable, Callable]:
    framing = MrzFraming(kind=kind)  # type: ignore[arg-type]

    def decode(parts: list[bytes]) -> list:
        decoder = make_decoder(framing)
        events: list = []
        for part in parts:
            events += decoder.feed(part, 0.0)
        return events + decoder.idle(LATE)

    def valid_result(events: list, lines: tuple[str, ...]) -> bool:
        return len(events) == 1 and isinstance(events[0], MrzRead) and events[0].lines == lines

    return mrz_lines(kind), lambda lines: encode_document(framing, lines), decode, valid_result


def r30x_codec() -> tuple[st.SearchStrategy, Callable, Callable, Callable]:
    packets = st.lists(
        st.builds(
            Packet,
            address=st.integers(0, 0xFFFFFFFF),
            pid=st.sampled_from(list(Pid)),
            payload=st.binary(max_size=256),
        ),
        min_size=1,
        max_size=3,
    )

    def decode(parts: list[bytes]) -> list:
        decoder = PacketDecoder()
        events: list = []
        for part in parts:
            events += decoder.feed(part)
        return events

    def encode(items: list[Packet]) -> bytes:
        return b"".join(encode_packet(p.pid, p.payload, p.address) for p in items)

    return packets, encode, decode, lambda events, items: events == items


ALLOWED = (MrzRead, IdboxReply, FrameError, Packet)


def fuzz(name: str, count: int) -> tuple[Counter[str], list[str]]:
    """Run ``count`` examples against one codec; return mode counts and problems found."""
    docs, encode, decode, valid_result = r30x_codec() if name == "r30x" else mrz_codec(name)
    modes: Counter[str] = Counter()
    problems: list[str] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],  # no shrinking: problems are caught and listed, not raised
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        mode = data.draw(st.sampled_from(MODES))
        doc = data.draw(docs)
        frame = bytearray(encode(doc))
        if mode == "random":
            frame = bytearray(data.draw(st.binary(max_size=1200)))
        elif mode == "truncated":
            frame = frame[: data.draw(st.integers(0, max(0, len(frame) - 1)))]
        elif mode == "corrupted":
            for _ in range(data.draw(st.integers(1, 4))):
                frame[data.draw(st.integers(0, len(frame) - 1))] = data.draw(st.integers(0, 255))
        cuts = data.draw(st.lists(st.integers(0, 1200), max_size=5))
        # Counted once all draws succeeded: Hypothesis drops examples that overrun its buffer.
        modes[mode] += 1
        try:
            events = decode(chunks(bytes(frame), cuts))
        except Exception as exc:  # noqa: BLE001 - finding these is the point
            problems.append(f"{mode}: unhandled {type(exc).__name__}: {exc}")
            return
        if any(not isinstance(e, ALLOWED) for e in events):
            problems.append(f"{mode}: unexpected result type")
        if mode == "valid" and not valid_result(events, doc):
            problems.append("valid: round trip changed the data")

    run()
    return modes, problems


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    total_problems = 0
    for name in ("lines", "3m", "desko", "idbox", "r30x"):
        start = time.monotonic()
        modes, problems = fuzz(name, count)
        seconds = time.monotonic() - start
        detail = ", ".join(f"{m} {modes[m]}" for m in MODES)
        print(f"{name:6} {sum(modes.values()):6d} examples ({detail}) in {seconds:5.1f} s; "
              f"{len(problems)} problems")
        for problem in problems[:10]:
            print(f"    {problem}")
        total_problems += len(problems)
    print("unhandled exceptions / failures:", total_problems)
    return 1 if total_problems else 0


if __name__ == "__main__":
    sys.exit(main())

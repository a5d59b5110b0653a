"""MRZ framings: byte-exact examples and Hypothesis properties for every decoder and encoder."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.codec import FrameError
from drivers.interfaces import MrzRead
from drivers.mrz_encoders import encode_document, encode_idbox_packet
from drivers.mrz_framing import IdboxReply, MrzFraming, make_decoder, xor_bcc

TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)
KINDS = ["lines", "3m", "desko", "idbox"]
FRAMED = ["3m", "desko", "idbox"]
LATE = 100.0  # a time long after any gap or frame timeout


def decode(kind: str, data: bytes, framing: MrzFraming | None = None) -> list:
    decoder = make_decoder(framing or MrzFraming(kind=kind))  # type: ignore[arg-type]
    return decoder.feed(data, 0.0) + decoder.idle(LATE)


# -- byte-exact examples ---------------------------------------------------------------------


def test_3m_block_bytes_are_exact() -> None:
    framing = MrzFraming(kind="3m")
    frame = encode_document(framing, ["ABC", "DEF"])
    data = b"\r" + b"ABC" + b"_" * 41 + b"\r" + b"DEF" + b"_" * 41 + b"\r"
    body = b"OU\x02\x30" + data + b"\x03"
    assert frame[:2] == bytes([0x01, len(body)])
    assert frame[2:-1] == body
    assert frame[-1] == xor_bcc(frame[1:-1])


def test_3m_td1_pads_to_30_and_strips_padding() -> None:
    frame = encode_document(MrzFraming(kind="3m"), TD1[:2] + ("SHORT",))
    assert b"SHORT" + b"_" * 25 + b"\r" in frame
    [read] = decode("3m", frame)
    assert read.lines == (*TD1[:2], "SHORT")
    assert read.diagnostics == ()


def test_3m_two_line_document_reports_empty_line1() -> None:
    [read] = decode("3m", encode_document(MrzFraming(kind="3m"), TD3))
    assert read == MrzRead(TD3, "3m", ("line1_empty",))


def test_3m_bcc_mismatch_is_an_error_or_a_diagnostic() -> None:
    frame = bytearray(encode_document(MrzFraming(kind="3m"), TD3))
    frame[-1] ^= 0x55
    [error] = decode("3m", bytes(frame))
    assert isinstance(error, FrameError) and error.reason == "bcc_mismatch"
    [read] = decode("3m", bytes(frame), MrzFraming(kind="3m", bcc_check="warn"))
    assert "bcc_mismatch_ignored" in read.diagnostics


def test_3m_bcc_range_after_stx_is_a_setting() -> None:
    framing = MrzFraming(kind="3m", bcc_range="after_stx", length_size=2)
    frame = encode_document(framing, TD3)
    assert frame[-1] == xor_bcc(frame[6:-1])  # SOH, 2 length bytes, 'O', 'U', STX
    [read] = decode("3m", frame, framing)
    assert read.lines == TD3


def test_desko_two_line_document_has_no_third_cr() -> None:
    frame = encode_document(MrzFraming(kind="desko"), TD3)
    assert frame == b"\x1c\x02" + TD3[0].encode() + b"\r" + TD3[1].encode() + b"\r\x03\x1d"
    assert decode("desko", frame) == [MrzRead(TD3, "desko")]


def test_idbox_packet_bytes_and_replies() -> None:
    frame = encode_document(MrzFraming(kind="idbox"), TD1)
    assert frame[:3] == b"I\x00" + bytes([92])  # 3 x 30 + 2 CR
    events = decode("idbox", encode_idbox_packet("V", b"1.0") + encode_idbox_packet("I") + frame)
    assert events == [IdboxReply("V", b"1.0"), MrzRead(TD1, "idbox")]


@pytest.mark.parametrize("terminator", ["\r", "\n", "\r\n"])
def test_lines_accept_cr_lf_and_crlf(terminator: str) -> None:
    data = "".join(line + terminator for line in TD3).encode()
    decoder = make_decoder(MrzFraming(kind="lines"))
    # A known MRZ shape completes at once, without waiting for the gap.
    assert decoder.feed(data, 0.0) == [MrzRead(TD3, "lines")]


def test_lines_record_ends_at_blank_line_or_gap() -> None:
    decoder = make_decoder(MrzFraming(kind="lines", idle_gap=0.2))
    assert decoder.feed(b"SHORT1\rSHORT2\r", 0.0) == []
    assert decoder.idle(0.1) == []
    assert decoder.idle(0.3) == [MrzRead(("SHORT1", "SHORT2"), "lines")]
    assert decoder.feed(b"AAA\r\r", 1.0) == [MrzRead(("AAA",), "lines")]


def test_lines_unterminated_tail_is_truncated_line() -> None:
    [error] = decode("lines", b"AAA\rBBB")
    assert error.reason == "truncated_line"


def test_substitute_characters_are_kept() -> None:
    lines = (TD3[0], TD3[1][:10] + "?" + TD3[1][11:])
    for kind in KINDS:
        [read] = decode(kind, encode_document(MrzFraming(kind=kind), lines))
        assert read.lines == lines
        assert "unexpected_characters" in read.diagnostics


@pytest.mark.parametrize("kind", FRAMED)
def test_garbage_before_a_frame_is_named_and_skipped(kind: str) -> None:
    frame = encode_document(MrzFraming(kind=kind), TD3)
    events = decode(kind, b"\xff\xfe" + frame)
    assert [type(e) for e in events] == [FrameError, MrzRead]
    assert events[0].reason == "garbage"


@pytest.mark.parametrize("kind", FRAMED)
def test_cut_frame_then_silence_then_a_good_one(kind: str) -> None:
    frame = encode_document(MrzFraming(kind=kind), TD3)
    decoder = make_decoder(MrzFraming(kind=kind))  # type: ignore[arg-type]
    assert decoder.feed(frame[: len(frame) // 2], 0.0) == []
    [error] = decoder.idle(1.0)
    assert error.reason == "truncated_frame"
    diagnostics = ("line1_empty",) if kind == "3m" else ()
    assert decoder.feed(frame, 2.0) == [MrzRead(TD3, kind, diagnostics)]


@pytest.mark.parametrize("kind", ["3m", "desko"])
def test_cut_frame_followed_at_once_by_a_good_one(kind: str) -> None:
    # Start bytes never occur inside MRZ text, so these framings resynchronise without a gap.
    frame = encode_document(MrzFraming(kind=kind), TD3)
    events = decode(kind, frame[: len(frame) // 2] + frame)
    assert isinstance(events[0], FrameError)
    assert events[-1] == decode(kind, frame)[0]


def test_errors_never_quote_the_mrz() -> None:
    frame = bytearray(encode_document(MrzFraming(kind="3m"), TD3))
    frame[-1] ^= 1
    for event in decode("3m", bytes(frame)) + decode("3m", bytes(frame[:50])):
        assert "ERIKSSON" not in str(event)


# -- properties ------------------------------------------------------------------------------

MRZ_CHAR = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")


def mrz_line(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(MRZ_CHAR, min_size=min_size, max_size=max_size)


@st.composite
def documents(draw: st.DrawFn, kind: str) -> tuple[str, ...]:
    """Line sets each framing can carry unchanged."""
    if kind == "desko":
        return tuple(draw(st.lists(mrz_line(7, 44), min_size=2, max_size=3)))
    if kind == "3m":
        count = draw(st.integers(1, 3))
        return tuple(draw(st.lists(mrz_line(1, 30 if count == 3 else 44), min_size=count,
                                   max_size=count)))
    if kind == "lines":
        shape = draw(st.sampled_from([(44, 44), (36, 36), (30, 30, 30)]))
        return tuple(draw(mrz_line(n, n)) for n in shape)
    return tuple(draw(st.lists(mrz_line(1, 44), min_size=1, max_size=3)))


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:], strict=False)]


def feed_all(kind: str, chunks: list[bytes]) -> list:
    decoder = make_decoder(MrzFraming(kind=kind))  # type: ignore[arg-type]
    events: list = []
    for chunk in chunks:
        events += decoder.feed(chunk, 0.0)
    return events + decoder.idle(LATE)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_round_trip_in_any_chunking(kind: str, data: st.DataObject) -> None:
    lines = data.draw(documents(kind))
    frame = encode_document(MrzFraming(kind=kind), lines)  # type: ignore[arg-type]
    cuts = data.draw(st.lists(st.integers(0, 400), max_size=6))
    [read] = feed_all(kind, chunked(frame, cuts))
    assert isinstance(read, MrzRead) and read.lines == lines and read.framing == kind


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None)
@given(noise=st.binary(max_size=600), cuts=st.lists(st.integers(0, 600), max_size=5))
def test_random_bytes_give_only_named_results(kind: str, noise: bytes, cuts: list[int]) -> None:
    for event in feed_all(kind, chunked(noise, cuts)):
        assert isinstance(event, MrzRead | IdboxReply | FrameError)


@pytest.mark.parametrize("kind", FRAMED)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_truncated_frames_are_named_errors(kind: str, data: st.DataObject) -> None:
    frame = encode_document(MrzFraming(kind=kind), data.draw(documents(kind)))  # type: ignore[arg-type]
    cut = frame[: data.draw(st.integers(1, len(frame) - 1))]
    events = feed_all(kind, [cut])
    assert events and all(isinstance(e, FrameError) for e in events)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_3m_any_single_byte_corruption_is_caught(data: st.DataObject) -> None:
    lines = data.draw(documents("3m"))
    frame = bytearray(encode_document(MrzFraming(kind="3m"), lines))
    index = data.draw(st.integers(0, len(frame) - 1))
    frame[index] ^= data.draw(st.integers(1, 255))
    events = feed_all("3m", [bytes(frame)])
    assert any(isinstance(e, FrameError) for e in events)
    assert not any(isinstance(e, MrzRead) and e.lines == lines for e in events)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_corrupted_frames_never_raise(kind: str, data: st.DataObject) -> None:
    frame = bytearray(encode_document(MrzFraming(kind=kind), data.draw(documents(kind))))  # type: ignore[arg-type]
    for _ in range(data.draw(st.integers(1, 4))):
        frame[data.draw(st.integers(0, len(frame) - 1))] = data.draw(st.integers(0, 255))
    for event in feed_all(kind, [bytes(frame)]):
        assert isinstance(event, MrzRead | IdboxReply | FrameError)

"""R30x packet codec: byte-exact examples and Hypothesis properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from drivers.codec import FrameError
from drivers.r30x_protocol import (
    IMAGE_BYTES,
    Instruction,
    Packet,
    PacketDecoder,
    Pid,
    SystemParameters,
    ack,
    checksum,
    command,
    data_packets,
    encode_packet,
    pack_image,
    status_name,
    unpack_image,
)


def test_vfypwd_bytes_match_the_manual() -> None:
    # EF01, address FFFFFFFF, PID 01, length 0007, 13 00000000, checksum 001B.
    assert command(Instruction.VFY_PWD, b"\0\0\0\0") == bytes.fromhex(
        "ef01 ffffffff 01 0007 13 00000000 001b"
    )


def test_genimg_and_ack_bytes() -> None:
    assert command(Instruction.GEN_IMG) == bytes.fromhex("ef01 ffffffff 01 0003 01 0005")
    assert ack(0x02) == bytes.fromhex("ef01 ffffffff 07 0003 02 000c")


def test_checksum_is_low_16_bits_of_the_sum() -> None:
    payload = b"\xff" * 300
    assert checksum(Pid.DATA, payload) == (2 + 1 + 46 + 255 * 300) & 0xFFFF


def test_status_names() -> None:
    assert status_name(0x0F) == "image_upload_failure"
    assert status_name(0x02) == "no_finger"
    assert status_name(0x99) == "unknown_0x99"


def test_system_parameters_round_trip() -> None:
    params = SystemParameters(1, 2, 300, 4, 0x12345678, 3, 12)
    assert len(params.encode()) == 16
    assert SystemParameters.decode(params.encode()) == params
    assert params.packet_size == 256 and params.baudrate == 115200
    with pytest.raises(ValueError):
        SystemParameters.decode(b"\0" * 15)


def test_image_streams_in_288_packets_of_128() -> None:
    packets = data_packets(bytes(IMAGE_BYTES), 128)
    assert len(packets) == 288
    assert [p[6] for p in packets[-2:]] == [Pid.DATA, Pid.END]


def test_pack_is_high_nibble_first() -> None:
    pixels = np.array([[0xF0, 0x10, 0x20, 0xFF]], dtype=np.uint8)
    assert pack_image(pixels) == bytes([0xF1, 0x2F])
    assert unpack_image(bytes([0xF1, 0x2F]), cols=4).tolist() == [[0xF0, 0x10, 0x20, 0xF0]]


def test_decoder_names_garbage_checksum_and_address() -> None:
    good = ack(0)
    bad_sum = good[:-1] + bytes([good[-1] ^ 1])
    other = ack(0, address=0x1234)
    events = PacketDecoder(0xFFFFFFFF).feed(b"\x00\x55" + good + bad_sum + other)
    assert [e.reason if isinstance(e, FrameError) else e.pid for e in events] == [
        "garbage",
        Pid.ACK,
        "bad_checksum",
        "wrong_address",
    ]


# -- properties ------------------------------------------------------------------------------

packets = st.builds(
    Packet,
    address=st.integers(0, 0xFFFFFFFF),
    pid=st.sampled_from(list(Pid)),
    payload=st.binary(min_size=0, max_size=256),
)


@settings(max_examples=150, deadline=None)
@given(packet_list=st.lists(packets, min_size=1, max_size=4), cuts=st.lists(st.integers(0, 1200)))
def test_round_trip_in_any_chunking(packet_list: list[Packet], cuts: list[int]) -> None:
    stream = b"".join(encode_packet(p.pid, p.payload, p.address) for p in packet_list)
    points = sorted({c % (len(stream) + 1) for c in cuts} | {0, len(stream)})
    decoder = PacketDecoder()
    events = []
    for a, b in zip(points, points[1:], strict=False):
        events += decoder.feed(stream[a:b])
    assert events == packet_list
    assert not decoder.pending


@settings(max_examples=150, deadline=None)
@given(noise=st.binary(max_size=2000))
def test_random_bytes_give_only_named_results(noise: bytes) -> None:
    for event in PacketDecoder(0xFFFFFFFF).feed(noise):
        assert isinstance(event, Packet | FrameError)


@settings(max_examples=150, deadline=None)
@given(packet=packets, data=st.data())
def test_truncated_packet_is_pending_never_a_packet(packet: Packet, data: st.DataObject) -> None:
    frame = encode_packet(packet.pid, packet.payload, packet.address)
    decoder = PacketDecoder()
    assert decoder.feed(frame[: data.draw(st.integers(1, len(frame) - 1))]) == []
    assert decoder.pending


@settings(max_examples=150, deadline=None)
@given(packet=packets, data=st.data())
def test_single_byte_corruption_never_passes_as_the_original(
    packet: Packet, data: st.DataObject
) -> None:
    frame = bytearray(encode_packet(packet.pid, packet.payload, packet.address))
    frame[data.draw(st.integers(0, len(frame) - 1))] ^= data.draw(st.integers(1, 255))
    events = PacketDecoder(packet.address).feed(bytes(frame))
    assert packet not in events
    assert all(isinstance(e, Packet | FrameError) for e in events)


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.uint8, (288, 256)))
def test_image_pack_unpack_keeps_the_top_four_bits(pixels: np.ndarray) -> None:
    data = pack_image(pixels)
    assert len(data) == IMAGE_BYTES
    assert np.array_equal(unpack_image(data), pixels & 0xF0)

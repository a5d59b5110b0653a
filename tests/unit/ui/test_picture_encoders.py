"""The real-pixel encoders produce well-formed output: Sixel decodes back, kitty chunks parse."""

from __future__ import annotations

import base64
import re
import zlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from kiosk.ui.widgets.graphics import (
    KITTY_CHUNK,
    encode_kitty,
    encode_sixel,
    fit,
    kitty_delete,
)


def decode_sixel(data: str) -> NDArray[np.int32]:
    """A small Sixel decoder (DCS q, raster attributes, colour registers, !n repeats, $ and -)."""
    assert data.startswith("\x1bP") and data.endswith("\x1b\\")
    body = data[2:-2]
    q = body.index("q")
    body = body[q + 1:]
    raster = re.match(r'"(\d+);(\d+);(\d+);(\d+)', body)
    assert raster is not None, "no raster attributes"
    width, height = int(raster.group(3)), int(raster.group(4))
    body = body[raster.end():]
    image = np.full((height + 6, width, 3), -1, np.int32)
    palette: dict[int, tuple[int, int, int]] = {}
    colour, x, band, i = 0, 0, 0, 0
    while i < len(body):
        char = body[i]
        if char == "#":
            match = re.match(r"#(\d+)(?:;2;(\d+);(\d+);(\d+))?", body[i:])
            assert match is not None
            colour = int(match.group(1))
            if match.group(2) is not None:
                r, g, b = (round(int(match.group(k)) * 255 / 100) for k in (2, 3, 4))
                palette[colour] = (r, g, b)
            i += match.end()
            continue
        if char == "$":
            x, i = 0, i + 1
            continue
        if char == "-":
            x, band, i = 0, band + 1, i + 1
            continue
        count = 1
        if char == "!":
            match = re.match(r"!(\d+)", body[i:])
            assert match is not None
            count, i = int(match.group(1)), i + match.end()
            char = body[i]
        bits = ord(char) - 63
        assert 0 <= bits < 64, f"not a sixel character: {char!r}"
        for row in range(6):
            if bits & (1 << row):
                image[band * 6 + row, x:x + count] = palette[colour]
        x, i = x + count, i + 1
        assert x <= width, "a band runs past the declared width"
    return image[:height]


def test_sixel_decodes_to_the_same_size_and_colours() -> None:
    rng = np.random.default_rng(7)
    colours = rng.integers(0, 256, (6, 3), dtype=np.uint8)
    rgb = colours[rng.integers(0, 6, (61, 83))]  # a height that is not a multiple of six
    decoded = decode_sixel(encode_sixel(rgb))
    assert decoded.shape == (61, 83, 3)
    assert (decoded >= 0).all(), "every pixel painted"
    assert np.abs(decoded - rgb.astype(np.int32)).max() <= 3  # percent registers round


def test_sixel_of_a_camera_like_frame_keeps_its_look() -> None:
    y, x = np.mgrid[0:240, 0:320]
    rgb = np.stack([x * 255 // 319, y * 255 // 239, (x + y) * 255 // 558], -1).astype(np.uint8)
    decoded = decode_sixel(encode_sixel(rgb))
    assert decoded.shape == rgb.shape
    assert np.abs(decoded - rgb.astype(np.int32)).mean() < 12  # 256 colours for a gradient


@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 2**32 - 1))
def test_sixel_size_round_trips(width: int, height: int, seed: int) -> None:
    rgb = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    assert decode_sixel(encode_sixel(rgb)).shape == (height, width, 3)


def parse_kitty(data: str) -> list[tuple[dict[str, str], str]]:
    """Split kitty graphics escapes into (keys, payload) pairs."""
    commands = re.findall(r"\x1b_G([^;\x1b]*)(?:;([^\x1b]*))?\x1b\\", data)
    assert "".join(f"\x1b_G{k}" + (f";{p}" if p else "") + "\x1b\\" for k, p in commands) == data
    return [(dict(kv.split("=", 1) for kv in keys.split(",")), payload)
            for keys, payload in commands]


@pytest.mark.parametrize("compress", [True, False])
def test_kitty_chunks_have_the_right_headers_and_carry_the_pixels(compress: bool) -> None:
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    chunks = parse_kitty(encode_kitty(rgb, 4242, (40, 15), compress=compress))
    assert len(chunks) > 1
    first = chunks[0][0]
    assert first["a"] == "T" and first["f"] == "24" and first["i"] == "4242"
    assert (first["s"], first["v"]) == ("160", "120")
    assert (first["c"], first["r"]) == ("40", "15")
    assert first["q"] == "2" and first["C"] == "1"
    assert ("o" in first) is compress
    assert [keys["m"] for keys, _ in chunks] == ["1"] * (len(chunks) - 1) + ["0"]
    assert all(set(keys) == {"m"} for keys, _ in chunks[1:])
    assert all(len(payload) <= KITTY_CHUNK and len(payload) % 4 == 0 for _, payload in chunks)
    data = base64.standard_b64decode("".join(payload for _, payload in chunks))
    if compress:
        data = zlib.decompress(data)
    assert data == rgb.tobytes()


def test_kitty_delete_names_the_image() -> None:
    ((keys, payload),) = parse_kitty(kitty_delete(77))
    assert keys == {"a": "d", "d": "I", "i": "77", "q": "2"} and payload == ""


@given(st.integers(1, 4000), st.integers(1, 4000), st.integers(1, 2000), st.integers(1, 2000))
def test_fit_keeps_the_aspect_inside_the_box(sw: int, sh: int, bw: int, bh: int) -> None:
    w, h = fit((sw, sh), (bw, bh))
    assert 1 <= w <= max(1, bw) and 1 <= h <= max(1, bh)
    assert w == bw or h == bh or w == 1 or h == 1  # one side touches the box
    if w > 10 and h > 10:
        assert abs(w / h - sw / sh) / (sw / sh) < 0.15


def test_the_encoder_process_gives_the_same_escapes_and_survives_being_killed() -> None:
    import os

    from kiosk.ui.widgets import graphics

    rgb = np.random.default_rng(5).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    pid = graphics.encoder_pid()
    assert pid != os.getpid()
    assert graphics.encode_elsewhere(rgb, "sixel", 1, (8, 3)) == encode_sixel(rgb)
    assert graphics.encode_elsewhere(rgb, "kitty", 9, (8, 3)) == encode_kitty(rgb, 9, (8, 3))
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    # The frame in hand is encoded here; the next call starts a new process.
    assert graphics.encode_elsewhere(rgb, "sixel", 1, (8, 3)) == encode_sixel(rgb)
    assert graphics.encoder_pid() not in (pid, os.getpid())
    with pytest.raises(ValueError):
        graphics.encode(rgb, "halfblock", 1, (8, 3))

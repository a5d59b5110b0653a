"""The safe image loader: conversions of every mode, refusals from the header, truncation,
and a fuzz in which no input gets anything out but pixels or an ImageFileError."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from kiosk.imagefile import ImageFileError, decode_image, read_image

LIMIT = 40_000_000


def encode(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def ramp(width: int = 64, height: int = 48) -> np.ndarray:
    return (np.arange(width * height, dtype=np.uint32) % 256).astype(np.uint8).reshape(
        height, width)


def grey(data: bytes) -> np.ndarray:
    return decode_image(data, colour="grey", max_pixels=LIMIT).pixels


def bgr(data: bytes) -> np.ndarray:
    return decode_image(data, colour="bgr", max_pixels=LIMIT).pixels


# --- conversions ----------------------------------------------------------------------------

def test_sixteen_bit_copy_of_an_8_bit_image_gives_the_same_pixels() -> None:
    original = ramp()
    for widened in (original.astype(np.uint16) * 257, original.astype(np.uint16)):
        data = encode(Image.fromarray(widened))
        assert Image.open(io.BytesIO(data)).mode.startswith("I")
        assert np.array_equal(grey(data), original)
    # Shifted (v << 8) rather than replicated: 65280 of 65535 is 254.0 of 255, not 255.
    shifted = grey(encode(Image.fromarray(original.astype(np.uint16) << 8)))
    assert np.abs(shifted.astype(int) - original).max() <= 1


def test_twelve_bit_values_fill_the_8_bit_range() -> None:
    values = np.array([[0, 2048, 4095]], np.uint16)
    assert grey(encode(Image.fromarray(values))).tolist() == [[0, 128, 255]]


def test_32_bit_integer_and_float_images() -> None:
    ints = Image.fromarray(np.array([[0, 65535, 2 ** 20 - 1]], np.int32), "I")
    assert grey(encode(ints, "TIFF")).tolist() == [[0, 16, 255]]
    floats = Image.fromarray(np.array([[0.0, 0.5, 1.0, np.nan]], np.float32), "F")
    assert grey(encode(floats, "TIFF")).tolist() == [[0, 128, 255, 0]]


def test_palette_alpha_and_one_bit_images() -> None:
    rgba = Image.new("RGBA", (4, 1), (255, 0, 0, 255))
    rgba.putpixel((1, 0), (255, 0, 0, 0))    # fully transparent: white paper
    rgba.putpixel((2, 0), (0, 0, 0, 128))    # half transparent black: mid grey
    out = bgr(encode(rgba))
    assert out[0, 0].tolist() == [0, 0, 255]  # BGR order
    assert out[0, 1].tolist() == [255, 255, 255]
    assert 120 <= out[0, 2, 0] <= 135
    la = Image.new("LA", (2, 1), (0, 0))
    assert grey(encode(la)).tolist() == [[255, 255]]
    palette = Image.new("P", (3, 1))
    palette.putpalette([0, 0, 0, 255, 255, 255, 0, 255, 0] + [0] * 759)
    palette.putdata([0, 1, 2])
    assert bgr(encode(palette))[0].tolist() == [[0, 0, 0], [255, 255, 255], [0, 255, 0]]
    assert bgr(encode(palette, transparency=0))[0, 0].tolist() == [255, 255, 255]
    assert bgr(encode(palette, "GIF", transparency=0))[0, 0].tolist() == [255, 255, 255]
    one = Image.new("1", (2, 1))
    one.putpixel((1, 0), 1)
    assert grey(encode(one)).tolist() == [[0, 255]]


def test_cmyk_and_other_formats() -> None:
    cmyk = Image.new("CMYK", (8, 8), (0, 255, 255, 0))  # red
    assert bgr(encode(cmyk, "JPEG", quality=95))[4, 4, 2] > 200
    assert bgr(encode(cmyk, "TIFF"))[4, 4].tolist() == [0, 0, 255]
    picture = Image.fromarray(np.dstack([ramp()] * 3))
    for fmt in ("BMP", "TIFF", "WEBP", "JPEG2000", "GIF", "PPM", "TGA"):
        assert bgr(encode(picture, fmt)).shape == (48, 64, 3), fmt


def test_exif_orientation_is_applied_as_opencv_does() -> None:
    image = Image.new("L", (20, 10), 0)
    exif = Image.Exif()
    exif[0x0112] = 6  # turned 90 degrees
    assert grey(encode(image, "JPEG", exif=exif)).shape == (20, 10)


# --- refusals -------------------------------------------------------------------------------

def blank_png(width: int, height: int, depth: int = 1) -> bytes:
    """A whole, valid grey PNG of zeros, compressed row by row (a 30000 x 30000 one is 110 kB
    and takes a fraction of a second to write)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))

    row = b"\0" * (1 + (width * depth + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth,
                                                               0, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def test_huge_images_are_refused_from_their_header(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(blank_png(30000, 30000))  # about 110 kB on disk; never decoded here
    with pytest.raises(ImageFileError, match="too large .*900,000,000 pixels"):
        read_image(path, colour="bgr", max_pixels=LIMIT)
    big = encode(Image.new("L", (3000, 2000)))
    with pytest.raises(ImageFileError, match=r"3000x2000 = 6,000,000 pixels; at most 4,000,000"):
        decode_image(big, colour="grey", max_pixels=4_000_000)


def test_a_callers_check_sees_the_header_before_decoding() -> None:
    seen = []

    def check(info: object) -> None:
        seen.append(info)
        raise ImageFileError("not for me")

    with pytest.raises(ImageFileError, match="not for me"):
        decode_image(encode(Image.new("L", (30, 20)), dpi=(1000, 1000)), colour="grey",
                     max_pixels=LIMIT, check=check)
    (info,) = seen
    assert (info.width, info.height, info.format) == (30, 20, "PNG")
    assert info.ppi == pytest.approx(1000, abs=1)


def test_a_png_claiming_zero_pixels_is_refused() -> None:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))

    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 0, 10, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
    with pytest.raises(ImageFileError):
        grey(data)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF", "BMP", "WEBP"])
@pytest.mark.parametrize("fraction", [0.33, 0.6, 0.9])
def test_truncated_files_are_reported_cut_short(fmt: str, fraction: float) -> None:
    rng = np.random.default_rng(1)
    noise = Image.fromarray(rng.integers(0, 256, (200, 300, 3), dtype=np.uint8))
    data = encode(noise, fmt)
    with pytest.raises(ImageFileError, match="cut short|damaged|not an image|not a readable"):
        bgr(data[: int(len(data) * fraction)])


def test_a_jpeg_cut_to_a_third_is_cut_short() -> None:
    rng = np.random.default_rng(2)
    data = encode(Image.fromarray(rng.integers(0, 256, (300, 300, 3), dtype=np.uint8)), "JPEG")
    with pytest.raises(ImageFileError, match="cut short"):
        bgr(data[: len(data) // 3])


def test_files_that_are_not_images(tmp_path: Path) -> None:
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "text.png").write_text("hello")
    os.mkfifo(tmp_path / "fifo")
    cases = {"empty.png": "empty", "text.png": "not an image", "fifo": "not a regular file",
             "missing.png": "no such file", ".": "directory"}
    for name, reason in cases.items():
        with pytest.raises(ImageFileError, match=reason):
            read_image(tmp_path / name, colour="grey", max_pixels=LIMIT)
    with pytest.raises(ImageFileError, match="not a regular file"):
        read_image("/dev/zero", colour="grey", max_pixels=LIMIT)
    (tmp_path / "big.png").write_bytes(b"\0" * 2000)
    with pytest.raises(ImageFileError, match="too large"):
        read_image(tmp_path / "big.png", colour="grey", max_pixels=LIMIT, max_bytes=1000)


def test_a_png_named_jpg_is_read_by_its_content(tmp_path: Path) -> None:
    path = tmp_path / "really-a-png.jpg"
    path.write_bytes(encode(Image.fromarray(ramp())))
    assert np.array_equal(read_image(path, colour="grey", max_pixels=LIMIT).pixels, ramp())


# --- fuzz -----------------------------------------------------------------------------------

def _seeds() -> list[bytes]:
    picture = Image.fromarray(np.dstack([ramp(24, 16)] * 3))
    seeds = [encode(picture, fmt) for fmt in ("PNG", "JPEG", "TIFF", "BMP", "GIF", "WEBP")]
    seeds.append(encode(Image.fromarray(ramp(24, 16).astype(np.uint16) * 257)))
    seeds.append(encode(picture.convert("RGBA")))
    seeds.append(encode(picture.convert("P")))
    return seeds


SEEDS = _seeds()


def _accept_or_refuse(data: bytes) -> None:
    for colour in ("grey", "bgr"):
        try:
            out = decode_image(data, colour=colour, max_pixels=1_000_000)  # type: ignore[arg-type]
        except ImageFileError as error:
            assert str(error) and "\n" not in str(error)
            continue
        assert out.pixels.dtype == np.uint8
        assert out.pixels.ndim == (2 if colour == "grey" else 3)
        assert out.pixels.shape[:2] == (out.info.height, out.info.width) or out.pixels.shape[
            :2] == (out.info.width, out.info.height)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_fuzz_random_bytes(data: bytes) -> None:
    _accept_or_refuse(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)),
                                        max_size=8), st.integers(0, 10_000))
def test_fuzz_mutated_and_truncated_images(seed: bytes, flips: list[tuple[int, int]],
                                           cut: int) -> None:
    data = bytearray(seed)
    for where, value in flips:
        data[where % len(data)] = value
    _accept_or_refuse(bytes(data[: max(1, len(data) - cut % len(data))]))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"II*\x00", b"MM\x00*",
                        b"BM", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBPVP8 ",
                        b"\x00\x00\x00\x0cjP  \r\n\x87\n"]), st.binary(max_size=512))
def test_fuzz_known_magic_then_noise(magic: bytes, rest: bytes) -> None:
    _accept_or_refuse(magic + rest)

"""Hostile input to the commands: one line and a non-zero exit, never a traceback; the 16-bit
copy of a print scores like the print; nothing from the input reaches the terminal raw."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiosk import commands as kiosk_commands
from kiosk.cli import main
from kiosk.config import load_config
from simulator.fingerprints import persona_finger


def _print(tmp_path: Path, name: str = "print.png") -> tuple[Path, np.ndarray]:
    pixels = persona_finger(5, 7, "good", 1)
    path = tmp_path / name
    Image.fromarray(pixels).save(path, dpi=(500, 500))
    return path, pixels


def _stderr_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.splitlines()


def test_a_16_bit_copy_scores_like_the_8_bit_print(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    original, pixels = _print(tmp_path)
    wide = tmp_path / "print16.png"
    Image.fromarray(pixels.astype(np.uint16) * 257).save(wide)
    rgba = tmp_path / "print-rgba.png"
    Image.fromarray(pixels).convert("RGBA").save(rgba)
    palette = tmp_path / "print-palette.png"
    Image.fromarray(pixels).convert("P").save(palette)
    assert main(["fingerprint", "quality", "--json", str(original), str(wide), str(rgba),
                 str(palette)]) == 0
    scores = [json.loads(line)["score"] for line in capsys.readouterr().out.splitlines()]
    assert scores[0] > 0 and scores[1:3] == [scores[0]] * 2
    assert abs(scores[3] - scores[0]) <= 5  # a 256-colour palette of grey is nearly lossless
    assert main(["fingerprint", "compare", str(original), str(wide)]) == 0
    assert "same finger" in capsys.readouterr().out


@pytest.mark.parametrize("ppi", ["0", "-500", "nan", "inf", "-inf", "1e400", "abc", "10"])
def test_ppi_must_be_positive_finite_and_plausible(tmp_path: Path, ppi: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = _print(tmp_path)
    for command in (["fingerprint", "quality"], ["fingerprint", "compare", str(path)]):
        with pytest.raises(SystemExit) as exited:
            main([*command, str(path), f"--ppi={ppi}"])
        assert exited.value.code == 2
        assert "argument --ppi" in capsys.readouterr().err


def test_images_far_larger_than_a_finger_sensor_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, _ = _print(tmp_path)
    card = tmp_path / "tenprint.png"
    Image.new("L", (10000, 10000), 255).save(card)  # small on disk; refused from the header
    low = tmp_path / "low-ppi.png"
    Image.new("L", (1500, 1500), 255).save(low, dpi=(250, 250))
    editor = tmp_path / "editor-default.png"  # 72 dpi is a program's default: 500 is assumed
    Image.new("L", (800, 800), 255).save(editor, dpi=(72, 72))
    assert main(["fingerprint", "quality", str(card), str(good), str(low), str(editor)]) == 1
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert lines[0].startswith(f"kiosk: {card}: 10000x10000 pixels at 500 ppi (assumed)")
    assert "larger than any finger sensor" in lines[0]
    assert lines[1].startswith(f"kiosk: {low}: 1500x1500 pixels at 250 ppi (from the file) "
                               "is 3000x3000 at 500 ppi")
    assert lines[1].endswith("give --ppi if that resolution is wrong")
    assert len(lines) == 2
    assert [line.split(":")[0] for line in captured.out.splitlines()] == [str(good), str(editor)]
    assert main(["fingerprint", "compare", str(card), str(good)]) == 2
    assert len(_stderr_lines(capsys)) == 1


def test_unreadable_fingerprint_files_get_one_line_each(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, _ = _print(tmp_path)
    cut = tmp_path / "cut.png"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    os.mkfifo(tmp_path / "fifo")
    files = [cut, text, tmp_path / "fifo", tmp_path, tmp_path / "missing.png", good]
    assert main(["fingerprint", "quality", "--json", *map(str, files)]) == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert len(errors) == 5 and all(line.startswith("kiosk: ") for line in errors)
    assert "cut short" in errors[0]
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert [("error" in record) for record in records] == [True] * 5 + [False]


def test_photo_crop_into_a_missing_folder_is_one_line(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    image = tmp_path / "face.png"
    Image.new("RGB", (64, 64)).save(image)
    for output, reason in [(tmp_path / "missing" / "token.jpg", "does not exist"),
                           (tmp_path, "is a directory"),
                           (image / "token.jpg", "is not a folder")]:
        assert main(["photo", "crop", str(image), "-o", str(output)]) == 2
        (line,) = _stderr_lines(capsys)
        assert line.startswith(f"kiosk: {output}: ") and reason in line


def test_photo_frames_must_be_a_sensible_count(capsys: pytest.CaptureFixture[str]) -> None:
    for frames in ("0", "-3", "1000000", "x"):
        with pytest.raises(SystemExit):
            main(["photo", "bench", "--frames", frames])
        assert "argument --frames" in capsys.readouterr().err


def test_languages_are_the_known_ones_only(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = _print(tmp_path)
    with pytest.raises(SystemExit):
        main(["fingerprint", "quality", str(path), "--language", "../../etc"])
    assert "invalid choice" in capsys.readouterr().err


def test_document_parse_escapes_control_characters(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    hostile = "P<DNK\x1b[2J\x1b]0;owned\x07HANSEN<<METTE\x9b31m\u202e<<<<<<<<<<<<<"
    second = "2083115794DNK8001011F2501019<<<<<<<<<<<<<<\r08"
    main(["document", "parse", hostile, second])
    out = capsys.readouterr().out
    assert not any(char in out for char in "\x1b\x07\x9b\u202e\r")
    assert "\\x1b[2J" in out and "\\u202e" in out and "\\x0d08" in out
    main(["document", "parse", "--json", hostile, second])
    out = capsys.readouterr().out
    assert not any(char in out for char in "\x1b\x07\x9b\u202e\r")
    assert json.loads(out)["lines"][0] == hostile  # escaped for the terminal, same for JSON


def test_document_parse_file_must_be_a_small_regular_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"P<" * 600_000)
    os.mkfifo(tmp_path / "fifo")
    for path, reason in [(Path("/dev/zero"), "not a regular file"),
                         (tmp_path / "fifo", "not a regular file"),
                         (tmp_path, "is a directory"), (big, "too large"),
                         (tmp_path / "missing", "no such file")]:
        assert main(["document", "parse", "--file", str(path)]) == 2
        (line,) = _stderr_lines(capsys)
        assert line.startswith(f"kiosk: {path}: ") and reason in line


def test_file_names_with_control_characters_are_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = tmp_path / "\x1b[31mred.png"
    name.write_text("not an image")
    assert main(["fingerprint", "quality", str(name)]) == 1
    (line,) = _stderr_lines(capsys)
    assert "\x1b" not in line and "\\x1b[31mred.png" in line


@pytest.mark.parametrize(("content", "reason"), [
    (b'language = "\xff"\n', "not UTF-8"),
    (b"a = " + b"[" * 20000 + b"]" * 20000 + b"\n", "nested too deeply"),
])
def test_bad_config_is_one_line_for_kiosk_commands(tmp_path: Path, content: bytes, reason: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(content)
    assert main(["devices", "check", "--config", str(path)]) == 2
    (line,) = _stderr_lines(capsys)
    assert line.startswith(f"kiosk: invalid configuration: {path}: ") and reason in line


def test_env_garbage_is_one_line_for_kiosk_commands(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PASBOKS_DEVICES", "notjson")
    assert main(["devices", "check"]) == 2
    (line,) = _stderr_lines(capsys)
    assert "PASBOKS_DEVICES: not valid JSON" in line


def test_a_log_directory_under_a_file_stops_with_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("PASBOKS_LOGS__DIRECTORY", str(blocker / "log"))
    config = load_config()
    with pytest.raises(SystemExit) as exited:
        kiosk_commands._log_to_file(config)
    assert exited.value.code == 1
    (line,) = _stderr_lines(capsys)
    assert line == f"kiosk: the log directory {blocker / 'log'} cannot be used (Not a " \
                   "directory; logs.directory)"


def test_load_prints_each_config_problem_on_its_own_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[timeouts]\ninactivity_grace_s = 5\ndevice_read_s = -1\n")
    assert kiosk_commands._load(argparse.Namespace(config=path)) is None
    lines = _stderr_lines(capsys)
    assert len(lines) == 2
    assert all(line.startswith(f"kiosk: invalid configuration: {path}: timeouts.")
               for line in lines)


def test_photo_strips_that_cannot_hold_a_face_are_refused(tmp_path: Path) -> None:
    """A strip one pixel high broke the analysis' downscaling; a very narrow one made the face
    models abort (SIGABRT). They are refused from the header."""
    from kiosk.imagefile import ImageFileError
    from kiosk.photo.commands import read_photo
    from kiosk.photo.settings import PhotoSettings

    for width, height in [(65535, 1), (1, 300), (4, 1000), (1000, 16), (40, 400)]:
        path = tmp_path / f"{width}x{height}.png"
        Image.new("L", (width, height)).save(path)
        with pytest.raises(ImageFileError, match="cannot hold a face"):
            read_photo(path, PhotoSettings())
    fine = tmp_path / "fine.png"
    Image.new("RGB", (48, 64)).save(fine)
    assert read_photo(fine, PhotoSettings()).shape == (64, 48, 3)

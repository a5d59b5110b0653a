"""``kiosk voice say`` writes what the kiosk would say as a valid 16-bit mono WAV; a bad
language, a missing text or an unwritable output is one line and a non-zero exit."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from kiosk.cli import main

pytest.importorskip("espeakng_loader", reason="no voice test: the espeakng-loader wheel is not "
                    "installed")


def read_wav(path: Path) -> tuple[wave._wave_params, np.ndarray]:
    with wave.open(str(path), "rb") as wav:
        params = wav.getparams()
        samples = np.frombuffer(wav.readframes(params.nframes), dtype="<i2")
    return params, samples


def test_say_writes_a_wav_of_speech(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "prompt.wav"
    assert main(["voice", "say", "--language", "pl", "Proszę położyć paszport na szybie",
                 "-o", str(out)]) == 0
    params, samples = read_wav(out)
    assert (params.nchannels, params.sampwidth, params.comptype) == (1, 2, "NONE")
    assert params.framerate == 22050
    assert 0.8 < params.nframes / params.framerate < 10
    assert np.abs(samples).max() > 4000
    assert str(out) in capsys.readouterr().out


def test_say_speaks_a_catalogue_text_at_the_rate_asked(tmp_path: Path) -> None:
    slow, fast = tmp_path / "slow.wav", tmp_path / "fast.wav"
    assert main(["voice", "say", "--language", "da", "--key", "ui.welcome.title",
                 "--rate", "100", "-o", str(slow)]) == 0
    assert main(["voice", "say", "--language", "da", "--key", "ui.welcome.title",
                 "--rate", "300", "-o", str(fast)]) == 0
    assert read_wav(fast)[0].nframes < read_wav(slow)[0].nframes


@pytest.mark.parametrize(("arguments", "message"), [
    (["--language", "xx", "hello"], "unknown language 'xx'"),
    (["--language", "en", "--key", "ui.no_such_text"], "no text 'ui.no_such_text'"),
    (["--language", "en"], "give either TEXT or --key"),
    (["--language", "en", "   "], "nothing to say"),
    (["--language", "en", "--rate", "5", "hello"], "--rate must be from 80 to 400"),
])
def test_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               arguments: list[str], message: str) -> None:
    out = tmp_path / "x.wav"
    assert main(["voice", "say", *arguments, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("kiosk: ")
    assert not out.exists()


@pytest.mark.parametrize("target", ["missing-dir/x.wav", "."])
def test_an_unwritable_output_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          target: str) -> None:
    assert main(["voice", "say", "--language", "en", "hello", "-o",
                 str(tmp_path / target)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err and "Traceback" not in err


def test_voices_lists_every_kiosk_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["voice", "voices"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["da", "en", "de", "pl", "ro", "tr", "ar",
                                                      "uk"]
    assert all(line.endswith("\tok") for line in lines)

"""Config files and environment that are wrong in every way give one line, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.config import ConfigError, load_config
from kiosk.tomlfile import TomlFileError, read_toml


def one_line(error: BaseException, path: Path | None = None) -> str:
    text = str(error)
    assert text and "\n" not in text and "Traceback" not in text
    if path is not None:
        assert text.startswith(str(path))
    return text


@pytest.mark.parametrize(("content", "reason"), [
    (b'language = "\xff\xfe"\n', "not UTF-8 text (byte 0xff at line 1, column 13)"),
    (b"a = " + b"[" * 20000 + b"]" * 20000 + b"\n", "nested too deeply"),
    (b"a = " + b"{b = " * 20000 + b"1" + b"}" * 20000 + b"\n", "nested too deeply"),
    (b"a" + b".a" * 20000 + b" = 1\n", "nested too deeply"),
    (b"[" + b"a." * 100 + b"a]\n", "nested too deeply"),
    (b"# comment\n" * 200_000, "too large for a config file"),
    (b"a = " + b"9" * 5000 + b"\n", "not valid TOML"),
    (b"language = \n", "not valid TOML"),
    (b"a = \x00\n", "not valid TOML"),
], ids=["not-utf8", "deep-arrays", "deep-inline-tables", "deep-dotted-keys", "deep-header",
        "too-large", "huge-integer", "no-value", "nul"])
def test_bad_files_give_one_line_naming_the_file(tmp_path: Path, content: bytes,
                                                 reason: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(content)
    with pytest.raises(TomlFileError) as caught:
        read_toml(path, "config file")
    assert reason in one_line(caught.value, path)
    with pytest.raises(ConfigError) as config_error:
        load_config(path)
    assert reason in one_line(config_error.value, path)


def test_paths_that_are_not_files(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    for path, reason in [(tmp_path, "is a directory"), (tmp_path / "fifo", "not a regular file"),
                         (Path("/dev/zero"), "not a regular file"),
                         (tmp_path / "missing.toml", "no such config file")]:
        with pytest.raises(ConfigError) as caught:
            load_config(path)
        assert reason in one_line(caught.value, path)


def test_control_characters_in_the_file_name_are_escaped(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "\x1b[2Jevil.toml")
    assert "\x1b" not in str(caught.value) and "\\x1b[2Jevil.toml" in str(caught.value)


@pytest.mark.parametrize(("name", "value"), [
    ("PASBOKS_DEVICES", "notjson"), ("PASBOKS_LANGUAGES", "notjson"),
    ("PASBOKS_DEVICES", "[" * 100_000), ("PASBOKS_STORAGE", "{"),
])
def test_environment_garbage_is_one_line(monkeypatch: pytest.MonkeyPatch, name: str,
                                         value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert one_line(caught.value).startswith("environment: ")


def test_a_long_list_of_wrong_items_is_summed_up(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("languages = [" + "1, " * 1000 + "]\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    lines = str(caught.value).splitlines()
    assert len(lines) == 11 and lines[-1].endswith("and 990 more problems")


def test_devices_with_a_simulator_that_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('simulator = "x"\n[devices]\n')
    with pytest.raises(ConfigError, match="simulator"):
        load_config(path)


TOMLISH = st.text(alphabet=st.sampled_from(list('[]{}=.,"\'#\n abc123-:_\\\t') + ["\x00", "é"]),
                  max_size=300)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=400), TOMLISH.map(lambda text: text.encode("utf-8"))))
def test_fuzz_read_toml_raises_only_its_own_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_bytes(content)
    try:
        document = read_toml(path, "config file")
    except TomlFileError as error:
        one_line(error, path)
    else:
        assert isinstance(document, dict)
    try:
        load_config(path)
    except ConfigError as error:
        assert all(line.startswith(str(path)) for line in str(error).splitlines())

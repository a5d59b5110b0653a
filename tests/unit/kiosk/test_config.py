"""Configuration: defaults run the simulator; file and environment override; one line per error."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config
from kiosk.i18n import LANGUAGES

EXAMPLE = Path(__file__).parents[3] / "deploy" / "kiosk.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_the_simulator() -> None:
    config = load_config()
    assert config.simulator.enabled
    assert config.languages == tuple(LANGUAGES)


def test_a_file_with_devices_means_real_devices(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[devices.scanner]\nurl = "/dev/ttyACM0"\n'))
    assert not config.simulator.enabled
    assert config.devices.scanner.url == "/dev/ttyACM0"


def test_the_example_config_is_valid() -> None:
    config = load_config(EXAMPLE)
    assert not config.simulator.enabled


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASBOKS_DEVICES__CAMERA__WIDTH", "640")
    config = load_config(write(tmp_path, "[devices.camera]\nwidth = 1920\n"))
    assert config.devices.camera.width == 640


def test_config_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASBOKS_CONFIG", str(write(tmp_path, 'language = "en"\n')))
    assert load_config().language == "en"


@pytest.mark.parametrize(("text", "message"), [
    ("[devices.camera]\nwidth = -1\n", "devices.camera.width: Input should be greater than 0"),
    ('[devices.scanner]\nframing = "morse"\n',
     "devices.scanner.framing: must be 'lines', '3m', 'desko' or 'idbox'"),
    ("[timeouts]\ninactivity_grace_s = 5\n", "timeouts.inactivity_grace_s"),
    ("[storage]\nretension_hours = 3\n", "storage.retension_hours: unknown setting"),
    ('languages = ["da", "tlh"]\n', "unknown language 'tlh'"),
    ("language = \n", "not valid TOML"),
])
def test_invalid_config_names_field_and_problem(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml")


def test_directories_must_be_absolute_and_apart(tmp_path: Path) -> None:
    relative = tmp_path / "relative.toml"
    relative.write_text('[storage]\ndirectory = "var/pasboks"\n')
    with pytest.raises(ConfigError, match="storage.directory: .*absolute"):
        load_config(relative)
    shared = tmp_path / "shared.toml"
    shared.write_text(f'[storage]\ndirectory = "{tmp_path}/state"\n'
                      f'[logs]\ndirectory = "{tmp_path}/state/log"\n')
    with pytest.raises(ConfigError, match="apart"):
        load_config(shared)


def test_deployed_directories_follow_systemd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", "/var/lib/pasboks")
    monkeypatch.setenv("LOGS_DIRECTORY", "/var/log/pasboks")
    config = load_config(None)
    assert config.storage.directory == Path("/var/lib/pasboks")
    assert config.logs.directory == Path("/var/log/pasboks")

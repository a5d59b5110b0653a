"""The key-encryption key: from a 0600 file or a systemd credential, never made by surprise."""

from __future__ import annotations

import base64
import os
import secrets
import stat
from pathlib import Path

import pytest

from kiosk.config import KioskConfig, SimulatorSettings, StorageSettings
from kiosk.store.errors import StoreError
from kiosk.store.keys import CREDENTIAL, key_path, load_key


def config(tmp_path: Path, *, simulator: bool, key_file: Path | None = None,
           create_key: bool | None = None) -> KioskConfig:
    return KioskConfig(
        simulator=SimulatorSettings(enabled=simulator),
        storage=StorageSettings(directory=tmp_path / "store", key_file=key_file,
                                create_key=create_key))


def test_a_missing_key_is_made_on_the_simulator_only(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "record.key"
    key = load_key(config(tmp_path, simulator=True, key_file=path))
    assert len(key) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key(config(tmp_path, simulator=True, key_file=path)) == key
    with pytest.raises(StoreError) as raised:
        load_key(config(tmp_path, simulator=False, key_file=tmp_path / "absent.key"))
    assert raised.value.code == "key_missing" and "absent.key" in str(raised.value)


def test_raw_and_base64_keys_are_read(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    for name, content in (("raw.key", key), ("b64.key", base64.b64encode(key) + b"\n")):
        path = tmp_path / name
        path.write_bytes(content)
        path.chmod(0o600)
        assert load_key(config(tmp_path, simulator=False, key_file=path)) == key


@pytest.mark.parametrize("content", [b"", b"short", b"A" * 100, secrets.token_bytes(31)])
def test_a_wrong_sized_key_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.key"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(StoreError) as raised:
        load_key(config(tmp_path, simulator=False, key_file=path))
    assert raised.value.code == "key_invalid"


def test_a_key_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "open.key"
    path.write_bytes(secrets.token_bytes(32))
    path.chmod(0o644)
    with pytest.raises(StoreError, match="chmod 600"):
        load_key(config(tmp_path, simulator=False, key_file=path))


def test_the_systemd_credential_is_used_when_present(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    key = secrets.token_bytes(32)
    (credentials / CREDENTIAL).write_bytes(key)
    # systemd makes credentials 0400/0440 for the service's user; the mode check is for files
    # an operator made by hand, so a group-readable credential still loads.
    (credentials / CREDENTIAL).chmod(0o440)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(credentials))
    settings = config(tmp_path, simulator=False)
    assert key_path(settings) == credentials / CREDENTIAL
    assert load_key(settings) == key


def test_the_default_key_lives_apart_from_the_store(tmp_path: Path) -> None:
    settings = KioskConfig()
    assert settings.storage.directory not in key_path(settings).parents
    assert os.path.isabs(key_path(settings))

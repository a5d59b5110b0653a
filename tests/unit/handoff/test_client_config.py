"""The caseworker client before any connection: its config, its checks of the reference and
birth date, and the files it writes (never over existing ones)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kiosk.handoff.client import (
    CaseworkerClient,
    ClientError,
    check_birth,
    check_reference,
    load_caseworker_config,
    write_application,
)
from kiosk.handoff.record import FORMAT, ApplicationRecord
from kiosk.handoff.references import new_reference

CONFIG = """server = "https://kiosk.example:8443"
ca = "ca.crt"
certificate = "/etc/pasboks/caseworker.crt"
private_key = "caseworker.key"
recipient_key = "recipient.key"
"""


def test_relative_paths_are_taken_from_the_config_directory(tmp_path: Path) -> None:
    (tmp_path / "caseworker.toml").write_text(CONFIG)
    config = load_caseworker_config(tmp_path / "caseworker.toml")
    assert config.ca == tmp_path / "ca.crt"
    assert config.certificate == Path("/etc/pasboks/caseworker.crt")
    client = CaseworkerClient(config)
    assert (client.host, client.port) == ("kiosk.example", 8443)
    assert CaseworkerClient(config, "https://127.0.0.1:9000/").port == 9000


@pytest.mark.parametrize(("text", "message"), [
    (CONFIG.replace('ca = "ca.crt"\n', ""), "ca: missing"),
    (CONFIG + 'colour = "blue"\n', "colour: Extra inputs"),
    ("server = ", "not valid TOML"),
])
def test_config_problems_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "caseworker.toml").write_text(text)
    with pytest.raises(ClientError, match=message) as error:
        load_caseworker_config(tmp_path / "caseworker.toml")
    assert error.value.exit_code == 2 and "\n" not in str(error.value)
    with pytest.raises(ClientError, match="no such config file"):
        load_caseworker_config(tmp_path / "missing.toml")


def test_server_url_must_be_https(tmp_path: Path) -> None:
    (tmp_path / "caseworker.toml").write_text(CONFIG)
    config = load_caseworker_config(tmp_path / "caseworker.toml")
    for url in ("http://kiosk:8443", "kiosk:8443", "https://kiosk:port"):
        with pytest.raises(ClientError, match="server URL") as error:
            CaseworkerClient(config, url)
        assert error.value.exit_code == 2


def test_reference_and_birth_checks() -> None:
    reference = new_reference()
    assert check_reference(reference.lower()) == reference
    assert check_birth("3112") == "3112"
    for birth in ("0013", "3200", "1.1.", "07031984", ""):
        with pytest.raises(ClientError, match="DDMM"):
            check_birth(birth)
    with pytest.raises(ClientError, match="check it for a typo"):
        check_reference(reference[:-1] + ("0" if reference[-1] != "0" else "1"))


def _record(photo_format: str = "jp2") -> ApplicationRecord:
    reference = new_reference()
    case = {"format": FORMAT, "reference": reference, "photo": {"format": photo_format}}
    return ApplicationRecord(reference, case, b"photo", photo_format,  # type: ignore[arg-type]
                             b"FIR\x00", b"\x89PNG")


def test_files_are_private_and_never_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "new" / "case"
    written = write_application(_record(), out)
    assert [path.name for path in written] == ["photo.jp2", "fingerprints.iso19794-4",
                                               "signature.png", "application.json"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert {stat.S_IMODE(path.stat().st_mode) for path in written} == {0o600}
    before = {path.name: path.read_bytes() for path in written}
    with pytest.raises(ClientError, match="photo.jp2 exists; refusing to overwrite"):
        write_application(_record(), out)
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before

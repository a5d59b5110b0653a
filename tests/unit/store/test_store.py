"""The encrypted store: whole records or none, nothing readable at rest, crypto-shredding."""

from __future__ import annotations

import os
import secrets
import sqlite3
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.audit import AuditTrail
from kiosk.handoff.references import is_valid_reference
from kiosk.store.db import DB_FILE, ApplicationStore
from kiosk.store.errors import StoreError

PARTS = {"case": b'{"surname": "SECRETSURNAME"}', "photo": b"\xff\xd8\xff\xe0JFIF" + b"x" * 5000}


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def kek() -> bytes:
    return secrets.token_bytes(32)


def make(directory: Path, kek: bytes, clock: Clock | None = None,
         audit: AuditTrail | None = None) -> ApplicationStore:
    return ApplicationStore(directory, kek, retention_s=3600, clock=clock or Clock(),
                            audit=audit)


def disk_bytes(directory: Path) -> bytes:
    return b"".join(path.read_bytes() for path in directory.iterdir() if path.is_file())


def test_put_get_round_trip_and_reference(tmp_path: Path, kek: bytes) -> None:
    store = make(tmp_path, kek)
    reference = store.put(PARTS)
    assert is_valid_reference(reference)
    assert store.get(reference) == PARTS
    assert [item.reference for item in store.pending()] == [reference]
    store.close()


def test_nothing_readable_on_disk_and_files_private(tmp_path: Path, kek: bytes) -> None:
    store = make(tmp_path, kek)
    store.put(PARTS)
    # Look while the WAL still holds the commit, then after the checkpoint on close.
    for _ in range(2):
        raw = disk_bytes(tmp_path)
        assert b"SECRETSURNAME" not in raw and b"JFIF" not in raw
        store.close()
    assert stat.S_IMODE((tmp_path / DB_FILE).stat().st_mode) == 0o600


def test_survives_reopening_by_another_process_view(tmp_path: Path, kek: bytes) -> None:
    reference = make(tmp_path, kek).put(PARTS)  # not closed: as after kill -9
    again = make(tmp_path, kek)
    assert again.get(reference) == PARTS
    again.close()


def test_wrong_key_is_named_not_called_corrupt(tmp_path: Path, kek: bytes) -> None:
    make(tmp_path, kek).close()
    with pytest.raises(StoreError) as raised:
        make(tmp_path, secrets.token_bytes(32))
    assert raised.value.code == "key_invalid"


def test_delete_shreds_the_key_and_leaves_no_trace(tmp_path: Path, kek: bytes) -> None:
    store = make(tmp_path, kek)
    reference = store.put(PARTS)
    row = sqlite3.connect(tmp_path / DB_FILE).execute(
        "SELECT wrapped_key FROM applications").fetchone()
    assert store.delete(reference)
    assert not store.delete(reference)
    with pytest.raises(StoreError) as raised:
        store.get(reference)
    assert raised.value.code == "unknown_reference"
    store.close()
    raw = disk_bytes(tmp_path)
    assert bytes(row[0]) not in raw  # secure_delete and the truncated WAL: the key is gone
    assert not (tmp_path / (DB_FILE + "-wal")).exists() or \
        (tmp_path / (DB_FILE + "-wal")).stat().st_size == 0


def test_parts_are_bound_to_their_record(tmp_path: Path, kek: bytes) -> None:
    store = make(tmp_path, kek)
    first, second = store.put(PARTS), store.put(PARTS)
    db = sqlite3.connect(tmp_path / DB_FILE, isolation_level=None)
    # An attacker with the file swaps the photos of two records: both stop decrypting.
    photo = {ref: blob for ref, blob in db.execute(
        "SELECT reference, sealed FROM parts WHERE name = 'photo'")}
    for ref, other in ((first, second), (second, first)):
        db.execute("UPDATE parts SET sealed = ? WHERE reference = ? AND name = 'photo'",
                   (photo[other], ref))
    db.close()
    problems = {problem.reference: problem.code for problem in store.verify()}
    assert problems == {first: "corrupt", second: "corrupt"}


def test_a_missing_part_is_found_by_verify(tmp_path: Path, kek: bytes) -> None:
    store = make(tmp_path, kek)
    reference = store.put(PARTS)
    db = sqlite3.connect(tmp_path / DB_FILE, isolation_level=None)
    db.execute("DELETE FROM parts WHERE name = 'photo'")
    db.close()
    assert [(p.reference, p.code) for p in store.verify()] == [(reference, "corrupt")]


def test_sweep_deletes_only_what_is_past_retention(tmp_path: Path, kek: bytes) -> None:
    clock = Clock()
    trail = AuditTrail(tmp_path / "log", "kiosk-1")
    store = make(tmp_path / "store", kek, clock, trail)
    old = store.put(PARTS)
    clock.now += 3000
    young = store.put(PARTS)
    assert store.sweep() == []
    clock.now += 601
    assert store.sweep() == [old]
    assert [item.reference for item in store.pending()] == [young]
    status = store.status()
    assert status.pending == 1 and status.oldest_age_s == pytest.approx(601)
    assert store.sweep(clock.now + 30 * 86400) == [young] and store.status().pending == 0
    events = [(line["event"], line["reference"]) for line in trail.lines()]
    assert events == [("stored", old), ("stored", young), ("expired", old), ("expired", young)]


def test_disk_full_keeps_nothing_half_written(tmp_path: Path, kek: bytes) -> None:
    trail = AuditTrail(tmp_path / "log", "kiosk-1")
    store = make(tmp_path / "store", kek, audit=trail)
    kept = store.put(PARTS)
    store._db.execute("PRAGMA max_page_count = 8")  # the edge of the test: a full disk
    with pytest.raises(StoreError) as raised:
        store.put({"photo": os.urandom(200_000)})
    assert raised.value.code == "disk_full"
    assert [item.reference for item in store.pending()] == [kept]
    assert store.verify() == []
    assert [(line["event"], line["result"]) for line in trail.lines()] == [
        ("stored", "ok"), ("store_failed", "disk_full")]


def test_given_reference_is_used_and_duplicates_refused(tmp_path: Path, kek: bytes) -> None:
    store = make(tmp_path, kek)
    reference = store.put(PARTS)
    with pytest.raises(StoreError) as raised:
        store.put(PARTS, reference)
    assert raised.value.code == "duplicate_reference"
    assert store.get(reference) == PARTS


def test_a_damaged_database_file_is_a_clear_error(tmp_path: Path, kek: bytes) -> None:
    (tmp_path / DB_FILE).write_bytes(b"this is not sqlite at all" * 100)
    (tmp_path / DB_FILE).chmod(0o600)
    with pytest.raises(StoreError) as raised:
        make(tmp_path, kek)
    assert raised.value.code == "corrupt"


@settings(max_examples=25, deadline=None)
@given(parts=st.dictionaries(st.text(st.characters(categories=["L", "N"]), min_size=1,
                                     max_size=12),
                             st.binary(max_size=2000), min_size=1, max_size=5))
def test_any_parts_round_trip(tmp_path_factory: pytest.TempPathFactory,
                              parts: dict[str, bytes]) -> None:
    store = make(tmp_path_factory.mktemp("store"), secrets.token_bytes(32))
    reference = store.put(parts)
    assert store.get(reference) == parts and store.verify() == []
    store.close()

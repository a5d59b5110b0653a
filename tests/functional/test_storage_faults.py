"""The kiosk and its store: a full disk at the hand-off loses nothing and Retry stores it; a
store whose key is missing keeps the kiosk out of service instead of wasting citizens' time."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.audit import AuditTrail
from kiosk.composition import build_kiosk
from kiosk.config import LogSettings, StorageSettings
from kiosk.handoff.record import ApplicationRecord
from kiosk.workflow import State
from simulator.scenario import load_scenario
from tests.helpers.kiosk import sim_config, wait_for_state

pytestmark = pytest.mark.slow


def test_full_disk_at_handoff_keeps_the_application_for_a_retry(tmp_path: Path) -> None:
    config = sim_config().model_copy(update={
        "storage": StorageSettings(directory=tmp_path / "store"),
        "logs": LogSettings(directory=tmp_path / "log")})
    kiosk = build_kiosk(config, load_scenario("happy"))
    try:
        service = kiosk.service
        store = service.store
        assert store is not None
        service.press("start").result(timeout=5)
        wait_for_state(kiosk, State.PHOTO_REVIEW, timeout=60)
        service.press("accept").result(timeout=5)
        wait_for_state(kiosk, State.SUMMARY, timeout=120)
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full
        service.press("continue").result(timeout=5)
        service.press("consent").result(timeout=5)
        wait_for_state(kiosk, State.DEVICE_ERROR)
        assert service.session.data.fault == ("storage", "disk_full")
        assert service.session.data.reference is None  # no reference was shown
        assert service.session.data.photo is not None  # the capture is kept for a retry
        assert store.pending() == []
        store._db.execute("PRAGMA max_page_count = 1073741823")  # space was freed
        service.press("retry").result(timeout=5)
        wait_for_state(kiosk, State.DONE)
        reference = service.session.data.reference
        assert reference is not None and reference in store
        record = ApplicationRecord.from_parts(reference, store.get(reference))
        assert record.case["kiosk_id"] == config.kiosk_id
    finally:
        kiosk.close()
    events = [line["event"] for line in AuditTrail(tmp_path / "log", "x").lines()]
    assert "stored" in events


def test_missing_key_takes_the_kiosk_out_of_service(tmp_path: Path) -> None:
    config = sim_config().model_copy(update={
        "storage": StorageSettings(directory=tmp_path / "store", key_file=tmp_path / "no.key",
                                   create_key=False),
        "logs": LogSettings(directory=tmp_path / "log")})
    kiosk = build_kiosk(config, load_scenario("happy"))
    try:
        wait_for_state(kiosk, State.OUT_OF_SERVICE, timeout=30)
        assert kiosk.service.store is None
        assert kiosk.service.press("start").result(timeout=5) is State.OUT_OF_SERVICE
    finally:
        kiosk.close()
    lines = list(AuditTrail(tmp_path / "log", "x").lines())
    events = [(line["event"], line["result"]) for line in lines]
    assert ("store_unavailable", "key_missing") in events
    assert any(line["event"] == "staff_action" and line["actor"] == "system"
               and line["reason"] == "storage_key_missing" for line in lines)

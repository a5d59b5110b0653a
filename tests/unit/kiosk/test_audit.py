"""The audit trail: JSON lines of codes, private, rotated, and refusing anything else."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from kiosk.audit import AUDIT_FILE, AuditError, AuditTrail


def test_lines_carry_codes_and_are_private(tmp_path: Path) -> None:
    trail = AuditTrail(tmp_path, "oerestad-1", clock=lambda: 1_800_000_000.0)
    trail.record("fetch", reference="PB-0000-0000-0", actor="CN=caseworker", result="ok")
    line = json.loads((tmp_path / AUDIT_FILE).read_text())
    assert line == {"time": "2027-01-15T08:00:00.000+00:00", "kiosk": "oerestad-1",
                    "event": "fetch", "reference": "PB-0000-0000-0", "actor": "CN=caseworker",
                    "result": "ok"}
    assert stat.S_IMODE((tmp_path / AUDIT_FILE).stat().st_mode) == 0o600


@pytest.mark.parametrize("value", ["two\nlines", "x" * 500, b"\xff\xd8bytes"])
def test_anything_but_a_short_code_is_refused(tmp_path: Path, value: object) -> None:
    trail = AuditTrail(tmp_path, "k")
    with pytest.raises(AuditError):
        trail.record("stored", detail=value)  # type: ignore[arg-type]
    assert list(trail.lines()) == []


def test_rotation_keeps_the_configured_number_of_files(tmp_path: Path) -> None:
    trail = AuditTrail(tmp_path, "k", max_bytes=400, keep=3)
    for index in range(60):
        trail.record("stored", reference=f"PB-{index:04d}")
    files = sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(AUDIT_FILE)
                   and not path.name.endswith(".lock"))
    assert files == [AUDIT_FILE, f"{AUDIT_FILE}.1", f"{AUDIT_FILE}.2", f"{AUDIT_FILE}.3"]
    assert all(path.stat().st_size <= 400 for path in tmp_path.glob(f"{AUDIT_FILE}*"))
    # The newest line is in the current file, whole.
    assert list(trail.lines())[-1]["reference"] == "PB-0059"

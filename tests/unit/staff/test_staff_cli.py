"""``kiosk staff add|list|remove``: PIN from stdin, one-line errors, audited without the PIN."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PIN = "736251"


def run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"))
    env.pop("PASBOKS_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "kiosk.cli", "staff", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=60, check=False)


def test_add_list_remove_with_the_pin_on_stdin(tmp_path: Path) -> None:
    added = run(tmp_path, "add", "anna", "--pin-stdin", stdin=PIN + "\n")
    assert added.returncode == 0, added.stderr
    listed = run(tmp_path, "list")
    assert listed.returncode == 0 and listed.stdout.startswith("anna  added ")
    removed = run(tmp_path, "remove", "anna", "--yes")
    assert removed.returncode == 0, removed.stderr
    assert "no staff accounts" in run(tmp_path, "list").stdout
    state = tmp_path / "state" / "pasboks"
    for path in state.rglob("*"):
        if path.is_file():
            assert PIN.encode() not in path.read_bytes(), path
    audit = (state / "log" / "audit.jsonl").read_text()
    assert '"event":"staff_added"' in audit and '"event":"staff_removed"' in audit
    assert '"staff":"anna"' in audit


def test_errors_are_one_line_with_a_non_zero_exit(tmp_path: Path) -> None:
    run(tmp_path, "add", "anna", "--pin-stdin", stdin=PIN + "\n")
    cases = [
        (("add", "bo", "--pin-stdin"), "123\n", "at least 6 digits"),
        (("add", "bo", "--pin-stdin"), "", "no PIN"),
        (("add", "anna", "--pin-stdin"), PIN + "\n", "already"),
        (("add", "bad\tname", "--pin-stdin"), PIN + "\n", "printable"),
        (("add", "bo"), "", "use --pin-stdin"),
        (("remove", "nobody", "--yes"), "", "no staff account"),
        (("remove", "anna"), "", "--yes"),
    ]
    for args, stdin, message in cases:
        done = run(tmp_path, *args, stdin=stdin)
        assert done.returncode != 0, args
        assert message in done.stderr, (args, done.stderr)
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "anna" in run(tmp_path, "list").stdout

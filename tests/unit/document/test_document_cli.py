"""`kiosk document parse`: text and JSON output, files of several MRZs, exit codes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from kiosk.document import commands
from tests.unit.document.mrz_samples import replace, td1, td3


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="kiosk")
    commands.register(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    return int(args.handler(args))


def test_json_for_a_valid_mrz(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("document", "parse", *td3(), "--json", "--today", "2026-11-21") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] and report["usable"] and report["format"] == "TD3"
    assert report["fields"]["document_number"] == "L898902C3"
    assert report["errors"] == [] and report["repairs"] == []
    assert report["eligibility"]["reason"] == "not_danish"


def test_json_reports_repairs(capsys: pytest.CaptureFixture[str]) -> None:
    bad = replace(td3(), 1, 14, "S")
    assert run("document", "parse", *bad, "--json") == 1
    report = json.loads(capsys.readouterr().out)
    assert not report["valid"] and report["usable"]
    assert set(report["errors"]) == {"check_digit_birth_date", "check_digit_composite",
                                     "date_invalid"}
    assert report["corrected_lines"] == list(td3())
    assert report["repairs"][0]["field"] == "birth_date"


def test_file_with_blocks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mrz.txt"
    path.write_text("\n".join(td3()) + "\n\n\n" + "\n".join(td1()) + "\n")
    assert run("document", "parse", "--file", str(path), "--json") == 0
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["format"] for r in reports] == ["TD3", "TD1"]


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("document", "parse", "P<UTO", "X") == 1
    out = capsys.readouterr().out
    assert "error: length" in out and "eligibility: staff (unreadable)" in out


def test_no_input_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("document", "parse") == 2

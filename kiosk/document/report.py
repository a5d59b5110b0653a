"""One MRZ's full report (check, repair, decision) as a JSON-ready dict or as text for the CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from kiosk.document.decision import decide
from kiosk.document.mrz import check
from kiosk.document.repair import RepairOutcome, repair
from kiosk.document.settings import DocumentSettings
from kiosk.i18n import translate


def build(lines: Sequence[str], today: dt.date, settings: DocumentSettings) -> dict[str, Any]:
    """Everything ``kiosk document parse --json`` prints for one MRZ."""
    result = check(lines)
    outcome = repair(lines) if not result.valid else RepairOutcome("not_needed")
    decision = decide(result, outcome, today, settings)
    warnings = list(result.warnings)
    if outcome.status == "ambiguous":
        warnings.append("repair_ambiguous")
    return {
        "lines": list(result.lines),
        "valid": result.valid,
        "format": result.format,
        "fields": dict(result.fields) if result.fields is not None else None,
        "errors": list(result.errors),
        "valid_score": result.valid_score,
        "warnings": warnings,
        "problems": [asdict(problem) for problem in result.problems],
        "repair_status": outcome.status,
        "repair_candidates": outcome.candidates,
        "repairs": [asdict(item) for item in outcome.repairs],
        "corrected_lines": list(outcome.lines) if outcome.lines else None,
        "usable": decision.usable,
        "eligibility": {
            "eligible": decision.eligible,
            "path": decision.path,
            "reason": decision.reason,
            "reason_key": decision.reason_key,
            "action_key": decision.action_key,
            "expiry": decision.expiry.isoformat() if decision.expiry else None,
            "expiry_status": decision.expiry_status,
            "age": decision.age,
            "fingerprints_required": decision.fingerprints_required,
            "repaired": decision.repaired,
        },
    }


def _text(key: str, language: str, **values: object) -> str:
    # The CLI is a diagnostic tool: a broken catalog of another area must not hide the
    # verdict, so it falls back to printing the key.
    try:
        return translate(key, language, **values)
    except (ValueError, OSError, KeyError):
        return key


def render(report: dict[str, Any], number: int, language: str) -> str:
    """A plain-text rendering of ``build``'s report."""
    out = [f"MRZ {number}: {report['format'] or 'unknown layout'}  "
           f"valid={'yes' if report['valid'] else 'no'}  "
           f"usable={'yes' if report['usable'] else 'no'}  repair={report['repair_status']}"]
    for line in report["lines"]:
        out.append(f"  | {line}")
    for name, value in (report["fields"] or {}).items():
        out.append(f"  {name:<16} {value}")
    for problem in report["problems"]:
        where = f" ({problem['field']})" if problem["field"] else ""
        out.append(f"  {problem['severity']}: {problem['code']}{where}")
    if report["repair_status"] == "ambiguous":
        out.append(f"  repair refused: {report['repair_candidates']} different valid readings fit")
    for item in report["repairs"]:
        if item["kind"] == "line_order":
            out.append(f"  repaired: line order {item['read']} -> {item['corrected']}")
        else:
            out.append(f"  repaired: line {item['line'] + 1} column {item['column'] + 1} "
                       f"{item['read']!r} -> {item['corrected']!r} "
                       f"({item['kind']}, {item['field']})")
    if report["corrected_lines"]:
        out += [f"  > {line}" for line in report["corrected_lines"]]
    verdict = report["eligibility"]
    out.append(f"  eligibility: {verdict['path']} ({verdict['reason']})")
    out.append(f"    {_text(verdict['reason_key'], language)}")
    out.append(f"    {_text(verdict['action_key'], language)}")
    if verdict["expiry"]:
        key = f"document.expiry_{verdict['expiry_status']}"
        out.append(f"    {_text(key, language, date=verdict['expiry'])}")
    return "\n".join(out)

"""Agreement of the document core with the MRZ test vectors (verdict, fields, error codes, repairs).

Usage: ``python evaluation/mrz_eval.py [PATH]`` where PATH is vectors.json or its folder
(default: /work/shared/data/mrz/vectors.json, else ../shared/data/mrz from the repo root).
Not a unit test: a clone of the repository does not carry the shared data.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from kiosk.document.mrz import check
from kiosk.document.repair import repair

_DEFAULTS = (
    Path("/work/shared/data/mrz/vectors.json"),
    Path(__file__).resolve().parents[1] / "../shared/data/mrz/vectors.json",
)


def _locate(argument: str | None) -> Path:
    if argument:
        path = Path(argument)
        return path / "vectors.json" if path.is_dir() else path
    for path in _DEFAULTS:
        if path.exists():
            return path
    sys.exit("vectors.json not found; pass its path")


def main(argv: list[str]) -> int:
    """Run the parser over every vector and print the agreement table and disagreements."""
    vectors = json.loads(_locate(argv[1] if len(argv) > 1 else None).read_text())
    tally: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    disagreements: list[str] = []
    for vector in vectors:
        vid = vector["id"]
        result = check(vector["lines"])
        totals["verdict"] += 1
        if result.valid == vector["valid"]:
            tally["verdict"] += 1
        else:
            disagreements.append(f"{vid}: verdict {result.valid}, expected {vector['valid']}")
        totals["errors"] += 1
        if set(result.errors) == set(vector["errors"]):
            tally["errors"] += 1
        else:
            disagreements.append(
                f"{vid}: errors {sorted(result.errors)}, expected {sorted(vector['errors'])}"
            )
        totals["format"] += 1
        if result.format == vector["format"]:
            tally["format"] += 1
        else:
            disagreements.append(f"{vid}: format {result.format}, expected {vector['format']}")
        expected = vector["expected"]
        if expected is None:
            totals["fields (null)"] += 1
            if result.fields is None:
                tally["fields (null)"] += 1
            else:
                disagreements.append(f"{vid}: fields parsed, expected none (length)")
        else:
            for name, value in expected.items():
                totals[f"field {name}"] += 1
                got = (result.fields or {}).get(name)
                if got == value:
                    tally[f"field {name}"] += 1
                else:
                    disagreements.append(f"{vid}: {name} {got!r}, expected {value!r}")
        if not result.valid:
            outcome = repair(vector["lines"])
            wanted = vector.get("corrected_lines")
            key = "repair (has corrected_lines)" if wanted else "no repair (no corrected_lines)"
            totals[key] += 1
            if (wanted and outcome.lines == tuple(wanted)) or (
                not wanted and outcome.status != "repaired"
            ):
                tally[key] += 1
            else:
                disagreements.append(
                    f"{vid}: repair {outcome.status} ({outcome.candidates} readings)"
                    + (f", corrected {list(outcome.lines)}" if outcome.lines else "")
                    + (f", vector corrects to {wanted}" if wanted else ", vector gives none")
                )
    print(f"{'measure':<34} {'agree':>6} {'of':>5} {'%':>7}")
    field_total = sum(v for k, v in totals.items() if k.startswith("field"))
    field_agree = sum(v for k, v in tally.items() if k.startswith("field"))
    for key in sorted(totals, key=lambda k: (k.startswith("field "), k.startswith("repair"), k)):
        print(f"{key:<34} {tally[key]:>6} {totals[key]:>5} {100 * tally[key] / totals[key]:>6.1f}%")
    print(f"{'all fields':<34} {field_agree:>6} {field_total:>5} "
          f"{100 * field_agree / field_total:>6.1f}%")
    print(f"\n{len(disagreements)} disagreement(s)")
    for line in disagreements:
        print(f"  {line}")
    strict = [d for d in disagreements if ": repair " not in d]
    return 0 if not strict else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

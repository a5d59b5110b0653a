"""Fuzz the document core with random and mutated MRZ lines; count outcomes and any exception.

Usage: ``python evaluation/mrz_fuzz.py [COUNT] [SEED]`` (default 100000 inputs, seed 0).
"""

from __future__ import annotations

import datetime as dt
import random
import string
import sys
import time
import traceback
from collections import Counter

from kiosk.document.compose import compose
from kiosk.document.decision import assess_document
from kiosk.document.mrz import check
from kiosk.document.settings import DocumentSettings

_MRZ = string.ascii_uppercase + string.digits + "<"
_NOISE = _MRZ + "<<<<<<" + "abcxyz _*-«é\t\x00ÆØÅ" + "OIBSZG01852"
_TODAY = dt.date(2026, 11, 21)


def _valid(rng: random.Random) -> tuple[str, ...]:
    """A random well-formed MRZ of a random layout."""
    layout = rng.choice(["TD3", "TD2", "TD1", "MRV-A", "MRV-B"])
    letters = {"TD3": "P", "TD2": "ACI", "TD1": "ACI"}.get(layout, "V")

    def word(lo: int, hi: int) -> str:
        return "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(lo, hi)))

    def alnum(lo: int, hi: int) -> str:
        return "".join(rng.choice(string.ascii_uppercase + string.digits)
                       for _ in range(rng.randint(lo, hi)))

    def date() -> str:
        return f"{rng.randint(0, 99):02}{rng.randint(1, 12):02}{rng.randint(1, 28):02}"

    long_ok = layout in ("TD1", "TD2")
    fields = {
        "document_code": rng.choice(letters) + rng.choice(["", "D", "P"]),
        "issuing_state": rng.choice(["DNK", "UTO", "D", "XXA", "ZZZ"]),
        "surname": word(1, 8),
        "given_names": word(0, 6),
        "document_number": alnum(1, 12 if long_ok and layout == "TD1" else 9),
        "nationality": rng.choice(["DNK", "UTO", "D", "XXX"]),
        "birth_date": date(),
        "sex": rng.choice("MFX<"),
        "expiry_date": date(),
        "optional_data": alnum(0, 3),
    }
    return compose(layout, fields)


def _mutate(rng: random.Random, lines: tuple[str, ...]) -> list[str]:
    out = list(lines)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(out))
        line = out[i]
        op = rng.random()
        pos = rng.randrange(len(line) + 1)
        if op < 0.6 and line:
            pos = min(pos, len(line) - 1)
            out[i] = line[:pos] + rng.choice(_NOISE) + line[pos + 1 :]
        elif op < 0.7:
            out[i] = line[:pos] + rng.choice(_NOISE) + line[pos:]
        elif op < 0.8:
            out[i] = line[:pos] + line[pos + 1 :]
        elif op < 0.9:
            rng.shuffle(out)
        else:
            out[i] = line.lower() if rng.random() < 0.5 else line.replace("<", rng.choice(" _"))
    return out


def _random(rng: random.Random) -> list[str]:
    width = rng.choice([30, 36, 44, rng.randint(0, 60)])
    return ["".join(rng.choice(_NOISE) for _ in range(width)) for _ in range(rng.randint(0, 4))]


def main(argv: list[str]) -> int:
    """Run the fuzz loop and print the counts."""
    count = int(argv[1]) if len(argv) > 1 else 100_000
    rng = random.Random(int(argv[2]) if len(argv) > 2 else 0)
    settings = DocumentSettings()
    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    start = time.perf_counter()
    for n in range(count):
        kind = ("valid", "mutated", "random")[n % 3]
        lines = (list(_valid(rng)) if kind == "valid"
                 else _mutate(rng, _valid(rng)) if kind == "mutated" else _random(rng))
        try:
            result = check(lines)
            decision = assess_document(lines, _TODAY, settings)
            repr(result), repr(decision)
            if kind == "valid" and not result.valid:
                failures.append(f"generated MRZ invalid: {lines} {result.errors}")
            outcomes[f"{kind}: valid={result.valid} usable={decision.usable}"] += 1
        except Exception:  # noqa: BLE001 - counting every crash is the point
            outcomes["EXCEPTION"] += 1
            failures.append(f"{lines!r}\n{traceback.format_exc()}")
    seconds = time.perf_counter() - start
    print(f"{count} inputs in {seconds:.1f} s")
    for key, value in sorted(outcomes.items()):
        print(f"  {key:<40} {value}")
    print(f"exceptions: {outcomes['EXCEPTION']}, other failures: "
          f"{len(failures) - outcomes['EXCEPTION']}")
    for failure in failures[:20]:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

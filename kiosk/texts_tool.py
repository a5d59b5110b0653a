"""``make texts``: keep the catalogues in step with English, for translators.

1. *extract*: the English catalogue is the source of the texts (keys are the msgids, see
   :mod:`kiosk.i18n`), so each area's template ``locales/<area>.pot`` is written from it:
   every English entry with its text as a translator's comment and an empty translation.
2. *update*: ``pybabel update`` merges each template into every language's ``.po``: new keys
   appear empty, removed keys become obsolete, changed ones fuzzy.
3. *statistics*: ``pybabel compile --statistics`` into a scratch folder prints how much of each
   catalogue is translated (the kiosk reads the ``.po`` files directly, so no ``.mo`` is kept).

Run with ``python -m kiosk.texts_tool`` (``make texts``); it changes only ``kiosk/locales``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from kiosk.i18n import FALLBACK, LANGUAGES, LOCALES_DIR


def write_templates() -> list[str]:
    """One ``.pot`` per area from the English catalogue; returns the areas."""
    areas = []
    for source in sorted((LOCALES_DIR / FALLBACK / "LC_MESSAGES").glob("*.po")):
        area = source.stem
        with source.open("rb") as handle:
            english = read_po(handle, locale=FALLBACK, domain=area)
        # The English catalogue's date, so that an unchanged template stays byte for byte.
        template = Catalog(domain=area, project="Pasboks", version="1",
                           creation_date=english.creation_date,
                           msgid_bugs_address="pasboks@example.invalid", fuzzy=False)
        for message in english:
            if not message.id:
                continue
            text = message.string
            said = " | ".join(text) if isinstance(text, tuple | list) else str(text)
            template.add(message.id, "" if not message.pluralizable else ("", ""),
                         auto_comments=[f"English: {said}"], flags=message.flags)
        with (LOCALES_DIR / f"{area}.pot").open("wb") as handle:
            write_po(handle, template, width=100)
        areas.append(area)
    return areas


def _pybabel(*arguments: str) -> int:
    return subprocess.run([sys.executable, "-m", "babel.messages.frontend", *arguments],
                          check=False).returncode


def main() -> int:
    areas = write_templates()
    failures = 0
    for area in areas:
        for language in LANGUAGES:
            if language == FALLBACK:
                continue
            failures += _pybabel("update", "--no-wrap", "-i", str(LOCALES_DIR / f"{area}.pot"),
                                 "-d", str(LOCALES_DIR), "-D", area, "-l", language,
                                 "--ignore-pot-creation-date") != 0
    with tempfile.TemporaryDirectory() as scratch:
        for area in areas:
            for language in LANGUAGES:
                po = LOCALES_DIR / language / "LC_MESSAGES" / f"{area}.po"
                out = Path(scratch) / f"{language}-{area}.mo"
                failures += _pybabel("compile", "--statistics", "-i", str(po), "-o", str(out),
                                     "-l", language, "-D", area) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Translated texts: gettext catalogues, one per area and language, managed with Babel.

A key is ``<area>.<msgid>``: ``photo.move_closer`` is the entry ``move_closer`` of
``locales/<lang>/LC_MESSAGES/photo.po``. The English catalogue is the source of the texts (the
template ``locales/<area>.pot`` is made from it with ``make texts``, which also merges new keys
into every language with ``pybabel update`` and prints each catalogue's statistics); translators
work on the ``.po`` files with any gettext tool. Keys rather than English sentences are the
msgids, so fixing an English typo does not orphan eight translations.

The ``.po`` files are read directly (Babel's parser; a few hundred entries take milliseconds), so
nothing has to be compiled at setup. Fuzzy and empty entries count as missing: the citizen gets
the English text rather than a guess, and ``tests/unit/kiosk/test_i18n.py`` fails on them.
Plural entries (``msgid_plural``) follow each language's own ``Plural-Forms`` rule
(Arabic has six forms, Polish and Ukrainian three): use :func:`translate_plural`.
"""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES_DIR = Path(__file__).with_name("locales")
#: The languages the kiosk offers, in the order the welcome screen shows them, each in its own
#: name (a citizen looks for their language written the way they write it).
LANGUAGES: dict[str, str] = {
    "da": "Dansk",
    "en": "English",
    "de": "Deutsch",
    "pl": "Polski",
    "ro": "Română",
    "tr": "Türkçe",
    "ar": "العربية",
    "uk": "Українська",
}
#: Languages written right to left.
RTL_LANGUAGES = frozenset({"ar"})
FALLBACK = "en"


@dataclass(frozen=True)
class Entry:
    """One catalogue entry: its forms (one, or one per plural form) and whether it is usable."""

    forms: tuple[str, ...]
    plural: bool
    fuzzy: bool
    #: The ``{name}`` placeholders its text uses.
    flags: frozenset[str]

    @property
    def usable(self) -> bool:
        """A translator's guess (fuzzy) or an empty text is not shown to a citizen."""
        return not self.fuzzy and all(form.strip() for form in self.forms)


@dataclass(frozen=True)
class Catalogue:
    """All entries of one language, by ``area.msgid``, with the language's plural rule."""

    entries: dict[str, Entry]
    plural_forms: int
    plural: Callable[[int], int]


@cache
def load(language: str) -> Catalogue:
    """Read every ``.po`` file of ``language`` (an unknown language has no entries)."""
    entries: dict[str, Entry] = {}
    plural_forms, plural_rule = 2, "(n != 1)"
    folder = LOCALES_DIR / language / "LC_MESSAGES"
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as handle:
            po = read_po(handle, locale=language, domain=path.stem)
        plural_forms, plural_rule = po.num_plurals, po.plural_expr
        for message in po:
            if not message.id:
                continue  # the header
            plural = isinstance(message.id, tuple | list)
            key = str(message.id[0] if plural else message.id)
            strings = message.string
            forms = (tuple(str(form or "") for form in strings)
                     if isinstance(strings, tuple | list) else (str(strings or ""),))
            entries[f"{path.stem}.{key}"] = Entry(forms, plural, message.fuzzy,
                                                  frozenset(message.flags))
    return Catalogue(entries, plural_forms, gettext.c2py(plural_rule))


def catalog(language: str) -> dict[str, str]:
    """The usable texts of one language, ``area.key`` -> text (a plural entry's first form)."""
    return {key: entry.forms[0] for key, entry in load(language).entries.items() if entry.usable}


def _entry(key: str, language: str) -> tuple[Entry, Catalogue] | None:
    for code in (language, FALLBACK):
        catalogue = load(code)
        entry = catalogue.entries.get(key)
        if entry is not None and entry.usable:
            return entry, catalogue
    return None


def translate(key: str, language: str, **values: object) -> str:
    """The text for ``key`` in ``language`` (falling back to English, then to the key itself,
    so the citizen never sees an empty label), with ``{name}`` placeholders filled."""
    found = _entry(key, language)
    text = found[0].forms[0] if found else key
    return text.format(**values) if values else text


def translate_plural(key: str, count: int, language: str, **values: object) -> str:
    """The form of plural entry ``key`` for ``count`` in ``language``; ``{count}`` is filled."""
    found = _entry(key, language)
    if found is None:
        return key
    entry, catalogue = found
    index = catalogue.plural(count) if entry.plural else 0
    text = entry.forms[min(index, len(entry.forms) - 1)]
    return text.format(count=count, **values)


def is_rtl(language: str) -> bool:
    """Whether ``language`` is written right to left."""
    return language in RTL_LANGUAGES


def _locale(language: str) -> Locale:
    return Locale.parse(language if language in LANGUAGES else FALLBACK)


def format_date(value: dt.date, language: str) -> str:
    """A date as the citizen's language writes it (``30. marts 2027``, ``30 березня 2027 р.``)."""
    return babel_format_date(value, format="long", locale=_locale(language))


def format_time(value: dt.datetime | dt.time, language: str) -> str:
    """A time of day in the citizen's language (hours and minutes)."""
    return babel_format_time(value, format="short", locale=_locale(language))


def format_number(value: float | int, language: str) -> str:
    """A number with the language's decimal and grouping signs."""
    return format_decimal(value, locale=_locale(language))


class Translator:
    """A callable bound to one language, handed to screens and reports."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else FALLBACK

    def __call__(self, key: str, **values: object) -> str:
        return translate(key, self.language, **values)

    def plural(self, key: str, count: int, **values: object) -> str:
        """A plural entry's form for ``count``."""
        return translate_plural(key, count, self.language, **values)

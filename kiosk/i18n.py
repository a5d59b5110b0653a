"""Translated texts: one TOML catalog per area and language under ``kiosk/locales/<lang>/``.

A key is ``<area>.<key>``: ``photo.move_closer`` comes from ``locales/<lang>/photo.toml``, key
``move_closer``. Every area owns its own catalog files, so cores and screens add texts without
touching each other's. A missing translation falls back to English, then to the key itself, so
the citizen never sees an empty label; ``tests/unit/test_i18n.py`` checks that every key exists
in every language.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).with_name("locales")
#: The languages the kiosk offers, in the order the welcome screen shows them.
LANGUAGES: dict[str, str] = {"da": "Dansk", "en": "English"}
FALLBACK = "en"


@cache
def catalog(language: str) -> dict[str, str]:
    """All texts of one language, flattened to ``area.key`` -> text."""
    texts: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / language).glob("*.toml")):
        with path.open("rb") as handle:
            _flatten(tomllib.load(handle), path.stem, texts)
    return texts


def _flatten(table: dict[str, object], prefix: str, out: dict[str, str]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}"
        if isinstance(value, dict):
            _flatten(value, name, out)
        else:
            out[name] = str(value)


def translate(key: str, language: str, **values: object) -> str:
    """The text for ``key`` in ``language``, with ``{name}`` placeholders filled from ``values``."""
    text = catalog(language).get(key) or catalog(FALLBACK).get(key) or key
    return text.format(**values) if values else text


class Translator:
    """A callable bound to one language, handed to screens and reports."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else FALLBACK

    def __call__(self, key: str, **values: object) -> str:
        return translate(key, self.language, **values)

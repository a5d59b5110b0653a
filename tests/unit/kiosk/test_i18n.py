"""Every text exists in every language, and every placeholder matches across languages."""

from __future__ import annotations

import re

from kiosk.i18n import LANGUAGES, Translator, catalog, translate

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_key_is_translated_into_every_language() -> None:
    keys = {language: set(catalog(language)) for language in LANGUAGES}
    every = set().union(*keys.values())
    for language, have in keys.items():
        assert not every - have, f"{language} lacks {sorted(every - have)}"


def test_placeholders_agree_across_languages() -> None:
    english = catalog("en")
    for language in LANGUAGES:
        for key, text in catalog(language).items():
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(english[key])), key


def test_no_text_is_empty() -> None:
    for language in LANGUAGES:
        assert all(text.strip() for text in catalog(language).values())


def test_translate_fills_values_and_falls_back() -> None:
    assert translate("ui.step", "da", number=2, total=5) == "Trin 2 af 5"
    assert translate("ui.step", "en", number=2, total=5) == "Step 2 of 5"
    assert translate("ui.no_such_key", "da") == "ui.no_such_key"
    assert Translator("xx").language == "en"

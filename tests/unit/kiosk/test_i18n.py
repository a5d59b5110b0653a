"""The catalogues: every text in every language, nothing fuzzy or empty, placeholders and
plural forms that agree with English, and dates and numbers in the citizen's language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from babel import Locale
from babel.messages.plurals import get_plural

from kiosk.i18n import (
    LANGUAGES,
    LOCALES_DIR,
    Translator,
    catalog,
    format_date,
    format_number,
    is_rtl,
    load,
    translate,
    translate_plural,
)

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_english_key_is_translated_and_nothing_is_fuzzy(language: str) -> None:
    english = load("en").entries
    entries = load(language).entries
    missing = sorted(set(english) - set(entries))
    assert not missing, f"{language} lacks {missing[:20]} ({len(missing)} in all)"
    fuzzy = sorted(key for key, entry in entries.items() if entry.fuzzy)
    assert not fuzzy, f"{language} has fuzzy entries {fuzzy[:20]}"
    empty = sorted(key for key, entry in entries.items() if not all(f.strip() for f in entry.forms))
    assert not empty, f"{language} has untranslated entries {empty[:20]}"
    stale = sorted(set(entries) - set(english))
    assert not stale, f"{language} has keys English no longer has: {stale[:20]}"


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_placeholders_agree_with_english(language: str) -> None:
    english = load("en").entries
    for key, entry in load(language).entries.items():
        if key not in english:
            continue
        wanted = set().union(*(PLACEHOLDER.findall(form) for form in english[key].forms))
        for form in entry.forms:
            found = set(PLACEHOLDER.findall(form))
            # A plural form may leave out {count} ("one second" in words), never add a name.
            assert found <= wanted and wanted - found <= {"count"}, (language, key, form)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_plural_entries_have_every_form_the_language_needs(language: str) -> None:
    catalogue = load(language)
    if (LOCALES_DIR / language / "LC_MESSAGES").is_dir():
        assert catalogue.plural_forms == get_plural(language).num_plurals
    english = load("en").entries
    for key, entry in catalogue.entries.items():
        if key in english and english[key].plural:
            assert entry.plural, (language, key)
            assert len(entry.forms) == catalogue.plural_forms, (language, key)


def test_plural_forms_follow_each_languages_rule() -> None:
    assert translate_plural("ui.inactivity.lead", 1, "en").endswith("1 second.")
    assert translate_plural("ui.inactivity.lead", 25, "en").endswith("25 seconds.")
    assert translate_plural("ui.inactivity.lead", 1, "da").endswith("1 sekund.")
    assert translate_plural("ui.inactivity.lead", 25, "da").endswith("25 sekunder.")
    # Polish: 2-4 and 22-24 take one form, 5-21 another.
    polish = {n: translate_plural("ui.inactivity.lead", n, "pl") for n in (2, 5, 22, 25)}
    assert polish[2].replace("2", "N") == polish[22].replace("22", "N")
    assert polish[5].replace("5", "N") == polish[25].replace("25", "N")
    assert polish[2].replace("2", "N") != polish[5].replace("5", "N")


def test_translate_fills_values_and_falls_back() -> None:
    assert translate("ui.step", "da", number=2, total=5) == "Trin 2 af 5"
    assert translate("ui.step", "en", number=2, total=5) == "Step 2 of 5"
    assert translate("ui.no_such_key", "da") == "ui.no_such_key"
    assert Translator("xx").language == "en"
    assert set(catalog("en")) == set(load("en").entries)


def test_dates_and_numbers_in_the_citizens_language() -> None:
    day = dt.date(2027, 3, 30)
    assert format_date(day, "da") == "30. marts 2027"
    assert format_date(day, "en") == "March 30, 2027"
    assert format_date(day, "de") == "30. März 2027"
    assert "березня" in format_date(day, "uk")
    assert format_number(1234.5, "da") == "1.234,5"
    assert format_number(1234.5, "en") == "1,234.5"


def test_only_arabic_is_right_to_left() -> None:
    assert [code for code in LANGUAGES if is_rtl(code)] == ["ar"]


def test_every_language_is_named_in_its_own_script() -> None:
    for code, name in LANGUAGES.items():
        own = Locale.parse(code).get_display_name(code) or ""
        assert name.casefold() == own.casefold(), (code, name, own)

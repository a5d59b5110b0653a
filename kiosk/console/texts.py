"""The console's words, in the staff language (``staff.language``), from the ``console`` area
of the catalogues.

The refusal explanations are the kiosk's own (``document.refusal_*`` and what the citizen is
asked to do, ``document.action_*``), so the librarian reads what the citizen was told.
"""

from __future__ import annotations

from typing import Any

from kiosk.i18n import LANGUAGES, catalog, translate

#: Keys of the console area that are tables of their own (sent to the page as objects).
_TABLES = ("steps", "out_reasons", "device_names")


def _area(language: str) -> dict[str, Any]:
    """The ``console`` area of the catalogue: flat texts, plus the tables as dicts."""
    out: dict[str, Any] = {table: {} for table in _TABLES}
    english = catalog("en")
    for key in english:
        if not key.startswith("console."):
            continue
        name = key.removeprefix("console.")
        value = translate(key, language)
        table, _, item = name.partition(".")
        if item and table in _TABLES:
            out[table][item] = value
        else:
            out[name] = value
    return out


def language_of(wanted: str) -> str:
    return wanted if wanted in LANGUAGES else "en"


def texts(language: str) -> dict[str, Any]:
    """Everything the page needs to say, for its script."""
    return _area(language_of(language))


def text(key: str, language: str) -> str:
    return translate(f"console.{key}", language_of(language)) if f"console.{key}" in \
        catalog("en") else key


def refusal_texts(reason: str, language: str) -> tuple[str, str]:
    """The plain-language explanation of a refusal code and what the citizen should do."""
    from kiosk.document.decision import ACTIONS

    language = language_of(language)
    key = f"document.refusal_{reason}"
    explanation = translate(key, language) if key in catalog(language) or \
        key in catalog("en") else ""
    action = ACTIONS.get(reason)
    advice = translate(f"document.{action}", language) if action else ""
    return explanation, advice


def step_label(state: str, language: str) -> str:
    key = f"console.steps.{state}"
    return translate(key, language_of(language)) if key in catalog("en") else state


def fault_text(code: str, language: str) -> str:
    """What a device's fault code means, in the staff language (the kiosk's own staff texts);
    a code without a text is shown as the code."""
    key = f"ui.staff.fault.{code}"
    return translate(key, language_of(language)) if key in catalog("en") else code

"""Configurable policy of the document core (the `[document]` section of the config)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DocumentSettings(BaseModel):
    """Settings of the document core: who may renew at the kiosk (Danish defaults).

    Defaults follow requirements.md §1: the last Danish passport is the proof of identity,
    fingerprints from age 12, custody-holder consent under 18.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    document_codes: tuple[str, ...] = ("P",)
    """Document codes (trailing fillers removed) the kiosk renews: ordinary passports."""
    issuing_states: tuple[str, ...] = ("DNK",)
    """Issuing States whose passports the kiosk renews."""
    nationalities: tuple[str, ...] = ("DNK",)
    """Nationalities that can be given a passport here."""
    expiry_warning_days: int = Field(180, ge=0)
    """A passport expiring within this many days counts as 'expiring soon'."""
    max_years_expired: int | None = Field(5, ge=0)
    """A passport expired longer than this goes to staff (None: no limit).

    Assumption: requirements.md gives no limit; a long-expired passport's photo is a weak
    proof of identity, so staff check it. Set by policy.
    """
    max_validity_years: int = Field(10, ge=1, le=30)
    """Longest validity of a document; an expiry year further ahead belongs to the 1900s."""
    fingerprint_min_age: int = Field(12, ge=0)
    """Fingerprints are taken from this age (Regulation (EC) 444/2009; requirements.md §1)."""
    self_service_min_age: int = Field(18, ge=0)
    """Below this age custody holders must consent (pasbekendtgørelsen § 19), so staff help."""
    accept_repaired: bool = True
    """Go on with an MRZ that an unambiguous OCR repair made valid."""

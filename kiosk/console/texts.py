"""The console's words, in the staff language (``staff.language``: Danish or English).

The refusal explanations are the kiosk's own (``document.refusal_*`` and what the citizen is
asked to do, ``document.action_*``), so the librarian reads what the citizen was told.
"""

from __future__ import annotations

from typing import Any

from kiosk.i18n import catalog, translate

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Pasboks staff console",
        "login_title": "Sign in",
        "login_lead": "Sign in with your staff name and PIN.",
        "name": "Staff name",
        "secret": "PIN or passphrase",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "refused": "That name and PIN do not match.",
        "locked": "Too many attempts. Try again in {seconds} seconds.",
        "unavailable": "Sign-in is not possible: the staff accounts cannot be read.",
        "signed_in_as": "Signed in as {name}",
        "no_kiosks": "No kiosk is connected yet.",
        "offline": "Not connected (last heard {ago} ago)",
        "in_step": "{step} for {time}",
        "help": "Help requested {time} ago",
        "help_asked_at": "asked on: {step}",
        "help_acknowledged": "{name} is on the way",
        "coming": "I'm coming",
        "message": "Send message",
        "message_label": "Message to the kiosk screen",
        "send": "Send",
        "out_of_service": "Take out of service",
        "back_in_service": "Put back in service",
        "out_reason": "Reason",
        "is_out": "Out of service: {reason}",
        "devices": "Devices",
        "device_ok": "ok",
        "applications": "Applications waiting for collection",
        "applications_none": "none",
        "applications_some": "{count} (oldest {age})",
        "refusal": "Last refusal ({ago} ago)",
        "what_to_tell": "Tell the citizen",
        "staff_at_kiosk": "Staff signed in at the kiosk: {name}",
        "sound_on": "Turn sound on",
        "sound_is_on": "Sound is on",
        "done_ok": "Done.",
        "failed": "Not done: {code}",
        "confirm_out": "A citizen is using this kiosk. Take it out of service anyway?",
        "lost": "Connection to the console lost; trying again …",
        "expired": "Your session has ended. Sign in again.",
        "unknown": "unknown",
    },
    "da": {
        "title": "Pasboks personalekonsol",
        "login_title": "Log ind",
        "login_lead": "Log ind med dit personalenavn og din pinkode.",
        "name": "Personalenavn",
        "secret": "Pinkode eller adgangssætning",
        "sign_in": "Log ind",
        "sign_out": "Log ud",
        "refused": "Navn og pinkode passer ikke sammen.",
        "locked": "For mange forsøg. Prøv igen om {seconds} sekunder.",
        "unavailable": "Du kan ikke logge ind: personalekontiene kan ikke læses.",
        "signed_in_as": "Logget ind som {name}",
        "no_kiosks": "Ingen kiosk er forbundet endnu.",
        "offline": "Ikke forbundet (sidst hørt for {ago} siden)",
        "in_step": "{step} i {time}",
        "help": "Beder om hjælp (for {time} siden)",
        "help_asked_at": "spurgte ved: {step}",
        "help_acknowledged": "{name} er på vej",
        "coming": "Jeg kommer",
        "message": "Send besked",
        "message_label": "Besked til kioskens skærm",
        "send": "Send",
        "out_of_service": "Tag ud af drift",
        "back_in_service": "Sæt i drift igen",
        "out_reason": "Årsag",
        "is_out": "Ude af drift: {reason}",
        "devices": "Enheder",
        "device_ok": "ok",
        "applications": "Ansøgninger der venter på afhentning",
        "applications_none": "ingen",
        "applications_some": "{count} (ældste {age})",
        "refusal": "Seneste afvisning (for {ago} siden)",
        "what_to_tell": "Sig til borgeren",
        "staff_at_kiosk": "Personale logget ind ved kiosken: {name}",
        "sound_on": "Slå lyd til",
        "sound_is_on": "Lyden er slået til",
        "done_ok": "Udført.",
        "failed": "Ikke udført: {code}",
        "confirm_out": "En borger bruger kiosken. Vil du alligevel tage den ud af drift?",
        "lost": "Forbindelsen til konsollen er afbrudt; prøver igen …",
        "expired": "Din session er slut. Log ind igen.",
        "unknown": "ukendt",
    },
}

STEPS: dict[str, dict[str, str]] = {
    "en": {
        "welcome": "Free (welcome screen)", "identify": "Scanning the passport",
        "refused": "Passport refused", "photo": "Taking the photo",
        "photo_review": "Checking the photo", "fingerprints": "Fingerprints",
        "signature": "Signature", "summary": "Summary", "handoff": "Sending the application",
        "done": "Finished", "help": "Asking for help",
        "inactivity_warning": "Asked if still there", "aborted": "Stopped",
        "device_error": "Device problem", "out_of_service": "Out of service",
    },
    "da": {
        "welcome": "Ledig (velkomstskærm)", "identify": "Scanner passet",
        "refused": "Pas afvist", "photo": "Tager foto", "photo_review": "Ser fotoet igennem",
        "fingerprints": "Fingeraftryk", "signature": "Underskrift", "summary": "Oversigt",
        "handoff": "Sender ansøgningen", "done": "Færdig", "help": "Beder om hjælp",
        "inactivity_warning": "Spurgt om de stadig er der", "aborted": "Afbrudt",
        "device_error": "Problem med en enhed", "out_of_service": "Ude af drift",
    },
}

OUT_REASONS: dict[str, dict[str, str]] = {
    "en": {"maintenance": "Maintenance", "device_fault": "Device fault",
           "closing": "Closing time", "other": "Other reason"},
    "da": {"maintenance": "Vedligeholdelse", "device_fault": "Fejl på en enhed",
           "closing": "Lukketid", "other": "Anden årsag"},
}

DEVICES: dict[str, dict[str, str]] = {
    "en": {"scanner": "Passport scanner", "camera": "Camera", "fingerprint": "Fingerprint reader",
           "signature": "Signature pad", "storage": "Storage"},
    "da": {"scanner": "Passcanner", "camera": "Kamera", "fingerprint": "Fingeraftrykslæser",
           "signature": "Underskriftsblok", "storage": "Lager"},
}


def language_of(wanted: str) -> str:
    return wanted if wanted in TEXTS else "en"


def texts(language: str) -> dict[str, Any]:
    """Everything the page needs to say, for its script."""
    language = language_of(language)
    return {**TEXTS[language], "steps": STEPS[language], "out_reasons": OUT_REASONS[language],
            "device_names": DEVICES[language]}


def text(key: str, language: str) -> str:
    return TEXTS[language_of(language)].get(key, key)


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
    return STEPS[language_of(language)].get(state, state)

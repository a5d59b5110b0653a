"""The application record: what the caseworker needs from a finished session, and nothing else.

Four parts, each stored and sent as it is:

* ``case``: JSON with the reference, the kiosk, the time, the holder as identified by the old
  passport (document number, names as printed, birth date) and the capture metadata (quality
  scores, fingers skipped and why, staff actions with their reason and actor);
* ``photo``: the token photo (JPEG 2000 when it was made, else JPEG), never the camera frame;
* ``fingerprints``: an ISO/IEC 19794-4 finger image record (WSQ) with the finger positions;
* ``signature``: the signature as a grey PNG.

The README's "The application record" table says why each field is there.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

# numpy and Pillow are imported where a record is built: the caseworker's client and the
# hand-off server only read records, and start a second faster without them.
from kiosk import __version__

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from kiosk.workflow.session import SessionData

PhotoFormat = Literal["jpeg", "jp2"]
#: Part names in the store and the bundle.
CASE, PHOTO, FINGERPRINTS, SIGNATURE = "case", "photo", "fingerprints", "signature"
#: From the old passport, only what identifies the case.
HOLDER_FIELDS = ("document_number", "surname", "given_names", "birth_date")
#: Record format version, so a caseworker system can tell what it reads.
FORMAT = "pasboks-application/1"


class RecordError(ValueError):
    """Parts that do not make a whole application record."""


@dataclass(frozen=True)
class ApplicationRecord:
    """One finished application, ready to be sealed, stored and sent."""

    reference: str
    case: Mapping[str, Any] = field(repr=False)
    photo: bytes = field(repr=False)
    photo_format: PhotoFormat
    fingerprints: bytes | None = field(repr=False)
    signature: bytes = field(repr=False)

    def to_parts(self) -> dict[str, bytes]:
        """The parts as stored (the fingerprint part only when there are fingerprints)."""
        parts = {CASE: self.case_json(), PHOTO: self.photo, SIGNATURE: self.signature}
        if self.fingerprints is not None:
            parts[FINGERPRINTS] = self.fingerprints
        return parts

    @classmethod
    def from_parts(cls, reference: str, parts: Mapping[str, bytes]) -> ApplicationRecord:
        """Rebuild a record from its parts; RecordError when one is missing or malformed."""
        missing = {CASE, PHOTO, SIGNATURE} - set(parts)
        if missing:
            raise RecordError(f"{reference}: part {sorted(missing)[0]!r} is missing")
        try:
            case = json.loads(parts[CASE])
        except (ValueError, UnicodeDecodeError):
            raise RecordError(f"{reference}: the case part is not JSON") from None
        if not isinstance(case, dict) or case.get("format") != FORMAT:
            raise RecordError(f"{reference}: the case part is not a {FORMAT} record")
        if case.get("reference") != reference:
            raise RecordError(f"{reference}: the case part belongs to another reference")
        photo_format = case.get("photo", {}).get("format")
        if photo_format not in ("jpeg", "jp2"):
            raise RecordError(f"{reference}: unknown photo format")
        holder = case.get("holder")
        if not isinstance(holder, dict) or set(holder) != set(HOLDER_FIELDS):
            raise RecordError(f"{reference}: the holder fields are not the expected ones")
        if (FINGERPRINTS in parts) != bool(case.get("fingerprints", {}).get("positions")):
            raise RecordError(f"{reference}: fingerprint part and metadata disagree")
        return cls(reference, case, parts[PHOTO], photo_format, parts.get(FINGERPRINTS),
                   parts[SIGNATURE])

    def case_json(self) -> bytes:
        """``application.json``: the case part, UTF-8, stable key order."""
        return json.dumps(self.case, ensure_ascii=False, indent=2, sort_keys=True).encode()

    def birth_day_month(self) -> str:
        """``DDMM`` of the holder's birth date, which a caseworker gives to fetch the record."""
        birth = dt.date.fromisoformat(str(self.case["holder"]["birth_date"]))
        return f"{birth.day:02d}{birth.month:02d}"

    @property
    def photo_suffix(self) -> str:
        """File suffix of the photo: ``.jp2`` or ``.jpg``."""
        return ".jp2" if self.photo_format == "jp2" else ".jpg"


def signature_png(image: NDArray[np.uint8]) -> bytes:
    """The signature as a grey PNG (lossless: a signature is thin lines)."""
    import numpy as np
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image, np.uint8)).convert("L").save(
        buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def build_record(data: SessionData, reference: str, *, kiosk_id: str, created_at: float,
                 fingerprint_encoding: Literal["raw", "wsq", "png"] = "wsq"
                 ) -> ApplicationRecord:
    """The record of a finished session (raises RecordError if the session is not finished)."""
    import numpy as np

    from kiosk.fingerprint.encoding import iso19794_4_record

    if data.document is None or data.photo is None or data.signature is None:
        raise RecordError("a record needs the passport, the photo and the signature")
    handoff = data.document.handoff
    if any(name not in handoff for name in HOLDER_FIELDS):
        raise RecordError("the passport reading lacks the fields that identify the case")
    photo = data.photo
    photo_format: PhotoFormat = "jp2" if photo.jpeg2000 is not None else "jpeg"
    photo_bytes = photo.jpeg2000 if photo.jpeg2000 is not None else photo.jpeg
    prints = data.fingerprints
    record = (iso19794_4_record(prints.impressions, fingerprint_encoding)
              if prints is not None and prints.impressions else None)
    signature = np.asarray(data.signature.image, np.uint8)
    height, width = photo.image.shape[:2]
    case: dict[str, Any] = {
        "format": FORMAT,
        "reference": reference,
        "kiosk_id": kiosk_id,
        "software": f"pasboks {__version__}",
        "created_at": dt.datetime.fromtimestamp(created_at, dt.UTC).isoformat(timespec="seconds"),
        "holder": {name: handoff[name] for name in HOLDER_FIELDS},
        "photo": {
            "format": photo_format, "width": width, "height": height,
            "bytes": len(photo_bytes),
            "measurements": {name: round(value, 4) for name, value in photo.measurements.items()},
            "checks": [{"measure": name, "value": None if value is None else round(value, 4),
                        "status": status} for name, value, status in photo.checks],
        },
        "fingerprints": _fingerprint_metadata(data),
        "signature": {"format": "png", "width": int(signature.shape[1]),
                      "height": int(signature.shape[0])},
        "staff_actions": [
            {"actor": action.actor, "action": action.action, "subject": action.subject,
             "reason": action.reason} for action in data.staff_actions],
    }
    return ApplicationRecord(reference, case, photo_bytes, photo_format, record,
                             signature_png(signature))


def _fingerprint_metadata(data: SessionData) -> dict[str, Any]:
    prints = data.fingerprints
    if prints is None:
        return {"outcome": "not_taken", "positions": [], "fingers": [], "unavailable": [],
                "failed": []}
    return {
        "outcome": str(prints.outcome),
        "positions": [int(finger.position) for finger in prints.fingers],
        "fingers": [
            {"position": int(finger.position), "name": finger.position.name.lower(),
             "quality": int(finger.impression.quality.score), "attempts": finger.attempts,
             "verified": finger.verified}
            for finger in prints.fingers],
        "unavailable": [{"position": int(position), "reason": str(reason)}
                        for position, reason in prints.unavailable],
        "failed": [int(position) for position in prints.failed],
    }

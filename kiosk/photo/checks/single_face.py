"""SingleFacePresent: exactly one dominant face in the frame."""

from __future__ import annotations

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.result import CheckResult, Mode, verdict
from kiosk.photo.settings import PhotoSettings


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Count faces; a second face counts when it is not tiny next to the main one."""
    faces = a.faces
    if not faces and a.has_face:
        # The detector missed a face the mesh found (it happens on tight crops): one face.
        return [verdict("SingleFacePresent", 1, True, "no_face", "exactly one face")]
    if not faces:
        return [verdict("SingleFacePresent", 0, False, "no_face", "exactly one face")]
    main = faces[0].width
    count = 1 + sum(1 for f in faces[1:] if f.width >= s.min_second_face_ratio * main)
    return [verdict("SingleFacePresent", count, count == 1, "multiple_faces", "exactly one face",
                    {"detections": len(faces), "face_score": faces[0].score})]

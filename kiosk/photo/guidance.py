"""Guidance: the one instruction to show, chosen by priority and held steady over recent frames."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass

from kiosk.i18n import translate
from kiosk.photo.report import PhotoReport
from kiosk.photo.settings import PhotoSettings

#: Defect -> instruction code, in priority order: the first failed defect in this order is the
#: most useful thing to fix (there is no point asking for a closed mouth while no face is
#: found, or for even light while the head is turned away).
PRIORITY: tuple[tuple[str, str], ...] = (
    ("no_face", "face_camera"),
    ("multiple_faces", "one_person"),
    ("face_too_small", "move_closer"),
    ("low_resolution", "move_closer"),
    ("face_too_large", "move_back"),
    ("face_cut_off", "center_face"),
    ("face_off_center", "center_face"),
    ("head_covering", "remove_head_covering"),
    ("glasses", "remove_glasses"),
    ("glasses_glare", "remove_glasses"),
    ("occlusion", "uncover_face"),
    ("hair_over_eyes", "hair_from_eyes"),
    ("head_rotated", "look_straight"),
    ("head_tilted", "straighten_head"),
    ("eyes_closed", "open_eyes"),
    ("mouth_open", "close_mouth"),
    ("smiling", "neutral_expression"),
    ("blurred", "hold_still"),
    ("underexposed", "call_staff_light"),
    ("overexposed", "call_staff_light"),
    ("uneven_lighting", "call_staff_light"),
    ("shadow_on_face", "call_staff_light"),
    ("background_not_plain", "clear_background"),
    ("background_shadow", "clear_background"),
    ("color_cast", "call_staff_camera"),
    ("grayscale", "call_staff_camera"),
    ("compression_artifacts", "call_staff_camera"),
    ("red_eye", "call_staff_camera"),
)
_RANK = {defect: i for i, (defect, _) in enumerate(PRIORITY)}
_INSTRUCTION = dict(PRIORITY)
#: Shown when everything passes: the capture is about to happen.
ALL_GOOD = "hold_still_capturing"


@dataclass(frozen=True)
class Instruction:
    """One instruction for the citizen: a code for the UI's pictogram and a text key."""

    code: str
    """Instruction code (``move_closer``...), also the pictogram name."""
    defect: str | None
    """The reason code behind it (``None`` when everything passes)."""

    @property
    def text_key(self) -> str:
        """Translation key (``photo.guide_<code>``)."""
        return f"photo.guide_{self.code}"

    def text(self, language: str) -> str:
        """The plain sentence in ``language`` (Danish and English at least)."""
        return translate(self.text_key, language)


def instruction_for(report: PhotoReport) -> Instruction:
    """The single most useful instruction for one report, without any smoothing."""
    if report.compliant:
        return Instruction(ALL_GOOD, None)
    ranked = sorted(report.defects, key=lambda d: _RANK.get(d, len(_RANK)))
    defect = ranked[0] if ranked else "no_face"
    return Instruction(_INSTRUCTION.get(defect, "face_camera"), defect)


class Guide:
    """Stable guidance: a new instruction replaces the shown one only when it has won at least
    ``guidance_min_frames`` of the last ``guidance_window`` frames and the shown one has not.

    That hysteresis stops the text flickering between two instructions when a measure hovers
    round its threshold.
    """

    def __init__(self, settings: PhotoSettings | None = None) -> None:
        s = settings or PhotoSettings()
        self._min = min(s.guidance_min_frames, s.guidance_window)
        self._recent: deque[Instruction] = deque(maxlen=s.guidance_window)
        self.current: Instruction | None = None

    def reset(self) -> None:
        """Forget the history (a new citizen, or a retake)."""
        self._recent.clear()
        self.current = None

    def update(self, report: PhotoReport) -> Instruction:
        """Feed one frame's report; returns the instruction to show now."""
        self._recent.append(instruction_for(report))
        counts = Counter(self._recent)
        # Most frequent, ties broken by priority (earlier in PRIORITY wins).
        best = min(counts, key=lambda i: (-counts[i], _RANK.get(i.defect or "", len(_RANK))))
        if self.current is None or best != self.current and counts[best] >= self._min \
                and counts[self.current] < self._min:
            self.current = best
        return self.current

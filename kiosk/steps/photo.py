"""The photo step: camera frames in, guidance text, hold-still progress and the photo out."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from drivers.interfaces import Frame
from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.capture import CaptureState
from kiosk.photo.session import LivePhotoSession
from kiosk.photo.settings import PhotoSettings
from kiosk.photo.token import TokenPhoto
from kiosk.steps.lift import Eyes


def eyes_of(analysis: FrameAnalysis | None, frame_height: int) -> Eyes | None:
    """Where the eyes are in an analysed frame, for the camera lift (None: no face)."""
    if (analysis is None or not analysis.has_face or analysis.right_eye is None
            or analysis.left_eye is None):
        return None
    middle = float(analysis.right_eye[1] + analysis.left_eye[1]) / 2
    return Eyes(middle, analysis.inter_eye, frame_height)


@dataclass(frozen=True)
class PhotoUpdate:
    """What the screen shows after one frame."""

    text_key: str
    preview: NDArray[np.uint8] = field(repr=False)
    progress: float
    #: The token photo the citizen reviews and the hand-off sends, once taken.
    result: TokenPhoto | None = None
    #: A face is in view: someone is standing at the camera.
    citizen_present: bool = False
    #: Codes of the checks the frame fails (after any a librarian overrode).
    defects: tuple[str, ...] = ()
    #: Where the eyes are (for the camera lift to follow a citizen who moved); None: no face.
    eyes: Eyes | None = None


class PhotoStep:
    """One live capture: owns its face models (create and use it in one worker thread)."""

    def __init__(self, settings: PhotoSettings) -> None:
        self.session = LivePhotoSession(settings)
        self._last_sample: NDArray[np.uint8] | None = None
        self._last_update: PhotoUpdate | None = None

    def waive(self, checks: frozenset[str]) -> None:
        """Stop waiting for these checks (defect codes a librarian overrode)."""
        self.session.waived = checks

    def feed(self, frame: Frame) -> PhotoUpdate:
        """Analyse one camera frame.

        A frame identical to the one before carries no news: a frozen camera repeats itself,
        and a repeated compliant frame must not count as a citizen holding still, or the kiosk
        would capture a stale photo. Such frames are not analysed.
        """
        sample = frame.pixels[::16, ::16]
        repeated = self._last_sample is not None and np.array_equal(sample, self._last_sample)
        self._last_sample = sample.copy()
        if repeated and self._last_update is not None:
            return self._last_update
        self._last_update = self._update(frame)
        return self._last_update

    def _update(self, frame: Frame) -> PhotoUpdate:
        update = self.session.process(frame.pixels, frame.timestamp)
        status = update.capture
        if status.state is CaptureState.HOLDING_STILL:
            text_key = "ui.photo.holding"
        elif status.state is CaptureState.CAPTURED:
            text_key = "ui.photo.taken"
        else:
            text_key = update.instruction.text_key
        result = update.token
        progress = 1.0 if result else status.progress
        present = update.report.analysis is not None and update.report.analysis.has_face
        return PhotoUpdate(text_key, frame.pixels, progress, result, present,
                           update.report.defects,
                           eyes_of(update.report.analysis, frame.pixels.shape[0]))

    def close(self) -> None:
        """Release the models."""
        self.session.close()


"""Hand-off encodings, and the whole chain from synthetic reader to ISO/IEC 19794-4 record."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from kiosk.fingerprint.encoding import (
    from_wsq,
    iso19794_4_record,
    parse_iso19794_4,
    to_png_lossless,
    to_wsq,
)
from kiosk.fingerprint.impression import take_impression
from kiosk.fingerprint.positions import FingerPosition as F
from kiosk.fingerprint.sequence import FingerSequence, Outcome
from kiosk.fingerprint.settings import FingerprintSettings
from simulator.fingerprints import persona_finger


def test_png_is_lossless_and_500_ppi(good_print: np.ndarray) -> None:
    data = to_png_lossless(good_print)
    with Image.open(io.BytesIO(data)) as image:
        assert image.mode == "L"
        assert round(image.info["dpi"][0]) == 500
        assert np.array_equal(np.asarray(image), good_print)


def test_wsq_round_trip(good_print: np.ndarray) -> None:
    data = to_wsq(good_print)
    assert data[:2] == b"\xff\xa0"
    decoded = from_wsq(data)
    assert decoded.shape == good_print.shape
    psnr = 10 * np.log10(255**2 / np.mean((decoded.astype(float) - good_print) ** 2))
    assert psnr > 30
    assert len(data) < good_print.size / 5


def test_record_rejects_duplicates_and_empty(good_print: np.ndarray) -> None:
    from kiosk.fingerprint.impression import CaptureRequest

    impression = take_impression(CaptureRequest(F.LEFT_INDEX, 1), good_print)
    with pytest.raises(ValueError):
        iso19794_4_record([])
    with pytest.raises(ValueError):
        iso19794_4_record([impression, impression])


@pytest.mark.parametrize("compression", ["raw", "png", "wsq"])
def test_end_to_end_left_stays_left(compression: str) -> None:
    """Simulated reader -> sequence -> record: positions and pixels arrive where they belong."""
    settings = FingerprintSettings()
    seq = FingerSequence(settings, age=35)
    while not seq.is_done:
        request = seq.current
        frame = persona_finger(77, int(request.position), "good", request.attempt)
        seq.record(take_impression(request, frame, 500, settings))
    result = seq.result()
    assert result.outcome is Outcome.TWO_FINGERS
    record = iso19794_4_record(result.impressions, compression=compression)
    views = parse_iso19794_4(record)
    assert [view.position for view in views] == [F.LEFT_INDEX, F.RIGHT_INDEX]
    for view, finger in zip(views, result.fingers, strict=True):
        assert view.quality == finger.impression.quality.score
        if compression == "raw":
            pixels = np.frombuffer(view.data, np.uint8).reshape(view.height, view.width)
            assert np.array_equal(pixels, finger.impression.pixels)
    # The left finger in the record is the persona's left index, not its right one.
    if compression == "raw":
        left = np.frombuffer(views[0].data, np.uint8).reshape(views[0].height, views[0].width)
        candidates = {
            int(p): persona_finger(77, int(p), "good", a)
            for p in (F.LEFT_INDEX, F.RIGHT_INDEX)
            for a in (1, 2, 3)
        }
        assert any(
            np.array_equal(left, persona_finger(77, int(F.LEFT_INDEX), "good", a))
            for a in (1, 2, 3)
        )
        assert not any(
            np.array_equal(left, persona_finger(77, int(F.RIGHT_INDEX), "good", a))
            for a in (1, 2, 3)
        )
        assert candidates

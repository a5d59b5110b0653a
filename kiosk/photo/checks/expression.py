"""ExpressionNeutrality: no smile, from the shape of the mouth and the eyes (face mesh).

The smile score is how far a face lies from the neutral faces of the labelled set in the
direction a smile moves it: each expression measure (``geometry.EXPRESSION_FEATURES``) is
standardised against the neutral reference in ``expression_model`` and signed so that a smile
makes it positive, and the mean is taken over the measures, scaled by sqrt(n) so that a face
one standard deviation off in every measure scores sqrt(n). Every measure is a ratio of two
lengths of the same face with the eye line levelled, so image size, face size and roll drop
out. Equal weights keep it transparent and stop it from learning the few smiling examples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from kiosk.photo import geometry as geo
from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.checks import expression_model as model
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings


def smile_score(features: Sequence[float], mean: Sequence[float] | None = None,
                scale: Sequence[float] | None = None) -> float:
    """Signed, standardised distance from the neutral reference (0 for a typical neutral face).

    ``mean`` and ``scale`` default to ``expression_model`` (read at call time, so that the
    evaluation can put a reference fitted on its training folds in place).
    """
    mean = model.MEAN if mean is None else mean
    scale = model.SCALE if scale is None else scale
    sign = model.SIGN
    if not (len(features) == len(mean) == len(scale) == len(sign)):
        return math.nan
    total = 0.0
    for f, m, sd, d in zip(features, mean, scale, sign, strict=True):
        total += d * (f - m) / sd
    return total / math.sqrt(len(features))


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """A smile: the score above ``max_smile_score``; the measures are reported with it."""
    if not a.has_face or not a.expression:
        return [unknown("ExpressionNeutrality", "no face")]
    score = smile_score(a.expression)
    ok = score <= s.max_smile_score
    extra = dict(zip(geo.EXPRESSION_FEATURES, a.expression, strict=True))
    extra["mouth_width_ied"] = a.mouth_width
    return [verdict("ExpressionNeutrality", score, ok, "smiling",
                    f"smile score <= {s.max_smile_score:g}", extra)]

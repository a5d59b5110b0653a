"""The neutral-face reference of the smile measure: written by ``evaluation/photo_generalise.py``.

``MEAN`` and ``SCALE`` are the mean and standard deviation of each expression measure
(``geometry.EXPRESSION_FEATURES``) over the compliant, neutral faces of the labelled set;
``SIGN`` is the direction a smile moves each one. No model is downloaded or learnt beyond
these numbers. Regenerate with
``.venv/bin/python evaluation/photo_generalise.py --write-expression-model``.
"""

from __future__ import annotations

#: +1 where a smile raises the measure, -1 where it lowers it.
SIGN = (1.0, 1.0, -1.0, -1.0, -1.0)
MEAN = (-0.0178, 0.3565, 1.0522, 0.1364, 0.3047)
SCALE = (0.0282, 0.0269, 0.0852, 0.0368, 0.0337)
#: Neutral faces the reference was computed from.
N_FACES = 61

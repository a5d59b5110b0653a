"""The live camera preview: the :class:`~kiosk.ui.widgets.picture.Picture` widget by its old name.

Screens and tests use ``CameraPreview``; the drawing (real pixels with kitty or Sixel, half
blocks elsewhere) lives in :mod:`kiosk.ui.widgets.picture`.
"""

from __future__ import annotations

from kiosk.ui.widgets.picture import HALF_BLOCK, QUANTUM, Picture, PreviewOverlay

__all__ = ["HALF_BLOCK", "QUANTUM", "CameraPreview", "PreviewOverlay"]


class CameraPreview(Picture):
    """Shows BGR numpy frames, resized to the widget, with the optional face box and oval guide."""

    DEFAULT_CSS = """
    CameraPreview {
        width: 1fr;
        height: 1fr;
        background: black;
    }
    """

"""A fingerprint image decoded once into 32 px blocks: foreground, orientation, signatures."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

#: Block size in pixels at 500 ppi, as NFIQ 2 uses for its block-wise measures.
BLOCK = 32
#: Half-length along the ridges of the window a signature averages (NFIQ 2 uses 32 x 16).
HALF_ALONG = 8
#: Number of one-pixel bins across the ridges in a signature.
N_BINS = BLOCK + 1
#: Plausible ridge periods at 500 ppi in pixels (NFIQ 2 accepts about 5-15 px).
PERIOD_RANGE = (4.5, 16.0)


@dataclass(frozen=True)
class BlockView:
    """Per-block facts about one image, computed once and shared by all measures.

    Attributes:
        image: The grey image as float32, cropped to whole blocks.
        foreground: Boolean block mask (rows x cols) of blocks that hold finger.
        pixel_mask: Boolean pixel mask of the foreground (same shape as image).
        orientation: Ridge direction per block in radians [0, pi).
        coherence: Orientation certainty per block, 1 - lambda_min / lambda_max, in [0, 1].
        signatures: (n_foreground, N_BINS) mean grey across the ridges, one row per
            foreground block in row-major order; NaN where a bin got no pixel.
        block_pixels: (n_foreground, BLOCK * BLOCK) the block pixels in row-major order.
        pixel_bins: (n_foreground, BLOCK * BLOCK) the signature bin of each pixel, or -1
            when the pixel lies outside the oriented window.
        gradients: (gx, gy) Sobel gradients of the lightly smoothed image, shared with the
            per-pixel orientation field.
    """

    image: NDArray[np.float32]
    foreground: NDArray[np.bool_]
    pixel_mask: NDArray[np.bool_]
    orientation: NDArray[np.float32]
    coherence: NDArray[np.float32]
    signatures: NDArray[np.float32]
    block_pixels: NDArray[np.float32]
    pixel_bins: NDArray[np.int32]
    gradients: tuple[NDArray[np.float32], NDArray[np.float32]]


def _block_sum(values: NDArray[np.float32], rows: int, cols: int) -> NDArray[np.float32]:
    sums: NDArray[np.float32] = values.reshape(rows, BLOCK, cols, BLOCK).sum(axis=(1, 3))
    return sums


def segment(image: NDArray[np.float32], rows: int, cols: int) -> NDArray[np.bool_]:
    """Foreground blocks: enough grey-level variation and not blank white or black.

    NFIQ 2's ROI is likewise a block-wise variance threshold with holes filled; the
    white bound skips the bright background of optical sensors, the variation bound
    the flat grey of capacitive ones.
    """
    blocks = image.reshape(rows, BLOCK, cols, BLOCK)
    std = blocks.std(axis=(1, 3))
    mean = blocks.mean(axis=(1, 3))
    fg = (std > 7.0) & (mean < 245.0)
    fg_u8 = fg.astype(np.uint8)
    # Fill holes (a smudge or blot inside the finger is still finger) and drop specks.
    kernel = np.ones((3, 3), np.uint8)
    fg_u8 = cv2.morphologyEx(fg_u8, cv2.MORPH_CLOSE, kernel)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(fg_u8, connectivity=4)
    if count > 1:
        biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        keep = stats[:, cv2.CC_STAT_AREA] >= max(3, stats[biggest, cv2.CC_STAT_AREA] // 4)
        keep[0] = False
        fg_u8 = keep[labels].astype(np.uint8)
    mask: NDArray[np.bool_] = fg_u8.astype(bool)
    return mask


def gradients(image: NDArray[np.float32]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Sobel gradients of the image smoothed with a 1 px Gaussian."""
    smooth = cv2.GaussianBlur(image, (0, 0), 1.0)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3).astype(np.float32, copy=False)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3).astype(np.float32, copy=False)
    return gx, gy


def _orientation(
    gx: NDArray[np.float32], gy: NDArray[np.float32], rows: int, cols: int
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Block orientation and coherence from the gradient structure tensor."""
    gxx = _block_sum(gx * gx, rows, cols)
    gyy = _block_sum(gy * gy, rows, cols)
    gxy = _block_sum(gx * gy, rows, cols)
    # Gradients point across the ridges, so the ridge direction is the tensor's minor axis.
    orientation = (0.5 * np.arctan2(2 * gxy, gxx - gyy) + np.pi / 2) % np.pi
    root = np.sqrt((gxx - gyy) ** 2 + 4 * gxy**2)
    lmax = (gxx + gyy + root) / 2
    lmin = (gxx + gyy - root) / 2
    coherence = np.where(lmax > 1e-6, 1.0 - lmin / np.maximum(lmax, 1e-6), 0.0)
    return orientation.astype(np.float32), np.clip(coherence, 0.0, 1.0).astype(np.float32)


def _signatures(
    image: NDArray[np.float32], foreground: NDArray[np.bool_], orientation: NDArray[np.float32]
) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.int32]]:
    """Mean grey across the ridges for every foreground block, all blocks at once.

    Each pixel of a block is binned by its distance from the block centre along the
    ridge normal; pixels farther than HALF_ALONG along the ridge are left out, so the
    window is the 32 x 16 oriented rectangle NFIQ 2 cuts out, without rotating images.
    """
    rows, cols = foreground.shape
    by, bx = np.nonzero(foreground)
    n = by.size
    blocks = image.reshape(rows, BLOCK, cols, BLOCK).transpose(0, 2, 1, 3)
    pixels = blocks[by, bx].reshape(n, BLOCK * BLOCK)
    offs = np.arange(BLOCK, dtype=np.float32) - (BLOCK - 1) / 2
    oy, ox = np.meshgrid(offs, offs, indexing="ij")
    oy, ox = oy.ravel(), ox.ravel()
    theta = orientation[by, bx][:, None]
    across = -ox * np.sin(theta) + oy * np.cos(theta)
    along = ox * np.cos(theta) + oy * np.sin(theta)
    bins = np.round(across + BLOCK / 2).astype(np.int32)
    bins[(np.abs(along) > HALF_ALONG) | (bins < 0) | (bins >= N_BINS)] = -1
    flat = (np.arange(n)[:, None] * N_BINS + bins)[bins >= 0]
    sums = np.bincount(flat, weights=pixels[bins >= 0], minlength=n * N_BINS)
    counts = np.bincount(flat, minlength=n * N_BINS)
    with np.errstate(invalid="ignore", divide="ignore"):
        signatures = (sums / counts).reshape(n, N_BINS)
    return signatures.astype(np.float32), pixels, bins


def _refine(image: NDArray[np.float32], foreground: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Pixel mask: the foreground blocks minus the blank background inside the edge blocks."""
    blocks = np.kron(foreground, np.ones((BLOCK, BLOCK), bool))
    mean = cv2.blur(image, (17, 17))
    spread = np.sqrt(np.maximum(cv2.blur(image * image, (17, 17)) - mean * mean, 0.0))
    skin = ((spread > 6.0) & (mean < 248.0)).astype(np.uint8)
    # Close over the odd flat patch inside the finger (a blot is still finger).
    skin = cv2.morphologyEx(skin, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    return blocks & (skin > 0)


def block_view(pixels: NDArray[np.uint8]) -> BlockView:
    """Decode a 500 ppi uint8 grey image into its :class:`BlockView`."""
    rows, cols = pixels.shape[0] // BLOCK, pixels.shape[1] // BLOCK
    image = pixels[: rows * BLOCK, : cols * BLOCK].astype(np.float32)
    foreground = segment(image, rows, cols) if rows and cols else np.zeros((rows, cols), bool)
    gx, gy = gradients(image)
    orientation, coherence = _orientation(gx, gy, rows, cols)
    signatures, block_pixels, pixel_bins = _signatures(image, foreground, orientation)
    pixel_mask = _refine(image, foreground)
    return BlockView(
        image,
        foreground,
        pixel_mask,
        orientation,
        coherence,
        signatures,
        block_pixels,
        pixel_bins,
        (gx, gy),
    )

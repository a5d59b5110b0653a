"""The native quality measures of a fingerprint image, the same kinds NFIQ 2 feeds its model."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from kiosk.fingerprint.blocks import BLOCK, N_BINS, PERIOD_RANGE, BlockView, block_view
from kiosk.fingerprint.minutiae import (
    Minutiae,
    enhance,
    extract,
    pixel_orientation,
    quality_minutiae,
)
from kiosk.fingerprint.nfiq import native_measures

#: Side of the square around the minutiae's centre of mass in which NFIQ 2 also counts them.
COM_WINDOW = 200


@dataclass(frozen=True)
class Analysis:
    """Everything one pass over an image found, for quality and comparison alike.

    The quality needs only the measures; the comparison's full-resolution minutiae (the
    costliest step) are extracted the first time :attr:`minutiae` is read.

    Attributes:
        view: The block view (foreground, orientation, signatures).
        measures: Named measures (see :func:`analyse` for their meaning).
        period: Median ridge period in pixels.
        has_ridges: False when the image holds too little finger to analyse.
    """

    view: BlockView
    measures: dict[str, float]
    period: float
    has_ridges: bool = True

    @cached_property
    def orientation(self) -> NDArray[np.float32]:
        """Ridge direction per pixel (see ``minutiae.pixel_orientation``)."""
        return pixel_orientation(self.view)

    @cached_property
    def enhanced(self) -> NDArray[np.float32]:
        """Gabor-enhanced image (ridges negative), 0 outside the finger."""
        if not self.has_ridges:
            return np.zeros_like(self.view.image)
        return enhance(self.view, self.period, self.orientation, self.view.pixel_mask)

    @cached_property
    def minutiae(self) -> Minutiae:
        """The comparison's minutiae, at full resolution with 12-orientation enhancement."""
        if not self.has_ridges:
            return _no_minutiae()
        return extract(self.view, self.enhanced, self.orientation)[0]


def _no_minutiae() -> Minutiae:
    none = np.zeros(0, np.float32)
    return Minutiae(none, none, none, np.zeros(0, np.int16), none, none)


def _fill_nan(signatures: NDArray[np.float32]) -> NDArray[np.float32]:
    """Replace empty signature bins (corners of the window) by their row's mean."""
    means = np.nanmean(np.where(np.isnan(signatures), np.nan, signatures), axis=1, keepdims=True)
    filled: NDArray[np.float32] = np.where(np.isnan(signatures), means, signatures)
    return filled


def frequency_domain(
    signatures: NDArray[np.float32],
) -> tuple[NDArray[np.float64], NDArray[np.float32]]:
    """FDA per block: how much of the signature's spectrum sits in one ridge frequency.

    As NFIQ 2 does it (after Andersen & Nielsen): the amplitude of the strongest
    non-DC frequency of a 32-sample signature, plus 0.3 times its neighbours, over
    the sum of the lower half of the spectrum. Like NFIQ 2, a peak at the lowest
    frequency scores 1 (such blocks are rare and NFIQ 2's model was trained so).

    Returns (fda, period): fda in [0, ~1.6] (high = a clean sinusoid), period in pixels.
    """
    signal = signatures[:, :BLOCK]
    amp = np.abs(np.fft.fft(signal, axis=1))[:, 1:]
    peak = np.argmax(amp, axis=1)
    rows = np.arange(amp.shape[0])
    inner = np.clip(peak, 1, amp.shape[1] - 2)
    neighbours = amp[rows, inner - 1] + amp[rows, inner + 1]
    fda = (amp[rows, peak] + 0.3 * neighbours) / (amp[:, : BLOCK // 2].sum(axis=1) + 1e-6)
    fda = np.where((peak == 0) | (peak >= amp.shape[1] - 1), 1.0, fda)
    # The ridge period comes from the strongest frequency among plausible ridge periods.
    low = int(np.ceil(BLOCK / PERIOD_RANGE[1]))
    high = int(np.floor(BLOCK / PERIOD_RANGE[0]))
    ridge_peak = low + np.argmax(amp[:, low - 1 : high], axis=1)
    # Amplitude-weighted centre of the peak and its neighbours: finer than one DFT bin.
    index = ridge_peak - 1
    weights = np.stack([amp[rows, index - 1], amp[rows, index], amp[rows, index + 1]], axis=1)
    frequency = ridge_peak + (weights[:, 2] - weights[:, 0]) / (weights.sum(axis=1) + 1e-6)
    period: NDArray[np.float32] = BLOCK / frequency.astype(np.float32)
    return fda, period


def _trend(signatures: NDArray[np.float32]) -> NDArray[np.float32]:
    """Least-squares line through each signature: the ridge/valley threshold of LCS and RVU."""
    k = np.arange(N_BINS, dtype=np.float32) - N_BINS / 2
    slope = (signatures * k).sum(axis=1) / (k * k).sum()
    trend: NDArray[np.float32] = signatures.mean(axis=1, keepdims=True) + slope[:, None] * k
    return trend


def local_clarity(
    view: BlockView, signatures: NDArray[np.float32], trend: NDArray[np.float32]
) -> NDArray[np.float64]:
    """LCS per block: 1 minus the overlap of ridge and valley grey levels (Lim et al.)."""
    bins = view.pixel_bins
    valid = bins >= 0
    safe = np.where(valid, bins, 0)
    rows = np.arange(bins.shape[0])[:, None]
    threshold = trend[rows, safe]
    ridge_region = signatures[rows, safe] < threshold
    dark = view.block_pixels < threshold
    in_ridge = (ridge_region & valid).sum(axis=1)
    in_valley = (~ridge_region & valid).sum(axis=1)
    beta = (ridge_region & valid & ~dark).sum(axis=1) / np.maximum(in_ridge, 1)
    alpha = (~ridge_region & valid & dark).sum(axis=1) / np.maximum(in_valley, 1)
    clarity: NDArray[np.float64] = np.clip(1.0 - (alpha + beta) / 2.0, 0, 1)
    return clarity


def ridge_continuity(view: BlockView, signatures: NDArray[np.float32]) -> NDArray[np.float64]:
    """Per block: grey-level spread along the ridges relative to the ridge/valley swing.

    A pixel should look like the rest of its ridge or valley; broken (dry) or blotched
    ridges make pixels at the same distance across the ridges differ. 0 = continuous.
    """
    bins = view.pixel_bins
    valid = bins >= 0
    rows = np.arange(bins.shape[0])[:, None]
    expected = signatures[rows, np.where(valid, bins, 0)]
    residual = np.where(valid, view.block_pixels - expected, 0.0)
    along = np.sqrt((residual**2).sum(axis=1) / np.maximum(valid.sum(axis=1), 1))
    across = signatures.std(axis=1)
    continuity: NDArray[np.float64] = along / (across + 1.0)
    return continuity


def ridge_valley_uniformity(
    signatures: NDArray[np.float32], trend: NDArray[np.float32]
) -> NDArray[np.float32]:
    """RVU per block: mean ridge-to-valley width ratio; NaN where too few ridges.

    The signature is cut into runs of ridge (below the trend) and valley; only the runs
    whole inside the window count, and the i-th whole ridge is paired with the i-th whole
    valley. All blocks at once.
    """
    binary = signatures < trend
    n, width = binary.shape
    change = binary[:, 1:] != binary[:, :-1]
    run = np.zeros((n, width), np.int64)
    run[:, 1:] = np.cumsum(change, axis=1)  # run index of every bin
    total = run[:, -1:]  # runs 0 and `total` are cut by the window's ends
    rows = np.repeat(np.arange(n), width)
    flat = rows * (width + 1) + run.ravel()
    length = np.bincount(flat, minlength=n * (width + 1)).reshape(n, width + 1)
    ridge_bins = np.bincount(flat, weights=binary.ravel(), minlength=n * (width + 1))
    is_ridge = ridge_bins.reshape(n, width + 1) > 0
    index = np.arange(width + 1)[None, :]
    whole = (index >= 1) & (index < total) & (length > 0)
    ridge, valley = whole & is_ridge, whole & ~is_ridge
    ridge_rank = np.cumsum(ridge, axis=1) - 1
    valley_rank = np.cumsum(valley, axis=1) - 1
    ridge_len = np.zeros((n, width + 1))
    valley_len = np.zeros((n, width + 1))
    row_index = np.broadcast_to(np.arange(n)[:, None], ridge.shape)
    ridge_len[row_index[ridge], ridge_rank[ridge]] = length[ridge]
    valley_len[row_index[valley], valley_rank[valley]] = length[valley]
    pairs = np.minimum(ridge.sum(axis=1), valley.sum(axis=1))
    used = np.arange(width + 1)[None, :] < pairs[:, None]
    ratios = np.where(used, ridge_len / np.maximum(valley_len, 1), 0.0).sum(axis=1)
    out: NDArray[np.float32] = np.where(
        pairs > 0, ratios / np.maximum(pairs, 1), np.nan
    ).astype(np.float32)
    return out


def orientation_flow(view: BlockView) -> NDArray[np.float32]:
    """OF per foreground block: mean angle to its neighbours, scaled to [0, 1] (0 = smooth)."""
    fg = view.foreground
    theta = view.orientation
    rows, cols = fg.shape
    pad_t = np.pad(theta, 1)
    pad_f = np.pad(fg, 1)
    total = np.zeros_like(theta)
    count = np.zeros_like(theta)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy == dx == 0:
                continue
            other = pad_t[1 + dy : 1 + dy + rows, 1 + dx : 1 + dx + cols]
            valid = pad_f[1 + dy : 1 + dy + rows, 1 + dx : 1 + dx + cols]
            diff = np.abs(theta - other)
            diff = np.minimum(diff, np.pi - diff)
            total += np.where(valid, diff, 0)
            count += valid
    mean = np.where(count > 0, total / np.maximum(count, 1), 0)
    # NFIQ 2 ignores changes below about 4 degrees: ridges curve that much anyway.
    flow = np.clip((mean - np.radians(4)) / np.radians(86), 0, 1)
    per_block: NDArray[np.float32] = flow[fg]
    return per_block


def analyse(pixels: NDArray[np.uint8]) -> Analysis:
    """Compute every measure of a 500 ppi uint8 grey image.

    Measures (all floats): ``mu`` mean grey; ``roi_mean`` mean grey in the finger
    area; ``roi_area`` finger area in pixels; ``contrast`` median block standard
    deviation; ``ocl_mean``/``ocl_low`` orientation certainty (mean, 10th
    percentile); ``of_mean`` orientation flow; ``fda_mean``/``fda_std`` frequency
    domain analysis; ``lcs_mean``/``lcs_low`` local clarity; ``rvu_mean``/``rvu_std``
    ridge-valley uniformity; ``period`` ridge period; ``period_spread`` its variation;
    ``minutiae_count``; ``minutiae_com200`` minutiae within 200 x 200 px around their
    centre of mass; ``minutiae_quality`` share of minutiae in clear blocks (the minutiae
    measures count at half resolution, ``minutiae.quality_minutiae``); ``nf_of_0`` ...
    ``nf_of_9``, ``nf_of_mean``, ``nf_of_std`` NFIQ 2's own orientation-flow histogram, mean
    and spread, ``nf_mu``/``nf_mmb`` its mean grey and mean tile grey (``nfiq.native_measures``).
    """
    mu = float(pixels.mean()) if pixels.size else 255.0
    if min(pixels.shape[:2]) < 2 * BLOCK:
        # Too small to hold a finger: pad with blank so the analysis finds nothing.
        padded = np.full(
            (max(pixels.shape[0], 2 * BLOCK), max(pixels.shape[1], 2 * BLOCK)), 255, np.uint8
        )
        padded[: pixels.shape[0], : pixels.shape[1]] = pixels
        pixels = padded
    view = block_view(pixels)
    fg = view.foreground
    measures: dict[str, float] = {
        "mu": mu,
        "roi_area": float(view.pixel_mask.sum()),
        **native_measures(pixels),
    }
    if view.signatures.shape[0] < 2:
        measures.update(dict.fromkeys(_BLOCK_MEASURES, 0.0))
        measures["roi_mean"] = measures["mu"]
        return Analysis(view, measures, 9.0, has_ridges=False)
    signatures = _fill_nan(view.signatures)
    fda, periods = frequency_domain(signatures)
    trend = _trend(signatures)
    lcs = local_clarity(view, signatures, trend)
    rvu = ridge_valley_uniformity(signatures, trend)
    ocl = view.coherence[fg]
    period = float(np.median(periods))
    analysis = Analysis(view, measures, period)
    minutiae = quality_minutiae(view, period, analysis.orientation)
    block_std = view.block_pixels.std(axis=1)
    measures.update(
        roi_mean=float(view.image[view.pixel_mask].mean()),
        contrast=float(np.median(block_std)),
        ocl_mean=float(ocl.mean()),
        ocl_low=float(np.percentile(ocl, 10)),
        ocl_poor=_poor_orientation_share(view),
        of_mean=float(orientation_flow(view).mean()),
        fda_mean=float(fda.mean()),
        fda_std=float(fda.std()),
        lcs_mean=float(lcs.mean()),
        lcs_low=float(np.percentile(lcs, 10)),
        lcs_poor=float((lcs < 0.6).mean()),
        ridge_breaks=float(np.median(ridge_continuity(view, signatures))),
        fda_low=float(np.percentile(fda, 25)),
        rvu_mean=float(np.nanmean(rvu)) if np.isfinite(rvu).any() else 0.0,
        rvu_std=float(np.nanstd(rvu)) if np.isfinite(rvu).any() else 0.0,
        period=period,
        period_spread=float(np.std(periods) / period),
        **_minutiae_measures(minutiae),
    )
    return analysis


_BLOCK_MEASURES = (
    "contrast", "ocl_mean", "ocl_low", "ocl_poor", "of_mean", "fda_mean", "fda_std", "fda_low",
    "lcs_mean", "lcs_low", "lcs_poor", "ridge_breaks",
    "rvu_mean", "rvu_std", "period", "period_spread",
    "minutiae_count", "minutiae_com200", "minutiae_quality",
)  # fmt: skip


def _poor_orientation_share(view: BlockView) -> float:
    """Share of all non-blank blocks, finger or not, whose orientation is uncertain (< 0.48).

    NFIQ 2 takes its orientation certainty histogram over every block of the image,
    so a small finger on a noisy background counts against the image; so does this.
    """
    rows, cols = view.foreground.shape
    std = view.image.reshape(rows, BLOCK, cols, BLOCK).std(axis=(1, 3))
    used = std > 1.0
    return float((view.coherence[used] < 0.479).mean()) if used.any() else 1.0


def _minutiae_measures(minutiae: Minutiae) -> dict[str, float]:
    count = len(minutiae)
    if count == 0:
        return {"minutiae_count": 0.0, "minutiae_com200": 0.0, "minutiae_quality": 0.0}
    cx, cy = float(minutiae.x.mean()), float(minutiae.y.mean())
    half = COM_WINDOW / 2
    inside = (np.abs(minutiae.x - cx) <= half) & (np.abs(minutiae.y - cy) <= half)
    return {
        "minutiae_count": float(count),
        "minutiae_com200": float(inside.sum()),
        "minutiae_quality": float((minutiae.quality > 0.6).mean()),
    }

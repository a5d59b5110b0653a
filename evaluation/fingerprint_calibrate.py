"""Fit the quality score to NFIQ 2's scores on the reference images (writes quality_model.json).

Usage: ``python evaluation/fingerprint_calibrate.py [DATA_DIR] [--check] [--repeats N]``.
DATA_DIR defaults to /work/shared/data/fingerprints. The whole fitting procedure (scaling,
ridge weights, boosted trees, and the ridge/tree blend chosen by an inner 5-fold CV) is first
cross-validated: repeated 10-fold, everything refitted inside each training fold, so no image
is scored by a model that saw it in any step. The folds are grouped by finger: the FVC2002
images are several impressions of each finger (fp001-fp080: 10 fingers x 8; fp081-fp097:
fingers 86, 92 and 98), and all impressions of one finger fall in the same fold, so no
finger is scored by a model that saw another impression of it. Only then is the procedure
run on all images and the model written (``--check``: report only).

Training rows are augmented: every training image also enters as label-preserving copies
(rotated by +-5 and +-10 degrees, mirrored, scaled by 0.9 and 1.1, shifted, cut by 6 % on one
side, gamma 0.8 and 1.25) with the original's NFIQ 2 score, as NFIQ 2 is built to be nearly
invariant to these. A copy belongs to its image's finger, so copies of a held-out image are
never trained on, and every score (outer and inner folds) is of an untouched original. The
model is the average of the fit on the originals alone and the fit on originals and copies
(``score_model.average``: one model of the usual form). The copies' measures are cached under
/tmp (keyed by the measuring code and the images), so a rerun costs only the fitting.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from scipy.stats import spearmanr

from kiosk.fingerprint.measures import analyse
from kiosk.fingerprint.score_model import MODEL_PATH, ScoreModel, average, fit

DEFAULT_DATA = Path("/work/shared/data/fingerprints")
#: Where the measures of the augmented copies are cached (not in the repo; only numbers).
CACHE_DIR = Path("/tmp/pasboks-fingerprint-copies")

#: The measures the score is fitted on (see kiosk.fingerprint.measures.analyse).
FEATURES = (
    "mu", "roi_area", "roi_mean", "contrast", "ocl_mean", "ocl_low", "ocl_poor", "of_mean",
    "fda_mean", "fda_std", "fda_low", "lcs_mean", "lcs_low", "lcs_poor", "ridge_breaks",
    "rvu_mean", "rvu_std", "period", "period_spread", "minutiae_count", "minutiae_com200",
    "minutiae_quality",
    # NFIQ 2's own orientation-flow histogram (kiosk.fingerprint.flow), reproduced exactly.
    *(f"nf_of_{index}" for index in range(10)), "nf_of_mean", "nf_of_std",
)  # fmt: skip


def _background(image: np.ndarray) -> int:
    """Median grey of the image's border: what a copy's uncovered corners are filled with."""
    edge = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    return int(np.median(edge))


def _warp(
    image: np.ndarray, angle: float = 0.0, scale: float = 1.0, shift: float = 0.0
) -> np.ndarray:
    """Rotate and scale about the centre, shift by a share of the size (right and up)."""
    height, width = image.shape
    transform = cv2.getRotationMatrix2D((width / 2, height / 2), angle, scale)
    transform[0, 2] += int(shift * width)
    transform[1, 2] -= int(shift * height)
    return cv2.warpAffine(
        image, transform, (width, height), flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT, borderValue=_background(image),
    )  # fmt: skip


def _gamma(image: np.ndarray, gamma: float) -> np.ndarray:
    table = np.clip(255 * (np.arange(256) / 255.0) ** gamma + 0.5, 0, 255).astype(np.uint8)
    return table[image]


def _cut(image: np.ndarray, side: str, share: float = 0.06) -> np.ndarray:
    """The image without a strip of ``share`` of its size on one side (``left``/``bottom``)."""
    if side == "left":
        return image[:, round(share * image.shape[1]) :].copy()
    return image[: image.shape[0] - round(share * image.shape[0])].copy()


#: Label-preserving copies of a training image (a fixed prior, not tuned on the scores).
AUGMENTATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "rotate-10": lambda image: _warp(image, angle=-10),
    "rotate-5": lambda image: _warp(image, angle=-5),
    "rotate+5": lambda image: _warp(image, angle=5),
    "rotate+10": lambda image: _warp(image, angle=10),
    "mirror": lambda image: np.ascontiguousarray(image[:, ::-1]),
    "scale0.9": lambda image: _warp(image, scale=0.9),
    "scale1.1": lambda image: _warp(image, scale=1.1),
    "shift": lambda image: _warp(image, shift=0.05),
    "cut-left": lambda image: _cut(image, "left"),
    "cut-bottom": lambda image: _cut(image, "bottom"),
    "gamma0.8": lambda image: _gamma(image, 0.8),
    "gamma1.25": lambda image: _gamma(image, 1.25),
}


def _cache_key(data_dir: Path, files: list[str]) -> str:
    """Changes with the measuring code, the copies' recipe, the features and the images."""
    digest = hashlib.sha256()
    for source in sorted(Path(analyse.__code__.co_filename).parent.glob("*.py")):
        digest.update(source.read_bytes())
    digest.update(Path(__file__).read_bytes())
    for name in files:
        stat = (data_dir / name).stat()
        digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def load_reference(data_dir: Path) -> list[dict[str, object]]:
    """Every scored reference image with its measures, NFIQ 2 score and copies' measures.

    ``row["copies"]`` is an array, one row of :data:`FEATURES` per augmentation.
    """
    rows = []
    with (data_dir / "nfiq2_scores.csv").open(newline="") as handle:
        listed = [row for row in csv.DictReader(handle) if row["nfiq2_score"]]
    cache = CACHE_DIR / f"{_cache_key(data_dir, [row['file'] for row in listed])}.npz"
    cached = np.load(cache)["copies"] if cache.is_file() else None
    copies = []
    for index, row in enumerate(listed):
        image = cv2.imread(str(data_dir / row["file"]), cv2.IMREAD_GRAYSCALE)
        measures = analyse(image).measures
        if cached is None:
            copy_measures = [analyse(make(image)).measures for make in AUGMENTATIONS.values()]
            copies.append([[m[name] for name in FEATURES] for m in copy_measures])
        rows.append(
            {
                "file": row["file"],
                "finger": finger_of(row),
                "ppi": row["ppi"],
                "nfiq2": float(row["nfiq2_score"]),
                **measures,
                "copies": np.asarray(copies[index] if cached is None else cached[index], float),
            }
        )
    if cached is None:
        CACHE_DIR.mkdir(exist_ok=True)
        np.savez(cache, copies=np.asarray(copies, float))
    return rows


def finger_of(row: dict[str, str]) -> str:
    """Which finger an image shows: FVC2002 impressions share it, every other image is its own."""
    number = int(row["file"][-7:-4])
    if number <= 80:  # FVC2002 DB1 set B: 8 impressions per finger, in order
        return f"fvc2002b-{(number - 1) // 8}"
    if number <= 97:  # FVC2002 DB1 set A samples named <finger>_<impression>
        return "fvc2002a-" + Path(row["source_path"]).name.split("_")[0]
    return row["file"]


def matrix(rows: list[dict[str, object]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feature matrix, NFIQ 2 target and the copies' features (image x copy x feature)."""
    x = np.array([[float(row[name]) for name in FEATURES] for row in rows])  # type: ignore[arg-type]
    y = np.array([float(row["nfiq2"]) for row in rows])  # type: ignore[arg-type]
    copies = np.array([row["copies"] for row in rows])
    return x, y, copies


def fit_augmented(
    x: np.ndarray, y: np.ndarray, copies: np.ndarray, seed: int = 0, blend: float = 0.6
) -> ScoreModel:
    """The average of the fit on the originals and the fit on originals plus their copies.

    The ridge penalty grows with the rows per image, so the linear part is as regularised
    per image as without copies.
    """
    per_image = 1 + copies.shape[1]
    x_all = np.concatenate([x, copies.reshape(-1, x.shape[1])])
    y_all = np.concatenate([y, np.repeat(y, copies.shape[1])])
    plain = fit(x, y, FEATURES, seed=seed, blend=blend)
    augmented = fit(x_all, y_all, FEATURES, seed=seed, blend=blend, ridge=10.0 * per_image)
    return average(plain, augmented)


#: Blends (weight of the boosted trees against the ridge regression) the inner CV chooses from.
BLENDS = (0.6, 0.8, 1.0)


def _predict(model: ScoreModel, x: np.ndarray, blend: float | None = None) -> np.ndarray:
    if blend is not None:
        model = dataclasses.replace(model, blend=blend)
    return np.array([model.predict(dict(zip(FEATURES, row, strict=True))) for row in x])


def _folds(fingers: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Fold index per image, a fresh random split per seed; one finger's images share a fold.

    Fingers are dealt in random order to the fold with the fewest images so far, so the folds
    stay about equal in size although a finger can have eight images.
    """
    rng = np.random.default_rng(seed)
    names = np.unique(fingers)
    rng.shuffle(names)
    load = np.zeros(folds)
    fold = np.empty(fingers.size, int)
    for name in names:
        members = fingers == name
        target = int(np.argmin(load + rng.random(folds) * 0.5))
        fold[members] = target
        load[target] += members.sum()
    return fold


def procedure(
    x: np.ndarray,
    y: np.ndarray,
    fingers: np.ndarray,
    copies: np.ndarray,
    seed: int = 0,
    inner: int = 5,
) -> ScoreModel:
    """The whole fit on one training set: the blend by inner k-fold CV, then the model.

    Ridge and trees (:func:`fit_augmented`: copies of the inner training images only) are
    fitted once per inner fold; every candidate blend is scored on the held-out inner
    fold's originals (Spearman), and the best blend is refitted on the whole training set.
    """
    fold = _folds(fingers, inner, seed + 1000)
    predicted = {blend: np.zeros(y.size) for blend in BLENDS}
    for index in range(inner):
        train = fold != index
        model = fit_augmented(x[train], y[train], copies[train], seed=seed)
        for blend in BLENDS:
            predicted[blend][~train] = _predict(model, x[~train], blend)
    best = max(BLENDS, key=lambda blend: float(spearmanr(predicted[blend], y)[0]))
    return fit_augmented(x, y, copies, seed=seed, blend=best)


def cross_validate(
    x: np.ndarray,
    y: np.ndarray,
    fingers: np.ndarray,
    copies: np.ndarray,
    folds: int = 10,
    repeats: int = 2,
) -> tuple[list[np.ndarray], list[float], list[np.ndarray]]:
    """Out-of-fold predictions of :func:`procedure`, one array per repeat (fresh split each).

    Returns the predictions, the blends the inner CV chose in every outer fold, and the fold
    of every image in every repeat.
    """
    runs, blends, splits = [], [], []
    for repeat in range(repeats):
        fold = _folds(fingers, folds, repeat)
        splits.append(fold)
        predicted = np.zeros(y.size)
        for index in range(folds):
            train = fold != index
            model = procedure(x[train], y[train], fingers[train], copies[train], seed=repeat)
            blends.append(model.blend)
            predicted[~train] = _predict(model, x[~train])
        runs.append(predicted)
    return runs, blends, splits


def report_cv(
    runs: list[np.ndarray],
    y: np.ndarray,
    native: np.ndarray,
    blends: list[float],
    splits: list[np.ndarray],
) -> None:
    """Spearman of the out-of-fold predictions, pooled per repeat and per held-out fold."""
    for label, mask in (("500 ppi", native), ("all scored", np.ones_like(native))):
        rhos = [float(spearmanr(run[mask], y[mask])[0]) for run in runs]
        spread = f"sd {np.std(rhos):.3f} over repeats, range {min(rhos):.3f}-{max(rhos):.3f}"
        per_fold = [
            float(spearmanr(run[mask & (fold == index)], y[mask & (fold == index)])[0])
            for run, fold in zip(runs, splits, strict=True)
            for index in np.unique(fold)
            if (mask & (fold == index)).sum() >= 5
        ]
        print(f"cross-validated Spearman ({label}, n={mask.sum()}, {len(runs)} x 10-fold grouped "
              f"by finger, nested blend): pooled {np.mean(rhos):.3f} ({spread}); per held-out "
              f"fold {np.mean(per_fold):.3f} +- {np.std(per_fold):.3f} "
              f"({len(per_fold)} folds)")  # fmt: skip
    chosen = {blend: blends.count(blend) for blend in BLENDS}
    print(f"  blends chosen by the inner CV: {chosen}")


def main(argv: list[str] | None = None) -> int:
    """Cross-validate the procedure, then fit on all images, report and (unless --check) write."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--check", action="store_true", help="report only, do not write the model")
    parser.add_argument("--repeats", type=int, default=2, help="repeats of the 10-fold CV")
    args = parser.parse_args(argv)
    rows = load_reference(args.data_dir)
    x, y, copies = matrix(rows)
    native = np.array([row["ppi"] == "500" for row in rows])
    fingers = np.array([str(row["finger"]) for row in rows])
    print(f"images: {y.size} scored ({native.sum()} at 500 ppi, "
          f"{np.unique(fingers).size} fingers), "
          f"{copies.shape[1]} copies of each training image")  # fmt: skip
    runs, blends, splits = cross_validate(x, y, fingers, copies, repeats=args.repeats)
    report_cv(runs, y, native, blends, splits)
    model = procedure(x, y, fingers, copies)
    fitted = _predict(model, x)
    print(f"in-sample Spearman (blend {model.blend}): all {spearmanr(fitted, y)[0]:.3f}, "
          f"500 ppi {spearmanr(fitted[native], y[native])[0]:.3f}")  # fmt: skip
    if not args.check:
        MODEL_PATH.write_text(
            json.dumps(model.to_json(), separators=(",", ":")) + "\n", encoding="utf-8"
        )
        print(f"wrote {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

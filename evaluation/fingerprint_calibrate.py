"""Fit the quality score to NFIQ 2's scores on the reference images (writes quality_model.json).

Usage: ``python evaluation/fingerprint_calibrate.py [DATA_DIR] [--check]``. DATA_DIR defaults to
/work/shared/data/fingerprints. Prints a 10-fold cross-validated Spearman correlation so the
in-sample fit can be judged; ``--check`` fits and reports without writing the model.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import cv2
import numpy as np
from scipy.stats import spearmanr

from kiosk.fingerprint.measures import analyse
from kiosk.fingerprint.score_model import MODEL_PATH, fit

DEFAULT_DATA = Path("/work/shared/data/fingerprints")

#: The measures the score is fitted on (see kiosk.fingerprint.measures.analyse).
FEATURES = (
    "mu", "roi_area", "roi_mean", "contrast", "ocl_mean", "ocl_low", "ocl_poor", "of_mean",
    "fda_mean", "fda_std", "fda_low", "lcs_mean", "lcs_low", "lcs_poor", "ridge_breaks",
    "rvu_mean", "rvu_std", "period", "period_spread", "minutiae_count", "minutiae_com200",
    "minutiae_quality",
)  # fmt: skip


def load_reference(data_dir: Path) -> list[dict[str, object]]:
    """Every scored reference image with its measures and NFIQ 2 score."""
    rows = []
    with (data_dir / "nfiq2_scores.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if not row["nfiq2_score"]:
                continue
            image = cv2.imread(str(data_dir / row["file"]), cv2.IMREAD_GRAYSCALE)
            measures = analyse(image).measures
            rows.append(
                {
                    "file": row["file"],
                    "ppi": row["ppi"],
                    "nfiq2": float(row["nfiq2_score"]),
                    **measures,
                }
            )
    return rows


def matrix(rows: list[dict[str, object]]) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix and NFIQ 2 target."""
    x = np.array([[float(row[name]) for name in FEATURES] for row in rows])  # type: ignore[arg-type]
    y = np.array([float(row["nfiq2"]) for row in rows])  # type: ignore[arg-type]
    return x, y


def cross_validate(x: np.ndarray, y: np.ndarray, folds: int = 10) -> np.ndarray:
    """Out-of-fold predictions: each image scored by a model that never saw it."""
    fold = np.arange(y.size) % folds
    predicted = np.zeros(y.size)
    for index in range(folds):
        train = fold != index
        model = fit(x[train], y[train], FEATURES)
        predicted[~train] = [
            model.predict(dict(zip(FEATURES, row, strict=True))) for row in x[~train]
        ]
    return predicted


def main(argv: list[str] | None = None) -> int:
    """Fit, report and (unless --check) write the model."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--check", action="store_true", help="report only, do not write the model")
    args = parser.parse_args(argv)
    rows = load_reference(args.data_dir)
    x, y = matrix(rows)
    native = np.array([row["ppi"] == "500" for row in rows])
    predicted = cross_validate(x, y)
    print(f"images: {y.size} scored ({native.sum()} at 500 ppi)")
    print(f"10-fold CV Spearman: all {spearmanr(predicted, y)[0]:.3f}, "
          f"500 ppi {spearmanr(predicted[native], y[native])[0]:.3f}")  # fmt: skip
    model = fit(x, y, FEATURES)
    fitted = np.array([model.predict(dict(zip(FEATURES, row, strict=True))) for row in x])
    print(f"in-sample Spearman: all {spearmanr(fitted, y)[0]:.3f}, "
          f"500 ppi {spearmanr(fitted[native], y[native])[0]:.3f}")  # fmt: skip
    if not args.check:
        MODEL_PATH.write_text(
            json.dumps(model.to_json(), separators=(",", ":")) + "\n", encoding="utf-8"
        )
        print(f"wrote {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The calibrated map from quality measures to a 0-100 score: a linear part plus boosted trees.

The parameters live in ``quality_model.json`` beside this module; they are fitted to NFIQ 2's
scores on the reference images by ``evaluation/fingerprint_calibrate.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

MODEL_PATH = Path(__file__).with_name("quality_model.json")

#: A regression tree as nested lists: [feature index, threshold, left, right] or a leaf value.
Tree = Any


@dataclass(frozen=True)
class ScoreModel:
    """Fitted parameters.

    Attributes:
        features: Measure names, in the order of the weights.
        mean: Per-feature mean used to standardise the linear part.
        scale: Per-feature standard deviation used to standardise the linear part.
        weights: Linear weights on the standardised features.
        bias: Linear intercept.
        trees: Boosted regression trees on the raw features.
        tree_base: Starting value of the boosted trees.
        learning_rate: Shrinkage applied to every tree.
        blend: Weight of the trees; the linear part gets ``1 - blend``.
    """

    features: tuple[str, ...]
    mean: NDArray[np.float64]
    scale: NDArray[np.float64]
    weights: NDArray[np.float64]
    bias: float
    trees: tuple[Tree, ...]
    tree_base: float
    learning_rate: float
    blend: float

    def predict(self, measures: dict[str, float]) -> float:
        """The 0-100 score of one image's measures."""
        x = np.array([measures.get(name, 0.0) for name in self.features], dtype=np.float64)
        linear = float(((x - self.mean) / self.scale) @ self.weights + self.bias)
        boosted = self.tree_base + self.learning_rate * sum(_walk(tree, x) for tree in self.trees)
        return float(np.clip((1 - self.blend) * linear + self.blend * boosted, 0.0, 100.0))

    def to_json(self) -> dict[str, Any]:
        """The parameters as JSON-ready data."""
        return {
            "features": list(self.features),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "weights": self.weights.tolist(),
            "bias": self.bias,
            "trees": list(self.trees),
            "tree_base": self.tree_base,
            "learning_rate": self.learning_rate,
            "blend": self.blend,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScoreModel:
        """Rebuild a model from :meth:`to_json` output."""
        return cls(
            features=tuple(data["features"]),
            mean=np.asarray(data["mean"], np.float64),
            scale=np.asarray(data["scale"], np.float64),
            weights=np.asarray(data["weights"], np.float64),
            bias=float(data["bias"]),
            trees=tuple(data["trees"]),
            tree_base=float(data["tree_base"]),
            learning_rate=float(data["learning_rate"]),
            blend=float(data["blend"]),
        )


def average(first: ScoreModel, second: ScoreModel) -> ScoreModel:
    """One model whose prediction is the mean of two models' (before clipping), exactly.

    Both must share features, learning rate and blend. The trees' average is a boosted model
    with both sets of trees at half the rate; the linear parts, each standardised with its own
    training rows, are rewritten on the first model's scale and their weights averaged. So
    the kiosk scores with one model of the usual form, at the cost of walking both sets of
    trees (about 0.1 ms more).
    """
    if first.features != second.features or first.learning_rate != second.learning_rate:
        raise ValueError("models to average must share features and learning rate")
    if first.blend != second.blend:
        raise ValueError("models to average must share the blend")
    raw = second.weights / second.scale  # the second linear part on raw measures
    weights = (first.weights + raw * first.scale) / 2
    bias = (first.bias + second.bias - float(raw @ second.mean) + float(raw @ first.mean)) / 2
    return ScoreModel(
        first.features, first.mean, first.scale, weights, bias,
        first.trees + second.trees, (first.tree_base + second.tree_base) / 2,
        first.learning_rate / 2, first.blend,
    )  # fmt: skip


def _walk(tree: Tree, x: NDArray[np.float64]) -> float:
    while isinstance(tree, list):
        feature, threshold, left, right = tree
        tree = left if x[feature] <= threshold else right
    return float(tree)


def _walk_all(tree: Tree, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """:func:`_walk` for every row of x at once (the fitting's hot loop)."""
    if not isinstance(tree, list):
        return np.full(len(x), float(tree))
    feature, threshold, left, right = tree
    goes_left = x[:, feature] <= threshold
    out = np.empty(len(x))
    out[goes_left] = _walk_all(left, x[goes_left])
    out[~goes_left] = _walk_all(right, x[~goes_left])
    return out


@cache
def load_model(path: Path = MODEL_PATH) -> ScoreModel:
    """The shipped model (cached)."""
    return ScoreModel.from_json(json.loads(path.read_text(encoding="utf-8")))


def fit_tree(
    x: NDArray[np.float64], target: NDArray[np.float64], depth: int, min_leaf: int
) -> Tree:
    """Least-squares regression tree (CART) of the given depth; used by the calibration."""
    n = target.size
    if depth == 0 or n < 2 * min_leaf:
        return float(target.mean())
    best: tuple[float, int, float] | None = None
    for feature in range(x.shape[1]):
        order = np.argsort(x[:, feature], kind="stable")
        values, sorted_target = x[order, feature], target[order]
        cumulative = np.cumsum(sorted_target)
        total = cumulative[-1]
        left_n = np.arange(1, n)
        # Maximising this is minimising the summed squared error of the two halves.
        gain = cumulative[:-1] ** 2 / left_n + (total - cumulative[:-1]) ** 2 / (n - left_n)
        valid = (left_n >= min_leaf) & (n - left_n >= min_leaf) & (values[:-1] < values[1:])
        if not valid.any():
            continue
        split = int(np.argmax(np.where(valid, gain, -np.inf)))
        if best is None or gain[split] > best[0]:
            best = (float(gain[split]), feature, float((values[split] + values[split + 1]) / 2))
    if best is None:
        return float(target.mean())
    _, feature, threshold = best
    left = x[:, feature] <= threshold
    return [
        feature,
        threshold,
        fit_tree(x[left], target[left], depth - 1, min_leaf),
        fit_tree(x[~left], target[~left], depth - 1, min_leaf),
    ]


def fit(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    features: tuple[str, ...],
    *,
    ridge: float = 10.0,
    n_trees: int = 150,
    learning_rate: float = 0.05,
    depth: int = 2,
    min_leaf: int = 5,
    blend: float = 0.6,
    seed: int = 0,
) -> ScoreModel:
    """Fit a ridge regression and gradient-boosted trees (on its residual-free target) to y."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    penalty = ridge * np.eye(z.shape[1])
    penalty[-1, -1] = 0.0
    solution = np.linalg.solve(z.T @ z + penalty, z.T @ y)
    rng = np.random.default_rng(seed)
    base = float(y.mean())
    current = np.full(y.size, base)
    trees = []
    for _ in range(n_trees):
        sample = rng.random(y.size) < 0.7
        tree = fit_tree(x[sample], (y - current)[sample], depth, min_leaf)
        trees.append(tree)
        current += learning_rate * _walk_all(tree, x)
    return ScoreModel(
        features, mean, scale, solution[:-1], float(solution[-1]), tuple(trees), base,
        learning_rate, blend,
    )  # fmt: skip

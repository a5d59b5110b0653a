"""The score model: fitting, JSON round trip, and the shipped model's sanity."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kiosk.fingerprint.score_model import ScoreModel, average, fit, load_model


def test_fit_predicts_a_monotone_target_and_round_trips_through_json() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (120, 3))
    y = 80 * x[:, 0] + 10 * rng.standard_normal(120) + 10
    model = fit(x, y, ("a", "b", "c"), n_trees=40)
    low = model.predict({"a": 0.1, "b": 0.5, "c": 0.5})
    high = model.predict({"a": 0.9, "b": 0.5, "c": 0.5})
    assert high > low + 30
    again = ScoreModel.from_json(model.to_json())
    point = {"a": 0.5, "b": 0.2, "c": 0.7}
    assert again.predict(point) == model.predict(point)


def test_average_predicts_the_mean_of_two_models_fitted_on_different_rows() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, (90, 3))
    y = 60 * x[:, 0] + 20 * x[:, 1] + 5 * rng.standard_normal(90) + 10
    # The second set is the first plus shifted, rescaled copies: other means and spreads.
    more = np.concatenate([x, x * 1.3 + 0.2])
    first = fit(x, y, ("a", "b", "c"), n_trees=30, blend=0.6, seed=1)
    second = fit(more, np.tile(y, 2), ("a", "b", "c"), n_trees=30, blend=0.6, seed=2)
    both = average(first, second)
    assert len(both.trees) == len(first.trees) + len(second.trees)
    for row in rng.uniform(0.2, 0.8, (20, 3)):
        point = dict(zip(("a", "b", "c"), row.tolist(), strict=True))
        expected = (first.predict(point) + second.predict(point)) / 2
        assert 1.0 < expected < 99.0  # inside the range, where clipping cannot differ
        assert both.predict(point) == pytest.approx(expected, abs=1e-9)
    again = ScoreModel.from_json(both.to_json())
    assert again.predict(point) == both.predict(point)


def test_average_refuses_models_that_do_not_fit_together() -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 1, (40, 2))
    model = fit(x, 50 * x[:, 0], ("a", "b"), n_trees=5)
    with pytest.raises(ValueError, match="features"):
        average(model, fit(x, 50 * x[:, 0], ("a", "c"), n_trees=5))
    with pytest.raises(ValueError, match="blend"):
        average(model, dataclasses.replace(model, blend=0.9))


def test_shipped_model_scores_stay_in_range() -> None:
    model = load_model()
    assert model.features and 0 <= model.blend <= 1
    for value in (0.0, 1.0, 1e6, -1e6):
        assert 0.0 <= model.predict(dict.fromkeys(model.features, value)) <= 100.0


def test_shipped_model_file_is_the_one_loaded() -> None:
    import json

    from kiosk.fingerprint.score_model import MODEL_PATH

    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    model = load_model()
    assert list(model.features) == data["features"]
    assert model.blend == data["blend"] and len(model.trees) == len(data["trees"])


def test_every_feature_of_the_shipped_model_is_measured() -> None:
    # predict() reads a missing measure as 0, so a renamed measure would go unnoticed.
    from kiosk.fingerprint.measures import analyse
    from simulator.fingerprints import persona_finger

    measures = analyse(persona_finger(11, 7, "good", 1)).measures
    blank = analyse(np.full((300, 300), 255, np.uint8)).measures
    assert set(load_model().features) <= measures.keys()
    assert set(load_model().features) <= blank.keys()

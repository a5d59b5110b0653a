"""The score model: fitting, JSON round trip, and the shipped model's sanity."""

from __future__ import annotations

import numpy as np

from kiosk.fingerprint.score_model import ScoreModel, fit, load_model


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

"""The registered wide & deep subclass of chapter 5 survives a .keras round trip."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from utils.models import WideAndDeepModel
from utils.reproducibility import set_seeds

TOLERANCE = 1e-6  # the notebook's tolerance; on one CPU the predictions are identical


def _data(n: int = 256, seed: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(loc=3.0, scale=2.0, size=(n, 8)).astype("float32")
    y = (X[:, 0] - 0.5 * X[:, 6] + rng.normal(scale=0.1, size=n)).astype("float32")
    return {"wide": X[:, :5], "deep": X[:, 2:]}, y


def _trained_model(**kwargs) -> WideAndDeepModel:
    set_seeds(0)
    inputs, y = _data()
    model = WideAndDeepModel(**kwargs)
    model.adapt(inputs["wide"], inputs["deep"])
    model.compile(
        loss={"main": "mse", "aux": "mse"},
        loss_weights={"main": 0.9, "aux": 0.1},
        optimizer=keras.optimizers.Adam(learning_rate=1e-2),
    )
    model.fit(inputs, {"main": y, "aux": y}, epochs=2, batch_size=64, verbose=0)
    return model


def _max_gap(first: dict, second: dict) -> float:
    return max(float(np.abs(first[name] - second[name]).max()) for name in ("main", "aux"))


@pytest.fixture(scope="module")
def model() -> WideAndDeepModel:
    # Non-default arguments, so a config that forgot one would show.
    return _trained_model(units=12, n_hidden=3, activation="tanh", noise_std=0.1)


def test_round_trip_gives_identical_predictions(model, tmp_path) -> None:
    path = tmp_path / "wide_and_deep.keras"
    model.save(path)
    loaded = keras.models.load_model(path)

    assert type(loaded) is WideAndDeepModel
    assert loaded.get_config() == model.get_config()
    assert len(loaded.hidden) == 3 and loaded.hidden[0].units == 12
    assert loaded.activation is keras.activations.tanh
    inputs, _ = _data(n=100, seed=1)
    gap = _max_gap(model.predict(inputs, verbose=0), loaded.predict(inputs, verbose=0))
    assert gap <= TOLERANCE


def test_saving_again_overwrites_the_file(model, tmp_path) -> None:
    path = tmp_path / "wide_and_deep.keras"
    _trained_model(units=4).save(path)
    model.save(path)  # the newer model replaces the older one
    loaded = keras.models.load_model(path)
    inputs, _ = _data(n=50, seed=2)
    assert loaded.units == 12
    assert _max_gap(model.predict(inputs, verbose=0), loaded.predict(inputs, verbose=0)) == 0


def test_noise_is_added_in_training_only(model) -> None:
    inputs, _ = _data(n=20, seed=3)
    training = [keras.ops.convert_to_numpy(model(inputs, training=True)["main"]) for _ in "ab"]
    inference = [keras.ops.convert_to_numpy(model(inputs, training=False)["main"]) for _ in "ab"]
    assert np.abs(training[0] - training[1]).max() > 1e-4
    assert np.array_equal(inference[0], inference[1])


def test_clone_has_the_same_architecture(model) -> None:
    clone = keras.models.clone_model(model)
    assert type(clone) is WideAndDeepModel
    assert clone.get_config() == model.get_config()


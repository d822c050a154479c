"""Chapter 6's save-and-load round trips, on a small model: the copies predict exactly alike.

Each test saves into pytest's tmp_path and compares predictions with np.array_equal:
on one machine the same weights through the same operations give the same bits. The
export is run by TensorFlow rather than Keras, so there the chapter's stated tolerance
(1e-6) applies.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from utils.reproducibility import set_seeds

EXPORT_TOLERANCE = 1e-6  # the same tolerance as the chapter's check


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(loc=2.0, scale=3.0, size=(320, 8)).astype("float32")
    y = (X[:, :4].sum(axis=1) - X[:, 4] * X[:, 5] / 10).astype("float32")
    X_new = rng.normal(loc=2.0, scale=3.0, size=(100, 8)).astype("float32")
    return X, y, X_new


def _build(X: np.ndarray, hidden_units: int = 16) -> keras.Model:
    normalizer = keras.layers.Normalization()
    normalizer.adapt(X)
    return keras.Sequential(
        [
            keras.Input(shape=(8,)),
            normalizer,
            keras.layers.Dense(hidden_units, activation="relu"),
            keras.layers.Dense(1),
        ]
    )


def _compile(model: keras.Model) -> keras.Model:
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=1e-2))
    return model


def _train(data) -> keras.Model:
    X, y, _ = data
    set_seeds(0)
    model = _compile(_build(X))
    model.fit(X, y, epochs=2, batch_size=32, verbose=0)
    return model


@pytest.fixture(scope="module")
def trained(data) -> keras.Model:
    return _train(data)


def _predict_alike(model: keras.Model, other: keras.Model, X: np.ndarray) -> bool:
    """Whether two models give the same predictions on ``X``, to the last bit."""
    return np.array_equal(model.predict(X, verbose=0), other.predict(X, verbose=0))


def _rebuilt_from_weights(path, data) -> keras.Model:
    """A fresh model of the trained one's architecture, with the weights saved at ``path``."""
    rebuilt = _build(data[0])
    rebuilt.load_weights(path)
    return rebuilt


def test_keras_file_round_trip_is_exact(trained, data, tmp_path) -> None:
    path = tmp_path / "model.keras"
    trained.save(path)
    reloaded = keras.models.load_model(path)
    assert reloaded is not trained
    assert _predict_alike(reloaded, trained, data[2])
    # The compile state came along: the same loss, optimizer and optimizer step count.
    assert reloaded.loss == "mse"
    assert isinstance(reloaded.optimizer, keras.optimizers.Adam)
    assert int(reloaded.optimizer.iterations) == int(trained.optimizer.iterations) > 0


def test_training_resumes_exactly_from_a_keras_file(data, tmp_path) -> None:
    X, y, X_new = data
    original = _train(data)
    path = tmp_path / "resume.keras"
    original.save(path)
    reloaded = keras.models.load_model(path)
    for model in (original, reloaded):
        set_seeds(7)
        model.fit(X, y, epochs=1, batch_size=32, verbose=0)
    assert _predict_alike(reloaded, original, X_new)


def test_weights_only_round_trip_is_exact(trained, data, tmp_path) -> None:
    path = tmp_path / "model.weights.h5"
    trained.save_weights(path)
    assert _predict_alike(_rebuilt_from_weights(path, data), trained, data[2])


def test_weights_file_name_must_end_in_weights_h5(trained, tmp_path) -> None:
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        trained.save_weights(tmp_path / "model.h5")


def test_weights_do_not_load_into_another_architecture(trained, data, tmp_path) -> None:
    path = tmp_path / "model.weights.h5"
    trained.save_weights(path)
    wider = _build(data[0], hidden_units=32)
    with pytest.raises(ValueError, match="could not be loaded"):
        wider.load_weights(path)


def test_export_and_tfsmlayer_round_trip(trained, data, tmp_path) -> None:
    folder = tmp_path / "export"
    trained.export(folder, verbose=False)
    trained.export(folder, verbose=False)  # exporting into an existing folder works too
    served = keras.layers.TFSMLayer(folder, call_endpoint="serving_default")
    outputs = served(data[2])
    assert list(outputs) == ["output_0"]
    served_predictions = keras.ops.convert_to_numpy(outputs["output_0"])
    gap = np.abs(served_predictions - trained.predict(data[2], verbose=0)).max()
    assert gap <= EXPORT_TOLERANCE


def test_legacy_h5_file_still_loads_without_compiling(trained, data, tmp_path) -> None:
    path = tmp_path / "legacy.h5"
    trained.save(path)
    legacy = keras.models.load_model(path, compile=False)
    assert _predict_alike(legacy, trained, data[2])


def test_saving_without_a_suffix_points_to_export(trained, tmp_path) -> None:
    with pytest.raises(ValueError, match="export"):
        trained.save(tmp_path / "no_suffix")


def test_lambda_layer_loads_only_with_safe_mode_off(trained, data, tmp_path) -> None:
    doubled = keras.Sequential(
        [keras.Input(shape=(8,)), *trained.layers, keras.layers.Lambda(lambda p: p * 2.0)]
    )
    path = tmp_path / "lambda.keras"
    doubled.save(path)
    with pytest.raises(ValueError, match="safe_mode"):
        keras.models.load_model(path)
    trusted = keras.models.load_model(path, safe_mode=False)
    assert _predict_alike(trusted, doubled, data[2])


def test_sharded_weights_round_trip_through_a_weights_json_index(trained, data, tmp_path) -> None:
    # Keras 3.10 added max_shard_size; seen on 3.13.2 and 3.15.1.
    index = tmp_path / "model.weights.json"
    trained.save_weights(index, max_shard_size=6e-7)  # about 640 bytes per shard
    shards = sorted(path.name for path in tmp_path.glob("model_*.weights.h5"))
    assert index.is_file() and len(shards) >= 2, shards
    assert _predict_alike(_rebuilt_from_weights(index, data), trained, data[2])


def test_a_weights_json_name_needs_max_shard_size(trained, tmp_path) -> None:
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        trained.save_weights(tmp_path / "model.weights.json")


def test_a_legacy_save_drops_the_optimizer_from_later_keras_files(data, tmp_path) -> None:
    """What chapter 6 (section 6) and exercise 7's check say about `.h5` saves."""
    model = _train(data)
    steps = int(model.optimizer.iterations)
    model.save(tmp_path / "legacy.h5")
    model.save(tmp_path / "after.keras")
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer"):
        after = keras.models.load_model(tmp_path / "after.keras")
    assert isinstance(after.optimizer, keras.optimizers.RMSprop)
    assert int(after.optimizer.iterations) == 0
    assert int(model.optimizer.iterations) == steps
    # Compiling again with the model's own optimizer object puts it back, state and all.
    model.compile(loss="mse", optimizer=model.optimizer)
    model.save(tmp_path / "repaired.keras")
    repaired = keras.models.load_model(tmp_path / "repaired.keras")
    assert isinstance(repaired.optimizer, keras.optimizers.Adam)
    assert int(repaired.optimizer.iterations) == steps
    assert _predict_alike(repaired, model, data[2])

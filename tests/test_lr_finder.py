"""The learning-rate finder grows the rate, records losses, stops on divergence, restores."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest

from utils.lr_finder import LearningRateFinder, plot_learning_rate_finder, suggest_learning_rate

matplotlib.use("Agg")


def _regression_data(n: int = 640):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 4)).astype("float32")
    y = (X @ np.array([1.0, -2.0, 0.5, 3.0])).astype("float32")
    return X, y


def _model(learning_rate: float = 0.01):
    import keras

    from utils.reproducibility import set_seeds

    set_seeds(0)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=learning_rate))
    return model


def test_rate_grows_exponentially_between_its_bounds() -> None:
    finder = LearningRateFinder(min_lr=1e-4, max_lr=1e-2, num_steps=5)
    rates = [finder.rate_at(i) for i in range(5)]
    assert rates[0] == pytest.approx(1e-4)
    assert rates[-1] == pytest.approx(1e-2)
    ratios = np.array(rates[1:]) / np.array(rates[:-1])
    assert np.allclose(ratios, ratios[0])


def test_records_one_loss_per_step_and_stops_after_num_steps() -> None:
    X, y = _regression_data()
    model = _model()
    finder = LearningRateFinder(min_lr=1e-4, max_lr=1e-2, num_steps=15)
    model.fit(X, y, batch_size=64, epochs=5, callbacks=[finder], verbose=0)
    assert len(finder.learning_rates) == len(finder.losses) == 15
    assert finder.learning_rates == pytest.approx([finder.rate_at(i) for i in range(15)])
    assert "15 steps" in finder.stopped_because
    # small, stable rates: the loss of each batch goes down overall
    assert np.mean(finder.losses[-3:]) < np.mean(finder.losses[:3])


def test_per_batch_losses_are_recovered_from_keras_running_mean() -> None:
    X, y = _regression_data(128)
    model = _model()
    finder = LearningRateFinder(min_lr=1e-9, max_lr=2e-9, num_steps=4, restore=False)
    model.fit(X, y, batch_size=32, epochs=1, callbacks=[finder], verbose=0, shuffle=False)
    # with a negligible rate the weights barely move: each loss is that of its batch
    weights = model.get_weights()
    expected = [
        float(np.mean((X[i : i + 32] @ weights[0][:, 0] + weights[1][0] - y[i : i + 32]) ** 2))
        for i in range(0, 128, 32)
    ]
    assert finder.losses == pytest.approx(expected, rel=1e-3)


def test_stops_when_the_loss_explodes_and_restores_the_model() -> None:
    X, y = _regression_data()
    model = _model(learning_rate=0.01)
    before = [w.copy() for w in model.get_weights()]
    finder = LearningRateFinder(min_lr=1e-3, max_lr=100.0, num_steps=500)
    model.fit(X, y, batch_size=32, epochs=30, callbacks=[finder], verbose=0)
    assert len(finder.losses) < 500
    assert "NaN" in finder.stopped_because or "minimum" in finder.stopped_because
    for original, now in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(original, now)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)


def test_suggestion_is_below_the_loss_minimum() -> None:
    rates = np.logspace(-5, 0, 100)
    losses = (np.log10(rates) + 1.5) ** 2 + 1.0  # minimum at 10 ** -1.5
    losses[-5:] = [20, 40, 80, math.nan, math.nan]
    pick = suggest_learning_rate(rates, losses)
    smoothed_minimum = rates[np.nanargmin(losses)]
    assert pick < smoothed_minimum
    assert 1e-4 < pick < 1e-2
    assert suggest_learning_rate(rates, losses, factor=1.0) > pick


def test_suggestion_rejects_empty_or_mismatched_inputs() -> None:
    with pytest.raises(ValueError):
        suggest_learning_rate([], [])
    with pytest.raises(ValueError):
        suggest_learning_rate([1e-3, 1e-2], [1.0])
    with pytest.raises(ValueError):
        suggest_learning_rate([1e-3], [math.nan])


def test_plot_has_a_log_x_axis_and_labels() -> None:
    rates = np.logspace(-5, 0, 50)
    losses = (np.log10(rates) + 2) ** 2
    fig = plot_learning_rate_finder(learning_rates=rates, losses=losses, suggestion=1e-3)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_bad_bounds_are_rejected() -> None:
    with pytest.raises(ValueError):
        LearningRateFinder(min_lr=1.0, max_lr=0.1)
    with pytest.raises(ValueError):
        LearningRateFinder(num_steps=1)

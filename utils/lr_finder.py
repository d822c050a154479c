"""A learning-rate finder: the callback, the rule that picks a rate, and the plot.

Chapter 8 teaches it. The idea: train for a few hundred steps while the learning
rate grows exponentially from tiny to huge, record the loss at every step, and
plot loss against learning rate on a log axis. The loss first stays flat (rate too
small to matter), then falls (the useful range), reaches a minimum, and finally
shoots up (the rate is so large that training diverges). A good rate sits well
below that minimum, about 10 times smaller.

    finder = LearningRateFinder(min_lr=1e-5, max_lr=1.0, num_steps=200)
    model.fit(X, y, batch_size=256, epochs=..., callbacks=[finder], verbose=0)
    rate = suggest_learning_rate(finder.learning_rates, finder.losses)
    plot_learning_rate_finder(finder, suggestion=rate)

By default the callback puts the model back as it found it when training ends
(``restore=True``): the original weights and the original learning rate. The
optimizer's own state (Adam's moment estimates, its step count) is not restored,
so compile the model again, or build a fresh one, before the real training.

Compile the model with ``steps_per_execution=1`` for the search: Keras calls batch
callbacks once per execution, so with ``steps_per_execution=k`` the rate would only
change every k steps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import keras
import matplotlib.pyplot as plt
import numpy as np

from utils.i18n import _


class LearningRateFinder(keras.callbacks.Callback):
    """Grow the learning rate exponentially at every step and record the loss.

    Step ``i`` (counted from 0) trains with the rate
    ``min_lr * (max_lr / min_lr) ** (i / (num_steps - 1))``, so the first step uses
    ``min_lr`` and step ``num_steps - 1`` uses ``max_lr``. After each step the
    callback records the rate and that step's loss, in ``learning_rates`` and
    ``losses``, plus an exponentially smoothed loss in ``smoothed_losses``.

    Training stops early (``model.stop_training = True``) when the loss diverges:
    it becomes NaN or infinite, or the smoothed loss exceeds ``stop_factor`` times
    the best smoothed loss seen so far. It also stops after ``num_steps`` steps, so
    ask ``fit`` for enough epochs and let the callback end the run.

    Keras reports, after each batch, the mean loss since the start of the epoch;
    the callback turns it back into the loss of the batch itself (exact when the
    batches have equal sizes).

    With ``restore=True`` (the default) the model gets its original weights and
    learning rate back when training ends; the optimizer's slots are not restored.
    """

    def __init__(
        self,
        min_lr: float = 1e-5,
        max_lr: float = 1.0,
        num_steps: int = 200,
        *,
        stop_factor: float = 4.0,
        smoothing: float = 0.9,
        restore: bool = True,
    ) -> None:
        super().__init__()
        if not 0 < min_lr < max_lr:
            raise ValueError("need 0 < min_lr < max_lr")
        if num_steps < 2:
            raise ValueError("need at least 2 steps")
        if not 0 <= smoothing < 1:
            raise ValueError("smoothing must be in [0, 1)")
        self.min_lr = float(min_lr)
        self.max_lr = float(max_lr)
        self.num_steps = int(num_steps)
        self.stop_factor = float(stop_factor)
        self.smoothing = float(smoothing)
        self.restore = restore
        self.learning_rates: list[float] = []
        self.losses: list[float] = []
        self.smoothed_losses: list[float] = []
        self.stopped_because = ""

    def rate_at(self, step: int) -> float:
        """The learning rate that step ``step`` (from 0) trains with."""
        return self.min_lr * (self.max_lr / self.min_lr) ** (step / (self.num_steps - 1))

    # --- Keras hooks ---------------------------------------------------------------

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.learning_rates, self.losses, self.smoothed_losses = [], [], []
        self.stopped_because = ""
        self._step = 0
        self._best = math.inf
        self._average = 0.0
        self._original_rate = float(self.model.optimizer.learning_rate)
        self._original_weights = self.model.get_weights() if self.restore else None
        self._set_rate(self.rate_at(0))

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._previous_mean = 0.0  # Keras restarts its running mean every epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        mean = float((logs or {}).get("loss", math.nan))
        loss = (batch + 1) * mean - batch * self._previous_mean
        self._previous_mean = mean
        self.learning_rates.append(self.rate_at(self._step))
        self.losses.append(loss)
        self._step += 1
        if not math.isfinite(loss):
            self.smoothed_losses.append(math.nan)
            self._stop(_("the loss became NaN or infinite"))
            return
        self._average = self.smoothing * self._average + (1 - self.smoothing) * loss
        smoothed = self._average / (1 - self.smoothing**self._step)  # bias-corrected
        self.smoothed_losses.append(smoothed)
        self._best = min(self._best, smoothed)
        if smoothed > self.stop_factor * self._best:
            self._stop(
                _("the smoothed loss passed {factor:g}x its minimum").format(
                    factor=self.stop_factor
                )
            )
        elif self._step >= self.num_steps:
            self._stop(_("all {count} steps are done").format(count=self.num_steps))
        else:
            self._set_rate(self.rate_at(self._step))

    def on_train_end(self, logs: dict | None = None) -> None:
        if not self.stopped_because:
            self.stopped_because = _("fit ran out of epochs")
        if self.restore:
            self.model.set_weights(self._original_weights)
            self._set_rate(self._original_rate)

    # --- helpers -----------------------------------------------------------------

    def _set_rate(self, rate: float) -> None:
        self.model.optimizer.learning_rate = rate

    def _stop(self, reason: str) -> None:
        self.stopped_because = reason
        self.model.stop_training = True


def suggest_learning_rate(
    learning_rates: Sequence[float],
    losses: Sequence[float],
    *,
    factor: float = 10.0,
    smoothing: float = 0.9,
) -> float:
    """The rate ``factor`` times smaller than the one where the smoothed loss is lowest.

    At the minimum the rate is already close to the edge of divergence, and the
    loss there is low only thanks to the many steps taken at smaller rates before.
    Dividing by about 10 lands in the steep, stable part of the curve.
    """
    rates = np.asarray(learning_rates, dtype=float)
    values = np.asarray(losses, dtype=float)
    if rates.shape != values.shape or rates.size == 0:
        raise ValueError("give one loss per learning rate, at least one of each")
    smoothed = _smooth(values, smoothing)
    if not np.isfinite(smoothed).any():
        raise ValueError("no finite loss was recorded")
    best = int(np.nanargmin(np.where(np.isfinite(smoothed), smoothed, np.nan)))
    return float(rates[best] / factor)


def plot_learning_rate_finder(
    finder: LearningRateFinder | Any = None,
    *,
    learning_rates: Sequence[float] | None = None,
    losses: Sequence[float] | None = None,
    suggestion: float | None = None,
    ax: plt.Axes | None = None,
    title: str = "Loss while the learning rate grows",
) -> plt.Figure:
    """Plot the loss against the learning rate (log x axis), raw and smoothed.

    Give a finder, or ``learning_rates`` and ``losses``. A ``suggestion`` is drawn
    as a dashed vertical line; the minimum of the smoothed loss is marked too.
    """
    if finder is not None:
        learning_rates, losses = finder.learning_rates, finder.losses
    rates = np.asarray(learning_rates, dtype=float)
    values = np.asarray(losses, dtype=float)
    smoothed = _smooth(values)
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4.5))
    else:
        fig = ax.figure
    ax.plot(rates, values, color="tab:blue", alpha=0.3, label="loss of each step")
    ax.plot(rates, smoothed, color="tab:blue", label="smoothed loss")
    finite = np.isfinite(smoothed)
    if finite.any():
        best = int(np.nanargmin(np.where(finite, smoothed, np.nan)))
        ax.plot(rates[best], smoothed[best], "o", color="tab:red", label="minimum")
        low, high = np.nanmin(smoothed[finite]), smoothed[finite][0]
        ax.set_ylim(low - 0.1 * (high - low + 1e-9), high + 0.6 * (high - low + 1e-9))
    if suggestion is not None:
        ax.axvline(suggestion, color="tab:green", linestyle="--", label=f"pick: {suggestion:.2g}")
    ax.set_xscale("log")
    ax.set(title=title, xlabel="learning rate (log scale)", ylabel="training loss")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def _smooth(values: np.ndarray, smoothing: float = 0.9) -> np.ndarray:
    """Bias-corrected exponential moving average; NaN once a value is not finite."""
    smoothed = np.full(values.shape, np.nan)
    average = 0.0
    for i, value in enumerate(values):
        if not np.isfinite(value):
            break
        average = smoothing * average + (1 - smoothing) * value
        smoothed[i] = average / (1 - smoothing ** (i + 1))
    return smoothed

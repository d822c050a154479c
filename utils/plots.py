"""Figures that several chapters draw, and saving figures to the images folder."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from utils.paths import images_dir


def save_fig(name: str, chapter: str, *, fig: plt.Figure | None = None, dpi: int = 150) -> Path:
    """Save a figure (the current one by default) as ``images/<chapter>/<name>.png``.

    Saving is for reuse in slides or notes; the notebook shows the figure anyway.
    """
    fig = fig or plt.gcf()
    path = images_dir(chapter) / f"{name}.png"
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    return path


def plot_decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    *,
    ax: plt.Axes | None = None,
    class_names: Sequence[str] = ("0", "1"),
    resolution: int = 300,
    padding: float = 0.5,
) -> plt.Axes:
    """Shade the regions a 2-feature binary classifier assigns to each class.

    ``predict`` maps an array of shape (n, 2) to one 0/1 label per row, so it works
    for a NumPy perceptron, a scikit-learn model or a Keras model alike.
    """
    ax = ax or plt.gca()
    (x0_min, x1_min), (x0_max, x1_max) = X.min(axis=0) - padding, X.max(axis=0) + padding
    grid0, grid1 = np.meshgrid(
        np.linspace(x0_min, x0_max, resolution), np.linspace(x1_min, x1_max, resolution)
    )
    grid = np.c_[grid0.ravel(), grid1.ravel()]
    regions = np.asarray(predict(grid)).reshape(grid0.shape)
    ax.contourf(grid0, grid1, regions, levels=[-0.5, 0.5, 1.5], colors=["#f6c6c6", "#c6d8f6"])
    for label, (marker, colour) in enumerate([("s", "#b2182b"), ("o", "#2166ac")]):
        chosen = y == label
        ax.scatter(X[chosen, 0], X[chosen, 1], marker=marker, c=colour, label=class_names[label])
    ax.legend(loc="best")
    return ax


def plot_learning_curves(
    history: Mapping[str, Sequence[float]],
    metrics: Sequence[str] | None = None,
    *,
    ax: plt.Axes | None = None,
    title: str = "Learning curves",
) -> plt.Axes:
    """Plot per-epoch training (and validation) curves from ``model.fit(...).history``.

    Accepts the ``History`` object itself or its ``.history`` dict.
    """
    history = getattr(history, "history", history)
    metrics = metrics or [key for key in history if not key.startswith("val_")]
    ax = ax or plt.gca()
    for metric in metrics:
        epochs = np.arange(1, len(history[metric]) + 1)
        (line,) = ax.plot(epochs, history[metric], label=f"training {metric}")
        if f"val_{metric}" in history:
            ax.plot(
                epochs,
                history[f"val_{metric}"],
                "--",
                color=line.get_color(),
                label=f"validation {metric}",
            )
    ax.set(title=title, xlabel="epoch", ylabel="value")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax

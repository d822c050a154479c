"""Figures that several chapters draw, and saving figures to the images folder."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from utils.i18n import N_, _
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


DIAGRAM_TOOLS = "Model diagrams need the Python package pydot and the Graphviz program `dot`"
INSTALL_DIAGRAM_TOOLS = (
    "run `pip install pydot` and install Graphviz: `apt-get install graphviz` (Debian, Ubuntu), "
    "`brew install graphviz` (macOS), `winget install Graphviz.Graphviz` (Windows) or "
    "`conda install graphviz`"
)
# DIAGRAM_TOOLS, then INSTALL_DIAGRAM_TOOLS, written out: a literal, so that the catalogues
# find it (shown as _(DIAGRAM_TOOLS_HELP).format(missing=...)).
DIAGRAM_TOOLS_HELP = N_(
    "Model diagrams need the Python package pydot and the Graphviz program `dot`, and "
    "{missing} is missing here, so model.summary() is shown instead. To draw diagrams, run "
    "`pip install pydot` and install Graphviz: `apt-get install graphviz` (Debian, Ubuntu), "
    "`brew install graphviz` (macOS), `winget install Graphviz.Graphviz` (Windows) or "
    "`conda install graphviz`; then restart the kernel. Google Colab already has both."
)
# The notebook builder sets this to "1" when it executes notebooks: a committed notebook
# must hold the diagrams themselves, never the summary() text a learner's machine may show.
REQUIRE_DIAGRAMS_ENV_VAR = "COURSE_REQUIRE_DIAGRAMS"


class DiagramToolsMissingError(RuntimeError):
    """A diagram could not be drawn where COURSE_REQUIRE_DIAGRAMS=1 forbids the fallback."""


def show_model_diagram(
    model,
    name: str | None = None,
    chapter: str | None = None,
    *,
    show_layer_activations: bool = True,
    rankdir: str = "TB",
    dpi: int = 72,
) -> None:
    """Show a diagram of a Keras model's layers, how they connect and their shapes.

    Draws with ``keras.utils.plot_model(..., show_shapes=True)``. With ``name`` and
    ``chapter`` the picture is also kept as ``images/<chapter>/<name>.png``, like
    :func:`save_fig`. Drawing needs pydot and Graphviz (Colab has both): when either is
    missing, this says how to install them and shows ``model.summary()`` instead of failing,
    unless the environment variable ``COURSE_REQUIRE_DIAGRAMS`` is ``1``: then it raises
    :class:`DiagramToolsMissingError`.
    """
    import os
    import shutil
    import tempfile
    from importlib.util import find_spec

    import keras

    missing = [
        tool
        for tool, found in [("pydot", find_spec("pydot")), ("Graphviz", shutil.which("dot"))]
        if not found
    ]
    failure = None
    if not missing:
        with tempfile.TemporaryDirectory() as scratch:
            keep = name is not None and chapter is not None
            path = images_dir(chapter) / f"{name}.png" if keep else Path(scratch) / "model.png"
            try:
                keras.utils.plot_model(
                    model,
                    to_file=str(path),
                    show_shapes=True,
                    show_layer_names=True,
                    show_layer_activations=show_layer_activations,
                    rankdir=rankdir,
                    dpi=dpi,
                )
                picture = path.read_bytes()
            # The tools are there but do not work (pydot 4 asserts that `dot` exited with 0).
            except (ImportError, OSError, AssertionError) as error:
                missing, failure = [N_("a working Graphviz")], error
    if missing and os.environ.get(REQUIRE_DIAGRAMS_ENV_VAR) == "1":
        raise DiagramToolsMissingError(
            f"{DIAGRAM_TOOLS}, and {' and '.join(missing)} is missing here, so no diagram of "
            f"{model.name} was drawn; {REQUIRE_DIAGRAMS_ENV_VAR}=1 (the notebook builder sets "
            "it) forbids showing model.summary() instead. "
            f"To draw diagrams, {INSTALL_DIAGRAM_TOOLS}; then run this again."
        ) from failure
    if missing:
        shown = [_(tool) for tool in missing]
        if len(shown) > 1:
            missing_shown = _("{first} and {second}").format(first=shown[0], second=shown[1])
        else:
            missing_shown = shown[0]
        print(_(DIAGRAM_TOOLS_HELP).format(missing=missing_shown))
        model.summary()
        return
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(Image(data=picture, format="png"))
    else:
        print(
            _("Drew a diagram of {model} ({size:,} bytes of PNG).").format(
                model=model.name, size=len(picture)
            )
        )


def plot_image_grid(
    images: np.ndarray,
    labels: Sequence[int],
    class_names: Sequence[str],
    *,
    predictions: Sequence[int] | None = None,
    n_cols: int = 10,
    image_size: float = 1.2,
    title: str | None = None,
) -> plt.Figure:
    """Draw grayscale images in a grid, each titled with its class name.

    ``images`` has shape (n, height, width); ``labels`` holds the true class ids.
    With ``predictions``, each title reads "predicted (true)" and every mistake is
    drawn in red with a red frame, so wrong predictions stand out at a glance.
    Returns the figure.
    """
    images = np.asarray(images)
    n_rows = -(-len(images) // n_cols)  # ceiling division
    title_height = 0.35 if predictions is None else 0.6  # room for two-line titles
    fig, axes = plt.subplots(
        n_rows,
        n_cols,
        figsize=(n_cols * image_size, n_rows * (image_size + title_height) + 0.4),
        squeeze=False,
    )
    for index, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if index >= len(images):
            ax.axis("off")
            continue
        ax.imshow(images[index], cmap="binary", interpolation="nearest")
        true_name = class_names[int(labels[index])]
        if predictions is None:
            ax.set_title(true_name, fontsize=8)
            continue
        predicted = int(predictions[index])
        wrong = predicted != int(labels[index])
        colour = "#cf222e" if wrong else "black"
        text = f"{class_names[predicted]}\n({true_name})" if wrong else class_names[predicted]
        ax.set_title(text, fontsize=8, color=colour)
        for spine in ax.spines.values():
            spine.set_color(colour if wrong else "#bbbbbb")
            spine.set_linewidth(2.5 if wrong else 0.8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig

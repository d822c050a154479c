"""The course's standard train / validation / test splits, made the same way every time.

Chapter 2 teaches how the California housing split is made, and chapter 3 how the
Fashion-MNIST one is; later chapters call these helpers so that every chapter
works on exactly the same data and their results can be compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from utils.data import load_california_housing, load_fashion_mnist

FASHION_MNIST_CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


@dataclass(frozen=True)
class Splits:
    """Features and targets of the three sets a model is trained and judged on."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_valid: np.ndarray
    y_valid: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...] = ()


def california_housing_splits(seed: int = 42) -> Splits:
    """California housing as float32, split 60 % / 20 % / 20 %, shuffled with ``seed``.

    Taught in chapter 2: the test set is cut first and stays untouched until the
    end; the validation set is cut from what remains. Targets are in $100,000.
    """
    from sklearn.model_selection import train_test_split

    housing = load_california_housing()
    X, y = housing.data.astype("float32"), housing.target.astype("float32")
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.2, random_state=seed)
    X_train, X_valid, y_train, y_valid = train_test_split(
        X_rest, y_rest, test_size=0.25, random_state=seed
    )
    return Splits(X_train, y_train, X_valid, y_valid, X_test, y_test, tuple(housing.feature_names))


def fashion_mnist_splits(validation_size: int = 5000) -> Splits:
    """Fashion-MNIST images scaled to [0, 1] (float32), with a validation set held out.

    Taught in chapter 3: the last ``validation_size`` training images become the
    validation set; the 10,000 test images stay untouched until the end.
    """
    (X_train_full, y_train_full), (X_test, y_test) = load_fashion_mnist()
    X_train_full = X_train_full.astype("float32") / 255.0
    X_test = X_test.astype("float32") / 255.0
    cut = len(X_train_full) - validation_size
    return Splits(
        X_train_full[:cut],
        y_train_full[:cut],
        X_train_full[cut:],
        y_train_full[cut:],
        X_test,
        y_test,
    )

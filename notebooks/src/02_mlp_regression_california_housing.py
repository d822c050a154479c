# %% [markdown]
# Chapter 1 built neural networks from single neurons and trained them on toy
# problems. Now we point one at real data: twenty thousand districts of California,
# and the question every estate agent asks, *what are the houses here worth?*
# Predicting a number rather than a class is called {{regression}}, and it
# changes two things about a network: its output layer and its loss.
#
# **You will learn to**
#
# - read a tabular data set, look at it, and split it into training, validation and
#   test sets that stay fixed from run to run;
# - set up baselines first (a linear regression and scikit-learn's `MLPRegressor`),
#   so that every later model has a number to beat;
# - build, train and evaluate a regression MLP with Keras' Sequential API, with a
#   `Normalization` layer inside the model and early stopping;
# - choose the output layer for a regression target: no activation, ReLU or softplus
#   for positive targets, sigmoid or tanh for bounded ones, one neuron per target;
# - choose between the MSE, MAE and Huber losses, and see what outliers do to each.
#
# **Time:** about 40 minutes to read; the notebook runs in one to two minutes on a
# laptop CPU.

# %% [markdown]
# ## Setup
#
# Besides Keras we use pandas to look at the data and scikit-learn for the split and
# the baselines. `set_seeds` seeds Python, NumPy and Keras, so each run of the notebook
# gives the same numbers (up to tiny floating-point differences between machines).
# The chapter runs on any Keras backend (the setup cell above printed which one, with
# the versions); `backend()` tells the code, for the few places where backends differ.
# TensorFlow may print a few log lines the first time it runs (about oneDNN, or CUDA
# when there is no GPU): they are harmless.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression
from sklearn.metrics import root_mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from utils.backends import backend
from utils.data import load_california_housing
from utils.plots import plot_learning_curves, save_fig
from utils.quiet import hide_retracing_warnings
from utils.reproducibility import set_seeds
from utils.results import check_result
from utils.splits import california_housing_splits

CHAPTER = "02_mlp_regression_california_housing"
set_seeds(42)

# %% [markdown]
# ## 1. The California housing data
#
# The data comes from the 1990 US census. Each row is one **block group**, the
# smallest area for which the Census Bureau publishes sample data (typically 600 to
# 3,000 people); we will call them *districts*. scikit-learn downloads the table
# with `sklearn.datasets.fetch_california_housing()`. The course's
# `load_california_housing` takes the same arguments and returns the same result;
# it only checks the file first and also works offline. With `as_frame=True` we
# get pandas objects.

# %%
housing = load_california_housing(as_frame=True)
housing.frame.head()

# %% [markdown]
# There are eight {{features}} per district and one {{target}}:
#
# | column | meaning |
# |---|---|
# | `MedInc` | median income of the district's households, in tens of thousands of dollars (3.5 ≈ $35,000 a year) |
# | `HouseAge` | median age of the houses, in years |
# | `AveRooms` | average number of rooms per household |
# | `AveBedrms` | average number of bedrooms per household |
# | `Population` | number of people living in the district |
# | `AveOccup` | average number of people per household |
# | `Latitude`, `Longitude` | where the district lies, in degrees |
# | **`MedHouseVal`** (target) | median value of the houses, in units of **$100,000** |
#
# So a target of 2.5 means a median house value of $250,000, and an error of 0.5 is
# an error of $50,000. `describe()` summarises each column:

# %%
housing.frame.describe().round(2)

# %% [markdown]
# Three things stand out:
#
# - the features live on very different scales (`Population` in the thousands,
#   `AveBedrms` around 1), so they will need rescaling before a network sees them;
# - the averages per household have extreme maxima (1,243 people per household in
#   one district!), most likely block groups with dormitories, prisons or holiday
#   homes. These are {{outliers}} in the features;
# - `MedHouseVal` never exceeds 5.00001, `HouseAge` stops at 52 and `MedInc` at
#   15.0001. These columns were **capped**: larger values were recorded as the cap.
#
# The cap on the target matters most. For a capped district the label does not say
# "$500,000" but "*$500,000 or more*". A model trained on these labels learns never
# to predict much above 5, and nothing in the data can tell it how expensive the most
# expensive districts really are; errors on them are partly the label's fault. If
# predictions above $500,000 mattered, you would have to get the true values for
# these districts, or drop them from the data (and then never use the model there).
# The histogram shows how many districts sit at the cap.

# %% tags=["nbval-check-output"]
capped = housing.target >= 5.0
print(f"{capped.sum()} of {len(capped)} districts ({capped.mean():.1%}) sit at the cap")

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.hist(housing.target, bins=50, color="#4c72b0")
ax.set(
    title="Median house value per district: a spike at the cap",
    xlabel="median house value ($100,000)",
    ylabel="number of districts",
)
ax.grid(True, alpha=0.3)
fig.tight_layout()
save_fig("target_histogram", CHAPTER, fig=fig)
plt.show()

# %% [markdown]
# Latitude and longitude turn the data into a map. Colouring each district by its
# value shows where the money is: along the coast, around the San Francisco Bay and
# Los Angeles. A model will have to learn this geography from two plain numbers.

# %%
fig, ax = plt.subplots(figsize=(7, 6))
points = ax.scatter(
    housing.data["Longitude"],
    housing.data["Latitude"],
    c=housing.target,
    cmap="viridis",
    s=3,
    alpha=0.6,
)
fig.colorbar(points, ax=ax, label="median house value ($100,000)")
ax.set(
    title="California districts coloured by median house value",
    xlabel="longitude (degrees)",
    ylabel="latitude (degrees)",
)
ax.set_aspect("equal")
fig.tight_layout()
save_fig("california_map", CHAPTER, fig=fig)
plt.show()

# %% [markdown]
# ### Training, validation and test sets
#
# We split the districts three ways:
#
# - the {{training set}}, 60%, is what the model learns from;
# - the {{validation set}}, 20%, judges models while we build them: we
#   compare architectures on it and stop training when it stops improving;
# - the {{test set}}, 20%, is locked away until the end, to estimate
#   the error on districts the model has never met. Every decision made while looking
#   at a set makes its score a little optimistic, so the test set must not steer any.
#
# `train_test_split` shuffles and cuts once; we call it twice. First it cuts off 20%
# for the test set, then 25% of the remaining 80% (that is, 20% of all) for the
# validation set. `random_state=42` fixes the shuffle, so the split is the same on
# every run. We also convert to float32, the precision Keras computes in.

# %% tags=["nbval-check-output"]
X = housing.data.to_numpy(dtype="float32")
y = housing.target.to_numpy(dtype="float32")

X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
X_train, X_valid, y_train, y_valid = train_test_split(
    X_rest, y_rest, test_size=0.25, random_state=42
)
feature_names = list(housing.feature_names)
print("training:  ", X_train.shape, y_train.shape)
print("validation:", X_valid.shape, y_valid.shape)
print("test:      ", X_test.shape, y_test.shape)

# %% [markdown]
# Later chapters need this exact split too. The course helper
# `utils.splits.california_housing_splits()` makes it the same way, so they simply
# call it. Let's check that it gives exactly our arrays:

# %% tags=["nbval-check-output"]
splits = california_housing_splits(seed=42)
ours = (X_train, y_train, X_valid, y_valid, X_test, y_test)
helpers = (splits.X_train, splits.y_train, splits.X_valid, splits.y_valid)
helpers += (splits.X_test, splits.y_test)
same_split = all(np.array_equal(a, b) for a, b in zip(ours, helpers, strict=True))
print("identical to california_housing_splits():", same_split)

# %% [markdown]
# ## 2. Baselines first
#
# Before training a neural network, find out what simple models achieve. A
# {{baseline}} tells you whether the network's score is good news, and
# catches bugs: a network that loses to a straight line is broken or badly set up.
#
# We measure every model with the {{root mean squared error, RMSE}}, $\sqrt{\frac{1}{m}\sum_i (\hat y_i - y_i)^2}$, which is in the unit of the
# target: an RMSE of 0.5 means typical errors of about $50,000. The humblest baseline
# ignores the features and always predicts the mean training value:

# %%
mean_prediction = np.full_like(y_valid, y_train.mean())
mean_valid_rmse = root_mean_squared_error(y_valid, mean_prediction)
print(f"always predict the training mean: validation RMSE {mean_valid_rmse:.3f}")

# %% [markdown]
# Now two real baselines, each in a **pipeline** that first standardises the features
# with `StandardScaler` (it learns each feature's mean and standard deviation on the
# training set in `fit`, and applies them to any data in `predict`):
#
# - `LinearRegression`: a weighted sum of the features, the linear model of
#   chapter 1 without the step;
# - `MLPRegressor`: scikit-learn's own multilayer perceptron for regression. Here it
#   has three hidden layers of 50 ReLU units, and with `early_stopping=True` it keeps
#   10% of the training set aside and stops once the error there stops improving.
#
# Like every model in this chapter, they are judged on the validation set; the test
# set waits for the end (section 6).

# %%
linear_regression = make_pipeline(StandardScaler(), LinearRegression())
linear_regression.fit(X_train, y_train)
linear_valid_rmse = root_mean_squared_error(y_valid, linear_regression.predict(X_valid))

start = time.perf_counter()
sklearn_mlp = make_pipeline(
    StandardScaler(),
    MLPRegressor(hidden_layer_sizes=(50, 50, 50), early_stopping=True, random_state=42),
)
sklearn_mlp.fit(X_train, y_train)
sklearn_seconds = time.perf_counter() - start
sklearn_valid_rmse = root_mean_squared_error(y_valid, sklearn_mlp.predict(X_valid))
print(f"MLPRegressor: {sklearn_mlp[-1].n_iter_} epochs in {sklearn_seconds:.0f} s")

baselines = pd.DataFrame(
    {"validation RMSE": [mean_valid_rmse, linear_valid_rmse, sklearn_valid_rmse]},
    index=["training mean", "LinearRegression", "MLPRegressor (50, 50, 50)"],
)
baselines.round(3)

# %% [markdown]
# The linear model cuts the error of the constant guess by more than a third; the MLP
# does much better again (its error is about three quarters of the linear model's), because
# house values depend on the features in nonlinear ways (think of the map: value is
# not a linear function of latitude). These are the numbers the Keras model has to
# beat. The checks at the end of the chapter hold both statements to the run.
#
# ## 3. A regression MLP in Keras
#
# A regression MLP looks like the classifiers of chapter 1 except at the end: the
# output layer has **one neuron per predicted value and no activation function**, so
# it can output any number, and the loss is the {{mean squared error, MSE}}.
#
# ### 3.1 Normalizing the inputs inside the model
#
# Gradient descent works best when all inputs have similar scales, which is why the
# baselines had a `StandardScaler`. Keras has the same tool as a layer:
# `keras.layers.Normalization` subtracts a mean and divides by a standard deviation,
# feature by feature. Rescaling inputs to a common scale is called {{normalization}}; this particular recipe, which gives each feature mean 0 and standard
# deviation 1, is {{standardization}}, and it is what Keras' `Normalization`
# layer does (the same as `StandardScaler`, despite the layer's broader name). It
# learns the means and variances when you call its `adapt` method on data, and then
# keeps them fixed (they are not trained by gradient descent).
#
# We adapt it on the **training set only**. The validation and test sets stand for
# districts the model has never seen; if their means and variances flowed into the
# model, information about them would {{leak}} into
# training, and their scores would no longer be honest. Same rule as the
# `StandardScaler`, which only ever sees `fit(X_train, ...)`.

# %%
normalizer = keras.layers.Normalization()
normalizer.adapt(X_train)

normalized = keras.ops.convert_to_numpy(normalizer(X_train))
print(
    f"normalized training features: mean {normalized.mean():.2f}, "
    f"standard deviation {normalized.std():.2f}"
)
pd.DataFrame(
    {
        "mean learned by adapt()": keras.ops.convert_to_numpy(normalizer.mean)[0],
        "X_train.mean(axis=0)": X_train.mean(axis=0),
        "std learned by adapt()": np.sqrt(keras.ops.convert_to_numpy(normalizer.variance)[0]),
        "X_train.std(axis=0)": X_train.std(axis=0),
    },
    index=feature_names,
).astype(float).round(2)

# %% [markdown]
# A bonus of putting the scaling *inside* the model: the model takes raw features,
# so the code that uses it later cannot forget the scaling or apply the wrong one.
#
# ### 3.2 Building the model
#
# The Sequential model starts with `keras.Input` (8 features), then the adapted
# normalizer, two hidden {{dense layers}} of 128 ReLU units, and one output
# neuron with no activation. That is wider than the `MLPRegressor` baseline (three
# layers of 50); early stopping (below) keeps the extra width from overfitting.

# %%
set_seeds(42)
model = keras.Sequential(
    [
        keras.Input(shape=(8,)),
        normalizer,
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(1),
    ]
)
model.summary()

# %% [markdown]
# The normalizer's 17 parameters (8 means, 8 variances and a count) are
# non-trainable; the dense layers hold the trainable ones. For instance the first
# has 8 × 128 weights and 128 biases, 1,152 in all.
#
# ### 3.3 Compiling
#
# - `loss="mse"`: the mean squared error, the standard regression loss;
# - `optimizer`: Adam, with a learning rate of 0.002 (chapter 3 compares optimizers);
# - `metrics=[keras.metrics.RootMeanSquaredError()]`: reported after each epoch, in
#   the target's unit, so we can read it directly against the baselines;
# - `steps_per_execution=32` is **optional**, a speed setting only: Keras runs 32
#   batches per call into the backend instead of one, which saves a fixed overhead per
#   call that weighs heavily for a model this small. Leave it out and you train the
#   same model, just more slowly. Chapter 3 (section 11) explains it and measures what
#   it saves; we use it here only to keep the notebook quick. Keras's PyTorch backend
#   runs one batch per call only (it refuses any other value than 1), so on PyTorch
#   the chapter uses 1.

# %%
STEPS_PER_EXECUTION = 1 if backend() == "torch" else 32  # PyTorch: 1 batch per call
model.compile(
    loss="mse",
    optimizer=keras.optimizers.Adam(learning_rate=2e-3),
    metrics=[keras.metrics.RootMeanSquaredError()],
    steps_per_execution=STEPS_PER_EXECUTION,
)

# %% [markdown]
# ### 3.4 Training with early stopping
#
# How many epochs? Too few and the model underfits; too many and it starts to
# memorise the training districts, and the validation error climbs again. Rather
# than guess, we let the validation set decide with two {{callbacks}}, objects
# that `fit` calls after every epoch:
#
# - `EarlyStopping(patience=12, restore_best_weights=True)` stops training once the
#   validation loss has not improved for 12 epochs, and rolls the weights back to the
#   best epoch: {{early stopping}}. `epochs=200` is then only an upper
#   limit;
# - `ReduceLROnPlateau(factor=0.5, patience=3)` halves the learning rate whenever the
#   validation loss stalls for 3 epochs, so the last epochs take finer steps. Like
#   `steps_per_execution`, it is optional (a little quality for free here); chapter 3
#   covers learning-rate schedules.
#
# A **batch size** of 64 gives about 190 gradient steps per epoch. `verbose=0` keeps
# the output short; we print a summary ourselves.

# %%
callbacks = [
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=12, restore_best_weights=True),
    keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=3),
]
start = time.perf_counter()
history = model.fit(
    X_train,
    y_train,
    epochs=200,
    batch_size=64,
    validation_data=(X_valid, y_valid),
    callbacks=callbacks,
    verbose=0,
)
seconds = time.perf_counter() - start
epochs_run = len(history.history["loss"])
best_epoch = int(np.argmin(history.history["val_loss"])) + 1
valid_rmse_per_epoch = history.history["val_root_mean_squared_error"]
keras_valid_rmse = valid_rmse_per_epoch[best_epoch - 1]
print(f"trained {epochs_run} epochs in {seconds:.0f} s; best epoch: {best_epoch}")
print(f"validation RMSE after the first epoch: {valid_rmse_per_epoch[0]:.3f}")
print(f"validation RMSE at the best epoch: {keras_valid_rmse:.3f}")

# %% [markdown]
# ### 3.5 Learning curves
#
# `history.history` holds one value per epoch for the loss and the metric, on the
# training and on the validation set. `plot_learning_curves` draws them.

# %%
fig, ax = plt.subplots(figsize=(8, 4.5))
plot_learning_curves(
    history, ["root_mean_squared_error"], ax=ax, title="Learning curves of the Keras MLP"
)
ax.axvline(best_epoch, color="grey", linestyle=":", label=f"best epoch ({best_epoch})")
ax.axhline(linear_valid_rmse, color="black", linewidth=1, label="linear regression (validation)")
ax.set(ylabel="RMSE ($100,000)", ylim=(0.3, 0.9))
ax.legend()
fig.tight_layout()
save_fig("learning_curves", CHAPTER, fig=fig)
plt.show()

# %% [markdown]
# After the very first epoch the network is already better than the linear model
# on the validation set. The validation RMSE then flattens out around 0.51, while the
# training RMSE keeps falling below it: the growing gap between them is the start of
# {{overfitting}}, the model fitting details of the training districts
# that do not carry over. Early stopping ended training 12 epochs after the best
# validation score and restored the weights of that epoch. The small drops in the
# training curve are the moments when `ReduceLROnPlateau` halved the learning rate.
# (The training RMSE of an epoch is averaged while the weights are still changing,
# and the validation RMSE is measured at the end of the epoch, so in the first
# epochs the two are not quite comparable.)
#
# Compared with the baselines on the same validation districts:

# %%
pd.DataFrame(
    {"validation RMSE": [linear_valid_rmse, sklearn_valid_rmse, keras_valid_rmse]},
    index=["LinearRegression", "MLPRegressor (50, 50, 50)", "Keras MLP (128, 128)"],
).round(3)

# %% [markdown]
# This is the model we keep. Its test RMSE waits for section 6, once every choice in
# this chapter is made. Part of the remaining error is noise in the labels (the cap,
# and districts whose value the eight features cannot explain), so no model gets
# near zero.
#
# ### 3.6 Predicting for new districts
#
# `model.predict` takes raw features, since the normalizer is part of the model, and
# returns one row per district with one column per output neuron. We pretend the
# first five validation districts are new ones:

# %%
X_new, y_new = X_valid[:5], y_valid[:5]
y_pred = model.predict(X_new, verbose=0)
print("predictions:", y_pred.shape)

pd.DataFrame(
    {
        "MedInc": X_new[:, 0],
        "Latitude": X_new[:, 6],
        "Longitude": X_new[:, 7],
        "true value": y_new,
        "predicted": y_pred[:, 0],
        "error": y_pred[:, 0] - y_new,
    }
).astype(float).round(2)

# %% [markdown]
# ## 4. Designing the output layer for regression
#
# The output layer decides what numbers the model *can* produce. Pick it from the
# range of the target:
#
# | the target is... | output layer | examples |
# |---|---|---|
# | any real number | `Dense(1)`, no activation | a temperature, a profit, a change in price |
# | positive, no upper limit | `Dense(1, activation="softplus")` (or `"relu"`) | a price, a duration, a distance |
# | bounded, in $[a, b]$ | `Dense(1, activation="sigmoid")` with targets rescaled to $[0, 1]$, or `"tanh"` with targets rescaled to $[-1, 1]$ | a percentage, a capped value |
# | several numbers | `Dense(k)`: **one neuron per target**, each with the activation its range needs | a 2-D position $(x, y)$, a box's four corners |
#
# A few details:
#
# - **ReLU** outputs $\max(0, z)$: never negative, but when $z < 0$ its gradient is
#   exactly zero, so an output neuron pushed below zero on many samples gets no signal
#   to recover. **Softplus**, $\log(1 + e^z)$, is a smooth ReLU: always positive, with
#   a gradient that never quite vanishes. It is usually the better choice for a
#   positive output.
# - **Sigmoid** outputs values in $(0, 1)$ and **tanh** in $(-1, 1)$. To use them,
#   rescale the targets into that range before training and scale the predictions
#   back afterwards, or, equivalently, add a `keras.layers.Rescaling` layer after the
#   activation so the model outputs the original unit directly.
# - Predicting several values at once is {{multivariate regression}}.
#   The loss then averages over the outputs, so give the targets similar scales.
#
# House values are positive *and* capped at 5, so two output layers fit this
# target better than a plain `Dense(1)`: softplus (never negative) and a sigmoid
# scaled to $(0, 5)$ (never above the cap). Let's train all three on the same small
# budget (two hidden layers of 64, 20 epochs) and look at the range of their
# validation predictions. The two helpers below build and train such a small model, and get its
# predictions for a whole array at once; sections 4 and 5 reuse them.
#
# The first helper takes the output layers as a function that creates them, and calls it
# only after `set_seeds`. A Keras layer draws the seed of its initial weights when it is
# created, so a layer created before the seeding would start from weights that depend on
# whatever ran earlier in the notebook; created after it, every model starts the same way
# on every run.


# %%
if backend() == "tensorflow":
    hide_retracing_warnings()  # sections 4 and 5 build ten small models


def train_small_regressor(make_output_layers, loss="mse", X=X_train, y=y_train, epochs=20):
    """Normalization, two Dense(64, ReLU) layers, then the layers `make_output_layers()`
    creates (after seeding, so their initial weights are the same on every run)."""
    set_seeds(42)
    inputs_normalizer = keras.layers.Normalization()
    inputs_normalizer.adapt(X)
    small_model = keras.Sequential(
        [
            keras.Input(shape=X.shape[1:]),
            inputs_normalizer,
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            *make_output_layers(),
        ]
    )
    small_model.compile(
        loss=loss,
        optimizer=keras.optimizers.Adam(learning_rate=2e-3),
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    small_model.fit(X, y, epochs=epochs, batch_size=128, verbose=0)
    return small_model


def predict_all(trained_model, X):
    """Predictions for every row of X in one call: a few thousand rows fit easily."""
    return keras.ops.convert_to_numpy(trained_model(X, training=False))


output_designs = {
    "Dense(1)": lambda: [keras.layers.Dense(1)],
    "Dense(1, softplus)": lambda: [keras.layers.Dense(1, activation="softplus")],
    "Dense(1, sigmoid) × 5": lambda: [
        keras.layers.Dense(1, activation="sigmoid"),
        keras.layers.Rescaling(5.0),
    ],
}
rows = {}
for name, make_output_layers in output_designs.items():
    predictions = predict_all(train_small_regressor(make_output_layers), X_valid)[:, 0]
    rows[name] = {
        "validation RMSE": root_mean_squared_error(y_valid, predictions),
        "lowest prediction": predictions.min(),
        "highest prediction": predictions.max(),
        "predictions < 0": int((predictions < 0).sum()),
        "predictions > 5": int((predictions > 5).sum()),
    }
output_table = pd.DataFrame.from_dict(rows, orient="index")
output_table.round(3)

# %% [markdown]
# With no activation, nothing keeps the predictions inside the range the labels
# have: a few may fall below zero or above the cap (how many, if any, changes from
# seed to seed; count them in the table). Softplus rules out the first kind by
# construction, the scaled sigmoid both. The RMSEs stay within about 0.05 of one
# another, a gap another seed can reverse, because out-of-range predictions are
# rare; but the constraint costs nothing and keeps the outputs sensible even on
# unusual inputs.
#
# ### Multivariate regression: two outputs
#
# To predict two numbers, give the output layer two neurons. As a small demo, let's
# estimate two things about a district at once, its median income (`MedInc`) and its
# median house value, from the seven other features (age, rooms, bedrooms,
# population, occupancy, latitude, longitude).
#
# The two targets have different scales (income runs up to 15, value up to 5), and
# the loss averages their squared errors, so the larger one would dominate. The
# targets therefore get their own normalizer: a `Normalization(invert=True)` layer,
# adapted on the training targets, *undoes* a standardisation. The two output neurons
# work on a standardised scale, and the model still outputs the original units.
#
# Without the income as an input, the network leans harder on the other features,
# among them the per-household averages with the extreme values of section 1: one
# validation district has 1,243 people per household, twice the largest value in the
# training set. Far outside the range it was trained on, a ReLU network simply
# continues its last slopes, so on some runs that one district gets a prediction
# wrong by tens of units, which alone dominates the RMSE. We therefore clip every feature to
# the range of the middle 99.8% of the training districts (the 0.1st to the 99.9th
# percentile, taken from the training set only, like every statistic the model uses).

# %%
X_two_train, X_two_valid = X_train[:, 1:], X_valid[:, 1:]  # every feature but MedInc
low, high = np.percentile(X_two_train, [0.1, 99.9], axis=0)  # from the training set only
X_two_train, X_two_valid = np.clip(X_two_train, low, high), np.clip(X_two_valid, low, high)
Y_two_train = np.column_stack([X_train[:, 0], y_train])  # targets: MedInc, MedHouseVal
Y_two_valid = np.column_stack([X_valid[:, 0], y_valid])

to_original_units = keras.layers.Normalization(invert=True)
to_original_units.adapt(Y_two_train)
two_output_model = train_small_regressor(
    lambda: [keras.layers.Dense(2), to_original_units], X=X_two_train, y=Y_two_train
)
Y_two_pred = predict_all(two_output_model, X_two_valid)
print("predictions:", Y_two_pred.shape, "(one column per output neuron)")

two_output_rmse = np.sqrt(np.mean((Y_two_pred - Y_two_valid) ** 2, axis=0))
# The constant guess of section 2: always the training mean, judged on validation data.
mean_guess_rmse = np.sqrt(np.mean((Y_two_train.mean(axis=0) - Y_two_valid) ** 2, axis=0))
for i, name in enumerate(["median income ($10,000)", "house value ($100,000)"]):
    print(
        f"{name:>24}: validation RMSE {two_output_rmse[i]:.2f} "
        f"(always predicting the mean: {mean_guess_rmse[i]:.2f})"
    )

# %% [markdown]
# One network, one loss, two answers: both come out far better than the constant
# guess (each error is about half the guess's). The house value is predicted
# less well than by the main model, which had the income as an input; here income is
# something to predict.
#
# ## 5. Loss functions: MSE, MAE and Huber
#
# The loss decides what "a good prediction" means. Writing $e = \hat y - y$ for the
# error on one sample, the three common regression losses are (each averaged over
# the samples):
#
# - {{MSE}}: $e^2$. Big errors are punished a lot: an error of 10
#   costs as much as 100 errors of 1. Its gradient $2e$ shrinks as the error shrinks,
#   which makes the last steps of training gentle and precise.
# - {{MAE}}: $|e|$. Every unit of error costs the same, so a few
#   huge errors cannot dominate: MAE is robust to **outliers**. But its gradient is
#   $\pm 1$ however small the error, so near the minimum training keeps taking
#   full-size steps and settles more slowly.
# - {{Huber loss}}: $\frac{1}{2}e^2$ when $|e| \le \delta$, and
#   $\delta\,(|e| - \frac{1}{2}\delta)$ beyond: quadratic for small errors, linear
#   for large ones, and the two pieces join smoothly at $\pm\delta$ (Keras' default
#   is $\delta = 1$). It takes the best of both.
#
# In Keras: `loss="mse"`, `loss="mae"`, and `loss=keras.losses.Huber(delta=1.0)`
# (or `loss="huber"` for the default $\delta$).

# %%
errors = np.linspace(-3, 3, 601)
delta = 1.0
losses = {  # name: (loss, gradient with respect to the error)
    "MSE": (errors**2, 2 * errors),
    "MAE": (np.abs(errors), np.sign(errors)),
    "Huber (δ = 1)": (
        np.where(np.abs(errors) <= delta, 0.5 * errors**2, delta * (np.abs(errors) - 0.5 * delta)),
        np.clip(errors, -delta, delta),
    ),
}
fig, (ax_loss, ax_grad) = plt.subplots(1, 2, figsize=(11, 4))
for name, (loss_values, gradients) in losses.items():
    ax_loss.plot(errors, loss_values, linewidth=2, label=name)
    ax_grad.plot(errors, gradients, linewidth=2, label=name)
ax_loss.set(title="Loss for one sample", xlabel="error ŷ − y", ylabel="loss", ylim=(0, 5))
ax_grad.set(title="Its gradient", xlabel="error ŷ − y", ylabel="d loss / d ŷ", ylim=(-3, 3))
for ax in (ax_loss, ax_grad):
    ax.grid(True, alpha=0.3)
    ax.legend()
fig.tight_layout()
save_fig("regression_losses", CHAPTER, fig=fig)
plt.show()

# %% [markdown]
# The right-hand plot is how hard each loss pulls on a prediction: MSE pulls harder
# the further off the prediction is, without limit; MAE and Huber never pull harder
# than a fixed amount, so an outlier cannot drag the model far.
#
# The simplest possible "model" shows the consequence. Suppose we must summarise six
# house values by one number $c$, and one of them is an outlier (a mansion, or a typo
# with an extra digit). The $c$ that minimises each loss:

# %% tags=["nbval-check-output"]
values = np.array([1.8, 2.0, 2.1, 2.2, 2.4, 15.0])  # five ordinary districts, one outlier
candidates = np.linspace(0, 16, 16_001)  # try every c in steps of 0.001
gaps = candidates[:, None] - values  # error of each candidate on each value
best = {
    "MSE": candidates[np.argmin((gaps**2).mean(axis=1))],
    "MAE": candidates[np.argmin(np.abs(gaps).mean(axis=1))],
    "Huber": candidates[
        np.argmin(np.where(np.abs(gaps) <= 1, 0.5 * gaps**2, np.abs(gaps) - 0.5).mean(axis=1))
    ],
}
for name, c in best.items():
    print(f"{name:>5} is smallest at c = {c:.2f}")
print(f"mean of the values: {values.mean():.2f}, median: {np.median(values):.2f}")

# %% [markdown]
# MSE's best constant is the **mean**, dragged to 4.25 by a single outlier, higher
# than five of the six values. MAE's is a **median** (any value from 2.1 to 2.2 is
# equally good), which does not care how extreme the outlier is. Huber lands near the
# ordinary values, pulled only a little. Networks inherit the same behaviour: trained
# with MSE, a model aims at the mean of the targets it might see for an input;
# trained with MAE, at their median.
#
# ### The three losses side by side
#
# Now the real thing: the small architecture of section 4, trained with each loss on
# the same budget (seed 42, 20 epochs, batch size 128). It is smaller and shorter
# than the main model, to keep the comparison quick. We train each twice:
#
# - on the **clean** training targets;
# - on **corrupted** ones, where a unit mix-up multiplied 5% of the training targets
#   (picked at random) by 10, so $300,000 became $3,000,000.
#
# All six models are judged on the same, clean validation set.

# %%
rng = np.random.default_rng(42)
corrupted = rng.choice(len(y_train), size=len(y_train) // 20, replace=False)
y_train_corrupted = y_train.copy()
y_train_corrupted[corrupted] *= 10
print(f"{len(corrupted)} of {len(y_train)} training targets multiplied by 10")

loss_choices = {"MSE": "mse", "MAE": "mae", "Huber": keras.losses.Huber(delta=1.0)}
loss_results = {}
start = time.perf_counter()
for name, loss in loss_choices.items():
    loss_results[name] = {}
    for targets, y_fit in [("clean", y_train), ("corrupted", y_train_corrupted)]:
        trained = train_small_regressor(lambda: [keras.layers.Dense(1)], loss=loss, y=y_fit)
        predictions = predict_all(trained, X_valid)[:, 0]
        scores = loss_results[name]
        scores[f"RMSE ({targets})"] = root_mean_squared_error(y_valid, predictions)
        scores[f"MAE ({targets})"] = np.mean(np.abs(predictions - y_valid))
        scores[f"share overestimated ({targets})"] = np.mean(predictions > y_valid)
loss_table = pd.DataFrame.from_dict(loss_results, orient="index")
print(f"six models trained in {time.perf_counter() - start:.0f} s")
loss_table.round(3)

# %%
fig, ax = plt.subplots(figsize=(8, 4))
loss_table[["RMSE (clean)", "RMSE (corrupted)"]].plot.bar(
    ax=ax, rot=0, color=["#4c72b0", "#c44e52"]
)
ax.set(
    title="Same model, same budget, three losses: validation RMSE",
    xlabel="training loss",
    ylabel="validation RMSE ($100,000)",
)
ax.legend(["clean training targets", "5% of training targets × 10"])
ax.grid(True, axis="y", alpha=0.3)
fig.tight_layout()
save_fig("loss_comparison", CHAPTER, fig=fig)
plt.show()

# %% [markdown]
# On clean targets the three losses end up within about 0.04 of one another: a gap
# that another seed or a longer budget could reverse, so don't read a ranking into
# it. On corrupted targets the picture changes completely. The MSE model chases the
# inflated values, so it overestimates most districts and its validation RMSE about
# doubles (2 to 2.6 times over three seeds); the MAE and Huber models barely notice
# the 5% of wild targets (their RMSE grows by 10% at most).
# Rules of thumb:
#
# - **MSE** is the default, and the right choice when the targets are clean and a
#   large error really is worse than several small ones.
# - **MAE** when the training targets contain outliers (glitches, typos, unit
#   mix-ups) that the model should not chase, or when you want the median.
# - **Huber** when you want MSE's smooth, precise behaviour for ordinary errors and
#   MAE's robustness to the rare huge ones. $\delta$ sets where "huge" starts, in
#   the target's unit.
#
# ## 6. The test set's verdict
#
# Every choice of this chapter is made, on the validation set: the main model of
# section 3 is the one we keep, and sections 4 and 5 only explored. Now, and only
# now, the test set gives its verdict, once, on the kept model and on the two
# baselines it had to beat. `evaluate` returns the loss followed by the metrics.

# %%
test_mse, keras_test_rmse = model.evaluate(X_test, y_test, verbose=0, batch_size=1024)
linear_test_rmse = root_mean_squared_error(y_test, linear_regression.predict(X_test))
sklearn_test_rmse = root_mean_squared_error(y_test, sklearn_mlp.predict(X_test))
print(f"Keras MLP test RMSE: {keras_test_rmse:.3f}  (about ${keras_test_rmse * 1e5:,.0f})")

comparison = pd.DataFrame(
    {
        "validation RMSE": [linear_valid_rmse, sklearn_valid_rmse, keras_valid_rmse],
        "test RMSE": [linear_test_rmse, sklearn_test_rmse, keras_test_rmse],
    },
    index=["LinearRegression", "MLPRegressor (50, 50, 50)", "Keras MLP (128, 128)"],
)
comparison.round(3)

# %% [markdown]
# The network's test error is about a third lower than the linear baseline's, and
# about 0.02 lower than the scikit-learn MLP's. Its test score sits within 0.01 of its
# validation score: the validation set did not mislead us. Had the test score been much worse,
# the lesson would be that our choices had overfitted the validation set, and the
# honest fix is a new, untouched test set, not another round of tuning on this one.
#
# ## What you should have seen
#
# Each line below checks one result of this chapter against what it should be. If
# one fails, the cell stops with a message: re-run the notebook from the top. Each
# bound sits just outside what the run gave over three seeds (42, 7 and 123 for
# `set_seeds` and `MLPRegressor`; the split stays fixed): the comment above each
# check gives the measured values and their spread.

# %%
check_result("split equals california_housing_splits()", float(same_split), at_least=1.0)
# Data facts (fixed by the data set): the extreme occupancy and the cap on the target.
check_result("largest AveOccup (people per household)", X[:, 5].max(), at_least=1243.0)
check_result("largest target (the cap, $100,000)", y.max(), at_least=5.0, at_most=5.0001)
# The one-number "models" of section 5 (no randomness): mean, median and Huber's choice.
check_result("MSE's best constant (the mean)", best["MSE"], at_least=4.249, at_most=4.251)
check_result("MAE's best constant (a median)", best["MAE"], at_least=2.1, at_most=2.2)
check_result("Huber's best constant (below the 2nd largest value)", best["Huber"], at_most=2.4)
# Section 2: linear regression has no randomness: 0.621 on every seed.
check_result(
    "LinearRegression / always the mean (validation RMSE ratio)",
    linear_valid_rmse / mean_valid_rmse,
    at_most=2 / 3,
)
# Measured 0.742 / 0.733 / 0.735 (seeds 42 / 7 / 123), spread 0.008, with scikit-learn 1.9;
# 0.760 (seed 42) with scikit-learn 1.6, Colab's: the bound covers both ends.
check_result(
    "MLPRegressor / LinearRegression (validation RMSE ratio)",
    sklearn_valid_rmse / linear_valid_rmse,
    at_most=0.77,
)
# Section 3. Measured 0.894 / 0.912 / 0.950, spread 0.056.
check_result(
    "Keras MLP after 1 epoch / LinearRegression (validation RMSE ratio)",
    valid_rmse_per_epoch[0] / linear_valid_rmse,
    at_most=0.95,
)
# Measured 0.515 / 0.504 / 0.510, spread 0.011: "around 0.51" both ways.
check_result("Keras MLP (validation RMSE)", keras_valid_rmse, at_least=0.503, at_most=0.526)
check_result(
    "epochs run after the best one (EarlyStopping patience)",
    epochs_run - best_epoch,
    at_least=12,
    at_most=12,
)
# Measured 0.871 / 0.904 / 0.904, spread 0.033.
check_result(
    "Keras MLP: last training RMSE / best validation RMSE",
    history.history["root_mean_squared_error"][-1] / keras_valid_rmse,
    at_most=0.905,
)
# Section 4. Measured 0.008 / 0.055 / 0.011, spread 0.047.
check_result(
    "output layers: worst - best validation RMSE",
    output_table["validation RMSE"].max() - output_table["validation RMSE"].min(),
    at_most=0.055,
)
# Features clipped to the training set's 0.1st-99.9th percentiles. Measured 0.503 / 0.509 /
# 0.506 on TensorFlow, 0.503 / 0.511 / 0.505 on JAX, spread 0.008 (unclipped, one
# seed-42 model on JAX got 0.975 from a single district, section 4).
check_result(
    "2-output model / always the training mean (RMSE ratio, worse target)",
    (two_output_rmse / mean_guess_rmse).max(),
    at_most=0.515,
)
# Measured 1.145 / 1.183 / 1.164 on TensorFlow, 1.159 (seed 42) on JAX, spread 0.038.
check_result(
    "2-output model's house value / main model (validation RMSE ratio)",
    two_output_rmse[1] / keras_valid_rmse,
    at_least=1.10,
)
# Section 5. Measured 0.011 / 0.024 / 0.042, spread 0.031.
check_result(
    "MSE, MAE and Huber on clean targets: worst - best RMSE",
    loss_table["RMSE (clean)"].max() - loss_table["RMSE (clean)"].min(),
    at_most=0.042,
)
# Measured 2.62 / 1.97 / 1.95, spread 0.67.
check_result(
    "MSE on corrupted targets (validation RMSE, corrupted / clean)",
    loss_table.loc["MSE", "RMSE (corrupted)"] / loss_table.loc["MSE", "RMSE (clean)"],
    at_least=1.95,
)
# Measured 0.942 / 0.893 / 0.860, spread 0.082.
check_result(
    "MSE on corrupted targets (share of districts overestimated)",
    loss_table.loc["MSE", "share overestimated (corrupted)"],
    at_least=0.86,
)
# Measured 1.062 / 1.012 / 1.015, spread 0.050.
check_result(
    "MAE and Huber on corrupted targets (worse RMSE, corrupted / clean)",
    (loss_table["RMSE (corrupted)"] / loss_table["RMSE (clean)"])[["MAE", "Huber"]].max(),
    at_most=1.11,
)
# Section 6, the test set. Measured 0.684 / 0.680 / 0.682, spread 0.004.
check_result(
    "Keras MLP / LinearRegression (test RMSE ratio)",
    keras_test_rmse / linear_test_rmse,
    at_most=0.688,
)
# Measured 0.023 / 0.021 / 0.019, spread 0.004.
check_result(
    "MLPRegressor - Keras MLP (test RMSE)", sklearn_test_rmse - keras_test_rmse, at_least=0.019
)
# Measured 0.002 / 0.006 / 0.001, spread 0.005.
check_result(
    "Keras MLP: |test - validation| RMSE",
    abs(keras_test_rmse - keras_valid_rmse),
    at_most=0.0075,
)

# %% [markdown]
# ## Recap
#
# - Look at the data before modelling: units, scales, outliers and **caps**. A capped
#   target means the model cannot learn values beyond the cap.
# - Split once, with a fixed seed: train on the **training set**, make every choice
#   on the **validation set**, and use the **test set** once, at the end.
# - **Baselines first**: a linear regression and scikit-learn's `MLPRegressor` set
#   the bar every later model must beat on the validation set.
# - A Keras regression MLP: `Normalization` adapted on the training set only,
#   hidden `Dense` layers with ReLU, one output neuron per target with no activation,
#   `loss="mse"`, `RootMeanSquaredError` as a metric, and `EarlyStopping` with
#   `restore_best_weights=True` to pick the number of epochs.
# - Output activations encode the target's range: none for any value, softplus (or
#   ReLU) for positive values, a rescaled sigmoid or tanh for bounded values.
# - **MSE** aims at the mean and punishes large errors hardest; **MAE** aims at the
#   median and shrugs off outliers; **Huber** is quadratic near zero and linear far
#   away.
#
# Next, chapter 3 classifies images with a deeper MLP and looks closely at how to
# train it well.

# %% [markdown] tags=["exercises"]
# ## Exercises
#
# Answer each exercise in its cell, replacing the `...`, then run the check below it.
# A check tells you whether you are right, and if not, what is off; `.hint()` gives a
# nudge. The checks never stop the notebook, so you can come back to any exercise.
# Worked solutions are in `solutions/02_mlp_regression_california_housing.ipynb`.

# %%
# The imports the exercises use, so this section also runs on its own.
import keras
import numpy as np

from utils.backends import backend
from utils.exercises import ch02
from utils.quiet import hide_retracing_warnings
from utils.reproducibility import set_seeds

if backend() == "tensorflow":
    hide_retracing_warnings()  # the checks build several small models

# %% [markdown]
# **Exercise 1.** A model predicts how long a parcel delivery will take, in minutes:
# always positive, with no upper limit. Which activation should its output neuron
# use, so that it can never predict a negative time? Give its Keras name as a string.

# %%
answer_1 = ...  # STUB
# BEGIN SOLUTION
answer_1 = "softplus"  # "relu" works too, but can get stuck at 0 with a zero gradient
# END SOLUTION
ch02.q1.check(answer_1)

# %% [markdown]
# **Exercise 2.** A network must predict the 3-D location $(x, y, z)$ of a drone from
# its sensor readings. How many neurons does its output layer need?

# %%
answer_2 = ...  # STUB
# BEGIN SOLUTION
answer_2 = 3  # one neuron per coordinate, no activation
# END SOLUTION
ch02.q2.check(answer_2)

# %% [markdown]
# **Exercise 3.** Why do we call `normalizer.adapt(X_train)` and not adapt it on all
# the data? Answer `"a"`, `"b"` or `"c"`.
#
# - a) Adapting on more data would make the notebook too slow.
# - b) The validation and test sets stand for unseen data: if their statistics went
#   into the model, their scores would be optimistic.
# - c) Keras raises an error when `adapt` gets data that is not used for training.

# %%
answer_3 = ...  # STUB
# BEGIN SOLUTION
answer_3 = "b"
# END SOLUTION
ch02.q3.check(answer_3)

# %% [markdown]
# **Exercise 4.** Your training targets contain a few wild values (typos with an
# extra digit). Which of the losses `"mse"`, `"mae"` and `"huber"` keep those outliers
# from dominating training? Give a set of names.

# %%
answer_4 = ...  # STUB
# BEGIN SOLUTION
answer_4 = {"mae", "huber"}
# END SOLUTION
ch02.q4.check(answer_4)

# %% [markdown]
# **Exercise 5 (coding).** Write the Huber loss in NumPy: `huber(y_true, y_pred,
# delta=1.0)` returns the *mean* over all samples of $\frac{1}{2}e^2$ where
# $|e| \le \delta$ and $\delta(|e| - \frac{1}{2}\delta)$ elsewhere, with
# $e = \hat y - y$. The check compares it with the right answer on a few arrays.


# %%
def huber(y_true, y_pred, delta=1.0):
    ...  # STUB
    # BEGIN SOLUTION
    error = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    small = np.abs(error) <= delta
    per_sample = np.where(small, 0.5 * error**2, delta * (np.abs(error) - 0.5 * delta))
    return float(per_sample.mean())
    # END SOLUTION


ch02.q5.check(huber)

# %% [markdown]
# **Exercise 6 (coding).** Write a function `train_housing_model(X_train, y_train,
# X_valid, y_valid)` that builds, compiles and trains a Keras regression MLP and
# returns the trained model. Rules, the same as in the chapter:
#
# - learn everything (the scaling and the weights) from `X_train`, `y_train` only;
#   use `X_valid`, `y_valid` only to decide when to stop (early stopping);
# - the model takes the 8 raw features, so keep any scaling inside it, and has one
#   output.
#
# The check calls your function itself: it hands it the training set and half of the
# validation set, and scores the model on the other half, districts your function
# never sees. To pass, your model must beat a linear regression there; the check
# tells you both RMSEs. A small network and a few seconds of training are enough.
# Use the function's arguments, not the notebook's variables: the check passes its
# own data.


# %%
def train_housing_model(X_train, y_train, X_valid, y_valid):
    ...  # STUB
    # BEGIN SOLUTION
    set_seeds(42)
    normalizer = keras.layers.Normalization()
    normalizer.adapt(X_train)  # training data only
    model = keras.Sequential(
        [
            keras.Input(shape=(8,)),
            normalizer,
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(
        loss="mse",
        optimizer=keras.optimizers.Adam(learning_rate=2e-3),
        metrics=[keras.metrics.RootMeanSquaredError()],
    )
    history = model.fit(
        X_train,
        y_train,
        epochs=20,
        batch_size=256,  # fewer steps: quick on every backend, PyTorch's step-at-a-time too
        validation_data=(X_valid, y_valid),  # for early stopping only
        callbacks=[keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)],
        verbose=0,
    )
    best_rmse = min(history.history["val_root_mean_squared_error"])
    print(f"best validation RMSE during training: {best_rmse:.3f}")
    return model
    # END SOLUTION


ch02.q6.check(train_housing_model)

# %% [markdown]
# See how far you have come:

# %%
ch02.progress()

# %% tags=["solution-only"]
# Every solution above must pass its check: this cell fails loudly if one does not.
ch02.assert_all_correct()

# %% [markdown]
# A trained model that lives only in a Python session disappears when the kernel stops.
# Training took minutes here and can take days elsewhere, so you want to keep the
# result, share it, put it behind a server, and pick training up again later. And
# while `fit` runs, you want to act at the right moments: keep the best model seen so
# far, stop once the validation score stops improving, lower the learning rate when
# progress stalls. This chapter does both, on the California housing regression MLP of
# chapter 2, and proves every save-and-load round trip by comparing predictions.
#
# **You will learn to**
#
# - save a whole model in Keras' native `.keras` format, load it back, and show that
#   the copy predicts exactly what the original does, bit for bit;
# - save and load the weights alone, and read the error Keras gives when the
#   architecture does not match;
# - resume training from a file with the optimizer's state intact;
# - export a model for serving, as a TensorFlow SavedModel (or, on PyTorch, a `.pt2`
#   program), and run the export;
# - recognise Keras 2's `.h5` files, load old ones, and know where `.h5` still appears;
# - treat loading a model file as a trust decision, and keep `safe_mode` on;
# - follow the hooks a callback receives during `fit`, and write a callback of your own;
# - train with `ModelCheckpoint`, `EarlyStopping`, `ReduceLROnPlateau` and `CSVLogger`,
#   in a way that can be re-run without stale files getting in the way.
#
# **Time:** about 45 minutes to read; the notebook runs in about a minute on a laptop
# CPU.

# %% [markdown]
# ## Setup
#
# The data is chapter 2's split of California housing (60 % training, 20 % validation,
# 20 % test, targets in units of $100,000), which `california_housing_splits` makes
# the same way every time. This chapter also writes files, and they all go into one
# folder of their own: `outputs/06_saving_and_callbacks/lesson/`.
#
# One line quietens TensorFlow's Python logger. In Jupyter it would print its INFO
# messages too (such as "Assets written to ..." when a model is exported, which uses
# TensorFlow on the JAX backend too), so we keep warnings and errors only. And on
# TensorFlow one warning is harmless here: every new model traces its own TensorFlow
# functions the first time it trains or predicts, and when that happens often
# TensorFlow warns about "retracing". This chapter builds many small models on
# purpose, so `hide_retracing_warnings()` hides that one message, as in every chapter.
#
# The chapter runs on each Keras backend (the setup cell prints which one); where the
# backends differ, the text says so.

# %%
import json
import logging
import textwrap
import zipfile
from shutil import rmtree

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from utils.backends import RUNS_ON, backend, runs_here
from utils.paths import PROJECT_ROOT, outputs_dir
from utils.plots import plot_learning_curves, save_fig
from utils.quiet import hide_retracing_warnings
from utils.reproducibility import set_seeds
from utils.results import check_result
from utils.splits import california_housing_splits

CHAPTER = "06_saving_and_callbacks"
set_seeds(42)
logging.getLogger("tensorflow").setLevel("WARNING")  # TensorFlow's Python logger
if backend() == "tensorflow":
    hide_retracing_warnings()

# %% [markdown]
# Every run starts from an **empty** output folder. Files left over from an earlier run
# are a classic source of silent mistakes: a cell that loads "the best checkpoint"
# would happily load yesterday's file if today's run never wrote one (because it
# crashed, or was interrupted, before its first epoch ended). Emptying the folder
# first means every file we load below was written by this run, and re-running the
# notebook in the same place always works.

# %% tags=["nbval-check-output"]
RUN_DIR = outputs_dir(CHAPTER) / "lesson"
rmtree(RUN_DIR, ignore_errors=True)  # what an earlier run left behind
RUN_DIR.mkdir()
print("this run writes its files into", RUN_DIR.relative_to(PROJECT_ROOT).as_posix())

# %%
data = california_housing_splits()
print(
    "training:", data.X_train.shape, " validation:", data.X_valid.shape, " test:", data.X_test.shape
)
print("features:", ", ".join(data.feature_names))

# %% [markdown]
# ## 1. A model worth saving
#
# The model is chapter 2's regression MLP: a `Normalization` layer that standardises the
# eight features inside the model, two hidden `Dense` layers of 128 ReLU units and one
# output unit with no activation, trained with Adam at a learning rate of 0.002. We
# wrap building and compiling in two functions,
# because later we need the very same architecture several times. Giving the layers
# names makes the saved files and error messages easier to read.
#
# As in chapter 2, `steps_per_execution=32` makes Keras run 32 batches per call into
# the backend, which is faster on a CPU. Keras' PyTorch backend runs one batch per call
# only (it refuses a larger value), so there the chapter uses 1.


# %%
STEPS_PER_EXECUTION = 1 if backend() == "torch" else 32


def build_model(hidden_units=128, hidden_layers=2):
    """Chapter 2's regression MLP, with the normaliser adapted to the training set."""
    normalizer = keras.layers.Normalization(name="normalizer")
    normalizer.adapt(data.X_train)
    hidden = [
        keras.layers.Dense(hidden_units, activation="relu", name=f"hidden_{i + 1}")
        for i in range(hidden_layers)
    ]
    output = keras.layers.Dense(1, name="price")
    return keras.Sequential(
        [keras.Input(shape=(8,)), normalizer, *hidden, output], name="housing_mlp"
    )


def compile_model(model, learning_rate=2e-3):
    """MSE loss, Adam, and the RMSE (in $100,000) as a metric named "rmse"."""
    model.compile(
        loss="mse",
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        metrics=[keras.metrics.RootMeanSquaredError(name="rmse")],
        steps_per_execution=STEPS_PER_EXECUTION,  # 32 (1 on PyTorch): faster on a CPU
    )
    return model


# %% [markdown]
# Ten epochs are enough for the saving experiments; section 10 trains the same model
# properly, with callbacks.

# %%
set_seeds(42)
model = compile_model(build_model())
history = model.fit(
    data.X_train,
    data.y_train,
    epochs=10,
    batch_size=32,
    validation_data=(data.X_valid, data.y_valid),
    verbose=0,
)
print(f"after {len(history.epoch)} epochs: validation RMSE {history.history['val_rmse'][-1]:.3f}")

# %% [markdown]
# ## 2. The native `.keras` format
#
# {{Saving a model}} takes one call, `model.save(path)`, and {{loading it back}} another, `keras.models.load_model(path)`. The suffix picks the
# format: `.keras` is Keras 3's native format and the one to use.

# %%
keras_path = RUN_DIR / "housing_mlp.keras"
model.save(keras_path)
reloaded = keras.models.load_model(keras_path)

original_predictions = model.predict(data.X_test, verbose=0)
reloaded_predictions = reloaded.predict(data.X_test, verbose=0)
keras_round_trip_gap = np.abs(reloaded_predictions - original_predictions).max()
print(f"{keras_path.name}: {keras_path.stat().st_size / 1024:.0f} KiB")
print(
    "identical predictions on the test set:",
    np.array_equal(reloaded_predictions, original_predictions),
)
print(f"largest difference: {keras_round_trip_gap:g}")

# %% [markdown]
# The reloaded model is a new object, rebuilt from the file alone, and its predictions
# for every test district are identical to the original's to the last bit: a largest
# difference of exactly 0 (checked at the end of the chapter). That is what a round trip should give on the same machine, because the
# same weights go through the same operations. (Across machines, for example a CPU and
# a GPU, the same model can differ in the last digits; that is the hardware, not the
# file.)
#
# We will compare many pairs of models, so here is the same check as a small function:


# %%
def prediction_gap(model_a, model_b, X=data.X_test):
    """Largest absolute difference between two models' predictions (0.0: identical)."""
    return float(np.abs(model_a.predict(X, verbose=0) - model_b.predict(X, verbose=0)).max())


# %% [markdown]
# ### What the file holds
#
# A `.keras` file is a zip archive. Inside are the model's configuration (its
# architecture, layer by layer, as JSON), a little metadata, and all the weights in
# one HDF5 file:

# %%
with zipfile.ZipFile(keras_path) as archive:
    print("files in the archive:", archive.namelist())
    config = json.loads(archive.read("config.json"))
    metadata = json.loads(archive.read("metadata.json"))

print("written by Keras", metadata["keras_version"])
print("\nlayers:")
for layer in config["config"]["layers"]:
    print(f"  {layer['class_name']:<14} {layer['config']['name']}")
compile_config = config["compile_config"]
optimizer = compile_config["optimizer"]
print(f"\ncompiled with: loss {compile_config['loss']!r}", end=", ")
print(
    f"optimizer {optimizer['class_name']}, learning rate {optimizer['config']['learning_rate']:g}"
)

# %% [markdown]
# So the file holds everything `fit` needs to carry on:
#
# - the **architecture**: every layer with its settings, so no Python code is needed
#   to rebuild the model;
# - the {{weights}} of every layer, including the non-trainable ones: the mean
#   and variance the `Normalization` layer learned are in there, so the reloaded model
#   standardises its inputs exactly as the original did;
# - the **compile state**: loss, metrics, and the optimizer with its settings *and its
#   variables*, such as its step counter and Adam's running averages of the gradients.
#
# The reloaded model is compiled and ready to train. Its optimizer has counted the same
# number of steps, one per batch of 32 over 10 epochs:

# %%
batches_per_epoch = int(np.ceil(len(data.X_train) / 32))
print(f"10 epochs x {batches_per_epoch} batches = {10 * batches_per_epoch} steps expected")
for name, m in [("original", model), ("reloaded", reloaded)]:
    steps = int(m.optimizer.iterations)
    learning_rate = float(m.optimizer.learning_rate)
    print(f"{name:>8}: {steps} optimizer steps so far, learning rate {learning_rate:g}")
reloaded_steps = int(reloaded.optimizer.iterations)

# %% [markdown]
# ## 3. Weights only
#
# Sometimes you only want the numbers: to load them into a model that your own code
# builds, or to keep files small. `model.save_weights(path)` writes the weights alone
# and `model.load_weights(path)` reads them back. In Keras 3 the file name **must**
# end in `.weights.h5` (the weights are stored in HDF5, hence `.h5`); any other suffix
# is refused. (There is one exception, for very large models, at the end of this
# section.)


# %%
def short_message(error):
    """An error message, wrapped, without the weight values Keras appends to some of them."""
    text = " ".join(str(error).split()).split(" Target variable:")[0]
    return textwrap.fill(text, width=100)


try:
    model.save_weights(RUN_DIR / "housing_mlp.h5")
except ValueError as error:
    print(short_message(error))

# %%
weights_path = RUN_DIR / "housing_mlp.weights.h5"
model.save_weights(weights_path)

rebuilt = build_model()  # the same architecture, built by our own code
rebuilt.load_weights(weights_path)
weights_round_trip_gap = prediction_gap(rebuilt, model)
print(f"{weights_path.name}: {weights_path.stat().st_size / 1024:.0f} KiB")
print(f"largest difference between the predictions: {weights_round_trip_gap:g}")

# %% [markdown]
# Identical again. The weights file has no architecture in it, so the model that
# receives the weights must be built by code, and it must have **the same
# architecture**: Keras matches the stored arrays to the new model's layers by their
# order and type (not by the names you gave them), and every array must fit its
# variable's shape. Try to load these weights into a model with 64 units per hidden
# layer instead of 128, and Keras refuses with a clear message:

# %%
wider = build_model(hidden_units=64)
try:
    wider.load_weights(weights_path)
except ValueError as error:
    shape_message = short_message(error)
    print(shape_message)
# Does the message name both shapes, the file's and the new model's? (1: yes) PyTorch
# writes a shape as torch.Size([8, 128]), and the message may wrap inside one.
flat_message = " ".join(shape_message.split())
shape_message_names_both = int("8, 128" in flat_message and "8, 64" in flat_message)

# %% [markdown]
# The message names the layer and both shapes: the file has a kernel of shape
# (8, 128) where the new model expects (8, 64). Keras can only check shapes, though. A
# model whose shapes all match but that computes something else (say, `tanh` instead
# of ReLU) loads the weights without complaint and then predicts nonsense. Keeping the
# building code next to the weights file, as `build_model` is here, is your
# responsibility; with a `.keras` file it is not.
#
# ### Sharded weights: `.weights.json`
#
# A single weights file can be too big for some file systems or download services. Since
# Keras 3.10, `save_weights(path, max_shard_size=...)` splits the weights into several
# files of at most `max_shard_size` gigabytes each: numbered `.weights.h5` **shards**, plus
# a small index whose name must end in `.weights.json` and which `load_weights` reads.
# Our model is tiny, so we ask for shards of 0.0001 GB (about 100 KiB) to see it happen:

# %%
sharded_dir = RUN_DIR / "sharded"
sharded_dir.mkdir()
model.save_weights(sharded_dir / "housing_mlp.weights.json", max_shard_size=0.0001)
sharded_files = sorted(path.name for path in sharded_dir.iterdir())
print("files written:", sharded_files)
from_shards = build_model()
from_shards.load_weights(sharded_dir / "housing_mlp.weights.json")
sharded_round_trip_gap = prediction_gap(from_shards, model)
shard_count = sum(name.endswith(".weights.h5") for name in sharded_files)
print(
    f"{shard_count} shards; largest difference between the predictions: {sharded_round_trip_gap:g}"
)

# %%
try:  # the same name without max_shard_size
    model.save_weights(sharded_dir / "unsharded.weights.json")
    json_name_refused = 0
except ValueError as error:
    json_name_refused = 1
    print(short_message(error))

# %% [markdown]
# Without `max_shard_size`, a `.weights.json` name is refused like any other that does
# not end in `.weights.h5`. For the models of this course one file is the right choice.
#
# ## 4. Resuming training: why the optimizer's state matters
#
# To continue training tomorrow, the weights are not quite enough. Adam keeps running
# averages of past gradients for every weight, and a step counter; a freshly compiled
# optimizer starts without them, so its first steps differ from the ones the original
# would have taken. (A weights file even stores the optimizer's variables, but a
# freshly compiled optimizer has not created its own yet, so Keras cannot put them
# back.)
#
# Let's train three models for one more epoch, each time with the same seed so the
# batches come in the same order: the original, the copy loaded from the `.keras` file,
# and the copy rebuilt from the weights file and compiled afresh.
#
# One detail keeps that order the same on every backend. A model that was just loaded
# or compiled has not built its loss and metrics yet. On JAX and PyTorch, its first
# `fit` then reads one batch to build them and starts the epoch again, and starting
# again draws a new shuffling order from the random generator: the copy would see the
# batches in another order than the original, and take other steps. (On TensorFlow,
# Keras builds them while it compiles the training step, without reading any data.)
# So each model is evaluated first, which builds them and draws nothing, and we print
# its validation RMSE before and after the epoch.

# %%
compile_model(rebuilt)  # a new Adam: step counter at 0, no gradient averages
for name, m in [("original", model), (".keras copy", reloaded), ("weights + new Adam", rebuilt)]:
    rmse_before = m.evaluate(data.X_valid, data.y_valid, verbose=0, return_dict=True)["rmse"]
    steps_before = int(m.optimizer.iterations)
    set_seeds(7)
    m.fit(data.X_train, data.y_train, epochs=1, batch_size=32, verbose=0)
    steps_after = int(m.optimizer.iterations)
    rmse_after = m.evaluate(data.X_valid, data.y_valid, verbose=0, return_dict=True)["rmse"]
    print(
        f"{name:>18}: steps {steps_before:>4} -> {steps_after},",
        f"validation RMSE {rmse_before:.4f} -> {rmse_after:.4f}",
    )

resumed_keras_gap = prediction_gap(reloaded, model)
resumed_weights_gap = prediction_gap(rebuilt, model)
print("\nafter one more epoch, largest difference from the original:")
print(f"  model loaded from the .keras file:  {resumed_keras_gap:g}")
print(f"  weights file + new optimizer:       {resumed_weights_gap:.3g}")

# %% [markdown]
# The model restored from the `.keras` file took exactly the steps the original took:
# it is as if training had never been interrupted. The weights-only copy took other
# steps: after a single epoch its predictions differ from the original's (the
# difference above is in $100,000, for the test district where they differ most). A
# fresh Adam starts its running averages from zero, and its
# first updates are then about one learning rate in size for every weight, whatever
# the gradient; the original Adam had learned which weights need smaller steps. The
# rule: to **resume** training, save the whole model.
#
# ## 5. Exporting for serving
#
# Using a model to make predictions is called {{inference}}, and answering
# prediction requests from other programs is {{serving}}. A server, a phone
# app or a program in another language should not need Python or your Keras code.
# For them, `model.export(path)` writes a TensorFlow **SavedModel**: a folder with the
# computation as a TensorFlow graph plus the weights, which TensorFlow Serving and
# TensorFlow's other tools read directly.
#
# A SavedModel needs TensorFlow installed, whatever the backend. On TensorFlow, Keras
# saves the model's own graph; on JAX, it converts the JAX computation into a
# TensorFlow graph (with `jax2tf`). On PyTorch it would need the `torch_xla` package,
# which this course does not install, so there we use PyTorch's own format instead:
# `model.export("name.pt2", format="torch")` writes a PyTorch **`ExportedProgram`**,
# the computation and the weights in one file, which `torch.export.load` reads without
# your Keras code. `dynamic_shapes` says that the first dimension, the batch, may be
# any size (without it, the program would accept batches of exactly one row).
#
# `export` writes into the folder even if it exists already, and it does not empty it
# first: files from an older export that this one does not overwrite would stay. Our
# run folder starts empty, so that cannot happen here; in your own projects, export
# each version into a new folder (TensorFlow Serving expects numbered version
# folders, such as `housing/1/`, `housing/2/`).

# %%
if backend() == "torch":
    import torch

    export_path = RUN_DIR / "housing_mlp.pt2"
    batch = torch.export.Dim("batch")  # any number of rows
    model.export(export_path, format="torch", verbose=False, dynamic_shapes={0: batch})
    print(f"{export_path.name}: {export_path.stat().st_size / 1024:.0f} KiB")
else:
    export_dir = RUN_DIR / "housing_mlp_export"
    model.export(export_dir, verbose=False)
    print("the export folder holds:", sorted(path.name for path in export_dir.iterdir()))

# %% [markdown]
# A SavedModel offers named **endpoints**; `serving_default` is the one servers call.
# It returns a dictionary of named outputs, here a single `output_0`. In Keras 3,
# `keras.layers.TFSMLayer` wraps an exported SavedModel as a layer you can call for
# inference, on the TensorFlow backend only. On any backend, TensorFlow's
# `tf.saved_model.load` reads the SavedModel back, and its `signatures` hold the
# endpoints: that is what the cell does on JAX (where loading also warns that the
# graph's gradients were not saved, which does not matter for predictions, so we hide
# that warning). On PyTorch, `torch.export.load` reads the program back, and its
# `module()` is a function of PyTorch tensors.

# %%
if backend() == "tensorflow":
    served = keras.layers.TFSMLayer(export_dir, call_endpoint="serving_default")
    outputs = served(data.X_test)
    served_predictions = keras.ops.convert_to_numpy(outputs["output_0"])
elif backend() == "jax":
    import tensorflow as tf

    def not_about_gradients(record):  # hides only the warning about unsaved gradients
        return "unsaved custom gradients" not in record.getMessage()

    logging.getLogger("absl").addFilter(not_about_gradients)
    served = tf.saved_model.load(str(export_dir)).signatures["serving_default"]
    outputs = served(tf.constant(data.X_test))
    served_predictions = outputs["output_0"].numpy()
else:
    served = torch.export.load(export_path).module()
    outputs = served(torch.from_numpy(data.X_test))
    served_predictions = outputs.detach().numpy()
returned = f"a dict with the keys {list(outputs)}" if isinstance(outputs, dict) else "a tensor"
print("the export returns", returned)
export_round_trip_gap = float(
    np.abs(served_predictions - model.predict(data.X_test, verbose=0)).max()
)
print(f"largest difference from the Keras model: {export_round_trip_gap:g}")

# %% [markdown]
# The export is run by TensorFlow (or PyTorch), not by Keras, and it processed all the
# test rows in one batch while `predict` used batches of 32. The two runtimes may round
# differently in the last digits. On the CPUs this course was tested on, the
# TensorFlow and PyTorch exports did not; on JAX, where TensorFlow runs the JAX
# computation with its XLA compiler, they differed by about $10^{-6}$: one or two units
# in the last digit of a float32 price near 5. So for this round trip we allow a
# difference of up to $10^{-6}$ (a millionth of $100,000, ten cents), and $10^{-5}$ on
# JAX.
#
# What you cannot do with an export is pick training up where it stopped: it has no
# Keras model, no optimizer and no loss. Keep the `.keras` file for that; the export
# is the delivery format.
#
# ## 6. What became of Keras 2's `.h5` files
#
# Older tutorials, including many written for Keras 2, save models with
# `model.save("my_model.h5")`, and save SavedModels with `model.save("my_model")`. In
# Keras 3 the first still works but writes a **legacy** HDF5 format, with a warning;
# the second is an error that points to `export`:

# %%
legacy_path = RUN_DIR / "housing_mlp_legacy.h5"
model.save(legacy_path)  # Keras 2 style: still works, with a warning

try:
    model.save(RUN_DIR / "housing_mlp_savedmodel")
except ValueError as error:
    print(short_message(error))

# %% [markdown]
# Old `.h5` files can still be read with `load_model`. The legacy format does not
# always store the compile state in a form Keras 3 can rebuild: with the Keras versions
# this course uses (3.13 to 3.15), our model's loss, given as the string `"mse"`, trips
# it up (the check at the end of the chapter fails if a later Keras loads it).
# `compile=False` loads the architecture and the weights without it, which is all you
# need to predict (and you can call `compile` yourself, then save as `.keras`).

# %%
try:
    keras.models.load_model(legacy_path)
    legacy_compile_failed = 0
    print("loaded with its compile state")
except ValueError as error:
    legacy_compile_failed = 1
    print("loading the compile state failed:", short_message(error))

legacy_model = keras.models.load_model(legacy_path, compile=False)
legacy_round_trip_gap = prediction_gap(legacy_model, model)
print(f"loaded with compile=False; largest difference from the original: {legacy_round_trip_gap:g}")

# %% [markdown]
# ### A legacy save changes the model it saves
#
# One more reason to drop the `.h5` habit. In Keras 3 (seen on 3.13 and 3.15), the legacy
# saver takes the optimizer out of the model's own compile settings while it writes the
# file. The model goes on training with its optimizer as before, but every `.keras` file
# it is saved to afterwards lacks the optimizer: `load_model` then compiles the copy
# with the default optimizer, RMSprop, at 0 steps. Our `model` was just saved as `.h5`,
# so let's see it:

# %%
after_legacy_path = RUN_DIR / "housing_mlp_after_h5.keras"
model.save(after_legacy_path)
after_legacy = keras.models.load_model(after_legacy_path)
after_legacy_steps = int(after_legacy.optimizer.iterations)
print(f"model: {type(model.optimizer).__name__}, {int(model.optimizer.iterations)} steps")
print(f"copy saved after the .h5 file: {type(after_legacy.optimizer).__name__}, ", end="")
print(f"{after_legacy_steps} steps")

# %% [markdown]
# Keras only warns while loading ("Skipping variable loading for optimizer ..."), and
# a resumed run from that copy would start its optimizer from scratch. The way out
# keeps the optimizer and its state: compile the model again with its own
# optimizer object (not a new one), which writes the optimizer back into its compile
# settings, then save again.

# %%
model.compile(
    loss="mse",
    optimizer=model.optimizer,  # the same object: its step counter and averages stay
    metrics=[keras.metrics.RootMeanSquaredError(name="rmse")],
    steps_per_execution=STEPS_PER_EXECUTION,
)
model.save(after_legacy_path)
repaired = keras.models.load_model(after_legacy_path)
repaired_steps = int(repaired.optimizer.iterations)
print(f"saved again: {type(repaired.optimizer).__name__}, {repaired_steps} steps")

# %% [markdown]
# So `.h5` still turns up in these places:
#
# | you see | what it is | what to do |
# |---|---|---|
# | `name.weights.h5` | Keras 3's weights-only file (section 3) | nothing: this is current |
# | `name.weights.json` with `name_00000.weights.h5`, ... | sharded weights (Keras 3.10 and later, `max_shard_size`) | load the `.weights.json` file |
# | `model.weights.h5` inside a `.keras` file | the weights part of the native format | nothing |
# | `name.h5` from `model.save` or `ModelCheckpoint("best.h5")` | Keras 2's whole-model format, now legacy | load old files with `load_model` (add `compile=False` if compiling fails), save new ones as `.keras`, from a model never saved as `.h5` (or compiled again as above) |
#
# ## 7. Loading a file is a trust decision
#
# Turning a model into a file is called {{serialization}}, and rebuilding it
# from the file {{deserialization}}. A model file describes layers by name
# and settings, and Keras rebuilds them with its own code: that part is safe. One
# layer breaks the rule. A `Lambda` layer wraps any Python function, and to save it
# Keras stores the function's compiled **bytecode** in the file. Loading such a file
# means running code that somebody else wrote, with your rights: it could read your
# files, send them somewhere, or install anything.
#
# That is why `load_model` has `safe_mode=True` as its default: it refuses to rebuild
# a Python `lambda` from a file. Let's see it on our own model with a `Lambda` layer
# on top that converts its output to dollars.

# %%
to_dollars = keras.layers.Lambda(lambda price: price * 100_000, name="to_dollars")
dollar_model = keras.Sequential(
    [keras.Input(shape=(8,)), *model.layers, to_dollars],  # model's layers, shared
    name="housing_mlp_in_dollars",
)
lambda_path = RUN_DIR / "housing_mlp_in_dollars.keras"
dollar_model.save(lambda_path)

try:
    keras.models.load_model(lambda_path)
except ValueError as error:
    print(short_message(error))

# %% [markdown]
# The message says exactly what happened and how to override it. Here is what the file
# stores for that layer: not readable Python, but base64-encoded bytecode (which also
# ties the file to the Python version that wrote it).

# %%
with zipfile.ZipFile(lambda_path) as archive:
    lambda_layer = json.loads(archive.read("config.json"))["config"]["layers"][-1]
code = lambda_layer["config"]["function"]["config"]["code"]
name = lambda_layer["config"]["name"]
print(f"the {lambda_layer['class_name']} layer {name!r} stores {len(code)} characters of bytecode:")
print(code[:60].strip(), "...")

# %% [markdown]
# This file is ours, written a cell ago, so we may pass `safe_mode=False`:

# %%
trusted_copy = keras.models.load_model(lambda_path, safe_mode=False)
lambda_round_trip_gap = prediction_gap(trusted_copy, dollar_model)
print(f"largest difference between the two dollar models: {lambda_round_trip_gap:g} dollars")

# %% [markdown]
# The rules that follow:
#
# - keep `safe_mode=True` (the default) for every file you did not write yourself, and
#   never call `keras.config.enable_unsafe_deserialization()`, which switches the check
#   off for every later load;
# - if a file needs `safe_mode=False`, ask for the code that defines the model instead,
#   read it, build the model from it and load the weights;
# - in your own models, prefer a small custom layer class to a `Lambda` (chapter 5):
#   the file then stores only the class's name and settings, and the code comes from
#   your source files, where anyone can read it.
#
# ## 8. Callbacks: hooks into the training loop
#
# Now the second half of the chapter. A callback, met in chapter 2 with early stopping,
# is an object you pass to `fit(..., callbacks=[...])`; Keras calls its methods, the **hooks**, at fixed moments
# of training, and hands them a dictionary `logs` of the current metrics. To see them
# all, here is a callback that only writes down each hook it receives.


# %%
class HookRecorder(keras.callbacks.Callback):
    """Write down every training hook Keras calls: its name, argument and log names."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def _record(self, hook, logs, argument=""):
        self.calls.append((hook, argument, sorted(logs or {})))

    def on_train_begin(self, logs=None):
        self._record("on_train_begin", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._record("on_epoch_begin", logs, f"epoch={epoch}")

    def on_train_batch_begin(self, batch, logs=None):
        self._record("on_train_batch_begin", logs, f"batch={batch}")

    def on_train_batch_end(self, batch, logs=None):
        self._record("on_train_batch_end", logs, f"batch={batch}")

    def on_test_begin(self, logs=None):
        self._record("on_test_begin", logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._record("on_test_batch_begin", logs, f"batch={batch}")

    def on_test_batch_end(self, batch, logs=None):
        self._record("on_test_batch_end", logs, f"batch={batch}")

    def on_test_end(self, logs=None):
        self._record("on_test_end", logs)

    def on_epoch_end(self, epoch, logs=None):
        self._record("on_epoch_end", logs, f"epoch={epoch}")

    def on_train_end(self, logs=None):
        self._record("on_train_end", logs)


NESTING = {"train": 0, "epoch": 1, "train_batch": 2, "test": 2, "test_batch": 3}


def print_trace(calls):
    """One line per hook, indented by how deep inside training it fires."""
    for hook, argument, log_names in calls:
        level = NESTING[hook.removeprefix("on_").rsplit("_", 1)[0]]
        call = f"{'    ' * level}{hook}({argument})"
        logs = f"logs: {', '.join(log_names)}" if log_names else ""
        print(f"{call:<42}{logs}".rstrip())


# %% [markdown]
# A tiny run makes the trace short: 24 training rows in batches of 8 give 3 batches per
# epoch, 2 epochs, and 8 validation rows (one batch) checked after each epoch.

# %%
set_seeds(42)
tiny_model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
tiny_model.compile(
    loss="mse", optimizer="adam", metrics=[keras.metrics.RootMeanSquaredError(name="rmse")]
)


def record_hooks(model: keras.Model) -> list:
    """Train on 24 examples for 2 epochs and return the hooks it received, in order."""
    recorder = HookRecorder()
    model.fit(
        data.X_train[:24],
        data.y_train[:24],
        batch_size=8,
        epochs=2,
        validation_data=(data.X_valid[:8], data.y_valid[:8]),
        callbacks=[recorder],
        verbose=0,
    )
    return recorder.calls


hook_calls = record_hooks(tiny_model)

# %% tags=["nbval-check-output"]
print_trace(hook_calls)
batch_end_calls_one_step = sum(hook == "on_train_batch_end" for hook, _, _ in hook_calls)

# %% [markdown]
# Read it from the top:
#
# - `on_train_begin` and `on_train_end` frame the whole run; `on_epoch_begin` and
#   `on_epoch_end` frame each epoch, and epochs and batches are numbered from 0;
# - within an epoch, each training batch gets a `begin` and an `end` hook; the `logs`
#   at a batch's end hold the loss and metrics averaged over the epoch so far;
# - validation is a **test** loop run inside the epoch, after its last training batch,
#   with hooks of its own;
# - `on_epoch_end` is the one hook whose `logs` hold both the training metrics and
#   the validation ones (prefixed `val_`): it is where most callbacks do their work.
#
# One surprise is worth knowing. With `steps_per_execution`, which this course uses to
# speed up training, Keras runs several batches in one call into the backend, and the
# batch hooks fire once per call, not once per batch. The same run with
# `steps_per_execution=3` (on TensorFlow and JAX: Keras' PyTorch backend refuses a
# value above 1, so there the cell only says so):

# %%
if runs_here("steps_per_execution"):
    set_seeds(42)
    tiny_model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
    tiny_model.compile(
        loss="mse",
        optimizer="adam",
        metrics=[keras.metrics.RootMeanSquaredError(name="rmse")],
        steps_per_execution=3,
    )
    hook_calls = record_hooks(tiny_model)
    print_trace(hook_calls)
    batch_end_calls_three_steps = sum(hook == "on_train_batch_end" for hook, _, _ in hook_calls)

# %% [markdown]
# Each epoch now has a single `on_train_batch_begin(batch=0)` and a single
# `on_train_batch_end(batch=2)`: the three batches ran as one block. Epoch hooks are
# unaffected, so a callback that works per epoch behaves the same either way.
#
# ## 9. A callback of your own
#
# Writing a callback means subclassing `keras.callbacks.Callback` and overriding the
# hooks you need; inside them, `self.model` is the model being trained. This one
# watches overfitting: after every epoch it computes the ratio of the validation loss
# to the training loss, keeps it, and prints it every few epochs. A ratio that climbs
# well above 1 means the model keeps improving on its training data but not on new
# data.


# %%
class LossRatioMonitor(keras.callbacks.Callback):
    """Keep val_loss / loss after every epoch, and print it every `every` epochs."""

    def __init__(self, every=10):
        super().__init__()
        self.every = every
        self.ratios = []

    def on_epoch_end(self, epoch, logs=None):
        ratio = logs["val_loss"] / logs["loss"]
        self.ratios.append(ratio)
        if (epoch + 1) % self.every == 0:
            print(f"epoch {epoch + 1:3d}: validation loss / training loss = {ratio:.3f}")

    def on_train_end(self, logs=None):
        last = len(self.ratios)
        print(f"training ended after epoch {last}: ratio {self.ratios[-1]:.3f}")


# %% [markdown]
# ## 10. Training with Keras' own callbacks
#
# Keras ships callbacks for the common jobs. We use four of them, plus our monitor:
#
# - **`ModelCheckpoint`** saves a {{checkpoint}} during training. With
#   `save_best_only=True` and `monitor="val_loss"` it writes the model only when the
#   validation loss beats its best so far, so the file always holds the best model of
#   this run. Its path ends in `.keras`: a whole model, ready to load.
# - **`EarlyStopping`** implements {{early stopping}}: it stops training
#   once `val_loss` has not improved for `patience` epochs in a row, and with
#   `restore_best_weights=True` it then puts the weights of the best epoch back into
#   the model. So we can ask for many epochs and let it decide when to stop.
# - **`ReduceLROnPlateau`** halves the {{learning rate}} (`factor=0.5`)
#   whenever `val_loss` has not improved for 4 epochs. Its `patience` is shorter than
#   early stopping's, so a smaller learning rate gets a chance before training stops.
#   It also writes the learning rate of each epoch into the logs, as `learning_rate`.
# - **`CSVLogger`** appends one line per epoch, with all the logs, to a CSV file.
#
# Callbacks run in the order of the list, and each sees the `logs` as the ones before
# it left them. `CSVLogger` comes after `ReduceLROnPlateau`, so the learning rate is in
# the file.
#
# Re-running this cell is safe, too: a new `ModelCheckpoint` starts with no best value,
# so its first epoch always overwrites the file, and `CSVLogger` starts a new file
# unless you pass `append=True`.

# %%
checkpoint_path = RUN_DIR / "best_checkpoint.keras"
csv_path = RUN_DIR / "training_log.csv"
MAX_EPOCHS = 100

checkpoint = keras.callbacks.ModelCheckpoint(
    checkpoint_path, monitor="val_loss", save_best_only=True
)
early_stopping = keras.callbacks.EarlyStopping(
    monitor="val_loss", patience=10, restore_best_weights=True
)
reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=4)
csv_logger = keras.callbacks.CSVLogger(csv_path)
ratio_monitor = LossRatioMonitor(every=10)

set_seeds(42)
final_model = compile_model(build_model())
history = final_model.fit(
    data.X_train,
    data.y_train,
    epochs=MAX_EPOCHS,
    batch_size=32,
    validation_data=(data.X_valid, data.y_valid),
    callbacks=[checkpoint, early_stopping, reduce_lr, csv_logger, ratio_monitor],
    verbose=0,
)

# %% [markdown]
# What did early stopping decide? `history.epoch` lists the epochs that ran, and the
# callback keeps the best validation loss and the epoch that reached it (numbered from
# 0, like all of Keras' epochs, so we add 1).

# %%
epochs_trained = len(history.epoch)
best_epoch = early_stopping.best_epoch + 1
final_loss_ratio = ratio_monitor.ratios[-1]
print(f"trained {epochs_trained} of at most {MAX_EPOCHS} epochs")
best_val_loss = early_stopping.best
print(f"best epoch: {best_epoch}, validation MSE {best_val_loss:.4f}", end=", ")
print(f"RMSE {np.sqrt(best_val_loss):.4f}")
if early_stopping.stopped_epoch > 0:
    print(f"then {epochs_trained - best_epoch} epochs without improvement: early stopping")
else:
    print("early stopping did not trigger: training ran to the epoch limit")

learning_rates = history.history["learning_rate"]
print("\nlearning rate per epoch (where it changed):")
for epoch, rate in enumerate(learning_rates, start=1):
    if epoch == 1 or rate != learning_rates[epoch - 2]:
        print(f"  from epoch {epoch:3d}: {rate:.2e}")

# %%
fig, (ax_rmse, ax_lr) = plt.subplots(1, 2, figsize=(12, 4))
plot_learning_curves(history, ["rmse"], ax=ax_rmse, title="RMSE per epoch")
ax_rmse.axvline(best_epoch, color="gray", linestyle=":", label=f"best epoch ({best_epoch})")
ax_rmse.set(ylabel="RMSE ($100,000)", ylim=(0.4, 0.8))
ax_rmse.legend()
epochs = np.arange(1, epochs_trained + 1)
ax_lr.step(epochs, learning_rates, where="post")
ax_lr.set(
    title="Learning rate set by ReduceLROnPlateau",
    xlabel="epoch",
    ylabel="learning rate",
    yscale="log",
)
ax_lr.grid(True, alpha=0.3)
fig.suptitle("Training with ModelCheckpoint, EarlyStopping and ReduceLROnPlateau")
fig.tight_layout()
save_fig("training_with_callbacks", CHAPTER, fig=fig)
plt.show()

# %% [markdown]
# Each time the validation loss went 4 epochs without a new best, the learning rate was
# halved. Once even smaller steps stopped helping, early stopping ended the run 10
# epochs after the best one (the `patience`), and put the weights of the best epoch
# back; with another seed the run may also reach the 100-epoch limit first, and the
# cell above says which happened. Meanwhile our `LossRatioMonitor` showed the
# validation loss ending well above the training loss (a ratio of about 1.25 to 1.5,
# depending on the seed and the backend, checked at the end of the chapter): the
# training loss went on falling while the
# validation loss stood still, the start of overfitting that early stopping guards
# against.
#
# ### The checkpoint holds the same best model
#
# The checkpoint file was last written at the best epoch, the very epoch whose
# weights early stopping restored. Loading it must therefore give a model that
# predicts exactly like `final_model`:

# %%
best_from_disk = keras.models.load_model(checkpoint_path)
checkpoint_gap = prediction_gap(best_from_disk, final_model)
print(f"largest difference between the checkpoint and the restored model: {checkpoint_gap:g}")

# %% [markdown]
# In a long training run the checkpoint is your insurance: if the kernel dies at epoch
# 80, the best model so far is on disk. (For long jobs that must resume after being
# killed, Keras also offers `BackupAndRestore`; and `TensorBoard` writes logs for
# {{TensorBoard}}, a dashboard of training curves.)
#
# ### Reading the CSV log back
#
# The CSV file has one row per epoch. pandas reads it back, and it holds the same
# numbers as the history (to about 16 significant digits: turning text back into
# floats may change the very last bit; the check at the end allows $10^{-12}$):

# %%
log = pd.read_csv(csv_path)
csv_vs_history = np.abs(log["val_loss"].to_numpy() - np.array(history.history["val_loss"])).max()
print(f"{csv_path.name}: {len(log)} rows, columns {list(log.columns)}")
print(f"largest difference from history.history['val_loss']: {csv_vs_history:.1g}")
log.tail().round({"loss": 4, "rmse": 4, "val_loss": 4, "val_rmse": 4})

# %% [markdown]
# A CSV log outlives the notebook: you can compare runs from different days, or plot a
# run that is still going, from another notebook.
#
# ### The test set, at last
#
# All decisions (when to stop, which epoch to keep, when to lower the learning rate)
# were made on the validation set, so the test set still gives an honest estimate:

# %%
test_metrics = final_model.evaluate(data.X_test, data.y_test, verbose=0, return_dict=True)
test_rmse = test_metrics["rmse"]
print(f"test RMSE: {test_rmse:.4f} (${test_rmse * 100_000:,.0f})")

# %% [markdown]
# ### A fixed schedule instead
#
# `ReduceLROnPlateau` reacts to the validation loss. If you would rather fix a
# {{learning rate schedule}} in advance, `LearningRateScheduler` calls
# your function at the start of every epoch with the epoch number and the current
# learning rate, and uses what it returns. This one starts at 0.002 and halves the
# rate every two epochs. We run it on 2,000 training rows only, since all we want to
# see is the learning rate:


# %%
def halve_every_two_epochs(epoch, learning_rate):
    return 2e-3 * 0.5 ** (epoch // 2)


set_seeds(42)
scheduled_model = compile_model(build_model())
scheduled_history = scheduled_model.fit(
    data.X_train[:2000],
    data.y_train[:2000],
    epochs=6,
    batch_size=32,
    callbacks=[keras.callbacks.LearningRateScheduler(halve_every_two_epochs)],
    verbose=0,
)
scheduled_rates = scheduled_history.history["learning_rate"]
print("learning rate per epoch:", [f"{rate:.2e}" for rate in scheduled_rates])
# The rates are stored as float32, so they match the function to about 1e-10.
schedule_gap = max(
    abs(rate - halve_every_two_epochs(epoch, None)) for epoch, rate in enumerate(scheduled_rates)
)

# %% [markdown]
# (Keras also has schedules that change the learning rate at every step rather than
# every epoch, such as `keras.optimizers.schedules.ExponentialDecay`; you pass one to
# the optimizer as its `learning_rate`, with no callback at all.)
#
# ## What you should have seen
#
# Each line below checks one result or claim of this chapter. The round trips must be
# exact (a largest difference of 0), except the export, which allows $10^{-6}$
# ($10^{-5}$ on JAX) as explained in section 5; the training results have bounds set
# from three seeds (the comments give the values). If one check fails, the cell stops
# with a message: re-run the notebook from the top.

# %%
# Test RMSE over seeds 42, 43, 44: 0.5102, 0.5078, 0.5103 (spread 0.0025); the ceiling
# is the worst of them plus the spread. (Early stopping ran 53, 100 and 74 epochs.) JAX:
# 0.5092, 0.5073, 0.5072 (65, 69, 51 epochs); PyTorch: 0.5079, 0.5133, 0.5116 (spread
# 0.0054; 43, 49, 58 epochs).
check_result(
    "test RMSE of the model trained with callbacks ($100,000)",
    test_rmse,
    at_most={"tensorflow": 0.513, "jax": 0.513, "torch": 0.519},
)
# val_loss / loss at the last epoch over seeds 42, 43, 44: 1.501, 1.395, 1.425 (spread
# 0.106); the floor is this run's seed-42 value minus the spread. JAX: 1.491, 1.332,
# 1.324 (spread 0.167); PyTorch: 1.252, 1.303, 1.266 (spread 0.051).
check_result(
    "final validation loss / training loss (overfitting shows)",
    final_loss_ratio,
    at_least={"tensorflow": 1.39, "jax": 1.32, "torch": 1.2},
)
if early_stopping.stopped_epoch > 0:  # exercise 2's rule: best epoch + patience
    check_result(
        "epochs run after the best one when early stopping ends training",
        epochs_trained - best_epoch,
        at_least=10,
        at_most=10,
    )
check_result(
    "optimizer steps stored in the .keras file",
    reloaded_steps,
    at_least=10 * batches_per_epoch,
    at_most=10 * batches_per_epoch,
)
check_result(
    "load_weights error names both kernel shapes (1: yes)", shape_message_names_both, at_least=1
)
check_result("sharded weights: number of .weights.h5 shards", shard_count, at_least=2)
check_result(
    "a .weights.json name without max_shard_size is refused (1: yes)", json_name_refused, at_least=1
)
check_result(
    "sharded weights round trip (largest prediction difference)",
    sharded_round_trip_gap,
    at_most=0.0,
)
check_result(
    "legacy .h5 file fails to load its compile state (1: yes)", legacy_compile_failed, at_least=1
)
check_result(".keras saved after a .h5 save: optimizer steps kept", after_legacy_steps, at_most=0)
check_result(
    "saved again after compiling with its own optimizer: steps kept",
    repaired_steps,
    at_least=int(model.optimizer.iterations),
    at_most=int(model.optimizer.iterations),
)
check_result(
    "on_train_batch_end calls, 2 epochs x 3 batches",
    batch_end_calls_one_step,
    at_least=6,
    at_most=6,
)
if backend() in RUNS_ON["steps_per_execution"]:  # the cell that measured it ran
    check_result(
        "... with steps_per_execution=3", batch_end_calls_three_steps, at_least=2, at_most=2
    )
check_result("CSV log vs history (largest val_loss difference)", csv_vs_history, at_most=1e-12)
check_result(
    "LearningRateScheduler vs its function (largest difference)", schedule_gap, at_most=1e-9
)
check_result(".keras round trip (largest prediction difference)", keras_round_trip_gap, at_most=0.0)
check_result(
    "weights-only round trip (largest prediction difference)", weights_round_trip_gap, at_most=0.0
)
check_result("resumed from .keras vs original after one epoch", resumed_keras_gap, at_most=0.0)
# The largest prediction difference over seeds 42, 43, 44: 4.41, 0.367, 0.722 ($100,000);
# the floor sits below the smallest of them.
check_result(
    "resumed from weights + new optimizer vs original (must differ)",
    resumed_weights_gap,
    at_least=0.3,
)
# The export rounds like Keras on TensorFlow and PyTorch (differences of 0); on JAX,
# seeds 42, 43, 44 gave 9.5e-7 each, two units in the last place of a float32 near 5
# (section 5).
check_result(
    "export round trip (largest prediction difference)",
    export_round_trip_gap,
    at_most={"tensorflow": 1e-6, "jax": 1e-5, "torch": 1e-6},
)
check_result(
    "legacy .h5 round trip (largest prediction difference)", legacy_round_trip_gap, at_most=0.0
)
check_result(
    "Lambda model loaded with safe_mode=False (difference, dollars)",
    lambda_round_trip_gap,
    at_most=0.0,
)
check_result("best checkpoint vs restored best weights", checkpoint_gap, at_most=0.0)

# %% [markdown]
# ## Recap
#
# - `model.save("name.keras")` stores the architecture, the weights and the compile
#   state with the optimizer's variables; `keras.models.load_model` rebuilds a model
#   that predicts identically and resumes training exactly where it stopped (on JAX and
#   PyTorch, evaluate it once first, so its first epoch draws the same shuffling).
# - `save_weights` / `load_weights` move the weights alone (the file name must end in
#   `.weights.h5`); the receiving model must be built by code with the same
#   architecture, and Keras only checks the shapes.
# - `model.export(folder)` writes a TensorFlow SavedModel for serving (on TensorFlow and
#   JAX, with TensorFlow installed); `keras.layers.TFSMLayer(folder,
#   call_endpoint="serving_default")` runs it on TensorFlow, `tf.saved_model.load` on
#   any backend. On PyTorch, `model.export("name.pt2", format="torch")` writes a
#   PyTorch program instead, read by `torch.export.load`. An export cannot resume
#   training.
# - For very large models, `save_weights("name.weights.json", max_shard_size=...)`
#   (Keras 3.10 and later) splits the weights into numbered `.weights.h5` shards.
# - Keras 2's `model.save("name.h5")` is a legacy format in Keras 3: old files still
#   load (with `compile=False` if needed), new files should be `.keras`. A `.h5` save
#   also drops the optimizer from the model's compile settings, so later `.keras` files
#   of that model lack it until you compile it again with its own optimizer.
# - Loading a file can run code: keep `safe_mode=True` for any file you did not make,
#   and avoid `Lambda` layers in models you share.
# - Callbacks are objects whose hooks `fit` calls at fixed moments; `on_epoch_end`
#   sees the training and validation metrics. `ModelCheckpoint`, `EarlyStopping`,
#   `ReduceLROnPlateau` (or `LearningRateScheduler`) and `CSVLogger` cover the usual
#   needs, and a subclass of `keras.callbacks.Callback` covers the rest.
# - Give every run a clean output folder, so no file from an earlier run is ever
#   mistaken for a new one.

# %% [markdown] tags=["exercises"]
# ## Exercises
#
# Answer each exercise in its cell, replacing the `...`, then run the check below it.
# A check tells you whether you are right, and if not, what is off; `.hint()` gives a
# nudge. The checks never stop the notebook, so you can come back to any exercise.
# Worked solutions are in `solutions/06_saving_and_callbacks.ipynb`.

# %%
# The imports and data the exercises use, so this section also runs on its own.
from shutil import rmtree

import keras
import numpy as np

from utils.backends import backend
from utils.exercises import ch06
from utils.paths import outputs_dir
from utils.quiet import hide_retracing_warnings
from utils.reproducibility import set_seeds
from utils.splits import california_housing_splits

# The exercises write their files into a folder of their own, emptied on every run.
EXERCISE_DIR = outputs_dir("06_saving_and_callbacks") / "exercises"
rmtree(EXERCISE_DIR, ignore_errors=True)
EXERCISE_DIR.mkdir()
data = california_housing_splits()
if backend() == "tensorflow":
    hide_retracing_warnings()  # the checks build several small models
STEPS_PER_EXECUTION = 1 if backend() == "torch" else 32  # PyTorch runs one batch per call

# %% [markdown]
# **Exercise 1.** You must stop training now and continue tomorrow, exactly where you
# left off, with nothing but one saved file: the code that built the model will be
# gone. Which call do you use? Answer `"a"`, `"b"` or `"c"`.
#
# - a) `model.save("run.keras")`
# - b) `model.save_weights("run.weights.h5")`
# - c) `model.export("run_export")`

# %%
answer_1 = ...  # STUB
# BEGIN SOLUTION
answer_1 = "a"  # architecture, weights and optimizer state, all in one file
# END SOLUTION
ch06.q1.check(answer_1)

# %% [markdown]
# **Exercise 2.** You train with `epochs=100` and
# `EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)`. The
# validation loss is lowest at epoch 23 (counting from 1) and never beats that value
# again. How many epochs run, and from which epoch are the weights the model ends
# with? Give a pair of numbers.

# %%
answer_2 = ...  # STUB
# BEGIN SOLUTION
answer_2 = (33, 23)  # epochs 24-33 bring no improvement; then the best weights come back
# END SOLUTION
ch06.q2.check(answer_2)

# %% [markdown]
# **Exercise 3.** A model is compiled with `steps_per_execution=10` and trained for 5
# epochs of 100 batches each. How many times, in total, is a callback's
# `on_train_batch_end` called?

# %%
answer_3 = ...  # STUB
# BEGIN SOLUTION
answer_3 = 5 * 100 // 10  # once per execution of 10 batches
# END SOLUTION
ch06.q3.check(answer_3)

# %% [markdown]
# **Exercise 4.** You download `model.keras` from a forum to try it, and
# `keras.models.load_model` refuses: it mentions a `Lambda` layer and `safe_mode`.
# What do you do? Answer `"a"`, `"b"` or `"c"`.
#
# - a) Load it with `safe_mode=False`.
# - b) Call `keras.config.enable_unsafe_deserialization()`, then load it.
# - c) Ask for the code that defines the model, read it, build the model from it and
#   load the weights into it.

# %%
answer_4 = ...  # STUB
# BEGIN SOLUTION
answer_4 = "c"
# END SOLUTION
ch06.q4.check(answer_4)

# %% [markdown]
# **Exercise 5 (coding).** Finish the callback `StopAtTargetRMSE(target)`: it must stop
# training at the end of the first epoch whose validation RMSE is at most `target`,
# and never earlier. The model it watches is compiled with
# `metrics=[keras.metrics.RootMeanSquaredError(name="rmse")]`, so at the end of an
# epoch `logs["val_rmse"]` holds the validation RMSE. To stop training, a callback sets
# `self.model.stop_training = True`. The check runs your class on small training runs
# with different targets and verifies that each stops at the right epoch.


# %%
class StopAtTargetRMSE(keras.callbacks.Callback):
    """Stop training once the validation RMSE is at most `target`."""

    def __init__(self, target):
        super().__init__()
        self.target = target

    def on_epoch_end(self, epoch, logs=None):
        raise NotImplementedError("compare logs['val_rmse'] with self.target")  # STUB
        # BEGIN SOLUTION
        if logs["val_rmse"] <= self.target:
            self.model.stop_training = True
        # END SOLUTION


ch06.q5.check(StopAtTargetRMSE)

# %% [markdown]
# Once your callback passes, try it on California housing: how many epochs does the
# model below need to reach a validation RMSE of 0.6?

# %%
# Train a model with callbacks=[StopAtTargetRMSE(0.6)] here.  # STUB
# BEGIN SOLUTION
set_seeds(42)
normalizer = keras.layers.Normalization()
normalizer.adapt(data.X_train)
target_model = keras.Sequential(
    [
        keras.Input(shape=(8,)),
        normalizer,
        keras.layers.Dense(50, activation="relu"),
        keras.layers.Dense(50, activation="relu"),
        keras.layers.Dense(1),
    ]
)
target_model.compile(
    loss="mse",
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    metrics=[keras.metrics.RootMeanSquaredError(name="rmse")],
    steps_per_execution=STEPS_PER_EXECUTION,
)
target_history = target_model.fit(
    data.X_train,
    data.y_train,
    epochs=50,
    validation_data=(data.X_valid, data.y_valid),
    callbacks=[StopAtTargetRMSE(0.6)],
    verbose=0,
)
reached = target_history.history["val_rmse"][-1]
print(f"stopped after {len(target_history.epoch)} epochs, validation RMSE {reached:.3f}")
# END SOLUTION

# %% [markdown]
# The next two exercises save and reload `small_model`, trained briefly below. Its
# architecture comes from `build_small_model()`.


# %%
def build_small_model():
    """A normaliser, one hidden layer of 30 ReLU units, and one output."""
    normalizer = keras.layers.Normalization()
    normalizer.adapt(data.X_train)
    return keras.Sequential(
        [
            keras.Input(shape=(8,)),
            normalizer,
            keras.layers.Dense(30, activation="relu"),
            keras.layers.Dense(1),
        ]
    )


set_seeds(42)
small_model = build_small_model()
small_model.compile(
    loss="mse",
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    steps_per_execution=STEPS_PER_EXECUTION,
)
small_model.fit(data.X_train, data.y_train, epochs=3, verbose=0)
print(f"small_model: {small_model.count_params()} parameters, trained 3 epochs")

# %% [markdown]
# **Exercise 6 (coding).** Save the weights of `small_model` (only the weights) into
# `EXERCISE_DIR`, build a new model with `build_small_model()`, load the weights into
# it, and call it `rebuilt_6`. The check compares the predictions of the two models on
# inputs neither has seen: they must be identical.

# %%
rebuilt_6 = ...  # STUB
# BEGIN SOLUTION
weights_path_6 = EXERCISE_DIR / "small_model.weights.h5"
small_model.save_weights(weights_path_6)
rebuilt_6 = build_small_model()
rebuilt_6.load_weights(weights_path_6)
# END SOLUTION
ch06.q6.check((small_model, rebuilt_6))

# %% [markdown]
# **Exercise 7 (coding).** Save the whole of `small_model` in the native format, in
# `EXERCISE_DIR`, and set `path_7` to the file's path. Then load the file back and
# print the largest difference between the two models' predictions on `data.X_test`.
# The check loads your file itself, compares its predictions with `small_model`'s,
# and makes sure the optimizer's state came along.

# %%
path_7 = ...  # STUB
# BEGIN SOLUTION
path_7 = EXERCISE_DIR / "small_model.keras"
small_model.save(path_7)
reloaded_7 = keras.models.load_model(path_7)
gap_7 = np.abs(
    reloaded_7.predict(data.X_test, verbose=0) - small_model.predict(data.X_test, verbose=0)
).max()
print(f"largest difference between the predictions: {gap_7:g}")
# END SOLUTION
ch06.q7.check((small_model, path_7))

# %% [markdown]
# See how far you have come:

# %%
ch06.progress()

# %% tags=["solution-only"]
# Every solution above must pass its check: this cell fails loudly if one does not.
ch06.assert_all_correct()

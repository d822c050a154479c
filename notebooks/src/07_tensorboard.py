# %% [markdown]
# So far we have read training through `History` objects and plotted the curves
# ourselves, after `fit` had finished. {{TensorBoard}} is TensorFlow's
# dashboard for the same job, and more: it draws the curves *while* training runs,
# puts several runs side by side, shows how the weights change, and displays anything
# else you choose to log, such as images of predictions or notes in text. This
# chapter logs Fashion-MNIST runs of chapter 3's deep MLP, compares three learning
# rates, and reads every log back, so the notebook shows its results even when
# TensorBoard is not open.
#
# **You will learn to**
#
# - give every training run a time-stamped log folder of its own, and know why;
# - use the `keras.callbacks.TensorBoard` callback: scalars per epoch and per batch,
#   weight histograms and the model's graph, on any Keras backend;
# - compare learning rates side by side, in TensorBoard and in a plot made from the
#   event files;
# - log your own scalars, histograms, images and text with `tf.summary`;
# - open TensorBoard in Jupyter, in Colab, from a terminal and on a remote machine,
#   and know what the profiler is for.
#
# **Time:** about 40 minutes to read; the last cell of the chapter prints how long the
# notebook took to run on your machine.

# %% [markdown]
# ## Setup
#
# The usual imports, plus `utils.tensorboard_logs`, a small module of the course with
# two jobs: making a new folder for each run, and reading the numbers in the log files
# back into Python. TensorBoard is TensorFlow's tool, and the event files are written
# with TensorFlow's `tf.summary` module, which works whatever the Keras backend (the
# setup cell prints which one), as long as TensorFlow is installed: this chapter needs
# it on JAX and PyTorch too. As in chapter 6, we quieten TensorFlow's Python logger,
# and on TensorFlow we hide its "retracing" warnings: section 3 builds several models
# in a row, which is expected to compile new graphs and says nothing about our code.

# %%
import io
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from utils.backends import backend
from utils.paths import PROJECT_ROOT, outputs_dir
from utils.plots import plot_image_grid, save_fig
from utils.quiet import hide_retracing_warnings
from utils.reproducibility import set_seeds
from utils.results import check_result
from utils.splits import FASHION_MNIST_CLASS_NAMES, fashion_mnist_splits
from utils.tensorboard_logs import clear_runs, list_runs, new_run_dir, read_scalars

CHAPTER = "07_tensorboard"
NOTEBOOK_START = time.perf_counter()
set_seeds(42)
tf.get_logger().setLevel("WARNING")
if backend() == "tensorflow":
    hide_retracing_warnings()

# %% [markdown]
# The data is chapter 3's Fashion-MNIST split, pixels scaled to [0, 1]. We train on
# the first 10,000 of the 55,000 training images to keep every run to a few seconds:
# this chapter is about watching training, not about the best score. The validation
# set is the full 5,000 held-out images.

# %% tags=["nbval-check-output"]
data = fashion_mnist_splits()
N_TRAIN = 10_000
X_train, y_train = data.X_train[:N_TRAIN], data.y_train[:N_TRAIN]
X_valid, y_valid = data.X_valid, data.y_valid
class_names = FASHION_MNIST_CLASS_NAMES
print("training:", X_train.shape, " validation:", X_valid.shape)
print("training images per class:", np.bincount(y_train))

# %% [markdown]
# ## 1. What TensorBoard reads: runs and event files
#
# TensorBoard never talks to your model. Training code writes {{event files}}, named `events.out.tfevents.<time>.<host>...`, and TensorBoard reads them.
# You point it at one folder, the {{log directory}}, and every
# sub-folder holding event files becomes a {{run}}: a line of its own in every
# chart, with its own colour and a check box.
#
# So the one rule to follow is: **one folder per run**. If two trainings write into
# the same folder, TensorBoard sees one run whose curve jumps back to the start and
# zig-zags over the same epochs twice. A time stamp in the folder's name makes every
# run's folder new, and adding the setting you vary (here the learning rate) makes the
# run list readable. This is all it takes:

# %%
LOG_ROOT = outputs_dir(CHAPTER) / "logs"
run_name = time.strftime("run_%Y_%m_%d-%H_%M_%S") + "_lr_0.001"  # the current local time
print("a run starting now, with a learning rate of 0.001, gets the folder", run_name)

# %% [markdown]
# The course's
# `new_run_dir(root, suffix)` does exactly this and creates the folder. If two runs
# start in the same second (two notebooks, or two processes of one search), the second
# gets a counter after the time stamp, `run_..._2_lr_0.001`, so the suffix stays at the
# end of the name and no run ever lands in another's folder.
#
# ### Starting from a clean log folder
#
# Because every run gets a new folder, re-running this notebook never overwrites
# anything: the runs of yesterday's session stay in `logs/` next to today's. That is
# what you want when you compare experiments over days. Here, though, section 3
# compares the three learning rates of *this* run of the notebook, and old runs with
# the same learning rates would show up as extra, look-alike lines in TensorBoard
# (and in our plot, which reads every run in the folder). So we clear the chapter's
# log folder first. `clear_runs` deletes the run folders in it (folders named `run_...`
# or holding event files) and leaves anything else alone. If the log folder is a
# {{symbolic link}}, for example to a folder on Google Drive, it deletes
# nothing and says so: the folder it points to may hold runs that are not this
# notebook's. To clear old runs yourself, delete their folders (in a terminal on Linux
# or macOS: `rm -rf outputs/07_tensorboard/logs/run_2026_11_*`; in Windows PowerShell:
# `Remove-Item -Recurse outputs\07_tensorboard\logs\run_2026_11_*`), then press
# TensorBoard's reload button.

# %% tags=["nbval-check-output"]
cleared = clear_runs(LOG_ROOT)  # delete every earlier run of this chapter
print("runs in", LOG_ROOT.relative_to(PROJECT_ROOT).as_posix(), "now:", len(list_runs(LOG_ROOT)))

# %% [markdown]
# ## 2. The `TensorBoard` callback
#
# The model is chapter 3's deep MLP: `Flatten`, two hidden `Dense` layers of 300 and
# 100 ReLU units and a softmax output, trained with Adam. A function builds and
# compiles a fresh copy for a given learning rate, because section 3 trains three.
# `steps_per_execution=10` runs 10 batches per call into the backend, as in chapter 3.
# Keras' PyTorch backend runs one batch per call only (it refuses a larger value), so
# there the chapter uses 1.

# %%
EPOCHS = 8
BATCH_SIZE = 128
STEPS_PER_EXECUTION = 1 if backend() == "torch" else 10


def build_model(learning_rate):
    """Chapter 3's deep MLP, compiled with Adam at `learning_rate`."""
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(300, activation="relu", name="hidden1"),
            keras.layers.Dense(100, activation="relu", name="hidden2"),
            keras.layers.Dense(10, activation="softmax", name="output"),
        ],
        name="fashion_mlp",
    )
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        metrics=["accuracy"],
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    return model


# %% [markdown]
# The `TensorBoard` callback writes the logs while `fit` runs. Its main settings:
#
# - `log_dir`: the run's folder. The callback writes the training metrics into its
#   `train/` sub-folder and the validation metrics into `validation/`, so TensorBoard
#   can draw both on the same chart.
# - `update_freq`: how often to log the training metrics. `"epoch"` (the default)
#   logs once per epoch, as tags named `epoch_loss`, `epoch_accuracy`; `"batch"` also
#   logs `batch_loss` and `batch_accuracy` after every batch, which shows what happens
#   *within* an epoch. (A whole number $N$ is meant to log every $N$ batches, but in
#   the Keras version this chapter was tested with, 3.15, it also makes the callback
#   skip some of the per-epoch values, so we stick to `"batch"`.)
# - `histogram_freq=1`: every epoch, log a {{histogram}} of every
#   weight matrix and bias vector, to see how the weights evolve. `0` (the default)
#   logs none, which is cheaper.
# - `write_graph=True` (the default): log the model's structure for the Graphs tab.
#
# One detail: with `steps_per_execution=10`, Keras runs 10 batches at a time and
# calls its callbacks once per group, so "per batch" means once per 10 batches here
# (on PyTorch, where groups are of one batch, once per batch), and the step number of
# `batch_loss` counts these groups.

# %%
MAIN_LEARNING_RATE = 1e-3
main_run = new_run_dir(LOG_ROOT, f"lr_{MAIN_LEARNING_RATE:g}")
tensorboard_callback = keras.callbacks.TensorBoard(
    log_dir=main_run,
    update_freq="batch",  # batch_loss and batch_accuracy, besides the per-epoch values
    histogram_freq=1,  # weight histograms after every epoch
    write_graph=True,  # the model's structure, for the Graphs tab
)

set_seeds(42)
model = build_model(MAIN_LEARNING_RATE)
start = time.perf_counter()
history = model.fit(
    X_train,
    y_train,
    epochs=EPOCHS,
    batch_size=BATCH_SIZE,
    validation_data=(X_valid, y_valid),
    callbacks=[tensorboard_callback],
    verbose=0,
)
seconds = time.perf_counter() - start
main_val_accuracy = history.history["val_accuracy"][-1]
print(f"{main_run.name}: {len(history.epoch)} epochs in {seconds:.0f} s")
print(f"validation accuracy after the last epoch: {main_val_accuracy:.3f}")

# %% [markdown]
# Here is what the callback left on disk: one event file for the training side and
# one for the validation side (the exact names hold a time stamp, the machine's name
# and a process id).

# %%
for path in sorted(main_run.rglob("*")):
    if path.is_file():
        size = path.stat().st_size / 1024
        print(f"{path.relative_to(LOG_ROOT).as_posix()}  ({size:.0f} KiB)")

# %% [markdown]
# ### Reading the event files back
#
# An event file is a sequence of records, each holding a step number and some tagged
# values. TensorBoard reads them for its charts; `read_scalars(folder)` from
# `utils.tensorboard_logs` reads the scalars of one folder into a dictionary
# `tag -> [(step, value), ...]`, using TensorFlow's record reader. Let's see which
# scalars the callback wrote:

# %%
train_scalars = read_scalars(main_run / "train")
valid_scalars = read_scalars(main_run / "validation")
for side, scalars in [("train", train_scalars), ("validation", valid_scalars)]:
    print(f"{side}/")
    for tag, pairs in scalars.items():
        steps = [step for step, _ in pairs]
        print(f"  {tag:<32} {len(pairs):>3} values, steps {steps[0]} to {steps[-1]}")
batch_value_count = len(train_scalars["batch_loss"])
batches_per_epoch = int(np.ceil(N_TRAIN / BATCH_SIZE))  # 79
groups_per_epoch_expected = int(np.ceil(batches_per_epoch / STEPS_PER_EXECUTION))
print(f"{batches_per_epoch} batches per epoch, in {groups_per_epoch_expected} groups")

# %% [markdown]
# The per-epoch tags have one value per epoch, numbered from 0. The batch tags have
# one value per group of 10 batches: 10,000 images in batches of 128 make 79 batches
# per epoch, run in 8 groups (the last one of 9 batches), so 8 epochs give 64 values
# (on PyTorch, 79 groups of one batch give 632; checked at the end of the chapter).
# Keras also logs `epoch_learning_rate`, and on the
# validation side `evaluation_loss_vs_iterations` and
# `evaluation_accuracy_vs_iterations`: the same validation scores, but with the
# optimizer's step count as the x-axis.
#
# The logged values are the very numbers in `history`: let's compare the validation
# accuracy.

# %%
logged_val_accuracy = [value for _, value in valid_scalars["epoch_accuracy"]]
epoch_scalar_count = len(logged_val_accuracy)
print("from the event file:", np.round(logged_val_accuracy, 4))
print("from history:       ", np.round(history.history["val_accuracy"], 4))
history_gap = float(
    np.max(np.abs(np.subtract(logged_val_accuracy, history.history["val_accuracy"])))
)
print(f"largest difference: {history_gap:.1e}")

# %% [markdown]
# ### Batch curves versus epoch curves
#
# Each `batch_loss` value is the *running average* of the loss since the start of
# its epoch (the same number a progress bar shows), and the average starts afresh
# with every epoch. So the end of each epoch's stretch of the batch curve is that
# epoch's `epoch_loss` (the cell prints the largest difference); the curve drops at the
# start of epoch 2, because the first epoch's average still included the large losses
# of the untrained model; and early in an epoch, with few batches averaged yet, it
# wobbles a little.

# %%
batch_steps, batch_loss = np.array(train_scalars["batch_loss"]).T
epoch_steps, epoch_loss = np.array(train_scalars["epoch_loss"]).T
groups_per_epoch = len(batch_steps) / EPOCHS
last_groups = np.arange(1, EPOCHS + 1) * int(groups_per_epoch) - 1  # each epoch's last value
end_of_epoch_gap = float(np.max(np.abs(batch_loss[last_groups] - epoch_loss)))
epoch_2_drop = float(batch_loss[last_groups[0]] - batch_loss[last_groups[0] + 1])
print(f"largest gap between an epoch's last batch_loss and its epoch_loss: {end_of_epoch_gap:.1e}")
print(f"batch_loss at the end of epoch 1 minus at the start of epoch 2: {epoch_2_drop:.3f}")
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(batch_steps / groups_per_epoch, batch_loss, label="batch_loss (running mean)")
ax.plot(epoch_steps + 1, epoch_loss, "o", label="epoch_loss (end of each epoch)")
ax.set(
    title=f"Training loss logged per batch and per epoch (learning rate {MAIN_LEARNING_RATE:g})",
    xlabel="epoch",
    ylabel="training loss",
)
ax.grid(True, alpha=0.3)
ax.legend()
save_fig("batch_and_epoch_loss", CHAPTER, fig=fig)
plt.show()

# %% [markdown]
# ### Histograms and the graph
#
# With `histogram_freq=1` the callback also logged, after every epoch, the
# distribution of the values in each weight tensor (on every backend: the callback
# writes the weights with `tf.summary`), under tags such as
# `fashion_mlp/hidden1/kernel/histogram`. TensorBoard shows them in two tabs:
# **Histograms**, a stack of histograms, one per epoch, with the newest in front;
# and **Distributions**, the same data seen from above, as bands of percentiles over
# the epochs. Healthy training shows distributions that widen and shift slowly; a
# histogram that collapses to a spike at zero, or explodes outward, points to dead
# units or exploding weights.
#
# The **Graphs** tab shows the model's structure (layer by layer, from the
# configuration the callback stored under the tag `keras`). In Keras 3 this is the
# *conceptual* graph of layers, the same on every backend (Keras 3.15 writes no graph
# of TensorFlow operations, even on TensorFlow); it is most useful to check how a
# functional model with several inputs or outputs is wired.
#
# ## 3. Comparing learning rates
#
# TensorBoard's real strength is comparing runs. Let's train the same model with two
# other learning rates, 0.0001 and 0.01, each into its own run folder. Histograms
# are not needed for a comparison, so these runs log scalars only.

# %%
COMPARED_LEARNING_RATES = [1e-4, 1e-2]
for learning_rate in COMPARED_LEARNING_RATES:
    run_dir = new_run_dir(LOG_ROOT, f"lr_{learning_rate:g}")
    set_seeds(42)
    build_model(learning_rate).fit(
        X_train,
        y_train,
        epochs=EPOCHS,
        batch_size=BATCH_SIZE,
        validation_data=(X_valid, y_valid),
        callbacks=[keras.callbacks.TensorBoard(log_dir=run_dir)],
        verbose=0,
    )
    print("logged", run_dir.name)

# %% [markdown]
# In TensorBoard's **Scalars** tab, the runs appear in the list on the left, each
# with a check box and a colour. A few habits make the comparison easy:
#
# - the chart `epoch_loss` shows the training and validation curves of every run
#   (`run_.../train` and `run_.../validation`); type `validation` in the run filter to
#   keep only the validation curves;
# - the **Smoothing** slider averages noisy curves (set it to 0 to see the raw
#   values, which is right for per-epoch curves of a few epochs);
# - the x-axis can show the step, the relative time or the wall time, so you can
#   compare runs by epochs or by seconds spent;
# - hovering over a chart lists every run's value at that point.
#
# The same comparison, read from the event files. `list_runs` returns every run
# folder that holds event files; the learning rate is the end of each folder's name.

# %%
comparison = {}
for run_dir in list_runs(LOG_ROOT):
    learning_rate = float(run_dir.name.split("_lr_")[1])
    scalars = read_scalars(run_dir / "validation")
    comparison[learning_rate] = {
        "loss": [value for _, value in scalars["epoch_loss"]],
        "accuracy": [value for _, value in scalars["epoch_accuracy"]],
    }

fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for ax, metric in zip(axes, ["loss", "accuracy"], strict=True):
    for learning_rate in sorted(comparison):
        values = comparison[learning_rate][metric]
        ax.plot(range(1, len(values) + 1), values, "o-", label=f"learning rate {learning_rate:g}")
    ax.set(title=f"Validation {metric} per epoch", xlabel="epoch", ylabel=f"validation {metric}")
    ax.grid(True, alpha=0.3)
    ax.legend()
fig.suptitle("Three learning rates for Adam, read back from the TensorBoard logs")
fig.tight_layout()
save_fig("learning_rate_comparison", CHAPTER, fig=fig)
plt.show()

# %% [markdown]
# To name a winner we take each run's lowest validation loss: the loss is a smoother
# measure than the accuracy, which moves in steps of one image.

# %%
for learning_rate in sorted(comparison):
    loss, accuracy = comparison[learning_rate]["loss"], comparison[learning_rate]["accuracy"]
    print(
        f"learning rate {learning_rate:<7g} lowest validation loss {min(loss):.3f}"
        f" (epoch {int(np.argmin(loss)) + 1}), best accuracy {max(accuracy):.3f}"
    )
best_learning_rate = min(comparison, key=lambda rate: min(comparison[rate]["loss"]))
print("best learning rate:", best_learning_rate)
best_accuracy = {rate: max(values["accuracy"]) for rate, values in comparison.items()}
slow, fast = min(comparison), max(comparison)  # 0.0001 and 0.01
slow_best_epoch = int(np.argmin(comparison[slow]["loss"])) + 1
fast_rises = int(np.sum(np.diff(comparison[fast]["loss"]) > 0))
print(f"learning rate {slow:g}: lowest validation loss at epoch {slow_best_epoch} of {EPOCHS}")
print(f"learning rate {fast:g}: validation loss went up in {fast_rises} of {EPOCHS - 1} epochs")

# %% [markdown]
# The default rate, 0.001, wins on both counts (the checks at the end of the chapter
# hold this run to it). At 0.0001 the model learns steadily but slowly: its lowest
# validation loss is at the last epoch, so its curves are still improving after 8
# epochs, and it would need many more epochs to catch up. At 0.01 the steps are too
# large: the validation loss goes up again in several epochs, and the best accuracy
# stays behind the 0.001 run's, because the weights keep overshooting instead of
# settling. This is the typical picture: too small wastes time, too large wastes
# accuracy, and a factor of 10 either side of a good value is enough to see both.
# By how much 0.001 wins depends a little on the backend: from the same seed,
# TensorFlow, JAX and PyTorch draw different initial weights and shuffle the batches
# differently, so their runs differ as runs with different seeds do (the checks'
# comments give the values of three seeds on each backend).
# (Chapter 8 searches for the learning rate more carefully.)
#
# ## 4. Logging your own data with `tf.summary`
#
# The callback logs what Keras knows. For anything else, TensorFlow's `tf.summary`
# module writes the same kind of event files. It takes Python numbers and NumPy
# arrays as well as TensorFlow tensors, so it serves every Keras backend (turn a JAX
# or PyTorch tensor into one first, with `float(...)` or `keras.ops.convert_to_numpy`).
# You create a {{summary writer}} for a folder with `tf.summary.create_file_writer`, make it the default
# with `with writer.as_default():`, and call one function per kind of data:
# `tf.summary.scalar`, `histogram`, `image` and `text`. Each takes a tag, the data and
# a `step`, the x-axis position. TensorBoard shows each kind in its own tab.
#
# We log four things about the model trained in section 2, in a run of their own.
#
# **A scalar.** A **learning-rate schedule** is easier to trust once you have seen
# it. Here is the cosine decay of chapter 3 over 1,000 steps, logged step by step:

# %%
custom_run = new_run_dir(LOG_ROOT, "custom")
writer = tf.summary.create_file_writer(str(custom_run))

schedule = keras.optimizers.schedules.CosineDecay(initial_learning_rate=1e-3, decay_steps=1000)
with writer.as_default():
    for step in range(0, 1001, 10):
        tf.summary.scalar("cosine_decay_learning_rate", float(schedule(step)), step=step)

# %% [markdown]
# **A histogram.** How confident is the model? For each validation image, take the
# highest predicted probability, and log the distributions for the images it gets
# right and those it gets wrong, as two tags:

# %%
probabilities = model.predict(X_valid, batch_size=1024, verbose=0)
y_pred = probabilities.argmax(axis=1)
confidence = probabilities.max(axis=1)
correct = y_pred == y_valid
with writer.as_default():
    tf.summary.histogram("confidence/right", confidence[correct], step=EPOCHS)
    tf.summary.histogram("confidence/wrong", confidence[~correct], step=EPOCHS)
confidence_gap = float(np.median(confidence[correct]) - np.median(confidence[~correct]))
print(f"median confidence: {np.median(confidence[correct]):.2f} when right,", end=" ")
print(f"{np.median(confidence[~correct]):.2f} when wrong")

# %% [markdown]
# The model is less sure of itself when it is wrong, as a good classifier should be;
# the histograms show how much the two groups overlap.
#
# **An image.** `tf.summary.image` takes a batch of images as a tensor of shape
# (images, height, width, channels), with values in [0, 1] or bytes. A matplotlib
# figure becomes such a tensor in three steps: save it as PNG into memory, decode the
# PNG with `tf.image.decode_png`, and add a batch dimension. Here is a grid of 20
# validation images with the model's predictions (mistakes in red):

# %%
fig = plot_image_grid(
    X_valid[:20],
    y_valid[:20],
    class_names,
    predictions=y_pred[:20],
    title="Predictions on 20 validation images (predicted (true), mistakes in red)",
)
buffer = io.BytesIO()
fig.savefig(buffer, format="png", dpi=80)
grid_image = tf.image.decode_png(buffer.getvalue(), channels=4)[tf.newaxis]  # add a batch axis
with writer.as_default():
    tf.summary.image("sample_predictions", grid_image, step=EPOCHS)
print("image tensor:", grid_image.shape, grid_image.dtype)
print(f"mistakes among these 20 images: {np.sum(y_pred[:20] != y_valid[:20])}")
save_fig("sample_predictions", CHAPTER, fig=fig)
plt.show()

# %% [markdown]
# Twenty images are a small sample: compare the number of mistakes above with the
# accuracy on all 5,000 validation images, and expect the two to differ. In
# TensorBoard's **Images** tab, a slider under the image steps through the steps at
# which an image was logged, so logging such a grid every few epochs lets you watch
# the predictions improve.
#
# **Text.** `tf.summary.text` logs a string, and TensorBoard renders it as Markdown,
# so a table becomes a real table in the **Text** tab. A note like this one, saved
# next to the curves, tells you months later what a run was about:

# %%
per_class = [correct[y_valid == k].mean() for k in range(len(class_names))]
rows = [
    f"| {name} | {accuracy:.3f} |" for name, accuracy in zip(class_names, per_class, strict=True)
]
note = "\n".join(
    [
        f"Deep MLP, Adam at {MAIN_LEARNING_RATE:g}, {EPOCHS} epochs on {N_TRAIN:,} images.",
        "",
        "| class | validation accuracy |",
        "|---|---|",
        *rows,
    ]
)
with writer.as_default():
    tf.summary.text("run_notes", note, step=EPOCHS)
writer.close()  # write everything to disk and release the file
print(note)

# %% [markdown]
# Two details matter with your own writers. A writer buffers its events and writes
# them to disk every two minutes or so (and when its queue fills), so call
# `writer.flush()` to see new data in TensorBoard at once, and `writer.close()` when
# you are done. And a step number belongs to a tag: logging the same tag twice at the
# same step gives TensorBoard two points it cannot tell apart.
#
# The scalar is in the file, one value per logged step:

# %%
custom_scalars = read_scalars(custom_run)
schedule_values = [value for _, value in custom_scalars["cosine_decay_learning_rate"]]
print("scalar tags in the custom run:", list(custom_scalars))
print(f"{len(schedule_values)} values, from {schedule_values[0]:g} to {schedule_values[-1]:g}")

# %% [markdown]
# ## 5. Opening TensorBoard
#
# All the runs of this chapter are now in `outputs/07_tensorboard/logs`. TensorBoard
# is a small web server that reads the log folder and serves the dashboard to your
# browser; it keeps re-reading the folder, so it shows new data while training runs.
#
# **In Jupyter or Colab**, two magic commands start it and show the dashboard inside
# the notebook:
#
# ```python
# %load_ext tensorboard
# %tensorboard --logdir outputs/07_tensorboard/logs
# ```
#
# The path is relative to the notebook's folder, so from `notebooks/` it is
# `../outputs/07_tensorboard/logs`; the cell below builds the right path for you. On
# **Colab** the magic works as it is: Colab shows the dashboard in the output cell,
# with no port to forward. (Colab deletes the files when the session ends, so copy
# logs you want to keep to Google Drive.)
#
# The cell below runs the magic only if you set `SHOW_TENSORBOARD = True`: a running
# server is not something to start by accident (and the course's automatic tests run
# every notebook without a browser).

# %%
SHOW_TENSORBOARD = False  # set to True to open TensorBoard below this cell
if SHOW_TENSORBOARD:
    from IPython import get_ipython

    ipython = get_ipython()
    ipython.run_line_magic("load_ext", "tensorboard")
    ipython.run_line_magic("tensorboard", f'--logdir "{LOG_ROOT}"')
else:
    print("TensorBoard not started (set SHOW_TENSORBOARD = True to open it here).")

# %% [markdown]
# **From a terminal**, in the course folder, with the course's environment (`.venv`):
#
# ```bash
# .venv/bin/tensorboard --logdir outputs/07_tensorboard/logs --port 6006
# ```
#
# In Windows PowerShell: `.venv\Scripts\tensorboard --logdir outputs\07_tensorboard\logs --port 6006`.
#
# then open <http://localhost:6006> in a browser. Stop the server with Ctrl+C. If port
# 6006 is taken (another TensorBoard is running), pick another number, such as 6007.
#
# **On a remote machine** (a lab server or a cloud GPU you reach over SSH), start
# TensorBoard there as above, and forward the port to your laptop when you connect:
#
# ```bash
# ssh -L 6006:localhost:6006 you@server
# ```
#
# `-L 6006:localhost:6006` makes port 6006 on your laptop lead to port 6006 on the
# server, so <http://localhost:6006> on your laptop shows the server's TensorBoard.
# TensorBoard listens only on the server's own loopback address by default, so nobody
# else can reach it; avoid `--bind_all`, which opens it to the whole network.
#
# ### The profiler
#
# When training is slower than it should be, the {{profiler}} shows where
# the time goes: how long each operation takes, and whether the accelerator waits for
# the input pipeline. The callback records it for the batches you name, for example
# `keras.callbacks.TensorBoard(log_dir, profile_batch=(10, 20))` to profile batches 10
# to 20 (skip the first few, which include start-up work), and TensorBoard shows it in
# its **Profile** tab. That tab comes from a separate package: install it with
# `pip install tensorboard-plugin-profile`. The default, `profile_batch=0`, profiles
# nothing, as in this chapter. The profiler depends on the backend: on TensorFlow it
# is TensorFlow's; on JAX, Keras uses JAX's profiler, which needs Python 3.12 or later
# (with an older Python the callback warns and profiles nothing); and on PyTorch the
# callback refuses any `profile_batch` other than 0 (PyTorch's own profiler,
# `torch.profiler`, is a separate tool).
#
# ## What you should have seen
#
# Each line below checks one result of this chapter; if one fails, the cell stops with
# a message. The accuracy floor is lower than chapter 3's because the model sees a
# fifth of the training images for 8 epochs. Each floor is the value this run gives
# (seed 42) minus the spread we measured over three seeds (42, 1, 2), so a real
# regression fails here while a different seed or machine does not. Where a backend's
# runs gave other values, that backend has a floor of its own, measured the same way.

# %%
# Seeds 42, 1, 2: final validation accuracy 0.8634, 0.8338, 0.8594 (spread 0.030); on
# JAX 0.8620, 0.8696, 0.8652; on PyTorch 0.8544, 0.8552, 0.8404.
check_result(
    f"validation accuracy of the logged run (learning rate {MAIN_LEARNING_RATE:g})",
    main_val_accuracy,
    at_least=0.83,
)
check_result(
    "epoch_accuracy values in the validation event file", epoch_scalar_count, at_least=EPOCHS
)
check_result("... and no more than one per epoch", epoch_scalar_count, at_most=EPOCHS)
# 79 batches per epoch in groups of 10 make 8 groups, so 8 epochs give 64 values (on
# PyTorch, groups of one batch: 632 values).
check_result(
    "batch_loss values (one per group of steps_per_execution batches)",
    batch_value_count,
    at_least=EPOCHS * groups_per_epoch_expected,
    at_most=EPOCHS * groups_per_epoch_expected,
)
check_result(
    "event file vs history: largest validation accuracy difference", history_gap, at_most=1e-6
)
check_result(
    "last batch_loss of each epoch vs its epoch_loss: largest gap", end_of_epoch_gap, at_most=1e-5
)
# Seeds 42, 1, 2: drops of 0.206, 0.272, 0.248 (spread 0.066): the epoch-1 mean still
# holds the untrained model's large losses. On JAX 0.239, 0.231, 0.247; on PyTorch,
# where epoch 2 starts with the mean of one batch, 0.303, 0.199, 0.175.
check_result(
    "batch_loss drop from the end of epoch 1 to the start of epoch 2",
    epoch_2_drop,
    at_least=0.14,
)
check_result("learning-rate runs found in the log folder", len(comparison), at_least=3)
# Lowest validation loss with seeds 42, 1, 2: 0.387, 0.421, 0.408 at 0.001; 0.444, 0.443,
# 0.434 at 0.01; 0.460, 0.477, 0.477 at 0.0001. The winner was 0.001 with every seed, on
# every backend (JAX: 0.389, 0.385, 0.393 at 0.001, 0.409 to 0.427 at 0.01; PyTorch:
# 0.385, 0.390, 0.408 at 0.001, 0.414, 0.441, 0.430 at 0.01).
check_result(
    "best learning rate in the comparison (the text says 0.001)",
    best_learning_rate,
    at_least=MAIN_LEARNING_RATE,
)
check_result("... and not a larger one", best_learning_rate, at_most=MAIN_LEARNING_RATE)
# Best validation accuracy of 0.001 minus that of 0.01: 0.0112, 0.0124, 0.0130 (spread
# 0.0018); on JAX 0.0080, 0.0148, 0.0082 (spread 0.0068); on PyTorch 0.0098, 0.0118,
# 0.0052 (spread 0.0066). Minus that of 0.0001: 0.0240, 0.0206, 0.0214 (spread 0.0034);
# on JAX 0.0274, 0.0382, 0.0290 (spread 0.0108); on PyTorch 0.0276, 0.0288, 0.0134
# (spread 0.0154).
check_result(
    "best validation accuracy: 0.001 minus 0.01",
    best_accuracy[MAIN_LEARNING_RATE] - best_accuracy[fast],
    at_least={"tensorflow": 0.009, "jax": 0.001, "torch": 0.003},
)
check_result(
    "best validation accuracy: 0.001 minus 0.0001",
    best_accuracy[MAIN_LEARNING_RATE] - best_accuracy[slow],
    at_least={"tensorflow": 0.02, "jax": 0.016, "torch": 0.012},
)
# At 0.0001 the lowest validation loss came at epoch 8 with every seed and backend (still
# improving); at 0.01 the validation loss went up in 3 of the 7 epoch-to-epoch steps
# with every seed on TensorFlow, in 3, 3, 2 on JAX and in 4, 3, 2 on PyTorch.
check_result("epoch of the lowest validation loss at 0.0001", slow_best_epoch, at_least=EPOCHS)
check_result(
    "epochs whose validation loss went up at 0.01",
    fast_rises,
    at_least={"tensorflow": 3, "jax": 2, "torch": 2},
)
# Median confidence when right minus when wrong: 0.318, 0.325, 0.321 (spread 0.007); on
# JAX 0.326, 0.327, 0.334; on PyTorch 0.342, 0.319, 0.318.
check_result("median confidence: right minus wrong", confidence_gap, at_least=0.31)
check_result("custom scalar values written with tf.summary", len(schedule_values), at_least=101)
print(f"The notebook took {time.perf_counter() - NOTEBOOK_START:.0f} s to run up to here.")

# %% [markdown]
# ## Recap
#
# - TensorBoard reads event files; every sub-folder of the log directory that holds
#   them is a run. Give each training run a new, time-stamped folder, and clear old
#   runs by deleting their folders.
# - `keras.callbacks.TensorBoard(log_dir, update_freq="batch", histogram_freq=1,
#   write_graph=True)` logs per-epoch and per-batch scalars into `train/` and
#   `validation/`, weight histograms, and the model's structure, on every backend
#   (with TensorFlow installed).
# - Runs side by side make comparisons easy: here Adam's default learning rate of
#   0.001 beat 0.0001 (too slow) and 0.01 (too bumpy).
# - `tf.summary.create_file_writer(folder)` plus `tf.summary.scalar`, `histogram`,
#   `image` and `text` log anything else; a matplotlib figure becomes an image tensor
#   through PNG bytes and `tf.image.decode_png`. Flush or close the writer.
# - `%load_ext tensorboard` and `%tensorboard --logdir ...` open it in Jupyter and
#   Colab; `tensorboard --logdir ... --port 6006` in a terminal; `ssh -L` for a
#   remote machine. The profiler needs `tensorboard-plugin-profile` and
#   `profile_batch` (on TensorFlow, and on JAX with Python 3.12 or later).
# - Event files are just data: `utils.tensorboard_logs.read_scalars` reads them back
#   for plots and checks.

# %% [markdown] tags=["exercises"]
# ## Exercises
#
# Answer each exercise in its cell, replacing the `...`, then run the check below it.
# A check tells you whether you are right, and if not, what is off; `ch07.q1.hint()`
# gives a nudge, and calling it again tells more. The checks never stop the notebook,
# so you can come back to any exercise. Worked solutions are in
# `solutions/07_tensorboard.ipynb`.

# %%
# The imports and data the exercises use, so this section also runs on its own.
import keras
import tensorflow as tf

from utils.backends import backend
from utils.exercises import ch07
from utils.paths import outputs_dir
from utils.quiet import hide_retracing_warnings
from utils.reproducibility import set_seeds
from utils.splits import fashion_mnist_splits
from utils.tensorboard_logs import new_run_dir, read_scalars

EXERCISE_LOGS = outputs_dir("07_tensorboard") / "exercise_logs"
tf.get_logger().setLevel("WARNING")
if backend() == "tensorflow":
    hide_retracing_warnings()  # each check of exercise 5 trains a new small model

# %% [markdown]
# **Exercise 1.** Your runs are in `logs/run_2026_11_22-10_00_00_lr_0.001/`,
# `logs/run_2026_11_22-10_05_00_lr_0.01/` and so on. To compare all of them in one
# TensorBoard, which folder do you pass to `--logdir`? Answer `"a"`, `"b"` or `"c"`.
#
# - a) `logs`
# - b) `logs/run_2026_11_22-10_00_00_lr_0.001`
# - c) `logs/run_2026_11_22-10_00_00_lr_0.001/train`

# %%
answer_1 = ...  # STUB
# BEGIN SOLUTION
answer_1 = "a"  # every run folder under it becomes a run
# END SOLUTION
ch07.q1.check(answer_1)

# %% [markdown]
# **Exercise 2.** You train twice, with two learning rates, both times with
# `keras.callbacks.TensorBoard(log_dir="logs/my_run")`. What does TensorBoard show?
# Answer `"a"`, `"b"` or `"c"`.
#
# - a) Two runs, one per learning rate, side by side.
# - b) Only the second training: the callback empties the folder first.
# - c) One run whose curves go through the epochs twice, the second training drawn
#   over the first.

# %%
answer_2 = ...  # STUB
# BEGIN SOLUTION
answer_2 = "c"
# END SOLUTION
ch07.q2.check(answer_2)

# %% [markdown]
# **Exercise 3.** A model compiled with `steps_per_execution=10` trains for 3 epochs
# of 200 batches each, with `keras.callbacks.TensorBoard(log_dir, update_freq="batch")`.
# How many `batch_loss` values does the training event file hold in all?

# %%
answer_3 = ...  # STUB
# BEGIN SOLUTION
answer_3 = 3 * 200 // 10  # one value per execution of 10 batches
# END SOLUTION
ch07.q3.check(answer_3)

# %% [markdown]
# **Exercise 4.** TensorBoard runs on a lab server at its default port, 6006. You are
# at home and reach the server with `ssh you@lab-server`. How do you see TensorBoard
# in your laptop's browser? Answer `"a"`, `"b"` or `"c"`.
#
# - a) Open `http://lab-server:6006`.
# - b) Connect with `ssh -L 6006:localhost:6006 you@lab-server`, then open
#   `http://localhost:6006`.
# - c) Restart TensorBoard on the server with `--bind_all`, then open
#   `http://lab-server:6006`.

# %%
answer_4 = ...  # STUB
# BEGIN SOLUTION
answer_4 = "b"
# END SOLUTION
ch07.q4.check(answer_4)

# %% [markdown]
# **Exercise 5 (coding).** Finish the callback `ErrorRateLogger(log_dir)`: at the end
# of every epoch it must log the **validation error rate**, `1 - logs["val_accuracy"]`,
# as a scalar with the tag `"epoch_error_rate"` and the epoch number (from 0, as Keras
# counts) as its step, into an event file in `log_dir`. Create the writer with
# `tf.summary.create_file_writer` in `on_train_begin`, and flush or close it in
# `on_train_end` so the values reach the disk. The check trains a small model with
# your callback into a temporary folder and reads the values back.


# %%
class ErrorRateLogger(keras.callbacks.Callback):
    """Log 1 - val_accuracy as "epoch_error_rate" every epoch, with tf.summary."""

    def __init__(self, log_dir):
        super().__init__()
        self.log_dir = str(log_dir)

    def on_train_begin(self, logs=None):
        pass  # STUB: create the writer here
        # BEGIN SOLUTION
        self.writer = tf.summary.create_file_writer(self.log_dir)
        # END SOLUTION

    def on_epoch_end(self, epoch, logs=None):
        raise NotImplementedError("log 1 - logs['val_accuracy'] with tf.summary.scalar")  # STUB
        # BEGIN SOLUTION
        with self.writer.as_default():
            tf.summary.scalar("epoch_error_rate", 1.0 - logs["val_accuracy"], step=epoch)
        # END SOLUTION

    def on_train_end(self, logs=None):
        pass  # STUB: flush or close the writer here
        # BEGIN SOLUTION
        self.writer.close()
        # END SOLUTION


ch07.q5.check(ErrorRateLogger)

# %% [markdown]
# Once your callback passes, use it on Fashion-MNIST next to the `TensorBoard`
# callback, in a new run folder under `EXERCISE_LOGS`, and read the error rates back
# with `read_scalars`. (Open TensorBoard on `EXERCISE_LOGS` to see them as a chart.)

# %%
# Train a small model with both callbacks and read "epoch_error_rate" back here.  # STUB
# BEGIN SOLUTION
data = fashion_mnist_splits()
run_dir = new_run_dir(EXERCISE_LOGS, "error_rate")
set_seeds(42)
small_model = keras.Sequential(
    [
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(100, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ]
)
small_model.compile(
    loss="sparse_categorical_crossentropy",
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    metrics=["accuracy"],
    steps_per_execution=1 if backend() == "torch" else 10,  # PyTorch: one batch per call
)
small_model.fit(
    data.X_train[:5000],
    data.y_train[:5000],
    epochs=3,
    batch_size=64,
    validation_data=(data.X_valid, data.y_valid),
    callbacks=[keras.callbacks.TensorBoard(run_dir), ErrorRateLogger(run_dir / "error_rate")],
    verbose=0,
)
error_rates = read_scalars(run_dir / "error_rate")["epoch_error_rate"]
print("validation error rate per epoch:", [f"{value:.3f}" for _, value in error_rates])
# END SOLUTION

# %% [markdown]
# **Exercise 6.** You log a custom scalar with `tf.summary.scalar` inside
# `with writer.as_default():`, once per epoch, while a long training runs. A minute
# in, TensorBoard still shows nothing for it, although the callback's curves update.
# What is the most likely reason? Answer `"a"`, `"b"` or `"c"`.
#
# - a) TensorBoard cannot show scalars written by `tf.summary`.
# - b) The writer still holds the values in its buffer: call `writer.flush()`
#   (for example at the end of every epoch).
# - c) Custom scalars only appear after training ends.

# %%
answer_6 = ...  # STUB
# BEGIN SOLUTION
answer_6 = "b"
# END SOLUTION
ch07.q6.check(answer_6)

# %% [markdown]
# See how far you have come:

# %%
ch07.progress()

# %% tags=["solution-only"]
# Every solution above must pass its check: this cell fails loudly if one does not.
ch07.assert_all_correct()

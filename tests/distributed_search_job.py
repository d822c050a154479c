"""A tiny Keras Tuner search for tests/test_distributed_tuning.py, run as chief or worker.

Each process reads its role from KERASTUNER_TUNER_ID, as in chapter 9's search script.
Test switches (environment variables):

- ``JOB_CRASH_AT_START=<tuner id>``: that process exits with code 3 at once, every time;
- ``JOB_HANG_AT_START=1``: every process sleeps instead of searching (a stuck cluster);
- ``JOB_TRIALS`` (default 4) and ``JOB_EPOCH_SECONDS`` (default 0.3, a pause per epoch
  so that a trial lasts long enough to be interrupted on purpose).
"""

import os
import sys
import time

TUNER_ID = os.environ["KERASTUNER_TUNER_ID"]
if os.environ.get("JOB_CRASH_AT_START") == TUNER_ID:
    print(f"{TUNER_ID}: crashing on purpose", flush=True)
    sys.exit(3)
if os.environ.get("JOB_HANG_AT_START"):
    print(f"{TUNER_ID}: hanging on purpose", flush=True)
    time.sleep(3600)

import keras  # noqa: E402
import keras_tuner as kt  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)

EPOCH_SECONDS = float(os.environ.get("JOB_EPOCH_SECONDS", "0.3"))


def build_model(hp):
    model = keras.Sequential(
        [
            keras.Input(shape=(8,)),
            keras.layers.Dense(hp.Int("units", 4, 32, step=4), activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(hp.Float("lr", 1e-3, 1e-1)))
    return model


class Pause(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        time.sleep(EPOCH_SECONDS)


rng = np.random.default_rng(0)
X = rng.normal(size=(256, 8)).astype("float32")
y = X.sum(axis=1, keepdims=True)
tuner = kt.RandomSearch(
    build_model,
    objective="val_loss",
    max_trials=int(os.environ.get("JOB_TRIALS", "4")),
    seed=1,
    directory="tuner",
    project_name="tiny",
)
tuner.search(X, y, epochs=3, validation_split=0.25, callbacks=[Pause()], verbose=0)
print(f"{TUNER_ID}: search finished", flush=True)

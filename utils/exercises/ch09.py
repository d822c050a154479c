"""Exercise checks for chapter 9, scaling out."""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

import numpy as np

from utils.exercises import core
from utils.exercises.core import Built, Exercise, Incorrect

# --- Exercise 2: the linear scaling rule --------------------------------------------


def _check_q2(answer: Any) -> None:
    if isinstance(answer, dict):
        raise Incorrect("Give a tuple of two numbers: (batch_size, learning_rate).")
    items = core.finite_items(
        answer, "a tuple of two numbers: (batch_size, learning_rate)", limit=10
    )
    if len(items) != 2:
        raise Incorrect(f"Give two numbers, (batch_size, learning_rate), not {len(items)}.")
    batch = core.as_number(items[0], "a batch size")
    rate = core.as_number(items[1], "a learning rate")
    if batch == 256:
        raise Incorrect("256 is the batch per GPU; the global batch counts all 8 GPUs.")
    if batch != 2048:
        raise Incorrect(f"A global batch of {batch:g} is not 256 images on each of 8 GPUs.")
    if math.isclose(rate, 0.001):
        raise Incorrect(
            "The batch is 8 times larger, so there are 8 times fewer steps: the linear "
            "scaling rule raises the learning rate by the same factor."
        )
    if math.isclose(rate, 0.001 / 8):
        raise Incorrect("The rate goes up with the batch, not down.")
    if not math.isclose(rate, 0.008, rel_tol=1e-6):
        raise Incorrect(f"A learning rate of {rate:g} is not 8 times 0.001.")


# --- Exercise 3: TF_CONFIG ----------------------------------------------------------

CLUSTER = ["10.1.0.1:2222", "10.1.0.2:2222", "10.1.0.3:2222"]


def _check_q3(answer: Any) -> None:
    if isinstance(answer, str):
        try:
            answer = json.loads(answer)
        except ValueError:
            raise Incorrect("Your string is not valid JSON: try json.dumps(a_dict).") from None
    if not isinstance(answer, dict):
        raise Incorrect(f"Give a dictionary (or its JSON string), not a {type(answer).__name__}.")
    missing = [key for key in ("cluster", "task") if key not in answer]
    if missing:
        raise Incorrect(
            f"TF_CONFIG needs the keys 'cluster' and 'task'; {missing[0]!r} is missing."
        )
    cluster, task = answer["cluster"], answer["task"]
    if not isinstance(cluster, dict) or "worker" not in cluster:
        raise Incorrect("'cluster' should map the job name 'worker' to the list of addresses.")
    others = sorted(str(job) for job in cluster if job != "worker")
    if others:
        raise Incorrect(
            f"This cluster has workers only, no {others[0]!r} job: worker 0 acts as the chief."
        )
    addresses = cluster["worker"]
    if isinstance(addresses, str):
        raise Incorrect("'worker' should map to a list of the three addresses, not one string.")
    if core.finite_items(addresses, "a list of the worker addresses", limit=100) != CLUSTER:
        raise Incorrect(
            "'cluster': {'worker': [...]} should list all three addresses, in the given "
            "order, identical on every machine."
        )
    if not isinstance(task, dict) or task.get("type") != "worker":
        raise Incorrect("'task' should be {'type': 'worker', 'index': ...}.")
    index = task.get("index")
    if isinstance(index, str):
        raise Incorrect(f"The index is a whole number, not the string {index!r}.")
    if index == 3:
        raise Incorrect("Indices count from 0: the third machine is index 2.")
    if isinstance(index, bool) or index != 2:
        raise Incorrect(f"Index {index!r} points at another machine than the third one.")


# --- Exercise 4: a tf.data pipeline -------------------------------------------------

N_EXAMPLES, BATCH = 200, 16
_MAX_ELEMENTS = 2 * N_EXAMPLES  # more elements than examples in one epoch: it never ends


def _labels_of_one_epoch(dataset: Any) -> list[np.ndarray]:
    try:
        elements = core.finite_items(dataset, "a dataset that ends", limit=_MAX_ELEMENTS)
    except Incorrect:
        raise Incorrect(
            f"Your dataset gave more than {_MAX_ELEMENTS} elements for {N_EXAMPLES} examples: "
            "does it end? Leave out .repeat(): fit goes through the epochs itself."
        ) from None
    batches = []
    try:
        for element in elements:
            if not isinstance(element, tuple) or len(element) != 2:
                raise Incorrect(
                    "Each element of your dataset should be a (features, label) pair: "
                    "from_tensor_slices((X, y))."
                )
            features, labels = (np.asarray(part) for part in element)
            if labels.ndim == 0:
                raise Incorrect(
                    "Your dataset yields single examples, not batches: use .batch(batch_size)."
                )
            if features.ndim != 2 or not np.array_equal(features[:, 0], labels):
                raise Incorrect("Features and labels got separated: keep (X, y) together.")
            batches.append(labels.astype(int))
    except Incorrect:
        raise
    except Exception as error:
        raise Incorrect(f"Going through your dataset failed ({type(error).__name__}).") from None
    return batches


def _stage_names(dataset: Any) -> list[str]:
    """The class names of a dataset's steps, last first (empty if they can't be read)."""
    names = []
    while dataset is not None and len(names) < 50:
        names.append(type(dataset).__name__)
        dataset = getattr(dataset, "_input_dataset", None)
    return names


def _cached_before_shuffle(stages: list[str]) -> bool:
    """Whether the pipeline (steps listed last first) caches before it shuffles."""
    cache = [i for i, name in enumerate(stages) if "Cache" in name]
    shuffle = [i for i, name in enumerate(stages) if "Shuffle" in name]
    return bool(cache and shuffle) and max(cache) > min(shuffle)


def _check_q4(make_dataset: Any) -> None:
    import tensorflow as tf

    X = np.stack([np.arange(N_EXAMPLES), np.zeros(N_EXAMPLES)], axis=1).astype("float32")
    y = np.arange(N_EXAMPLES)
    dataset = core.call_student_function(make_dataset, X, y, BATCH, name="make_dataset")
    if not isinstance(dataset, tf.data.Dataset):
        raise Incorrect(f"make_dataset should return a tf.data.Dataset, not {type(dataset)}.")
    epochs = [_labels_of_one_epoch(dataset) for _ in range(2)]
    sizes = [len(batch) for batch in epochs[0]]
    expected_sizes = [BATCH] * (N_EXAMPLES // BATCH) + [N_EXAMPLES % BATCH]
    if sizes == expected_sizes[:-1]:
        raise Incorrect(
            f"The last {N_EXAMPLES % BATCH} examples are missing from every epoch: "
            "drop_remainder=True drops the last, smaller batch. Keep it (the default)."
        )
    if sorted(sizes, reverse=True) != expected_sizes:
        raise Incorrect(
            f"With {N_EXAMPLES} examples and batch_size={BATCH}, expected {len(expected_sizes)} "
            f"batches of {BATCH} (the last one of {N_EXAMPLES % BATCH}); got sizes "
            f"{sizes[:5]}{'...' if len(sizes) > 5 else ''}. Use .batch(batch_size)."
        )
    orders = [np.concatenate(epoch) for epoch in epochs]
    if any(sorted(order) != list(range(N_EXAMPLES)) for order in orders):
        raise Incorrect("Each epoch should hold every example exactly once.")
    if np.array_equal(orders[0], y):
        raise Incorrect("The examples come out in their original order: add .shuffle(...).")
    if all(np.array_equal(np.sort(b), np.arange(b.min(), b.max() + 1)) for b in epochs[0]):
        raise Incorrect("Whole batches were shuffled, not examples: shuffle before you batch.")
    stages = _stage_names(dataset)
    if np.array_equal(orders[0], orders[1]) and _cached_before_shuffle(stages):
        raise Incorrect(
            "Both epochs came out in the same order although the cache comes before the "
            "shuffle: leave reshuffle_each_iteration at its default, True."
        )
    if np.array_equal(orders[0], orders[1]):
        raise Incorrect(
            "Both epochs came out in the same order: a cache placed after the shuffle stores "
            "the first epoch's order. Cache first, then shuffle."
        )
    if all(epoch[0].max() < N_EXAMPLES // 2 for epoch in epochs):
        raise Incorrect(
            "The first batch only ever holds early examples: your shuffle buffer is small. "
            "Use a buffer as large as the data set, len(X)."
        )
    if not stages or "Prefetch" not in stages[0]:
        raise Incorrect("End the pipeline with .prefetch(tf.data.AUTOTUNE).")
    if len(stages) > 1 and not any("Cache" in name for name in stages):
        raise Incorrect("There is no .cache() step: add it before the shuffle.")


# --- Exercise 5: reading a search's results -----------------------------------------


def _check_q5(answer: Any) -> None:
    if not isinstance(answer, str):
        raise Incorrect(
            f"Give the worker's id as a string such as 'tuner0', not a {type(answer).__name__}."
        )
    worker = answer.strip()
    if worker == "tuner1":
        return
    if worker == "4":
        raise Incorrect("'4' is the best trial's id: give the worker that ran it.")
    if worker == "tuner0":
        raise Incorrect(
            "tuner0 ran trials 1, 3 and 5; the best validation accuracy is in another row."
        )
    raise Incorrect(f"{worker!r} is not one of the workers in the table.")


# --- Exercise 6: a worker killed mid-trial ------------------------------------------

_check_q6 = core.multiple_choice(
    "b",
    why_not={
        "a": "The oracle keeps the trial as 'running' for its tuner id, so it is not lost.",
        "c": "The chief only runs the oracle: it never trains a model.",
        "d": "The chief does not notice that a worker died: it hands out no trial on its own.",
    },
    choices="abcd",
)


# --- The exercise set ---------------------------------------------------------------

q1 = core.number_question(
    "Exercise 1",
    128,
    what="a number of images",
    why_not={
        512: "512 is the global batch, what one step sees over all replicas: fit splits it.",
        2048: "2048 would be 512 per GPU; the batch size given to fit is the total.",
    },
    otherwise="{given:g} images is not it: divide the global batch among the GPUs.",
    hint=(
        "Is the batch size you give fit meant for one replica, or for the whole step?",
        "fit's batch_size is the global batch: it is split evenly among the "
        "num_replicas_in_sync replicas, one slice per GPU.",
    ),
    on_correct="128 images per GPU per step, 512 per step in all.",
    right=(np.int64(128),),
    wrong=((100, "divide the global batch"), ("128", "Expected a number of images")),
)
q2 = Exercise(
    "Exercise 2",
    _check_q2,
    hint=(
        "Start with the global batch: how many images does one step see over all 8 GPUs?",
        "Global batch = per-GPU batch × number of GPUs; the linear scaling rule multiplies "
        "the learning rate by the same factor as the batch.",
    ),
    on_correct="(2048, 0.008): start with a few epochs of warm-up, and check with a finder.",
    right=(
        (2048, 0.008),
        [2048, 8e-3],
        # Any finite collection of the two numbers will do, an iterator too (made once,
        # so it can be checked once).
        Built(lambda: iter([2048, 0.008]), "an iterator over (2048, 0.008)"),
    ),
    wrong=(
        ((256, 0.008), "batch per GPU"),
        ((2048, 0.001), "linear scaling rule"),
        ((2048, 0.000125), "not down"),
        ((2048, 0.004), "not 8 times 0.001"),
        ((1024, 0.008), "not 256 images on each of 8 GPUs"),
        (2048, "tuple of two numbers"),
        ((2048, 0.008, 5), "not 3"),
        (itertools.count(2048), "more than 10 items"),
    ),
)

_TF_CONFIG = {"cluster": {"worker": CLUSTER}, "task": {"type": "worker", "index": 2}}


q3 = Exercise(
    "Exercise 3",
    _check_q3,
    hint=(
        "Every machine gets the same 'cluster'; only its 'task' differs.",
        "Section 4 shows the shape: {'cluster': {'worker': [the three addresses, in order]}, "
        "'task': {'type': 'worker', 'index': ...}}, with indices counted from 0.",
    ),
    on_correct="Every machine gets the same 'cluster' and its own 'task' index.",
    right=(_TF_CONFIG, json.dumps(_TF_CONFIG)),
    wrong=(
        ({**_TF_CONFIG, "task": {"type": "worker", "index": 3}}, "count from 0"),
        ({**_TF_CONFIG, "task": {"type": "worker", "index": 0}}, "another machine"),
        ({"task": _TF_CONFIG["task"]}, "'cluster' is missing"),
        ({**_TF_CONFIG, "cluster": {"worker": CLUSTER[::-1]}}, "in the given order"),
        ({**_TF_CONFIG, "cluster": {"worker": CLUSTER, "chief": ["x:1"]}}, "workers only"),
        ({**_TF_CONFIG, "task": {"type": "chief", "index": 2}}, "'type': 'worker'"),
        ("{not json", "not valid JSON"),
        ({**_TF_CONFIG, "cluster": {"worker": CLUSTER, "ps": ["x:1"]}}, "no 'ps' job"),
        ({**_TF_CONFIG, "cluster": {"worker": itertools.cycle(CLUSTER)}}, "does it end"),
        ({**_TF_CONFIG, "cluster": {"worker": CLUSTER[0]}}, "not one string"),
        ({**_TF_CONFIG, "task": {"type": "worker", "index": "2"}}, "not the string"),
    ),
)


def _pipeline(*steps: str) -> Any:
    """A make_dataset a learner might write: the named steps, in the given order."""

    def make_dataset(X: Any, y: Any, batch_size: int) -> Any:
        import tensorflow as tf

        dataset = tf.data.Dataset.from_tensor_slices((X, y))
        for step in steps:
            if step == "cache":
                dataset = dataset.cache()
            elif step == "shuffle":
                dataset = dataset.shuffle(len(X), seed=1)
            elif step == "small shuffle":
                dataset = dataset.shuffle(4, seed=1)
            elif step == "shuffle once":
                dataset = dataset.shuffle(len(X), seed=1, reshuffle_each_iteration=False)
            elif step == "batch, dropping the remainder":
                dataset = dataset.batch(batch_size, drop_remainder=True)
            elif step == "repeat":
                dataset = dataset.repeat()
            elif step == "batch":
                dataset = dataset.batch(batch_size)
            elif step == "prefetch":
                dataset = dataset.prefetch(tf.data.AUTOTUNE)
        return dataset

    return make_dataset


def _features_only(X: Any, y: Any, batch_size: int) -> Any:
    import tensorflow as tf

    return tf.data.Dataset.from_tensor_slices(X)


q4 = Exercise(
    "Exercise 4",
    _check_q4,
    hint=(
        "Section 5 lists the steps of a pipeline and the order they go in; which of them "
        "does the exercise ask for?",
        "from_tensor_slices((X, y)), then cache(), shuffle(len(X)), batch(batch_size), "
        "prefetch(tf.data.AUTOTUNE).",
    ),
    on_correct="Cache, then shuffle, then batch, then prefetch: the order of section 5.",
    right=(
        core.FromSolutions("make_dataset"),
        _pipeline("cache", "shuffle", "batch", "prefetch"),
    ),
    wrong=(
        (_pipeline("cache", "batch", "prefetch"), "original order"),
        (_pipeline("cache", "batch", "shuffle", "prefetch"), "Whole batches"),
        (_pipeline("shuffle", "cache", "batch", "prefetch"), "same order"),
        (_pipeline("cache", "small shuffle", "batch", "prefetch"), "buffer is small"),
        (_pipeline("cache", "shuffle", "batch"), "prefetch"),
        (_pipeline("shuffle", "batch", "prefetch"), "no .cache()"),
        (_pipeline("cache", "shuffle", "prefetch"), "not batches"),
        (lambda X, y, batch_size: X, "should return a tf.data.Dataset"),
        (_pipeline("cache", "shuffle once", "batch", "prefetch"), "reshuffle_each_iteration"),
        (
            _pipeline("cache", "shuffle", "batch, dropping the remainder", "prefetch"),
            "drop_remainder",
        ),
        (_pipeline("cache", "shuffle", "batch", "repeat", "prefetch"), "does it end"),
        (_features_only, "pair"),
    ),
)
q5 = Exercise(
    "Exercise 5",
    _check_q5,
    hint=(
        "Find the row with the highest val_accuracy, then read its worker column.",
        'trials["val_accuracy"].idxmax() gives the best trial\'s id; '
        'trials.loc[that_id, "worker"] reads its worker.',
    ),
    on_correct="tuner1 ran trial 4, the best one.",
    right=("tuner1", " tuner1 "),
    wrong=(
        ("tuner0", "another row"),
        ("4", "best trial's id"),
        ("chief", "not one of the workers"),
        (4, "as a string"),
    ),
)
q6 = Exercise(
    "Exercise 6",
    _check_q6,
    hint=(
        "What does the oracle remember about each tuner id?",
        "The oracle keeps one ongoing trial per tuner id: when an id that has a running "
        "trial asks for a trial, Oracle.create_trial hands back that same trial.",
    ),
    on_correct="One ongoing trial per tuner id: a restarted worker resumes it, so it runs once.",
    right=("b", " B "),
    wrong=(("a", "not lost"), ("c", "never trains"), ("d", "does not notice"), ("e", "one letter")),
)

exercises = core.ExerciseSet.of_module(__name__)
progress, assert_all_correct = exercises.progress, exercises.assert_all_correct

"""Exercise checks for chapter 9, scaling out."""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

import numpy as np

from utils.exercises import core
from utils.exercises.core import Built, Exercise, Incorrect
from utils.i18n import N_, _

# --- Exercise 2: the linear scaling rule --------------------------------------------


def _check_q2(answer: Any) -> None:
    if isinstance(answer, dict):
        raise Incorrect(_("Give a tuple of two numbers: (batch_size, learning_rate)."))
    items = core.finite_items(
        answer, N_("a tuple of two numbers: (batch_size, learning_rate)"), limit=10
    )
    if len(items) != 2:
        raise Incorrect(
            _("Give two numbers, (batch_size, learning_rate), not {count}.").format(
                count=len(items)
            )
        )
    batch = core.as_number(items[0], N_("a batch size"))
    rate = core.as_number(items[1], N_("a learning rate"))
    if batch == 256:
        raise Incorrect(_("256 is the batch per GPU; the global batch counts all 8 GPUs."))
    if batch != 2048:
        raise Incorrect(
            _("A global batch of {batch:g} is not 256 images on each of 8 GPUs.").format(
                batch=batch
            )
        )
    if math.isclose(rate, 0.001):
        raise Incorrect(
            _(
                "The batch is 8 times larger, so there are 8 times fewer steps: the linear "
                "scaling rule raises the learning rate by the same factor."
            )
        )
    if math.isclose(rate, 0.001 / 8):
        raise Incorrect(_("The rate goes up with the batch, not down."))
    if not math.isclose(rate, 0.008, rel_tol=1e-6):
        raise Incorrect(_("A learning rate of {rate:g} is not 8 times 0.001.").format(rate=rate))


# --- Exercise 3: TF_CONFIG ----------------------------------------------------------

CLUSTER = ["10.1.0.1:2222", "10.1.0.2:2222", "10.1.0.3:2222"]


def _check_q3(answer: Any) -> None:
    if isinstance(answer, str):
        try:
            answer = json.loads(answer)
        except ValueError:
            raise Incorrect(_("Your string is not valid JSON: try json.dumps(a_dict).")) from None
    if not isinstance(answer, dict):
        raise Incorrect(
            _("Give a dictionary (or its JSON string), not a {kind}.").format(
                kind=type(answer).__name__
            )
        )
    missing = [key for key in ("cluster", "task") if key not in answer]
    if missing:
        raise Incorrect(
            _("TF_CONFIG needs the keys 'cluster' and 'task'; {key} is missing.").format(
                key=repr(missing[0])
            )
        )
    cluster, task = answer["cluster"], answer["task"]
    if not isinstance(cluster, dict) or "worker" not in cluster:
        raise Incorrect(_("'cluster' should map the job name 'worker' to the list of addresses."))
    others = sorted(str(job) for job in cluster if job != "worker")
    if others:
        raise Incorrect(
            _("This cluster has workers only, no {job} job: worker 0 acts as the chief.").format(
                job=repr(others[0])
            )
        )
    addresses = cluster["worker"]
    if isinstance(addresses, str):
        raise Incorrect(_("'worker' should map to a list of the three addresses, not one string."))
    if core.finite_items(addresses, N_("a list of the worker addresses"), limit=100) != CLUSTER:
        raise Incorrect(
            _(
                "'cluster': {'worker': [...]} should list all three addresses, in the given "
                "order, identical on every machine."
            )
        )
    if not isinstance(task, dict) or task.get("type") != "worker":
        raise Incorrect(_("'task' should be {'type': 'worker', 'index': ...}."))
    index = task.get("index")
    if isinstance(index, str):
        raise Incorrect(
            _("The index is a whole number, not the string {index}.").format(index=repr(index))
        )
    if index == 3:
        raise Incorrect(_("Indices count from 0: the third machine is index 2."))
    if isinstance(index, bool) or index != 2:
        raise Incorrect(
            _("Index {index} points at another machine than the third one.").format(
                index=repr(index)
            )
        )


# --- Exercise 4: a tf.data pipeline -------------------------------------------------

N_EXAMPLES, BATCH = 200, 16
_MAX_ELEMENTS = 2 * N_EXAMPLES  # more elements than examples in one epoch: it never ends


def _labels_of_one_epoch(dataset: Any) -> list[np.ndarray]:
    try:
        elements = core.finite_items(dataset, N_("a dataset that ends"), limit=_MAX_ELEMENTS)
    except Incorrect:
        raise Incorrect(
            _(
                "Your dataset gave more than {limit} elements for {examples} examples: "
                "does it end? Leave out .repeat(): fit goes through the epochs itself."
            ).format(limit=_MAX_ELEMENTS, examples=N_EXAMPLES)
        ) from None
    batches = []
    try:
        for element in elements:
            if not isinstance(element, tuple) or len(element) != 2:
                raise Incorrect(
                    _(
                        "Each element of your dataset should be a (features, label) pair: "
                        "from_tensor_slices((X, y))."
                    )
                )
            features, labels = (np.asarray(part) for part in element)
            if labels.ndim == 0:
                raise Incorrect(
                    _("Your dataset yields single examples, not batches: use .batch(batch_size).")
                )
            if features.ndim != 2 or not np.array_equal(features[:, 0], labels):
                raise Incorrect(_("Features and labels got separated: keep (X, y) together."))
            batches.append(labels.astype(int))
    except Incorrect:
        raise
    except Exception as error:
        raise Incorrect(
            _("Going through your dataset failed ({kind}).").format(kind=type(error).__name__)
        ) from None
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
        raise Incorrect(
            _("make_dataset should return a tf.data.Dataset, not {kind}.").format(
                kind=type(dataset)
            )
        )
    epochs = [_labels_of_one_epoch(dataset) for _ in range(2)]
    sizes = [len(batch) for batch in epochs[0]]
    expected_sizes = [BATCH] * (N_EXAMPLES // BATCH) + [N_EXAMPLES % BATCH]
    if sizes == expected_sizes[:-1]:
        raise Incorrect(
            _(
                "The last {rest} examples are missing from every epoch: "
                "drop_remainder=True drops the last, smaller batch. Keep it (the default)."
            ).format(rest=N_EXAMPLES % BATCH)
        )
    if sorted(sizes, reverse=True) != expected_sizes:
        raise Incorrect(
            _(
                "With {examples} examples and batch_size={batch}, expected {count} batches of "
                "{batch} (the last one of {rest}); got sizes {sizes}. Use .batch(batch_size)."
            ).format(
                examples=N_EXAMPLES,
                batch=BATCH,
                count=len(expected_sizes),
                rest=N_EXAMPLES % BATCH,
                sizes=f"{sizes[:5]}{'...' if len(sizes) > 5 else ''}",
            )
        )
    orders = [np.concatenate(epoch) for epoch in epochs]
    if any(sorted(order) != list(range(N_EXAMPLES)) for order in orders):
        raise Incorrect(_("Each epoch should hold every example exactly once."))
    if np.array_equal(orders[0], y):
        raise Incorrect(_("The examples come out in their original order: add .shuffle(...)."))
    if all(np.array_equal(np.sort(b), np.arange(b.min(), b.max() + 1)) for b in epochs[0]):
        raise Incorrect(_("Whole batches were shuffled, not examples: shuffle before you batch."))
    stages = _stage_names(dataset)
    if np.array_equal(orders[0], orders[1]) and _cached_before_shuffle(stages):
        raise Incorrect(
            _(
                "Both epochs came out in the same order although the cache comes before the "
                "shuffle: leave reshuffle_each_iteration at its default, True."
            )
        )
    if np.array_equal(orders[0], orders[1]):
        raise Incorrect(
            _(
                "Both epochs came out in the same order: a cache placed after the shuffle "
                "stores the first epoch's order. Cache first, then shuffle."
            )
        )
    if all(epoch[0].max() < N_EXAMPLES // 2 for epoch in epochs):
        raise Incorrect(
            _(
                "The first batch only ever holds early examples: your shuffle buffer is small. "
                "Use a buffer as large as the data set, len(X)."
            )
        )
    if not stages or "Prefetch" not in stages[0]:
        raise Incorrect(_("End the pipeline with .prefetch(tf.data.AUTOTUNE)."))
    if len(stages) > 1 and not any("Cache" in name for name in stages):
        raise Incorrect(_("There is no .cache() step: add it before the shuffle."))


# --- Exercise 5: reading a search's results -----------------------------------------


def _check_q5(answer: Any) -> None:
    if not isinstance(answer, str):
        raise Incorrect(
            _("Give the worker's id as a string such as 'tuner0', not a {kind}.").format(
                kind=type(answer).__name__
            )
        )
    worker = answer.strip()
    if worker == "tuner1":
        return
    if worker == "4":
        raise Incorrect(_("'4' is the best trial's id: give the worker that ran it."))
    if worker == "tuner0":
        raise Incorrect(
            _("tuner0 ran trials 1, 3 and 5; the best validation accuracy is in another row.")
        )
    raise Incorrect(
        _("{worker} is not one of the workers in the table.").format(worker=repr(worker))
    )


# --- Exercise 6: a worker killed mid-trial ------------------------------------------

_check_q6 = core.multiple_choice(
    "b",
    why_not={
        "a": N_("The oracle keeps the trial as 'running' for its tuner id, so it is not lost."),
        "c": N_("The chief only runs the oracle: it never trains a model."),
        "d": N_("The chief does not notice that a worker died: it hands out no trial on its own."),
    },
    choices="abcd",
)


# --- The exercise set ---------------------------------------------------------------

q1 = core.number_question(
    N_("Exercise 1"),
    128,
    what=N_("a number of images"),
    why_not={
        512: N_("512 is the global batch, what one step sees over all replicas: fit splits it."),
        2048: N_("2048 would be 512 per GPU; the batch size given to fit is the total."),
    },
    otherwise=N_("{given:g} images is not it: divide the global batch among the GPUs."),
    hint=(
        N_("Is the batch size you give fit meant for one replica, or for the whole step?"),
        N_(
            "fit's batch_size is the global batch: it is split evenly among the "
            "num_replicas_in_sync replicas, one slice per GPU."
        ),
    ),
    on_correct=N_("128 images per GPU per step, 512 per step in all."),
    right=(np.int64(128),),
    wrong=((100, "divide the global batch"), ("128", "Expected a number of images")),
)
q2 = Exercise(
    N_("Exercise 2"),
    _check_q2,
    hint=(
        N_("Start with the global batch: how many images does one step see over all 8 GPUs?"),
        N_(
            "Global batch = per-GPU batch × number of GPUs; the linear scaling rule multiplies "
            "the learning rate by the same factor as the batch."
        ),
    ),
    on_correct=N_("(2048, 0.008): start with a few epochs of warm-up, and check with a finder."),
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
    N_("Exercise 3"),
    _check_q3,
    hint=(
        N_("Every machine gets the same 'cluster'; only its 'task' differs."),
        N_(
            "Section 4 shows the shape: {'cluster': {'worker': [the three addresses, in "
            "order]}, 'task': {'type': 'worker', 'index': ...}}, with indices counted from 0."
        ),
    ),
    on_correct=N_("Every machine gets the same 'cluster' and its own 'task' index."),
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
    N_("Exercise 4"),
    _check_q4,
    hint=(
        N_(
            "Section 5 lists the steps of a pipeline and the order they go in; which of them "
            "does the exercise ask for?"
        ),
        N_(
            "from_tensor_slices((X, y)), then cache(), shuffle(len(X)), batch(batch_size), "
            "prefetch(tf.data.AUTOTUNE)."
        ),
    ),
    on_correct=N_("Cache, then shuffle, then batch, then prefetch: the order of section 5."),
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
    N_("Exercise 5"),
    _check_q5,
    hint=(
        N_("Find the row with the highest val_accuracy, then read its worker column."),
        N_(
            'trials["val_accuracy"].idxmax() gives the best trial\'s id; '
            'trials.loc[that_id, "worker"] reads its worker.'
        ),
    ),
    on_correct=N_("tuner1 ran trial 4, the best one."),
    right=("tuner1", " tuner1 "),
    wrong=(
        ("tuner0", "another row"),
        ("4", "best trial's id"),
        ("chief", "not one of the workers"),
        (4, "as a string"),
    ),
)
q6 = Exercise(
    N_("Exercise 6"),
    _check_q6,
    hint=(
        N_("What does the oracle remember about each tuner id?"),
        N_(
            "The oracle keeps one ongoing trial per tuner id: when an id that has a running "
            "trial asks for a trial, Oracle.create_trial hands back that same trial."
        ),
    ),
    on_correct=N_(
        "One ongoing trial per tuner id: a restarted worker resumes it, so it runs once."
    ),
    right=("b", " B "),
    wrong=(("a", "not lost"), ("c", "never trains"), ("d", "does not notice"), ("e", "one letter")),
)

exercises = core.ExerciseSet.of_module(__name__)
progress, assert_all_correct = exercises.progress, exercises.assert_all_correct

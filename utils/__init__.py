"""Helpers shared by the notebooks of the course "Neural networks with Keras".

Each module has one job (tests/test_utils_index.py keeps this list complete):

- ``utils.course_setup``: the first code cell of every notebook, as a real module.
- ``utils.environment``: what that cell calls: the right packages, then their versions.
- ``utils.backends``: which Keras backend runs, and the parts only TensorFlow can do.
- ``utils.i18n``: the learner's language: the helpers' messages in English or Korean.
- ``utils.fonts``: a font with Hangul for matplotlib, so Korean figures render.
- ``utils.quiet``: quiet TensorFlow's start-up and retracing noise the same way everywhere.
- ``utils.reproducibility``: seed every random number generator in one call.
- ``utils.paths``: where notebooks write their figures and per-chapter outputs.
- ``utils.integrity``: checksums and all-or-nothing file writes.
- ``utils.data``: load the course data sets, offline from a mirror when needed.
- ``utils.splits``: the standard train / validation / test splits, the same every time.
- ``utils.models``: model classes a saved file needs importable (chapter 5's wide & deep).
- ``utils.plots``: figures that several chapters draw, and saving them.
- ``utils.results``: check a notebook's headline results against their floors.
- ``utils.lr_finder``: find a learning rate: the callback, the rule that picks one, the plot.
- ``utils.tensorboard_logs``: one new TensorBoard log folder per run, and reading logs back.
- ``utils.distributed_tuning``: run one Keras Tuner search as a chief and worker processes.
- ``utils.exercises``: the exercise checks at the end of every chapter:
  - ``utils.exercises.core``: how a check, its hints and its example answers behave.
  - ``utils.exercises.chNN``: one chapter's exercises (``ch01`` ...), as course.toml orders them.
"""

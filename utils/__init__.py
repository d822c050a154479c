"""Helpers shared by the notebooks of the course "Neural networks with Keras".

Each module has one job:

- ``utils.data``: load the course data sets, offline from a mirror when needed.
- ``utils.reproducibility``: seed every random number generator in one call.
- ``utils.plots``: figures that several chapters draw, and saving them.
- ``utils.results``: check a notebook's headline results against their floors.
- ``utils.exercises``: the exercise checks at the end of every chapter.
"""

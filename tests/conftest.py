"""Shared test helpers: the book's reference loop, written out for bit-for-bit comparisons."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import settings

# Hypothesis draws new examples on every run, except in CI, where a run must be
# reproducible: there it is derandomized (the examples follow from each test).
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def book_gradient(f, x):
    """The textbook's central-difference loop (h = 1e-4), as the reference to match.

    It mutates and restores ``x`` and keeps ``x``'s dtype for the result,
    which is what makes it wrong for integer arrays.
    """
    h = 1e-4
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        upper = f(x)
        x[index] = saved - h
        lower = f(x)
        grad[index] = (upper - lower) / (2 * h)
        x[index] = saved
    return grad


@pytest.fixture
def rng():
    return np.random.default_rng(20261128)


# The benchmark is a script run by `nox -s bench`, not a test module; its peers
# (scipy, numdifftools) are not installed in the tests session.
collect_ignore = ["benchmark.py", "benchmark_beyond.py", "benchmark_common.py"]

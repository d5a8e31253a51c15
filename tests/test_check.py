"""check_gradient catches wrong gradients and reports where."""

from __future__ import annotations

import numpy as np
import pytest

from numgrad import check_gradient


def f(x):
    return np.sum(np.sin(x) * x)


def gradient(x):
    return np.sin(x) + x * np.cos(x)


@pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
def test_right_gradient_passes(shape, rng):
    x = rng.uniform(-2, 2, size=shape)
    result = check_gradient(f, x, gradient(x))
    assert result.passed
    assert bool(result)
    assert result.max_abs_error < 1e-8
    np.testing.assert_allclose(result.numerical, gradient(x), atol=1e-8)


def test_wrong_gradient_is_caught_at_the_right_index(rng):
    x = rng.uniform(-2, 2, size=(2, 3))
    wrong = gradient(x)
    wrong[1, 2] += 1e-3
    result = check_gradient(f, x, wrong)
    assert not result.passed
    assert result.worst_index == (1, 2)
    assert result.max_abs_error == pytest.approx(1e-3, rel=1e-3)
    assert "FAILED" in repr(result)
    assert "(1, 2)" in repr(result)


def test_a_forgotten_factor_is_caught():
    x = np.array([0.5, 1.0, 2.0])
    assert not check_gradient(lambda v: np.sum(v**2), x, x).passed


def test_bad_arguments():
    x = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match="grad must have x's shape"):
        check_gradient(f, x, np.zeros(3))
    with pytest.raises(ValueError, match="rtol must be a non-negative"):
        check_gradient(f, x, gradient(x), rtol=-1.0)

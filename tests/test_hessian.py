"""numerical_hessian against analytic Hessians: shapes, symmetry, orders, steps."""

from __future__ import annotations

import numpy as np
import pytest

from numgrad import numerical_hessian

METHODS = ["central", "richardson", "complex"]


def quartic(x):
    """f(x) = sum(exp(x/2) sin x) + (sum x)**2 / 2 + (c . x)**3 / 6, any shape of x."""
    flat = np.reshape(x, -1)
    c = np.arange(1, flat.size + 1) / flat.size
    return np.sum(np.exp(flat / 2) * np.sin(flat)) + np.sum(flat) ** 2 / 2 + (c @ flat) ** 3 / 6


def quartic_hessian(x):
    flat = np.reshape(x, -1)
    n = flat.size
    c = np.arange(1, n + 1) / n
    e = np.exp(flat / 2)
    diagonal = e * (np.cos(flat) - 0.75 * np.sin(flat))  # (e^{x/2} sin x)''
    hessian = np.diag(diagonal) + np.ones((n, n)) + (c @ flat) * np.outer(c, c)
    return hessian.reshape(np.shape(x) * 2)


@pytest.mark.parametrize("shape", [(1,), (4,), (2, 2)])
@pytest.mark.parametrize("method", METHODS)
def test_against_the_analytic_hessian(shape, method, rng):
    x = rng.uniform(-1, 1, size=shape)
    hessian = numerical_hessian(quartic, x, method=method)
    assert hessian.shape == shape * 2
    bound = {"central": 1e-6, "richardson": 1e-9, "complex": 1e-9}[method]
    np.testing.assert_allclose(hessian, quartic_hessian(x), atol=bound)


@pytest.mark.parametrize("method", METHODS)
def test_exactly_symmetric(method, rng):
    x = rng.uniform(-1, 1, size=5)
    hessian = numerical_hessian(quartic, x, method=method)
    np.testing.assert_array_equal(hessian, hessian.T)


@pytest.mark.parametrize(("method", "order"), [("central", 2), ("richardson", 4), ("complex", 2)])
def test_convergence_order(method, order):
    x = np.array([0.3, -0.5])
    exact = quartic_hessian(x)
    steps = np.logspace(-1.0, -1.8, 6) if order < 4 else np.logspace(-0.4, -1.0, 6)
    errors = [np.abs(numerical_hessian(quartic, x, h, method=method) - exact).max() for h in steps]
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert slope == pytest.approx(order, abs=0.2)


def test_an_array_of_steps_and_bad_steps():
    x = np.array([0.3, -0.5])
    mixed = numerical_hessian(quartic, x, [1e-3, 1e-4])
    np.testing.assert_allclose(mixed, quartic_hessian(x), atol=1e-5)
    with pytest.raises(ValueError, match=r"h must be broadcastable to x's shape \(2,\)"):
        numerical_hessian(quartic, x, [1e-3, 1e-3, 1e-3])
    with pytest.raises(ValueError, match=r"h must be positive and finite everywhere; h\[0\]"):
        numerical_hessian(quartic, x, [0.0, 1e-3])
    with pytest.raises(ValueError, match="method must be one of"):
        numerical_hessian(quartic, x, method="forward")


def test_f_that_ignores_its_argument_warns():
    # An int x is copied: an f that reads the weights through an object sees no change.
    weights = np.array([1, 2])
    with pytest.warns(RuntimeWarning, match="f seems to ignore its argument"):
        hessian = numerical_hessian(lambda _: float(np.sum(weights**2)), weights)
    assert not hessian.any()


def test_the_books_idiom_works_for_a_writeable_float_x():
    # Perturbed in place, as the gradient perturbs it: f may read x through an object.
    weights = np.array([1.0, 2.0])
    hessian = numerical_hessian(lambda _: float(np.sum(weights**3)), weights)
    np.testing.assert_allclose(hessian, np.diag(6 * weights), rtol=1e-6)


def test_f_may_not_change_its_argument():
    def clobbers(v):
        v[0] = 0.0
        return float(np.sum(v**2))

    with pytest.raises(ValueError, match="f must not change its argument"):
        numerical_hessian(clobbers, np.ones(2))


def test_x_is_never_changed(rng):
    x = rng.standard_normal(3)
    before = x.tobytes()
    numerical_hessian(quartic, x, method="richardson")
    assert x.tobytes() == before

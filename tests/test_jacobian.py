"""numerical_jacobian against analytic Jacobians, over shapes in and out."""

from __future__ import annotations

import numpy as np
import pytest

from numgrad import numerical_gradient, numerical_jacobian

METHODS = ["central", "forward", "backward", "richardson", "complex"]
SHAPES = [(), (3,), (2, 3)]


def elementwise(x):
    """f(x) = (sin x, x**2 exp(x/3)), shape (2, *x.shape): a Jacobian that is diagonal."""
    return np.stack([np.sin(x), x**2 * np.exp(x / 3)])


def elementwise_jacobian(x):
    shape = np.shape(x)
    n = int(np.prod(shape))
    slopes = np.stack([np.cos(x), (2 * x + x**2 / 3) * np.exp(x / 3)]).reshape(2, n)
    jacobian = np.zeros((2, n, n))
    jacobian[:, np.arange(n), np.arange(n)] = slopes
    return jacobian.reshape((2, *shape, *shape))


def tolerance(method, h):
    if method in ("forward", "backward"):
        return 1e-3 if h == 1e-4 else 1e-6
    return 1e-7 if h == 1e-4 else 1e-9


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("h", [1e-4, "auto"])
def test_against_the_analytic_jacobian(shape, method, h, rng):
    x = rng.uniform(-1.5, 1.5, size=shape)
    jacobian = numerical_jacobian(elementwise, x, h, method=method)
    assert jacobian.shape == (2, *shape, *shape)
    np.testing.assert_allclose(jacobian, elementwise_jacobian(x), atol=tolerance(method, h))


@pytest.mark.parametrize("method", METHODS)
def test_matrix_in_matrix_out(method, rng):
    # d(W @ W)[i, j] / dW[k, l] = delta_ik W_lj + W_ik delta_jl
    W = rng.standard_normal((3, 3))
    eye = np.eye(3)
    exact = np.einsum("ik,lj->ijkl", eye, W) + np.einsum("ik,jl->ijkl", W, eye)
    jacobian = numerical_jacobian(lambda M: M @ M, W, "auto", method=method)
    assert jacobian.shape == (3, 3, 3, 3)
    np.testing.assert_allclose(
        jacobian, exact, atol=1e-6 if method in ("forward", "backward") else 1e-9
    )


def test_a_scalar_f_gives_the_gradient(rng):
    x = rng.standard_normal((2, 3))
    f = lambda v: float(np.sum(np.sin(v) * v))
    np.testing.assert_array_equal(numerical_jacobian(f, x), numerical_gradient(f, x))


@pytest.mark.parametrize("method", METHODS)
def test_vectorized_matches_the_loop(method, rng):
    x = rng.uniform(-1, 1, size=(4,))

    def stacked(stack):  # (m, 4) -> (m, 2, 4)
        return np.stack([np.sin(stack), stack**2 * np.exp(stack / 3)], axis=1)

    loop = numerical_jacobian(elementwise, x, method=method)
    np.testing.assert_allclose(
        numerical_jacobian(stacked, x, method=method, vectorized=True), loop, rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize(
    ("method", "order"),
    [("forward", 1), ("backward", 1), ("central", 2), ("richardson", 4), ("complex", 2)],
)
def test_convergence_order(method, order):
    x = np.array([0.4, -0.7])
    exact = elementwise_jacobian(x)
    steps = np.logspace(-1.0, -2.0, 6) if order < 4 else np.logspace(-0.3, -1.0, 6)
    errors = [
        np.abs(numerical_jacobian(elementwise, x, h, method=method) - exact).max() for h in steps
    ]
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert slope == pytest.approx(order, abs=0.15)


def test_an_array_of_steps_is_one_step_per_element():
    x = np.array([0.5, 2.0])
    steps = np.array([1e-2, 1e-5])
    jacobian = numerical_jacobian(elementwise, x, steps)
    for j, step in enumerate(steps):
        one = numerical_jacobian(elementwise, x, float(step))
        np.testing.assert_array_equal(jacobian[..., j], one[..., j])


@pytest.mark.parametrize(
    ("h", "message"),
    [
        (np.ones(3) * 1e-4, r"h must be broadcastable to x's shape \(2,\)"),
        ([1e-4, 0.0], r"h must be positive and finite everywhere; h\[1\] = 0.0"),
        (-1e-4, "h must be a positive finite number"),
    ],
)
def test_bad_steps_are_named(h, message):
    with pytest.raises(ValueError, match=message):
        numerical_jacobian(elementwise, np.array([0.5, 2.0]), h)


def test_outputs_of_changing_shape_are_an_error():
    calls = []

    def f(v):
        calls.append(1)
        return np.zeros(len(calls) % 2 + 1)

    with pytest.raises(ValueError, match="f must return arrays of one shape"):
        numerical_jacobian(f, np.ones(2))


def test_the_input_is_restored_and_integers_work():
    x = np.array([1.0, -0.0, 3.0])
    before = x.tobytes()
    numerical_jacobian(elementwise, x)
    assert x.tobytes() == before
    np.testing.assert_allclose(
        numerical_jacobian(elementwise, np.array([1, 2])),
        elementwise_jacobian(np.array([1.0, 2.0])),
        atol=1e-7,
    )

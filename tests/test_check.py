"""check_gradient catches wrong gradients and reports where."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# A network of the book's chapter 5, written here from its equations: the
# reference for what check_gradient must accept and what it must reject.
def two_layer_net(sizes, activation, rng, *, offset=1e-7):
    inputs, hidden, classes = sizes
    params = {
        "W1": 0.01 * rng.standard_normal((inputs, hidden)),
        "b1": np.zeros(hidden),
        "W2": 0.01 * rng.standard_normal((hidden, classes)),
        "b2": np.zeros(classes),
    }

    def forward(x):
        a1 = x @ params["W1"] + params["b1"]
        z1 = 1 / (1 + np.exp(-a1)) if activation == "sigmoid" else np.maximum(a1, 0)
        scores = z1 @ params["W2"] + params["b2"]
        shifted = scores - scores.max(axis=1, keepdims=True)
        log_y = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        return a1, z1, np.exp(log_y), log_y

    def loss(x, t):
        # The book adds 1e-7 inside the log, which its backprop ignores.
        _, _, y, log_y = forward(x)
        return -np.sum(t * (np.log(y + offset) if offset else log_y)) / len(x)

    def backprop(x, t):
        a1, z1, y, _ = forward(x)
        delta2 = (y - t) / len(x)
        slope = z1 * (1 - z1) if activation == "sigmoid" else (a1 > 0).astype(float)
        delta1 = (delta2 @ params["W2"].T) * slope
        return {
            "W1": x.T @ delta1,
            "b1": delta1.sum(axis=0),
            "W2": z1.T @ delta2,
            "b2": delta2.sum(axis=0),
        }

    return params, loss, backprop


def random_batch(sizes, batch, rng):
    x = rng.random((batch, sizes[0]))
    t = np.eye(sizes[2])[rng.integers(0, sizes[2], batch)]
    return x, t


@pytest.mark.parametrize("sizes", [(784, 50, 10), (20, 10, 5), (64, 50, 10)])
@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_correct_backprop_passes_and_broken_backprop_fails(sizes, activation, rng):
    params, loss, backprop = two_layer_net(sizes, activation, rng)
    batch = 3
    x, t = random_batch(sizes, batch, rng)
    grads = backprop(x, t)
    for name, W in params.items():
        # The book's idiom: f ignores its argument, W is perturbed in place.
        result = check_gradient(lambda _: loss(x, t), W, grads[name])
        assert result.passed, (name, result)
        if W.size > 10_000:
            continue  # the broken variants of the largest array take seconds each
        forgot_batch_size = grads[name] * batch
        assert not check_gradient(lambda _: loss(x, t), W, forgot_batch_size).passed, name
        off = grads[name].copy()
        index = np.unravel_index(rng.integers(off.size), off.shape)
        off[index] += 0.01 * np.abs(off).max()
        result = check_gradient(lambda _: loss(x, t), W, off)
        assert not result.passed, name
        assert result.worst_index == tuple(int(i) for i in index)


@settings(max_examples=30, deadline=None)
@given(
    st.tuples(st.integers(1, 8), st.integers(1, 6), st.integers(2, 5)),
    st.integers(1, 6),
    st.sampled_from(["sigmoid", "relu"]),
    st.integers(0, 2**32 - 1),
)
def test_exact_gradients_of_random_networks_pass(sizes, batch, activation, seed):
    rng = np.random.default_rng(seed)
    # Without the book's 1e-7, backprop's gradient is the loss's exact one.
    params, loss, backprop = two_layer_net(sizes, activation, rng, offset=0.0)
    for name in params:  # weights of any size, not only the book's 0.01
        params[name] += rng.standard_normal(params[name].shape) * rng.choice([1e-8, 1e-3, 0.3, 1.0])
    x, t = random_batch(sizes, batch, rng)
    grads = backprop(x, t)
    for name, W in params.items():
        result = check_gradient(lambda _: loss(x, t), W, grads[name])
        assert result.passed, (name, result)


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_numgrad_two_layer_net_gradient_passes(activation, rng):
    from numgrad import TwoLayerNet

    net = TwoLayerNet(12, 6, 4, activation=activation, rng=rng)
    x, labels = rng.random((5, 12)), rng.integers(0, 4, 5)
    grads = net.gradient(x, labels)
    for name, W in net.params.items():
        assert check_gradient(lambda _: net.loss(x, labels), W, grads[name]).passed


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_in_grad_fails(bad):
    x = np.array([0.5, 1.0, 2.0])
    grad = np.cos(x)
    grad[1] = bad
    result = check_gradient(lambda v: np.sum(np.sin(v)), x, grad)
    assert not result.passed
    assert result.worst_index == (1,)
    assert not np.isfinite(result.max_abs_error)


def test_all_nan_grad_fails_and_shows_nan():
    result = check_gradient(np.sum, np.ones(3), np.full(3, np.nan))
    assert not result.passed
    assert np.isnan(result.max_abs_error)
    assert np.isnan(result.max_rel_error)
    assert "nan" in repr(result)


def test_nan_in_the_numerical_gradient_fails():
    x = np.array([4.0, 0.0, 9.0])
    with pytest.warns(RuntimeWarning), np.errstate(invalid="ignore"):
        result = check_gradient(lambda v: np.sum(np.sqrt(v)), x, 0.5 / np.sqrt(x + 1e-300))
    assert not result.passed


@pytest.mark.parametrize("name", ["rtol", "atol"])
@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("1e-5", TypeError),
        (None, TypeError),
        (np.ones(2), TypeError),
        (1j, TypeError),
        (True, TypeError),
        (-1e-5, ValueError),
        (np.nan, ValueError),
        (np.inf, ValueError),
    ],
)
def test_tolerances_are_validated_and_named(name, value, error):
    with pytest.raises(error, match=f"{name} must be a non-negative finite number"):
        check_gradient(np.sum, np.ones(2), np.ones(2), **{name: value})


def test_the_relative_error_is_relative_to_the_largest_element():
    # An element that nearly cancels is judged against the gradient's scale.
    x = np.array([1.0, 1e-9])
    grad = np.array([2.0, 2e-9 + 1e-7])
    result = check_gradient(lambda v: np.sum(v**2), x, grad)
    assert result.passed
    assert result.max_rel_error == pytest.approx(1e-7 / 2, rel=1e-3)


def test_a_float_matrix_works():
    # np.matrix indexes rows as matrices; numgrad perturbs a plain view of it.
    with pytest.warns(PendingDeprecationWarning):
        x = np.matrix([[1.0, 2.0], [3.0, 4.0]])
    result = check_gradient(lambda m: float(np.sum(np.asarray(m) ** 2)), x, 2 * np.asarray(x))
    assert result.passed
    assert isinstance(x, np.matrix)
    np.testing.assert_array_equal(x, [[1.0, 2.0], [3.0, 4.0]])


STEP = np.finfo(np.float64).eps ** (1 / 3)  # the auto pilot's step at |x| <= 1


@pytest.mark.parametrize("where", [-1.1, -0.5, -1 / 3, -0.25, -1e-3, 1e-3, 1 / 6, 1 / 3, 0.4, 0.9])
def test_a_kink_inside_the_step_does_not_fail_the_right_gradient(where):
    # A ReLU's kink at x + where * step: the numerical gradient straddles it,
    # and backprop's one-sided slope is still right.
    x = np.array([0.3])
    kink = x[0] + where * STEP

    def f(v):
        return float(np.sum(2 * np.maximum(v - kink, 0) + 0.5 * v))

    slope = np.array([2.0 * (x[0] > kink) + 0.5])
    assert check_gradient(f, x, slope).passed
    assert not check_gradient(f, x, slope + 0.02).passed

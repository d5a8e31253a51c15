"""TwoLayerNet's stacked loss: the loss of many values of one parameter per call."""

from __future__ import annotations

import numpy as np
import pytest

from numgrad import TwoLayerNet


def _net_and_batch(rng, activation="sigmoid", sizes=(7, 5, 4), batch=9):
    net = TwoLayerNet(*sizes, activation=activation, weight_init_std=0.5, rng=rng)
    x = rng.normal(size=(batch, sizes[0]))
    t = rng.integers(0, sizes[2], size=batch)
    return net, x, t


def _loss_with(net, x, t, name, value):
    saved = net.params[name].copy()
    net.params[name][...] = value
    try:
        return net.loss(x, t)
    finally:
        net.params[name][...] = saved


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("name", ["W1", "b1", "W2", "b2"])
def test_each_stacked_loss_is_the_loss_with_that_value(name, activation, rng):
    net, x, t = _net_and_batch(rng, activation)
    stack = net.params[name] + rng.normal(size=(6, *net.params[name].shape))
    expected = [_loss_with(net, x, t, name, value) for value in stack]
    np.testing.assert_allclose(net.loss_stack(x, t, name, stack), expected, rtol=1e-12)


def test_one_hot_targets_give_the_same_losses(rng):
    net, x, t = _net_and_batch(rng)
    stack = net.params["W2"] + rng.normal(size=(3, *net.params["W2"].shape))
    one_hot = np.eye(4)[t]
    np.testing.assert_array_equal(
        net.loss_stack(x, one_hot, "W2", stack), net.loss_stack(x, t, "W2", stack)
    )


def test_a_stack_larger_than_one_slice_is_computed_slice_by_slice(rng):
    # 2**16 // (200 inputs * 10 units) = 32 values per slice: 100 values need 4 slices.
    net, x, t = _net_and_batch(rng, sizes=(3, 10, 10), batch=200)
    stack = net.params["b1"] + rng.normal(size=(100, 10))
    expected = [_loss_with(net, x, t, "b1", value) for value in stack]
    np.testing.assert_allclose(net.loss_stack(x, t, "b1", stack), expected, rtol=1e-12)


def test_vectorized_numerical_gradient_matches_the_loop_and_backprop(rng):
    net, x, t = _net_and_batch(rng)
    loop = net.numerical_gradient(x, t)
    stacked = net.numerical_gradient(x, t, vectorized=True)
    backprop = net.gradient(x, t)
    for name in net.params:
        np.testing.assert_allclose(stacked[name], loop[name], rtol=1e-7, atol=1e-10)
        np.testing.assert_allclose(stacked[name], backprop[name], rtol=1e-4, atol=1e-8)


def test_the_stacked_loss_leaves_the_parameters_alone(rng):
    net, x, t = _net_and_batch(rng)
    before = {name: value.copy() for name, value in net.params.items()}
    net.numerical_gradient(x, t, vectorized=True)
    for name, value in net.params.items():
        np.testing.assert_array_equal(value, before[name])


@pytest.mark.parametrize(
    ("name", "stack", "message"),
    [
        ("W3", np.zeros((1, 7, 5)), "name must be one of W1, b1, W2, b2"),
        ("W1", np.zeros((7, 5)), r"stack must have shape \(m, 7, 5\) for W1"),
        ("b2", np.zeros((2, 3)), r"stack must have shape \(m, 4\) for b2"),
    ],
)
def test_bad_names_and_shapes_are_named(name, stack, message, rng):
    net, x, t = _net_and_batch(rng)
    with pytest.raises(ValueError, match=message):
        net.loss_stack(x, t, name, stack)


@pytest.mark.parametrize(
    "t",
    [
        np.array([0, 1, 2, 3, 4, 0, 1, 2, 3]),  # a label out of range
        np.array([0, 1, 2, 3, -1, 0, 1, 2, 3]),  # a negative label would wrap around
        np.full((9, 4), 0.25),  # soft labels: loss_stack only knows one right class
        np.zeros(9),  # float labels
        np.array([0, 1, 2]),  # too few
    ],
)
def test_targets_it_cannot_take_are_refused(t, rng):
    net, x, _ = _net_and_batch(rng)
    with pytest.raises(ValueError, match=r"t must be 9 integer labels in 0\.\.3"):
        net.loss_stack(x, t, "b2", net.params["b2"][np.newaxis])

"""gradient_descent: the update, the history, and that init_x is never touched."""

from __future__ import annotations

import numpy as np
import pytest

from numgrad import gradient_descent


def bowl(x):
    return np.sum(x**2)


@pytest.mark.parametrize("shape", [(), (2,), (2, 3)])
def test_converges_to_the_minimum_for_any_shape(shape, rng):
    init_x = rng.uniform(-3, 3, size=shape)
    x = gradient_descent(bowl, init_x, lr=0.1, step_num=200)
    assert x.shape == init_x.shape
    np.testing.assert_allclose(x, 0.0, atol=1e-12)


def test_one_step_is_x_minus_lr_times_gradient():
    init_x = np.array([-3.0, 4.0])
    np.testing.assert_allclose(
        gradient_descent(bowl, init_x, lr=0.25, step_num=1), [-1.5, 2.0], rtol=1e-9
    )


def test_init_x_is_not_modified_and_integers_work():
    init_x = np.array([-3, 4])
    x = gradient_descent(bowl, init_x, lr=0.1, step_num=10)
    np.testing.assert_array_equal(init_x, [-3, 4])
    assert x.dtype == np.float64
    np.testing.assert_allclose(x, np.array([-3, 4]) * 0.8**10, rtol=1e-8)


def test_history_from_init_x_to_the_final_point():
    init_x = np.array([-3.0, 4.0])
    x, history = gradient_descent(bowl, init_x, lr=0.1, step_num=20, history=True)
    assert history.shape == (21, 2)
    np.testing.assert_array_equal(history[0], init_x)
    np.testing.assert_array_equal(history[-1], x)
    np.testing.assert_array_equal(init_x, [-3.0, 4.0])


def test_zero_steps_returns_a_copy_of_init_x():
    init_x = np.array([1.0, 2.0])
    x, history = gradient_descent(bowl, init_x, step_num=0, history=True)
    np.testing.assert_array_equal(x, init_x)
    assert x is not init_x
    assert history.shape == (1, 2)


def test_f_raising_leaves_init_x_untouched():
    init_x = np.array([1.0, 2.0])

    def f(v):
        raise ArithmeticError

    with pytest.raises(ArithmeticError):
        gradient_descent(f, init_x)
    np.testing.assert_array_equal(init_x, [1.0, 2.0])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"lr": 0.0}, ValueError, "lr must be a positive finite number"),
        ({"lr": -0.1}, ValueError, "lr must be a positive finite number"),
        ({"lr": float("nan")}, ValueError, "lr must be a positive finite number"),
        ({"lr": float("inf")}, ValueError, "lr must be a positive finite number"),
        ({"lr": "0.1"}, TypeError, "lr must be a positive finite number"),
        ({"step_num": -1}, ValueError, "step_num must be a non-negative integer"),
        ({"step_num": 2.5}, TypeError, "step_num must be a non-negative integer"),
        ({"step_num": True}, TypeError, "step_num must be a non-negative integer"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        gradient_descent(bowl, np.array([1.0, 2.0]), **kwargs)


def test_bad_init_x():
    with pytest.raises(TypeError, match="init_x must be a real"):
        gradient_descent(bowl, ["a", "b"])


@pytest.mark.parametrize("history", ["no", 0, None])
def test_history_must_be_a_bool(history):
    with pytest.raises(TypeError, match="history must be True or False"):
        gradient_descent(bowl, np.array([1.0, 2.0]), history=history)

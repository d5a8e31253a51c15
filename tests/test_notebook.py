"""Every non-random number the source notebook prints, reproduced with numgrad."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import book_gradient

from numgrad import SimpleNet, gradient_descent, numerical_diff, numerical_gradient


def function_1(x):
    return 0.01 * x**2 + 0.1 * x


def function_2(x):
    return x[0] ** 2 + x[1] ** 2


# The notebook prints W rounded to 8 decimals; predict, loss and dW below were
# computed from the unrounded W, so they match to about 1e-8, not bit for bit.
NOTEBOOK_W = np.array(
    [[-1.19285797, -0.95887496, -0.24315246], [1.71913234, -0.37777499, -0.26465635]]
)


@pytest.mark.parametrize(("x", "printed"), [(5, 0.1999999999990898), (10, 0.2999999999986347)])
def test_derivative_of_function_1_is_the_printed_float(x, printed):
    assert numerical_diff(function_1, x) == printed


def test_partial_derivative_in_x1_is_the_printed_float():
    assert numerical_diff(lambda x1: 3.0**2.0 + x1 * x1, 4.0) == 7.999999999999119


def test_float32_rounds_1e_50_to_zero():
    # The reason the notebook's h = 10e-50 fails: the step itself vanishes.
    assert np.float32(1e-50) == 0.0
    assert np.float32(1e-4) != 0.0


@pytest.mark.parametrize(
    ("point", "printed"),
    [([3.0, 4.0], [6.0, 8.0]), ([0.0, 2.0], [0.0, 4.0]), ([3.0, 0.0], [6.0, 0.0])],
)
def test_gradient_of_function_2_at_the_three_points(point, printed):
    grad = numerical_gradient(function_2, np.array(point))
    np.testing.assert_allclose(grad, printed, atol=1e-9)
    np.testing.assert_array_equal(grad, book_gradient(function_2, np.array(point)))


@pytest.mark.parametrize(
    ("lr", "printed", "rtol"),
    [
        (0.1, [-6.11110793e-10, 8.14814391e-10], 1e-8),
        (10.0, [-2.58983747e13, -1.29524862e12], 1e-8),
        (1e-10, [-2.99999994, 3.99999992], 1e-8),
    ],
)
def test_gradient_descent_reaches_the_printed_points(lr, printed, rtol):
    init_x = np.array([-3.0, 4.0])
    if lr == 10.0:
        # The book's path diverges until x + 1e-4 == x, where its gradient is a
        # silent 0 and x stops moving; numgrad gives the same point, with a warning.
        with pytest.warns(RuntimeWarning, match=r"from step \d+ on.*lr=10 makes it diverge"):
            x = gradient_descent(function_2, init_x, lr=lr, step_num=100)
    else:
        x = gradient_descent(function_2, init_x, lr=lr, step_num=100)
    np.testing.assert_allclose(x, printed, rtol=rtol)


def test_gradient_descent_is_the_book_update_bit_for_bit():
    x = np.array([-3.0, 4.0])
    for _ in range(100):
        x -= 0.1 * book_gradient(function_2, x)
    np.testing.assert_array_equal(gradient_descent(function_2, [-3.0, 4.0], lr=0.1), x)


def test_history_matches_the_plotted_path():
    _, history = gradient_descent(
        function_2, np.array([-3.0, 4.0]), lr=0.1, step_num=20, history=True
    )
    # Each step multiplies x by (1 - 2 * lr) = 0.8 for this f.
    expected = np.array([-3.0, 4.0]) * 0.8 ** np.arange(21)[:, None]
    np.testing.assert_allclose(history, expected, rtol=1e-9)


def make_notebook_net():
    net = SimpleNet(rng=0)
    net.W = NOTEBOOK_W.copy()
    return net


def test_simple_net_predict_argmax_and_loss():
    net = make_notebook_net()
    x = np.array([0.6, 0.9])
    p = net.predict(x)
    np.testing.assert_allclose(p, [0.83150432, -0.91532247, -0.3840822], atol=2e-8)
    assert np.argmax(p) == 0
    assert net.loss(x, np.array([0, 0, 1])) == pytest.approx(1.6014348354397954, rel=1e-8)


def test_simple_net_dw_with_the_books_lambda():
    net = make_notebook_net()
    x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    dW = numerical_gradient(lambda w: net.loss(x, t), net.W)
    np.testing.assert_allclose(
        dW,
        [[0.40792378, 0.07111182, -0.4790356], [0.61188567, 0.10666773, -0.7185534]],
        atol=2e-8,
    )
    np.testing.assert_array_equal(net.W, NOTEBOOK_W)

"""softmax, cross_entropy_error and SimpleNet."""

from __future__ import annotations

import numpy as np
import pytest

from numgrad import SimpleNet, check_gradient, cross_entropy_error, numerical_gradient, softmax


def test_softmax_sums_to_one_along_the_last_axis(rng):
    scores = rng.standard_normal((4, 3))
    probabilities = softmax(scores)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0)
    np.testing.assert_allclose(probabilities[1], softmax(scores[1]))
    np.testing.assert_allclose(probabilities[0], np.exp(scores[0]) / np.exp(scores[0]).sum())


def test_softmax_does_not_overflow():
    # With warnings as errors, an overflow in exp would fail this test.
    probabilities = softmax([1010, 1000, 990])
    expected = np.exp([20.0, 10.0, 0.0]) / np.exp([20.0, 10.0, 0.0]).sum()
    np.testing.assert_allclose(probabilities, expected)


def test_softmax_rejects_scalars():
    with pytest.raises(ValueError, match="a must be a non-empty vector"):
        softmax(3.0)


def test_cross_entropy_one_hot_and_labels_agree():
    y = np.array([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]])
    one_hot = np.array([[0, 1, 0], [1, 0, 0]])
    expected = -(np.log(0.7 + 1e-7) + np.log(0.5 + 1e-7)) / 2
    assert cross_entropy_error(y, one_hot) == pytest.approx(expected)
    assert cross_entropy_error(y, [1, 0]) == pytest.approx(expected)
    assert cross_entropy_error(y[0], 1) == pytest.approx(-np.log(0.7 + 1e-7))
    assert cross_entropy_error(y[0], one_hot[0]) == pytest.approx(-np.log(0.7 + 1e-7))


def test_cross_entropy_of_a_zero_probability_is_finite():
    loss = cross_entropy_error([0.0, 1.0], [1, 0])
    assert loss == pytest.approx(-np.log(1e-7))


@pytest.mark.parametrize(
    ("y", "t"),
    [([0.5, 0.5], [0, 0, 1]), ([[0.5, 0.5]], [0, 1]), ([0.5, 0.5], 2), ([0.5, 0.5], 0.5)],
)
def test_cross_entropy_mismatched_t(y, t):
    with pytest.raises(ValueError, match="t "):
        cross_entropy_error(y, t)


def test_simple_net_is_seeded_by_rng():
    np.testing.assert_array_equal(SimpleNet(rng=1).W, SimpleNet(rng=np.random.default_rng(1)).W)
    assert not np.array_equal(SimpleNet(rng=1).W, SimpleNet(rng=2).W)
    assert SimpleNet(rng=1).W.shape == (2, 3)


def exact_dw(net, x, t):
    return np.outer(x, net.predict_proba(x) - t)


@pytest.mark.parametrize("seed", range(5))
def test_numerical_dw_matches_the_exact_gradient(seed):
    net = SimpleNet(rng=seed)
    x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    W_before = net.W.copy()
    dW = numerical_gradient(lambda w: net.loss(x, t), net.W)
    # The book's log(y + 1e-7) changes the derivative by a factor y / (y + 1e-7).
    np.testing.assert_allclose(dW, exact_dw(net, x, t), rtol=1e-5, atol=1e-8)
    np.testing.assert_array_equal(net.W, W_before)


def test_check_gradient_on_the_network():
    net = SimpleNet(rng=3)
    x, t = np.array([0.6, 0.9]), np.array([0, 1, 0])

    def loss(W):
        net.W = W
        return net.loss(x, t)

    W = net.W.copy()
    assert check_gradient(loss, W, exact_dw(net, x, t)).passed


def test_batched_loss(rng):
    net = SimpleNet(rng=0)
    x = rng.standard_normal((5, 2))
    labels = np.array([0, 1, 2, 1, 0])
    losses = [net.loss(row, label) for row, label in zip(x, labels, strict=True)]
    assert net.loss(x, labels) == pytest.approx(np.mean(losses))
    assert "SimpleNet(W=" in repr(net)


def test_cross_entropy_of_soft_labels_is_the_formula():
    y = np.array([[0.2, 0.8], [0.5, 0.5]])
    t = np.array([[0.3, 0.7], [0.5, 0.5]])
    expected = -np.sum(t * np.log(y + 1e-7)) / 2
    assert cross_entropy_error(y, t) == pytest.approx(expected, rel=1e-15)
    assert cross_entropy_error(y, np.zeros((2, 2))) == 0.0


def test_cross_entropy_of_one_hot_rows_is_the_books_bit_for_bit(rng):
    y = softmax(rng.standard_normal((6, 4)))
    labels = rng.integers(0, 4, 6)
    one_hot = np.eye(4)[labels]
    book = -np.sum(np.log(y[np.arange(6), labels] + 1e-7)) / 6
    assert cross_entropy_error(y, one_hot) == book
    assert cross_entropy_error(y, labels) == book


def test_cross_entropy_of_one_vector_with_a_one_row_target():
    y = np.array([0.2, 0.8])
    assert cross_entropy_error(y, np.array([[0, 1]])) == cross_entropy_error(y, 1)


def test_cross_entropy_reports_the_users_shapes():
    with pytest.raises(ValueError, match=r"shape \(3,\).*got shape \(2, 2\)"):
        cross_entropy_error([0.2, 0.3, 0.5], np.eye(2))


@pytest.mark.parametrize("t", [[[0.5, -0.5]], [[np.nan, 1.0]]])
def test_cross_entropy_rejects_negative_or_nan_targets(t):
    with pytest.raises(ValueError, match="non-negative soft labels"):
        cross_entropy_error([[0.5, 0.5]], t)


def test_softmax_at_the_ends_of_float64_is_quiet():
    np.testing.assert_array_equal(softmax([1e308, -1e308]), [1.0, 0.0])
    np.testing.assert_array_equal(softmax([[-1e308, 1e308]]), [[0.0, 1.0]])

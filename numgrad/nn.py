"""Softmax, cross-entropy loss and a one-layer network for gradient examples."""

from __future__ import annotations

from typing import Any

import numpy as np

from numgrad._engine.checks import preview

__all__ = ["SimpleNet", "cross_entropy_error", "softmax"]


def softmax(a: Any) -> np.ndarray:
    r"""Compute the softmax along the last axis, safe from overflow.

    Parameters
    ----------
    a : array_like
        Scores: one vector, or a batch of vectors (one per row).

    Returns
    -------
    numpy.ndarray
        Probabilities of ``a``'s shape; each vector along the last axis sums
        to 1.

    Raises
    ------
    ValueError
        If ``a`` is 0-d or empty.

    Notes
    -----
    .. math:: y_k = \frac{e^{a_k}}{\sum_i e^{a_i}} = \frac{e^{a_k - c}}{\sum_i e^{a_i - c}}

    for any constant :math:`c`. Taking :math:`c = \max_i a_i` keeps every
    exponent at most 0, so nothing overflows.

    Examples
    --------
    >>> from numgrad import softmax
    >>> softmax([0.3, 2.9, 4.0]).round(4)
    array([0.0182, 0.2452, 0.7366])
    >>> [f"{p:.2e}" for p in softmax([1010, 1000, 990])]
    ['1.00e+00', '4.54e-05', '2.06e-09']
    """
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0 or a.size == 0:
        raise ValueError(f"a must be a non-empty vector or batch of vectors; got shape {a.shape}")
    # a - max can overflow to -inf (1e308 - -1e308): its exp is then 0, as it should be.
    with np.errstate(over="ignore"):
        exp = np.exp(a - np.max(a, axis=-1, keepdims=True))
    return exp / np.sum(exp, axis=-1, keepdims=True)


def cross_entropy_error(y: Any, t: Any) -> float:
    r"""Compute the mean cross-entropy loss of predicted probabilities ``y`` against targets ``t``.

    Parameters
    ----------
    y : array_like
        Probabilities: one vector of ``C`` classes, or a batch of shape
        ``(N, C)``.
    t : array_like
        The right answers, in one of three forms: class labels (one integer,
        or ``N`` integers); one-hot rows of ``y``'s shape; or any other
        non-negative rows of ``y``'s shape, such as soft labels (a
        probability for each class).

    Returns
    -------
    float
        The loss, averaged over the batch.

    Raises
    ------
    ValueError
        If ``t`` fits none of the three forms for ``y``'s shape, a label is
        out of range, or a soft target is negative or not finite.

    Notes
    -----
    .. math:: E = -\frac{1}{N} \sum_n \sum_k t_{nk} \log(y_{nk} + 10^{-7})

    For labels and one-hot rows only the term of the right class is not 0,
    and numgrad computes just that term, as the textbook does (so its results
    are the textbook's to the last bit): :math:`E = -\frac{1}{N} \sum_n
    \log(y_{n, t_n} + 10^{-7})`. Soft labels use the full sum; a row of zeros
    adds nothing to the loss.

    The :math:`10^{-7}` keeps the loss finite when a probability is 0
    (:math:`\log 0 = -\infty`), as in the textbook; it changes the loss by
    about :math:`10^{-7} / y_{n, t_n}`.

    Examples
    --------
    >>> from numgrad import cross_entropy_error
    >>> y = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]
    >>> t = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    >>> round(cross_entropy_error(y, t), 6)
    0.510825
    >>> round(cross_entropy_error(y, 2), 6)
    0.510825
    >>> round(cross_entropy_error(y, 3), 4)
    16.1181

    Soft labels:

    >>> round(cross_entropy_error([[0.2, 0.8], [0.5, 0.5]], [[0.3, 0.7], [0.5, 0.5]]), 6)
    0.666089
    """
    y_given, t_given = np.shape(y), np.shape(t)
    y = np.asarray(y, dtype=np.float64)
    t = np.asarray(t)
    if y.ndim not in (1, 2) or y.size == 0:
        raise ValueError(f"y must be a vector or a 2-D batch of probabilities; got shape {y_given}")
    if y.ndim == 1:
        y = y[np.newaxis]
        if t.shape == y.shape[1:]:
            t = t[np.newaxis]
        elif t.shape != y.shape:  # a label, or anything else (reported below)
            t = t.reshape(-1)
    batch_size, classes = y.shape
    if t.shape == y.shape:
        if t.dtype.kind not in "biuf":
            raise ValueError(f"t must hold numbers; got dtype {t.dtype}")
        if not _is_one_hot(t):
            return _soft_cross_entropy(y, t)
        t = t.argmax(axis=1)
    if t.shape != (batch_size,) or t.dtype.kind not in "iu":
        raise ValueError(
            f"t must be {batch_size} integer label(s), or one-hot or soft-label rows of y's "
            f"shape {y_given}; got shape {t_given} and dtype {t.dtype}"
        )
    if np.any((t < 0) | (t >= classes)):
        raise ValueError(f"t holds a label outside 0..{classes - 1}: {preview(t)}")
    return float(-np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size)


def _is_one_hot(t: np.ndarray) -> bool:
    return bool(np.all((t == 0) | (t == 1)) and np.all(np.count_nonzero(t, axis=1) == 1))


def _soft_cross_entropy(y: np.ndarray, t: np.ndarray) -> float:
    t = t.astype(np.float64)
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError(
            f"t must be labels, one-hot rows or non-negative soft labels; got {preview(t)}"
        )
    return float(-np.sum(t * np.log(y + 1e-7)) / y.shape[0]) + 0.0  # no -0.0


class SimpleNet:
    r"""A one-layer network: 2 inputs, 3 classes, softmax and cross-entropy.

    Parameters
    ----------
    rng : numpy.random.Generator or int or None, optional
        Where the initial weights come from: a Generator, or a seed for
        :func:`numpy.random.default_rng`.

    Attributes
    ----------
    W : numpy.ndarray
        The weights, shape (2, 3), drawn from a standard normal. A plain
        attribute: set it to try other weights.

    Notes
    -----
    The scores are :math:`z = xW`, the probabilities :math:`y =
    \operatorname{softmax}(z)`, the loss :math:`L = -\log(y_t + 10^{-7})`.
    The exact gradient, without the :math:`10^{-7}`, is :math:`\partial L /
    \partial W = x^\top (y - t)` for a one-hot :math:`t`.

    Examples
    --------
    >>> import numpy as np
    >>> from numgrad import SimpleNet, numerical_gradient
    >>> net = SimpleNet(rng=0)
    >>> net.W.shape
    (2, 3)
    >>> x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    >>> dW = numerical_gradient(lambda W: net.loss(x, t), net.W)
    >>> exact = np.outer(x, net.predict_proba(x) - t)
    >>> bool(np.allclose(dW, exact, atol=1e-6))
    True
    """

    def __init__(self, *, rng: np.random.Generator | int | None = None) -> None:
        self.W = np.random.default_rng(rng).standard_normal((2, 3))

    def predict(self, x: Any) -> np.ndarray:
        """Return the scores ``x @ W`` for one input of shape (2,) or a batch of shape (N, 2)."""
        return np.asarray(x, dtype=np.float64) @ self.W

    def predict_proba(self, x: Any) -> np.ndarray:
        """Return the class probabilities ``softmax(x @ W)``."""
        return softmax(self.predict(x))

    def loss(self, x: Any, t: Any) -> float:
        """Return the cross-entropy loss of the prediction for ``x`` against targets ``t``."""
        return cross_entropy_error(self.predict_proba(x), t)

    def __repr__(self) -> str:
        return f"SimpleNet(W={np.array2string(self.W, precision=4, separator=', ')})"

"""A two-layer network with backpropagation, to check against numerical gradients."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from numgrad._engine.compute import gradient
from numgrad.nn import cross_entropy_error, softmax

__all__ = ["TwoLayerNet"]

_PARAMS = ("W1", "b1", "W2", "b2")


def _labels(t: Any, shape: tuple[int, int]) -> np.ndarray:
    """Return the class labels of targets ``t`` for a batch of ``shape`` (inputs, classes)."""
    t = np.asarray(t)
    if t.shape == shape and np.all((t == 0) | (t == 1)) and np.all(t.sum(axis=1) == 1):
        return t.argmax(axis=1)
    if t.shape != shape[:1] or t.dtype.kind not in "iu" or np.any((t < 0) | (t >= shape[1])):
        raise ValueError(
            f"t must be {shape[0]} integer labels in 0..{shape[1] - 1} or one-hot rows of "
            f"shape {shape} (soft labels need loss); got shape {t.shape} and dtype {t.dtype}"
        )
    return t


def _stacked_matmul(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``a[k] @ w[k]`` for every ``k``, where ``a`` or ``w`` may hold just one matrix.

    ``a`` is (N, D) or (m or 1, N, D) and ``w`` is (m or 1, D, H). One large
    product is far faster than ``m`` small ones, so a single matrix on either
    side is multiplied with all of the other side's at once.
    """
    if a.ndim == 2 or a.shape[0] == 1:
        m, d, h = w.shape
        flat = a.reshape(a.shape[-2:]) @ w.transpose(1, 0, 2).reshape(d, m * h)
        return flat.reshape(-1, m, h).transpose(1, 0, 2)
    if w.shape[0] == 1:
        return (a.reshape(-1, a.shape[-1]) @ w[0]).reshape(*a.shape[:-1], w.shape[-1])
    return np.matmul(a, w)


class TwoLayerNet:
    r"""A two-layer network: affine, sigmoid or ReLU, affine, softmax and cross-entropy.

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        The number of inputs, hidden units and classes.
    activation : {"sigmoid", "relu"}, default "sigmoid"
        The hidden layer's activation: the textbook's chapter 4 uses the
        sigmoid, chapter 5 the ReLU.
    weight_init_std : float, default 0.01
        The standard deviation of the initial weights (biases start at 0).
    rng : numpy.random.Generator or int or None, optional
        Where the initial weights come from: a Generator, or a seed for
        :func:`numpy.random.default_rng`.

    Attributes
    ----------
    params : dict of str to numpy.ndarray
        ``"W1"`` (input_size, hidden_size), ``"b1"`` (hidden_size,),
        ``"W2"`` (hidden_size, output_size) and ``"b2"`` (output_size,).
        The arrays are updated in place by training, so
        ``numerical_gradient(lambda w: net.loss(x, t), net.params["W1"])``
        works as in the textbook.

    Notes
    -----
    For inputs :math:`x` (one per row), :math:`a_1 = x W_1 + b_1`,
    :math:`z_1 = \sigma(a_1)`, scores :math:`a_2 = z_1 W_2 + b_2`,
    :math:`y = \operatorname{softmax}(a_2)` and the loss :math:`L` is the
    mean cross-entropy of :math:`y` against the targets :math:`t`
    (see :func:`cross_entropy_error`). Backpropagation gives, for a batch of
    :math:`N` one-hot targets,

    .. math::

        \delta_2 = (y - t) / N, \quad
        \frac{\partial L}{\partial W_2} = z_1^\top \delta_2, \quad
        \frac{\partial L}{\partial b_2} = \textstyle\sum_n \delta_2, \\
        \delta_1 = \delta_2 W_2^\top \odot \sigma'(a_1), \quad
        \frac{\partial L}{\partial W_1} = x^\top \delta_1, \quad
        \frac{\partial L}{\partial b_1} = \textstyle\sum_n \delta_1,

    with :math:`\sigma' = \sigma(1 - \sigma)` for the sigmoid and
    :math:`[a_1 > 0]` for the ReLU. These are the gradients of the loss
    without the :math:`10^{-7}` that :func:`cross_entropy_error` adds inside
    the logarithm, so they differ from the numerical gradient by a relative
    :math:`10^{-7} / y_t` or so: far below :func:`check_gradient`'s tolerance.

    Examples
    --------
    >>> import numpy as np
    >>> from numgrad import TwoLayerNet, check_gradient
    >>> net = TwoLayerNet(4, 5, 3, rng=0)
    >>> x = np.random.default_rng(1).random((10, 4))
    >>> t = np.arange(10) % 3
    >>> grads = net.gradient(x, t)
    >>> all(check_gradient(lambda w: net.loss(x, t), net.params[name], grads[name]).passed
    ...     for name in net.params)
    True
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        *,
        activation: Literal["sigmoid", "relu"] = "sigmoid",
        weight_init_std: float = 0.01,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        for name, size in (
            ("input_size", input_size),
            ("hidden_size", hidden_size),
            ("output_size", output_size),
        ):
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
                raise ValueError(f"{name} must be a positive integer; got {size!r}")
        if activation not in ("sigmoid", "relu"):
            raise ValueError(f"activation must be 'sigmoid' or 'relu'; got {activation!r}")
        generator = np.random.default_rng(rng)
        self.activation = activation
        self.params = {
            "W1": weight_init_std * generator.standard_normal((input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * generator.standard_normal((hidden_size, output_size)),
            "b2": np.zeros(output_size),
        }

    def _forward(self, x: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x = np.asarray(x, dtype=np.float64)
        p = self.params
        a1 = x @ p["W1"] + p["b1"]
        z1 = 1 / (1 + np.exp(-a1)) if self.activation == "sigmoid" else np.maximum(a1, 0)
        return x, z1, z1 @ p["W2"] + p["b2"]

    def predict(self, x: Any) -> np.ndarray:
        """Return the scores (before softmax) for inputs ``x``, one per row."""
        return self._forward(x)[2]

    def predict_proba(self, x: Any) -> np.ndarray:
        """Return the class probabilities ``softmax(predict(x))``."""
        return softmax(self.predict(x))

    def loss(self, x: Any, t: Any) -> float:
        """Return the mean cross-entropy loss for inputs ``x`` and targets ``t``."""
        return cross_entropy_error(self.predict_proba(x), t)

    def accuracy(self, x: Any, t: Any) -> float:
        """Return the fraction of inputs whose most probable class is the target."""
        labels = np.asarray(t)
        if labels.ndim == 2:
            labels = labels.argmax(axis=1)
        return float(np.mean(self.predict(x).argmax(axis=1) == labels))

    def gradient(self, x: Any, t: Any) -> dict[str, np.ndarray]:
        """Return the gradient of :meth:`loss` for each parameter, by backpropagation.

        ``x`` is one input or a batch (one per row); ``t`` holds one-hot rows
        or integer labels, as for :func:`cross_entropy_error`.
        """
        single = np.ndim(x) == 1
        x, z1, scores = self._forward(np.atleast_2d(x))
        y = softmax(scores)
        t = np.asarray(t)
        if single and t.ndim < 2:
            t = t.reshape(1, -1) if t.ndim == 1 else t.reshape(1)
        delta2 = y.copy()
        if t.shape == y.shape:
            delta2 -= t
        else:
            delta2[np.arange(len(y)), t] -= 1
        delta2 /= len(y)
        derivative = z1 * (1 - z1) if self.activation == "sigmoid" else (z1 > 0).astype(float)
        delta1 = (delta2 @ self.params["W2"].T) * derivative
        return {
            "W1": x.T @ delta1,
            "b1": delta1.sum(axis=0),
            "W2": z1.T @ delta2,
            "b2": delta2.sum(axis=0),
        }

    def loss_stack(self, x: Any, t: Any, name: str, stack: Any) -> np.ndarray:
        """Return :meth:`loss` for each of a stack of values of one parameter.

        The other parameters keep their values. This is the loss that
        ``numerical_gradient(..., vectorized=True)`` wants: one call computes
        the loss for many perturbed copies of a parameter at once.

        Parameters
        ----------
        x, t : array_like
            Inputs (one per row) and targets, as for :meth:`loss`.
        name : {"W1", "b1", "W2", "b2"}
            The parameter whose values are stacked.
        stack : array_like
            ``m`` values of the parameter, of shape ``(m, *params[name].shape)``.

        Returns
        -------
        numpy.ndarray
            The ``m`` losses; entry ``k`` equals :meth:`loss` with
            ``params[name]`` set to ``stack[k]``, to rounding.

        Raises
        ------
        ValueError
            If ``name`` is not a parameter or ``stack`` has the wrong shape.

        Examples
        --------
        >>> import numpy as np
        >>> from numgrad import TwoLayerNet
        >>> net = TwoLayerNet(4, 3, 2, rng=0)
        >>> x, t = np.ones((5, 4)), np.array([0, 1, 1, 0, 1])
        >>> stack = np.stack([net.params["b2"], net.params["b2"] + [1.0, -1.0]])
        >>> losses = net.loss_stack(x, t, "b2", stack)
        >>> bool(np.isclose(losses[0], net.loss(x, t))), losses.shape
        (True, (2,))
        """
        if name not in _PARAMS:
            raise ValueError(f"name must be one of {', '.join(_PARAMS)}; got {name!r}")
        stack = np.asarray(stack, dtype=np.float64)
        shape = self.params[name].shape
        if stack.ndim != len(shape) + 1 or stack.shape[1:] != shape:
            raise ValueError(
                f"stack must have shape (m, {', '.join(map(str, shape))}) for {name}; "
                f"got {stack.shape}"
            )
        x = np.asarray(x, dtype=np.float64)
        labels = _labels(t, (len(x), self.params["b2"].size))
        # Slices of the stack whose intermediate arrays (slice, N, units) stay
        # within ~512 KiB, in the processor's cache: twice as fast as the whole.
        size = max(1, 2**16 // (len(x) * max(self.params["b1"].size, self.params["b2"].size)))
        return np.concatenate(
            [
                self._stacked_losses(x, labels, name, stack[start : start + size])
                for start in range(0, len(stack), size)
            ]
        )

    def _stacked_losses(
        self, x: np.ndarray, labels: np.ndarray, name: str, stack: np.ndarray
    ) -> np.ndarray:
        # Each parameter gets a leading axis: the stack's (m) or a single copy (1),
        # so that the products and sums broadcast one forward pass per value.
        p = {key: value[np.newaxis] for key, value in self.params.items()}
        p[name] = stack
        p["b1"], p["b2"] = p["b1"][:, np.newaxis], p["b2"][:, np.newaxis]
        z1 = _stacked_matmul(x, p["W1"]) + p["b1"]
        # In place, since these arrays are the largest of the computation:
        # sigmoid 1 / (1 + exp(-a1)) or ReLU max(a1, 0).
        if self.activation == "sigmoid":
            np.reciprocal(1 + np.exp(np.negative(z1, out=z1), out=z1), out=z1)
        else:
            np.maximum(z1, 0, out=z1)
        scores = _stacked_matmul(z1, p["W2"]) + p["b2"]  # (m, N, classes)
        # softmax(scores) at the labels only, shifted by the largest score as in softmax.
        scores -= scores.max(axis=2, keepdims=True)
        right = scores[:, np.arange(len(labels)), labels]
        y = np.exp(right) / np.exp(scores, out=scores).sum(axis=2)
        return -np.sum(np.log(y + 1e-7), axis=1) / len(labels)

    def numerical_gradient(
        self, x: Any, t: Any, *, vectorized: bool = False, **options: Any
    ) -> dict[str, np.ndarray]:
        """Return the gradient of :meth:`loss` for each parameter, by finite differences.

        With ``vectorized=True`` each parameter's perturbed values go to
        :meth:`loss_stack` many at a time, instead of one call of :meth:`loss`
        per value (``x`` must then be a batch, one input per row, with integer
        labels or one-hot rows as ``t``). Other ``options`` go to
        :func:`numgrad.numerical_gradient` (``h``, ``method``).
        """
        if vectorized:
            return {
                name: gradient(
                    lambda stack, name=name: self.loss_stack(x, t, name, stack),
                    self.params[name],
                    vectorized=True,
                    **options,
                )
                for name in _PARAMS
            }
        return {
            name: gradient(lambda _: self.loss(x, t), self.params[name], **options)
            for name in _PARAMS
        }

    def __repr__(self) -> str:
        sizes = (*self.params["W1"].shape, self.params["W2"].shape[1])
        return f"TwoLayerNet({sizes[0]}, {sizes[1]}, {sizes[2]}, activation={self.activation!r})"

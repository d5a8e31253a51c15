"""Gradient checking: compare an analytic gradient with a numerical one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from numgrad.diff import Method
from numgrad.gradient import numerical_gradient

__all__ = ["GradientCheck", "check_gradient"]


@dataclass(frozen=True)
class GradientCheck:
    """The outcome of :func:`check_gradient`.

    Attributes
    ----------
    passed : bool
        Whether every element satisfies ``|grad - numerical| <= atol + rtol * |numerical|``.
    max_abs_error : float
        The largest ``|grad - numerical|``.
    max_rel_error : float
        The largest ``|grad - numerical| / max(|grad|, |numerical|)`` (0 where both are 0).
    worst_index : tuple of int
        The index of the element furthest outside the tolerance (or nearest to it).
    numerical : numpy.ndarray
        The numerical gradient.
    rtol, atol : float
        The tolerances used.
    """

    passed: bool
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple[int, ...]
    numerical: np.ndarray = field(repr=False)
    rtol: float
    atol: float

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        return (
            f"GradientCheck({verdict}: max abs error {self.max_abs_error:.3g}, "
            f"max rel error {self.max_rel_error:.3g}, worst at index {self.worst_index}, "
            f"rtol={self.rtol:g}, atol={self.atol:g})"
        )


def check_gradient(
    f: Callable[[np.ndarray], Any],
    x: Any,
    grad: Any,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    h: float | Literal["auto"] = "auto",
    method: Method = "central",
) -> GradientCheck:
    r"""Compare an analytic gradient with the numerical gradient of ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        A scalar function of one point (see :func:`numerical_gradient`).
    x : array_like
        The point.
    grad : array_like
        The gradient to check, for example from backpropagation; ``x``'s shape.
    rtol, atol : float
        Relative and absolute tolerances, as in :func:`numpy.allclose`.
    h : float or "auto", default "auto"
        The step of the numerical gradient.
    method : str, default "central"
        The difference formula of the numerical gradient.

    Returns
    -------
    GradientCheck
        The errors, where the worst element is, the numerical gradient, and
        whether the check passed. It is truthy when it passed.

    Raises
    ------
    ValueError
        If ``grad`` and ``x`` differ in shape, or a tolerance is negative.

    Notes
    -----
    The check passes when, elementwise,

    .. math:: |g - \hat g| \le \mathrm{atol} + \mathrm{rtol} \, |\hat g|,

    where :math:`g` is ``grad`` and :math:`\hat g` the numerical gradient.
    With the central difference and ``h="auto"`` the numerical gradient is
    accurate to about :math:`10^{-10}` relative for smooth ``f`` of order-one
    values, so the default ``rtol=1e-5`` leaves ample room for it and none
    for a wrong gradient.

    On :class:`SimpleNet` the exact gradient of :math:`-\log y_t` with
    :math:`y = \operatorname{softmax}(xW)` is :math:`x^\top (y - t)`. The
    loss actually computed is :math:`-\log(y_t + 10^{-7})`, whose exact
    gradient is smaller by the factor :math:`y_t / (y_t + 10^{-7})`, so the
    check reports a relative difference of about :math:`10^{-7} / y_t`.
    That is not an error of the numerical derivative: the two gradients
    belong to two slightly different losses, and the default ``rtol``
    accepts the difference unless :math:`y_t` is below about 0.01.

    Examples
    --------
    >>> import numpy as np
    >>> from numgrad import check_gradient
    >>> def f(x):
    ...     return np.sum(np.sin(x))
    >>> x = np.array([0.5, 1.0, 2.0])
    >>> check_gradient(f, x, np.cos(x)).passed
    True
    >>> check_gradient(f, x, -np.cos(x))
    GradientCheck(FAILED: max abs error 1.76, max rel error 2, worst at index (0,), rtol=1e-05, atol=1e-08)

    Backpropagation's gradient for :class:`SimpleNet` against the numerical one:

    >>> from numgrad import SimpleNet
    >>> net = SimpleNet(rng=0)
    >>> x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    >>> exact = np.outer(x, net.predict_proba(x) - t)
    >>> result = check_gradient(lambda W: net.loss(x, t), net.W, exact)
    >>> result.passed, bool(result.max_rel_error < 1e-6)
    (True, True)
    """
    for name, value in (("rtol", rtol), ("atol", atol)):
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a non-negative finite number; got {value!r}")
    grad = np.asarray(grad, dtype=np.float64)
    if grad.shape != np.shape(x):
        raise ValueError(f"grad must have x's shape {np.shape(x)}; got shape {grad.shape}")
    numerical = numerical_gradient(f, x, h, method=method)
    error = np.abs(grad - numerical)
    scale = np.maximum(np.abs(grad), np.abs(numerical))
    relative = np.divide(error, scale, out=np.zeros_like(error), where=scale > 0)
    excess = error / (atol + rtol * np.abs(numerical)) if (atol or rtol) else error
    worst = np.unravel_index(int(np.argmax(excess)), error.shape) if error.size else ()
    return GradientCheck(
        passed=bool(np.all(error <= atol + rtol * np.abs(numerical))),
        max_abs_error=float(error.max(initial=0.0)),
        max_rel_error=float(relative.max(initial=0.0)),
        worst_index=tuple(int(i) for i in worst),
        numerical=numerical,
        rtol=float(rtol),
        atol=float(atol),
    )

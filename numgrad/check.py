"""Gradient checking: compare an analytic gradient with a numerical one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from numgrad._validation import preview, real_array
from numgrad.diff import Method
from numgrad.gradient import estimate_gradient, warn_about

__all__ = ["GradientCheck", "check_gradient"]


# How many estimated errors of the numerical gradient a difference may be.
_SAFETY = 3.0


@dataclass(frozen=True)
class GradientCheck:
    """The outcome of :func:`check_gradient`.

    Attributes
    ----------
    passed : bool
        Whether every element satisfies ``|grad - numerical| <= atol + rtol *
        |numerical| + 3 * error``, with no NaN or infinity on either side.
    max_abs_error : float
        The largest ``|grad - numerical|`` (NaN if either holds a NaN).
    max_rel_error : float
        The largest ``|grad - numerical| / max(|grad|, |numerical|)`` (0 where
        both are 0; NaN if either holds a NaN).
    worst_index : tuple of int
        The index of the element furthest outside its tolerance (or nearest
        to it); a NaN or infinity counts as furthest.
    numerical : numpy.ndarray
        The numerical gradient.
    error : numpy.ndarray
        The estimated error of each element of ``numerical`` (zeros for a
        given step ``h``, which comes with no estimate).
    rtol, atol : float
        The tolerances used.
    """

    passed: bool
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple[int, ...]
    numerical: np.ndarray = field(repr=False)
    error: np.ndarray = field(repr=False)
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
    atol: float = 0.0,
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
    rtol : float, default 1e-5
        The relative tolerance, a non-negative number.
    atol : float, default 0.0
        An absolute tolerance, a non-negative number, for when the estimated
        error of the numerical gradient (see Notes) is not enough.
    h : float or "auto", default "auto"
        The step of the numerical gradient. ``"auto"`` chooses it for each
        element and estimates the error of the result; a number gives no
        estimate, so then only ``rtol`` and ``atol`` count.
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
        If ``grad`` and ``x`` differ in shape, or a tolerance is negative or
        not finite.
    TypeError
        If a tolerance is not a real number, or ``grad`` is not real.

    See Also
    --------
    numerical_gradient : the numerical gradient, and the warnings it may give.

    Notes
    -----
    The check passes when, for every element,

    .. math:: |g - \hat g| \le \mathrm{atol} + \mathrm{rtol} \, |\hat g| + 3 \delta,

    where :math:`g` is ``grad``, :math:`\hat g` the numerical gradient and
    :math:`\delta` its estimated error, and no element of either is NaN or
    infinite. With ``h="auto"`` the central difference is computed at two
    steps, :math:`\delta` is their difference (truncation, and any kink or
    noise of ``f`` within the step) plus the rounding error
    :math:`\epsilon |f| / h`; where truncation dominates, the step is
    refined (see :func:`numerical_diff`). So elements whose numerical value
    is itself uncertain, such as a gradient near 0 inside a large loss, or a
    ReLU kink inside the step, are allowed that uncertainty and no more,
    while ``rtol`` bounds the relative difference everywhere else. For smooth
    ``f`` of order-one values :math:`\delta` is about :math:`10^{-10}`
    relative, so ``rtol=1e-5`` leaves room for small differences between the
    function and the gradient (see below) and none for a wrong gradient: a
    forgotten factor, a wrong sign, or one element off by a percent.

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
    GradientCheck(FAILED: max abs error 1.76, max rel error 2, worst at index (0,), rtol=1e-05, atol=0)

    Backpropagation's gradient for :class:`SimpleNet` against the numerical one:

    >>> from numgrad import SimpleNet
    >>> net = SimpleNet(rng=0)
    >>> x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    >>> exact = np.outer(x, net.predict_proba(x) - t)
    >>> result = check_gradient(lambda W: net.loss(x, t), net.W, exact)
    >>> result.passed, bool(result.max_rel_error < 1e-6)
    (True, True)
    """
    rtol, atol = _tolerance(rtol, "rtol"), _tolerance(atol, "atol")
    grad = real_array(grad, "grad").astype(np.float64)
    if grad.shape != np.shape(x):
        raise ValueError(f"grad must have x's shape {np.shape(x)}; got shape {grad.shape}")
    estimate, problem = estimate_gradient(f, x, h, method, False, False)
    warn_about(problem, estimate, h)
    numerical = estimate.value
    uncertainty = estimate.error.reshape(numerical.shape) if estimate.error.size else 0.0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        difference = np.abs(grad - numerical)
        allowed = atol + rtol * np.abs(numerical) + _SAFETY * uncertainty
        scale = np.maximum(np.abs(grad), np.abs(numerical))
        relative = np.where(scale > 0, difference / scale, 0.0)
        relative[np.isnan(difference)] = np.nan
        excess = np.where(allowed > 0, difference / allowed, np.where(difference > 0, np.inf, 0))
    excess[~np.isfinite(difference)] = np.inf
    worst = np.unravel_index(int(np.argmax(excess)), excess.shape) if excess.size else ()
    return GradientCheck(
        passed=bool(np.all(difference <= allowed) and np.all(np.isfinite(difference))),
        max_abs_error=_largest(difference),
        max_rel_error=_largest(relative),
        worst_index=tuple(int(i) for i in worst),
        numerical=numerical,
        error=np.broadcast_to(uncertainty, numerical.shape).copy(),
        rtol=rtol,
        atol=atol,
    )


def _tolerance(value: Any, name: str) -> float:
    expected = f"{name} must be a non-negative finite number"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{expected}; got {preview(value)}")
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{expected}; got {value!r}")
    return float(value)


def _largest(values: np.ndarray) -> float:
    """The largest element, NaN if there is one (numpy's max), 0 for an empty array."""
    return float(np.max(values)) if values.size else 0.0

"""Gradient checking: compare an analytic gradient with a numerical one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from numgrad._engine.checks import check_positive_number, element_name, real_array
from numgrad._engine.compute import estimate_gradient
from numgrad._engine.report import warn_about
from numgrad._engine.schemes import Method

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
        scale + 3 * error`` (see :func:`check_gradient`), with no NaN or
        infinity on either side.
    max_abs_error : float
        The largest ``|grad - numerical|`` (NaN if either holds a NaN).
    max_rel_error : float
        ``max_abs_error`` relative to ``scale``, the largest magnitude in
        ``grad`` and ``numerical`` (0 when both are all 0; NaN with a NaN).
        This is the number to compare with ``rtol``.
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
    reason : str
        Why the check failed, naming the worst element (``""`` when it passed):
        a difference above the tolerance, a numerical value that is not finite,
        or an error that could not be estimated.
    """

    passed: bool
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple[int, ...]
    numerical: np.ndarray = field(repr=False)
    error: np.ndarray = field(repr=False)
    rtol: float
    atol: float
    reason: str = ""

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
    rtol: float = 1e-4,
    atol: float = 0.0,
    h: float | Literal["auto"] = "auto",
    method: Method = "central",
) -> GradientCheck:
    r"""Check a gradient, for example from backpropagation, against the numerical one.

    Parameters
    ----------
    f : callable
        A scalar function of ``x``, as for :func:`numerical_gradient`.
    x : array_like
        The point.
    grad : array_like
        The gradient to check, for example from backpropagation; ``x``'s shape.
    rtol : float, default 1e-4
        The tolerance relative to the largest element of the gradient, a
        non-negative number (see Notes).
    atol : float, default 0.0
        An absolute tolerance, a non-negative number.
    h : float or "auto", default "auto"
        The step of the numerical gradient. ``"auto"`` chooses it for each
        element and estimates the error of the result; a number gives no
        estimate, so then only ``rtol`` and ``atol`` count.
    method : str, default "central"
        The difference formula of the numerical gradient.

    Returns
    -------
    GradientCheck
        ``passed``, the largest errors, where the worst one is and the
        numerical gradient. It is truthy when the check passed.

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
    The check passes when no element of either gradient is NaN or infinite,
    every element's error estimate is finite, and, for every element :math:`i`,

    .. math::

        |g_i - \hat g_i| \le \mathrm{atol} + \mathrm{rtol} \, s + 3 \delta_i,
        \qquad s = \max_j \max(|g_j|, |\hat g_j|),

    where :math:`g` is ``grad``, :math:`\hat g` the numerical gradient and
    :math:`\delta_i` its estimated error.

    *Why relative to the largest element.* Elements of a weight gradient are
    sums over a batch, and some nearly cancel: relative to its own tiny
    value, such an element carries every small difference between the loss
    and its gradient (such as the :math:`10^{-7}` below). A comparison
    element by element would then fail a correct backpropagation. Relative
    to the largest element :math:`s`, those differences are about
    :math:`10^{-6}` on a network with 10 classes, so ``rtol=1e-4`` leaves
    them a margin of 100, and still fails a wrong gradient by as much: a
    forgotten factor, a wrong sign, or one element off by 1 % of the largest.

    *How the step is chosen.* With ``h="auto"`` the central difference is
    computed at two steps, and :math:`\delta_i` is the size of their
    difference (truncation, and any kink or noise of ``f`` within the step)
    plus the rounding error :math:`\epsilon |f| / h`; where truncation
    dominates, the step is refined (see :func:`numerical_diff`). An element
    whose numerical value is itself uncertain, such as a ReLU kink inside
    the step, is allowed that uncertainty and no more: a kink is detected by
    comparing second differences at the two steps, and the step refined
    until the kink is outside it, so a backpropagation that takes the slope
    on ``x``'s side passes.

    What no step can see is rounding inside ``f`` that does not show in its
    value: a loss of :math:`10^{-5}` computed from scores of size 10 (a very
    confident network) carries errors of :math:`\epsilon` relative to the
    scores, which can move small elements by :math:`10^{-4}` of the largest.
    There, pass a larger ``rtol``.

    On :class:`SimpleNet` the exact gradient of :math:`-\log y_t` with
    :math:`y = \operatorname{softmax}(xW)` is :math:`x^\top (y - t)`. The
    loss actually computed is :math:`-\log(y_t + 10^{-7})`, whose exact
    gradient is smaller by the factor :math:`y_t / (y_t + 10^{-7})`, so the
    check reports a relative difference of about :math:`10^{-7} / y_t`.
    That is not an error of the numerical derivative: the two gradients
    belong to two slightly different losses, and the default ``rtol``
    accepts the difference unless a probability :math:`y_t` of a right class
    is below about 0.001 (then pass ``rtol=1e-3``).

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
    GradientCheck(FAILED: max abs error 1.76, max rel error 2, worst at index (0,), rtol=0.0001, atol=0)

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
    # An uncertain numerical element is allowed its estimated error (Notes): no warning.
    warn_about(problem, estimate, h, accuracy=False)
    numerical = estimate.value
    uncertainty = estimate.error.reshape(numerical.shape) if estimate.error.size else 0.0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        difference = np.abs(grad - numerical)
        finite = np.isfinite(difference)
        scale = max(_largest(np.abs(grad[finite])), _largest(np.abs(numerical[finite])))
        allowed = atol + rtol * scale + _SAFETY * uncertainty
        excess = np.where(allowed > 0, difference / allowed, np.where(difference > 0, np.inf, 0))
        largest = _largest(difference)
        # With scale 0 the finite differences are all 0: largest is 0, inf or NaN.
        relative = largest / scale if scale > 0 else largest
    # An element whose numerical value or error estimate is not finite cannot
    # be checked: it fails, whatever grad says there.
    unknowable = ~np.isfinite(numerical) | ~np.isfinite(
        np.broadcast_to(uncertainty, numerical.shape)
    )
    excess[~finite | unknowable] = np.inf
    worst = np.unravel_index(int(np.argmax(excess)), excess.shape) if excess.size else ()
    passed = bool(np.all(finite) and not unknowable.any() and np.all(difference <= allowed))
    return GradientCheck(
        passed=passed,
        max_abs_error=largest,
        max_rel_error=float(relative),
        worst_index=tuple(int(i) for i in worst),
        numerical=numerical,
        error=np.broadcast_to(uncertainty, numerical.shape).copy(),
        rtol=rtol,
        atol=atol,
        reason="" if passed else _reason(worst, grad, numerical, uncertainty, allowed),
    )


def _reason(worst: tuple, grad: np.ndarray, numerical: np.ndarray, error: Any, allowed: Any) -> str:
    """Return why the element ``worst`` fails the check."""
    where = element_name("x", worst)
    value = float(numerical[worst])
    uncertainty = float(np.broadcast_to(error, numerical.shape)[worst])
    if not np.isfinite(value):
        return (
            f"the numerical derivative at {where} is not finite ({value}): f is NaN or "
            f"infinite near x there, so grad cannot be checked"
        )
    if not np.isfinite(uncertainty):
        return (
            f"the error of the numerical derivative at {where} could not be estimated, "
            f"so grad cannot be checked there"
        )
    given = float(grad[worst])
    if not np.isfinite(given):
        return f"grad at {where} is not finite ({given})"
    return (
        f"at {where}, grad is {given:.6g} and the numerical derivative {value:.6g}: a "
        f"difference of {abs(given - value):.3g}, above the tolerance "
        f"{float(np.broadcast_to(allowed, numerical.shape)[worst]):.3g}"
    )


def _tolerance(value: Any, name: str) -> float:
    check_positive_number(value, name, zero=True)
    return float(value)


def _largest(values: np.ndarray) -> float:
    """Return the largest element, NaN if there is one (numpy's max), 0 for an empty array."""
    return float(np.max(values)) if values.size else 0.0

"""Derivatives of functions of one variable, and tangent lines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from numgrad._engine.elementwise import derivative
from numgrad._engine.schemes import Method

__all__ = ["TangentLine", "numerical_diff", "tangent_line"]


def numerical_diff(
    f: Callable[[Any], Any],
    x: Any,
    h: float | np.ndarray | Literal["auto"] = 1e-4,
    *,
    method: Method = "central",
    full_output: bool = False,
) -> Any:
    r"""Compute the derivative of a function of one variable by finite differences.

    Parameters
    ----------
    f : callable
        The function to differentiate. It is called with numbers like ``x``;
        when ``x`` is an array, ``f`` must act elementwise. With
        ``method="complex"`` it is called with complex numbers.
    x : float or array_like
        Where to take the derivative.
    h : float, array_like or "auto", default 1e-4
        The step. ``1e-4`` is the textbook choice; an array gives one step
        per element of ``x`` (broadcastable to its shape); ``"auto"``
        chooses a step for each element from the values of ``f`` (see Notes).
    method : {"central", "forward", "backward", "richardson", "complex"}
        The difference formula, see Notes.
    full_output : bool, default False
        Whether to return a :class:`DerivativeResult` with the derivative, an
        estimate of its error and the number of calls of ``f``. With a given
        ``h`` this costs a second evaluation at ``h / 2``.

    Returns
    -------
    float, numpy.ndarray or DerivativeResult
        ``f'(x)``; a float when ``x`` is a number, an array of ``x``'s shape
        otherwise.

    Raises
    ------
    ValueError
        If ``h`` is not positive and finite, ``method`` is unknown, ``h``
        does not change an element of ``x`` (``x + h == x``), or ``f`` does
        not return one number per element of ``x``.
    TypeError
        If ``h`` is neither a number nor ``"auto"``, ``f`` returns something
        that is not a number, or, with ``method="complex"``, ``f`` does not
        accept complex numbers.

    Warns
    -----
    RuntimeWarning
        With ``h="auto"``, if the estimated error of an element exceeds the
        method's accuracy (see Notes), naming the element.

    See Also
    --------
    numerical_gradient : all partial derivatives of a function of many variables.

    Notes
    -----
    The default is the central difference

    .. math:: f'(x) \approx \frac{f(x + h) - f(x - h)}{2h},

    whose truncation error is :math:`h^2 f'''(x) / 6`. The other methods are

    .. math::

        \text{forward: } \frac{f(x+h) - f(x)}{h}, \qquad
        \text{backward: } \frac{f(x) - f(x-h)}{h}, \\
        \text{richardson: } \frac{4 D(h/2) - D(h)}{3}, \qquad
        \text{complex: } \frac{\operatorname{Im} f(x + ih)}{h},

    where :math:`D(h)` is the central difference. Their truncation errors are
    of order :math:`h`, :math:`h`, :math:`h^4` and :math:`h^2`, and they cost
    2, 2, 4 and 1 evaluations of ``f``.

    **The error model.** A difference of order :math:`p` with step
    :math:`h` has the error

    .. math:: E(h) \approx \tau h^p + K \frac{\epsilon F}{h},

    truncation plus rounding: the real differences subtract two nearly
    equal values of ``f``, each rounded by about :math:`\epsilon F`, with
    :math:`F` the size of those values and :math:`\epsilon \approx 2.2
    \times 10^{-16}` the machine epsilon of ``f``'s values (float64, or
    float32 if ``f`` returns float32). The two terms balance at
    :math:`h \propto s\,\epsilon^{1/(p+1)}`, where :math:`s` is the scale
    on which ``f`` varies, leaving an error of about
    :math:`\epsilon^{p/(p+1)}`: :math:`4 \times 10^{-11}` relative for
    central, :math:`10^{-8}` for forward and backward, :math:`3 \times
    10^{-13}` for Richardson.

    **The automatic step**, ``h="auto"``, for each element:

    1. A pilot pair of differences at :math:`h_0 = \epsilon^{1/(p+1)}
       \max(|x|, 1)` and :math:`h_0/2`, as in SciPy's ``approx_derivative``:
       the step never shrinks with :math:`|x|` below a typical scale of 1,
       so it cannot vanish at small or subnormal :math:`x`. Their
       difference estimates the truncation error; the values of ``f``,
       the rounding error. Where their sum is below :math:`10^{-10}` of the
       derivative, or where rounding limits it and the values are no
       larger than :math:`2|f(x)|`, that is the result.
    2. Otherwise ``f`` varies on another scale. Where truncation dominates
       (``sin`` at :math:`x = 1000`, ``log1p`` near -1), numgrad takes the
       step that balances the two measured terms, with :math:`F = |f(x)|`;
       where rounding dominates but ``f`` near :math:`x` is much larger than
       :math:`f(x)` (:math:`x^3` at tiny :math:`x`), the step relative to
       :math:`|x|` alone, :math:`\epsilon^{1/(p+1)}|x|`. A new pair is kept
       if it agrees with the old one within both error estimates and is
       estimated to be more accurate; at most three rounds.

    It costs about twice the evaluations of the method, plus one of
    :math:`f(x)`, and more where the pilot is refined. The result is judged
    against :math:`\max(|f'(x)|, G / \max(|x|, 1))`, with :math:`G` the
    larger of :math:`|f(x)|` and the values of ``f`` at the pilot's
    distance: a ``RuntimeWarning`` names the element whose estimated error
    exceeds :math:`10^4\,\epsilon^{p/(p+1)}` of that (:math:`4 \times
    10^{-7}` for central), and any element where :math:`f(x)` is
    subnormal, whose digits are lost. Where :math:`f(x)` underflows to
    exactly 0 (:math:`x^3` at :math:`|x| < 10^{-108}`), ``f`` is
    indistinguishable from its values at :math:`x = 0`, and the derivative
    is right only relative to ``f``'s values at the pilot's distance.

    The complex step subtracts nothing, so it has no rounding term: it uses
    :math:`h = 10^{-20} \max(|x|, 2^{-500})` and is exact to machine
    precision, for any ``f`` that is analytic and written to accept complex
    input (numpy functions are; ``math.sin`` and ``abs`` are not). Where
    :math:`\operatorname{Im} f(x + ih)` would be subnormal (``exp`` at
    -700), the step grows until it is normal, at most to
    :math:`10^{-7} \max(|x|, 2^{-500})`.

    Examples
    --------
    The derivative of :math:`0.01x^2 + 0.1x` at 5 is 0.2; the default step
    gives the float the textbook prints:

    >>> from numgrad import numerical_diff
    >>> print(numerical_diff(lambda x: 0.01 * x**2 + 0.1 * x, 5))
    0.1999999999990898

    It works with any callable, and elementwise on arrays:

    >>> import math
    >>> import numpy as np
    >>> round(numerical_diff(math.sin, 0.0), 8)
    1.0
    >>> numerical_diff(np.square, np.array([1.0, 2.0, 3.0])).round(6)
    array([2., 4., 6.])

    The complex step is exact to the last digit:

    >>> numerical_diff(np.sin, 1.0, h="auto", method="complex") == math.cos(1.0)
    True
    """
    return derivative(f, x, h, method, full_output)


@dataclass(frozen=True)
class TangentLine:
    """A straight line ``y = slope * t + intercept``, as returned by :func:`tangent_line`.

    Calling it evaluates the line at numbers or arrays.

    Attributes
    ----------
    slope : float
        The numerical derivative at the point of tangency.
    intercept : float
        Where the line crosses ``t = 0``.
    """

    slope: float
    intercept: float

    def __call__(self, t: Any) -> Any:
        """Return ``slope * t + intercept``."""
        return self.slope * t + self.intercept

    def __str__(self) -> str:
        sign = "-" if self.intercept < 0 else "+"
        return f"y = {self.slope:.6g}x {sign} {abs(self.intercept):.6g}"


def tangent_line(
    f: Callable[[Any], Any],
    x: float,
    h: float | Literal["auto"] = 1e-4,
    *,
    method: Method = "central",
) -> TangentLine:
    r"""Return the tangent line of ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        A function of one variable.
    x : float
        The point of tangency.
    h : float or "auto", default 1e-4
        The step of the numerical derivative (see :func:`numerical_diff`).
    method : str, default "central"
        The difference formula (see :func:`numerical_diff`).

    Returns
    -------
    TangentLine
        The line ``slope * t + intercept``, callable on numbers and arrays,
        with ``slope`` the numerical derivative :math:`f'(x)` and
        ``intercept = f(x) - slope * x``. Its repr shows both numbers in
        full; ``str`` shows them to six significant digits.

    Raises
    ------
    ValueError
        If ``x`` is not a single number, or ``h`` or ``method`` is invalid.

    Notes
    -----
    The tangent at :math:`x_0` is :math:`y = f(x_0) + f'(x_0)(t - x_0)`.

    Examples
    --------
    >>> from numgrad import tangent_line
    >>> line = tangent_line(lambda x: 0.01 * x**2 + 0.1 * x, 5)
    >>> print(line)
    y = 0.2x - 0.25
    >>> line
    TangentLine(slope=0.1999999999990898, intercept=-0.24999999999544897)
    >>> round(line(10), 6)
    1.75
    """
    if np.ndim(x) != 0:
        raise ValueError(f"x must be a single number; got shape {np.shape(x)}")
    slope = numerical_diff(f, x, h, method=method)
    return TangentLine(slope, float(f(x) - slope * x))

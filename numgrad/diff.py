"""Derivatives of functions of one variable, and tangent lines."""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from numgrad._evaluate import PLAIN_SCALARS
from numgrad._schemes import Scheme, get_scheme
from numgrad._steps import (
    COMPLEX_FLOOR,
    COMPLEX_STEP,
    allowed_error,
    auto_derivative,
    given_step,
    good_enough,
    inaccurate,
    kink,
    pair_offsets,
    rounding_error,
)
from numgrad._validation import preview, real_array

__all__ = ["TangentLine", "numerical_diff", "tangent_line"]

Method = Literal["central", "forward", "backward", "richardson", "complex"]


def numerical_diff(
    f: Callable[[Any], Any],
    x: Any,
    h: float | Literal["auto"] = 1e-4,
    *,
    method: Method = "central",
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
    h : float or "auto", default 1e-4
        The step. ``1e-4`` is the textbook choice; ``"auto"`` chooses a step
        for each element from the values of ``f`` (see Notes).
    method : {"central", "forward", "backward", "richardson", "complex"}
        The difference formula, see Notes.

    Returns
    -------
    float or numpy.ndarray
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

    **The step ``h="auto"``**, for each element:

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
    number = type(x) is float or type(x) is int
    if number and type(h) is float and method == "central" and 0.0 < h < _INFINITY:
        # The textbook's case, in Python's arithmetic: the book's numbers, bit for bit.
        upper_point = x + h
        lower_point = x - h
        if upper_point != x and lower_point != x:  # noqa: PLR1714 (no tuple: the cheapest)
            upper = f(upper_point)
            lower = f(lower_point)
            if type(upper) is float and type(lower) is float:
                return (upper - lower) / (2 * h)
            if type(upper) not in PLAIN_SCALARS or type(lower) not in PLAIN_SCALARS:
                upper, lower = (_checked(value, x, _CENTRAL) for value in (upper, lower))
            return float((upper - lower) / (2 * h))
    scheme = get_scheme(method)
    # Keep Python numbers as they are: x + h is then the book's arithmetic.
    # Arrays are differentiated in float64, whatever their precision.
    point: Any = x if number else real_array(x, "x").astype(np.float64)
    if isinstance(h, str) and h == "auto":
        derivative = _auto_number(f, x, scheme) if number else None
        if derivative is None or isinstance(derivative, tuple):
            derivative = _auto_diff(f, np.asarray(point, dtype=np.float64), scheme, derivative)
    else:
        step = given_step(h)
        if not scheme.is_complex:  # x + ih keeps x and h apart
            _check_step_changes(point, step)
        values = [
            _elementwise(f, point + offset * step, point, scheme) for offset in scheme.offsets
        ]
        derivative = scheme.combine(values, step)
    if number or np.ndim(derivative) == 0:
        return float(derivative)
    return np.asarray(derivative, dtype=np.float64)


def _check_step_changes(point: Any, step: float) -> None:
    unchanged = point + step == point
    if np.any(unchanged):
        index = np.unravel_index(int(np.argmax(unchanged)), np.shape(point))
        where = f"x[{', '.join(map(str, index))}]" if index else "x"
        value = np.asarray(point)[index] if index else point
        raise ValueError(
            f"h={step:g} does not change {where} = {value!r} (x + h == x), so its "
            f'derivative would be a silent 0; use h="auto", which sizes the step for x'
        )


def _elementwise(f: Callable[[Any], Any], argument: Any, point: Any, scheme: Any) -> Any:
    """Call f and check that it gave one real number per element of the point."""
    try:
        value = f(argument)
    except TypeError as error:
        if scheme.is_complex and "complex" in str(error):
            raise TypeError(
                "with method='complex', f must accept complex numbers (numpy's functions do; "
                f"math's and abs-based ones do not): {error}"
            ) from error
        raise
    if type(value) is float and not isinstance(point, np.ndarray):
        return value
    return _checked(value, point, scheme)


def _checked(value: Any, point: Any, scheme: Any) -> Any:
    """Return ``value`` if it is one real number per element of the point, else raise."""
    if value is None or isinstance(value, str) or np.asarray(value).dtype.kind not in "biufc":
        raise TypeError(
            f"f must return a real number for each element of x; it returned {preview(value)}"
        )
    if np.shape(value) != np.shape(point):
        hint = ""
        if np.ndim(value) == 0 and np.ndim(point) == 1:
            hint = (
                "; f looks like a function of a vector: numerical_gradient gives its "
                "partial derivatives"
            )
        raise ValueError(
            f"f must return one number per element of x (shape {np.shape(point)}), as an "
            f"elementwise function does; it returned shape {np.shape(value)}{hint}"
        )
    if scheme.is_complex and np.asarray(value).dtype.kind != "c":
        raise TypeError(
            "with method='complex', f must keep the imaginary part of its argument; it "
            "returned real values (abs, np.real, float() and comparisons drop it)"
        )
    return value


def _auto_diff(f: Callable[[Any], Any], point: np.ndarray, scheme: Any, pilot: Any = None) -> Any:
    """numerical_diff with h="auto": the step rule of :mod:`numgrad._steps`, elementwise.

    ``pilot``: the pilot's values and f(x) at a number, from :func:`_auto_number`.
    """
    flat = point.reshape(-1)
    current = np.ones(flat.size)  # the last step of each element

    def evaluate(offsets: tuple, steps: np.ndarray, elements: np.ndarray) -> np.ndarray:
        current[elements] = steps
        values = np.empty((len(offsets), flat.size), dtype=scheme.value_dtype)
        for q, offset in enumerate(offsets):
            argument = (flat + offset * current).reshape(point.shape)
            values[q] = np.reshape(_elementwise(f, argument, point, scheme), -1)
        return values[:, elements, np.newaxis]

    pilot_values, at_x = pilot if pilot is not None else (None, None)
    if at_x is None:
        at_x = np.asarray(_elementwise(f, point, point, _REAL))
    # f's values are rounded in f's own precision: float32 if f computes in it.
    eps = float(np.finfo(at_x.dtype if at_x.dtype.kind in "fc" else np.float64).eps)
    at_x = at_x.reshape(-1, 1).astype(scheme.value_dtype)
    estimate = auto_derivative(evaluate, flat, scheme, eps, at_x, pilot_values)
    estimate = estimate.single()
    ratio = inaccurate(estimate, flat, scheme, eps)
    if np.any(ratio > 1):
        worst = int(np.argmax(ratio))
        index = np.unravel_index(worst, point.shape)
        where = (
            f"x[{', '.join(map(str, index))}] = {flat[worst]!r}"
            if index
            else f"x = {flat[worst]!r}"
        )
        warnings.warn(
            f'h="auto" could not reach its accuracy at {where}: estimated error '
            f"{estimate.error[worst]:.2g} for a derivative of {estimate.value[worst]:.6g} "
            f"({int(np.sum(ratio > 1))} element(s) like this); f may not be smooth there, "
            f"or its values may be too small for float64",
            RuntimeWarning,
            stacklevel=3,
        )
    return estimate.value.reshape(point.shape)


def _auto_number(f: Callable[[Any], Any], x: float, scheme: Scheme) -> Any:
    """Run the ``h="auto"`` pilot at a Python number, in Python floats.

    The array path's arithmetic, without numpy's cost on one element. Returns
    the derivative where the pilot is accepted, else the pilot's values and
    ``f(x)`` (or ``None``) for the array path to go on from, which also
    handles every case out of the ordinary (refinements, warnings, errors).
    """
    with contextlib.suppress(TypeError, ValueError, OverflowError):
        if scheme.is_complex:
            step = COMPLEX_STEP * max(abs(x), COMPLEX_FLOOR)
            value = f(complex(x, step))
            if type(value) in (complex, np.complex128) and abs(value.imag) >= _TINY:
                return value.imag / step
            return None
        order = scheme.order
        step = _EPS ** (1 / (order + 1)) * max(abs(x), 1.0)
        quantum = 4 * math.ulp(abs(x))
        count = round(step / quantum)
        if count < 2.0**50:
            step = max(count, 1) * quantum
        offsets, wide, narrow = pair_offsets(scheme)
        values = [f(x + offset * step) for offset in offsets]
        # f(x): central's kink test needs it; the others only if the pilot is not enough.
        at_x = f(x) if scheme is _CENTRAL else None
        if 0.0 in offsets:  # forward and backward have it already
            at_x = values[offsets.index(0.0)]
        if not all(type(value) in PLAIN_SCALARS for value in (*values, at_x or 0.0)):
            return None
        coarse = scheme.combine([values[i] for i in wide], step)
        fine = scheme.combine([values[i] for i in narrow], step / 2)
        truncation = abs(coarse - fine) / (2**order - 1) + kink(values, offsets, at_x, step)
        size = max(abs(value) for value in values)
        rounding = rounding_error(size, step / 2, scheme, _EPS)
        error = truncation + rounding
        if not math.isfinite(error):
            return None
        if error <= good_enough(scheme, _EPS) * abs(fine):
            return float(fine)
        if at_x is None:
            at_x = f(x)
            if type(at_x) not in PLAIN_SCALARS:
                return None
        # Rounding limits it, and no step could do better as f near x is about f(x).
        scale = max(abs(fine), max(abs(at_x), size) / max(abs(x), 1.0))
        limited = truncation <= 2 * rounding and size <= 2 * abs(at_x)
        if limited and error <= allowed_error(scheme, _EPS) * scale:
            return float(fine)
        return np.array(values)[:, np.newaxis, np.newaxis], np.array([at_x])
    return None


_REAL = get_scheme("central")
_CENTRAL = _REAL
_EPS = float(np.finfo(np.float64).eps)
_TINY = float(np.finfo(np.float64).tiny)
_INFINITY = math.inf


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

"""The engine of :func:`numgrad.numerical_diff`: derivatives of elementwise functions.

``f`` maps a number to a number, or an array to an array of the same shape
elementwise, so each call evaluates every element at its own perturbed point
(:class:`numgrad._engine.evaluate.Elementwise`). The step rule, the error
model and the warnings are those of every other function.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from numgrad._engine.auto import auto_derivative, auto_number
from numgrad._engine.checks import (
    PLAIN_SCALARS,
    check_flag,
    checked,
    element_name,
    given_step,
    is_auto,
    real_array,
)
from numgrad._engine.errors import Estimate, fixed_derivative, pair_offsets, precision
from numgrad._engine.evaluate import Elementwise, elementwise
from numgrad._engine.report import warn_about_edges, warn_inaccurate
from numgrad._engine.schemes import Scheme, get_scheme
from numgrad._result import DerivativeResult

__all__ = ["derivative"]

_CENTRAL = get_scheme("central")
_INFINITY = math.inf


def derivative(f: Callable[[Any], Any], x: Any, h: Any, method: Any, full_output: Any) -> Any:
    """Return :func:`numgrad.numerical_diff`'s result (its arguments, unchecked)."""
    number = type(x) is float or type(x) is int
    if (
        number
        and type(h) is float
        and method == "central"
        and full_output is False
        and 0.0 < h < _INFINITY
    ):
        # The textbook's case, in Python's arithmetic: the book's numbers, bit for bit.
        upper_point = x + h
        lower_point = x - h
        if upper_point != x and lower_point != x:  # noqa: PLR1714 (no tuple: the cheapest)
            upper = f(upper_point)
            lower = f(lower_point)
            if type(upper) is float and type(lower) is float:
                return (upper - lower) / (2 * h)
            if type(upper) not in PLAIN_SCALARS or type(lower) not in PLAIN_SCALARS:
                upper, lower = (checked(value, x, _CENTRAL) for value in (upper, lower))
            return float((upper - lower) / (2 * h))
    scheme = get_scheme(method)
    check_flag(full_output, "full_output")
    # Keep Python numbers as they are: x + h is then the book's arithmetic.
    # Arrays are differentiated in float64, whatever their precision.
    point: Any = x if number else real_array(x, "x").astype(np.float64)
    if is_auto(h):
        # At a number, the pilot in Python floats first: where it is accepted, it is
        # the estimate; else its values go on to the general rule.
        estimate = auto_number(f, x, scheme) if number else None
        if not isinstance(estimate, Estimate):
            estimate = auto_elementwise(f, np.asarray(point, dtype=np.float64), scheme, estimate)
    else:
        step = given_step(h, np.shape(point))
        estimate = given_elementwise(f, point, step, scheme, full_output)
    value = _as_result(estimate.value, number)
    if full_output:
        return DerivativeResult(value, _as_result(estimate.error, number), estimate.nfev)
    return value


def _as_result(derivative: Any, number: bool) -> Any:
    """Return a float for a number x or a 0-d result, else a float64 array."""
    if number or np.ndim(derivative) == 0:
        return float(derivative)
    return np.asarray(derivative, dtype=np.float64)


def given_elementwise(
    f: Callable[[Any], Any], point: Any, step: Any, scheme: Scheme, full: bool
) -> Estimate:
    """Differentiate with the caller's step: a number, or one per element of the point.

    With ``full``, also at half the step, for the error estimate of
    :func:`numgrad._engine.errors.fixed_derivative`; the value is the same either way.
    """
    if not scheme.is_complex:  # x + ih keeps x and h apart
        _check_step_changes(point, step)
    offsets = pair_offsets(scheme)[0] if full else scheme.offsets
    values = [elementwise(f, point + offset * step, point, scheme) for offset in offsets]
    if not full:
        return Estimate(scheme.combine(values, step), np.zeros(0), np.zeros(0), len(values))
    at_x = elementwise(f, point, point, _CENTRAL)
    column = np.reshape(at_x, (-1, 1)).astype(scheme.value_dtype)
    stacked = np.stack([np.reshape(v, (-1, 1)) for v in values])
    steps = np.broadcast_to(step, np.shape(point)).reshape(-1).astype(np.float64)
    estimate = fixed_derivative(stacked, steps, scheme, precision(np.asarray(at_x).dtype), column)
    shape = np.shape(point)
    value, error = (np.reshape(a[:, 0], shape) for a in (estimate.value, estimate.error))
    return Estimate(value, error, np.zeros(0), len(values) + 1)


def _check_step_changes(point: Any, step: Any) -> None:
    unchanged = point + step == point
    if np.any(unchanged):
        index = np.unravel_index(int(np.argmax(unchanged)), np.shape(point))
        where = element_name("x", index)
        value = float(np.asarray(point)[index]) if index else point
        used = float(np.broadcast_to(step, np.shape(point))[index])
        raise ValueError(
            f"h={used:g} does not change {where} = {value!r} (x + h == x), so its "
            f'derivative would be a silent 0; use h="auto", which sizes the step for x'
        )


def auto_elementwise(
    f: Callable[[Any], Any], point: np.ndarray, scheme: Any, pilot: Any = None
) -> Estimate:
    """Differentiate with h="auto": the step rule of :mod:`numgrad._engine.auto`, elementwise.

    ``pilot``: the pilot's values and f(x) at a number, from :func:`auto_number`.
    Returns arrays of the point's shape; ``nfev`` counts the calls of f.
    """
    evaluate = Elementwise(f, point, scheme)
    flat = evaluate.flat
    pilot_values, at_x = pilot if pilot is not None else (None, None)
    calls = 0 if pilot is None else len(pilot[0]) + 1
    if at_x is None:
        at_x = np.asarray(elementwise(f, point, point, _CENTRAL))
        calls += 1
    eps = precision(np.asarray(at_x).dtype)
    at_x = at_x.reshape(-1, 1).astype(scheme.value_dtype)
    estimate = auto_derivative(evaluate, flat, scheme, eps, at_x, pilot_values).single()

    def where(element: int) -> str:
        return f"{element_name('x', np.unravel_index(element, point.shape))} = {flat[element]!r}"

    warn_about_edges(estimate, where, stacklevel=5)
    warn_inaccurate(estimate, flat, scheme, eps, where, stacklevel=5)
    shape = point.shape
    return Estimate(
        estimate.value.reshape(shape),
        estimate.error.reshape(shape),
        np.zeros(0),
        calls + evaluate.calls,
    )

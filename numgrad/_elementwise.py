"""Derivatives of elementwise functions: the machinery of :func:`numgrad.numerical_diff`.

``f`` maps a number to a number, or an array to an array of the same shape
elementwise, so each call evaluates every element at its own perturbed point.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from numgrad._auto import auto_derivative
from numgrad._evaluate import PLAIN_SCALARS, check_real_at_real
from numgrad._report import warn_about_edges
from numgrad._schemes import Scheme, get_scheme
from numgrad._steps import (
    COMPLEX_FLOOR,
    COMPLEX_STEP,
    EPS,
    SMALLEST_NORMAL,
    SMALLEST_SUBNORMAL,
    Estimate,
    allowed_error,
    fixed_derivative,
    good_enough,
    inaccurate,
    kink,
    noise_size,
    pair_offsets,
    precision,
    rounding_error,
)
from numgrad._validation import element_name, preview

__all__ = ["auto_elementwise", "auto_number", "checked", "given_elementwise"]

_CENTRAL = get_scheme("central")


def given_elementwise(
    f: Callable[[Any], Any], point: Any, step: Any, scheme: Scheme, full: bool
) -> Estimate:
    """Differentiate with the caller's step: a number, or one per element of the point.

    With ``full``, also at half the step, for the error estimate of
    :func:`numgrad._steps.fixed_derivative`; the value is the same either way.
    """
    if not scheme.is_complex:  # x + ih keeps x and h apart
        _check_step_changes(point, step)
    offsets = pair_offsets(scheme)[0] if full else scheme.offsets
    values = [_elementwise(f, point + offset * step, point, scheme) for offset in offsets]
    if not full:
        return Estimate(scheme.combine(values, step), np.zeros(0), np.zeros(0), len(values))
    at_x = _elementwise(f, point, point, _CENTRAL)
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
    value = checked(value, point, scheme)
    if scheme.is_complex and np.any(np.abs(np.imag(value)) > 1e-8 * np.abs(value)):
        # Im f(x + ih) is about h f'(x): far more, and f may be complex at real x.
        check_real_at_real(
            f(np.asarray(point, dtype=np.complex128) if np.ndim(point) else complex(point))
        )
    return value


def checked(value: Any, point: Any, scheme: Any) -> Any:
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


def auto_elementwise(
    f: Callable[[Any], Any], point: np.ndarray, scheme: Any, pilot: Any = None
) -> Estimate:
    """Differentiate with h="auto": the step rule of :mod:`numgrad._steps`, elementwise.

    ``pilot``: the pilot's values and f(x) at a number, from :func:`auto_number`.
    Returns arrays of the point's shape; ``nfev`` counts the calls of f.
    """
    flat = point.reshape(-1)
    current = np.ones(flat.size)  # the last step of each element
    calls = 0 if pilot is None else len(pilot[0]) + 1

    def evaluate(offsets: tuple, steps: np.ndarray, elements: np.ndarray) -> np.ndarray:
        nonlocal calls
        calls += len(offsets)
        current[elements] = steps
        values = np.empty((len(offsets), flat.size), dtype=scheme.value_dtype)
        for q, offset in enumerate(offsets):
            argument = (flat + offset * current).reshape(point.shape)
            values[q] = np.reshape(_elementwise(f, argument, point, scheme), -1)
        return values[:, elements, np.newaxis]

    pilot_values, at_x = pilot if pilot is not None else (None, None)
    if at_x is None:
        at_x = np.asarray(_elementwise(f, point, point, _CENTRAL))
        calls += 1
    eps = precision(np.asarray(at_x).dtype)
    at_x = at_x.reshape(-1, 1).astype(scheme.value_dtype)
    estimate = auto_derivative(evaluate, flat, scheme, eps, at_x, pilot_values)
    estimate = estimate.single()

    def where(element: int) -> str:
        return f"{element_name('x', np.unravel_index(element, point.shape))} = {flat[element]!r}"

    warn_about_edges(estimate, where, stacklevel=4)
    ratio = inaccurate(estimate, flat, scheme, eps)
    if np.any(ratio > 1):
        worst = int(np.argmax(ratio))
        warnings.warn(
            f'h="auto" could not reach its accuracy at {where(worst)}: estimated error '
            f"{estimate.error[worst]:.2g} for a derivative of {estimate.value[worst]:.6g} "
            f"({int(np.sum(ratio > 1))} element(s) like this); f may not be smooth there, "
            f"or its values may be too small for float64",
            RuntimeWarning,
            stacklevel=3,
        )
    shape = point.shape
    return Estimate(
        estimate.value.reshape(shape), estimate.error.reshape(shape), np.zeros(0), calls
    )


def auto_number(f: Callable[[Any], Any], x: float, scheme: Scheme) -> Any:
    """Run the ``h="auto"`` pilot at a Python number, in Python floats.

    The array path's arithmetic, without numpy's cost on one element. Returns
    the estimate where the pilot is accepted, else the pilot's values and
    ``f(x)`` (or ``None``) for the array path to go on from, which also
    handles every case out of the ordinary (refinements, warnings, errors).
    """
    with contextlib.suppress(TypeError, ValueError, OverflowError):
        if scheme.is_complex:
            step = COMPLEX_STEP * max(abs(x), COMPLEX_FLOOR)
            value = f(complex(x, step))
            # (Im f far above h f'(x): f may be complex at real x, which the array path tells.)
            if type(value) in (complex, np.complex128) and SMALLEST_NORMAL <= abs(
                value.imag
            ) <= 1e-8 * abs(value):
                error = (4 * EPS * abs(value.imag) + SMALLEST_SUBNORMAL) / step
                return _number(value.imag / step, error, 1)
            return None
        order = scheme.order
        step = EPS ** (1 / (order + 1)) * max(abs(x), 1.0)
        quantum = 4 * math.ulp(abs(x))
        count = round(step / quantum)
        if count < 2.0**50:
            step = max(count, 1) * quantum
        offsets, wide, narrow = pair_offsets(scheme)
        values = [f(x + offset * step) for offset in offsets]
        # f(x): the kink tests of central and Richardson need it; the others only if
        # the pilot is not enough.
        kinked = scheme.order % 2 == 0 and 0.0 not in offsets
        at_x = f(x) if kinked else None
        if 0.0 in offsets:  # forward and backward have it already
            at_x = values[offsets.index(0.0)]
        if not all(type(value) in PLAIN_SCALARS for value in (*values, at_x or 0.0)):
            return None
        coarse = scheme.combine([values[i] for i in wide], step)
        fine = scheme.combine([values[i] for i in narrow], step / 2)
        truncation = abs(coarse - fine) / (2**order - 1) + kink(values, offsets, at_x, step)
        size = max(abs(value) for value in values)
        noisy = noise_size(
            np.array(values)[:, np.newaxis], np.array([at_x or 0.0]), size, EPS, step / 2
        )
        rounding = rounding_error(float(noisy[0]), step / 2, scheme, EPS)
        error = truncation + rounding
        if not math.isfinite(error):
            return None
        calls = len(values) + kinked
        if error <= good_enough(scheme, EPS) * abs(fine):
            return _number(fine, error + truncation, calls)  # as auto_derivative reports it
        if at_x is None:
            at_x = f(x)
            calls += 1
            if type(at_x) not in PLAIN_SCALARS:
                return None
        # Rounding limits it, and no step could do better as f near x is about f(x).
        scale = max(abs(fine), max(abs(at_x), size) / max(abs(x), 1.0))
        limited = truncation <= 2 * rounding and size <= 2 * abs(at_x)
        if limited and error <= allowed_error(scheme, EPS) * scale:
            return _number(fine, error + truncation, calls)  # as auto_derivative reports it
        return np.array(values)[:, np.newaxis, np.newaxis], np.array([at_x])
    return None


def _number(value: float, error: float, calls: int) -> Estimate:
    return Estimate(np.float64(value), np.float64(error), np.zeros(0), calls)

"""The warnings: one wording of each, for every function, each naming the element concerned.

The problem and the scheme are read, not imported (annotated ``Any``): the
report stands on the error model and the checks alone.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from numgrad._engine.checks import element_name, is_auto
from numgrad._engine.errors import Estimate, inaccurate
from numgrad._engine.problem import read_only

__all__ = ["warn_about", "warn_about_edges", "warn_about_hessian", "warn_inaccurate", "where"]


def warn_about(
    problem: Any,
    estimate: Estimate,
    h: Any,
    *,
    stacklevel: int = 3,
    vanished: bool = True,
    accuracy: bool = True,
) -> None:
    """Issue the warnings of one gradient computation, naming the first element concerned.

    ``vanished=False`` leaves out the warning about steps that do not change
    x, ``accuracy=False`` the one about ``h="auto"`` missing its accuracy
    (for callers that report them their own way).
    """
    # One row per element of x, one column per output of f (one for a gradient).
    elements = problem.k * problem.n
    if elements == 0:
        return
    values = np.reshape(estimate.value, (elements, -1))
    warn_about_edges(estimate, functools.partial(where, problem), stacklevel + 1)
    _warn_if_not_finite(problem, values, stacklevel + 1, estimate.nowhere)
    if vanished:
        _warn_if_step_vanished(problem, h, values, stacklevel + 1)
    if is_auto(h):
        ratio = inaccurate(estimate, problem.flat_points(), problem.scheme, problem.eps)
        if ratio.max(initial=0.0) > 1:
            if accuracy:
                _warn_inaccurate(
                    estimate, ratio, elements, functools.partial(where, problem), stacklevel + 1
                )
            return  # values that underflow look the same at every perturbation too
    _warn_if_f_ignored_x(problem, stacklevel + 1)


def where(problem: Any, element: int) -> str:
    """Return a flat element as the user would index it: ``x[1, 2]``, or ``x`` for a 0-d x."""
    return element_name("x", problem.element_index(element))


def warn_inaccurate(
    estimate: Estimate,
    x: np.ndarray,
    scheme: Any,
    eps: float,
    where: Callable[[int], str],
    stacklevel: int,
) -> None:
    """Warn where ``h="auto"`` missed its accuracy (an estimate of a scalar f at flat ``x``)."""
    ratio = inaccurate(estimate, x, scheme, eps)
    if ratio.max(initial=0.0) > 1:
        _warn_inaccurate(estimate, ratio, x.size, where, stacklevel + 1)


def _warn_if_step_vanished(problem: Any, h: Any, values: np.ndarray, stacklevel: int) -> None:
    if not problem.vanished:
        return
    element = int(problem.vanished[0])
    row, col = divmod(element, problem.n)
    value = problem.stack.reshape(problem.k, problem.n)[row, col]
    derivative = values[element]
    # What the step gave: 0 (x + h == x, f the same), or NaN where f was NaN anyway.
    result = "computed as 0" if np.all(derivative == 0) else f"computed as {derivative[0]!r}"
    advice = (
        "use a float64 x"
        if is_auto(h)
        else 'use h="auto", which sizes the step for x\'s magnitude and precision, or a float64 x'
    )
    warnings.warn(
        f"h={h} does not change {where(problem, element)} = {float(value.real)!r} in "
        f"{problem.real_dtype} (x + h == x), so its partial derivative is {result}, "
        f"from no step at all ({len(set(problem.vanished))} element(s) like this); {advice}",
        RuntimeWarning,
        stacklevel=stacklevel,
    )


def warn_about_edges(estimate: Estimate, where: Callable[[int], str], stacklevel: int) -> None:
    """Warn where h="auto" used a one-sided difference, and where it found no finite side.

    ``where(element)`` names a flat element as the user would index it.
    """
    if estimate.one_sided.size:
        warnings.warn(
            f'h="auto" used a one-sided difference at {_names(estimate.one_sided, where)}: '
            f"f is NaN or infinite on the other side of x there, within the step (the "
            f"edge of its domain?)",
            RuntimeWarning,
            stacklevel=stacklevel,
        )
    if estimate.nowhere.size:
        warnings.warn(
            f"f is NaN or infinite on both sides of {_names(estimate.nowhere, where)}, "
            f"though finite there: its derivative is NaN",
            RuntimeWarning,
            stacklevel=stacklevel,
        )


def _names(elements: np.ndarray, where: Callable[[int], str], shown: int = 3) -> str:
    """Return the first few elements by name, and how many there are in all."""
    names = ", ".join(where(int(e)) for e in elements[:shown])
    more = f" and {elements.size - shown} more" if elements.size > shown else ""
    return names + more


def _warn_if_not_finite(
    problem: Any, values: np.ndarray, stacklevel: int, told: np.ndarray
) -> None:
    if math.isfinite(values.sum()):  # a sum that overflows only sends us on to check
        return
    bad = ~np.all(np.isfinite(values), axis=1)
    bad[told] = False  # said already: f is not finite on either side of them
    if bad.any():
        warnings.warn(
            f"f returned NaN or infinity when {where(problem, int(np.argmax(bad)))} was perturbed; "
            f"{int(np.sum(~np.isfinite(values)))} partial derivative(s) are not finite",
            RuntimeWarning,
            stacklevel=stacklevel,
        )


def warn_about_hessian(problem: Any, value: np.ndarray, *, stacklevel: int = 3) -> None:
    """Issue the warnings of one Hessian: NaN or infinity, or an f that ignores its copy of x."""
    if np.all(np.isfinite(value)):
        _warn_if_f_ignored_x(problem, stacklevel + 1, what="Hessian")
        return
    bad = np.argwhere(~np.isfinite(value.reshape(problem.n, problem.n)))[0]
    named = " and ".join(dict.fromkeys(where(problem, int(i)) for i in bad))
    warnings.warn(
        f"f returned NaN or infinity near x; the Hessian has "
        f"{int(np.sum(~np.isfinite(value)))} element(s) that are not finite, the "
        f"first for {named}",
        RuntimeWarning,
        stacklevel=stacklevel,
    )


def _warn_if_f_ignored_x(problem: Any, stacklevel: int, what: str = "gradient") -> None:
    if problem.in_place or not problem.same_value or problem.calls == 0:
        return
    # Every perturbation gave one value: does f give it at x itself too? And, for the
    # complex step, whose imaginary steps can vanish in f's values (x**3 at 0), at
    # x moved by a real step in every element?
    point = problem.stack[:1]
    points = [point]
    if problem.scheme.is_complex:
        points.append(point + 1e-3 * np.maximum(np.abs(point), 1.0))
    for stack in points:
        if problem.vectorized:
            value = problem.f(read_only(stack))[0]
        else:
            value = problem.f(read_only(stack[0, ...], type(problem.argument)))
        if not np.array_equal(value, problem.first_value):
            return
    warnings.warn(
        f"f returned the same value for every perturbation of x, so the {what} is 0; "
        "f seems to ignore its argument. numgrad perturbs a copy of x here (x is not a "
        "writeable float array, or method='complex', vectorized=True or workers=), so the "
        "book's "
        "`lambda w: net.loss(x, t)` idiom needs net's weights as a writeable float array, "
        "or an f that uses its argument",
        RuntimeWarning,
        stacklevel=stacklevel,
    )


def _warn_inaccurate(
    estimate: Estimate,
    ratio: np.ndarray,
    elements: int,
    where: Callable[[int], str],
    stacklevel: int,
) -> None:
    """Warn about the element of the worst ratio of estimated to allowed error."""
    ratio = np.max(np.reshape(ratio, (elements, -1)), axis=1)
    worst = int(np.argmax(ratio))
    values = np.reshape(estimate.value, (elements, -1))
    errors = np.reshape(estimate.error, (elements, -1))
    output = int(np.argmax(errors[worst]))
    warnings.warn(
        f'h="auto" could not reach its accuracy at {where(worst)}: estimated error '
        f"{errors[worst, output]:.2g} for a derivative of {values[worst, output]:.6g} "
        f"({int(np.sum(ratio > 1))} element(s) like this); f may not be smooth there, or its "
        f"values may be too small for their precision",
        RuntimeWarning,
        stacklevel=stacklevel,
    )

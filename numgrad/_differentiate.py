"""One derivative computation, from a :class:`~numgrad._evaluate.Problem` to an estimate.

The step is the caller's (a number, or an array with one step per element)
or ``"auto"``; with ``full=True`` a given step also comes with an error
estimate, from a second evaluation at half the step.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any

import numpy as np

from numgrad._auto import auto_derivative, knowing_f_x, moving
from numgrad._evaluate import Problem, call, guarded, loop, mapped, output, real_at_real
from numgrad._stacked import call_stacked, stacked
from numgrad._steps import (
    Estimate,
    fixed_derivative,
    given_step,
    is_auto,
    pair_offsets,
    precision,
)

__all__ = ["compute"]


def compute(problem: Problem, h: Any, *, full: bool = False) -> Estimate:
    """Differentiate f at every element of the problem's points.

    Returns arrays of shape ``(elements, m)``, ``m`` the number of f's
    outputs (1 for a scalar f). Without ``full``, a given step gives no
    error estimate (``error`` and ``size`` are then empty).
    """
    auto = is_auto(h)
    steps = None if auto else given_step(h, problem.points.shape)
    size, f_x = problem.k * problem.n, None
    if size == 0:
        empty = np.zeros((0, 1))
        return Estimate(empty, empty, empty, 0)
    evaluate = mapped if problem.mapper else stacked if problem.vectorized else loop
    scheme = problem.scheme

    def values(offsets: tuple, steps: np.ndarray, elements: np.ndarray) -> np.ndarray:
        result = evaluate(problem, offsets, steps, elements)
        if scheme.is_complex:
            real_at_real(problem, result)
        return result if problem.outputs else result[..., np.newaxis]

    with guarded(problem.points) if problem.in_place else contextlib.nullcontext():
        flat = problem.flat_points()
        everything = np.arange(size)
        # f(x): its size, precision and output shape, and offset 0 of forward and backward.
        if auto or full or problem.outputs or 0 in scheme.offsets:
            f_x = values_at_x(problem).reshape(size, -1)
            values = knowing_f_x(values, f_x)
        if auto:
            estimate = auto_derivative(values, flat, scheme, problem.eps, f_x)
            return _with_calls(estimate, problem.k)
        # One step per flat element: the points' order, batch axis included.
        steps = np.full(size, steps) if np.ndim(steps) == 0 else steps.reshape(-1)
        if full:
            pair = values(pair_offsets(scheme)[0], steps, everything)
            return _with_calls(fixed_derivative(pair, steps, scheme, problem.eps, f_x), problem.k)
        result = values(scheme.offsets, steps, everything)
    with np.errstate(invalid="ignore", over="ignore"):
        value = np.asarray(scheme.combine(result, steps[:, np.newaxis]), dtype=np.float64)
    nfev = moving(scheme.offsets) * size + (problem.k if f_x is not None else 0)
    return Estimate(value, np.zeros((0, 1)), np.zeros((0, 1)), nfev)


def _with_calls(estimate: Estimate, calls: int) -> Estimate:
    """Return the estimate with ``calls`` more evaluations of f counted (those of f(x))."""
    return estimate.replace(estimate.value, estimate.error, estimate.size, estimate.nfev + calls)


def values_at_x(problem: Problem) -> np.ndarray:
    """F at the unperturbed point of each element (one call per point, or one stacked).

    Also sets ``problem.eps`` to the machine epsilon of the values f returns:
    what rounds them is f's own precision, whatever x's is.
    """
    if problem.vectorized:
        stack = problem.stack[:]
        stack.flags.writeable = False
        values = call_stacked(problem, stack)
        types = [values.dtype]
    else:
        f = problem.f if problem.in_place else functools.partial(call, problem.f)
        values = [output(f(problem.argument_for(row)), problem) for row in range(problem.k)]
        problem.calls += len(values)
        types = [np.asarray(value).dtype for value in values]
    problem.eps = precision(*types)
    values = np.asarray(values, dtype=problem.scheme.value_dtype).reshape(problem.k, -1)
    at_x = np.repeat(values, problem.n, axis=0)
    return at_x if problem.outputs else at_x[:, 0]

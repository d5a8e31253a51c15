"""The engine's driver: from a function, a point and a step to derivatives and warnings.

:func:`gradient` is :func:`numgrad.numerical_gradient`; its first branches
are the textbook's cases (:func:`~numgrad._engine.evaluate.central_loop`,
:func:`~numgrad._engine.stacks.vectorized_central`), which hand what they
cannot finish to the general path. :func:`compute` is that path for every
function of arrays: a :class:`~numgrad._engine.problem.Problem`, a step (the
caller's, a number or an array with one per element, or ``"auto"``) and an
evaluator give an :class:`~numgrad._engine.errors.Estimate`; with
``full=True`` a given step also comes with an error estimate, from a second
evaluation at half the step.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from numgrad._engine.auto import auto_derivative, knowing_f_x, moving
from numgrad._engine.checks import check_flag, given_step, is_auto, output, real_array
from numgrad._engine.errors import Estimate, fixed_derivative, pair_offsets, precision
from numgrad._engine.evaluate import central_loop, loop, mapped, real_at_real
from numgrad._engine.problem import Problem, call, guarded
from numgrad._engine.report import warn_about
from numgrad._engine.schemes import Scheme, get_scheme
from numgrad._engine.stacks import call_stacked, stacked, vectorized_central
from numgrad._engine.workers import mapper_for
from numgrad._result import DerivativeResult

__all__ = ["compute", "estimate_gradient", "gradient", "lean_gradient", "problem_for"]

_CENTRAL = get_scheme("central")


def gradient(
    f: Callable,
    x: Any,
    h: Any = 1e-4,
    *,
    method: Any = "central",
    batch: Any = False,
    vectorized: Any = False,
    workers: Any = 1,
    full_output: Any = False,
) -> np.ndarray | DerivativeResult:
    """Return :func:`numgrad.numerical_gradient`'s result (same arguments, unchecked)."""
    known = None
    if (
        method == "central"
        and type(h) is float
        and type(workers) is int
        and workers == 1
        and full_output is False
    ):
        # The textbook's cases first, at close to the bare cost of f's calls.
        if vectorized is True and batch is False:
            grad, known = vectorized_central(f, x, h)
            if grad is not None:
                return grad
        elif _simple(x, h, batch, vectorized):
            return lean_gradient(f, x, h, stacklevel=4)[0]
    check_flag(full_output, "full_output")
    estimate, problem = estimate_gradient(
        f, x, h, method, batch, vectorized, workers=workers, full=full_output, known=known
    )
    warn_about(problem, estimate, h, stacklevel=4)
    if full_output:
        return DerivativeResult(estimate.value, estimate.error, estimate.nfev)
    return estimate.value


def _simple(x: Any, h: float, batch: Any, vectorized: Any) -> bool:
    """Whether this is the textbook's case, which :func:`lean_gradient` computes."""
    return (
        type(x) is np.ndarray
        and batch is False
        and vectorized is False
        and 0 < h < math.inf
        and x.dtype.char == "d"
        and x.flags.writeable
        and x.flags.c_contiguous
        and x.size > 0
    )


def lean_gradient(
    f: Callable, x: np.ndarray, h: float, *, stacklevel: int, warn_vanished: bool = True
) -> tuple[np.ndarray, list[int]]:
    """Return the central gradient of the book's loop, and the elements ``h`` did not change.

    For a writeable C-contiguous float64 ``x`` and a given step; warned about
    as the general path warns (its report, on a problem that says what the
    loop found).
    """
    grad, vanished = central_loop(f, x, h)
    flat = grad.reshape(-1)
    # (A sum of Python floats: numpy's reduction costs more than the book's loop on 2 elements.)
    if vanished or not math.isfinite(sum(flat.tolist())):
        found = Problem(f, x, _CENTRAL, False, False)
        found.vanished = vanished
        estimate = Estimate(flat, flat[:0], flat[:0], 2 * x.size)
        warn_about(found, estimate, h, stacklevel=stacklevel + 1, vanished=warn_vanished)
    return grad, vanished


def estimate_gradient(
    f: Callable,
    x: Any,
    h: Any,
    method: Any,
    batch: Any,
    vectorized: Any,
    *,
    workers: Any = 1,
    full: bool = False,
    known: Any = None,
) -> tuple[Estimate, Problem]:
    """Validate the arguments, compute the gradient and its error estimate.

    The estimate's arrays have the gradient's shape (``error`` and ``size``
    are empty for a given step without ``full``).
    """
    scheme = get_scheme(method)
    check_flag(batch, "batch")
    check_flag(vectorized, "vectorized")
    with mapper_for(workers, vectorized) as mapper:
        found = problem_for(f, x, scheme, batch, vectorized, mapper=mapper)
        estimate = compute(found, h, full=full, known=known)
    shape = found.stack.shape if batch else found.stack.shape[1:]
    error = estimate.error.reshape(shape) if estimate.error.size else estimate.error[:, 0]
    size = estimate.size.reshape(shape) if estimate.size.size else estimate.size[:, 0]
    return estimate.replace(estimate.value.reshape(shape), error, size), found


def problem_for(
    f: Callable,
    x: Any,
    scheme: Scheme,
    batch: bool,
    vectorized: bool,
    *,
    outputs: bool = False,
    mapper: Callable | None = None,
) -> Problem:
    """Return the :class:`Problem` of differentiating f at x, once x is checked to be real."""
    if not (isinstance(x, np.ndarray) and x.dtype.kind == "f"):
        real_array(x, "x")
    return Problem(f, x, scheme, batch, vectorized, outputs=outputs, mapper=mapper)


def compute(problem: Problem, h: Any, *, full: bool = False, known: Any = None) -> Estimate:
    """Differentiate f at every element of the problem's points.

    Returns arrays of shape ``(elements, m)``, ``m`` the number of f's
    outputs (1 for a scalar f). Without ``full``, a given step gives no
    error estimate (``error`` and ``size`` are then empty). ``known``: f's
    values on the stack of :func:`~numgrad._engine.stacks.vectorized_central`.
    """
    auto = is_auto(h)
    steps = None if auto else given_step(h, problem.points.shape)
    size, f_x = problem.k * problem.n, None
    if size == 0:
        empty = np.zeros((0, 1))
        return Estimate(empty, empty, empty, 0)
    evaluate = mapped if problem.mapper else stacked if problem.vectorized else loop
    if known is not None:  # f's values at the points of the one evaluation below
        evaluate = functools.partial(stacked, known=known)
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

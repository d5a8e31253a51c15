"""The textbook's cases on lean paths: the central difference with a given step.

``numerical_gradient`` with its defaults is the book's loop, and with
``vectorized=True`` one call of f on a stack of 2N points. These functions
compute exactly those, with the general path's arithmetic (so the same
numbers, bit for bit) and its safety promises, at close to the bare cost;
anything out of the ordinary goes to the general path, which warns and
raises as documented.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from numgrad import _stacked
from numgrad._evaluate import PLAIN_SCALARS, Problem, call, guarded, scalar
from numgrad._report import warn_about
from numgrad._schemes import get_scheme
from numgrad._steps import Estimate

__all__ = ["central_loop", "is_simple", "vectorized_central"]


def is_simple(x: Any, h: float, batch: Any, vectorized: Any) -> bool:
    """Whether this is the textbook's case, which :func:`central_loop` computes."""
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


def central_loop(
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    h: float,
    *,
    stacklevel: int,
    warn_vanished: bool = True,
) -> tuple[np.ndarray, list[int]]:
    """Run the textbook's loop, for a writeable C-contiguous float64 ``x`` and a given step.

    The common case, kept as lean as the book's own loop and with the same
    arithmetic, bit for bit; with every safety promise of the general path:
    ``x`` restored in ``finally`` under its lock, the return type checked,
    and the same warnings (built by the general path's report when needed).
    Returns the gradient and the flat indices of the elements ``h`` did not
    change.
    """
    flat = x.reshape(-1)  # a view: x is C-contiguous
    grad = np.empty(flat.size)
    vanished = []
    two_h = 2 * h
    with guarded(x):
        for i in range(flat.size):
            original = flat[i]
            upper_point, lower_point = original + h, original - h
            if original in (upper_point, lower_point):
                vanished.append(i)
            try:
                flat[i] = upper_point
                upper = f(x)
                # Checked before x changes again: f may have returned (a view of) x.
                if type(upper) not in PLAIN_SCALARS:
                    upper = scalar(upper, False, x.shape)
                flat[i] = lower_point
                lower = f(x)
                if type(lower) not in PLAIN_SCALARS:
                    lower = scalar(lower, False, x.shape)
            finally:
                flat[i] = original
            grad[i] = (upper - lower) / two_h
    if vanished or not math.isfinite(grad.sum()):
        problem = Problem(f, x, get_scheme("central"), False, False)
        problem.vanished = vanished
        estimate = Estimate(grad, grad[:0], grad[:0], 2 * flat.size)
        warn_about(problem, estimate, h, stacklevel=stacklevel + 1, vanished=warn_vanished)
    return grad.reshape(x.shape), vanished


def vectorized_central(f: Callable[[np.ndarray], Any], x: Any, h: float) -> np.ndarray | None:
    """Return the central gradient from one call of a vectorized f, or None.

    The stack holds the 2N points ``x + h e_i`` and then ``x - h e_i``, as
    the general path's stacked evaluator builds them, read-only for f.
    ``None`` (a stack above the general path's block size, values other
    than a float64 vector of 2N, a partial derivative of exactly 0 or not
    finite) sends the call to the general path, which warns or raises as
    documented.
    """
    if not (0.0 < h < math.inf) or type(x) is not np.ndarray or x.dtype.kind not in "biuf":
        return None
    n = x.size
    if n == 0 or 16 * n * n > _stacked.STACK_BYTES:
        return None
    flat = x if x.ndim == 1 else x.reshape(-1)
    if flat.dtype.char != "d":
        flat = flat.astype(np.float64)
    stack = flat[np.newaxis].repeat(2 * n, axis=0)  # a copy: x itself is never touched
    # Element i of point i, in each half, in one ufunc call: x_i + h and
    # x_i + (-h), which IEEE 754 defines to be x_i - h, bit for bit.
    plus_minus, two_h = _step_arrays(h)
    np.add(flat, plus_minus, stack.reshape(2, n * n)[:, :: n + 1])
    points = stack if x.ndim == 1 else stack.reshape(2 * n, *x.shape)
    points.flags.writeable = False
    values = call(f, points)
    if type(values) is not np.ndarray or values.shape != (2 * n,) or values.dtype.char != "d":
        return None
    grad = np.subtract(values[:n], values[n:])
    np.divide(grad, two_h, grad)
    # A step that x + h rounds away, an f that ignores its argument: both give
    # exact zeros, and the general path tells them from a true 0. NaN and
    # infinity (or a gradient so large that its squared norm overflows): the
    # general path warns, or computes it.
    if np.count_nonzero(grad) < n or not math.isfinite(grad.dot(grad)):
        return None
    return grad if x.ndim == 1 else grad.reshape(x.shape)


@functools.lru_cache(maxsize=64)
def _step_arrays(h: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the column (h, -h), to add to a row in one call, and 2h, read-only (shared).

    A ufunc takes a 0-d array faster than a Python float, and the
    arithmetic is the same, bit for bit.
    """
    plus_minus, two_h = np.array((h, -h))[:, np.newaxis], np.array(2 * h)
    plus_minus.flags.writeable = two_h.flags.writeable = False
    return plus_minus, two_h

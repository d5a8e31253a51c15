"""The gradient of a scalar function of an array, by finite differences."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from numgrad._schemes import Scheme, get_scheme, resolve_step
from numgrad._validation import real_array
from numgrad.diff import Method

__all__ = ["numerical_gradient"]

# Largest stack of perturbed points handed to a vectorized f in one call.
# Measured with `nox -s bench` on a 2-core machine, f = stack @ w, time of the
# book's loop / numgrad at N = 300, 1000, 10000 (medians of 4 runs):
#   2 MiB: 6.4x, 4.9x, 1.2x (many small calls at large N)
#   4 MiB: 6.3x, 5.0x, 2.3x, stable from run to run
#   8 MiB: 6.1x, 4.8x or 0.9x, 3.0x: bimodal at N=1000, where a fresh 8 MiB
#          buffer sometimes costs 2 ms of page faults, more than the whole loop.
# Peak memory is this plus what f allocates.
_STACK_BYTES = 4 * 2**20


def numerical_gradient(
    f: Callable[[np.ndarray], Any],
    x: Any,
    h: float | Literal["auto"] = 1e-4,
    *,
    method: Method = "central",
    batch: bool = False,
    vectorized: bool = False,
) -> np.ndarray:
    r"""Compute the gradient of a scalar function of an array by finite differences.

    Parameters
    ----------
    f : callable
        The function. By default ``f(x)`` takes one point (an array of
        ``x``'s shape, or of ``x.shape[1:]`` with ``batch=True``) and returns
        a scalar. With ``vectorized=True`` it takes a stack of ``m`` points,
        shape ``(m, *point_shape)``, and returns ``m`` values.
    x : array_like
        The point: an array of any shape (a number, a vector, a weight
        matrix...). With ``batch=True``, ``k`` points stacked along the first
        axis.
    h : float or "auto", default 1e-4
        The step, see :func:`numerical_diff`.
    method : {"central", "forward", "backward", "richardson", "complex"}
        The difference formula, see :func:`numerical_diff`.
    batch : bool, default False
        Whether ``x`` holds ``k`` points along its first axis; the result is
        then the gradient at each of them.
    vectorized : bool, default False
        Whether ``f`` evaluates a stack of points in one call. numgrad then
        puts many perturbed points in each call (at most 4 MiB of them) and
        the number of calls does not grow with the number of batch points.

    Returns
    -------
    numpy.ndarray
        The gradient, a float64 array of ``x``'s shape.

    Raises
    ------
    ValueError
        If ``f`` does not return one scalar per point, ``batch=True`` is
        given a 0-d ``x``, or ``h`` or ``method`` is invalid.
    TypeError
        If ``x`` is not real, ``h`` is not a number, or ``f`` returns
        something that is not a real number.

    Warns
    -----
    RuntimeWarning
        If ``f`` returns NaN or infinity at a perturbed point: the warning
        names the first index whose partial derivative is affected.

    See Also
    --------
    numerical_diff : the difference formulas and the choice of ``h``.
    check_gradient : compare an analytic gradient with this one.

    Notes
    -----
    Element :math:`i` of the gradient is the partial derivative

    .. math::

        \frac{\partial f}{\partial x_i} \approx
        \frac{f(x + h e_i) - f(x - h e_i)}{2h},

    with :math:`e_i` the unit array that is 1 at index :math:`i` (for the
    default central method). It costs :math:`2N` evaluations of ``f`` for an
    array of :math:`N` elements.

    A writeable floating-point ``x`` is perturbed in place, one element at a
    time, and each element is restored bit for bit in a ``finally`` clause,
    so ``x`` is unchanged on return even when ``f`` raises. Perturbing in
    place is what makes the textbook idiom work, where ``f`` ignores its
    argument and reads the array through an object:
    ``numerical_gradient(lambda w: net.loss(x, t), net.W)``. Other inputs
    (integers, booleans, read-only arrays, lists, numbers) are first copied
    to float64; with them, and with ``method="complex"`` or
    ``vectorized=True`` (which work on a copy), ``f`` must use its argument.

    A float32 ``x`` is perturbed in float32, as the textbook's loop does:
    with ``h=1e-4`` its rounding (about :math:`10^{-7}` relative) limits the
    gradient to two or three correct digits. ``h="auto"`` picks the step for
    float32 (:math:`\epsilon_{32}^{1/3} |x| \approx 5 \times 10^{-3} |x|`
    for the central difference); for full accuracy, pass a float64 array.

    Examples
    --------
    The gradient of :math:`x_0^2 + x_1^2` at (3, 4) is (6, 8):

    >>> import numpy as np
    >>> from numgrad import numerical_gradient
    >>> def f(x):
    ...     return np.sum(x**2)
    >>> numerical_gradient(f, np.array([3.0, 4.0])).round(6)
    array([6., 8.])

    Integers work too, and the input is left as it was:

    >>> x = np.array([3, 4])
    >>> numerical_gradient(f, x).round(6)
    array([6., 8.])
    >>> x
    array([3, 4])

    The gradient at many points at once, with ``f`` evaluating a stack of
    points in one call:

    >>> points = np.array([[3.0, 4.0], [0.0, 2.0], [3.0, 0.0]])
    >>> def f_stack(stack):
    ...     return np.sum(stack**2, axis=1)
    >>> numerical_gradient(f_stack, points, batch=True, vectorized=True).round(6)
    array([[6., 8.],
           [0., 4.],
           [6., 0.]])
    """
    scheme = get_scheme(method)
    if not isinstance(batch, bool):
        raise TypeError(f"batch must be True or False; got {batch!r}")
    if not isinstance(vectorized, bool):
        raise TypeError(f"vectorized must be True or False; got {vectorized!r}")
    in_place = _perturbable_in_place(x) and not scheme.is_complex and not vectorized
    points = x if in_place else real_array(x, "x").astype(np.float64, copy=True)
    if batch and points.ndim == 0:
        raise ValueError("batch=True needs x with a first axis of points; got a 0-d x")
    steps = resolve_step(h, points, scheme)

    # Both paths work on a stack of k points; without batch, k is 1 and the
    # point is a view of x, so f still sees (and the loop restores) x itself.
    stack = points if batch else points[np.newaxis]
    k, n = stack.shape[0], math.prod(stack.shape[1:])
    flat_steps = np.broadcast_to(steps, points.shape).reshape(k, n)
    evaluate = _evaluate_stacked if vectorized else _evaluate_in_place
    values = evaluate(f, stack, flat_steps, scheme)
    _warn_if_not_finite(values, stack.shape if batch else stack.shape[1:])
    grad = _combine(scheme, values, flat_steps).reshape(stack.shape)
    return grad if batch else grad[0]


# Return types accepted without further checks (the common case, kept fast).
_PLAIN_SCALARS = (float, np.float64)


def _perturbable_in_place(x: Any) -> bool:
    return isinstance(x, np.ndarray) and x.dtype.kind == "f" and x.flags.writeable


def _evaluate_in_place(
    f: Callable[[np.ndarray], Any],
    points: np.ndarray,
    flat_steps: np.ndarray,
    scheme: Scheme,
) -> np.ndarray:
    """Evaluate f with one element perturbed at a time, in place, restored in ``finally``.

    Returns the values, shape ``(len(offsets), k, n)``.
    """
    k, n = flat_steps.shape
    work = points.astype(scheme.value_dtype) if scheme.is_complex else points
    # Python numbers, [point][element][offset]: the cheapest to add in the loop.
    deltas = np.multiply.outer(flat_steps, np.asarray(scheme.offsets)).tolist()
    collected: list[Any] = []
    for row in range(k):
        point = work[row, ...]  # a view, 0-d for scalar points
        # A flat view when there is one (fast indexing); multi-indices otherwise.
        if point.flags.c_contiguous:
            target, indices = point.reshape(-1), range(n)
        else:
            target, indices = point, list(np.ndindex(point.shape))
        for index, point_deltas in zip(indices, deltas[row], strict=True):
            original = target[index]
            try:
                for delta in point_deltas:
                    target[index] = original + delta
                    value = f(point)
                    if type(value) not in _PLAIN_SCALARS:
                        value = _scalar(value, scheme)
                    collected.append(value)
            finally:
                target[index] = original
    values = np.array(collected, dtype=scheme.value_dtype).reshape(k, n, len(scheme.offsets))
    return values.transpose(2, 0, 1)


def _evaluate_stacked(
    f: Callable[[np.ndarray], Any],
    points: np.ndarray,
    flat_steps: np.ndarray,
    scheme: Scheme,
) -> np.ndarray:
    """Evaluate a vectorized f on stacks of perturbed points, many per call.

    One buffer of shape ``(coords, len(offsets), k, n)`` holds, for a block of
    ``coords`` coordinates, every point with that coordinate perturbed by
    each offset. After each call only the perturbed entries are reset.
    Returns the values, shape ``(len(offsets), k, n)``.
    """
    k, n = flat_steps.shape
    point_shape = points.shape[1:]
    flat = points.reshape(k, n)
    offsets = scheme.offsets
    dtype = scheme.value_dtype
    bytes_per_coord = len(offsets) * k * n * np.dtype(dtype).itemsize
    coords = int(max(1, min(n, _STACK_BYTES // max(bytes_per_coord, 1))))
    buffer = np.empty((coords, len(offsets), k, n), dtype=dtype)
    buffer[...] = flat
    values = np.empty((len(offsets), k, n), dtype=dtype)
    for start in range(0, n, coords):
        stop = min(start + coords, n)
        rows = np.arange(stop - start)
        cols = np.arange(start, stop)
        block = buffer[: stop - start]
        for q, offset in enumerate(offsets):
            block[rows, q, :, cols] = (flat[:, cols] + offset * flat_steps[:, cols]).T
        stack = block.reshape(-1, *point_shape)
        result = _stack_values(f(stack), stack.shape[0], scheme)
        values[:, :, start:stop] = result.reshape(stop - start, len(offsets), k).transpose(1, 2, 0)
        for q in range(len(offsets)):
            block[rows, q, :, cols] = flat[:, cols].T
    return values


def _combine(scheme: Scheme, values: np.ndarray, steps: Any) -> np.ndarray:
    # NaN or inf from f is reported once by _warn_if_not_finite, not by numpy.
    with np.errstate(invalid="ignore", over="ignore"):
        return np.asarray(scheme.combine(values, steps), dtype=np.float64)


def _scalar(value: Any, scheme: Scheme) -> Any:
    """Return ``value`` if it is one real (or, for the complex step, complex) number."""
    if np.ndim(value) != 0:
        raise ValueError(
            f"f must return a scalar; it returned an array of shape {np.shape(value)}: {value!r}"
        )
    kinds = "biufc" if scheme.is_complex else "biuf"
    if np.asarray(value).dtype.kind not in kinds:
        raise TypeError(f"f must return a real scalar; it returned {value!r}")
    return value


def _stack_values(value: Any, m: int, scheme: Scheme) -> np.ndarray:
    array = np.asarray(value)
    if array.shape != (m,):
        raise ValueError(
            f"with vectorized=True, f must return one scalar per point: a stack of "
            f"{m} points gave shape {array.shape}"
        )
    kinds = "biufc" if scheme.is_complex else "biuf"
    if array.dtype.kind not in kinds:
        raise TypeError(f"f must return real scalars; it returned dtype {array.dtype}")
    return array


def _warn_if_not_finite(values: np.ndarray, shape: tuple[int, ...]) -> None:
    bad = ~np.isfinite(values).all(axis=0)
    if bad.any():
        index = np.unravel_index(int(np.argmax(bad)), shape)
        where = ", ".join(str(int(i)) for i in index)
        warnings.warn(
            f"f returned NaN or infinity when x[{where}] was perturbed; "
            f"{int(bad.sum())} partial derivative(s) are not finite",
            RuntimeWarning,
            stacklevel=3,
        )

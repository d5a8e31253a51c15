"""The gradient of a scalar function of an array, by finite differences."""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from numgrad._locks import lock_for
from numgrad._schemes import Scheme, get_scheme
from numgrad._steps import Estimate, auto_derivative, given_step, inaccurate
from numgrad._validation import preview, real_array
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
        The step, see :func:`numerical_diff`. ``"auto"`` chooses a step for
        each element from the values of ``f`` (see Notes there).
    method : {"central", "forward", "backward", "richardson", "complex"}
        The difference formula, see :func:`numerical_diff`.
    batch : bool, default False
        Whether ``x`` holds ``k`` points along its first axis; the result is
        then the gradient at each of them.
    vectorized : bool, default False
        Whether ``f`` evaluates a stack of points in one call. numgrad then
        puts many perturbed points in each call (at most 4 MiB of them) and
        the number of calls does not grow with the number of batch points.
        The stack is read-only: an ``f`` that changes it in place gets an
        error, since the stack is reused for the next points.

    Returns
    -------
    numpy.ndarray
        The gradient, a float64 array of ``x``'s shape.

    Raises
    ------
    ValueError
        If ``f`` does not return one scalar per point (the message suggests
        ``batch=True`` when ``x`` looks like a batch), ``batch=True`` is
        given a 0-d ``x``, ``h`` is not positive and finite, ``method`` is
        unknown, or a vectorized ``f`` writes to its read-only stack.
    TypeError
        If ``x`` is not real, ``h`` is neither a number nor ``"auto"``, or
        ``f`` returns something that is not a real number.

    Warns
    -----
    RuntimeWarning
        If ``f`` returns NaN or infinity at a perturbed point; if ``h`` does
        not change an element of ``x`` in its precision (``x + h == x``); if
        ``f`` returned the same value for every perturbation of a copied
        ``x`` (see Notes); or if ``h="auto"`` could not reach its accuracy
        at an element (``f`` is not smooth there, or its values are too
        small for their precision). Each warning names an index.

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
    array of :math:`N` elements; ``h="auto"`` costs about :math:`4N + 1`,
    more where ``f`` varies on a scale other than :math:`\max(|x_i|, 1)`
    (the rule and its error model are in the Notes of
    :func:`numerical_diff`).

    A writeable floating-point ``x`` is perturbed in place, one element at a
    time, and each element is restored bit for bit in a ``finally`` clause,
    so ``x`` is unchanged on return even when ``f`` raises. Perturbing in
    place is what makes the textbook idiom work, where ``f`` ignores its
    argument and reads the array through an object:
    ``numerical_gradient(lambda w: net.loss(x, t), net.W)``. Other inputs
    (integers, booleans, read-only arrays, lists, numbers) are first copied
    to float64; with them, and with ``method="complex"`` or
    ``vectorized=True`` (which work on a copy), ``f`` must use its argument.
    If it does not, every perturbation gives the same value; numgrad then
    warns instead of returning a gradient of zeros without a word.

    Threads that compute gradients of the same array (or of views of one
    array) take turns: each holds a lock on the array while it perturbs it,
    so both get right answers and the array ends unchanged. The lock is
    re-entrant, so ``f`` may itself differentiate with respect to the same
    array.

    A float32 or float16 ``x`` is perturbed in its own precision, as the
    textbook's loop does: with ``h=1e-4`` the rounding of ``x + h`` (about
    :math:`10^{-7}` relative in float32) limits the gradient to two or three
    correct digits. ``h="auto"`` makes every step a multiple of a few ulps
    of ``x``, so that ``x + h`` is exact, and sizes it for the precision of
    the values ``f`` returns: a float64 loss of float32 weights gets a
    float64-accurate gradient. A step that does not change an element at
    all (``x + h == x``, as ``1e-4`` does in float16 or next to ``1e13``)
    gives that element a derivative of 0 and a ``RuntimeWarning`` naming it
    and suggesting ``h="auto"`` or a float64 ``x``; a warning rather than an
    error, because the textbook's diverging descent (``lr=10``) reaches
    such values on purpose.

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
    estimate, problem = estimate_gradient(f, x, h, method, batch, vectorized)
    warn_about(problem, estimate, h)
    return estimate.value


class _Problem:
    """One gradient computation: the points, how to perturb them, and how to call f."""

    def __init__(self, f: Callable, x: Any, scheme: Scheme, batch: bool, vectorized: bool):
        self.f, self.scheme, self.batch, self.vectorized = f, scheme, batch, vectorized
        # np.matrix and other subclasses: perturb through a plain view of the same memory.
        array = x.view(np.ndarray) if isinstance(x, np.ndarray) else None
        self.in_place = (
            array is not None
            and array.dtype.kind == "f"
            and array.flags.writeable
            and not scheme.is_complex
            and not vectorized
        )
        if self.in_place:
            points = array
        else:
            points = real_array(x, "x").view(np.ndarray).astype(scheme.value_dtype, copy=True)
        if batch and points.ndim == 0:
            raise ValueError("batch=True needs x with a first axis of points; got a 0-d x")
        self.points = points
        self.stack = points if batch else points[np.newaxis]
        self.k = self.stack.shape[0]
        self.point_shape = self.stack.shape[1:]
        self.n = math.prod(self.point_shape)
        # What f is called with for a single point: x itself when it is perturbed
        # in place (a matrix stays a matrix), else the working copy, as x's type.
        self.argument = x if self.in_place else points
        if isinstance(x, np.matrix) and not self.in_place:
            self.argument = points.view(np.matrix)
        self.real_dtype = points.dtype if self.in_place else np.dtype(np.float64)
        self.calls = 0
        self.same_value = True
        self.first_value: Any = None
        self.vanished: list[int] = []  # elements that a step did not change
        self.eps = _EPS  # of f's values, set by h="auto"

    def flat_points(self) -> np.ndarray:
        return self.stack.reshape(self.k * self.n).real

    def element_index(self, element: int) -> tuple[int, ...]:
        row, col = divmod(element, self.n)
        index = np.unravel_index(col, self.point_shape) if self.point_shape else ()
        return ((row,) if self.batch else ()) + tuple(int(i) for i in index)

    def where(self, element: int) -> str:
        """Return the element as the user would index it: ``x[1, 2]``, or ``x`` for a 0-d x."""
        index = self.element_index(element)
        return f"x[{', '.join(map(str, index))}]" if index else "x"


def estimate_gradient(
    f: Callable, x: Any, h: Any, method: Any, batch: Any, vectorized: Any
) -> tuple[Estimate, _Problem]:
    """Validate the arguments, compute the gradient and its error estimate."""
    scheme = get_scheme(method)
    if not isinstance(batch, bool):
        raise TypeError(f"batch must be True or False; got {batch!r}")
    if not isinstance(vectorized, bool):
        raise TypeError(f"vectorized must be True or False; got {vectorized!r}")
    auto = isinstance(h, str) and h == "auto"
    step = None if auto else given_step(h)
    problem = _Problem(f, x, scheme, batch, vectorized)
    evaluate = _stacked if vectorized else _loop
    size = problem.k * problem.n
    if size == 0:
        empty = np.zeros(problem.points.shape)
        return Estimate(empty, empty.reshape(-1), empty.reshape(-1), 0), problem
    lock = lock_for(problem.points) if problem.in_place else contextlib.nullcontext()
    with lock:
        flat = problem.flat_points()
        if auto:
            at_x = _values_at_x(problem)
            estimate = auto_derivative(
                lambda offsets, steps, elements: evaluate(problem, offsets, steps, elements),
                flat,
                scheme,
                problem.eps,
                at_x,
            )
        else:
            values = evaluate(problem, scheme.offsets, np.full(size, step), np.arange(size))
            with np.errstate(invalid="ignore", over="ignore"):
                value = np.asarray(scheme.combine(values, step), dtype=np.float64)
            estimate = Estimate(value, np.zeros(0), np.zeros(0), values.size)
    shape = problem.stack.shape
    value = estimate.value.reshape(shape if batch else shape[1:])
    return Estimate(value, estimate.error, estimate.size, estimate.nfev), problem


def warn_about(
    problem: _Problem, estimate: Estimate, h: Any, *, stacklevel: int = 3, vanished: bool = True
) -> None:
    """Issue the warnings of one gradient computation, naming the first element concerned."""
    _warn_if_not_finite(problem, estimate.value, stacklevel + 1)
    if vanished:
        _warn_if_step_vanished(problem, h, stacklevel + 1)
    # Values that underflow also look the same at every perturbation: one warning.
    if not (isinstance(h, str) and _warn_if_inaccurate(problem, estimate, stacklevel + 1)):
        _warn_if_f_ignored_x(problem, stacklevel + 1)


def _loop(problem: _Problem, offsets: tuple, steps: np.ndarray, elements: np.ndarray) -> np.ndarray:
    """Evaluate f with one element perturbed at a time, in place, restored in ``finally``.

    Returns the values, shape ``(len(offsets), len(elements))``.
    """
    f, n, stack = problem.f, problem.n, problem.stack
    scheme = problem.scheme
    # Python numbers, [element][offset]: the cheapest to add in the loop.
    deltas = np.multiply.outer(steps, np.asarray(offsets)).tolist()
    collected: list[Any] = []
    row_of = -1
    for element, element_deltas in zip(elements.tolist(), deltas, strict=True):
        row, col = divmod(element, n)
        if row != row_of:
            row_of = row
            point = stack[row, ...]  # a view, 0-d for scalar points
            argument = problem.argument if not problem.batch else point
            # A flat view when there is one (fast indexing); multi-indices otherwise.
            flat = point.reshape(-1) if point.flags.c_contiguous else None
        target, index = (flat, col) if flat is not None else (point, _unravel(col, point.shape))
        original = target[index]
        try:
            for delta in element_deltas:
                target[index] = original + delta
                if delta and target[index] == original:
                    problem.vanished.append(element)
                value = f(argument)
                if type(value) not in _PLAIN_SCALARS:
                    value = _scalar(value, problem)
                collected.append(value)
        finally:
            target[index] = original
    problem.calls += len(collected)
    _track_values(problem, collected)
    values = np.array(collected, dtype=scheme.value_dtype).reshape(len(elements), len(offsets))
    return values.T


def _unravel(col: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(col, shape)) if shape else ()


def _stacked(
    problem: _Problem, offsets: tuple, steps: np.ndarray, elements: np.ndarray
) -> np.ndarray:
    """Evaluate a vectorized f on stacks of perturbed points, many per call.

    The selected elements are taken in blocks; each block fills a buffer of
    shape ``(block, len(offsets), n)``: the element's point, with the element
    perturbed by each offset. f sees the buffer as a read-only stack of points.
    Returns the values, shape ``(len(offsets), len(elements))``.
    """
    k, n = problem.k, problem.n
    flat = problem.stack.reshape(k, n)
    dtype = problem.scheme.value_dtype
    count = len(offsets)
    per_element = count * n * np.dtype(dtype).itemsize
    block = int(max(1, min(len(elements), _STACK_BYTES // max(per_element, 1))))
    if block > k:  # whole rounds of the k points: every block then holds the same rows
        block -= block % k
    buffer = np.empty((block, count, n), dtype=dtype)
    values = np.empty((count, len(elements)), dtype=dtype)
    offsets_array = np.asarray(offsets)
    moving = offsets_array != 0
    # Coordinate by coordinate, every point at each: whole blocks then hold the
    # same points, and only the perturbed entries change between calls.
    rows, cols = np.divmod(elements, n)
    order = np.lexsort((rows, cols))
    rows, cols, steps = rows[order], cols[order], steps[order]
    filled_rows: np.ndarray | None = None
    for start in range(0, len(elements), block):
        stop = min(start + block, len(elements))
        m = stop - start
        part = buffer[:m]
        block_rows, block_cols = rows[start:stop], cols[start:stop]
        if filled_rows is None or not np.array_equal(filled_rows[:m], block_rows):
            part[...] = flat[block_rows][:, np.newaxis, :]
            filled_rows = block_rows
        originals = flat[block_rows, block_cols]
        picks = np.arange(m)
        part[picks, :, block_cols] = originals[:, np.newaxis] + np.multiply.outer(
            steps[start:stop], offsets_array
        )
        same = part[picks, :, block_cols] == originals[:, np.newaxis]
        if np.any(same[:, moving]):
            problem.vanished.extend(elements[order[start:stop][same[:, moving].any(axis=1)]])
        stack = part.reshape(m * count, *problem.point_shape)
        stack.flags.writeable = False
        result = _call_stacked(problem, stack)
        values[:, order[start:stop]] = result.reshape(m, count).T
        part[picks, :, block_cols] = originals[:, np.newaxis]
    return values


def _call_stacked(problem: _Problem, stack: np.ndarray) -> np.ndarray:
    try:
        result = problem.f(stack)
    except ValueError as error:
        if "read-only" in str(error):
            raise ValueError(
                "with vectorized=True, f must not change the stack it is given (it is "
                "read-only and reused): work on a copy, e.g. stack = stack - stack.mean(...)"
            ) from error
        raise
    problem.calls += 1
    result = _stack_values(result, stack.shape[0], problem.scheme)
    _track_values(problem, result)
    return result


def _values_at_x(problem: _Problem) -> np.ndarray:
    """|f| at the unperturbed point of each element (one call per point, or one stacked).

    Also sets ``problem.eps`` to the machine epsilon of the values f returns:
    what rounds them is f's own precision, whatever x's is.
    """
    if problem.vectorized:
        stack = problem.stack[:]
        stack.flags.writeable = False
        values = _call_stacked(problem, stack)
        types = [values.dtype]
    else:
        arguments = [problem.argument] if not problem.batch else list(problem.stack)
        values = [_scalar(problem.f(argument), problem) for argument in arguments]
        types = [np.asarray(value).dtype for value in values]
    problem.eps = max([float(np.finfo(t).eps) for t in types if t.kind in "fc"], default=_EPS)
    return np.repeat(np.abs(np.asarray(values, dtype=problem.scheme.value_dtype)), problem.n)


_EPS = float(np.finfo(np.float64).eps)


# Return types accepted without further checks (the common case, kept fast).
_PLAIN_SCALARS = (float, np.float64)


def _scalar(value: Any, problem: _Problem) -> Any:
    """Return ``value`` if it is one real (or, for the complex step, complex) number."""
    scheme = problem.scheme
    if value is None or isinstance(value, str):
        raise TypeError(f"f must return a real scalar; it returned {value!r}")
    if np.ndim(value) != 0:
        shape = np.shape(value)
        hint = ""
        if not problem.batch and problem.stack.ndim >= 3 and shape == problem.stack.shape[1:2]:
            hint = (
                f"; x looks like a batch of {shape[0]} points: pass batch=True for the "
                f"gradient at each point"
            )
        raise ValueError(
            f"f must return a scalar; it returned an array of shape {shape}: {preview(value)}{hint}"
        )
    kind = np.asarray(value).dtype.kind
    if kind not in ("biufc" if scheme.is_complex else "biuf"):
        raise TypeError(f"f must return a real scalar; it returned {preview(value)}")
    if scheme.is_complex and kind != "c":
        raise TypeError(
            "with method='complex', f must keep the imaginary part of its argument; it "
            f"returned a real {preview(value)} (abs, np.real, float() and comparisons drop it)"
        )
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
    if scheme.is_complex and array.dtype.kind != "c":
        raise TypeError(
            "with method='complex', f must keep the imaginary part of its argument; "
            f"it returned dtype {array.dtype}"
        )
    return array


def _track_values(problem: _Problem, values: Any) -> None:
    """Remember whether f has returned one and the same value for every perturbation."""
    if problem.in_place or not problem.same_value or len(values) == 0:
        return
    if problem.first_value is None:
        problem.first_value = values[0]
    first = problem.first_value
    problem.same_value = (
        all(v == first for v in values)
        if isinstance(values, list)
        else bool(np.all(values == first))
    )


def _warn_if_step_vanished(problem: _Problem, h: Any, stacklevel: int) -> None:
    if not problem.vanished:
        return
    element = int(problem.vanished[0])
    row, col = divmod(element, problem.n)
    value = problem.stack.reshape(problem.k, problem.n)[row, col]
    warnings.warn(
        f"h={h} does not change {problem.where(element)} = {float(value.real)!r} in "
        f"{problem.real_dtype} (x + h == x), so its partial derivative is computed as 0 "
        f'({len(set(problem.vanished))} element(s) like this); use h="auto", which sizes '
        f"the step for x's magnitude and precision, or a float64 x",
        RuntimeWarning,
        stacklevel=stacklevel,
    )


def _warn_if_not_finite(problem: _Problem, value: np.ndarray, stacklevel: int) -> None:
    bad = ~np.isfinite(value)
    if bad.any():
        warnings.warn(
            f"f returned NaN or infinity when {problem.where(int(np.argmax(bad)))} was perturbed; "
            f"{int(bad.sum())} partial derivative(s) are not finite",
            RuntimeWarning,
            stacklevel=stacklevel,
        )


def _warn_if_f_ignored_x(problem: _Problem, stacklevel: int) -> None:
    if problem.in_place or not problem.same_value or problem.calls == 0:
        return
    # Every perturbation gave one value: does f give it at x itself too?
    if problem.vectorized:
        stack = problem.stack[:1]
        stack.flags.writeable = False
        at_x = problem.f(stack)[0]
    else:
        at_x = problem.f(problem.argument if not problem.batch else problem.stack[0, ...])
    if at_x != problem.first_value:
        return
    warnings.warn(
        "f returned the same value for every perturbation of x, so the gradient is 0; "
        "f seems to ignore its argument. numgrad perturbs a copy of x here (x is not a "
        "writeable float array, or method='complex' or vectorized=True), so the book's "
        "`lambda w: net.loss(x, t)` idiom needs net's weights as a writeable float array, "
        "or an f that uses its argument",
        RuntimeWarning,
        stacklevel=stacklevel,
    )


def _warn_if_inaccurate(problem: _Problem, estimate: Estimate, stacklevel: int) -> bool:
    ratio = inaccurate(estimate, problem.flat_points(), problem.scheme, problem.eps)
    poor = ratio > 1
    if poor.any():
        worst = int(np.argmax(ratio))
        value = estimate.value.reshape(-1)
        warnings.warn(
            f'h="auto" could not reach its accuracy at {problem.where(worst)}: estimated error '
            f"{estimate.error[worst]:.2g} for a derivative of {value[worst]:.6g} "
            f"({int(poor.sum())} element(s) like this); f may not be smooth there, or its "
            f"values may be too small for their precision",
            RuntimeWarning,
            stacklevel=stacklevel,
        )
    return bool(poor.any())

"""Evaluating f at perturbed points: one computation and its three evaluators.

:class:`Problem` holds the points and how to call ``f``; :func:`loop`
perturbs one element at a time, in place, :func:`stacked` hands a
vectorized ``f`` stacks of perturbed points, and :func:`mapped` hands copies
of the points to a map (``workers=``). Each returns the values of ``f`` at
``x + offset * step * e_i`` for the selected flat elements ``i``, shape
``(len(offsets), len(elements))`` for a scalar ``f`` (a gradient), or
``(len(offsets), len(elements), m)`` for an ``f`` with ``m`` outputs (a
Jacobian).
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np

from numgrad._schemes import Scheme
from numgrad._validation import preview, real_array

__all__ = [
    "PLAIN_SCALARS",
    "STACK_BYTES",
    "Problem",
    "call_vectorized",
    "loop",
    "mapped",
    "scalar",
    "stacked",
    "values_at_x",
]

_EPS = float(np.finfo(np.float64).eps)

# Largest stack of perturbed points handed to a vectorized f in one call.
# Measured with `nox -s bench` on a 2-core machine, f = stack @ w, time of the
# book's loop / numgrad at N = 300, 1000, 10000 (medians of 4 runs):
#   2 MiB: 6.4x, 4.9x, 1.2x (many small calls at large N)
#   4 MiB: 6.3x, 5.0x, 2.3x, stable from run to run
#   8 MiB: 6.1x, 4.8x or 0.9x, 3.0x: bimodal at N=1000, where a fresh 8 MiB
#          buffer sometimes costs 2 ms of page faults, more than the whole loop.
# Peak memory is this plus what f allocates.
STACK_BYTES = 4 * 2**20


class Problem:
    """One computation: the points, how to perturb them, and how to call f.

    ``outputs=False`` for a scalar f (a gradient), ``True`` for an f that
    returns an array (a Jacobian). ``mapper`` (from ``workers=``) evaluates f
    on copies of the points; without it, a writeable float x is perturbed in
    place.
    """

    def __init__(
        self,
        f: Callable,
        x: Any,
        scheme: Scheme,
        batch: bool,
        vectorized: bool,
        *,
        outputs: bool = False,
        mapper: Callable | None = None,
    ):
        self.f, self.scheme, self.batch, self.vectorized = f, scheme, batch, vectorized
        self.mapper = mapper
        self.out_shape: tuple[int, ...] | None = None  # f's output shape, once seen
        self.out_dtype: np.dtype | None = None
        self.outputs = outputs
        # np.matrix and other subclasses: perturb through a plain view of the same memory.
        array = x.view(np.ndarray) if isinstance(x, np.ndarray) else None
        floating = array is not None and array.dtype.kind == "f"
        self.in_place = (
            floating
            and array.flags.writeable
            and not scheme.is_complex
            and not vectorized
            and mapper is None
        )
        if self.in_place:
            points = array
        else:
            # Copies keep a float dtype, so that workers compute what the loop would.
            keep = floating and not scheme.is_complex and mapper is not None
            dtype = array.dtype if keep else scheme.value_dtype
            points = real_array(x, "x").view(np.ndarray).astype(dtype, copy=True)
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
        self.largest: float | None = None  # max |x|, once needed
        self.x_eps = float(np.finfo(points.dtype).eps)
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


def loop(problem: Problem, offsets: tuple, steps: np.ndarray, elements: np.ndarray) -> np.ndarray:
    """Evaluate f with one element perturbed at a time, in place, restored in ``finally``.

    Returns the values, shape ``(len(offsets), len(elements))``.
    """
    _record_vanished(problem, offsets, steps, elements)
    f, n, stack = problem.f, problem.n, problem.stack
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
                value = f(argument)
                if type(value) not in PLAIN_SCALARS or problem.outputs:
                    value = _output(value, problem)
                collected.append(value)
        finally:
            target[index] = original
    return _collected(problem, collected, len(offsets), len(elements))


def _collected(problem: Problem, collected: list, count: int, size: int) -> np.ndarray:
    """Return the values f returned, element by element and offset by offset, as an array."""
    problem.calls += len(collected)
    _track_values(problem, collected)
    values = np.array(collected, dtype=problem.scheme.value_dtype)
    if not problem.outputs:
        return values.reshape(size, count).T
    return values.reshape(size, count, -1).transpose(1, 0, 2)


def mapped(problem: Problem, offsets: tuple, steps: np.ndarray, elements: np.ndarray) -> np.ndarray:
    """Evaluate f at copies of the perturbed points, through the map of ``workers=``.

    Each point is a fresh copy of its point with one element perturbed as
    :func:`loop` perturbs it (the same arithmetic, so the values are the
    same, bit for bit); they are all made before the map is called.
    """
    _record_vanished(problem, offsets, steps, elements)
    n, shape = problem.n, problem.stack.shape[1:]
    flat = problem.stack.reshape(problem.k, n)
    deltas = np.multiply.outer(steps, np.asarray(offsets)).tolist()

    def points() -> Any:
        for element, element_deltas in zip(elements.tolist(), deltas, strict=True):
            row, col = divmod(element, n)
            original = flat[row, col]
            for delta in element_deltas:
                point = flat[row].copy()
                point[col] = original + delta
                yield point.reshape(shape)

    try:
        # A list, not an iterator: Dask's executor maps sequences only.
        results = list(problem.mapper(problem.f, list(points())))
    except (pickle.PicklingError, AttributeError, TypeError) as error:
        if "pickle" not in str(error).lower():
            raise
        raise TypeError(
            f"with workers=, f and its points are sent to worker processes and must be "
            f"picklable; f = {problem.f!r} is not ({error}). Define f with def at module "
            f"level, or use threads: workers=ThreadPoolExecutor(n).map"
        ) from error
    if len(results) != len(elements) * len(offsets):
        raise ValueError(
            f"workers must be a map-like callable: map(f, points) returned "
            f"{len(results)} values for {len(elements) * len(offsets)} points"
        )
    return _collected(problem, [_output(v, problem) for v in results], len(offsets), len(elements))


def _record_vanished(
    problem: Problem, offsets: tuple, steps: np.ndarray, elements: np.ndarray
) -> None:
    """Note the elements that a step does not change in x's precision (x + h == x)."""
    if problem.scheme.is_complex:
        return  # x + ih keeps x and h apart
    points = problem.points
    moving = np.asarray([offset for offset in offsets if offset])
    # x + d == x needs |d| <= spacing(x) / 2 <= eps |x|: most calls can tell at once.
    if problem.largest is None:
        problem.largest = float(np.abs(problem.flat_points()).max())
    smallest = float(steps.min()) * min(abs(offset) for offset in offsets if offset)
    if smallest > problem.x_eps * problem.largest:
        return
    originals = problem.flat_points()[elements]
    # As the loop computes it: in x's precision, the step rounded to it first.
    moved = originals[:, np.newaxis] + np.multiply.outer(steps, moving).astype(points.dtype)
    same = np.any(moved == originals[:, np.newaxis], axis=1)
    if same.any():
        problem.vanished.extend(elements[same].tolist())


def _unravel(col: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(col, shape)) if shape else ()


def stacked(
    problem: Problem, offsets: tuple, steps: np.ndarray, elements: np.ndarray
) -> np.ndarray:
    """Evaluate a vectorized f on stacks of perturbed points, many per call.

    The selected elements are taken in blocks; each block fills a buffer of
    shape ``(len(offsets), block, n)``: for each offset, the points of the
    block's elements, each with its element perturbed by that offset. f sees
    the buffer as a read-only stack of points. Returns the values, shape
    ``(len(offsets), len(elements))``.
    """
    _record_vanished(problem, offsets, steps, elements)
    k, n = problem.k, problem.n
    if len(elements) == k * n:  # every element, in order: by coordinate, all points at once
        return _stacked_all(problem, offsets, steps)
    flat = problem.stack.reshape(k, n)
    dtype = problem.scheme.value_dtype
    count = len(offsets)
    per_element = count * n * np.dtype(dtype).itemsize
    block = int(max(1, min(len(elements), STACK_BYTES // max(per_element, 1))))
    if block > k:  # whole rounds of the k points: every block then holds the same rows
        block -= block % k
    values = np.empty((count, len(elements), _width(problem)), dtype=dtype)
    moving = [q for q, offset in enumerate(offsets) if offset]
    deltas = np.multiply.outer(np.asarray(offsets), steps)
    rows, cols = np.divmod(elements, n)
    order = None
    if k > 1:
        # Coordinate by coordinate, every point at each: whole blocks then hold
        # the same points, and only the perturbed entries change between calls.
        order = np.lexsort((rows, cols))
        rows, cols, deltas = rows[order], cols[order], deltas[:, order]
    buffer, filled = None, None
    for start in range(0, len(elements), block):
        stop = min(start + block, len(elements))
        m = stop - start
        block_rows, block_cols = rows[start:stop], cols[start:stop]
        if buffer is None or buffer.shape[1] != m:  # the first block, or a shorter last one
            buffer, filled = np.empty((count, m, n), dtype=dtype), None
        if filled is None or not np.array_equal(filled, block_rows):
            for q in range(count):
                if k == 1:
                    buffer[q] = flat[0]
                else:
                    np.take(flat, block_rows, axis=0, out=buffer[q])
            filled = block_rows
        originals = flat[block_rows, block_cols]
        picks = np.arange(m)
        for q in moving:
            buffer[q, picks, block_cols] = originals + deltas[q, start:stop]
        stack = buffer.reshape(count * m, *problem.point_shape)
        stack.flags.writeable = False
        result = _call_stacked(problem, stack).reshape(count, m, -1)
        if order is None:
            values[:, start:stop] = result
        else:
            values[:, order[start:stop]] = result
        for q in moving:
            buffer[q, picks, block_cols] = originals
    return values if problem.outputs else values[..., 0]


def _stacked_all(problem: Problem, offsets: tuple, steps: np.ndarray) -> np.ndarray:
    """Evaluate a vectorized f at every element: :func:`stacked` when nothing is left out.

    A buffer of shape ``(coords, len(offsets), k, n)`` holds, for a block of
    coordinates, every point with that coordinate perturbed by each offset;
    it is filled once, and after each call only the perturbed entries are reset.
    """
    k, n = problem.k, problem.n
    flat = problem.stack.reshape(k, n)
    steps = steps.reshape(k, n)
    dtype = problem.scheme.value_dtype
    count = len(offsets)
    per_coordinate = count * k * n * np.dtype(dtype).itemsize
    coords = int(max(1, min(n, STACK_BYTES // max(per_coordinate, 1))))
    buffer = np.empty((coords, count, k, n), dtype=dtype)
    buffer[...] = flat
    values = np.empty((count, k, n, _width(problem)), dtype=dtype)
    for start in range(0, n, coords):
        stop = min(start + coords, n)
        rows, cols = np.arange(stop - start), np.arange(start, stop)
        block = buffer[: stop - start]
        originals = flat[:, cols].T
        for q, offset in enumerate(offsets):
            if offset:  # as the loop computes it: original + (step * offset)
                block[rows, q, :, cols] = originals + (steps[:, cols] * offset).T
        stack = block.reshape(-1, *problem.point_shape)
        stack.flags.writeable = False
        result = _call_stacked(problem, stack).reshape(stop - start, count, k, -1)
        values[:, :, start:stop] = result.transpose(1, 2, 0, 3)
        for q, offset in enumerate(offsets):
            if offset:
                block[rows, q, :, cols] = originals
    values = values.reshape(count, k * n, -1)
    return values if problem.outputs else values[..., 0]


def _width(problem: Problem) -> int:
    """Return the number of outputs of f (1 for a scalar f)."""
    return math.prod(problem.out_shape) if problem.outputs and problem.out_shape else 1


def _call_stacked(problem: Problem, stack: np.ndarray) -> np.ndarray:
    result = call_vectorized(problem.f, stack)
    problem.calls += 1
    result = _stack_values(result, stack.shape[0], problem)
    _track_values(problem, result)
    return result


def call_vectorized(f: Callable, stack: np.ndarray) -> Any:
    """Call a vectorized f on a read-only stack; an attempt to change it gets a clear error."""
    try:
        return f(stack)
    except ValueError as error:
        if "read-only" in str(error):
            raise ValueError(
                "with vectorized=True, f must not change the stack it is given (it is "
                "read-only and reused): work on a copy, e.g. stack = stack - stack.mean(...)"
            ) from error
        raise


def values_at_x(problem: Problem) -> np.ndarray:
    """F at the unperturbed point of each element (one call per point, or one stacked).

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
        values = [_output(problem.f(argument), problem) for argument in arguments]
        problem.calls += len(values)
        types = [np.asarray(value).dtype for value in values]
    problem.eps = max([float(np.finfo(t).eps) for t in types if t.kind in "fc"], default=_EPS)
    values = np.asarray(values, dtype=problem.scheme.value_dtype).reshape(problem.k, -1)
    at_x = np.repeat(values, problem.n, axis=0)
    return at_x if problem.outputs else at_x[:, 0]


# Return types accepted without further checks (the common case, kept fast).
PLAIN_SCALARS = (float, np.float64)


def _output(value: Any, problem: Problem) -> Any:
    """Return ``value`` if it is what f must return: one number, or an array of one shape."""
    if not problem.outputs:
        shape = problem.stack.shape[1:] if not problem.batch else ()
        return scalar(value, problem.scheme.is_complex, shape)
    if (
        type(value) is np.ndarray
        and value.shape == problem.out_shape
        and value.dtype == problem.out_dtype
    ):
        return value  # as the values before it: checked already
    array = np.asarray(value)
    if array.dtype.kind not in ("biufc" if problem.scheme.is_complex else "biuf"):
        raise TypeError(f"f must return real numbers; it returned {preview(value)}")
    _check_complex(array.dtype, problem.scheme)
    if problem.out_shape is None:
        problem.out_shape, problem.out_dtype = array.shape, array.dtype
    elif array.shape != problem.out_shape:
        raise ValueError(
            f"f must return arrays of one shape; it returned shape {problem.out_shape} "
            f"and then {array.shape}"
        )
    return array


def _check_complex(dtype: np.dtype, scheme: Scheme) -> None:
    if scheme.is_complex and dtype.kind != "c":
        raise TypeError(
            "with method='complex', f must keep the imaginary part of its argument; it "
            f"returned dtype {dtype} (abs, np.real, float() and comparisons drop it)"
        )


def scalar(value: Any, is_complex: bool, point_shape: tuple[int, ...]) -> Any:
    """Return ``value`` if it is one real (or complex, for the complex step) number.

    ``point_shape`` is the shape of the point f was given (``()`` for a point
    of a batch): a 2-D point and an array of its first axis's length look like
    a batch given without ``batch=True``, and the message says so.
    """
    if value is None or isinstance(value, str):
        raise TypeError(f"f must return a real scalar; it returned {value!r}")
    if np.ndim(value) != 0:
        shape = np.shape(value)
        hint = ""
        if len(point_shape) >= 2 and shape == point_shape[:1]:
            hint = (
                f"; x looks like a batch of {shape[0]} points: pass batch=True for the "
                f"gradient at each point"
            )
        raise ValueError(
            f"f must return a scalar; it returned an array of shape {shape}: {preview(value)}{hint}"
        )
    kind = np.asarray(value).dtype.kind
    if kind not in ("biufc" if is_complex else "biuf"):
        raise TypeError(f"f must return a real scalar; it returned {preview(value)}")
    if is_complex and kind != "c":
        raise TypeError(
            "with method='complex', f must keep the imaginary part of its argument; it "
            f"returned a real {preview(value)} (abs, np.real, float() and comparisons drop it)"
        )
    return value


def _stack_values(value: Any, m: int, problem: Problem) -> np.ndarray:
    array = np.asarray(value)
    if problem.outputs and problem.out_shape is None and array.ndim >= 1:
        problem.out_shape = array.shape[1:]
    expected = (m, *problem.out_shape) if problem.outputs else (m,)
    if array.shape != expected:
        what = "one scalar" if not problem.outputs else f"one array of shape {problem.out_shape}"
        raise ValueError(
            f"with vectorized=True, f must return {what} per point: a stack of "
            f"{m} points gave shape {array.shape}"
        )
    kinds = "biufc" if problem.scheme.is_complex else "biuf"
    if array.dtype.kind not in kinds:
        raise TypeError(f"f must return real numbers; it returned dtype {array.dtype}")
    _check_complex(array.dtype, problem.scheme)
    return array


def _track_values(problem: Problem, values: Any) -> None:
    """Remember whether f has returned one and the same value for every perturbation."""
    if problem.in_place or not problem.same_value or len(values) == 0:
        return
    if problem.first_value is None:
        problem.first_value = values[0]
    first = problem.first_value
    if problem.outputs:
        problem.same_value = all(np.array_equal(v, first) for v in values)
    elif values[0] != first or values[-1] != first:  # the usual case, told at once
        problem.same_value = False
    elif isinstance(values, list):
        problem.same_value = all(v == first for v in values)
    else:
        problem.same_value = bool(np.all(values == first))

"""The evaluator of a vectorized f: stacks of perturbed points, many per call.

The one place stacks are built. :func:`vectorized_central` is its first
branch, for the textbook's case: the 2N points of a central gradient in one
call, the diagonal written in one ufunc call. Where that branch cannot give
the gradient itself, it hands f's values to :func:`stacked`, which checks
them and goes on from them: f is never called twice for one point.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from numgrad._engine.checks import check_numbers
from numgrad._engine.problem import Problem, call, record_vanished, track_values

__all__ = ["STACK_BYTES", "call_stacked", "stacked", "vectorized_central"]

# Largest stack of perturbed points handed to a vectorized f in one call.
# Measured with `nox -s bench` on a 2-core machine, f = stack @ w, time of the
# book's loop / numgrad at N = 300, 1000, 10000 (medians of 4 runs):
#   2 MiB: 6.4x, 4.9x, 1.2x (many small calls at large N)
#   4 MiB: 6.3x, 5.0x, 2.3x, stable from run to run
#   8 MiB: 6.1x, 4.8x or 0.9x, 3.0x: bimodal at N=1000, where a fresh 8 MiB
#          buffer sometimes costs 2 ms of page faults, more than the whole loop.
# Peak memory is this plus what f allocates.
STACK_BYTES = 4 * 2**20


def stacked(
    problem: Problem,
    offsets: tuple,
    steps: np.ndarray,
    elements: np.ndarray,
    *,
    known: Any = None,
) -> np.ndarray:
    """Evaluate a vectorized f on stacks of perturbed points, many per call.

    The selected elements are taken in blocks; each block fills a buffer of
    shape ``(len(offsets), block, n)``: for each offset, the points of the
    block's elements, each with its element perturbed by that offset. f sees
    the buffer as a read-only stack of points. Returns the values, shape
    ``(len(offsets), len(elements))``. ``known``: what f returned for the
    stack of :func:`vectorized_central`, the same points offset by offset.
    """
    record_vanished(problem, offsets, steps, elements)
    k, n = problem.k, problem.n
    if known is not None:
        values = taken(problem, known, len(offsets) * n)
        return values.reshape(len(offsets), n, *values.shape[1:])
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
        result = call_stacked(problem, stack).reshape(count, m, -1)
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
        result = call_stacked(problem, stack).reshape(stop - start, count, k, -1)
        values[:, :, start:stop] = result.transpose(1, 2, 0, 3)
        for q, offset in enumerate(offsets):
            if offset:
                block[rows, q, :, cols] = originals
    values = values.reshape(count, k * n, -1)
    return values if problem.outputs else values[..., 0]


def _width(problem: Problem) -> int:
    """Return the number of outputs of f (1 for a scalar f)."""
    return math.prod(problem.out_shape) if problem.outputs and problem.out_shape else 1


def call_stacked(problem: Problem, stack: np.ndarray) -> np.ndarray:
    """Call f on a read-only stack of points, and check what it returned."""
    return taken(problem, call(problem.f, stack), stack.shape[0])


def taken(problem: Problem, value: Any, m: int) -> np.ndarray:
    """Check f's values for a stack of ``m`` points, count the call and track them."""
    problem.calls += 1
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
    check_numbers(array.dtype, problem.scheme)
    track_values(problem, array)
    return array


def vectorized_central(
    f: Callable[[np.ndarray], Any], x: Any, h: float
) -> tuple[np.ndarray | None, Any]:
    """Return the central gradient from one call of a vectorized f, and f's values.

    The stack holds the 2N points ``x + h e_i`` and then ``x - h e_i``, as
    :func:`stacked` computes them, read-only for f. The gradient is ``None``
    where this branch cannot tell it: before f is called (a stack above
    :func:`stacked`'s block size, an x that is not a real array), with
    ``None`` as f's values; after (values other than a float64 vector of 2N,
    a partial derivative of exactly 0 or not finite), with f's values, which
    :func:`stacked` takes as ``known`` instead of calling f again, and the
    general path checks them and warns or raises as documented.
    """
    if not (0.0 < h < math.inf) or type(x) is not np.ndarray or x.dtype.kind not in "biuf":
        return None, None
    n = x.size
    if n == 0 or 16 * n * n > STACK_BYTES:
        return None, None
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
        return None, values
    grad = np.subtract(values[:n], values[n:])
    np.divide(grad, two_h, grad)
    # A step that x + h rounds away, an f that ignores its argument: both give
    # exact zeros, and the general path tells them from a true 0. NaN and
    # infinity (or a gradient so large that its squared norm overflows): the
    # general path warns, or computes it.
    if np.count_nonzero(grad) < n or not math.isfinite(grad.dot(grad)):
        return None, values
    return (grad if x.ndim == 1 else grad.reshape(x.shape)), values


@functools.lru_cache(maxsize=64)
def _step_arrays(h: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the column (h, -h), to add to a row in one call, and 2h, read-only (shared).

    A ufunc takes a 0-d array faster than a Python float, and the
    arithmetic is the same, bit for bit.
    """
    plus_minus, two_h = np.array((h, -h))[:, np.newaxis], np.array(2 * h)
    plus_minus.flags.writeable = two_h.flags.writeable = False
    return plus_minus, two_h

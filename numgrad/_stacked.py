"""Evaluating a vectorized f: stacks of perturbed points, many per call."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from numgrad._evaluate import Problem, call, check_numbers, record_vanished, track_values

__all__ = ["STACK_BYTES", "call_stacked", "stacked"]

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
    problem: Problem, offsets: tuple, steps: np.ndarray, elements: np.ndarray
) -> np.ndarray:
    """Evaluate a vectorized f on stacks of perturbed points, many per call.

    The selected elements are taken in blocks; each block fills a buffer of
    shape ``(len(offsets), block, n)``: for each offset, the points of the
    block's elements, each with its element perturbed by that offset. f sees
    the buffer as a read-only stack of points. Returns the values, shape
    ``(len(offsets), len(elements))``.
    """
    record_vanished(problem, offsets, steps, elements)
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
    result = call(problem.f, stack)
    problem.calls += 1
    result = _stack_values(result, stack.shape[0], problem)
    track_values(problem, result)
    return result


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
    check_numbers(array.dtype, problem.scheme)
    return array

"""The evaluators: f at perturbed points, one element at a time.

Each returns the values of ``f`` at ``x + offset * step * e_i`` for the
selected flat elements ``i``, shape ``(len(offsets), len(elements))`` for a
scalar ``f`` (a gradient), or ``(len(offsets), len(elements), m)`` for an
``f`` with ``m`` outputs (a Jacobian). :func:`loop` perturbs x in place (or
its read-only copy) and restores each element in ``finally``;
:func:`central_loop` is the same loop for the textbook's case, the engine's
first branch (:func:`numgrad._engine.compute.gradient`);
:func:`mapped` hands copies of the points to the map of ``workers=``;
:func:`perturbed` moves several elements at once (the Hessian);
:class:`Elementwise` perturbs every element of an elementwise f's argument in
one call (:func:`numgrad.numerical_diff`). Stacks for a vectorized f are
built in :mod:`numgrad._engine.stacks`.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np

from numgrad._engine.checks import PLAIN_SCALARS, check_real_at_real, checked, output, scalar
from numgrad._engine.problem import (
    Problem,
    call,
    guarded,
    raise_if_changed,
    record_vanished,
    track_values,
    unravel,
)

__all__ = [
    "Elementwise",
    "call_map",
    "central_loop",
    "elementwise",
    "loop",
    "mapped",
    "perturbed",
    "real_at_real",
]


def loop(problem: Problem, offsets: tuple, steps: np.ndarray, elements: np.ndarray) -> np.ndarray:
    """Evaluate f with one element perturbed at a time, in place, restored in ``finally``.

    Returns the values, shape ``(len(offsets), len(elements))``.
    """
    record_vanished(problem, offsets, steps, elements)
    f, n, stack = problem.f, problem.n, problem.stack
    if not problem.in_place:
        f = functools.partial(call, problem.f)  # a read-only copy: a clear error if f writes
    # Python numbers, [element][offset]: the cheapest to add in the loop.
    deltas = np.multiply.outer(steps, np.asarray(offsets)).tolist()
    collected: list[Any] = []
    row_of = -1
    for element, element_deltas in zip(elements.tolist(), deltas, strict=True):
        row, col = divmod(element, n)
        if row != row_of:
            row_of = row
            point = stack[row, ...]  # a view, 0-d for scalar points
            argument = problem.argument_for(row)
            # A flat view when there is one (fast indexing); multi-indices otherwise.
            flat = point.reshape(-1) if point.flags.c_contiguous else None
        target, index = (flat, col) if flat is not None else (point, unravel(col, point.shape))
        original = target[index]
        try:
            for delta in element_deltas:
                target[index] = original + delta
                value = f(argument)
                if type(value) not in PLAIN_SCALARS or problem.outputs:
                    value = output(value, problem)
                collected.append(value)
        finally:
            target[index] = original
    return _collected(problem, collected, len(offsets), len(elements))


def _collected(problem: Problem, collected: list, count: int, size: int) -> np.ndarray:
    """Return the values f returned, element by element and offset by offset, as an array."""
    problem.calls += len(collected)
    track_values(problem, collected)
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
    record_vanished(problem, offsets, steps, elements)
    n = problem.n
    flat = problem.stack.reshape(problem.k, n)
    deltas = np.multiply.outer(steps, np.asarray(offsets)).tolist()

    def points() -> Any:
        for element, element_deltas in zip(elements.tolist(), deltas, strict=True):
            row, col = divmod(element, n)
            original = flat[row, col]
            # A copy of what the serial path hands f: its type (np.matrix) and memory
            # order, so that f computes the same values, bit for bit.
            like = problem.argument_for(row)
            for delta in element_deltas:
                point = like.copy(order="K")
                point.flat[col] = original + delta
                point.flags.writeable = False
                yield point

    results = call_map(problem.mapper, problem.f, list(points()))
    return _collected(problem, [output(v, problem) for v in results], len(offsets), len(elements))


def central_loop(
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    h: float,
) -> tuple[np.ndarray, list[int]]:
    """Run the textbook's loop, for a writeable C-contiguous float64 ``x`` and a given step.

    The engine's first branch, for the common case: :func:`loop` as lean as
    the book's own loop, with the same arithmetic, bit for bit, and every
    promise of :func:`loop`: ``x`` restored in ``finally`` under its lock, f's values
    checked as they come. Returns the gradient and the flat indices of the
    elements ``h`` did not change, which the caller reports with the general
    path's warnings (:func:`numgrad._engine.compute.gradient`).
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
    return grad.reshape(x.shape), vanished


def perturbed(problem: Problem, perturbations: list[tuple[tuple[int, ...], tuple]]) -> np.ndarray:
    """Evaluate f at x moved by each perturbation: flat indices of x and what to add to each.

    The Hessian's evaluator, with :func:`loop`'s promises: in place under
    :func:`guarded` (each element restored in ``finally``), or on the
    read-only copy, or through the map of ``workers=`` on copies of what the
    serial path hands f; each value checked as it comes. Returns the values,
    one per perturbation.
    """
    point = problem.stack[0, ...]  # a view, 0-d for a 0-d x (stack[0] would be a copy)
    flat = point.reshape(-1) if point.flags.c_contiguous else None
    where = [
        tuple(i if flat is not None else unravel(i, point.shape) for i in indices)
        for indices, _ in perturbations
    ]
    shape, is_complex = problem.point_shape, problem.scheme.is_complex
    target = flat if flat is not None else point
    if problem.mapper is not None:
        like = problem.argument_for(0)

        def points() -> Any:
            for (indices, deltas), spots in zip(perturbations, where, strict=True):
                copy = like.copy(order="K")
                for index, spot, delta in zip(indices, spots, deltas, strict=True):
                    copy.flat[index] = target[spot] + delta
                copy.flags.writeable = False
                yield copy

        results = call_map(problem.mapper, problem.f, list(points()))
        values = [scalar(value, is_complex, shape) for value in results]
    else:
        f = problem.f if problem.in_place else functools.partial(call, problem.f)
        argument = problem.argument
        values = []
        for (_, deltas), spots in zip(perturbations, where, strict=True):
            originals = [target[spot] for spot in spots]
            try:
                for spot, original, delta in zip(spots, originals, deltas, strict=True):
                    target[spot] = original + delta
                values.append(scalar(f(argument), is_complex, shape))
            finally:
                for spot, original in zip(spots, originals, strict=True):
                    target[spot] = original
    problem.calls += len(values)
    track_values(problem, values)
    return np.array(values, dtype=problem.scheme.value_dtype)


def real_at_real(problem: Problem, values: np.ndarray) -> None:
    """Raise unless f is real at real x, as the complex step needs; ``values`` are f(x + ih).

    ``Im f(x + ih)`` is about ``h f'(x)``, some 1e-20 of ``|f|``: where it is
    more than 1e-8 of ``|f|``, f is called at x itself (one more call) to tell
    an f that is complex there from a derivative that is large.
    """
    with np.errstate(invalid="ignore"):
        if np.all(np.abs(np.imag(values)) <= 1e-8 * np.abs(values)):
            return
    at_x = problem.f(problem.argument_for(0))
    problem.calls += 1
    check_real_at_real(at_x)


def call_map(mapper: Callable, f: Callable, points: list) -> list:
    """Return ``mapper(f, points)`` as a list, checked to hold one value per point.

    An f that cannot be pickled, or that writes to its point, gets numgrad's message.
    """
    try:
        # A list, not an iterator: Dask's executor maps sequences only.
        results = list(mapper(f, points))
    except ValueError as error:  # f wrote to its read-only point
        raise_if_changed(error)
        raise
    except (pickle.PicklingError, AttributeError, TypeError) as error:
        if "pickle" not in str(error).lower():
            raise
        raise TypeError(
            f"with workers=, f and its points are sent to worker processes and must be "
            f"picklable; f = {f!r} is not ({error}). Define f with def at module "
            f"level, or use threads: workers=ThreadPoolExecutor(n).map"
        ) from error
    if len(results) != len(points):
        raise ValueError(
            f"workers must be a map-like callable: map(f, points) returned "
            f"{len(results)} values for {len(points)} points"
        )
    return results


class Elementwise:
    """The evaluator of an elementwise f: one call perturbs every element by its own step.

    f maps an array to an array of the same shape, element by element, so
    ``x + offset * steps`` gives every element's perturbed value in one call.
    ``calls`` counts f's calls.
    """

    def __init__(self, f: Callable[[Any], Any], point: np.ndarray, scheme: Any):
        self.f, self.point, self.scheme = f, point, scheme
        self.flat = point.reshape(-1)
        self.current = np.ones(self.flat.size)  # the last step of each element
        self.calls = 0

    def __call__(self, offsets: tuple, steps: np.ndarray, elements: np.ndarray) -> np.ndarray:
        self.calls += len(offsets)
        self.current[elements] = steps
        values = np.empty((len(offsets), self.flat.size), dtype=self.scheme.value_dtype)
        for q, offset in enumerate(offsets):
            argument = (self.flat + offset * self.current).reshape(self.point.shape)
            values[q] = np.reshape(elementwise(self.f, argument, self.point, self.scheme), -1)
        return values[:, elements, np.newaxis]


def elementwise(f: Callable[[Any], Any], argument: Any, point: Any, scheme: Any) -> Any:
    """Call an elementwise f and check that it gave one real number per element of the point."""
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

"""The problem: the points, how f is called, and the one place x is perturbed.

:class:`Problem` holds the points of one computation and what it has learnt
of ``f`` so far. :class:`guarded` holds x's lock while x is perturbed in
place, and compares it with its state on entry; :func:`call` calls f on a
read-only copy. The evaluators (:mod:`numgrad._engine.evaluate`,
:mod:`numgrad._engine.stacks`) restore each element they perturb in
``finally``. A leaf of the engine: the scheme is annotated ``Any``, not
imported.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "CHANGED",
    "Problem",
    "call",
    "guarded",
    "lock_for",
    "raise_if_changed",
    "read_only",
    "record_vanished",
    "track_values",
    "unravel",
]

_EPS = float(np.finfo(np.float64).eps)


class Problem:
    """One computation: the points, how to perturb them, and how to call f.

    ``outputs=False`` for a scalar f (a gradient), ``True`` for an f that
    returns an array (a Jacobian). ``mapper`` (from ``workers=``) evaluates f
    on copies of the points; without it, a writeable float x is perturbed in
    place. ``x`` is real: the engine's :func:`~numgrad._engine.compute.problem_for`
    checks it first.
    """

    def __init__(
        self,
        f: Callable,
        x: Any,
        scheme: Any,
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
            points = np.asarray(x).view(np.ndarray).astype(dtype, copy=True)
        if batch and points.ndim == 0:
            raise ValueError("batch=True needs x with a first axis of points; got a 0-d x")
        self.points = points
        self.stack = points if batch else points[np.newaxis]
        self.k = self.stack.shape[0]
        self.point_shape = self.stack.shape[1:]
        self.n = math.prod(self.point_shape)
        # What f is called with for a single point: x itself when it is perturbed
        # in place (a matrix stays a matrix), else the working copy, as x's type
        # and read-only (numgrad perturbs it through its own views).
        self.argument = x if self.in_place else read_only(points, type(x))
        # The precision x is perturbed in (named by the vanished-step warning).
        self.real_dtype = points.dtype if points.dtype.kind == "f" else np.dtype(np.float64)
        self.calls = 0
        self.same_value = True
        self.first_value: Any = None
        self.vanished: list[int] = []  # elements that a step did not change
        self.largest: float | None = None  # max |x|, once needed
        self.x_eps = float(np.finfo(points.dtype).eps)
        self.eps = _EPS  # of f's values, set by h="auto"

    def argument_for(self, row: int) -> Any:
        """Return what f is called with for point ``row`` of a batch (or for x itself)."""
        if not self.batch:
            return self.argument
        point = self.stack[row, ...]
        return point if self.in_place else read_only(point)

    def flat_points(self) -> np.ndarray:
        return self.stack.reshape(self.k * self.n).real

    def element_index(self, element: int) -> tuple[int, ...]:
        row, col = divmod(element, self.n)
        return ((row,) if self.batch else ()) + unravel(col, self.point_shape)


CHANGED = (
    "f must not change its argument: numgrad makes the next points from it (x itself, "
    "perturbed in place, or a read-only copy or stack of x); work on a copy inside f "
    "(v = v - v.mean(), not v -= v.mean())"
)


def raise_if_changed(error: ValueError) -> None:
    """Raise numgrad's message in place of numpy's for a write to a read-only argument."""
    if "read-only" in str(error):
        raise ValueError(CHANGED) from error


def call(f: Callable, argument: Any) -> Any:
    """Call f on a read-only argument; an attempt to change it gets numgrad's message."""
    try:
        return f(argument)
    except ValueError as error:
        raise_if_changed(error)
        raise


class guarded:
    """Hold ``array``'s lock while numgrad perturbs it in place, and keep f from changing it.

    The one place where x is perturbed in place: each element is restored by
    its caller in ``finally``; here, the whole array is compared, bit for bit,
    with its state on entry, restored if f changed it, and f is told so
    (unless f raised: its own error then goes on). A class, not a generator:
    it is entered once per gradient, the textbook's loop included.
    """

    __slots__ = ("array", "before", "lock")

    def __init__(self, array: np.ndarray):
        self.array, self.lock = array, lock_for(array)

    def __enter__(self) -> None:
        self.lock.acquire()
        self.before = self.array.tobytes()

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            array = self.array
            if array.tobytes() != self.before:
                array[...] = np.frombuffer(self.before, dtype=array.dtype).reshape(array.shape)
                if kind is None:
                    raise ValueError(CHANGED)
        finally:
            self.lock.release()


def read_only(array: np.ndarray, kind: type = np.ndarray) -> np.ndarray:
    """Return a read-only view of ``array`` (as ``np.matrix`` when ``kind`` is one)."""
    view = array.view(np.matrix if issubclass(kind, np.matrix) else np.ndarray)
    view.flags.writeable = False
    return view


def record_vanished(
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


def unravel(col: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(col, shape)) if shape else ()


def track_values(problem: Problem, values: Any) -> None:
    """Remember whether f has returned one and the same value for every perturbation."""
    if problem.in_place or not problem.same_value or len(values) == 0:
        return
    if problem.first_value is None:
        first = values[0]  # a copy: it may be a view of a buffer that changes
        problem.first_value = first.copy() if isinstance(first, np.ndarray) else first
    first = problem.first_value
    if problem.outputs:
        problem.same_value = all(np.array_equal(v, first) for v in values)
    elif values[0] != first or values[-1] != first:  # the usual case, told at once
        problem.same_value = False
    elif isinstance(values, list):
        problem.same_value = all(v == first for v in values)
    else:
        problem.same_value = bool(np.all(values == first))


# id of a base array -> (weak reference that removes the entry, its lock)
_LOCKS: dict[int, tuple[weakref.ref, threading.RLock]] = {}
_REGISTRY = threading.Lock()


def lock_for(array: np.ndarray) -> threading.RLock:
    """Return the lock of the memory ``array`` views (re-entrant: recursion works).

    Views of one base array share its lock. The entry disappears with the array.
    """
    base = array
    while isinstance(base.base, np.ndarray):
        base = base.base
    key = id(base)
    with _REGISTRY:
        entry = _LOCKS.get(key)
        if entry is None or entry[0]() is not base:
            entry = (weakref.ref(base, lambda _, key=key: _LOCKS.pop(key, None)), threading.RLock())
            _LOCKS[key] = entry
    return entry[1]

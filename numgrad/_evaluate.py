"""Evaluating f at perturbed points: one computation and two of its evaluators.

:class:`Problem` holds the points and how to call ``f``; :func:`loop`
perturbs one element at a time, in place, and :func:`mapped` hands copies
of the points to a map (``workers=``); :func:`numgrad._stacked.stacked`
hands a vectorized ``f`` stacks of perturbed points. Each returns the values
of ``f`` at ``x + offset * step * e_i`` for the selected flat elements ``i``, shape
``(len(offsets), len(elements))`` for a scalar ``f`` (a gradient), or
``(len(offsets), len(elements), m)`` for an ``f`` with ``m`` outputs (a
Jacobian).
"""

from __future__ import annotations

import functools
import math
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np

from numgrad._locks import lock_for
from numgrad._schemes import Scheme
from numgrad._steps import EPS
from numgrad._validation import element_name, preview, real_array

__all__ = [
    "PLAIN_SCALARS",
    "Problem",
    "call",
    "check_numbers",
    "check_real_at_real",
    "guarded",
    "loop",
    "mapped",
    "output",
    "perturbed",
    "real_at_real",
    "record_vanished",
    "scalar",
    "track_values",
]


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
        # in place (a matrix stays a matrix), else the working copy, as x's type
        # and read-only (numgrad perturbs it through its own views).
        self.argument = x if self.in_place else _read_only(points, type(x))
        # The precision x is perturbed in (named by the vanished-step warning).
        self.real_dtype = points.dtype if points.dtype.kind == "f" else np.dtype(np.float64)
        self.calls = 0
        self.same_value = True
        self.first_value: Any = None
        self.vanished: list[int] = []  # elements that a step did not change
        self.largest: float | None = None  # max |x|, once needed
        self.x_eps = float(np.finfo(points.dtype).eps)
        self.eps = EPS  # of f's values, set by h="auto"

    def argument_for(self, row: int) -> Any:
        """Return what f is called with for point ``row`` of a batch (or for x itself)."""
        if not self.batch:
            return self.argument
        point = self.stack[row, ...]
        return point if self.in_place else _read_only(point)

    def flat_points(self) -> np.ndarray:
        return self.stack.reshape(self.k * self.n).real

    def element_index(self, element: int) -> tuple[int, ...]:
        row, col = divmod(element, self.n)
        return ((row,) if self.batch else ()) + _unravel(col, self.point_shape)

    def where(self, element: int) -> str:
        """Return the element as the user would index it: ``x[1, 2]``, or ``x`` for a 0-d x."""
        index = self.element_index(element)
        return element_name("x", index)


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
        target, index = (flat, col) if flat is not None else (point, _unravel(col, point.shape))
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

    try:
        results = call_map(problem.mapper, problem.f, list(points()))
    except ValueError as error:
        _raise_if_changed(error)
        raise
    return _collected(problem, [output(v, problem) for v in results], len(offsets), len(elements))


def perturbed(problem: Problem, perturbations: list[tuple[tuple[int, ...], tuple]]) -> np.ndarray:
    """Evaluate f at x moved by each perturbation: flat indices of x and what to add to each.

    The Hessian's evaluator, with :func:`loop`'s promises: in place under
    :func:`guarded` (each element restored in ``finally``), or on the
    read-only copy, or through the map of ``workers=`` on copies of what the
    serial path hands f; each value checked as it comes. Returns the values,
    one per perturbation.
    """
    point = problem.stack[0]
    flat = point.reshape(-1) if point.flags.c_contiguous else None
    where = [
        tuple(i if flat is not None else _unravel(i, point.shape) for i in indices)
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

        try:
            results = call_map(problem.mapper, problem.f, list(points()))
        except ValueError as error:
            _raise_if_changed(error)
            raise
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


def check_real_at_real(at_x: Any) -> None:
    """Raise unless ``at_x``, f at a real x, is real (as the complex step needs)."""
    if np.any(np.imag(np.asarray(at_x)) != 0):
        raise ValueError(
            "with method='complex', f must be real at real x (its derivative is then "
            f"Im f(x + ih) / h), but f(x) = {preview(at_x)}: differentiate its real and "
            "imaginary parts with a real method instead"
        )


def call_map(mapper: Callable, f: Callable, points: list) -> list:
    """Return ``mapper(f, points)`` as a list, checked to hold one value per point."""
    try:
        # A list, not an iterator: Dask's executor maps sequences only.
        results = list(mapper(f, points))
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


# What f is told when it writes to its argument.
CHANGED = (
    "f must not change its argument: numgrad makes the next points from it (x itself, "
    "perturbed in place, or a read-only copy or stack of x); work on a copy inside f "
    "(v = v - v.mean(), not v -= v.mean())"
)


def _raise_if_changed(error: ValueError) -> None:
    """Raise numgrad's message in place of numpy's for a write to a read-only argument."""
    if "read-only" in str(error):
        raise ValueError(CHANGED) from error


def call(f: Callable, argument: Any) -> Any:
    """Call f on a read-only argument; an attempt to change it gets numgrad's message."""
    try:
        return f(argument)
    except ValueError as error:
        _raise_if_changed(error)
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


def _read_only(array: np.ndarray, kind: type = np.ndarray) -> np.ndarray:
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


def _unravel(col: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(col, shape)) if shape else ()


_NO_VALUE = object()  # check_numbers without a value of f to show

# Return types accepted without further checks (the common case, kept fast).
PLAIN_SCALARS = (float, np.float64)


def output(value: Any, problem: Problem) -> Any:
    """Return ``value`` if it is what f must return: one number, or an array of one shape."""
    if not problem.outputs:
        shape = problem.stack.shape[1:] if not problem.batch else ()
        return scalar(value, problem.scheme.is_complex, shape)
    if (
        type(value) is np.ndarray
        and value.shape == problem.out_shape
        and value.dtype == problem.out_dtype
    ):
        # As the values before it: checked already. A copy, since f may return its
        # argument or a view of it, which numgrad goes on perturbing.
        return value.copy()
    try:
        array = np.array(value)
    except ValueError as error:
        raise ValueError(
            f"f must return an array of one shape (a number, or a regular array); it "
            f"returned {preview(value)}"
        ) from error
    check_numbers(array.dtype, problem.scheme, value)
    if problem.out_shape is None:
        problem.out_shape, problem.out_dtype = array.shape, array.dtype
    elif array.shape != problem.out_shape:
        raise ValueError(
            f"f must return arrays of one shape; it returned shape {problem.out_shape} "
            f"and then {array.shape}"
        )
    return array


def check_numbers(dtype: np.dtype, scheme: Scheme, value: Any = _NO_VALUE) -> None:
    """Check that f's values are real numbers, or complex ones for the complex step.

    The message shows ``value`` when given (one value of f), else the dtype.
    """
    if dtype.kind not in ("biufc" if scheme.is_complex else "biuf"):
        returned = f"dtype {dtype}" if value is _NO_VALUE else preview(value)
        raise TypeError(f"f must return real numbers; it returned {returned}")
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
    # A number, not a 0-d array: that may be f's argument, which numgrad goes on perturbing.
    return value[()] if isinstance(value, np.ndarray) else value


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

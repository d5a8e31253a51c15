"""The error model: the error terms of a derivative, and what they are judged by.

One model for every method and function: the estimate that comes with
``full_output=True`` for a given step (:func:`fixed_derivative`), the terms
the ``h="auto"`` rule balances (:mod:`numgrad._engine.auto`), and the warning
threshold of ``h="auto"`` (:func:`inaccurate`). A leaf of the engine: a
scheme (:class:`~numgrad._engine.schemes.Scheme`) is annotated ``Any``, not
imported.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "COMPLEX_FLOOR",
    "COMPLEX_STEP",
    "EPS",
    "NOISE",
    "SMALLEST_NORMAL",
    "SMALLEST_SUBNORMAL",
    "Estimate",
    "Evaluate",
    "allowed_error",
    "exact_steps",
    "fixed_derivative",
    "good_enough",
    "inaccurate",
    "judged",
    "kink",
    "noise_size",
    "pair_offsets",
    "pair_terms",
    "precision",
    "rounding_error",
    "x_moves",
]

EPS = float(np.finfo(np.float64).eps)
# Rounding of one evaluation of f, in units of eps |f|: a few roundings inside f.
NOISE = 4.0
# The relative error below which a step is good enough (and for float32, 10
# times the method's best accuracy there).
_GOOD_ENOUGH = 1e-10
# The complex step, relative to |x|, the smallest |x| it is relative to, and the
# largest step it may grow to when Im f underflows.
COMPLEX_STEP = 1e-20
COMPLEX_FLOOR = 2.0**-500
SMALLEST_NORMAL = float(np.finfo(np.float64).tiny)
SMALLEST_SUBNORMAL = 2.0**-1074


def precision(*dtypes: np.dtype) -> float:
    """Return the machine epsilon of f's values: of the least precise float dtype among them.

    What rounds f's values is f's own precision (float32 if f computes in it),
    whatever x's is; values that are not floats count as float64.
    """
    return max((float(np.finfo(t).eps) for t in dtypes if t.kind in "fc"), default=EPS)


def _none() -> np.ndarray:
    return np.zeros(0, dtype=np.intp)


@dataclass(frozen=True)
class Estimate:
    """Derivatives of the flattened elements, with an estimate of their error.

    ``size`` is the scale of ``f`` each derivative is judged against: ``|f(x)|``
    where it was evaluated and is not 0, else the largest ``|f|`` among the
    values the derivative came from.
    """

    value: np.ndarray
    error: np.ndarray
    size: np.ndarray
    nfev: int
    # Flat elements where h="auto" used a one-sided difference (f not finite on the
    # other side of x), and those where f is not finite on either side.
    one_sided: np.ndarray = field(default_factory=_none)
    nowhere: np.ndarray = field(default_factory=_none)
    # h="auto": the step of each element and output (the value's), shape (E, m).
    step: np.ndarray | None = None

    def single(self) -> Estimate:
        """Return the estimate of a scalar f: the arrays of shape (E, 1) as (E,)."""
        return self.replace(self.value[:, 0], self.error[:, 0], self.size[:, 0])

    def replace(self, value: Any, error: Any, size: Any, nfev: int | None = None) -> Estimate:
        """Return the estimate with new arrays (and count), keeping what it says of elements."""
        nfev = self.nfev if nfev is None else nfev
        return Estimate(value, error, size, nfev, self.one_sided, self.nowhere, self.step)


# h="auto" warns when an element's estimated error exceeds this many times the
# best accuracy of the method, eps**(order / (order + 1)), relative to the larger
# of |derivative| and |f| / max(|x|, 1); and never below 1 %.
_AUTO_WARN = 10_000


def allowed_error(scheme: Any, eps: float) -> float:
    """Return the relative error above which ``h="auto"`` warns."""
    return min(_AUTO_WARN * eps ** (scheme.order / (scheme.order + 1)), 0.01)


def inaccurate(estimate: Estimate, x: np.ndarray, scheme: Any, eps: float) -> np.ndarray:
    """Return the estimated error of each element over the error allowed (above 1: missed).

    The allowed error is relative to ``max(|derivative|, |f| / max(|x|, 1))``.
    """
    allowed = allowed_error(scheme, eps)
    shape = np.shape(estimate.error)
    if np.all(estimate.error <= allowed * np.abs(estimate.value)):  # the usual case, at once
        return np.zeros(shape)
    value, error, size = (
        np.reshape(a, (x.size, -1)) for a in (estimate.value, estimate.error, estimate.size)
    )
    if estimate.one_sided.size:  # judged as the second-order difference they used
        allowed = np.full((x.size, 1), allowed)
        allowed[estimate.one_sided] = min(_AUTO_WARN * eps ** (2 / 3), 0.01)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        scale = np.maximum(np.abs(value), size / np.maximum(np.abs(x), 1)[:, np.newaxis])
        ratio = np.where(error > 0, error / (allowed * scale), 0.0)
    # f(x) = 0 and a derivative of exactly 0: nothing to judge it against.
    return np.where(np.isfinite(value) & (scale > 0), ratio, 0.0).reshape(shape)


# evaluate(offsets, steps, elements) -> values, shape (len(offsets), len(elements), m):
# f's m outputs at x + offset * step * e_i for each selected flat element i.
Evaluate = Callable[[tuple[complex, ...], np.ndarray, np.ndarray], np.ndarray]


def fixed_derivative(
    values: np.ndarray, h: np.ndarray, scheme: Any, eps: float, f_x: np.ndarray
) -> Estimate:
    """Return the derivative at the steps ``h`` and its estimated error (``full_output``).

    ``values`` are f's at the merged offsets of ``h`` and ``h/2``, shape
    ``(offsets, E, m)``. The value is the scheme at ``h``, exactly as without
    an estimate; its truncation error is ``|D(h) - D(h/2)| 2**p / (2**p - 1)``,
    to which the rounding error at ``h`` and the kink term are added.
    """
    column = h[:, np.newaxis]
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        coarse, fine, kinked, size = pair_terms(values, column, scheme, f_x)
        noisy = noise_size(values, f_x, size, eps, scheme, column)
        # Twice the asymptotic truncation: the next term of the series, which the
        # difference of two steps does not see, makes that an underestimate half
        # of the time.
        truncation = 2 * np.abs(coarse - fine) * 2**scheme.order / (2**scheme.order - 1)
        truncation += kinked
        if scheme.is_complex:  # nothing is subtracted: rounding is relative to the value
            rounding = 4 * eps * np.abs(coarse) + SMALLEST_SUBNORMAL / column
        else:
            rounding = rounding_error(noisy, column, scheme, eps)
        error = np.where(np.isfinite(coarse), truncation + rounding, np.inf)
    nfev = sum(1 for offset in pair_offsets(scheme)[0] if offset != 0) * h.size
    return judged(Estimate(coarse, error, np.maximum(np.abs(f_x), size), nfev), np.abs(f_x))


def pair_terms(values: np.ndarray, h: Any, scheme: Any, f_x: np.ndarray) -> tuple:
    """Combine f's values at the merged offsets of ``h`` and ``h/2``, shape (offsets, E, m).

    Returns the derivative at ``h`` and at ``h/2``, the kink term (see
    :func:`kink`) and the largest ``|f|`` among the values, each (E, m).
    """
    offsets, wide, narrow = pair_offsets(scheme)
    coarse = scheme.combine([values[i] for i in wide], h)
    fine = scheme.combine([values[i] for i in narrow], h / 2)
    size = np.max(np.abs(values), axis=0)
    return coarse, fine, kink(values, offsets, f_x.real, h), size


def noise_size(values: Any, f_x: Any, size: Any, eps: float, scheme: Any, h: Any) -> Any:
    """Return the size of f's values that rounds them: ``size``, or more where f cancels.

    f's rounding is about ``eps`` times the size of the numbers f adds up,
    which its value shows unless they cancel: ``tanh(7.08) + tanh(-9)`` is
    ``-1.4e-6``, but a multiple of ``2**-53``, the spacing of numbers near 1,
    and so is every value of f near there. The differences ``f(x + d) - f(x)``
    (exact, as the values are close) show it: for values that did not cancel
    the largest power of two dividing them all is about ``eps |f|``; a
    spacing over 16 times that (four more trailing zero bits in every
    difference) is taken as the grain of a cancellation, and the size
    returned is then ``spacing / eps``. Not where f's values are exact:
    numbers of at most 26 bits (the square of a float16 x), or differences
    no coarser than those of a linear f computed exactly, ``f'`` times the
    moves of x (``x``, ``0.5 * x``: their grain is the moves' own).
    ``values`` are at the merged offsets of the scheme at ``h`` and ``h/2``,
    shape ``(offsets, E, m)``; ``f_x`` and ``size`` have shape ``(E, m)``,
    ``h`` ``(E, 1)``. At a number, all may be Python floats (and ``values`` a list).
    """
    if isinstance(size, float):  # one element in Python floats (h="auto" at a number)
        changes = [value - f_x for value in values]
        coarse = 2.0 ** math.floor(math.log2(16 * eps * size)) if size > 0 else 0.0
        if not (coarse > 0 and any(changes) and all(c % coarse == 0 for c in changes)):
            return size  # as the test below tells, without numpy's cost
        values, f_x, h = np.asarray(values)[:, np.newaxis], np.asarray([f_x]), np.asarray([h])
    if np.iscomplexobj(values):
        return size
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        changes = values - f_x
        # A grain above 16 eps size needs every change to be a multiple of the
        # power of two below it: most values are not, which one test tells at once.
        coarse = np.ldexp(1.0, np.frexp(16 * eps * size)[1] - 1)
        maybe = np.all(np.mod(changes, coarse) == 0, axis=0)
        if maybe.any():
            # Nor is a linear f computed exactly (x, 0.5 * x, a constant): its changes
            # are its slope times x's moves, which are powers of two apart.
            rows, ratios = _moving_rows(scheme)
            ratios = ratios.reshape((-1,) + (1,) * (changes.ndim - 1))
            maybe &= ~np.all(changes[rows] * ratios == changes[rows[0]], axis=0)
        if not maybe.any():
            return np.broadcast_to(
                size, np.broadcast_shapes(np.shape(size), changes.shape[1:])
            ).copy()
        grain = _lowest_bit(changes) / eps
        cancels = np.isfinite(grain) & (grain > 16 * size)
        # The number of bits of each value, from its leading to its lowest set bit.
        everything = np.concatenate([values, f_x[np.newaxis]])
        bits = np.log2(np.abs(everything) / _lowest_bit(everything[:, np.newaxis])[:, 0])
        cancels &= np.max(np.where(everything != 0, bits, 0), axis=0) > 26
        moves = x_moves(scheme, h)
        slope = np.max(np.abs(changes), axis=0) / np.max(np.abs(moves), axis=0)
        cancels &= grain * eps > 4 * slope * _lowest_bit(moves)
    return np.where(cancels, grain, size)


def _lowest_bit(values: np.ndarray) -> np.ndarray:
    """Return the largest power of two dividing all of ``values`` along axis 0 (inf for 0s)."""
    mantissa, exponent = np.frexp(np.where(np.isfinite(values), values, 0.0))
    digits = np.abs(mantissa * 2.0**53).astype(np.int64)
    lowest = np.ldexp((digits & -digits).astype(np.float64), exponent - 53)
    return np.min(np.where(digits != 0, lowest, np.inf), axis=0)


def exact_steps(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Round ``h`` to a multiple of 4 ulps of ``x``, so that x ± h, h/2, h/4 are exact.

    Steps above 2**50 ulps are left as they are: rounding x + h then moves the
    step by less than 2**-50 of itself. The result is never below 4 ulps.
    """
    quantum = 4 * np.spacing(np.abs(x)).astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        count = np.round(h / quantum)
    return np.where(count < 2.0**50, np.maximum(count, 1.0) * quantum, h)


@functools.cache
def pair_offsets(scheme: Any) -> tuple[tuple[float, ...], list[int], list[int]]:
    """Return the offsets of the scheme at h and at h/2, merged, with the index of each."""
    merged: list[float] = []
    for offset in (*scheme.offsets, *(o / 2 for o in scheme.offsets)):
        if offset not in merged:
            merged.append(offset)
    wide = [merged.index(o) for o in scheme.offsets]
    narrow = [merged.index(o / 2) for o in scheme.offsets]
    return tuple(merged), wide, narrow


def x_moves(scheme: Any, h: Any) -> np.ndarray:
    """Return the moves of x at the merged offsets of ``h`` and ``h/2``: shape (offsets, *h's)."""
    offsets = np.real(np.asarray(pair_offsets(scheme)[0]))
    return offsets.reshape((-1,) + (1,) * np.ndim(h)) * h


@functools.cache
def _moving_rows(scheme: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return the merged offsets that move x, and the first one's ratio to each."""
    offsets = np.real(np.asarray(pair_offsets(scheme)[0]))
    rows = np.flatnonzero(offsets)
    return rows, offsets[rows[0]] / offsets[rows]


def good_enough(scheme: Any, eps: float) -> float:
    """Return the relative error at which a step needs no refinement."""
    return max(_GOOD_ENOUGH, 10 * eps ** (scheme.order / (scheme.order + 1)))


def rounding_error(size: Any, step: Any, scheme: Any, eps: float) -> Any:
    """Return the rounding error of a derivative at ``step`` from values of size ``size``."""
    return NOISE * scheme.noise * (eps * size + SMALLEST_SUBNORMAL) / step


_CENTRAL_PAIR = (1.0, -1.0, 0.5, -0.5)
_RICHARDSON_PAIR = (1.0, -1.0, 0.5, -0.5, 0.25, -0.25)


def kink(values: Any, offsets: tuple, f_x: Any, h: Any) -> Any:
    """Return the error a kink of f inside the step would cause, or about 0 where f is smooth.

    For the central pair (offsets ``±1, ±1/2``) and Richardson's (``±1,
    ±1/2, ±1/4``). Second differences at two scales, ``S(h) = f(x+h) - 2
    f(x) + f(x-h)``, satisfy ``S(h) = 4 S(h/2)`` up to ``h**4`` for a smooth
    ``f`` (and rounding), but not where the slope jumps by ``J`` between
    ``x - h`` and ``x + h`` (a ReLU): their misfit is then about ``J h``, and
    the central difference can be off by ``J / 2`` however close its two
    steps agree. The misfit over ``2h`` is a term of order ``h**3`` for a
    smooth ``f``, below central's ``h**2`` truncation. Richardson's pair has
    a third scale, and compares two misfits (below). The one-sided methods
    see no kink between x and their first point, and get 0.
    """
    if offsets == _CENTRAL_PAIR:
        return _misfit(values[0] + values[1], values[2] + values[3], f_x, h)
    if offsets == _RICHARDSON_PAIR:
        # The misfits at two scales, M(h) = S(h) - 4 S(h/2), satisfy M(h) = 16 M(h/2)
        # up to h**6: S(h) - 20 S(h/2) + 64 S(h/4), over 2h, is of order h**5 for a
        # smooth f, below Richardson's h**4, and 3.5 J for a kink at x.
        # Its rounding, up to (1 + 20 + 64) 4 eps |f| (float64), is no kink: taken off.
        wide, middle, narrow = (values[i] + values[i + 1] - 2 * f_x for i in (0, 2, 4))
        if isinstance(f_x, float):  # one element in Python floats (h="auto" at a number)
            size = max(abs(f_x), *map(abs, values))
            misfit = abs(wide - 20 * middle + 64 * narrow) - 340 * NOISE * EPS * size
            return max(misfit, 0.0) / (2 * h)
        size = np.maximum(np.abs(f_x), np.max(np.abs(np.asarray(values)), axis=0))
        misfit = np.abs(wide - 20 * middle + 64 * narrow) - 340 * NOISE * EPS * size
        return np.maximum(misfit, 0.0) / (2 * h)
    return 0.0


def _misfit(wide: Any, narrow: Any, f_x: Any, h: Any) -> Any:
    """Return ``|S(h) - 4 S(h/2)| / (2h)`` from the sums ``f(x+h) + f(x-h)`` and at h/2."""
    return np.abs((wide - 2 * f_x) - 4 * (narrow - 2 * f_x)) / (2 * h)


def judged(estimate: Estimate, at_x: np.ndarray) -> Estimate:
    """Where f(x) is subnormal its digits are gone: the error may be as large as the value."""
    lost = (at_x > 0) & (at_x < SMALLEST_NORMAL)
    if not lost.any():
        return estimate
    error = np.where(lost, np.maximum(estimate.error, np.abs(estimate.value)), estimate.error)
    return estimate.replace(estimate.value, error, np.where(lost, at_x, estimate.size))

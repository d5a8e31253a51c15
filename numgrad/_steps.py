"""Steps: checking a step the caller gave, and choosing one from ``f`` itself.

The ``h="auto"`` rule, per element of ``x``, for a real scheme of order ``p``
in a precision with machine epsilon ``eps``. The error of a difference with
step ``h`` is truncation plus rounding::

    E(h) = T(h) + R(h),   T(h) ~ tau h**p,   R(h) = K (eps F(h) + u) / h,

with ``F(h)`` the largest ``|f|`` among the values combined and ``u`` the
smallest subnormal float (the rounding unit of values that underflow). Steps::

    pilot    h0 = eps**(1/(p+1)) * max(|x|, 1); D1 = D(h0), D2 = D(h0/2)
             T = |D1 - D2| / (2**p - 1)      (the truncation error of D2)
             R = K eps F / (h0/2)            (its rounding error)
    done     when E = T + R <= rho |D2|; or when rounding limits it (T <= 2 R)
             and cannot be lowered, because F is no more than 2 |f(x)|
    refine   otherwise, with F0 = |f(x)|:
             - rounding limits it but F >> F0, so the step is larger than the
               scale on which f varies: try the step relative to |x| alone,
               eps**(1/(p+1)) |x| (x**3 at tiny x);
             - truncation limits it: the step that balances the two terms,
               h* = (h0/2) (K eps F0 / (h0/2) / (p T))**(1/(p+1)),
               since T falls like h**p and rounding grows like 1/h
               (sin at x = 1000, log1p near -1);
             keep the new pair if it agrees with the old one within both
             error estimates and its own estimate is smaller. At most three
             refinements.

The pilot is SciPy's step: right when ``f`` varies on the scale of
``max(|x|, 1)``, and never shrinking with ``|x|`` below 1. The refinements
catch the other scales, and using ``|f(x)|`` in the balance makes one jump
enough: at ``x = 1e-100`` it gives ``h ~ 1e-106`` directly.

The complex step subtracts nothing, so rounding does not limit it: it uses
``h = 1e-20 * max(|x|, 2**-500)``, with an error of a few ulps, unless
``Im f(x + ih)`` falls below the smallest normal float (``exp`` at -700,
``x**3`` at tiny ``x``): it then grows the step until the imaginary part is
normal, at most to ``1e-7 * max(|x|, 2**-500)``, and estimates the
truncation from a second step ``h/2``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from numgrad._schemes import Scheme
from numgrad._validation import check_positive_number

__all__ = [
    "COMPLEX_FLOOR",
    "COMPLEX_STEP",
    "Estimate",
    "allowed_error",
    "auto_derivative",
    "fixed_derivative",
    "given_step",
    "good_enough",
    "inaccurate",
    "kink",
    "pair_offsets",
    "rounding_error",
]

# Rounding of one evaluation of f, in units of eps |f|: a few roundings inside f.
_NOISE = 4.0
# The relative error below which a step is good enough (and for float32, 10
# times the method's best accuracy there).
_GOOD_ENOUGH = 1e-10
_REFINEMENTS = 3
# The complex step, relative to |x|, the smallest |x| it is relative to, and the
# largest step it may grow to when Im f underflows.
COMPLEX_STEP = 1e-20
COMPLEX_FLOOR = 2.0**-500
_COMPLEX_LARGEST = 1e-7
_SMALLEST_NORMAL = float(np.finfo(np.float64).tiny)
_SMALLEST_SUBNORMAL = 2.0**-1074
# No real step below this: f(x +- h) - f(x) would be lost in subnormals.
_SMALLEST_STEP = 2.0**-500


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

    def single(self) -> Estimate:
        """Return the estimate of a scalar f: the arrays of shape (E, 1) as (E,)."""
        return Estimate(self.value[:, 0], self.error[:, 0], self.size[:, 0], self.nfev)


# h="auto" warns when an element's estimated error exceeds this many times the
# best accuracy of the method, eps**(order / (order + 1)), relative to the larger
# of |derivative| and |f| / max(|x|, 1); and never below 1 %.
_AUTO_WARN = 10_000


def allowed_error(scheme: Scheme, eps: float) -> float:
    """Return the relative error above which ``h="auto"`` warns."""
    return min(_AUTO_WARN * eps ** (scheme.order / (scheme.order + 1)), 0.01)


def inaccurate(estimate: Estimate, x: np.ndarray, scheme: Scheme, eps: float) -> np.ndarray:
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
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        scale = np.maximum(np.abs(value), size / np.maximum(np.abs(x), 1)[:, np.newaxis])
        ratio = np.where(error > 0, error / (allowed * scale), 0.0)
    # f(x) = 0 and a derivative of exactly 0: nothing to judge it against.
    return np.where(np.isfinite(value) & (scale > 0), ratio, 0.0).reshape(shape)


# evaluate(offsets, steps, elements) -> values, shape (len(offsets), len(elements), m):
# f's m outputs at x + offset * step * e_i for each selected flat element i.
Evaluate = Callable[[tuple[complex, ...], np.ndarray, np.ndarray], np.ndarray]


_STEP_KINDS = 'a positive finite number, an array of them broadcastable to x, or "auto"'


def given_step(h: Any, shape: tuple[int, ...] = ()) -> float | np.ndarray:
    """Validate a step the caller gave (anything but ``"auto"``).

    Returns a float, or for an array of steps (one per element of ``x``, of
    shape ``shape``) a float64 array of that shape.
    """
    if isinstance(h, str):
        raise TypeError(f"h must be {_STEP_KINDS}; got {h!r}")
    if isinstance(h, (list, tuple, np.ndarray)):
        return _given_steps(h, shape)
    check_positive_number(h, "h", alternative=' (or an array of them, or "auto")')
    return float(h)


def _given_steps(h: Any, shape: tuple[int, ...]) -> np.ndarray:
    array = np.asarray(h)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"h must be {_STEP_KINDS}; got an array of dtype {array.dtype}")
    try:
        steps = np.broadcast_to(array, shape).astype(np.float64)
    except ValueError:
        raise ValueError(
            f"h must be broadcastable to x's shape {shape}; got an array of shape {array.shape}"
        ) from None
    bad = ~(np.isfinite(steps) & (steps > 0))
    if bad.any():
        index = np.unravel_index(int(np.argmax(bad)), shape)
        where = f"[{', '.join(map(str, index))}]" if index else ""
        raise ValueError(
            f"h must be positive and finite everywhere; h{where} = {float(steps[index])!r} (for x{where})"
        )
    return steps


def fixed_derivative(
    values: np.ndarray, h: np.ndarray, scheme: Scheme, eps: float, f_x: np.ndarray
) -> Estimate:
    """Return the derivative at the steps ``h`` and its estimated error (``full_output``).

    ``values`` are f's at the merged offsets of ``h`` and ``h/2``, shape
    ``(offsets, E, m)``. The value is the scheme at ``h``, exactly as without
    an estimate; its truncation error is ``|D(h) - D(h/2)| 2**p / (2**p - 1)``,
    to which the rounding error at ``h`` and the kink term are added.
    """
    offsets, wide, narrow = pair_offsets(scheme)
    column = h[:, np.newaxis]
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        coarse = scheme.combine(values[wide], column)
        fine = scheme.combine(values[narrow], column / 2)
        # Twice the asymptotic truncation: the next term of the series, which the
        # difference of two steps does not see, makes that an underestimate half
        # of the time.
        truncation = 2 * np.abs(coarse - fine) * 2**scheme.order / (2**scheme.order - 1)
        truncation += kink(values, offsets, f_x.real, column)
        size = np.max(np.abs(values), axis=0)
        if scheme.is_complex:  # nothing is subtracted: rounding is relative to the value
            rounding = 4 * eps * np.abs(coarse) + _SMALLEST_SUBNORMAL / column
        else:
            rounding = rounding_error(size, column, scheme, eps)
        error = np.where(np.isfinite(coarse), truncation + rounding, np.inf)
    nfev = len(offsets) * h.size
    return _judged(Estimate(coarse, error, np.maximum(np.abs(f_x), size), nfev), np.abs(f_x))


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
def pair_offsets(scheme: Scheme) -> tuple[tuple[float, ...], list[int], list[int]]:
    """Return the offsets of the scheme at h and at h/2, merged, with the index of each."""
    merged: list[float] = []
    for offset in (*scheme.offsets, *(o / 2 for o in scheme.offsets)):
        if offset not in merged:
            merged.append(offset)
    wide = [merged.index(o) for o in scheme.offsets]
    narrow = [merged.index(o / 2) for o in scheme.offsets]
    return tuple(merged), wide, narrow


def good_enough(scheme: Scheme, eps: float) -> float:
    """Return the relative error at which a step needs no refinement."""
    return max(_GOOD_ENOUGH, 10 * eps ** (scheme.order / (scheme.order + 1)))


def rounding_error(size: Any, step: Any, scheme: Scheme, eps: float) -> Any:
    """Return the rounding error of a derivative at ``step`` from values of size ``size``."""
    return _NOISE * scheme.noise * (eps * size + _SMALLEST_SUBNORMAL) / step


_CENTRAL_PAIR = (1.0, -1.0, 0.5, -0.5)


def kink(values: Any, offsets: tuple, f_x: Any, h: Any) -> Any:
    """Return the error a kink of f inside the step would cause, or about 0 where f is smooth.

    For the central pair only (offsets ``±1, ±1/2``). Second differences at
    two scales, ``S(h) = f(x+h) - 2 f(x) + f(x-h)``, satisfy ``S(h) = 4 S(h/2)``
    up to ``h**4`` for a smooth ``f`` (and rounding), but not where the slope
    jumps by ``J`` between ``x - h`` and ``x + h`` (a ReLU): their misfit is
    then about ``J h``, and the central difference can be off by ``J / 2``
    however close its two steps agree. The misfit over ``2h`` is a term of
    order ``h**3`` for a smooth ``f``, below central's ``h**2`` truncation;
    for Richardson's ``h**4`` it would not be, so other schemes get 0.
    """
    if offsets != _CENTRAL_PAIR:
        return 0.0
    outer = values[0] + values[1] - 2 * f_x
    inner = values[2] + values[3] - 2 * f_x
    return np.abs(outer - 4 * inner) / (2 * h)


@dataclass
class _Pair:
    """The scheme at a step and at half of it: arrays of shape (elements, outputs)."""

    value: np.ndarray  # the derivative at the half step
    error: np.ndarray  # truncation + rounding
    truncation: np.ndarray
    rounding: np.ndarray
    size: np.ndarray  # max |f| of the values


def _pair(values: np.ndarray, h: np.ndarray, scheme: Scheme, eps: float, f_x: np.ndarray) -> _Pair:
    """Combine the values at the merged offsets of h and h/2, shape (offsets, E, m)."""
    offsets, wide, narrow = pair_offsets(scheme)
    h = h[:, np.newaxis]
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        coarse = scheme.combine([values[i] for i in wide], h)
        fine = scheme.combine([values[i] for i in narrow], h / 2)
        truncation = np.abs(coarse - fine) / (2**scheme.order - 1)
        truncation += kink(values, offsets, f_x.real, h)
        size = np.max(np.abs(values), axis=0)
        rounding = rounding_error(size, h / 2, scheme, eps)
        error = np.where(np.isfinite(fine), truncation + rounding, np.inf)
    return _Pair(fine, error, truncation, rounding, size)


def auto_derivative(
    evaluate: Evaluate,
    x: np.ndarray,
    scheme: Scheme,
    eps: float,
    f_x: np.ndarray,
    pilot: np.ndarray | None = None,
) -> Estimate:
    """Differentiate f with respect to each element of the flat array ``x``, ``h="auto"``.

    ``evaluate(offsets, steps, elements)`` returns f's values, shape
    ``(len(offsets), len(elements), m)`` for ``m`` outputs (1 for a scalar
    f). ``eps`` is the machine epsilon of f's values, ``f_x`` holds
    ``f(x)``, shape ``(x.size, m)``. ``pilot``, if given, holds the values at
    the pilot's points, already evaluated. Each element gets one step per
    round; each output keeps the round whose estimate is best for it. The
    result's arrays have shape ``(x.size, m)``.
    """
    at_x = np.abs(f_x)
    if scheme.is_complex:
        return _complex_step(evaluate, x, scheme, eps, at_x)
    offsets = pair_offsets(scheme)[0]
    p = scheme.order
    good = good_enough(scheme, eps)
    column = x[:, np.newaxis]
    everything = np.arange(x.size)
    h = exact_steps(x, eps ** (1 / (p + 1)) * np.maximum(np.abs(x), 1.0))
    if pilot is None:
        pilot = evaluate(offsets, h, everything)
    best = _pair(pilot, h, scheme, eps, f_x)
    pilot_size = best.size.copy()
    nfev = len(offsets) * x.size
    done = best.error <= good * np.abs(best.value)
    done |= (best.truncation <= 2 * best.rounding) & (best.size <= 2 * at_x)
    if done.all():  # the usual case, told at once (the loop below decides the others)
        return _reported(best, at_x, pilot_size, nfev)
    steps = np.repeat(h[:, np.newaxis], f_x.shape[1], axis=1)  # the step of each output
    elements = everything
    for round_ in range(_REFINEMENTS + 1):
        f0 = at_x[elements]
        limited = best.truncation[elements] <= 2 * best.rounding[elements]
        done = best.error[elements] <= good * np.abs(best.value[elements])
        done |= limited & ((best.size[elements] <= 2 * f0) | ((f0 == 0) & (column[elements] == 0)))
        open_ = ~np.all(done, axis=1)
        elements, done, limited = elements[open_], done[open_], limited[open_]
        if elements.size == 0 or round_ == _REFINEMENTS:
            break
        candidates = _balanced_step(
            column[elements],
            steps[elements],
            best.truncation[elements],
            np.where(at_x[elements] > 0, at_x[elements], best.size[elements]),
            p,
            eps * scheme.noise,
        )
        # One step per element: the smallest that an unfinished output asks for.
        step = np.min(np.where(done, np.inf, candidates), axis=1)
        # The scale of |x| where it is well below the pilot's: first, or where
        # rounding limits the pilot but f near x is much larger than f(x).
        relative = eps ** (1 / (p + 1)) * np.abs(x[elements]) / 2
        small = (relative <= h[elements] / 8) & (x[elements] != 0)
        small &= np.any(limited & ~done, axis=1) | (round_ == 0)
        step = np.where(small, relative, step)
        # Evaluate the pair at 2 h* so that its finer value sits at h*.
        wide_step = exact_steps(x[elements], 2 * step)
        new = _pair(evaluate(offsets, wide_step, elements), wide_step, scheme, eps, f_x[elements])
        nfev += len(offsets) * elements.size
        old_value, old_error = best.value[elements], best.error[elements]
        with np.errstate(invalid="ignore"):
            # Within 4 error estimates: a kink's estimate can be 3 times short.
            agrees = np.abs(new.value - old_value) <= 4 * (old_error + new.error)
        better = (agrees | ~np.isfinite(old_value)) & (new.error < old_error) & ~done
        rows, outputs = np.nonzero(better)
        for name in ("value", "error", "truncation", "rounding", "size"):
            getattr(best, name)[elements[rows], outputs] = getattr(new, name)[rows, outputs]
        steps[elements[rows], outputs] = wide_step[rows]
        h[elements] = np.where(np.any(better, axis=1), wide_step, h[elements])
        elements = elements[np.any(better, axis=1)]
    return _reported(best, at_x, pilot_size, nfev)


def _reported(best: _Pair, at_x: np.ndarray, pilot_size: np.ndarray, nfev: int) -> Estimate:
    """Return the estimate the way the callers see it."""
    # Twice the asymptotic truncation error, which the next term of the series
    # makes an underestimate half of the time (see fixed_derivative).
    error = np.where(np.isfinite(best.error), best.error + best.truncation, np.inf)
    # Judge the result against |f(x)| or f's values at the pilot's distance,
    # eps**(1/(p+1)) max(|x|, 1), whichever is larger: a loss near 0 at its
    # minimum is not a reason to demand more digits of its gradient.
    return _judged(Estimate(best.value, error, np.maximum(at_x, pilot_size), nfev), at_x)


def _judged(estimate: Estimate, at_x: np.ndarray) -> Estimate:
    """Where f(x) is subnormal its digits are gone: the error may be as large as the value."""
    lost = (at_x > 0) & (at_x < _SMALLEST_NORMAL)
    if not lost.any():
        return estimate
    error = np.where(lost, np.maximum(estimate.error, np.abs(estimate.value)), estimate.error)
    return Estimate(estimate.value, error, np.where(lost, at_x, estimate.size), estimate.nfev)


def _balanced_step(
    x: np.ndarray,
    h: np.ndarray,
    truncation: np.ndarray,
    size: np.ndarray,
    order: int,
    noise: float,
) -> np.ndarray:
    """Return the step that balances truncation (~h**order) and rounding (~1/h), at most h/4.

    ``truncation`` is the error of the derivative at ``h/2``, ``size`` is
    ``|f(x)|`` and ``noise`` is eps times the scheme's weight. Written with
    ratios so that nothing overflows for huge or tiny ``x``. Where the pilot
    failed (NaN or infinity), shrink by 1000 instead.
    """
    fine = h / 2
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = (_NOISE * noise * size / fine) / (order * truncation)
        step = fine * ratio ** (1 / (order + 1))
    step = np.where(np.isfinite(step) & (truncation > 0), step, h / 1000)
    floor = np.maximum(np.sqrt(np.finfo(np.float64).eps) * np.abs(x), _SMALLEST_STEP)
    return np.minimum(np.maximum(step, floor), h / 4)


def _complex_step(
    evaluate: Evaluate, x: np.ndarray, scheme: Scheme, eps: float, at_x: np.ndarray
) -> Estimate:
    everything = np.arange(x.size)
    scale = np.maximum(np.abs(x), COMPLEX_FLOOR)
    h = COMPLEX_STEP * scale
    imag = np.imag(evaluate(scheme.offsets, h, everything)[0])
    value = imag / h[:, np.newaxis]
    error = (4 * eps * np.abs(imag) + _SMALLEST_SUBNORMAL) / h[:, np.newaxis]
    nfev = x.size
    # Where Im f is subnormal, grow the step until it is normal, within bounds.
    under = everything[np.any(np.abs(imag) < _SMALLEST_NORMAL, axis=1)]
    if under.size:
        smallest = np.maximum(np.min(np.abs(imag[under]), axis=1), _SMALLEST_SUBNORMAL)
        step = np.minimum(
            h[under] * (2 * _SMALLEST_NORMAL / smallest), _COMPLEX_LARGEST * scale[under]
        )
        both = evaluate((1j, 0.5j), step, under)
        nfev += 2 * under.size
        column = step[:, np.newaxis]
        wide, fine = np.imag(both[0]) / column, np.imag(both[1]) / (column / 2)
        new_error = np.abs(wide - fine) / 3 + (
            4 * eps * np.abs(np.imag(both[1])) + _SMALLEST_SUBNORMAL
        ) / (column / 2)
        better = new_error < error[under]
        rows, outputs = np.nonzero(better)
        value[under[rows], outputs] = fine[rows, outputs]
        error[under[rows], outputs] = new_error[rows, outputs]
    return _judged(Estimate(value, error, at_x, nfev), at_x)

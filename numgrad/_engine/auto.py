"""The ``h="auto"`` rule: choosing the step from ``f`` itself.

The rule, per element of ``x``, for a real scheme of order ``p``
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

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from numgrad._engine.checks import PLAIN_SCALARS
from numgrad._engine.errors import (
    COMPLEX_FLOOR,
    COMPLEX_STEP,
    EPS,
    NOISE,
    SMALLEST_NORMAL,
    SMALLEST_SUBNORMAL,
    Estimate,
    Evaluate,
    allowed_error,
    exact_steps,
    good_enough,
    judged,
    kink,
    noise_size,
    pair_offsets,
    pair_terms,
    rounding_error,
)
from numgrad._engine.schemes import ONE_SIDED, Scheme, fallback_sides

__all__ = ["auto_derivative", "auto_number", "knowing_f_x", "moving"]

_REFINEMENTS = 3
# The largest complex step, relative to max(|x|, 2**-500), when Im f underflows.
_COMPLEX_LARGEST = 1e-7
# No real step below this: f(x +- h) - f(x) would be lost in subnormals.
_SMALLEST_STEP = 2.0**-500


@dataclass
class _Pair:
    """The scheme at a step and at half of it: arrays of shape (elements, outputs)."""

    value: np.ndarray  # the derivative at the half step
    error: np.ndarray  # truncation + rounding
    truncation: np.ndarray
    rounding: np.ndarray
    size: np.ndarray  # max |f| of the values
    noisy: np.ndarray  # the size that rounds them (see noise_size)


def _pair(values: np.ndarray, h: np.ndarray, scheme: Scheme, eps: float, f_x: np.ndarray) -> _Pair:
    """Combine the values at the merged offsets of h and h/2, shape (offsets, E, m)."""
    h = h[:, np.newaxis]
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        coarse, fine, kinked, size = pair_terms(values, h, scheme, f_x)
        noisy = noise_size(values, f_x, size, eps, scheme, h)
        truncation = np.abs(coarse - fine) / (2**scheme.order - 1) + kinked
        rounding = rounding_error(noisy, h / 2, scheme, eps)
        error = np.where(np.isfinite(fine), truncation + rounding, np.inf)
    return _Pair(fine, error, truncation, rounding, size, noisy)


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
    evaluate = knowing_f_x(evaluate, f_x)
    if pilot is None:
        pilot = evaluate(offsets, h, everything)
    nfev = moving(offsets) * x.size
    with np.errstate(invalid="ignore"):
        edge = ~np.all(np.isfinite(pilot), axis=(0, 2)) & np.all(np.isfinite(f_x), axis=1)
    if edge.any():
        return _around_edges(evaluate, x, scheme, eps, f_x, pilot, edge, nfev)
    best = _pair(pilot, h, scheme, eps, f_x)
    pilot_size = best.size.copy()
    done = best.error <= good * np.abs(best.value)
    done |= (best.truncation <= 2 * best.rounding) & (best.size <= 2 * at_x) & ~_cancels(best)
    steps = np.repeat(h[:, np.newaxis], f_x.shape[1], axis=1)  # the step of each output
    if done.all():  # the usual case, told at once (the loop below decides the others)
        return _reported(best, at_x, pilot_size, nfev, steps)
    elements = everything
    for round_ in range(_REFINEMENTS + 1):
        f0 = at_x[elements]
        limited = best.truncation[elements] <= 2 * best.rounding[elements]
        done = best.error[elements] <= good * np.abs(best.value[elements])
        # Rounding limits the step, and no step does better, as f near x is about f(x)
        # (unless f's values cancel: a larger step then does better).
        cancels = _cancels(best)[elements]
        small_f = (best.size[elements] <= 2 * f0) | ((f0 == 0) & (column[elements] == 0))
        done |= limited & small_f & ~cancels
        open_ = ~np.all(done, axis=1)
        elements, done, limited = elements[open_], done[open_], limited[open_]
        cancels = cancels[open_]
        if elements.size == 0 or round_ == _REFINEMENTS:
            break
        candidates = _balanced_step(
            column[elements],
            steps[elements],
            best.truncation[elements],
            # |f(x)|, or more where f's values cancel (see noise_size).
            np.maximum(
                np.where(at_x[elements] > 0, at_x[elements], best.size[elements]),
                np.where(best.noisy[elements] > best.size[elements], best.noisy[elements], 0.0),
            ),
            p,
            eps * scheme.noise,
            grow=limited & cancels,
        )
        # One step per element: the smallest that an unfinished output asks for.
        step = np.min(np.where(done, np.inf, candidates), axis=1)
        # The scale of |x| where it is well below the pilot's: first, or where
        # rounding limits the pilot but f near x is much larger than f(x).
        # (0.6, not 1/2: eps**(1/2) is a power of two, and x - 2**-26 x gives f values
        # with trailing zero bits that noise_size would take for a cancellation.)
        relative = 0.6 * eps ** (1 / (p + 1)) * np.abs(x[elements])
        small = (relative <= h[elements] / 8) & (x[elements] != 0)
        small &= np.any(limited & ~done, axis=1) | (round_ == 0)
        step = np.where(small, relative, step)
        # Evaluate the pair at 2 h* so that its finer value sits at h*.
        wide_step = exact_steps(x[elements], 2 * step)
        new = _pair(evaluate(offsets, wide_step, elements), wide_step, scheme, eps, f_x[elements])
        nfev += moving(offsets) * elements.size
        old_value, old_error = best.value[elements], best.error[elements]
        with np.errstate(invalid="ignore", over="ignore"):
            # Within 4 error estimates: a kink's estimate can be 3 times short.
            agrees = np.abs(new.value - old_value) <= 4 * (old_error + new.error)
            # A pilot whose own estimate is 1 % of its value or more knows
            # nothing to agree with (log at 1e-8, with a pilot step of 6e-6).
            # Its error is then also compared relative to its value, as the new pair's
            # (where the old value is far off, its absolute error can be smaller).
            # So does a new pair a hundred times more certain than the old one (a
            # pilot step far above the scale f varies on, sin(x / 1e-8), can agree
            # with itself by chance).
            lost = ~(old_error <= np.abs(old_value) / 100) | (100 * new.error < old_error)
            smaller = new.error < old_error
            smaller |= lost & (new.error * np.abs(old_value) < old_error * np.abs(new.value))
        better = (agrees | lost) & smaller & ~done
        rows, outputs = np.nonzero(better)
        for name in ("value", "error", "truncation", "rounding", "size", "noisy"):
            getattr(best, name)[elements[rows], outputs] = getattr(new, name)[rows, outputs]
        steps[elements[rows], outputs] = wide_step[rows]
        h[elements] = np.where(np.any(better, axis=1), wide_step, h[elements])
        elements = elements[np.any(better, axis=1)]
    return _reported(best, at_x, pilot_size, nfev, steps)


def auto_number(f: Callable[[Any], Any], x: float, scheme: Scheme) -> Any:
    """Run the ``h="auto"`` pilot at a Python number, in Python floats.

    The array path's arithmetic, without numpy's cost on one element. Returns
    the estimate where the pilot is accepted, else the pilot's values and
    ``f(x)`` (or ``None``) for the array path to go on from, which also
    handles every case out of the ordinary (refinements, warnings, errors).
    """
    with contextlib.suppress(TypeError, ValueError, OverflowError):
        if scheme.is_complex:
            step = COMPLEX_STEP * max(abs(x), COMPLEX_FLOOR)
            value = f(complex(x, step))
            # (Im f far above h f'(x): f may be complex at real x, which the array path tells.)
            if type(value) in (complex, np.complex128) and SMALLEST_NORMAL <= abs(
                value.imag
            ) <= 1e-8 * abs(value):
                error = (4 * EPS * abs(value.imag) + SMALLEST_SUBNORMAL) / step
                return _number(value.imag / step, error, 1)
            return None
        order = scheme.order
        step = EPS ** (1 / (order + 1)) * max(abs(x), 1.0)
        quantum = 4 * math.ulp(abs(x))
        count = round(step / quantum)
        if count < 2.0**50:
            step = max(count, 1) * quantum
        offsets, wide, narrow = pair_offsets(scheme)
        values = [f(x + offset * step) for offset in offsets]
        # f(x): the kink tests of central and Richardson need it; the others only if
        # the pilot is not enough.
        kinked = scheme.order % 2 == 0 and 0.0 not in offsets
        at_x = f(x) if kinked else None
        if 0.0 in offsets:  # forward and backward have it already
            at_x = values[offsets.index(0.0)]
        if not all(type(value) in PLAIN_SCALARS for value in (*values, at_x or 0.0)):
            return None
        coarse = scheme.combine([values[i] for i in wide], step)
        fine = scheme.combine([values[i] for i in narrow], step / 2)
        truncation = abs(coarse - fine) / (2**order - 1) + kink(values, offsets, at_x, step)
        size = max(abs(value) for value in values)
        noisy = noise_size(values, at_x or 0.0, size, EPS, scheme, step)
        rounding = rounding_error(float(np.reshape(noisy, -1)[0]), step / 2, scheme, EPS)
        error = truncation + rounding
        if not math.isfinite(error):
            return None
        calls = len(values) + kinked
        if error <= good_enough(scheme, EPS) * abs(fine):
            return _number(fine, error + truncation, calls)  # as auto_derivative reports it
        if at_x is None:
            at_x = f(x)
            calls += 1
            if type(at_x) not in PLAIN_SCALARS:
                return None
        # Rounding limits it, and no step could do better as f near x is about f(x).
        scale = max(abs(fine), max(abs(at_x), size) / max(abs(x), 1.0))
        limited = truncation <= 2 * rounding and size <= 2 * abs(at_x)
        if limited and error <= allowed_error(scheme, EPS) * scale:
            return _number(fine, error + truncation, calls)  # as auto_derivative reports it
        return np.array(values)[:, np.newaxis, np.newaxis], np.array([at_x])
    return None


def _number(value: float, error: float, calls: int) -> Estimate:
    return Estimate(np.float64(value), np.float64(error), np.zeros(0), calls)


def moving(offsets: tuple) -> int:
    """Return how many of the offsets call f (offset 0 is f(x), known already)."""
    return sum(1 for offset in offsets if offset != 0)


def knowing_f_x(evaluate: Evaluate, f_x: np.ndarray) -> Evaluate:
    """Return ``evaluate`` that takes f's values at offset 0 from ``f_x`` instead of calling f."""

    def known(offsets: tuple, steps: np.ndarray, elements: np.ndarray) -> np.ndarray:
        if 0 not in offsets:
            return evaluate(offsets, steps, elements)
        moving = tuple(offset for offset in offsets if offset != 0)
        values = evaluate(moving, steps, elements)
        at = offsets.index(0)
        return np.concatenate([values[:at], f_x[np.newaxis, elements], values[at:]])

    return known


def _restricted(evaluate: Evaluate, rows: np.ndarray) -> Evaluate:
    """Return ``evaluate`` for the elements ``rows`` of x, numbered 0, 1, ... among them."""
    return lambda offsets, steps, elements: evaluate(offsets, steps, rows[elements])


def _around_edges(
    evaluate: Evaluate,
    x: np.ndarray,
    scheme: Scheme,
    eps: float,
    f_x: np.ndarray,
    pilot: np.ndarray,
    edge: np.ndarray,
    nfev: int,
) -> Estimate:
    """Differentiate where f is not finite at the pilot's points on one side of x.

    There, x is at the edge of f's domain (log at 4e-6, with a pilot step of
    6e-6), and a difference that crosses it is NaN or wrong: use the
    second-order one-sided difference on the side where f is finite, with
    the same rule for its step (as SciPy's ``step_direction``, chosen here
    per element). Where f is finite on neither side, the derivative is NaN.
    The other elements go on as usual, from the pilot's values.
    """
    value = np.full(f_x.shape, np.nan)
    error = np.full(f_x.shape, np.inf)
    step = np.full(f_x.shape, np.nan)
    size = np.abs(f_x).astype(np.float64)
    one_sided, nowhere = [], []
    inner = np.flatnonzero(~edge)
    parts = [(inner, scheme, pilot[:, inner])] if inner.size else []
    offsets = np.asarray(pair_offsets(scheme)[0]).real
    with np.errstate(invalid="ignore"):
        finite = np.all(np.isfinite(pilot), axis=2)  # (offsets, elements)
    edges = np.flatnonzero(edge)
    for side in fallback_sides(scheme):
        towards = offsets * side > 0
        good = edges[np.all(finite[towards][:, edges] | ~towards.any(), axis=0)]
        good = np.setdiff1d(good, np.concatenate([*one_sided, np.zeros(0, np.intp)]))
        if good.size:
            parts.append((good, ONE_SIDED[side], None))
            one_sided.append(good)
    done = np.concatenate([*one_sided, np.zeros(0, np.intp)])
    nowhere = np.setdiff1d(edges, done)
    calls = nfev
    found_one_sided, found_nowhere = [done], [nowhere]
    for rows, rule, known in parts:
        part = auto_derivative(_restricted(evaluate, rows), x[rows], rule, eps, f_x[rows], known)
        value[rows], error[rows], size[rows] = part.value, part.error, part.size
        step[rows] = part.step
        # The pilot's calls are counted once, above.
        calls += part.nfev - (moving(pair_offsets(rule)[0]) * rows.size if known is not None else 0)
        found_one_sided.append(rows[part.one_sided])
        found_nowhere.append(rows[part.nowhere])
    return Estimate(
        value,
        error,
        size,
        calls,
        np.sort(np.concatenate(found_one_sided)),
        np.sort(np.concatenate(found_nowhere)),
        step,
    )


def _reported(
    best: _Pair, at_x: np.ndarray, pilot_size: np.ndarray, nfev: int, steps: np.ndarray
) -> Estimate:
    """Return the estimate the way the callers see it (``steps``: the pair's, twice the value's)."""
    # Twice the asymptotic truncation error, which the next term of the series
    # makes an underestimate half of the time (see fixed_derivative).
    error = np.where(np.isfinite(best.error), best.error + best.truncation, np.inf)
    # Judge the result against |f(x)| or f's values at the pilot's distance,
    # eps**(1/(p+1)) max(|x|, 1), whichever is larger: a loss near 0 at its
    # minimum is not a reason to demand more digits of its gradient.
    estimate = Estimate(best.value, error, np.maximum(at_x, pilot_size), nfev, step=steps / 2)
    return judged(estimate, at_x)


def _balanced_step(
    x: np.ndarray,
    h: np.ndarray,
    truncation: np.ndarray,
    size: np.ndarray,
    order: int,
    noise: float,
    *,
    grow: np.ndarray,
) -> np.ndarray:
    """Return the step that balances truncation (~h**order) and rounding (~1/h), at most h/4.

    ``truncation`` is the error of the derivative at ``h/2``, ``size`` is
    ``|f(x)|`` and ``noise`` is eps times the scheme's weight. Written with
    ratios so that nothing overflows for huge or tiny ``x``. Where the pilot
    failed (NaN or infinity), shrink by 1000 instead. Where ``grow`` (rounding
    limits the step, and f's values cancel), the step may grow, to at most 8h.
    """
    fine = h / 2
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = (NOISE * noise * size / fine) / (order * truncation)
        step = fine * ratio ** (1 / (order + 1))
    step = np.where(np.isfinite(step) & (truncation > 0), step, h / 1000)
    floor = np.maximum(np.sqrt(EPS) * np.abs(x), _SMALLEST_STEP)
    return np.minimum(np.maximum(step, floor), np.where(grow, 8 * h, h / 4))


def _cancels(pair: _Pair) -> np.ndarray:
    """Where f's values cancel: they round as numbers well above their size (noise_size)."""
    return pair.noisy > pair.size


def _complex_step(
    evaluate: Evaluate, x: np.ndarray, scheme: Scheme, eps: float, at_x: np.ndarray
) -> Estimate:
    everything = np.arange(x.size)
    scale = np.maximum(np.abs(x), COMPLEX_FLOOR)
    h = COMPLEX_STEP * scale
    imag = np.imag(evaluate(scheme.offsets, h, everything)[0])
    value = imag / h[:, np.newaxis]
    error = (4 * eps * np.abs(imag) + SMALLEST_SUBNORMAL) / h[:, np.newaxis]
    nfev = x.size
    # Where Im f is subnormal, grow the step until it is normal, within bounds
    # (not where it is exactly 0: an output that does not depend on x there).
    subnormal = (imag != 0) & (np.abs(imag) < SMALLEST_NORMAL)
    under = everything[np.any(subnormal, axis=1)]
    if under.size:
        smallest = np.maximum(np.min(np.abs(imag[under]), axis=1), SMALLEST_SUBNORMAL)
        step = np.minimum(
            h[under] * (2 * SMALLEST_NORMAL / smallest), _COMPLEX_LARGEST * scale[under]
        )
        both = evaluate((1j, 0.5j), step, under)
        nfev += 2 * under.size
        column = step[:, np.newaxis]
        wide, fine = np.imag(both[0]) / column, np.imag(both[1]) / (column / 2)
        new_error = np.abs(wide - fine) / 3 + (
            4 * eps * np.abs(np.imag(both[1])) + SMALLEST_SUBNORMAL
        ) / (column / 2)
        better = new_error < error[under]
        rows, outputs = np.nonzero(better)
        value[under[rows], outputs] = fine[rows, outputs]
        error[under[rows], outputs] = new_error[rows, outputs]
    return judged(Estimate(value, error, at_x, nfev), at_x)

"""Steps: checking a step the caller gave, and choosing one from ``f`` itself.

The ``h="auto"`` rule, per element of ``x`` (a real scheme of order ``p``, in a
precision with machine epsilon ``eps``)::

    pilot    h0 = eps**(1/(p+1)) * max(|x|, 1)
             D1 = D(h0), D2 = D(h0/2)
             T  = |D1 - D2| / (2**p - 1)       truncation error of D2
             R  = K eps F W / (h0/2)           rounding error of D2, F = max |f|
    accept D2 when T <= 2 R or T <= rho |D2|: truncation is not what limits it.
    refine   otherwise: truncation falls like h**p and rounding grows like 1/h,
             so the step that balances them, with F0 = |f(x)|, is
             h* = (h0/2) (R0 / (p T))**(1/(p+1)),   R0 = K eps F0 W / (h0/2);
             evaluate the pair there and keep it if it agrees with the pilot
             within both error estimates and its estimate is smaller.
             At most two refinements.

The pilot is SciPy's step: right when ``f`` varies on the scale of
``max(|x|, 1)``. The refinement catches the other scales: ``x**3`` at tiny
``x`` (scale ``|x|``), ``sin`` at ``x = 1000`` (scale 1), ``log1p`` near -1
(scale ``1 + x``). Using ``|f(x)|`` in the balance is what makes one jump
enough: at ``x = 1e-100`` it gives ``h ~ 1e-106`` directly.

The complex step subtracts nothing, so rounding does not limit it: it uses
``h = 1e-20 * max(|x|, 2**-500)``, and its error estimate is a few ulps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from numgrad._schemes import Scheme
from numgrad._validation import check_positive_number

__all__ = ["Estimate", "auto_derivative", "check_steps_change_x", "given_step"]

# Rounding of one evaluation of f, in units of eps |f|: a few roundings inside f.
_NOISE = 4.0
# Relative truncation error below which the pilot step is good enough.
_GOOD_ENOUGH = 1e-10
_REFINEMENTS = 2
# The complex step, relative to |x|, and the smallest |x| it is relative to.
_COMPLEX_STEP = 1e-20
_COMPLEX_FLOOR = 2.0**-500
# No real step below this: f(x +- h) - f(x) would be lost in subnormals.
_SMALLEST_STEP = 2.0**-500


@dataclass(frozen=True)
class Estimate:
    """Derivatives of the flattened elements, with an estimate of their error."""

    value: np.ndarray
    error: np.ndarray
    size: np.ndarray  # max |f| among the values each derivative came from
    nfev: int


# evaluate(offsets, steps, elements) -> values, shape (len(offsets), len(elements)):
# f at x + offset * step * e_i for each selected flat element i.
Evaluate = Callable[[tuple[complex, ...], np.ndarray, np.ndarray], np.ndarray]


def given_step(h: Any) -> float:
    """Validate a step the caller gave (anything but ``"auto"``) and return it as a float."""
    if isinstance(h, str):
        raise ValueError(f'h must be a positive finite number or "auto"; got {h!r}')
    check_positive_number(h, "h", alternative=' or "auto"')
    return float(h)


def check_steps_change_x(x: np.ndarray, perturbed: np.ndarray, h: float, index: Any) -> None:
    """Raise if a perturbed value equals the original: the step vanished in x's precision."""
    same = perturbed == x
    if np.any(same):
        where = _index_text(index(int(np.argmax(same.reshape(-1)))))
        value = x.reshape(-1)[int(np.argmax(same.reshape(-1)))]
        raise ValueError(
            f"h={h:g} does not change x[{where}] = {value!r} in {x.dtype} (x + h == x), "
            f'so its derivative would be a silent 0; use h="auto", which sizes the step '
            f"for x's precision and magnitude, or pass x as a float64 array"
        )


def _index_text(index: tuple[int, ...]) -> str:
    return ", ".join(str(int(i)) for i in index)


def exact_steps(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Round ``h`` to a multiple of 4 ulps of ``x``, so that x ± h, h/2, h/4 are exact.

    Steps above 2**50 ulps are left as they are: rounding x + h then moves the
    step by less than 2**-50 of itself. The result is never below 4 ulps.
    """
    quantum = 4 * np.spacing(np.abs(x)).astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        count = np.round(h / quantum)
    return np.where(count < 2.0**50, np.maximum(count, 1.0) * quantum, h)


def _pair_offsets(scheme: Scheme) -> tuple[tuple[float, ...], list[int], list[int]]:
    """The offsets of the scheme at h and at h/2, merged, with the index of each."""
    merged: list[float] = []
    for offset in (*scheme.offsets, *(o / 2 for o in scheme.offsets)):
        if offset not in merged:
            merged.append(offset)
    wide = [merged.index(o) for o in scheme.offsets]
    narrow = [merged.index(o / 2) for o in scheme.offsets]
    return tuple(merged), wide, narrow


def auto_derivative(
    evaluate: Evaluate,
    x: np.ndarray,
    scheme: Scheme,
    eps: float,
    f_at_x: Callable[[np.ndarray], np.ndarray],
) -> Estimate:
    """Differentiate each element of the flat array ``x`` with the ``h="auto"`` rule.

    ``f_at_x(elements)`` returns ``|f(x)|`` for those elements (the value
    before perturbation); it is only called for elements that need refining.
    """
    if scheme.is_complex:
        return _complex_step(evaluate, x, scheme, eps)
    offsets, wide, narrow = _pair_offsets(scheme)

    def pair(h: np.ndarray, elements: np.ndarray) -> tuple[np.ndarray, ...]:
        values = evaluate(offsets, h, elements)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            coarse = scheme.combine(values[wide], h)
            fine = scheme.combine(values[narrow], h / 2)
            truncation = np.abs(coarse - fine) / (2**scheme.order - 1)
            size = np.max(np.abs(values), axis=0)
            rounding = _NOISE * eps * scheme.noise * size / (h / 2)
            error = np.where(np.isfinite(fine), truncation + rounding, np.inf)
        done = truncation <= np.maximum(2 * rounding, _GOOD_ENOUGH * np.abs(fine))
        return fine, error, truncation, size, done

    everything = np.arange(x.size)
    h = exact_steps(x, eps ** (1 / (scheme.order + 1)) * np.maximum(np.abs(x), 1.0))
    value, error, truncation, size, done = pair(h, everything)
    nfev = len(offsets) * x.size
    elements = everything[~done]
    for _ in range(_REFINEMENTS):
        if elements.size == 0:
            break
        at_x = f_at_x(elements)
        nfev += elements.size
        at_x = np.where(at_x > 0, at_x, size[elements])
        step = _balanced_step(
            x[elements], h[elements], truncation[elements], at_x, scheme.order, eps * scheme.noise
        )
        # Evaluate the pair at 2 h* so that its finer value sits at h*.
        wide_step = exact_steps(x[elements], 2 * step)
        new = pair(wide_step, elements)
        nfev += len(offsets) * elements.size
        with np.errstate(invalid="ignore"):
            agrees = np.abs(new[0] - value[elements]) <= 2 * (error[elements] + new[1])
        better = (agrees | ~np.isfinite(value[elements])) & (new[1] < error[elements])
        kept = elements[better]
        value[kept], error[kept], truncation[kept], size[kept] = (a[better] for a in new[:4])
        h[kept] = wide_step[better]
        elements = kept[~new[4][better]]
    return Estimate(value, error, size, nfev)


def _balanced_step(
    x: np.ndarray,
    h: np.ndarray,
    truncation: np.ndarray,
    size: np.ndarray,
    order: int,
    noise: float,
) -> np.ndarray:
    """The step that balances truncation (~h**order) and rounding (~1/h), at most h/4.

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
    return np.clip(step, floor, h / 4)


def _complex_step(evaluate: Evaluate, x: np.ndarray, scheme: Scheme, eps: float) -> Estimate:
    h = _COMPLEX_STEP * np.maximum(np.abs(x), _COMPLEX_FLOOR)
    values = evaluate(scheme.offsets, h, np.arange(x.size))
    value = np.asarray(scheme.combine(values, h), dtype=np.float64)
    return Estimate(value, 4 * eps * np.abs(value), np.max(np.abs(values), axis=0), x.size)

"""Finite-difference schemes: where f is evaluated, and how its values combine.

A scheme is the list of points at which ``f`` is evaluated, written as
multiples of the step ``h`` (complex for the complex step), and the rule that
combines the values into a derivative. Every evaluator evaluates ``f`` at exactly
these points, so one table serves the scalar, loop and vectorized paths.

Taylor expansion of ``f`` around ``x`` gives, for a step ``h``::

    f(x ± h) = f(x) ± h f'(x) + h²/2 f''(x) ± h³/6 f'''(x) + h⁴/24 f''''(x) ± ...

    forward    (f(x+h) - f(x)) / h             = f' + h/2 f''   + O(h²)
    central    (f(x+h) - f(x-h)) / (2h)        = f' + h²/6 f''' + O(h⁴)
    richardson (4 D(h/2) - D(h)) / 3           = f' + O(h⁴),  D = central
    complex    Im f(x + ih) / h                = f' - h²/6 f''' + O(h⁴)

Rounding adds about ``eps |f| / h`` to the three real differences (they
subtract two nearly equal numbers), but nothing to the complex step, which
subtracts nothing. :mod:`numgrad._engine.auto` balances the two terms for ``h="auto"``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np

__all__ = ["METHODS", "ONE_SIDED", "Method", "Scheme", "fallback_sides", "get_scheme"]

Method = Literal["central", "forward", "backward", "richardson", "complex"]


@dataclass(frozen=True)
class Scheme:
    """Where to evaluate ``f`` (as multiples of ``h``) and how to combine the values.

    ``noise`` is the sum of the absolute weights of the values, times ``h``:
    rounding errors of ``eps |f|`` in the values become ``noise eps |f| / h``
    in the derivative.
    """

    offsets: tuple[complex, ...]
    combine: Callable[[Any, Any], Any]
    order: int
    noise: float

    @cached_property
    def is_complex(self) -> bool:
        return any(isinstance(offset, complex) for offset in self.offsets)

    @cached_property
    def value_dtype(self) -> type[np.number]:
        """The dtype of the points and values: complex for the complex step."""
        return np.complex128 if self.is_complex else np.float64


def _central(values: Any, h: Any) -> Any:
    # The book's formula, kept bit for bit: (f(x+h) - f(x-h)) / (2*h).
    return (values[0] - values[1]) / (2 * h)


def _forward(values: Any, h: Any) -> Any:
    return (values[0] - values[1]) / h


def _backward(values: Any, h: Any) -> Any:
    return (values[0] - values[1]) / h


def _richardson(values: Any, h: Any) -> Any:
    wide = (values[0] - values[1]) / (2 * h)
    narrow = (values[2] - values[3]) / h
    return (4 * narrow - wide) / 3


def _complex_step(values: Any, h: Any) -> Any:
    return np.imag(values[0]) / h


def _forward2(values: Any, h: Any) -> Any:
    # f(x+2h), f(x+h), f(x): (4 f(x+h) - f(x+2h) - 3 f(x)) / (2h) = f' + O(h**2)
    return (4 * values[1] - values[0] - 3 * values[2]) / (2 * h)


def _backward2(values: Any, h: Any) -> Any:
    # f(x-2h), f(x-h), f(x): (f(x-2h) - 4 f(x-h) + 3 f(x)) / (2h)
    return (values[0] - 4 * values[1] + 3 * values[2]) / (2 * h)


_SCHEMES = {
    "central": Scheme((1.0, -1.0), _central, order=2, noise=1.0),
    "forward": Scheme((1.0, 0.0), _forward, order=1, noise=2.0),
    "backward": Scheme((0.0, -1.0), _backward, order=1, noise=2.0),
    "richardson": Scheme((1.0, -1.0, 0.5, -0.5), _richardson, order=4, noise=3.0),
    "complex": Scheme((1j,), _complex_step, order=2, noise=1.0),
}

METHODS = tuple(_SCHEMES)

# The second-order one-sided schemes h="auto" falls back to at the edge of f's
# domain (f NaN or infinite on one side of x), by the side they evaluate on.
ONE_SIDED = {
    1: Scheme((2.0, 1.0, 0.0), _forward2, order=2, noise=4.0),
    -1: Scheme((-2.0, -1.0, 0.0), _backward2, order=2, noise=4.0),
}


def fallback_sides(scheme: Scheme) -> tuple[int, ...]:
    """Return the sides (+1, -1) a scheme may fall back to where f is not finite on one side."""
    if scheme in ONE_SIDED.values() or scheme.is_complex:
        return ()
    moves = {1 if offset > 0 else -1 for offset in scheme.offsets if offset}
    return tuple(side for side in (1, -1) if side not in moves or len(moves) == 2)


def get_scheme(method: str) -> Scheme:
    """Return the scheme called ``method``, or raise a ValueError naming it."""
    try:
        return _SCHEMES[method]
    except (KeyError, TypeError):
        raise ValueError(
            f"method must be one of {', '.join(map(repr, METHODS))}; got {method!r}"
        ) from None

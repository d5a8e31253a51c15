"""The result of ``full_output=True``: a derivative with its estimated error."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DerivativeResult"]


@dataclass(frozen=True, repr=False)
class DerivativeResult:
    """A numerical derivative, gradient, Jacobian or Hessian, with its estimated error.

    Returned by the ``numerical_*`` functions with ``full_output=True``.

    Attributes
    ----------
    value : float or numpy.ndarray
        What the function returns without ``full_output``, bit for bit.
    error : float or numpy.ndarray
        An estimate of the absolute error of each element of ``value``: the
        difference between two steps (or two orders) that estimates the
        truncation error, plus the rounding error of the values of ``f``.
    nfev : int
        The number of evaluations of ``f`` (points, for a vectorized ``f``).
    """

    value: float | np.ndarray
    error: float | np.ndarray
    nfev: int

    def __repr__(self) -> str:
        largest = float(np.max(self.error, initial=0.0))
        shape = np.shape(self.value)
        what = f"shape {shape}" if shape else f"value {float(self.value)!r}"
        return f"DerivativeResult({what}, largest error {largest:.2g}, nfev={self.nfev})"

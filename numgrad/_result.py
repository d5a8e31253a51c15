"""The result of ``full_output=True``: a derivative with its estimated error."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DerivativeResult"]


@dataclass(frozen=True, repr=False)
class DerivativeResult:
    r"""A numerical derivative, gradient, Jacobian or Hessian, with its estimated error.

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
        The number of evaluations of ``f`` (points, for a vectorized ``f``;
        calls, for the elementwise ``f`` of :func:`numerical_diff`).

    Notes
    -----
    The error of a difference of order :math:`p` with step :math:`h` is
    truncation plus rounding (see :func:`numerical_diff`). The estimate adds
    three terms:

    - the truncation error, from the same difference at a second step: with
      a given step, at :math:`h/2`, as
      :math:`2 \, |D(h) - D(h/2)| \, 2^p / (2^p - 1)`; with ``h="auto"``,
      from the two steps the rule compares. The factor 2 covers the next term
      of the series, which makes the bare estimate too small half of the time;
    - the rounding error, :math:`4 \epsilon F / h` times the sum of the
      weights of the values, with :math:`F` the largest ``|f|`` among them
      (for the complex step, :math:`4 \epsilon` times the value: nothing is
      subtracted);
    - for the central difference, a kink term: the misfit of the second
      differences at the two steps, which is about half the jump of the slope
      when ``f`` has a kink inside the step (see :func:`check_gradient`).

    For :func:`numerical_hessian`, the two steps are :math:`h` and :math:`h/2`
    (and :math:`h/4` for Richardson, whose error is estimated from two
    Richardson values), and the rounding error is :math:`4\epsilon F /
    (h_i h_j)`. Rounding inside ``f`` that does not show in its values (a
    sum of large terms that cancel) is not seen; on smooth functions the
    estimate bounds the actual error in more than 90 % of cases and is
    typically 2 to 30 times larger (``tests/test_error_estimates.py``).

    Examples
    --------
    >>> import numpy as np
    >>> from numgrad import numerical_diff
    >>> result = numerical_diff(np.sin, 1.0, full_output=True)
    >>> bool(abs(result.value - np.cos(1.0)) <= result.error), result.nfev
    (True, 5)
    """

    value: float | np.ndarray
    error: float | np.ndarray
    nfev: int

    def __repr__(self) -> str:
        largest = float(np.max(self.error, initial=0.0))
        shape = np.shape(self.value)
        what = f"shape {shape}" if shape else f"value {float(self.value)!r}"
        return f"DerivativeResult({what}, largest error {largest:.2g}, nfev={self.nfev})"

"""The Jacobian of a function from arrays to arrays, by finite differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from numgrad._engine.checks import check_flag
from numgrad._engine.compute import compute, problem_for
from numgrad._engine.report import warn_about
from numgrad._engine.schemes import Method, get_scheme
from numgrad._engine.workers import mapper_for
from numgrad._result import DerivativeResult

__all__ = ["numerical_jacobian"]


def numerical_jacobian(
    f: Callable[[np.ndarray], Any],
    x: Any,
    h: float | np.ndarray | Literal["auto"] = 1e-4,
    *,
    method: Method = "central",
    vectorized: bool = False,
    workers: int | Callable = 1,
    full_output: bool = False,
) -> np.ndarray | DerivativeResult:
    r"""Compute the Jacobian of a function from arrays to arrays by finite differences.

    Parameters
    ----------
    f : callable
        The function: ``f(x)`` takes an array of ``x``'s shape and returns an
        array (or a number) of one shape at every point. With
        ``vectorized=True`` it takes a stack of ``m`` points, shape
        ``(m, *x.shape)``, and returns ``m`` results, shape ``(m, *out)``.
    x : array_like
        The point, an array of any shape.
    h : float, array_like or "auto", default 1e-4
        The step: one for every element, one per element (an array
        broadcastable to ``x``'s shape), or ``"auto"``, which chooses a step
        for each element of ``x`` from the values of ``f`` (see
        :func:`numerical_diff`), every output keeping its most accurate step.
    method : {"central", "forward", "backward", "richardson", "complex"}
        The difference formula, see :func:`numerical_diff`.
    vectorized : bool, default False
        Whether ``f`` evaluates a stack of points in one call (see
        :func:`numerical_gradient`).
    workers : int or map-like callable, default 1
        How to evaluate ``f`` at the perturbed points, see
        :func:`numerical_gradient`.
    full_output : bool, default False
        Whether to return a :class:`DerivativeResult` with the Jacobian, an
        estimate of the error of each element and the number of evaluations.

    Returns
    -------
    numpy.ndarray or DerivativeResult
        The Jacobian :math:`J_{ij} = \partial f_i / \partial x_j`, a float64
        array of shape ``f(x).shape + x.shape``: ``J[i, j]`` for a vector
        function of a vector, ``J[i, j, k, l]`` for a matrix function of a
        matrix. For a scalar ``f`` it is the gradient.

    Raises
    ------
    ValueError
        If ``f`` returns arrays of different shapes, ``h`` is not positive
        and finite (or not broadcastable to ``x``), ``method`` is unknown, or
        ``workers`` is combined with ``vectorized=True``.
    TypeError
        If ``x`` or ``f``'s values are not real numbers, or ``h`` or
        ``workers`` is of the wrong type.

    Warns
    -----
    RuntimeWarning
        As :func:`numerical_gradient` does, naming the element of ``x``.

    See Also
    --------
    numerical_gradient : the Jacobian of a scalar function.
    numerical_hessian : the Jacobian of the gradient.

    Notes
    -----
    Column :math:`j` comes from evaluating ``f`` at :math:`x \pm h e_j`:
    :math:`2N` evaluations for :math:`N` elements of ``x`` with the central
    difference, whatever the size of ``f``'s output, plus one at ``x``
    itself, which gives the output's shape. As for
    :func:`numerical_gradient`, a writeable float ``x`` is perturbed in place
    and restored bit for bit.

    Examples
    --------
    The Jacobian of :math:`(x_0 x_1, \sin x_0)` is
    :math:`\begin{pmatrix} x_1 & x_0 \\ \cos x_0 & 0 \end{pmatrix}`:

    >>> import numpy as np
    >>> from numgrad import numerical_jacobian
    >>> def f(x):
    ...     return np.array([x[0] * x[1], np.sin(x[0])])
    >>> numerical_jacobian(f, np.array([2.0, 3.0])).round(6)
    array([[ 3.      ,  2.      ],
           [-0.416147,  0.      ]])

    The shape is the output's shape followed by the input's:

    >>> numerical_jacobian(lambda W: W @ W, np.eye(2)).shape
    (2, 2, 2, 2)
    """
    scheme = get_scheme(method)
    check_flag(vectorized, "vectorized")
    check_flag(full_output, "full_output")
    with mapper_for(workers, vectorized) as mapper:
        problem = problem_for(f, x, scheme, False, vectorized, outputs=True, mapper=mapper)
        estimate = compute(problem, h, full=full_output)
    warn_about(problem, estimate, h)
    out_shape = problem.out_shape if problem.out_shape is not None else ()
    shape = out_shape + problem.point_shape
    jacobian = np.ascontiguousarray(estimate.value.T).reshape(shape)
    if not full_output:
        return jacobian
    error = np.ascontiguousarray(estimate.error.T).reshape(shape)
    return DerivativeResult(jacobian, error, estimate.nfev)

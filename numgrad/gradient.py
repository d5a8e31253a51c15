"""The gradient of a scalar function of an array, by finite differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from numgrad._engine.compute import gradient
from numgrad._engine.schemes import Method
from numgrad._result import DerivativeResult

__all__ = ["numerical_gradient"]


def numerical_gradient(
    f: Callable[[np.ndarray], Any],
    x: Any,
    h: float | np.ndarray | Literal["auto"] = 1e-4,
    *,
    method: Method = "central",
    batch: bool = False,
    vectorized: bool = False,
    workers: int | Callable = 1,
    full_output: bool = False,
) -> np.ndarray | DerivativeResult:
    r"""Compute the gradient of a scalar function of an array by finite differences.

    Parameters
    ----------
    f : callable
        The function. By default ``f(x)`` takes one point (an array of
        ``x``'s shape, or of ``x.shape[1:]`` with ``batch=True``) and returns
        a scalar. With ``vectorized=True`` it takes a stack of ``m`` points,
        shape ``(m, *point_shape)``, and returns ``m`` values.
    x : array_like
        The point: an array of any shape (a number, a vector, a weight
        matrix...). With ``batch=True``, ``k`` points stacked along the first
        axis.
    h : float, array_like or "auto", default 1e-4
        The step, see :func:`numerical_diff`: one for every element, one per
        element (an array broadcastable to ``x``'s shape), or ``"auto"``,
        which chooses a step for each element from the values of ``f`` (see
        Notes there).
    method : {"central", "forward", "backward", "richardson", "complex"}
        The difference formula, see :func:`numerical_diff`.
    batch : bool, default False
        Whether ``x`` holds ``k`` points along its first axis; the result is
        then the gradient at each of them.
    vectorized : bool, default False
        Whether ``f`` evaluates a stack of points in one call. numgrad then
        puts many perturbed points in each call (at most 4 MiB of them) and
        the number of calls does not grow with the number of batch points.
        The stack is read-only: an ``f`` that changes it in place gets an
        error, since the stack is reused for the next points.

    workers : int or map-like callable, default 1
        How to evaluate ``f`` at the perturbed points: ``1`` in this thread;
        an int above 1, in a pool of that many processes that numgrad
        creates and closes; a callable, as ``workers(f, points)`` like the
        built-in ``map``: ``ThreadPoolExecutor(8).map``,
        ``multiprocessing.Pool(4).map``, or a Dask cluster's
        ``Client(...).get_executor().map``. The points are copies of ``x``, so
        ``f`` must use its argument (numgrad warns when every value is the
        same), and for processes ``f`` must be picklable (a ``def`` at module
        level, not a lambda). The result is the same, bit for bit, as with
        ``workers=1``.
    full_output : bool, default False
        Whether to return a :class:`DerivativeResult` with the gradient, an
        estimate of its error and the number of evaluations of ``f``. With a
        given ``h`` this costs a second evaluation at ``h / 2``.

    Returns
    -------
    numpy.ndarray or DerivativeResult
        The gradient, a float64 array of ``x``'s shape; with
        ``full_output=True``, a :class:`DerivativeResult` holding it.

    Raises
    ------
    ValueError
        If ``f`` does not return one scalar per point (the message suggests
        ``batch=True`` when ``x`` looks like a batch), ``batch=True`` is
        given a 0-d ``x``, ``h`` is not positive and finite, ``method`` is
        unknown, or a vectorized ``f`` writes to its read-only stack.
    TypeError
        If ``x`` is not real, ``h`` is neither a number nor ``"auto"``, or
        ``f`` returns something that is not a real number.

    Warns
    -----
    RuntimeWarning
        If ``f`` returns NaN or infinity at a perturbed point; if ``h`` does
        not change an element of ``x`` in its precision (``x + h == x``); if
        ``f`` returned the same value for every perturbation of a copied
        ``x`` (see Notes); or if ``h="auto"`` could not reach its accuracy
        at an element (``f`` is not smooth there, or its values are too
        small for their precision). Each warning names an index.

    See Also
    --------
    numerical_diff : the difference formulas and the choice of ``h``.
    check_gradient : compare an analytic gradient with this one.

    Notes
    -----
    Element :math:`i` of the gradient is the partial derivative

    .. math::

        \frac{\partial f}{\partial x_i} \approx
        \frac{f(x + h e_i) - f(x - h e_i)}{2h},

    with :math:`e_i` the unit array that is 1 at index :math:`i` (for the
    default central method). It costs :math:`2N` evaluations of ``f`` for an
    array of :math:`N` elements; ``h="auto"`` costs about :math:`4N + 1`,
    more where ``f`` varies on a scale other than :math:`\max(|x_i|, 1)`
    (the rule and its error model are in the Notes of
    :func:`numerical_diff`).

    A writeable floating-point ``x`` is perturbed in place, one element at a
    time, and each element is restored bit for bit in a ``finally`` clause,
    so ``x`` is unchanged on return even when ``f`` raises. Perturbing in
    place is what makes the textbook idiom work, where ``f`` ignores its
    argument and reads the array through an object:
    ``numerical_gradient(lambda w: net.loss(x, t), net.W)``. Other inputs
    (integers, booleans, read-only arrays, lists, numbers) are first copied
    to float64; with them, and with ``method="complex"`` or
    ``vectorized=True`` (which work on a copy), ``f`` must use its argument.
    If it does not, every perturbation gives the same value; numgrad then
    warns instead of returning a gradient of zeros without a word.

    Threads that compute gradients of the same array (or of views of one
    array) take turns: each holds a lock on the array while it perturbs it,
    so both get right answers and the array ends unchanged. The lock is
    re-entrant, so ``f`` may itself differentiate with respect to the same
    array.

    A float32 or float16 ``x`` is perturbed in its own precision, as the
    textbook's loop does: with ``h=1e-4`` the rounding of ``x + h`` (about
    :math:`10^{-7}` relative in float32) limits the gradient to two or three
    correct digits. ``h="auto"`` makes every step a multiple of a few ulps
    of ``x``, so that ``x + h`` is exact, and sizes it for the precision of
    the values ``f`` returns: a float64 loss of float32 weights gets a
    float64-accurate gradient. A step that does not change an element at
    all (``x + h == x``, as ``1e-4`` does in float16 or next to ``1e13``)
    gives that element a derivative of 0 and a ``RuntimeWarning`` naming it
    and suggesting ``h="auto"`` or a float64 ``x``; a warning rather than an
    error, because the textbook's diverging descent (``lr=10``) reaches
    such values on purpose.

    Examples
    --------
    The gradient of :math:`x_0^2 + x_1^2` at (3, 4) is (6, 8):

    >>> import numpy as np
    >>> from numgrad import numerical_gradient
    >>> def f(x):
    ...     return np.sum(x**2)
    >>> numerical_gradient(f, np.array([3.0, 4.0])).round(6)
    array([6., 8.])

    Integers work too, and the input is left as it was:

    >>> x = np.array([3, 4])
    >>> numerical_gradient(f, x).round(6)
    array([6., 8.])
    >>> x
    array([3, 4])

    The gradient at many points at once, with ``f`` evaluating a stack of
    points in one call:

    >>> points = np.array([[3.0, 4.0], [0.0, 2.0], [3.0, 0.0]])
    >>> def f_stack(stack):
    ...     return np.sum(stack**2, axis=1)
    >>> numerical_gradient(f_stack, points, batch=True, vectorized=True).round(6)
    array([[6., 8.],
           [0., 4.],
           [6., 0.]])
    """
    return gradient(
        f,
        x,
        h,
        method=method,
        batch=batch,
        vectorized=vectorized,
        workers=workers,
        full_output=full_output,
    )

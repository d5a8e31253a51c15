"""Gradient descent with numerical gradients."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from numgrad._engine.checks import check_positive_number, element_name, real_array
from numgrad._engine.compute import lean_gradient

__all__ = ["gradient_descent"]


def gradient_descent(
    f: Callable[[np.ndarray], Any],
    init_x: Any,
    lr: float = 0.01,
    step_num: int = 100,
    *,
    history: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    r"""Minimize ``f`` by gradient descent, with numerical gradients.

    Parameters
    ----------
    f : callable
        A scalar function of one point, an array of ``init_x``'s shape.
    init_x : array_like
        The starting point. It is copied (to float64) and never modified.
    lr : float, default 0.01
        The learning rate :math:`\eta`, a positive finite number.
    step_num : int, default 100
        The number of steps, a non-negative integer.
    history : bool, default False
        Whether to also return every point visited.

    Returns
    -------
    x : numpy.ndarray
        The point reached after ``step_num`` steps, a new float64 array.
    history : numpy.ndarray
        Only with ``history=True``: the ``step_num + 1`` points visited, of
        shape ``(step_num + 1, *x.shape)``, from ``init_x`` to ``x``.

    Raises
    ------
    ValueError
        If ``lr`` is not positive and finite, or ``step_num`` is negative.
    TypeError
        If ``step_num`` is not an integer, ``history`` is not a bool, or
        ``init_x`` is not real.

    Warns
    -----
    RuntimeWarning
        If ``x`` grows so large that the step ``h = 1e-4`` of the gradient
        no longer changes it (a diverging path, as with ``lr=10`` on the
        textbook's example): the gradient is then computed as 0 and ``x``
        stops moving, as in the textbook, but not in silence.

    See Also
    --------
    numerical_gradient : the gradient used at each step.

    Notes
    -----
    Each step moves against the gradient, the direction in which ``f``
    decreases fastest:

    .. math:: x_{k+1} = x_k - \eta \, \nabla f(x_k).

    The learning rate matters: too large and the steps overshoot and
    diverge; too small and ``x`` hardly moves.

    Examples
    --------
    From (-3, 4), 100 steps of size 0.1 reach the minimum of
    :math:`x_0^2 + x_1^2` at the origin:

    >>> import numpy as np
    >>> from numgrad import gradient_descent
    >>> def f(x):
    ...     return x[0] ** 2 + x[1] ** 2
    >>> init_x = np.array([-3.0, 4.0])
    >>> x = gradient_descent(f, init_x, lr=0.1, step_num=100)
    >>> bool(np.all(np.abs(x) < 1e-9)), init_x
    (True, array([-3.,  4.]))

    ``history=True`` also returns the path:

    >>> x, path = gradient_descent(f, init_x, lr=0.1, step_num=20, history=True)
    >>> path.shape
    (21, 2)
    >>> path[:3].round(4)
    array([[-3.  ,  4.  ],
           [-2.4 ,  3.2 ],
           [-1.92,  2.56]])
    """
    check_positive_number(lr, "lr")
    if not isinstance(history, bool):
        raise TypeError(f"history must be True or False; got {history!r}")
    if isinstance(step_num, bool) or not isinstance(step_num, (int, np.integer)):
        raise TypeError(f"step_num must be a non-negative integer; got {step_num!r}")
    if step_num < 0:
        raise ValueError(f"step_num must be a non-negative integer; got {step_num!r}")
    x = real_array(init_x, "init_x").astype(np.float64, copy=True)

    path = [x.copy()] if history else []
    vanished_at = None
    for step in range(step_num):
        grad, vanished = lean_gradient(f, x, 1e-4, stacklevel=3, warn_vanished=False)
        if vanished and vanished_at is None:
            where = element_name("x", np.unravel_index(vanished[0], x.shape))
            vanished_at = (step, where, np.max(np.abs(x)))
        x -= lr * grad
        if history:
            path.append(x.copy())
    if vanished_at is not None:
        step, where, size = vanished_at
        warnings.warn(
            f"from step {step} on, |x| reached {size:.3g} and the step h=1e-4 no longer "
            f"changed {where} (x + h == x), so the gradient there was computed as 0 and "
            f"the path stopped moving; the learning rate lr={lr:g} makes it diverge",
            RuntimeWarning,
            stacklevel=2,
        )
    if history:
        return x, np.array(path)
    return x

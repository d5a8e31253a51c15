"""The Hessian of a scalar function of an array, by finite differences."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from numgrad._engine.checks import check_flag, check_real_at_real, given_step, is_auto
from numgrad._engine.compute import compute, problem_for
from numgrad._engine.errors import NOISE, exact_steps
from numgrad._engine.evaluate import perturbed, real_at_real
from numgrad._engine.problem import Problem, guarded
from numgrad._engine.report import warn_about_hessian
from numgrad._engine.schemes import get_scheme
from numgrad._engine.workers import mapper_for
from numgrad._result import DerivativeResult

__all__ = ["numerical_hessian"]

HessianMethod = Literal["central", "richardson", "complex"]

_METHODS = ("central", "richardson", "complex")
# The imaginary step of the complex method, relative to max(|x|, 2**-500).
_IMAGINARY = 1e-20

# A perturbation: the flat indices moved and by how much (complex for the imaginary step).
Perturbation = tuple[tuple[int, ...], tuple[complex, ...]]


def numerical_hessian(
    f: Callable[[np.ndarray], Any],
    x: Any,
    h: float | np.ndarray | Literal["auto"] = "auto",
    *,
    method: HessianMethod = "central",
    workers: int | Callable = 1,
    full_output: bool = False,
) -> np.ndarray | DerivativeResult:
    r"""Compute the Hessian of a scalar function of an array by finite differences.

    Parameters
    ----------
    f : callable
        A scalar function of an array of ``x``'s shape. As for
        :func:`numerical_gradient`, a writeable float ``x`` is perturbed in
        place and restored bit for bit; other inputs, ``method="complex"``
        and ``workers=`` give ``f`` perturbed copies, so it must then use its
        argument.
    x : array_like
        The point, an array of any shape.
    h : float, array_like or "auto", default "auto"
        The step of the real differences: one for every element, one per
        element (an array broadcastable to ``x``'s shape), or ``"auto"``,
        which sizes each element's step from ``f`` itself (Notes).
    method : {"central", "richardson", "complex"}, default "central"
        The difference formula, see Notes.
    workers : int or map-like callable, default 1
        How to evaluate ``f`` at the perturbed points, see
        :func:`numerical_gradient`.
    full_output : bool, default False
        Whether to return a :class:`DerivativeResult` with the Hessian, an
        estimate of the error of each element (from a second evaluation at
        half the step) and the number of evaluations.

    Returns
    -------
    numpy.ndarray or DerivativeResult
        The Hessian :math:`H_{ij} = \partial^2 f / \partial x_i \partial x_j`,
        a float64 array of shape ``x.shape + x.shape``, exactly symmetric.

    Raises
    ------
    ValueError
        If ``method`` is unknown, or ``h`` is not positive and finite (or not
        broadcastable to ``x``).
    TypeError
        If ``x`` is not real, ``f`` does not return a real number, or ``h`` or
        ``workers`` is of the wrong type.

    See Also
    --------
    numerical_gradient : the first derivatives.
    numerical_jacobian : the Jacobian of a vector function, for instance of
        an analytic gradient, whose Jacobian is the Hessian.

    Notes
    -----
    With steps :math:`h_i` along each element :math:`e_i`, the central
    method computes

    .. math::

        H_{ij} \approx \frac{f(x + h_i e_i + h_j e_j) - f(x + h_i e_i - h_j e_j)
        - f(x - h_i e_i + h_j e_j) + f(x - h_i e_i - h_j e_j)}{4 h_i h_j},

    which for :math:`i = j` is the second difference with step :math:`2h_i`.
    It costs :math:`2N^2 + 1` evaluations of ``f`` for :math:`N` elements
    (each pair once: the result is symmetric by construction). Its error is
    truncation of order :math:`h^2` plus rounding of about
    :math:`\epsilon |f| / h^2`, smallest at :math:`h \approx \epsilon^{1/4}
    \approx 1.2 \times 10^{-4}` (times :math:`\max(|x_i|, 1)`), where it is
    about :math:`\epsilon^{1/2} \approx 10^{-8}` relative.

    ``"richardson"`` combines the central Hessians at :math:`h` and
    :math:`h/2` as :math:`(4 H(h/2) - H(h)) / 3`, cancelling the
    :math:`h^2` term: truncation of order :math:`h^4`, best at
    :math:`h \approx \epsilon^{1/6} \approx 2.5 \times 10^{-3}` with an error
    of about :math:`\epsilon^{2/3} \approx 4 \times 10^{-11}`, for twice
    the evaluations.

    ``"complex"`` differentiates along :math:`e_i` by the complex step and
    along :math:`e_j` by the central difference,
    :math:`H_{ij} \approx \operatorname{Im}[f(x + i\delta e_i + h_j e_j)
    - f(x + i\delta e_i - h_j e_j)] / (2 \delta h_j)`, then takes the
    symmetric part. The complex step :math:`\delta = 10^{-20}\max(|x_i|,
    2^{-500})` adds no rounding, so the error is :math:`h^2` truncation plus
    :math:`\epsilon |\nabla f| / h` rounding, best at :math:`h \approx
    \epsilon^{1/3}` with about :math:`\epsilon^{2/3}` relative error, for
    :math:`2N^2` evaluations in complex arithmetic (``f`` must accept complex
    numbers, as for :func:`numerical_diff`, and be real at real ``x``).

    *The automatic step.* The best steps above hold where ``f`` varies on the
    scale :math:`\max(|x_i|, 1)` and computes in float64. ``h="auto"`` first
    runs the gradient's rule (``numerical_gradient(f, x, "auto")``, about
    :math:`4N + 1` more evaluations; see :func:`numerical_diff`), which finds
    the precision :math:`\epsilon` of ``f``'s values (float32 for a float32
    loss) and, per element, the scale :math:`s_i` on which ``f`` varies
    (:math:`|x_i|` for :math:`1/x` at small :math:`x`, :math:`10^{-8}` for
    :math:`g(x / 10^{-8})`). Its step :math:`\epsilon^{1/3} s_i` becomes the
    method's best step, :math:`\epsilon^{1/4} s_i` (central),
    :math:`\epsilon^{1/6} s_i` (Richardson) or :math:`\epsilon^{1/3} s_i`
    (complex). With ``full_output=True``, the error estimate is that of the
    value returned: twice its truncation error, from the Hessian at half the
    step, plus the rounding error :math:`4 \epsilon |f| / (h_i h_j)`.

    Examples
    --------
    The Hessian of :math:`x_0^2 x_1 + x_1^3` at (1, 2) is
    :math:`\begin{pmatrix} 2x_1 & 2x_0 \\ 2x_0 & 6x_1 \end{pmatrix}`:

    >>> import numpy as np
    >>> from numgrad import numerical_hessian
    >>> def f(x):
    ...     return x[0] ** 2 * x[1] + x[1] ** 3
    >>> numerical_hessian(f, np.array([1.0, 2.0])).round(6)
    array([[ 4.,  2.],
           [ 2., 12.]])
    >>> H = numerical_hessian(f, np.array([1.0, 2.0]), method="richardson")
    >>> bool(np.allclose(H, [[4, 2], [2, 12]], rtol=1e-9)), bool((H == H.T).all())
    (True, True)
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {', '.join(map(repr, _METHODS))}; got {method!r}")
    check_flag(full_output, "full_output")
    scheme = get_scheme(method)
    with mapper_for(workers) as mapper:
        # Perturbed as the gradient perturbs x: in place (a writeable float x), else a
        # read-only copy; complex for the complex step.
        problem = problem_for(f, x, scheme, False, False, mapper=mapper)
        with guarded(problem.points) if problem.in_place else contextlib.nullcontext():
            steps, nfev = _steps(problem, x, h, method)
            # The error estimate compares with half the step.
            levels = 2 if full_output else 1
            hessians = _hessians(problem, steps, method, levels)
    value, size = hessians[0]
    shape = problem.point_shape * 2
    warn_about_hessian(problem, value)
    if not full_output:
        return value.reshape(shape)
    order = 4 if method == "richardson" else 2
    # Twice the asymptotic truncation error of the value returned, as for first
    # derivatives (fixed_derivative), from the value at half the step.
    truncation = 2 * np.abs(value - hessians[1][0]) * 2**order / (2**order - 1)
    rounding = NOISE * problem.eps * size / _step_products(steps, method)
    error = np.where(np.isfinite(value), truncation + rounding, np.inf)
    return DerivativeResult(value.reshape(shape), error.reshape(shape), problem.calls + nfev)


def _steps(problem: Problem, x: Any, h: Any, method: str) -> tuple[np.ndarray, int]:
    """Return the step of each element, and the evaluations it cost beyond ``problem.calls``.

    A given ``h`` as it is. ``"auto"``: the gradient's rule first (the
    central difference with ``h="auto"``, which finds the precision of f's
    values and the scale on which f varies along each element), then its
    step ``eps**(1/3) s`` scaled to the Hessian method's best step
    ``eps**(1/(p+2)) s`` (Notes).
    """
    flat = problem.flat_points()
    if not is_auto(h):
        steps = given_step(h, problem.point_shape)
        return np.broadcast_to(steps, problem.point_shape).reshape(-1).astype(np.float64), 0
    if problem.scheme.is_complex:  # the scout calls f at real points: is it real there?
        check_real_at_real(problem.f(problem.argument_for(0)))
        problem.calls += 1
    scout = problem_for(problem.f, x, get_scheme("central"), False, False, mapper=problem.mapper)
    estimate = compute(scout, "auto")
    problem.eps = scout.eps
    step = np.nanmin(estimate.step, axis=1) if estimate.step is not None else None
    if step is None or not np.all(np.isfinite(step)):
        step = problem.eps ** (1 / 3) * np.maximum(np.abs(flat), 1.0)
    exponent = {"central": 1 / 4, "richardson": 1 / 6, "complex": 1 / 3}[method]
    return exact_steps(flat, step * problem.eps ** (exponent - 1 / 3)), scout.calls


def _step_products(steps: np.ndarray, method: str) -> np.ndarray:
    """Return what the rounding error of each element is divided by: h_i h_j, or min(h_i, h_j)."""
    if method == "complex":
        return np.minimum.outer(steps, steps)
    return np.multiply.outer(steps, steps)


def _hessians(
    problem: Problem, steps: np.ndarray, method: str, levels: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return the Hessian at ``steps / 2**k`` for each ``k < levels``, with the size of its values.

    Richardson's at ``h`` combines the central ones at ``h`` and ``h/2``; each
    central Hessian is evaluated once, however many Richardson values use it.
    """
    if method == "complex":
        return [_complex(problem, steps / 2**k) for k in range(levels)]
    at_x = perturbed(problem, [((), ())])[0]
    centrals = [
        _central(problem, steps / 2**k, at_x) for k in range(levels + (method == "richardson"))
    ]
    if method == "central":
        return centrals
    return [
        ((4 * fine - coarse) / 3, np.maximum(coarse_size, fine_size))
        for (coarse, coarse_size), (fine, fine_size) in itertools.pairwise(centrals)
    ]


def _central(problem: Problem, steps: np.ndarray, at_x: float) -> tuple[np.ndarray, np.ndarray]:
    n = steps.size
    upper = [(i, j) for i in range(n) for j in range(i, n)]
    perturbations: list[Perturbation] = []
    for i, j in upper:
        if i == j:
            perturbations += [((i,), (2 * steps[i],)), ((i,), (-2 * steps[i],))]
        else:
            perturbations += [
                ((i, j), (si * steps[i], sj * steps[j]))
                for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1))
            ]
    rest = perturbed(problem, perturbations).tolist()
    hessian = np.empty((n, n))
    size = np.empty((n, n))
    k = 0
    with np.errstate(invalid="ignore", over="ignore"):
        for i, j in upper:
            if i == j:
                plus, minus = rest[k], rest[k + 1]
                hessian[i, i] = (plus - 2 * at_x + minus) / (4 * steps[i] * steps[i])
                size[i, i] = max(abs(plus), abs(minus), abs(at_x))
                k += 2
            else:
                pp, pm, mp, mm = rest[k : k + 4]
                hessian[i, j] = hessian[j, i] = (pp - pm - mp + mm) / (4 * steps[i] * steps[j])
                size[i, j] = size[j, i] = max(abs(pp), abs(pm), abs(mp), abs(mm))
                k += 4
    return hessian, size


def _complex(problem: Problem, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = steps.size
    x = problem.flat_points()
    delta = _IMAGINARY * np.maximum(np.abs(x), 2.0**-500)
    perturbations: list[Perturbation] = []
    for i in range(n):
        for j in range(n):
            for sign in (1, -1):
                if i == j:
                    perturbations.append(((i,), (1j * delta[i] + sign * steps[i],)))
                else:
                    perturbations.append(((i, j), (1j * delta[i], sign * steps[j])))
    values = perturbed(problem, perturbations)
    real_at_real(problem, values)
    values = values.reshape(n, n, 2)
    slopes = np.imag(values) / delta[:, np.newaxis, np.newaxis]  # df/dx_i at x +- h_j e_j
    one_sided = (slopes[..., 0] - slopes[..., 1]) / (2 * steps[np.newaxis, :])
    size = np.max(np.abs(slopes), axis=2)
    return (one_sided + one_sided.T) / 2, np.maximum(size, size.T)

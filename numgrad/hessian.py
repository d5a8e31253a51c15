"""The Hessian of a scalar function of an array, by finite differences."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from numgrad._evaluate import scalar
from numgrad._result import DerivativeResult
from numgrad._steps import EPS, NOISE, exact_steps, given_step, is_auto
from numgrad._validation import check_flag, real_array
from numgrad._workers import mapper_for

__all__ = ["numerical_hessian"]

HessianMethod = Literal["central", "richardson", "complex"]

# The default step relative to max(|x|, 1), from the error model (Notes).
_STEP = {"central": EPS ** (1 / 4), "richardson": EPS ** (1 / 6), "complex": EPS ** (1 / 3)}
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
        A scalar function of an array of ``x``'s shape. It is called with
        perturbed copies of ``x``, so it must use its argument.
    x : array_like
        The point, an array of any shape.
    h : float, array_like or "auto", default "auto"
        The step of the real differences: one for every element, one per
        element (an array broadcastable to ``x``'s shape), or ``"auto"``,
        the step of the error model in the Notes, relative to
        :math:`\max(|x_i|, 1)`.
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
    numbers, as for :func:`numerical_diff`).

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
    if method not in _STEP:
        raise ValueError(f"method must be one of {', '.join(map(repr, _STEP))}; got {method!r}")
    check_flag(full_output, "full_output")
    point = real_array(x, "x").astype(np.float64)
    flat = point.reshape(-1)
    if is_auto(h):
        steps = exact_steps(flat, _STEP[method] * np.maximum(np.abs(flat), 1.0))
    else:
        steps = np.broadcast_to(given_step(h, point.shape), point.shape).reshape(-1).copy()
    with mapper_for(workers) as mapper:
        evaluate = _Evaluator(f, point, method == "complex", mapper)
        # The error estimate compares with half the step; Richardson, two Richardson values.
        levels = 1 if not full_output else 3 if method == "richardson" else 2
        hessians = _hessians(evaluate, flat, steps, method, levels)
        _warn_if_constant(evaluate)
    value, size = hessians[0]
    if not full_output:
        return value.reshape(point.shape * 2)
    finer = hessians[1][0]
    order = 4 if method == "richardson" else 2
    # Twice the asymptotic truncation error, as for first derivatives.
    if method == "richardson":
        finest = hessians[2][0]
        truncation = 2 * np.abs(finer - finest) * 2**order / (2**order - 1)
        truncation = np.maximum(truncation, 2 * np.abs(value - finer) / (2**order - 1))
    else:
        truncation = 2 * np.abs(value - finer) * 2**order / (2**order - 1)
    rounding = NOISE * EPS * size / _step_products(steps, method)
    error = truncation + rounding
    shape = point.shape * 2
    return DerivativeResult(value.reshape(shape), error.reshape(shape), evaluate.calls)


def _warn_if_constant(evaluate: _Evaluator) -> None:
    if evaluate.same and evaluate.calls > 1:
        warnings.warn(
            "f returned the same value at every perturbed point, so the Hessian is 0; f "
            "seems to ignore its argument. numerical_hessian calls f with perturbed copies "
            "of x, so f must use its argument (not read x through an object)",
            RuntimeWarning,
            stacklevel=3,
        )


def _step_products(steps: np.ndarray, method: str) -> np.ndarray:
    """Return what the rounding error of each element is divided by: h_i h_j, or h_j."""
    if method == "complex":
        return np.broadcast_to(steps, (steps.size, steps.size))
    return np.multiply.outer(steps, steps)


def _hessians(
    evaluate: _Evaluator, x: np.ndarray, steps: np.ndarray, method: str, levels: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return the Hessian at ``steps / 2**k`` for each ``k < levels``, with the size of its values.

    Richardson's at ``h`` combines the central ones at ``h`` and ``h/2``; each
    central Hessian is evaluated once, however many Richardson values use it.
    """
    if method == "complex":
        return [_complex(evaluate, x, steps / 2**k) for k in range(levels)]
    centrals = [_central(evaluate, steps / 2**k) for k in range(levels + (method == "richardson"))]
    if method == "central":
        return centrals
    return [
        ((4 * fine - coarse) / 3, np.maximum(coarse_size, fine_size))
        for (coarse, coarse_size), (fine, fine_size) in itertools.pairwise(centrals)
    ]


def _central(evaluate: _Evaluator, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = steps.size
    upper = [(i, j) for i in range(n) for j in range(i, n)]
    perturbations: list[Perturbation] = [((), ())]
    for i, j in upper:
        if i == j:
            perturbations += [((i,), (2 * steps[i],)), ((i,), (-2 * steps[i],))]
        else:
            perturbations += [
                ((i, j), (si * steps[i], sj * steps[j]))
                for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1))
            ]
    values = evaluate(perturbations)
    at_x, rest = values[0], values[1:]
    hessian = np.empty((n, n))
    size = np.empty((n, n))
    k = 0
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


def _complex(
    evaluate: _Evaluator, x: np.ndarray, steps: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n = steps.size
    delta = _IMAGINARY * np.maximum(np.abs(x), 2.0**-500)
    perturbations: list[Perturbation] = []
    for i in range(n):
        for j in range(n):
            for sign in (1, -1):
                if i == j:
                    perturbations.append(((i,), (1j * delta[i] + sign * steps[i],)))
                else:
                    perturbations.append(((i, j), (1j * delta[i], sign * steps[j])))
    values = np.asarray(evaluate(perturbations)).reshape(n, n, 2)
    slopes = np.imag(values) / delta[:, np.newaxis, np.newaxis]  # df/dx_i at x +- h_j e_j
    one_sided = (slopes[..., 0] - slopes[..., 1]) / (2 * steps[np.newaxis, :])
    size = np.max(np.abs(slopes), axis=2)
    return (one_sided + one_sided.T) / 2, np.maximum(size, size.T)


class _Evaluator:
    """Evaluate f at x moved by perturbations, in order: on a working copy, or through a map."""

    def __init__(self, f: Callable, point: np.ndarray, is_complex: bool, mapper: Callable | None):
        self.f, self.shape, self.mapper = f, point.shape, mapper
        self.is_complex = is_complex
        self.x = point.reshape(-1).astype(np.complex128 if is_complex else np.float64)
        self.calls = 0
        self.first: Any = None
        self.same = True

    def __call__(self, perturbations: list[Perturbation]) -> list[Any]:
        if self.mapper is not None:
            values = list(self.mapper(self.f, [self._copy(p) for p in perturbations]))
        else:
            values = self._serial(perturbations)
        checked = [scalar(value, self.is_complex, ()) for value in values]
        self.calls += len(checked)
        if self.first is None:
            self.first = checked[0]
        self.same = self.same and all(value == self.first for value in checked)
        return checked

    def _serial(self, perturbations: list[Perturbation]) -> list[Any]:
        work = self.x.copy()
        argument = work.reshape(self.shape)
        argument.flags.writeable = False  # f must not change it: it is the next point too
        values = []
        for indices, deltas in perturbations:
            for index, delta in zip(indices, deltas, strict=True):
                work[index] = self.x[index] + delta
            values.append(self.f(argument))
            for index in indices:
                work[index] = self.x[index]
        return values

    def _copy(self, perturbation: Perturbation) -> np.ndarray:
        work = self.x.copy()
        for index, delta in zip(*perturbation, strict=True):
            work[index] = self.x[index] + delta
        return work.reshape(self.shape)

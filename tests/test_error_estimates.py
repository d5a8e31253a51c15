"""full_output=True: the error estimate bounds the actual error, and not uselessly."""

from __future__ import annotations

import numpy as np
import pytest

from numgrad import (
    DerivativeResult,
    numerical_diff,
    numerical_gradient,
    numerical_hessian,
    numerical_jacobian,
)

# Smooth functions of one variable with their derivatives.
FUNCTIONS = [
    (np.sin, np.cos),
    (np.exp, np.exp),
    (lambda x: np.log1p(x**2), lambda x: 2 * x / (1 + x**2)),
    (lambda x: x**5 - 3 * x, lambda x: 5 * x**4 - 3),
    (np.arctan, lambda x: 1 / (1 + x**2)),
    (lambda x: 1 / (2 + x), lambda x: -1 / (2 + x) ** 2),
]
STEPS = [1e-1, 1e-2, 1e-3, 1e-4, 1e-6, 1e-8, "auto"]


def ratios(results):
    """Estimate / actual for each case, and whether the estimate bounds the actual error."""
    estimate = np.array([e for e, _ in results])
    actual = np.array([a for _, a in results])
    bounded = estimate >= actual
    nonzero = actual > 0
    return bounded, estimate[nonzero] / actual[nonzero]


@pytest.mark.parametrize("method", ["central", "forward", "richardson", "complex"])
def test_derivative_estimates_are_honest(method, rng):
    results = []
    for f, df in FUNCTIONS:
        for h in STEPS:
            for x in rng.uniform(-1.5, 1.5, 5):
                result = numerical_diff(f, float(x), h, method=method, full_output=True)
                results.append((result.error, abs(result.value - df(x))))
    bounded, ratio = ratios(results)
    assert bounded.mean() >= 0.9
    assert np.median(ratio) <= 1000


def test_gradient_and_jacobian_estimates_are_honest(rng):
    results = []
    for h in [1e-2, 1e-4, 1e-6, "auto"]:
        for _ in range(5):
            x = rng.uniform(-1, 1, 4)
            grad = numerical_gradient(
                lambda v: float(np.sum(np.sin(v) * np.exp(v))), x, h, full_output=True
            )
            exact = (np.cos(x) + np.sin(x)) * np.exp(x)
            results += list(zip(grad.error, np.abs(grad.value - exact), strict=True))
            jac = numerical_jacobian(lambda v: np.stack([np.sin(v), v**3]), x, h, full_output=True)
            exact = np.stack([np.diag(np.cos(x)), np.diag(3 * x**2)])
            results += list(zip(jac.error.ravel(), np.abs(jac.value - exact).ravel(), strict=True))
    bounded, ratio = ratios(results)
    assert bounded.mean() >= 0.9
    assert np.median(ratio) <= 1000


@pytest.mark.parametrize("method", ["central", "richardson", "complex"])
def test_hessian_estimates_are_honest(method, rng):
    def f(v):  # no float(): the complex method passes complex numbers
        return np.sum(np.exp(v / 2) * np.sin(v)) + np.prod(np.cos(v))

    results = []
    for _ in range(4):
        x = rng.uniform(-1, 1, 3)
        result = numerical_hessian(f, x, method=method, full_output=True)
        e = np.exp(x / 2)
        exact = np.diag(e * (np.cos(x) - 0.75 * np.sin(x)))
        product = np.prod(np.cos(x))
        tangent = np.tan(x)
        exact = exact + product * (np.outer(tangent, tangent) - np.diag(tangent**2 + 1))
        results += list(
            zip(result.error.ravel(), np.abs(result.value - exact).ravel(), strict=True)
        )
    bounded, ratio = ratios(results)
    assert bounded.mean() >= 0.9
    assert np.median(ratio) <= 1000


def test_the_value_is_the_plain_result_bit_for_bit(rng):
    x = rng.standard_normal(3)

    def f(v):
        return float(np.sum(v**3))

    for h in [1e-4, "auto"]:
        full = numerical_gradient(f, x, h, full_output=True)
        assert isinstance(full, DerivativeResult)
        assert full.value.tobytes() == numerical_gradient(f, x, h).tobytes()
        assert full.error.shape == x.shape
        assert full.nfev > 0
    assert numerical_diff(np.sin, 1.0, full_output=True).value == numerical_diff(np.sin, 1.0)


def test_nfev_counts_the_evaluations():
    calls = []

    def f(v):
        calls.append(1)
        return float(np.sum(v**2))

    result = numerical_gradient(f, np.ones(3), full_output=True)
    assert result.nfev == len(calls)

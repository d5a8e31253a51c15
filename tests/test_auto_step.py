"""h="auto": right at every scale of x, or loud where float64 cannot be."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from numgrad import check_gradient, numerical_diff, numerical_gradient

TINY = np.finfo(np.float64).tiny  # the smallest normal float


def magnitudes(low, high):
    """Numbers of either sign whose magnitude is log-uniform in 10**low .. 10**high."""
    return st.tuples(st.floats(low, high), st.sampled_from([-1.0, 1.0])).map(
        lambda pair: pair[1] * 10.0 ** pair[0]
    )


def normal(value):
    return math.isfinite(value) and abs(value) >= TINY


# (f, f', where x is drawn): the ranges the auto step must cover to 1e-6.
FUNCTIONS = {
    "sin": (np.sin, np.cos, st.one_of(st.floats(-1e3, 1e3), magnitudes(-300, 3))),
    "exp": (np.exp, np.exp, st.one_of(st.floats(-700, 700), magnitudes(-300, math.log10(700)))),
    "log1p": (
        np.log1p,
        lambda x: 1 / (1 + x),
        st.one_of(
            st.floats(-0.999, 1e300),
            st.floats(-300, 300).map(lambda e: 10.0**e),
            st.floats(-300, math.log10(0.999)).map(lambda e: -(10.0**e)),
        ),
    ),
    "cube": (lambda x: x**3, lambda x: 3 * x**2, magnitudes(-300, 100)),
}


def relative_error(value, exact):
    return abs(value - exact) / abs(exact)


def resolvable(name, x):
    # Where f(x) itself underflows, no difference of its values can resolve
    # f'(x) in float64: numgrad warns there instead (test_underflowing_values_warn).
    f, derivative, _ = FUNCTIONS[name]
    return normal(float(derivative(x))) and normal(float(f(x)))


def check_central_auto(name, x):
    f, derivative, _ = FUNCTIONS[name]
    exact = float(derivative(x))
    assert relative_error(numerical_diff(f, x, "auto"), exact) <= 1e-6
    gradient = numerical_gradient(lambda v: f(v[0]), np.array([x]), "auto")
    assert relative_error(gradient[0], exact) <= 1e-6


@settings(max_examples=300, deadline=None)
@given(st.data())
@pytest.mark.parametrize("name", FUNCTIONS)
def test_central_auto_is_accurate_at_every_scale(name, data):
    # Warnings are errors here: a right answer must also come without one.
    x = data.draw(FUNCTIONS[name][2], label="x")
    assume(resolvable(name, x))
    check_central_auto(name, x)


@pytest.mark.parametrize(
    ("name", "x"),
    [
        ("sin", 1e-12),
        ("sin", 1e-300),
        ("sin", 1e3),
        ("exp", -700.0),
        ("exp", 700.0),
        ("log1p", -0.999),
        ("log1p", 1e300),
        ("cube", 1e-100),
        ("cube", 3e-103),  # x**3 is just above the smallest normal float
        ("cube", -1e100),
    ],
)
def test_central_auto_at_the_edges_of_the_ranges(name, x):
    assert resolvable(name, x)
    check_central_auto(name, x)


@pytest.mark.parametrize("x0", [1e-12, 1e-10, 1e-8, 1e-300, 5e-324, 0.0])
def test_the_step_does_not_collapse_at_small_x(x0):
    # The step once shrank with |x|: [0.] at 1e-12, 1.10 at 1e-10, NaN at 5e-324.
    grad = numerical_gradient(lambda v: float(np.sin(v[0]) + 1.0), np.array([x0]), h="auto")
    assert relative_error(grad[0], 1.0) <= 1e-9


@pytest.mark.parametrize("method", ["richardson", "complex", "forward", "backward"])
@pytest.mark.parametrize(
    ("name", "x"),
    [("cube", 1e-10), ("cube", -7e-25), ("cube", 1e-100), ("sin", 1e-12), ("exp", -693.0)],
)
def test_every_method_follows_the_scale_of_f(method, name, x):
    # Richardson is exact for a cubic, so its pilot sees no truncation; the
    # complex step's Im f(x + ih) underflows for exp at -693 with h = 1e-20 |x|.
    f, derivative, _ = FUNCTIONS[name]
    bound = 1e-5 if method in ("forward", "backward") else 1e-9
    assert relative_error(numerical_diff(f, x, "auto", method=method), derivative(x)) <= bound
    grad = numerical_gradient(lambda v: f(v[0]), np.array([x]), "auto", method=method)
    assert relative_error(grad[0], derivative(x)) <= bound


@pytest.mark.parametrize("method", ["central", "richardson", "complex", "forward"])
@pytest.mark.parametrize("x", [2e-107, -2.4e-106])
def test_underflowing_values_warn(method, x):
    # x**3 is subnormal here while 3 x**2 is a normal float: no step resolves it.
    # (Where x**3 underflows to 0, f is judged by its values at distance
    # eps**(1/3) max(|x|, 1), as at x = 0, where these values are the same.)
    with pytest.warns(RuntimeWarning, match=r'h="auto" could not reach its accuracy at x'):
        numerical_diff(lambda v: v**3, x, "auto", method=method)
    with pytest.warns(RuntimeWarning, match=r'h="auto" could not reach its accuracy at x\[0\]'):
        numerical_gradient(lambda v: v[0] ** 3, np.array([x]), "auto", method=method)


def test_a_zero_derivative_at_zero_is_quiet():
    # f(x) = 0 and f'(x) = 0 exactly: nothing to warn about.
    np.testing.assert_array_equal(
        numerical_gradient(lambda v: np.sum(v**2), np.zeros(3), "auto"), 0
    )
    assert numerical_diff(lambda v: v**3, 0.0, "auto", method="richardson") == 0.0


# Well-scaled problems: auto must never be much worse than the book's h = 1e-4.
WELL_SCALED = [
    (lambda v: np.sum(np.sin(v)), np.cos),
    (lambda v: np.sum(v**2), lambda v: 2 * v),
    (lambda v: np.log(np.sum(np.exp(v))), lambda v: np.exp(v) / np.sum(np.exp(v))),
    (lambda v: np.sum(v**3) / 3, lambda v: v**2),
    (lambda v: np.sum(np.tanh(3 * v)), lambda v: 3 / np.cosh(3 * v) ** 2),
]


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(range(len(WELL_SCALED))),
    st.lists(st.floats(-3, 3), min_size=1, max_size=6),
)
# tanh(7.08) + tanh(-9) = -1.4e-6 from terms of size 1: rounding far above eps |f|.
@example(4, [2.359375, -3.0])
def test_auto_is_never_much_worse_than_the_books_step(which, values):
    f, gradient = WELL_SCALED[which]
    x = np.array(values)
    exact = gradient(x)
    scale = np.max(np.abs(exact)) + abs(f(x))
    with warnings.catch_warnings():
        # A warning is allowed (tanh(9) + tanh(-9) = 0 hides the size of f's
        # terms): what is compared here is the numbers.
        warnings.simplefilter("ignore", RuntimeWarning)
        auto = np.max(np.abs(numerical_gradient(f, x, "auto") - exact))
    book = np.max(np.abs(numerical_gradient(f, x) - exact))
    # "Much worse": more than 10 times the book's error and above 1e-10 of the
    # scale (where rounding inside f, invisible in |f|, may cost auto a digit).
    assert auto <= max(10 * book, 1e-10 * scale)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_auto_follows_the_precision_of_x(dtype):
    # Perturbed in place in x's own precision, with a step sized for it.
    x = np.array([1.0, 2.0, -3.0], dtype=dtype)
    grad = numerical_gradient(lambda v: float(np.sum(v.astype(np.float64) ** 2)), x, "auto")
    np.testing.assert_allclose(
        grad, 2 * x.astype(np.float64), rtol=0.02 if dtype == np.float16 else 1e-4
    )


def test_check_gradient_auto_at_small_weights():
    # The check's default h="auto" once failed correct gradients at weights near 1e-7.
    rng = np.random.default_rng(0)
    w = rng.standard_normal(20) * 1e-7
    a = rng.standard_normal(20)
    result = check_gradient(lambda v: float(np.sum(np.cos(a * v))) + 1.0, w, -a * np.sin(a * w))
    assert result.passed

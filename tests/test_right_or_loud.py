"""Right or loud on every path: inputs where numgrad once gave a confident wrong answer.

Each test names the defect it guards against. A derivative is either right to
its documented accuracy, or comes with a warning or an error that says why.
"""

from __future__ import annotations

import pickle
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from numgrad import (
    check_gradient,
    numerical_diff,
    numerical_gradient,
    numerical_hessian,
    numerical_jacobian,
)


def quiet_log(v):
    """log, NaN for v <= 0 without numpy's own warning (which would be an error here)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.log(v)


# -- f's values are copied before the buffer they may alias changes ----------------

VIEWS = {
    "itself": (lambda v: v, np.eye),
    "a slice": (lambda v: v[:2], lambda n: np.eye(n)[:2]),
    "reversed": (lambda v: v[::-1], lambda n: np.eye(n)[::-1]),
    "a column": (lambda v: v.reshape(3, 1), lambda n: np.eye(n).reshape(3, 1, n)),
    "asarray": (np.asarray, np.eye),
}


@pytest.mark.parametrize("name", VIEWS)
@pytest.mark.parametrize("x", [np.array([1.0, 2.0, 3.0]), np.array([1, 2, 3]), [1.0, 2.0, 3.0]])
@pytest.mark.parametrize("h", [1e-4, "auto"])
@pytest.mark.parametrize("full_output", [False, True])
def test_a_jacobian_of_f_returning_a_view_of_its_argument(name, x, h, full_output):
    f, jacobian = VIEWS[name]
    result = numerical_jacobian(f, x, h, full_output=full_output)
    value = result.value if full_output else result
    np.testing.assert_allclose(value, jacobian(3), atol=1e-9)


@pytest.mark.parametrize("vectorized", [False, True])
def test_a_jacobian_of_a_vectorized_identity(vectorized):
    jacobian = numerical_jacobian(lambda v: v, np.array([1.0, 2.0]), vectorized=vectorized)
    np.testing.assert_allclose(jacobian, np.eye(2), atol=1e-9)


@pytest.mark.parametrize("h", [1e-4, "auto"])
@pytest.mark.parametrize("method", ["central", "forward", "richardson"])
def test_a_gradient_of_f_returning_its_0d_argument(h, method):
    for x in (np.array(2.0), np.array(2)):
        assert numerical_gradient(lambda v: v, x, h, method=method) == pytest.approx(1.0)


def test_a_batch_of_0d_points_returned_as_views():
    grad = numerical_gradient(lambda v: v, np.array([1.0, 2.0]), batch=True)
    np.testing.assert_allclose(grad, [1.0, 1.0])


# -- the caller's x, when f changes its argument -------------------------------------


def centred(v):
    v -= v.mean()
    return v**2


@pytest.mark.parametrize("function", ["gradient", "jacobian"])
def test_f_that_writes_its_argument_gets_an_error_and_x_is_unchanged(function):
    x = np.array([1.0, 2.0, 4.0])
    before = x.copy()
    f = (lambda v: float(np.sum(centred(v)))) if function == "gradient" else centred
    differentiate = numerical_gradient if function == "gradient" else numerical_jacobian
    with pytest.raises(ValueError, match="f must not change its argument"):
        differentiate(f, x)
    np.testing.assert_array_equal(x, before)
    assert x.flags.writeable


def test_the_hessian_says_so_too():
    with pytest.raises(ValueError, match="f must not change its argument"):
        numerical_hessian(lambda v: float(np.sum(centred(v))), np.array([1.0, 2.0]))


def test_a_copy_is_no_more_writeable_than_x():
    # An int x is copied; an f that writes the copy would corrupt the next points.
    with pytest.raises(ValueError, match="f must not change its argument"):
        numerical_gradient(lambda v: float(np.sum(centred(v))), np.array([1, 2, 4]))


# -- the Hessian: precision of f's values, scale of x ------------------------------


def test_the_hessian_of_a_float32_loss():
    def f(v):
        return np.sum(v.astype(np.float32) ** 2)

    result = numerical_hessian(f, np.array([1.0, 2.0]), full_output=True)
    actual = np.abs(result.value - 2 * np.eye(2))
    assert actual.max() < 0.05
    assert np.all(actual <= result.error)


@pytest.mark.parametrize("x", [1e-3, 1e-5, 1e-8, 3.0, 1e4])
@pytest.mark.parametrize("method", ["central", "richardson", "complex"])
def test_the_hessian_of_one_over_x_at_every_scale(x, method):
    hessian = numerical_hessian(lambda v: 1 / v[0], np.array([x]), method=method)
    assert hessian[0, 0] == pytest.approx(2 / x**3, rel=1e-5)


@pytest.mark.parametrize("scale", [1e-8, 1e-4, 1e4])
@pytest.mark.parametrize("method", ["central", "richardson"])
def test_the_hessian_of_a_scaled_function(scale, method):
    # f(v) = g(v / s): the Hessian is that of g at v / s, over s**2.
    def g(u):
        return np.sin(u[0]) * np.exp(u[1] / 2) + u[0] * u[1] ** 2

    def g_hessian(u):
        s, c, e = np.sin(u[0]), np.cos(u[0]), np.exp(u[1] / 2)
        return np.array(
            [[-s * e, c * e / 2 + 2 * u[1]], [c * e / 2 + 2 * u[1], s * e / 4 + 2 * u[0]]]
        )

    u = np.array([0.7, -0.4])
    result = numerical_hessian(lambda v: g(v / scale), u * scale, method=method, full_output=True)
    exact = g_hessian(u) / scale**2
    np.testing.assert_allclose(result.value, exact, rtol=1e-5, atol=1e-5 * np.abs(exact).max())
    assert np.all(np.abs(result.value - exact) <= result.error)


def test_the_hessian_at_mixed_scales():
    s = np.array([1e-3, 1e3])

    def f(v):
        return np.sum(np.exp(v / s))

    x = np.array([0.5e-3, 0.5e3])
    exact = np.diag(np.exp(x / s) / s**2)
    for method in ("central", "richardson"):
        hessian = numerical_hessian(f, x, method=method)
        np.testing.assert_allclose(np.diag(hessian), np.diag(exact), rtol=1e-5)
        assert abs(hessian[0, 1]) <= 1e-5 * np.sqrt(exact[0, 0] * exact[1, 1])


def test_the_richardson_hessian_estimates_its_own_value():
    result = numerical_hessian(
        lambda v: np.exp(3 * v[0]), np.array([0.7]), 0.05, method="richardson", full_output=True
    )
    actual = abs(result.value[0, 0] - 9 * np.exp(2.1))
    assert actual <= result.error[0, 0] <= 30 * actual


def test_the_complex_hessians_error_is_symmetric(rng):
    def f(v):
        return np.sum(np.exp(v[:, None] * v[None, :]))

    result = numerical_hessian(f, rng.uniform(-1, 1, 4), method="complex", full_output=True)
    np.testing.assert_array_equal(result.error, result.error.T)


def test_a_hessian_of_nan_warns_that_it_is_nan():
    with pytest.warns(RuntimeWarning, match="NaN or infinity") as record:
        hessian = numerical_hessian(lambda v: np.nan, np.array([1.0, 2.0]))
    assert np.isnan(hessian).all()
    assert not any("ignore its argument" in str(w.message) for w in record)


# -- the edge of f's domain ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "x"),
    [("central", 4e-6), ("richardson", 7e-4), ("backward", 1.2e-8), ("central", 1e-300)],
)
def test_auto_at_the_edge_of_the_domain_is_one_sided_and_says_so(method, x):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        derivative = numerical_diff(quiet_log, x, h="auto", method=method)
    # At 1e-300, |log x| = 690 costs the accuracy warning its digits too.
    assert any("one-sided difference at x = " in str(w.message) for w in record)
    assert derivative == pytest.approx(1 / x, rel=1e-6)


def test_the_gradient_at_the_edge_of_the_domain():
    x = np.array([4e-6, 1.0])
    with pytest.warns(RuntimeWarning, match=r"one-sided.*x\[0\]"):
        grad = numerical_gradient(lambda v: np.sum(quiet_log(v)), x, "auto")
    np.testing.assert_allclose(grad, 1 / x, rtol=1e-6)


def test_where_neither_side_is_finite_the_derivative_is_nan_and_named():
    def spike(v):
        return np.where(v == 1.0, 0.0, np.nan)

    with pytest.warns(RuntimeWarning, match=r"x\[1\]"):
        grad = numerical_gradient(lambda v: float(np.sum(spike(v))), np.array([1.0, 1.0]), "auto")
    assert np.isnan(grad).all()


# -- check_gradient -------------------------------------------------------------------


@pytest.mark.parametrize("wrong", [np.zeros(2), -1 / np.array([4e-6, 1.0]), np.full(2, 1e9)])
def test_check_gradient_never_passes_an_unknowable_element(wrong):
    x = np.array([4e-6, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = check_gradient(lambda v: np.sum(quiet_log(v)), x, wrong)
    assert not result.passed


def test_check_gradient_fails_where_the_numerical_value_is_not_finite():
    def f(v):
        return float(np.sum(np.where(v == 1.0, 0.0, np.nan)))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = check_gradient(f, np.array([1.0, 1.0]), np.zeros(2))
    assert not result.passed
    assert "not finite" in result.reason


def test_check_gradient_passes_the_right_gradient_at_the_edge():
    x = np.array([4e-6, 1.0])
    with pytest.warns(RuntimeWarning, match="one-sided"):
        result = check_gradient(lambda v: np.sum(quiet_log(v)), x, 1 / x)
    assert result.passed


# -- error estimates bound the value returned, kinks included -----------------------


# (Forward and backward differences cannot see a kink between x and their first
# point: they are left out.)
@pytest.mark.parametrize("method", ["central", "richardson"])
def test_estimates_see_a_kink_inside_the_step(method, rng):
    # |v - c| with the kink c inside the step: the estimate must cover the error.
    misses = 0
    for _ in range(100):
        kink = rng.uniform(-1, 1) * 1e-4
        result = numerical_diff(
            lambda v, kink=kink: np.abs(v - kink), 0.0, 1e-4, method=method, full_output=True
        )
        exact = -1.0 if kink > 0 else 1.0
        misses += abs(result.value - exact) > result.error
    assert misses == 0


# -- workers= hands f what the serial path hands it -----------------------------------


def matrix(rows):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return np.matrix(rows)


def loss_of_a_matrix(v):
    # What v * v means for np.matrix (the matrix product), without its deprecation warning.
    product = np.dot(v, v) if isinstance(v, np.matrix) else v * v
    return float(np.sum(np.asarray(product)))


POINTS = {
    "matrix": lambda: matrix([[1.0, 2.0], [3.0, 4.0]]),
    "fortran": lambda: np.asfortranarray(np.arange(12.0).reshape(3, 4) / 7 + 0.1),
    "int": lambda: np.arange(6, dtype=np.int64).reshape(2, 3),
}


@pytest.mark.parametrize("kind", POINTS)
@pytest.mark.parametrize("h", [1e-4, "auto"])
def test_workers_give_the_serial_result_bit_for_bit(kind, h):
    x = POINTS[kind]()
    serial = numerical_gradient(loss_of_a_matrix, x, h)
    with ThreadPoolExecutor(2) as pool:
        parallel = numerical_gradient(loss_of_a_matrix, x, h, workers=pool.map)
    np.testing.assert_array_equal(parallel, serial)


def test_the_hessians_workers_give_the_serial_result_bit_for_bit():
    x = matrix([[1.0, 2.0], [3.0, 4.0]])
    serial = numerical_hessian(loss_of_a_matrix, x)
    with ThreadPoolExecutor(2) as pool:
        parallel = numerical_hessian(loss_of_a_matrix, x, workers=pool.map)
    np.testing.assert_array_equal(parallel, serial)


def test_the_hessian_checks_what_the_map_returned():
    def short_map(f, points):
        return list(map(f, points))[:-1]

    with pytest.raises(ValueError, match=r"returned .* values for .* points"):
        numerical_hessian(np.sum, np.ones(2), workers=short_map)


def test_the_hessian_explains_pickling():
    def refuse(f, points):
        raise pickle.PicklingError(f"Can't pickle {f!r}")

    with pytest.raises(TypeError, match="must be picklable"):
        numerical_hessian(np.sum, np.ones(2), workers=refuse)


# -- complex f and the complex step -----------------------------------------------


@pytest.mark.parametrize(
    "differentiate",
    [
        lambda: numerical_diff(lambda v: 1j * v * v, 1.0, method="complex"),
        lambda: numerical_diff(lambda v: 1j * v * v, 1.0, "auto", method="complex"),
        lambda: numerical_gradient(
            lambda v: 1j * np.inner(v, v), np.ones(2), "auto", method="complex"
        ),
        lambda: numerical_gradient(lambda v: 1j * np.inner(v, v), np.ones(2), method="complex"),
        lambda: numerical_jacobian(lambda v: 1j * v * v, np.ones(2), method="complex"),
        lambda: numerical_hessian(lambda v: 1j * np.inner(v, v), np.ones(2), method="complex"),
    ],
    ids=["diff", "diff-auto", "gradient-auto", "gradient", "jacobian", "hessian"],
)
def test_the_complex_step_refuses_an_f_complex_at_real_x(differentiate):
    with pytest.raises(ValueError, match="real at real x"):
        differentiate()


# -- messages -----------------------------------------------------------------------


def test_a_ragged_jacobian_output_gets_numgrads_message():
    with pytest.raises(ValueError, match="f must return an array of one shape"):
        numerical_jacobian(lambda v: [v[0], [v[1], v[0]]], np.array([1.0, 2.0]))


def test_a_nan_is_not_said_to_be_computed_as_0():
    with pytest.warns(RuntimeWarning) as record:
        numerical_gradient(lambda v: np.nan, np.array([1e20, 1.0]))
    assert not any("computed as 0" in str(w.message) for w in record)


# -- f is called on the points the method needs, and nfev counts them -------------


class Counted:
    """A loss that counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, v):
        self.calls += 1
        return float(np.sum(np.sin(v) * np.arange(1, np.size(v) + 1)))


@pytest.mark.parametrize(
    ("method", "calls"),
    [
        ("central", lambda n: 2 * n),
        ("forward", lambda n: n + 1),
        ("backward", lambda n: n + 1),
        ("richardson", lambda n: 4 * n),
    ],
)
def test_a_given_step_calls_f_where_the_method_needs(method, calls):
    for n in (1, 3, 6):
        f = Counted()
        numerical_gradient(f, np.linspace(0.1, 0.9, n), method=method)
        assert f.calls == calls(n)
        f = Counted()
        result = numerical_gradient(f, np.linspace(0.1, 0.9, n), method=method, full_output=True)
        assert f.calls == result.nfev


@pytest.mark.parametrize("method", ["central", "forward", "richardson"])
def test_auto_counts_its_calls(method):
    f = Counted()
    result = numerical_gradient(f, np.ones(4), "auto", method=method, full_output=True)
    assert f.calls == result.nfev


def test_the_hessian_calls_f_where_its_method_needs():
    for n in (1, 2, 4):
        f = Counted()
        numerical_hessian(f, np.linspace(0.1, 0.9, n), 1e-3)
        assert f.calls == 2 * n * n + 1  # each pair once, and f(x)
        f = Counted()
        result = numerical_hessian(f, np.linspace(0.1, 0.9, n), full_output=True)
        assert f.calls == result.nfev


class CountedStack:
    """A vectorized f that counts the points it is called on."""

    def __init__(self, f):
        self.f, self.points, self.calls = f, 0, 0

    def __call__(self, stack):
        self.calls += 1
        self.points += len(stack)
        return self.f(stack)


@pytest.mark.parametrize(
    ("name", "f", "warning"),
    [
        ("a partial of exactly 0", lambda s: s @ np.array([1.0, 0.0, 2.0]), None),
        ("a float32 f", lambda s: np.sum(s.astype(np.float32) ** 2, axis=1), None),
        ("a list", lambda s: [float(v) for v in np.sum(s**2, axis=1)], None),
        ("an f that ignores x", lambda s: np.ones(len(s)), "ignore its argument"),
        ("NaN", lambda s: np.where(s[:, 1] > 2.00005, np.nan, s[:, 0]), "NaN or infinity"),
    ],
)
def test_the_vectorized_branch_never_calls_f_twice_for_a_point(name, f, warning):
    # The textbook's vectorized branch hands f's values to the general path where it
    # cannot finish (it used to call f again on all 2N points). An f that returns one
    # value everywhere is also called at x itself, to tell it from a true 0 gradient.
    counted = CountedStack(f)
    x = np.array([1.0, 2.0, 3.0])
    if warning is None:
        grad = numerical_gradient(counted, x, vectorized=True)
        assert np.allclose(grad, numerical_gradient(lambda v: f(v[np.newaxis])[0], x), atol=1e-3)
    else:
        with pytest.warns(RuntimeWarning, match=warning):
            numerical_gradient(counted, x, vectorized=True)
    at_x = name == "an f that ignores x"
    assert (counted.calls, counted.points) == (1 + at_x, 2 * x.size + at_x)


@pytest.mark.parametrize("method", ["central", "richardson", "complex"])
@pytest.mark.parametrize("x", [np.array(1.0), 1.0, np.array(-2), 0.5])
def test_the_hessian_of_a_function_of_one_number(method, x):
    # A 0-d x was once perturbed through a copy: f saw x unchanged and the Hessian
    # was 0 with no warning (or a false "f seems to ignore its argument").
    hessian = numerical_hessian(lambda v: 2 * v**3, x, method=method)
    assert hessian.shape == ()
    assert hessian == pytest.approx(12 * float(x), rel=1e-6)


def test_the_complex_step_at_zero_is_not_taken_for_an_f_that_ignores_x():
    # Im f(x + ih) underflows to 0 at x = 0 for these f: every value is the same, and
    # numgrad once warned that f "seems to ignore its argument".
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grad = numerical_gradient(lambda v: np.sum(v**2), np.zeros(3), "auto", method="complex")
        jac = numerical_jacobian(lambda v: 2 * v**3, np.zeros(2), "auto", method="complex")
    assert np.array_equal(grad, np.zeros(3))
    assert np.array_equal(jac, np.zeros((2, 2)))
    with pytest.warns(RuntimeWarning, match="ignore its argument"):
        numerical_gradient(lambda v: np.complex128(1.0), np.zeros(3), method="complex")


@pytest.mark.parametrize("method", ["central", "richardson", "forward"])
def test_an_infinite_f_leaks_no_numpy_warning(method):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = numerical_diff(lambda x: np.inf * np.ones_like(x), 0.0, "auto", method=method)
    assert np.isnan(value)

"""numerical_diff and tangent_line: accuracy, convergence order, arguments."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numgrad import numerical_diff, tangent_line

METHODS = ["central", "forward", "backward", "richardson", "complex"]

# (f, f', x): f accepts complex input for the complex step.
CASES = {
    "quadratic at 5": (lambda x: 0.01 * x**2 + 0.1 * x, lambda x: 0.02 * x + 0.1, 5.0),
    "sin at 1": (np.sin, np.cos, 1.0),
    "exp at 10": (np.exp, np.exp, 10.0),
    "1/x at 1e-3": (lambda x: 1 / x, lambda x: -1 / x**2, 1e-3),
}

# Relative error bounds with h="auto", from the error model in the Notes:
# truncation ~ h**order, rounding ~ eps / h at the balancing step.
AUTO_BOUNDS = {
    "central": 1e-9,
    "forward": 1e-6,
    "backward": 1e-6,
    "richardson": 1e-11,
    "complex": 1e-15,
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("method", METHODS)
def test_auto_step_accuracy(case, method):
    f, exact, x = CASES[case]
    value = numerical_diff(f, x, "auto", method=method)
    assert abs(value / exact(x) - 1) <= AUTO_BOUNDS[method]


def test_auto_step_at_zero_uses_an_absolute_step():
    assert numerical_diff(np.sin, 0.0, "auto") == pytest.approx(1.0, rel=1e-10)
    assert numerical_diff(np.sin, 0.0, "auto", method="complex") == 1.0


@pytest.mark.parametrize(
    ("method", "order"),
    [("forward", 1), ("backward", 1), ("central", 2), ("richardson", 4), ("complex", 2)],
)
def test_convergence_order(method, order):
    # Where truncation dominates (h large enough that rounding is negligible),
    # the error falls like h**order: the log-log slope is the order.
    steps = np.logspace(-1.0, -2.0, 6) if order < 4 else np.logspace(-0.3, -1.0, 6)
    errors = [abs(numerical_diff(np.exp, 1.0, h, method=method) - math.e) for h in steps]
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert slope == pytest.approx(order, abs=0.1)


def test_central_error_has_the_v_shape():
    # Too small a step loses to rounding: the error at 1e-12 exceeds the one at 1e-5.
    def error(h):
        return abs(numerical_diff(np.exp, 1.0, h) - math.e)

    assert error(1e-12) > 100 * error(1e-5)
    assert error(1e-1) > 100 * error(1e-5)


def test_python_numbers_and_math_functions():
    assert numerical_diff(math.sin, 0.0) == pytest.approx(1.0, abs=1e-8)
    assert isinstance(numerical_diff(math.exp, 1), float)


def test_elementwise_on_arrays():
    x = np.array([[0.5, 1.0], [2.0, 3.0]])
    result = numerical_diff(np.log, x)
    assert result.shape == x.shape
    np.testing.assert_allclose(result, 1 / x, rtol=1e-7)
    np.testing.assert_allclose(
        numerical_diff(np.log, x, "auto", method="complex"), 1 / x, rtol=1e-15
    )


def test_integer_array_input():
    np.testing.assert_allclose(numerical_diff(np.square, np.array([1, 2, 3])), [2, 4, 6], rtol=1e-9)


def test_complex_step_needs_complex_aware_f():
    with pytest.raises(TypeError):
        numerical_diff(math.sin, 1.0, method="complex")


@pytest.mark.parametrize(
    ("h", "error"),
    [
        (0, ValueError),
        (-1e-4, ValueError),
        (float("inf"), ValueError),
        (float("nan"), ValueError),
        ("small", TypeError),
        (None, TypeError),
    ],
)
def test_bad_step(h, error):
    with pytest.raises(error, match="h must be a positive finite number"):
        numerical_diff(np.sin, 1.0, h)


def test_bad_method():
    with pytest.raises(ValueError, match="method must be one of 'central'"):
        numerical_diff(np.sin, 1.0, method="five-point")


def test_bad_x():
    with pytest.raises(TypeError, match="x must be a real number"):
        numerical_diff(np.sin, 1j)


def test_tangent_line_touches_and_has_the_slope():
    def f(x):
        return 0.01 * x**2 + 0.1 * x

    line = tangent_line(f, 5)
    assert line.slope == numerical_diff(f, 5)
    assert line(5) == pytest.approx(f(5), abs=1e-12)
    assert line.intercept == pytest.approx(-0.25, abs=1e-10)
    t = np.array([0.0, 10.0, 20.0])
    np.testing.assert_allclose(line(t), 0.2 * t - 0.25, atol=1e-9)


def test_tangent_line_needs_one_point():
    with pytest.raises(ValueError, match="x must be a single number"):
        tangent_line(np.sin, np.array([1.0, 2.0]))


def test_tangent_line_shows_its_slope_and_intercept():
    line = tangent_line(lambda x: 0.01 * x**2 + 0.1 * x, 5)
    assert str(line) == "y = 0.2x - 0.25"
    assert repr(line) == f"TangentLine(slope={line.slope!r}, intercept={line.intercept!r})"
    assert str(tangent_line(lambda x: x**2 + 3.0, 0)) == "y = 0x + 3"


def test_f_of_a_vector_is_pointed_to_numerical_gradient():
    with pytest.raises(
        ValueError, match=r"f must return one number per element.*numerical_gradient"
    ):
        numerical_diff(lambda v: v[0] ** 2 + v[1] ** 2, np.array([3.0, 4.0]))


@pytest.mark.parametrize("value", [None, "0.5", [1.0, 2.0]])
def test_f_must_return_numbers(value):
    with pytest.raises((TypeError, ValueError), match="f must return"):
        numerical_diff(lambda v: value, 1.0)


def test_complex_step_says_f_must_accept_complex_numbers():
    with pytest.raises(TypeError, match="f must accept complex numbers"):
        numerical_diff(math.sin, 1.0, method="complex")


@pytest.mark.parametrize("x", [np.float16(1.0), np.array([1.0, 2.0], dtype=np.float16)])
def test_float16_is_differentiated_in_float64(x):
    # Not a silent 0: 1 + 1e-4 is not representable in float16, but numgrad works in float64.
    result = numerical_diff(np.square, x)
    np.testing.assert_allclose(result, 2 * np.asarray(x, dtype=np.float64), rtol=1e-8)
    line = tangent_line(np.square, np.float16(1.0))
    assert line.slope == pytest.approx(2.0, rel=1e-8)


def test_a_step_that_does_not_change_x_raises():
    with pytest.raises(ValueError, match=r'h=1e-05 does not change x = 10000000000000.0.*h="auto"'):
        numerical_diff(np.sin, 1e13, h=1e-5)
    with pytest.raises(ValueError, match=r"does not change x\[1\]"):
        numerical_diff(np.sin, np.array([1.0, 1e13]), h=1e-5)


def test_the_complex_step_may_be_far_below_an_ulp_of_x():
    assert numerical_diff(np.sin, 1.0, 1e-200, method="complex") == math.cos(1.0)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("method", METHODS)
def test_the_auto_branch_at_a_number_is_the_array_rule_bit_for_bit(case, method):
    # At a Python number h="auto" runs its pilot in Python floats first (the engine's
    # first branch); it must give what the array rule gives, value and error.
    f, _, x = CASES[case]
    number = numerical_diff(f, x, "auto", method=method, full_output=True)
    array = numerical_diff(f, np.array([x]), "auto", method=method, full_output=True)
    assert number.value == array.value[0]
    assert number.error == array.error[0]

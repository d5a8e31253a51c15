"""Test cases of three peer libraries, ported to numgrad's API.

Each case names where it came from: the peer, the test function, and what was
adapted. The peers' files, as read for this port:

- jacobi: ``tests/test_jacobi.py`` (HDembinski/jacobi, commit 840e545);
- numdifftools: ``src/numdifftools/tests/test_numdifftools.py``
  (pbrod/numdifftools, commit c48563b);
- SciPy: ``scipy/differentiate/tests/test_differentiate.py`` (scipy/scipy,
  commit 3dbf660).

The expected values are the analytic answers the peers use, written out here
(SciPy's ``ndtr``, distributions, ``rosen``, ``rosen_der`` and ``rosen_hess``
included, so the tests need neither SciPy nor the peers). The tolerances are
the peers': ``numpy.testing.assert_allclose``'s default ``rtol=1e-7`` for
jacobi and numdifftools, ``xp_assert_close``'s default ``rtol=4 * sqrt(eps)``
(``NP_RTOL``, ``scipy_rtol`` below) for SciPy, and the ``atol`` each test gives.
Where a peer's method is an adaptive extrapolation (jacobi; numdifftools'
default; SciPy's ``derivative``), the comparable numgrad method is
``method="richardson", h="auto"``; a comment says so where a case uses another.

Left out, because numgrad has no such feature (or, last item, the reference needs SciPy):

- jacobi ``test_mask`` (``mask=``), ``test_rtol`` (``rtol=``),
  ``test_bad_maxiter``, ``test_bad_maxgrad`` (``maxiter=``, ``maxgrad=``);
  ``test_maxgrad`` is kept with numgrad's methods in place of the
  extrapolation depth.
- numdifftools ``TestRichardson`` (the coefficients of its internal Richardson
  rules), ``test_default_scale`` and ``test_derivative_with_step_options``
  (its step generators), ``test_jacobian_fulloutput`` and
  ``test_gradient_fulloutput`` (``final_step`` of its step generator, and ``f``
  with several positional arguments), ``test_issue_27b`` (the same as
  ``test_issue_27a`` for n = 1000), the ``n > 1`` parts of
  ``test_high_order_derivative_cos`` and ``test_derivative_of_cos_x``
  (derivatives of order n), ``test_complex_hessian_issue_35`` for complex ``x``
  and the real methods' complex answers (complex-valued ``f``: kept as the
  errors numgrad raises instead), the ``multicomplex`` and ``central2``
  methods (the nearest numgrad methods are used).
- SciPy ``test_flags``, ``test_flags_preserve_shape``, ``test_convergence``,
  ``test_maxiter_callback``, ``test_attrs``, ``test_nfev`` and
  ``test_small_rtol_warning`` (status flags, ``tolerances=``, ``maxiter=``,
  ``callback=``, per-element iteration counts), ``TestJacobian.test_iv`` and
  ``TestHessian.test_iv`` (SciPy requires a 1-D ``x`` and validates those
  options; numgrad takes 0-d ``x``), the parts of ``test_input_validation``
  and ``test_special_cases`` about those options and ``step_direction=nan``,
  the ``order=`` and ``step_factor=`` parts of ``test_vectorization`` and
  ``test_step_parameters``, and the ``nit``/``error`` checks of
  ``test_special_cases``; the ``distcont`` cases of ``test_accuracy`` without
  a closed-form cdf and median (23 distributions that have one are ported).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from numgrad import numerical_diff, numerical_gradient, numerical_hessian, numerical_jacobian

assert_allclose = np.testing.assert_allclose

# numpy.testing.assert_allclose's default, which jacobi and numdifftools use.
NP_RTOL = 1e-7


def scipy_rtol(dtype=np.float64):
    """SciPy's ``xp_assert_close`` default: ``4 * sqrt(eps)`` of the dtype."""
    return 4 * float(np.finfo(dtype).eps) ** 0.5


# =====================================================================================
# jacobi: tests/test_jacobi.py
#
# jacobi extrapolates central differences (Richardson); numgrad's counterpart is
# method="richardson" with h="auto". jacobi returns (value, error): the error is
# compared as numgrad's full_output error estimate.
# =====================================================================================


def jacobi_f1(x, a):
    return x**a + 3


def jacobi_fd1(x, a):
    return a * x ** (a - 1)


def jacobi_f5(x):
    return np.mean(x**2)


def jacobi_fd5(x):
    return 2 * x / len(x)


def jacobi_f6(x):
    return np.outer(x, x)


def jacobi_fd6(r):
    x, y, z = r
    out = np.empty((3, 3, 3))
    out[..., 0] = [[2 * x, y, z], [y, 0, 0], [z, 0, 0]]
    out[..., 1] = [[0, x, 0], [x, 2 * y, z], [0, z, 0]]
    out[..., 2] = [[0, 0, x], [0, 0, y], [x, y, 2 * z]]
    return out


JACOBI_F7_A = np.array([[1, 2, 3], [4, 5, 6]])


def jacobi_f7(x):
    return JACOBI_F7_A * x**2


def jacobi_error_bound(expected):
    # jacobi asserts its error estimate below atol=1e-10. Adapted: numgrad's estimate
    # scales with the size of f (its rounding term is eps |f| / h, in every element of
    # f's row, zeros included; 1.5e-10 for exp(3) = 20), so the bound is 1e-10 relative
    # to the largest element of the Jacobian where that exceeds 1.
    return 1e-10 * max(1.0, float(np.max(np.abs(expected))))


def test_jacobi_squeeze():
    # jacobi test_squeeze: exp at the integer 0 (promoted to float), a scalar result.
    result = numerical_diff(np.exp, 0, h="auto", method="richardson", full_output=True)
    assert isinstance(result.value, float)
    assert_allclose(result.value, 1.0, rtol=NP_RTOL)
    assert result.error <= 1e-10


JACOBI_1D = {
    "constant": (lambda x: 1.0, lambda x: np.zeros(3)),
    "exp": (np.exp, lambda x: np.diagflat(np.exp(x))),
    "square": (lambda x: x**2, lambda x: np.diagflat(2 * x)),
    "ones_like": (np.ones_like, lambda x: np.zeros((3, 3))),
    "reciprocal": (lambda x: x**-1, lambda x: np.diagflat(-(x**-2))),
    "sqrt": (lambda x: (x + 1) ** 0.5, lambda x: np.diagflat(0.5 * (x + 1) ** -0.5)),
    "mean_of_squares": (jacobi_f5, jacobi_fd5),
    "outer": (jacobi_f6, jacobi_fd6),
}


@pytest.mark.parametrize("name", JACOBI_1D)
def test_jacobi_1d(name):
    # jacobi test_1d. jacobi's Jacobian of the constant 1.0 is 0.0 broadcast; numgrad's
    # has the shape f(x).shape + x.shape = (3,) of a scalar f's gradient.
    f, fd = JACOBI_1D[name]
    x = np.array([1, 2, 3], dtype=float)
    result = numerical_jacobian(f, x, h="auto", method="richardson", full_output=True)
    expected = fd(x)
    assert result.value.shape == expected.shape
    assert_allclose(result.value, expected, rtol=NP_RTOL)
    assert np.all(result.error <= jacobi_error_bound(expected))


def test_jacobi_0d():
    # jacobi test_0d: a (2, 3) function of the scalar 2.
    x = 2
    result = numerical_jacobian(jacobi_f7, x, h="auto", method="richardson", full_output=True)
    assert np.ndim(result.value) == 2
    expected = JACOBI_F7_A * 2 * x
    assert_allclose(result.value, expected, rtol=NP_RTOL)
    assert np.all(result.error <= jacobi_error_bound(expected))


def test_jacobi_2d():
    # jacobi test_2d: the same function of a (2, 3) list of integers.
    x = [[1, 2, 3], [3, 4, 5]]
    jacobian = numerical_jacobian(jacobi_f7, x, h="auto", method="richardson")
    assert np.ndim(jacobian) == 4
    expected = np.zeros((2, 3, 2, 3))
    for i in range(2):
        for j in range(3):
            expected[i, j, i, j] = JACOBI_F7_A[i, j] * 2 * x[i][j]
    assert_allclose(jacobian, expected, rtol=NP_RTOL)


def test_jacobi_abs_at_zero():
    # jacobi test_abs_at_zero: the symmetric difference of |x| at its kink is 0, which
    # jacobi returns with an error of 0. Adapted: |x| has no derivative at 0, and
    # numgrad's error estimate sees the kink, so h="auto" warns that its accuracy was
    # not reached; the value is still the symmetric difference, 0.
    with pytest.warns(RuntimeWarning, match="could not reach its accuracy"):
        derivative = numerical_diff(np.abs, 0, h="auto")
    assert derivative == 0


def jacobi_identity(x):
    return x


def jacobi_right_of_zero(x):
    return x if x >= 0 else math.nan


def jacobi_left_of_zero(x):
    return x if x <= 0 else math.nan


JACOBI_DOMAINS = {
    "everywhere": jacobi_identity,
    "right_of_0": jacobi_right_of_zero,
    "left_of_0": jacobi_left_of_zero,
}


@pytest.mark.parametrize("domain", JACOBI_DOMAINS)
def test_jacobi_method_auto(domain):
    # jacobi test_method_auto: f(x) = x at 0, defined everywhere or on one side only;
    # jacobi picks a one-sided rule where f is NaN on the other side. numgrad's
    # h="auto" does too, and says so in a warning (asserted where it applies).
    f = JACOBI_DOMAINS[domain]
    if domain == "everywhere":
        derivative = numerical_diff(f, 0, h="auto", method="richardson")
    else:
        with pytest.warns(RuntimeWarning, match="one-sided difference"):
            derivative = numerical_diff(f, 0, h="auto", method="richardson")
    assert_allclose(derivative, 1.0, rtol=NP_RTOL)


@pytest.mark.parametrize("method", ["backward", "central", "forward"])
@pytest.mark.parametrize("domain", JACOBI_DOMAINS)
def test_jacobi_method(method, domain):
    # jacobi test_method: a forced rule (method=-1, 0, 1). Adapted: numgrad's forced
    # rule is a given step (h="auto" would switch to a one-sided rule, as above). A rule
    # that reaches into the NaN side gives NaN with an infinite error, as in jacobi.
    f = JACOBI_DOMAINS[domain]
    result = numerical_diff(f, 0, h=1e-4, method=method, full_output=True)
    reaches_nan = (domain == "right_of_0" and method != "forward") or (
        domain == "left_of_0" and method != "backward"
    )
    if reaches_nan:
        assert math.isnan(result.value)
        assert result.error == math.inf
    else:
        assert_allclose(result.value, 1.0, rtol=NP_RTOL)
        assert result.error <= 1e-10


@pytest.mark.parametrize("x", [2, [1, 2]], ids=["scalar", "vector"])
def test_jacobi_diagonal(x):
    # jacobi test_diagonal: the diagonal of an elementwise f's Jacobian, which is what
    # numerical_diff computes for an array x.
    derivative = numerical_diff(
        lambda t: jacobi_f1(t, 3), np.asarray(x), h="auto", method="richardson"
    )
    assert np.ndim(derivative) == np.ndim(x)
    assert_allclose(derivative, jacobi_fd1(np.asarray(x, dtype=float), 3), rtol=NP_RTOL)


@pytest.mark.parametrize("method", ["central", "richardson"])
def test_jacobi_maxgrad(method):
    # jacobi test_maxgrad (0, 2, 5: how many Richardson extrapolations). Adapted: numgrad
    # has no maxgrad; "central" is the difference without extrapolation, "richardson"
    # with one. jacobi's atol=1e-5 holds for both.
    x = np.array([1, 2, 3])
    jacobian = numerical_jacobian(lambda t: jacobi_f1(t, 3), x, h="auto", method=method)
    assert_allclose(jacobian, np.diag(jacobi_fd1(x, 3)), atol=1e-5)


@pytest.mark.parametrize("h", [0, -1, math.inf, math.nan])
def test_jacobi_bad_step(h):
    # jacobi test_bad_step_0 / test_bad_step_1 (step=(initial, factor) out of range).
    # Adapted: numgrad's step is h, which must be positive and finite.
    with pytest.raises(ValueError, match="h must be a positive finite number"):
        numerical_jacobian(lambda t: jacobi_f1(t, 3), 1.0, h=h)


@pytest.mark.parametrize("method", [-2, -3, 2, 3])
def test_jacobi_bad_method(method):
    # jacobi test_bad_method: jacobi's methods are -1, 0, 1; numgrad's are names.
    with pytest.raises(ValueError, match="method must be one of"):
        numerical_jacobian(lambda t: jacobi_f1(t, 3), 1.0, method=method)


def test_jacobi_on_nan():
    # jacobi test_on_nan: x = [2, nan, 3] for x**2 + 3. jacobi's expected values: the
    # row and column of the NaN element are NaN. numgrad agrees, and warns.
    x = np.array([2.0, np.nan, 3.0])
    with pytest.warns(RuntimeWarning, match="NaN or infinity"):
        jacobian = numerical_jacobian(lambda t: jacobi_f1(t, 2), x, h="auto", method="richardson")
    nan = np.nan
    assert_allclose(jacobian, [[4.0, nan, 0.0], [nan, nan, nan], [0.0, nan, 6.0]], rtol=NP_RTOL)


def jacobi_list_function(x):
    return [x[0], 2 * x[1], x[1] ** 2]


@pytest.mark.parametrize("method", ["richardson", "backward", "central", "forward"])
def test_jacobi_non_array_arguments_and_return_value(method):
    # jacobi test_non_array_arguments_and_return_value: a tuple of integers in, a list
    # out; jacobi's method=None, -1, 0, 1 mapped to richardson, backward, central, forward.
    jacobian = numerical_jacobian(jacobi_list_function, (1, 2), h="auto", method=method)
    assert_allclose(jacobian, [(1, 0), (0, 2), (0, 4)], rtol=NP_RTOL, atol=1e-12)


@pytest.mark.parametrize("method", ["richardson", "backward", "central", "forward"])
@pytest.mark.parametrize(
    ("f", "error", "match"),
    [
        (lambda x: [1, [1, 2]], ValueError, "f must return an array of one shape"),
        (lambda x: "s", TypeError, "f must return real numbers"),
        (lambda x: ("a", "b"), TypeError, "f must return real numbers"),
    ],
    ids=["ragged", "string", "tuple_of_strings"],
)
def test_jacobi_bad_return_value(method, f, error, match):
    # jacobi test_bad_return_value_2. Adapted: jacobi raises ValueError for all three;
    # numgrad raises TypeError for values that are not numbers (its documented error).
    with pytest.raises(error, match=match):
        numerical_jacobian(f, (1, 2), method=method)


# =====================================================================================
# numdifftools: src/numdifftools/tests/test_numdifftools.py
#
# numdifftools' default (method="central") extrapolates central differences over a
# sequence of steps; numgrad's counterpart is method="richardson" with h="auto". Its
# other methods are run as the same numgrad method with h="auto".
# =====================================================================================

ND_FIRST_METHODS = ["complex", "central", "forward", "backward", "richardson"]
HESSIAN_METHODS = ["central", "richardson", "complex"]


def nd_rosen(x):
    """numdifftools.testing.rosen: note its 105, not 100."""
    x = np.atleast_1d(x)
    return (1 - x[0]) ** 2 + 105.0 * (x[1] - x[0] ** 2) ** 2


@pytest.mark.parametrize("method", ["richardson", "complex"])
def test_numdifftools_directional_diff(method):
    # numdifftools TestDerivative.test_directional_diff and TestGradient.test_directional_diff:
    # the gradient of rosen at (2, 3) along (1, -1) / sqrt(2), which is 1052 / sqrt(2).
    v = np.array([1.0, -1.0]) / np.sqrt(2)
    gradient = numerical_gradient(nd_rosen, [2, 3], h="auto", method=method)
    assert_allclose(gradient @ v, 743.87633380824832, rtol=NP_RTOL)
    assert_allclose(gradient @ v, 1052 / math.sqrt(2), rtol=NP_RTOL)


def test_numdifftools_infinite_functions():
    # numdifftools TestDerivative.test_infinite_functions: f = inf everywhere has no
    # derivative; numdifftools returns NaN.
    def f_inf(x):
        return np.inf * np.ones_like(x)

    derivative = numerical_diff(f_inf, 0.0, h="auto", method="richardson")
    assert np.isnan(derivative)


# The three @example points of test_derivative_of_cos_x, and the ends of its range [0, 10].
ND_COS_POINTS = [7.6564547238847105, 8.9428143931508, 2.2204460492503134e-14, 0.0, 10.0]


@pytest.mark.parametrize("method", ND_FIRST_METHODS)
@pytest.mark.parametrize("x", ND_COS_POINTS)
def test_numdifftools_derivative_of_cos_x(x, method):
    # numdifftools TestDerivative.test_derivative_of_cos_x, n = 1: rtol=1e-6 and
    # atol = 100 * (its error estimate) + 1e-14, here with numgrad's error estimate.
    # The hypothesis draw is replaced by its @example points and the range's ends.
    result = numerical_diff(np.cos, x, h="auto", method=method, full_output=True)
    assert_allclose(result.value, -np.sin(x), rtol=1e-6, atol=100 * result.error + 1e-14)


@pytest.mark.parametrize("method", ["complex", "central", "forward", "backward"])
def test_numdifftools_high_order_derivative_cos(method):
    # numdifftools TestDerivative.test_high_order_derivative_cos, n = 1 (the only order
    # numgrad computes): cos' at pi/2 is -1, atol=1e-4.
    derivative = numerical_diff(np.cos, np.pi / 2, h="auto", method=method)
    assert_allclose(derivative, -1.0, atol=1e-4)


def nd_cube_with_parameters(x, a, b=1):
    return b * a * x * x * x


def nd_cube(x):
    # test_fun_with_additional_parameters calls df(x, 1.0, b=2). Adapted: numgrad's f
    # takes x only, so the parameters are bound here.
    return nd_cube_with_parameters(x, 1.0, b=2)


ND_FIRST_DERIVATIVES = {
    "Derivative": numerical_diff,
    "Gradient": numerical_gradient,
    "Jacobian": numerical_jacobian,
}


@pytest.mark.parametrize("method", ND_FIRST_METHODS)
@pytest.mark.parametrize("kind", ND_FIRST_DERIVATIVES)
def test_numdifftools_fun_with_additional_parameters(kind, method):
    # numdifftools TestDerivative.test_fun_with_additional_parameters (issue #9):
    # 2 x**3 at 0 (atol=1e-13) and at 1 (6, rtol=1e-7), scalar x.
    differentiate = ND_FIRST_DERIVATIVES[kind]
    assert_allclose(differentiate(nd_cube, 0.0, h="auto", method=method), 0, atol=1e-13)
    assert_allclose(differentiate(nd_cube, 1.0, h="auto", method=method), 6, rtol=NP_RTOL)


@pytest.mark.parametrize("method", HESSIAN_METHODS)
@pytest.mark.parametrize("x", [0.0, 1.0, np.array(0.0), np.array(1.0)], ids=repr)
def test_numdifftools_fun_with_additional_parameters_hessian(x, method):
    # numdifftools TestDerivative.test_fun_with_additional_parameters, Hessian and
    # Hessdiag: 12 x at a scalar x (the peer passes the float; a 0-d array is the same
    # point). numgrad's Hessian methods replace forward/backward/multicomplex.
    hessian = numerical_hessian(nd_cube, x, method=method)
    assert np.shape(hessian) == ()
    assert_allclose(hessian, 12 * float(x), rtol=NP_RTOL, atol=1e-13)


def test_numdifftools_derivative_cube():
    # numdifftools TestDerivative.test_derivative_cube (issue 7): the shape of x is kept.
    x = np.ones((3, 2)) * 2
    derivative = numerical_diff(lambda t: t * t * t, x, h="auto", method="richardson")
    assert derivative.shape == (3, 2)
    assert_allclose(derivative, 3 * x**2, rtol=1e-8)


def test_numdifftools_derivative_exp():
    # numdifftools TestDerivative.test_derivative_exp.
    assert_allclose(numerical_diff(np.exp, 0, h="auto", method="richardson"), 1.0, rtol=1e-8)


def test_numdifftools_derivative_sin():
    # numdifftools TestDerivative.test_derivative_sin: at 13 points over [0, 2 pi].
    x = np.linspace(0, 2.0 * np.pi, 13)
    derivative = numerical_diff(np.sin, x, h="auto", method="richardson")
    assert_allclose(derivative, np.cos(x), atol=1e-8)


def test_numdifftools_backward_derivative_on_sinh():
    # numdifftools TestDerivative.test_backward_derivative_on_sinh.
    derivative = numerical_diff(np.sinh, 0.0, h="auto", method="backward")
    assert_allclose(derivative, np.cosh(0.0), rtol=NP_RTOL)


@pytest.mark.parametrize("method", ["central", "forward"])
def test_numdifftools_central_and_forward_derivative_on_log(method):
    # numdifftools TestDerivative.test_central_and_forward_derivative_on_log: log at
    # 0.001, close to the edge of its domain. The peer's MinStepGenerator is replaced by
    # h="auto", which must shrink its step below x.
    x = 0.001
    derivative = numerical_diff(np.log, x, h="auto", method=method)
    assert_allclose(derivative, 1.0 / x, rtol=NP_RTOL)


def nd_scalar_to_vector(x):
    return np.array([x, x**2, x**3]).ravel()


@pytest.mark.parametrize("method", ["complex", "central", "forward", "backward"])
@pytest.mark.parametrize("val", [-1000.0, 0.0, 0.5, 1000.0])
def test_numdifftools_jacobian_scalar_to_vector(val, method):
    # numdifftools TestJacobian.test_scalar_to_vector (rtol=1e-3, atol=1e-6); the
    # hypothesis draw over [-1000, 1000] is replaced by fixed points. Adapted: the
    # Jacobian of a vector f of a scalar x has shape (3,) in numgrad, (3, 1) in the peer.
    jacobian = numerical_jacobian(nd_scalar_to_vector, val, h="auto", method=method)
    assert_allclose(jacobian, [1.0, 2 * val, 3 * val**2], rtol=1e-3, atol=1e-6)


def nd_scalar_function(x):
    return x[0] * x[1] * x[2] + np.exp(x[0]) * x[1]


@pytest.mark.parametrize("method", ["complex", "central", "forward", "backward"])
def test_numdifftools_jacobian_on_scalar_function(method):
    # numdifftools TestJacobian.test_on_scalar_function. Adapted: shape (3,), not (1, 3).
    jacobian = numerical_jacobian(nd_scalar_function, [3.0, 5.0, 7.0], h="auto", method=method)
    e3 = math.exp(3)
    assert_allclose(jacobian, [135.42768462, 41.08553692, 15.0], rtol=NP_RTOL)
    assert_allclose(jacobian, [35 + 5 * e3, 21 + e3, 15], rtol=NP_RTOL)


ND_XDATA = np.arange(0, 1, 0.1)
ND_YDATA = 1 + 2 * np.exp(0.75 * ND_XDATA)


def nd_squared_residuals(c):
    return (c[0] + c[1] * np.exp(c[2] * ND_XDATA) - ND_YDATA) ** 2


@pytest.mark.parametrize("method", ["complex", "central", "richardson", "forward", "backward"])
def test_numdifftools_jacobian_on_vector_valued_function(method):
    # numdifftools TestJacobian.test_on_vector_valued_function: squared residuals at the
    # exact fit, whose Jacobian is 0 (atol=1e-12).
    #
    # At the fit f is ~0 and its values carry the rounding of the residual, far more
    # than eps * |f|; numgrad judges its error against the size of those values and
    # warns for the real differences, which is what it documents. central and
    # richardson still meet the peer's atol; forward and backward cannot (truncation
    # h * f'' with h ~ 1e-8), which the peer reaches by extrapolating: for those the
    # warning is the result, and the value is checked against their truncation bound.
    c = [1, 2, 0.75]
    if method == "complex":
        jacobian = numerical_jacobian(nd_squared_residuals, c, h="auto", method=method)
        assert_allclose(jacobian, np.zeros((ND_XDATA.size, 3)), atol=1e-12)
        return
    with pytest.warns(RuntimeWarning, match="could not reach its accuracy"):
        jacobian = numerical_jacobian(nd_squared_residuals, c, h="auto", method=method)
    atol = 1e-12 if method in ("central", "richardson") else 1e-7
    assert_allclose(jacobian, np.zeros((ND_XDATA.size, 3)), atol=atol)


def nd_two_polynomials(x):
    x = np.atleast_1d(x)
    return np.array([x[0] ** 2 + x[1] ** 2, x[0] ** 3 + x[1] ** 3])


def nd_two_polynomials_derivatives(x):
    """The peer's dfun: d f_i / d x_j for each column of x, shape (2, 2, *columns)."""
    x = np.asarray(x, dtype=float)
    return np.array([[2 * x[0], 2 * x[1]], [3 * x[0] ** 2, 3 * x[1] ** 2]])


@pytest.mark.parametrize(
    "x",
    [[1, 2], [3, 4], [[1, 2], [3, 4]], [(1, 2, 3, 4), (5, 6, 7, 8)]],
    ids=["1d_a", "1d_b", "2x2", "2x4"],
)
def test_numdifftools_jacobian_on_matrix_valued_function(x):
    # numdifftools TestJacobian.test_on_matrix_valued_function. For a 2-D x the peer
    # treats the columns as independent points and returns dfun's (2, 2, k) array;
    # numgrad returns the whole (2, k, 2, k) Jacobian, whose diagonal over the columns is
    # dfun and the rest 0.
    x = np.asarray(x, dtype=float)
    jacobian = numerical_jacobian(nd_two_polynomials, x, h="auto", method="richardson")
    expected = nd_two_polynomials_derivatives(x)
    if x.ndim == 1:
        assert_allclose(jacobian, expected, rtol=NP_RTOL)
        return
    k = x.shape[1]
    assert jacobian.shape == (2, k, 2, k)
    assert_allclose(np.diagonal(jacobian, axis1=1, axis2=3), expected, rtol=NP_RTOL)
    off_diagonal = jacobian * (1 - np.eye(k))[None, :, None, :]
    assert_allclose(off_diagonal, 0, atol=1e-12)


def test_numdifftools_jacobian_issue_68():
    # numdifftools TestJacobian.test_issue_68: f of shape (1,).
    def f(x):
        return np.array([np.sum(x**2) - 1])

    jacobian = numerical_jacobian(f, np.array([1.0, 2]), h="auto", method="richardson")
    assert_allclose(jacobian, [[2.0, 4.0]], rtol=NP_RTOL)


def nd_g_fun(x):
    out = np.zeros((2, 2))
    out[0] = x
    out[1] = x
    return out


def nd_fun3(x):
    return np.vstack((x[0] * x[1] * x[2] ** 2, x[0] * x[1] * x[2]))


def test_numdifftools_jacobian_issue_25_matrix_of_vector():
    # numdifftools TestJacobian.test_issue_25, first part: a (2, 2) f of a 2-vector.
    jacobian = numerical_jacobian(nd_g_fun, np.array([1.0, 2.0]), h="auto", method="richardson")
    assert_allclose(jacobian, [[[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]], rtol=NP_RTOL)


def test_numdifftools_jacobian_issue_25_matrix_of_matrix():
    # numdifftools TestJacobian.test_issue_25, second part: x of shape (3, 2), two
    # independent columns. The peer's (2, 3, 2) answer tv[i, j, k] is numgrad's
    # J[i, k, j, k]; the rest of numgrad's (2, 2, 3, 2) Jacobian is 0.
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).T
    jacobian = numerical_jacobian(nd_fun3, x, h="auto", method="richardson")
    tv = [[[18.0, 180.0], [9.0, 144.0], [12.0, 240.0]], [[6.0, 30.0], [3.0, 24.0], [2.0, 20.0]]]
    assert jacobian.shape == (2, 2, 3, 2)
    assert_allclose(np.diagonal(jacobian, axis1=1, axis2=3), tv, rtol=NP_RTOL)
    assert_allclose(jacobian[:, 0, :, 1], 0, atol=1e-12)
    assert_allclose(jacobian[:, 1, :, 0], 0, atol=1e-12)


@pytest.mark.parametrize("method", ["complex", "central", "forward", "backward"])
def test_numdifftools_jacobian_issue_27a(method):
    # numdifftools TestJacobian.test_issue_27a (memory): x**2 of 500 elements.
    n = 500
    jacobian = numerical_jacobian(lambda x: x**2, np.ones(n), h="auto", method=method)
    assert_allclose(jacobian, 2 * np.diag(np.ones(n)), rtol=NP_RTOL)


def test_numdifftools_gradient_issue_39():
    # numdifftools TestGradient.test_issue_39. Adapted: the peer's multicomplex method
    # is replaced by numgrad's complex step. Analytic: (-e^x0, sin x1) / D**2.
    def f(x):
        return 1.0 / (np.exp(x[0]) + np.cos(x[1]) + 10)

    gradient = numerical_gradient(f, [1.0, 2.0], h="auto", method="complex")
    d = math.exp(1.0) + math.cos(2.0) + 10
    assert_allclose(gradient, [-0.017961123762187736, 0.0060082083648822], rtol=NP_RTOL)
    assert_allclose(gradient, [-math.exp(1.0) / d**2, math.sin(2.0) / d**2], rtol=NP_RTOL)


@pytest.mark.parametrize("method", ND_FIRST_METHODS)
def test_numdifftools_gradient(method):
    # numdifftools TestGradient.test_gradient: sum(x**2) at the integers [1, 2, 3].
    gradient = numerical_gradient(lambda x: np.sum(x**2), [1, 2, 3], h="auto", method=method)
    assert_allclose(gradient, [2.0, 4.0, 6.0], rtol=NP_RTOL)


def nd_hessdiag_fun(x):
    return x[0] + x[1] ** 2 + x[2] ** 3


# The @example points of TestHessdiag.test_fixed_step (its hypothesis draw omitted).
ND_HESSDIAG_POINTS = [
    (0.0, 16.003907623933742, 68.02057249966789),
    (1, 2, 3),
    (1.2009289063e-314, 1.2009289063e-314, 1.2009289063e-314),
    (88.01663712016305, 88.01663712016305, 88.01663712016305),
    (0.0, 19.945812226807096, 54.11322414875562),
]


@pytest.mark.parametrize("method", HESSIAN_METHODS)
@pytest.mark.parametrize("vals", ND_HESSDIAG_POINTS, ids=str)
def test_numdifftools_hessdiag_fixed_step(vals, method):
    # numdifftools TestHessdiag.test_fixed_step: rtol=1e-5, atol = 100 * the largest
    # error estimate. Adapted: numgrad has no Hessdiag, so the diagonal of its Hessian,
    # with h="auto" for the peer's fixed step generator and numgrad's error estimate.
    result = numerical_hessian(nd_hessdiag_fun, list(vals), method=method, full_output=True)
    expected = [0.0, 2.0, 6 * vals[2]]
    atol = 100 * np.max(np.diag(result.error))
    assert_allclose(np.diag(result.value), expected, rtol=1e-5, atol=atol)


@pytest.mark.parametrize("method", ["richardson", "complex"])
def test_numdifftools_hessdiag_default_step(method):
    # numdifftools TestHessdiag.test_default_step and test_complex: [0, 2, 18] at
    # [1, 2, 3] with atol = min(1e-8, error estimate). Adapted: the 1e-8 bound is kept
    # and asserted for numgrad's Richardson and complex-step Hessians; its central
    # Hessian is documented at about 1e-8 relative to |f| = 32 and cannot reach it.
    hessian = numerical_hessian(nd_hessdiag_fun, [1, 2, 3], method=method)
    assert_allclose(np.diag(hessian), [0.0, 2.0, 18.0], atol=1e-8)


# numdifftools.tests.hamiltonian: two ions in a harmonic trap with Coulomb repulsion.
ND_ION_MASS = 39.96 * 1.66e-27
ND_TRAP_W = 2 * np.pi * 1e6
ND_COULOMB = (4 * np.pi * 8.8541878188e-12) ** -1 * 1.602176634e-19**2


def nd_potential(x):
    # |x0 - x1| written as the peer's c_abs, so that the complex step goes through.
    separation = x[0] - x[1]
    distance = -separation if np.real(separation) < 0 else separation
    return 0.5 * ND_ION_MASS * ND_TRAP_W**2 * (x[0] ** 2 + x[1] ** 2) + ND_COULOMB / distance


@pytest.mark.parametrize("method", HESSIAN_METHODS)
def test_numdifftools_run_hamiltonian(method):
    # numdifftools TestHessian.test_run_hamiltonian: relative error below 1e-4. Adapted:
    # the peer finds the equilibrium with scipy.optimize.fmin; here it is analytic,
    # x = +-d/2 with d**3 = 2 C / (m w**2), where the Hessian is m w**2 [[2, -1], [-1, 2]]
    # (the peer's true_h). h="auto" replaces the peer's base_step=1e-4: the positions are
    # ~3e-6 m, so the step must follow the scale of x.
    d = (2 * ND_COULOMB / (ND_ION_MASS * ND_TRAP_W**2)) ** (1 / 3)
    x = np.array([-d / 2, d / 2])
    true_h = ND_ION_MASS * ND_TRAP_W**2 * np.array([[2.0, -1.0], [-1.0, 2.0]])
    assert_allclose(
        true_h, [[5.23748385e-12, -2.61873829e-12], [-2.61873829e-12, 5.23748385e-12]], rtol=1e-5
    )
    hessian = numerical_hessian(nd_potential, x, method=method)
    assert np.all(np.abs((hessian - true_h) / true_h) < 1e-4)


def nd_complex_valued(x):
    return 1j * np.inner(x, x)


@pytest.mark.parametrize(
    ("method", "error", "match"),
    [
        ("complex", ValueError, "f must be real at real x"),
        ("central", TypeError, "f must return a real"),
        ("richardson", TypeError, "f must return a real"),
    ],
)
def test_numdifftools_complex_hessian_issue_35(method, error, match):
    # numdifftools TestHessian.test_complex_hessian_issue_35: f = 1j <x, x>. The peer's
    # complex-step methods raise ValueError, as numgrad's does. Adapted: the peer's real
    # methods return 2j I; numgrad has no complex-valued f and raises TypeError.
    x = np.random.default_rng(35).standard_normal(3)
    with pytest.raises(error, match=match):
        numerical_hessian(nd_complex_valued, x, method=method)


@pytest.mark.parametrize("method", HESSIAN_METHODS)
def test_numdifftools_hessian_cos_x_y_at_0_0(method):
    # numdifftools TestHessian.test_hessian_cos_x_y_at_0_0 (rtol=1e-7).
    hessian = numerical_hessian(lambda xy: np.cos(xy[0] - xy[1]), [0, 0], method=method)
    assert_allclose(hessian, [[-1.0, 1.0], [1.0, -1.0]], rtol=NP_RTOL)


@pytest.mark.parametrize("method", HESSIAN_METHODS)
def test_numdifftools_hessian_on_scalar_function(method):
    # numdifftools TestHessian.test_on_scalar_function (atol=1e-4).
    x, y, z = 3.0, 5.0, 7.0
    expected = [[np.exp(x) * y, np.exp(x) + z, y], [np.exp(x) + z, 0, x], [y, x, 0]]
    hessian = numerical_hessian(nd_scalar_function, [x, y, z], method=method)
    assert_allclose(hessian, expected, atol=1e-4)


def nd_cos_xy(v):
    return np.cos(v[0] * v[1])


def nd_sin_xy(v):
    return np.sin(v[0] * v[1])


@pytest.mark.parametrize("method", HESSIAN_METHODS)
@pytest.mark.parametrize("component", [0, 1], ids=["cos_xy", "sin_xy"])
def test_numdifftools_hessian_on_vector_valued_function(component, method):
    # numdifftools TestHessian.test_on_vector_valued_function (atol=1e-4). Adapted:
    # numgrad's Hessian is of a scalar f, so each component of (cos xy, sin xy) alone.
    x, y = 3.0, 5.0
    c, s = np.cos(x * y), np.sin(x * y)
    expected = [
        [[-y * y * c, -x * y * c - s], [-x * y * c - s, -x * x * c]],
        [[-y * y * s, c - x * y * s], [c - x * y * s, -x * x * s]],
    ][component]
    f = (nd_cos_xy, nd_sin_xy)[component]
    assert_allclose(numerical_hessian(f, [x, y], method=method), expected, atol=1e-4)


# =====================================================================================
# SciPy: scipy/differentiate/tests/test_differentiate.py
#
# scipy.differentiate.derivative extrapolates to the default tolerances
# (rtol = sqrt(eps)); numgrad's best real-step counterpart is method="richardson" with
# h="auto". Its tests compare with xp_assert_close, rtol = 4 sqrt(eps) by default.
# =====================================================================================

SQRT2 = math.sqrt(2.0)


def ndtr(x):
    """The standard normal cdf (scipy.special.ndtr), elementwise."""
    if np.ndim(x) == 0:
        return 0.5 * math.erfc(-float(x) / SQRT2)
    return 0.5 * np.vectorize(math.erfc, otypes=[float])(-np.asarray(x) / SQRT2)


def norm_pdf(x):
    return np.exp(-np.square(x) / 2) / math.sqrt(2 * math.pi)


@pytest.mark.parametrize("x", [0.6, np.linspace(-0.05, 1.05, 10)], ids=["scalar", "array"])
def test_scipy_derivative_basic(x):
    # SciPy TestDerivative.test_basic: the normal cdf's derivative is its pdf; the error
    # estimate must exceed the error.
    result = numerical_diff(ndtr, x, h="auto", method="richardson", full_output=True)
    assert_allclose(result.value, norm_pdf(x), rtol=scipy_rtol())
    assert np.all(np.abs(result.value - norm_pdf(x)) < result.error)


def _logistic(x):
    return 1 / (1 + math.exp(-x))


# test_accuracy runs over stats._distr_params.distcont: the distributions with a
# closed-form cdf, pdf and median, with the same shape parameters: name ->
# (cdf, pdf, median).
C_WEIBULL, B_PARETO, C_LOMAX, C_FISK = (
    1.7866166930421596,
    2.621716532144454,
    1.8771398388773268,
    3.085754862225318,
)
C_BURR, D_BURR, C_GOMPERTZ, C_GENPARETO = 10.5, 4.3, 0.9474371307510525, 0.1
A_POWERLAW, C_BRADFORD, B_EXPONPOW = 1.659113328990585, 0.29891359763170633, 2.697119160358469
SCIPY_DISTRIBUTIONS = {
    "norm": (ndtr, norm_pdf, 0.0),
    "expon": (lambda x: -math.expm1(-x), lambda x: math.exp(-x), math.log(2)),
    "logistic": (_logistic, lambda x: _logistic(x) * (1 - _logistic(x)), 0.0),
    "cauchy": (lambda x: 0.5 + math.atan(x) / math.pi, lambda x: 1 / (math.pi * (1 + x * x)), 0.0),
    "laplace": (
        lambda x: 0.5 * math.exp(x) if x < 0 else 1 - 0.5 * math.exp(-x),
        lambda x: 0.5 * math.exp(-abs(x)),
        0.0,
    ),
    "gumbel_r": (
        lambda x: math.exp(-math.exp(-x)),
        lambda x: math.exp(-(x + math.exp(-x))),
        -math.log(math.log(2)),
    ),
    "gumbel_l": (
        lambda x: -math.expm1(-math.exp(x)),
        lambda x: math.exp(x - math.exp(x)),
        math.log(math.log(2)),
    ),
    "rayleigh": (
        lambda x: -math.expm1(-x * x / 2),
        lambda x: x * math.exp(-x * x / 2),
        math.sqrt(2 * math.log(2)),
    ),
    "weibull_min": (
        lambda x: -math.expm1(-(x**C_WEIBULL)),
        lambda x: C_WEIBULL * x ** (C_WEIBULL - 1) * math.exp(-(x**C_WEIBULL)),
        math.log(2) ** (1 / C_WEIBULL),
    ),
    "pareto": (
        lambda x: 1 - x**-B_PARETO,
        lambda x: B_PARETO * x ** -(B_PARETO + 1),
        2 ** (1 / B_PARETO),
    ),
    "lomax": (
        lambda x: 1 - (1 + x) ** -C_LOMAX,
        lambda x: C_LOMAX * (1 + x) ** -(C_LOMAX + 1),
        2 ** (1 / C_LOMAX) - 1,
    ),
    "fisk": (
        lambda x: 1 / (1 + x**-C_FISK),
        lambda x: C_FISK * x ** (C_FISK - 1) / (1 + x**C_FISK) ** 2,
        1.0,
    ),
    "burr": (
        lambda x: (1 + x**-C_BURR) ** -D_BURR,
        lambda x: C_BURR * D_BURR * x ** (-C_BURR - 1) * (1 + x**-C_BURR) ** (-D_BURR - 1),
        (2 ** (1 / D_BURR) - 1) ** (-1 / C_BURR),
    ),
    "gompertz": (
        lambda x: -math.expm1(-C_GOMPERTZ * math.expm1(x)),
        lambda x: C_GOMPERTZ * math.exp(x) * math.exp(-C_GOMPERTZ * math.expm1(x)),
        math.log(1 + math.log(2) / C_GOMPERTZ),
    ),
    "genpareto": (
        lambda x: 1 - (1 + C_GENPARETO * x) ** (-1 / C_GENPARETO),
        lambda x: (1 + C_GENPARETO * x) ** (-1 - 1 / C_GENPARETO),
        (2**C_GENPARETO - 1) / C_GENPARETO,
    ),
    "powerlaw": (
        lambda x: x**A_POWERLAW,
        lambda x: A_POWERLAW * x ** (A_POWERLAW - 1),
        0.5 ** (1 / A_POWERLAW),
    ),
    "bradford": (
        lambda x: math.log1p(C_BRADFORD * x) / math.log1p(C_BRADFORD),
        lambda x: C_BRADFORD / ((1 + C_BRADFORD * x) * math.log1p(C_BRADFORD)),
        (math.sqrt(1 + C_BRADFORD) - 1) / C_BRADFORD,
    ),
    "hypsecant": (
        lambda x: 2 / math.pi * math.atan(math.exp(x)),
        lambda x: 1 / (math.pi * math.cosh(x)),
        0.0,
    ),
    "halflogistic": (
        lambda x: math.tanh(x / 2),
        lambda x: 0.5 / math.cosh(x / 2) ** 2,
        math.log(3),
    ),
    "arcsine": (
        lambda x: 2 / math.pi * math.asin(math.sqrt(x)),
        lambda x: 1 / (math.pi * math.sqrt(x * (1 - x))),
        0.5,
    ),
    "cosine": (
        lambda x: 0.5 + (x + math.sin(x)) / (2 * math.pi),
        lambda x: (1 + math.cos(x)) / (2 * math.pi),
        0.0,
    ),
    "anglit": (lambda x: math.sin(x + math.pi / 4) ** 2, lambda x: math.cos(2 * x), 0.0),
    "exponpow": (
        lambda x: -math.expm1(-math.expm1(x**B_EXPONPOW)),
        lambda x: (
            B_EXPONPOW
            * x ** (B_EXPONPOW - 1)
            * math.exp(1 + x**B_EXPONPOW - math.exp(x**B_EXPONPOW))
        ),
        math.log1p(math.log(2)) ** (1 / B_EXPONPOW),
    ),
}


@pytest.mark.parametrize("name", SCIPY_DISTRIBUTIONS)
def test_scipy_derivative_accuracy(name):
    # SciPy TestDerivative.test_accuracy: cdf' = pdf at the median + 0.1, atol=1e-10.
    cdf, pdf, median = SCIPY_DISTRIBUTIONS[name]
    x = median + 0.1
    derivative = numerical_diff(cdf, x, h="auto", method="richardson")
    assert_allclose(derivative, pdf(x), rtol=scipy_rtol(), atol=1e-10)


@pytest.mark.parametrize("shape", [(), (12,), (3, 4), (3, 2, 2)], ids=str)
def test_scipy_derivative_vectorization(shape):
    # SciPy TestDerivative.test_vectorization: the result has x's shape, and each element
    # is the derivative at that point. (Its order= and call-count checks are SciPy's own.)
    x = np.linspace(-0.05, 1.05, 12).reshape(shape) if shape else 0.6
    derivative = numerical_diff(ndtr, x, h="auto", method="richardson")
    assert np.shape(derivative) == shape
    assert_allclose(derivative, norm_pdf(x), rtol=scipy_rtol())
    for index in np.ndindex(shape):
        single = numerical_diff(ndtr, float(np.asarray(x)[index]), h="auto", method="richardson")
        assert_allclose(np.asarray(derivative)[index], single, rtol=scipy_rtol())


def scipy_four_functions(x):
    return np.stack([x, np.sin(3 * x), x + np.sin(10 * x), np.sin(20 * x) * (x - 1) ** 2])


@pytest.mark.parametrize("batch_shape", [(), (2,), (2, 3)], ids=str)
def test_scipy_derivative_preserve_shape(batch_shape):
    # SciPy TestDerivative.test_preserve_shape: f returns four functions of x at once.
    # Adapted: that is a Jacobian in numgrad; for a batch of x the Jacobian couples
    # every output to every x, and its diagonal over the batch is SciPy's result.
    x = np.zeros(batch_shape)
    expected = np.stack(
        [
            np.ones_like(x),
            3 * np.cos(3 * x),
            1 + 10 * np.cos(10 * x),
            20 * np.cos(20 * x) * (x - 1) ** 2 + 2 * np.sin(20 * x) * (x - 1),
        ]
    )
    jacobian = numerical_jacobian(scipy_four_functions, x, h="auto", method="richardson")
    size = x.size
    diagonal = np.diagonal(jacobian.reshape(4, size, size), axis1=1, axis2=2)
    assert_allclose(diagonal.reshape(expected.shape), expected, rtol=scipy_rtol(), atol=1e-12)


def test_scipy_derivative_step_parameters():
    # SciPy TestDerivative.test_step_parameters, initial_step: the smaller step (0.05)
    # is more accurate than 0.5 for one central difference (maxiter=1).
    ref = norm_pdf(1.0)
    coarse = numerical_diff(ndtr, 1.0, h=0.5)
    fine = numerical_diff(ndtr, 1.0, h=0.05)
    assert abs(fine - ref) < abs(coarse - ref)


def scipy_exp_on_0_2(x):
    """exp on [0, 2], NaN outside."""
    x = np.asarray(x, dtype=float)
    return np.where((x < 0) | (x > 2), np.nan, np.exp(x))


SCIPY_XS = np.linspace(0, 2, 10)


@pytest.mark.parametrize(
    ("where", "method"),
    [("left", "forward"), ("right", "backward"), ("middle", "richardson")],
)
def test_scipy_derivative_step_direction(where, method):
    # SciPy TestDerivative.test_step_direction: step_direction = 1 for x < 0.6, -1 for
    # x > 1.4, 0 between. Adapted: numgrad has one method per call, so the forward and
    # backward parts are separate calls.
    mask = {
        "left": SCIPY_XS < 0.6,
        "right": SCIPY_XS > 1.4,
        "middle": (SCIPY_XS >= 0.6) & (SCIPY_XS <= 1.4),
    }[where]
    x = SCIPY_XS[mask]
    derivative = numerical_diff(scipy_exp_on_0_2, x, h="auto", method=method)
    assert_allclose(derivative, np.exp(x), rtol=scipy_rtol())


def test_scipy_derivative_step_direction_auto():
    # SciPy TestDerivative.test_step_direction, all ten points in one call: numgrad's
    # h="auto" chooses the one-sided difference at the ends of the domain itself and
    # names them in a warning.
    with pytest.warns(RuntimeWarning, match=r"one-sided difference at x\[0\].*x\[9\]"):
        derivative = numerical_diff(scipy_exp_on_0_2, SCIPY_XS, h="auto", method="richardson")
    assert_allclose(derivative, np.exp(SCIPY_XS), rtol=scipy_rtol())


@pytest.mark.parametrize("method", ["backward", "central", "forward"])
@pytest.mark.parametrize("p", [2, 3])
def test_scipy_derivative_vectorized_step_direction_args(p, method):
    # SciPy TestDerivative.test_vectorized_step_direction_args: x**p at 1..4 with
    # step_direction -1, 0, 1 (backward, central, forward). Adapted: p is bound into f,
    # numgrad has no args=.
    x = np.array([1, 2, 3, 4])
    derivative = numerical_diff(lambda t: t**p, x, h="auto", method=method)
    assert_allclose(derivative, p * x.astype(float) ** (p - 1), rtol=scipy_rtol())


@pytest.mark.parametrize("method", ["backward", "central", "forward"])
def test_scipy_derivative_initial_step(method):
    # SciPy TestDerivative.test_initial_step: exp at 0 with steps logspace(-3, 0, 10) and
    # a single difference: the error grows with the step.
    errors = [
        abs(numerical_diff(np.exp, 0.0, h=float(h), method=method) - 1)
        for h in np.logspace(-3, 0, 10)
    ]
    assert np.all(np.diff(errors) > 0)


@pytest.mark.parametrize("method", ["backward", "central", "forward"])
@pytest.mark.parametrize("x", [0.65, [0.65, 0.7]], ids=["scalar", "array"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_scipy_derivative_dtype(dtype, x, method):
    # SciPy TestDerivative.test_dtype: exp in float32 and float64, rtol = sqrt(eps) of the
    # dtype. Adapted: numgrad returns float64 and differentiates arrays in float64, so f
    # rounds its values to the dtype; numgrad must see their precision.
    x = np.asarray(x, dtype=dtype)

    def f(t):
        return np.asarray(np.exp(t)).astype(dtype)

    derivative = numerical_diff(f, x, h="auto", method=method)
    assert_allclose(
        derivative, np.exp(x.astype(np.float64)), rtol=float(np.finfo(dtype).eps) ** 0.5
    )


def test_scipy_derivative_input_validation_complex_x():
    # SciPy TestDerivative.test_input_validation: x = -4 + 1j. Adapted: TypeError.
    with pytest.raises(TypeError, match="x must be a real number"):
        numerical_diff(lambda x: x, -4 + 1j)


def test_scipy_derivative_input_validation_shape():
    # SciPy TestDerivative.test_input_validation: f returns 3 values for 2 points.
    with pytest.raises(ValueError, match="one number per element of x"):
        numerical_diff(lambda x: [1, 2, 3], np.array([-2, -3]))


def test_scipy_derivative_special_cases_integer_x():
    # SciPy TestDerivative.test_special_cases: x**99 - 1 at the integer 7 must not be
    # evaluated in integers (it would overflow), rtol=1e-10.
    derivative = numerical_diff(lambda x: x**99 - 1, 7, h="auto", method="richardson")
    assert_allclose(derivative, 99 * 7.0**98, rtol=1e-10)


def test_scipy_derivative_special_cases_zero_step():
    # SciPy TestDerivative.test_special_cases: initial_step=0. Adapted: SciPy returns NaN
    # with status -3; numgrad rejects h=0.
    with pytest.raises(ValueError, match="h must be a positive finite number"):
        numerical_diff(np.exp, 1, h=0)


@pytest.mark.parametrize("n", range(6))
def test_scipy_derivative_special_cases_polynomials(n):
    # SciPy TestDerivative.test_special_cases: 2 x**n at 1.5, exact for polynomials,
    # rtol=1e-15. Adapted: numgrad's real differences subtract values of f, so they are
    # not exact to 1e-15; its complex step is, and is used here.
    derivative = numerical_diff(lambda x: 2 * x**n, 1.5, h="auto", method="complex")
    assert_allclose(derivative, 2 * n * 1.5 ** (n - 1), rtol=1e-15)


def test_scipy_derivative_special_cases_scalar_args():
    # SciPy TestDerivative.test_special_cases: f(x, c) = c x - 1 with args=3. Adapted:
    # c bound into f.
    c = 3
    derivative = numerical_diff(lambda x: c * x - 1, 2, h="auto", method="richardson")
    assert_allclose(derivative, 3.0, rtol=scipy_rtol())


def scipy_saddle(x):
    return (x - 1) ** 3


def scipy_saddle_piecewise(x):
    return np.where(np.real(x) > 1, (x - 1) ** 5, (x - 1) ** 3)


@pytest.mark.parametrize(
    ("f", "method"),
    [(scipy_saddle, "richardson"), (scipy_saddle, "complex"), (scipy_saddle_piecewise, "complex")],
    ids=["cubic_richardson", "cubic_complex", "piecewise_complex"],
)
def test_scipy_derivative_saddle_gh18811(f, method):
    # SciPy TestDerivative.test_saddle_gh18811 (an xfail in SciPy): f' = 0 at a saddle,
    # atol=1e-16. numgrad reaches it with these methods.
    assert_allclose(numerical_diff(f, 1.0, h="auto", method=method), 0, atol=1e-16)


def test_scipy_derivative_saddle_gh18811_piecewise_richardson():
    # SciPy TestDerivative.test_saddle_gh18811, second case with real differences: f'''
    # jumps at 1 (the two pieces), which numgrad's Richardson error estimate sees and
    # warns about; the value still meets atol=1e-16.
    with pytest.warns(RuntimeWarning, match="could not reach its accuracy"):
        derivative = numerical_diff(scipy_saddle_piecewise, 1.0, h="auto", method="richardson")
    assert_allclose(derivative, 0, atol=1e-16)


def test_scipy_derivative_kwargs():
    # SciPy TestDerivative.test_kwargs: x**p + c x with c = [1, 2, 3] and p = [2, 3, 4]
    # broadcast to (3, 3) at x = 1.23. Adapted: numgrad has no args/kwargs, and its
    # elementwise f takes x of x's shape only, so x is the broadcast (3, 3) array and
    # the derivative the diagonal of its Jacobian.
    c = np.array([1.0, 2.0, 3.0])
    p = np.array([2.0, 3.0, 4.0])[:, np.newaxis]
    x = np.full((3, 3), 1.23)
    jacobian = numerical_jacobian(lambda t: t**p + c * t, x, h="auto", method="richardson")
    derivative = np.diagonal(jacobian.reshape(9, 9)).reshape(3, 3)
    assert_allclose(derivative, p * x ** (p - 1) + c, rtol=scipy_rtol())


# TestJacobian's examples (from Wikipedia's Jacobian article) and rosen: f(z) for z of
# shape (m, *batch), returning (k, *batch); the reference Jacobian (k, m, *batch).


def scipy_f1(z):
    x, y = z
    return np.stack([x**2 * y, 5 * x + np.sin(y)])


def scipy_df1(z):
    x, y = z
    return [[2 * x * y, x**2], [np.full_like(x, 5), np.cos(y)]]


def scipy_f2(z):
    r, phi = z
    return np.stack([r * np.cos(phi), r * np.sin(phi)])


def scipy_df2(z):
    r, phi = z
    return [[np.cos(phi), -r * np.sin(phi)], [np.sin(phi), r * np.cos(phi)]]


def scipy_f3(z):
    r, phi, th = z
    return np.stack([r * np.sin(phi) * np.cos(th), r * np.sin(phi) * np.sin(th), r * np.cos(phi)])


def scipy_df3(z):
    r, phi, th = z
    return [
        [np.sin(phi) * np.cos(th), r * np.cos(phi) * np.cos(th), -r * np.sin(phi) * np.sin(th)],
        [np.sin(phi) * np.sin(th), r * np.cos(phi) * np.sin(th), r * np.sin(phi) * np.cos(th)],
        [np.cos(phi), -r * np.sin(phi), np.zeros_like(r)],
    ]


def scipy_f4(x):
    x1, x2, x3 = x
    return np.stack([x1, 5 * x3, 4 * x2**2 - 2 * x3, x3 * np.sin(x1)])


def scipy_df4(x):
    x1, x2, x3 = x
    one = np.ones_like(x1)
    return [
        [one, 0 * one, 0 * one],
        [0 * one, 0 * one, 5 * one],
        [0 * one, 8 * x2, -2 * one],
        [x3 * np.cos(x1), 0 * one, np.sin(x1)],
    ]


def scipy_f5(x):
    x1, x2, x3 = x
    return np.stack([5 * x2, 4 * x1**2 - 2 * np.sin(x2 * x3), x2 * x3])


def scipy_df5(x):
    x1, x2, x3 = x
    one = np.ones_like(x1)
    return [
        [0 * one, 5 * one, 0 * one],
        [8 * x1, -2 * x3 * np.cos(x2 * x3), -2 * x2 * np.cos(x2 * x3)],
        [0 * one, x3, x2],
    ]


def rosen(x):
    """scipy.optimize.rosen: along axis 0."""
    x = np.asarray(x)
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1 - x[:-1]) ** 2.0, axis=0)


def rosen_der(x):
    """scipy.optimize.rosen_der, along axis 0."""
    x = np.asarray(x, dtype=float)
    xm, xm_m1, xm_p1 = x[1:-1], x[:-2], x[2:]
    der = np.zeros_like(x)
    der[1:-1] = 200 * (xm - xm_m1**2) - 400 * (xm_p1 - xm**2) * xm - 2 * (1 - xm)
    der[0] = -400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0])
    der[-1] = 200 * (x[-1] - x[-2] ** 2)
    return der


def rosen_hess(x):
    """scipy.optimize.rosen_hess of a vector x."""
    x = np.asarray(x, dtype=float)
    hessian = np.diag(-400 * x[:-1], 1) + np.diag(-400 * x[:-1], -1)
    diagonal = np.zeros_like(x)
    diagonal[0] = 1200 * x[0] ** 2 - 400 * x[1] + 2
    diagonal[-1] = 200
    diagonal[1:-1] = 202 + 1200 * x[1:-1] ** 2 - 400 * x[2:]
    return hessian + np.diag(diagonal)


SCIPY_JACOBIAN_EXAMPLES = {
    "f1": (scipy_f1, scipy_df1, 2),
    "f2": (scipy_f2, scipy_df2, 2),
    "f3": (scipy_f3, scipy_df3, 3),
    "f4": (scipy_f4, scipy_df4, 3),
    "f5": (scipy_f5, scipy_df5, 3),
    "rosen": (rosen, rosen_der, 5),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("size", [(), (6,), (2, 3)], ids=str)
@pytest.mark.parametrize("func", SCIPY_JACOBIAN_EXAMPLES)
def test_scipy_jacobian_examples(func, size, dtype):
    # SciPy TestJacobian.test_examples: atol 1e-10 (float64) or 1.99e-3 (float32), with
    # xp_assert_close's default rtol. Adapted: SciPy treats the trailing axes of x
    # (size) as independent problems; numgrad's Jacobian of the whole array couples
    # every output to every input, so its diagonal over those axes is SciPy's answer and
    # the rest must be 0. numgrad returns float64 for a float32 x: compared with the
    # reference at the float32 point.
    f, df, m = SCIPY_JACOBIAN_EXAMPLES[func]
    atol = 1e-10 if dtype == np.float64 else 1.99e-3
    rng = np.random.default_rng(458912319542)
    x = rng.random(size=(m, *size)).astype(dtype)
    jacobian = numerical_jacobian(f, x, h="auto", method="richardson")
    ref = np.asarray(df(x.astype(np.float64)), dtype=np.float64)  # (k, m, *size) or (m, *size)
    ref = ref.reshape(-1, m, int(np.prod(size)))
    batch = ref.shape[-1]
    flat = jacobian.reshape(ref.shape[0], batch, m, batch)
    diagonal = np.diagonal(flat, axis1=1, axis2=3)  # (k, m, batch)
    assert_allclose(diagonal, ref, rtol=scipy_rtol(dtype), atol=atol)
    coupled = flat * (1 - np.eye(batch))[None, :, None, :]
    assert_allclose(coupled, 0, atol=atol)


def test_scipy_jacobian_step_direction_size():
    # SciPy TestJacobian.test_step_direction_size: f5, NaN outside a box around b, with
    # step_direction [1, -1, 0] per column (atol=1e-8). Adapted: numgrad has one method
    # per call, so each column is the derivative along that element, with forward,
    # backward and central (richardson) differences.
    rng = np.random.default_rng(23892589425245)
    b = rng.random(3)

    def f(x):
        x = np.array(x, dtype=float)
        if x[0] < b[0] or x[0] > b[0] + 0.25 or x[1] > b[1] or x[1] < b[1] - 0.1:
            x[:] = np.nan
        return scipy_f5(x)

    columns = []
    for j, method in enumerate(["forward", "backward", "richardson"]):

        def along(t, j=j):
            point = b.copy()
            point[j] = t
            return f(point)

        columns.append(numerical_jacobian(along, b[j], h="auto", method=method))
    ref = np.asarray(scipy_df5(b))
    assert np.all(np.isfinite(ref))
    assert_allclose(np.stack(columns, axis=-1), ref, atol=1e-8)


@pytest.mark.parametrize("method", ["complex", "richardson"])
@pytest.mark.parametrize("shape", [(), (4,), (2, 4)], ids=str)
def test_scipy_hessian_example(shape, method):
    # SciPy TestHessian.test_example: rosen's Hessian, atol=1e-8 (and the default rtol).
    # Adapted: numgrad's Hessian is of one point; the batch (shape) is taken point by
    # point. The complex step meets atol=1e-8. Richardson's Hessian differences values
    # of f itself: its documented rounding, 4 eps |f| / h**2 with h ~ eps**(1/6), is
    # 1.4e-8 at |f| = 93 (one of the points), above 1e-8 on the elements that are 0, so
    # its atol is 2e-8.
    atol = {"complex": 1e-8, "richardson": 2e-8}[method]
    rng = np.random.default_rng(458912319542)
    m = 3
    x = rng.random((m, *shape)).reshape(m, -1)
    for point in x.T:
        hessian = numerical_hessian(rosen, point, method=method)
        assert_allclose(hessian, rosen_hess(point), rtol=scipy_rtol(), atol=atol)


def test_scipy_hessian_float32():
    # SciPy TestHessian.test_float32: rosen of a float32 x. The nonzero elements within
    # float32's default rtol, the zeros within 1e-2 of the smallest nonzero.
    rng = np.random.default_rng(458912319542)
    x = rng.random(3).astype(np.float32)
    hessian = numerical_hessian(rosen, x, method="richardson")
    ref = rosen_hess(x.astype(np.float64))
    mask = ref != 0
    assert_allclose(hessian[mask], ref[mask], rtol=scipy_rtol(np.float32))
    assert_allclose(hessian[~mask], ref[~mask], atol=1e-2 * np.min(np.abs(ref[mask])))

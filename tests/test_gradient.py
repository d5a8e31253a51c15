"""numerical_gradient against analytic gradients, and its safety guarantees."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import book_gradient
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from numgrad import numerical_gradient

SHAPES = [(), (5,), (2, 3), (2, 3, 4)]
METHODS = ["central", "forward", "backward", "richardson", "complex"]

# (f, exact gradient, f on a stack of points along axis 0)
FUNCTIONS = {
    "sum of squares": (
        lambda x: np.sum(x**2),
        lambda x: 2 * x,
        lambda s: np.sum(s**2, axis=tuple(range(1, s.ndim))),
    ),
    "sum of sines": (
        lambda x: np.sum(np.sin(x)),
        np.cos,
        lambda s: np.sum(np.sin(s), axis=tuple(range(1, s.ndim))),
    ),
    "log-sum-exp": (
        lambda x: np.log(np.sum(np.exp(x))),
        lambda x: np.exp(x) / np.sum(np.exp(x)),
        lambda s: np.log(np.sum(np.exp(s), axis=tuple(range(1, s.ndim)))),
    ),
}


def tolerance(method):
    # Central difference with h = 1e-4 on O(1) functions: h**2 truncation plus
    # eps/h rounding, about 1e-8; forward/backward are first order (~h).
    return {"forward": 1e-3, "backward": 1e-3}.get(method, 1e-7)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("method", METHODS)
def test_against_analytic_gradient(shape, name, method, rng):
    f, exact, _ = FUNCTIONS[name]
    x = rng.uniform(-1.5, 1.5, size=shape)
    grad = numerical_gradient(f, x, method=method)
    assert grad.shape == x.shape
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, exact(x), atol=tolerance(method))


@pytest.mark.parametrize("shape", SHAPES[1:])
@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("method", ["central", "richardson", "complex"])
def test_auto_step_is_accurate(shape, name, method, rng):
    # The auto step is relative to |x|; its error model (eps |f| / h) assumes
    # elements not much smaller than |f|, so keep them away from 0 here.
    f, exact, _ = FUNCTIONS[name]
    x = rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1, 1], size=shape)
    np.testing.assert_allclose(numerical_gradient(f, x, "auto", method=method), exact(x), atol=1e-9)


def test_auto_step_falls_back_to_an_absolute_step_at_zero():
    grad = numerical_gradient(np.sum, np.zeros(3), "auto")
    np.testing.assert_allclose(grad, 1.0, rtol=1e-10)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_batch_and_vectorized_agree_with_one_point_at_a_time(shape, name, rng):
    f, exact, f_stack = FUNCTIONS[name]
    points = rng.uniform(-1.5, 1.5, size=(4, *shape))
    one_by_one = np.array([numerical_gradient(f, p) for p in points])
    batched = numerical_gradient(f, points, batch=True)
    stacked = numerical_gradient(f_stack, points, batch=True, vectorized=True)
    np.testing.assert_array_equal(batched, one_by_one)
    np.testing.assert_array_equal(stacked, one_by_one)
    np.testing.assert_allclose(stacked, exact_per_point(exact, points), atol=1e-7)


def exact_per_point(exact, points):
    return np.array([exact(p) for p in points])


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method", METHODS)
def test_vectorized_single_point_matches_the_loop(shape, method, rng):
    f, _, f_stack = FUNCTIONS["sum of sines"]
    x = rng.uniform(-1.5, 1.5, size=shape)
    loop = numerical_gradient(f, x, method=method)
    np.testing.assert_allclose(
        numerical_gradient(f_stack, x, method=method, vectorized=True), loop, rtol=1e-12, atol=1e-12
    )


def test_vectorized_chunks_large_inputs_and_bounds_the_stack(monkeypatch, rng):
    import numgrad._engine.stacks as module

    monkeypatch.setattr(module, "STACK_BYTES", 10_000)
    sizes = []
    w = rng.standard_normal(300)

    def f_stack(stack):
        sizes.append(stack.nbytes)
        return stack @ w

    grad = numerical_gradient(f_stack, np.zeros(300), vectorized=True)
    np.testing.assert_allclose(grad, w, atol=1e-10)
    assert len(sizes) > 1
    assert max(sizes) <= 10_000


def test_batch_vectorized_calls_do_not_grow_with_the_number_of_points(rng):
    def counted(calls):
        def f_stack(stack):
            calls.append(len(stack))
            return np.sum(stack**2, axis=1)

        return f_stack

    few, many = [], []
    numerical_gradient(counted(few), rng.standard_normal((10, 2)), batch=True, vectorized=True)
    numerical_gradient(counted(many), rng.standard_normal((10_000, 2)), batch=True, vectorized=True)
    assert len(many) == len(few)


@settings(max_examples=50, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
        elements=st.floats(-10, 10),
    )
)
def test_quadratic_form_property(x):
    # f(x) = sum(c * x**2) has gradient 2 c x; central differences are exact up to rounding.
    c = np.arange(1, x.size + 1, dtype=float).reshape(x.shape)
    before = x.copy()
    grad = numerical_gradient(lambda v: np.sum(c * v**2), x)
    np.testing.assert_allclose(grad, 2 * c * x, atol=1e-5 * (1 + np.abs(x).max(initial=0)) * c.size)
    np.testing.assert_array_equal(x, before)


def test_is_the_book_loop_bit_for_bit(rng):
    x = rng.standard_normal((3, 4))
    f = FUNCTIONS["log-sum-exp"][0]
    np.testing.assert_array_equal(numerical_gradient(f, x), book_gradient(f, x.copy()))


@pytest.mark.parametrize(
    "make_x",
    [
        lambda: np.array([3, 4]),
        lambda: np.array([3, 4], dtype=np.int8),
        lambda: [3, 4],
        lambda: (3.0, 4.0),
    ],
    ids=["int64", "int8", "list", "tuple"],
)
def test_inputs_that_cannot_be_perturbed_in_place(make_x):
    x = make_x()
    grad = numerical_gradient(lambda v: v[0] ** 2 + v[1] ** 2, x)
    np.testing.assert_allclose(grad, [6.0, 8.0], atol=1e-6)
    assert grad.dtype == np.float64
    np.testing.assert_array_equal(np.asarray(x), np.asarray(make_x()))


def test_float32_is_perturbed_in_place_at_float32_precision(rng):
    class Model:
        W = rng.standard_normal((2, 3)).astype(np.float32)

        def loss(self):
            return float(np.sum(self.W.astype(np.float64) ** 3))

    model = Model()
    before = model.W.tobytes()
    exact = 3 * model.W.astype(np.float64) ** 2
    # The book's step in float32: x + h is rounded to float32 spacing (~1e-7 |x|).
    default = numerical_gradient(lambda _: model.loss(), model.W)
    np.testing.assert_allclose(default, exact, rtol=1e-2, atol=1e-2)
    # h="auto" sizes the step for float32's epsilon: eps32 ** (1/3) |x|.
    auto = numerical_gradient(lambda _: model.loss(), model.W, "auto")
    np.testing.assert_allclose(auto, exact, rtol=1e-4, atol=1e-6)
    assert default.dtype == auto.dtype == np.float64
    assert model.W.tobytes() == before


def test_the_book_loop_fails_on_integers_where_numgrad_does_not():
    # The book's zeros_like gives an integer grad and x[i] + h is truncated.
    bad = book_gradient(lambda v: v[0] ** 2 + v[1] ** 2, np.array([3, 4]))
    assert not np.allclose(bad, [6, 8])
    np.testing.assert_allclose(
        numerical_gradient(lambda v: v[0] ** 2 + v[1] ** 2, np.array([3, 4])), [6, 8]
    )


def test_boolean_and_read_only_and_scalar_inputs():
    np.testing.assert_allclose(
        numerical_gradient(lambda v: np.sum(v**2), np.array([True, False])), [2, 0], atol=1e-8
    )
    frozen = np.array([1.0, 2.0])
    frozen.flags.writeable = False
    np.testing.assert_allclose(
        numerical_gradient(lambda v: np.sum(v**2), frozen), [2, 4], atol=1e-8
    )
    grad = numerical_gradient(lambda v: v**3, 2.0)
    assert grad.shape == ()
    assert grad == pytest.approx(12.0, abs=1e-6)


def test_non_contiguous_input_is_perturbed_in_place_and_restored(rng):
    base = rng.standard_normal((4, 6))
    view = base[:, ::2].T
    before = base.copy()
    grad = numerical_gradient(lambda v: np.sum(v**3), view)
    np.testing.assert_allclose(grad, 3 * view**2, atol=1e-7)
    np.testing.assert_array_equal(base, before)


class Boom(Exception):
    pass


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("vectorized", [False, True])
def test_input_restored_bit_for_bit_when_f_raises_midway(method, vectorized, rng):
    x = rng.standard_normal((3, 4))
    x[0, 1] = -0.0  # restoring must keep the sign bit too
    before = x.copy()
    calls = []

    def f(v):
        calls.append(1)
        if len(calls) == 7:
            raise Boom
        return np.sum(v**2, axis=tuple(range(1, v.ndim))) if vectorized else np.sum(v**2)

    if vectorized:
        import numgrad._engine.stacks as module

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(module, "STACK_BYTES", 1)  # one coordinate per call
            with pytest.raises(Boom):
                numerical_gradient(f, x, method=method, vectorized=True)
    else:
        with pytest.raises(Boom):
            numerical_gradient(f, x, method=method)
    assert x.tobytes() == before.tobytes()


def test_input_unchanged_after_every_mode(rng):
    x = rng.standard_normal((5, 2))
    before = x.copy()
    numerical_gradient(lambda v: np.sum(v**2), x)
    numerical_gradient(lambda v: np.sum(v**2), x, batch=True)
    numerical_gradient(lambda s: np.sum(s**2, axis=1), x, batch=True, vectorized=True)
    numerical_gradient(lambda v: np.sum(v**2), x, "auto", method="complex")
    assert x.tobytes() == before.tobytes()


def test_function_that_ignores_its_argument_sees_the_perturbation():
    class Model:
        W = np.array([[1.0, 2.0], [3.0, 4.0]])

        def loss(self):
            return np.sum(self.W**2)

    model = Model()
    grad = numerical_gradient(lambda _: model.loss(), model.W)
    np.testing.assert_allclose(grad, 2 * model.W, atol=1e-7)


@pytest.mark.parametrize(
    ("f", "message"),
    [
        (lambda v: v * 2, r"f must return a scalar; it returned an array of shape \(2,\)"),
        (lambda v: [1.0, 2.0], r"f must return a scalar; it returned an array of shape \(2,\)"),
        (
            lambda v: np.array([1.0]),
            r"f must return a scalar; it returned an array of shape \(1,\)",
        ),
    ],
    ids=["array", "list", "one-element array"],
)
def test_f_must_return_a_scalar(f, message):
    with pytest.raises(ValueError, match=message):
        numerical_gradient(f, np.array([1.0, 2.0]))


def test_f_returning_text_is_a_type_error():
    with pytest.raises(TypeError, match="f must return a real scalar"):
        numerical_gradient(lambda v: "1.0", np.array([1.0, 2.0]))


def test_vectorized_f_must_return_one_value_per_point():
    with pytest.raises(ValueError, match="one scalar per point"):
        numerical_gradient(np.sum, np.array([1.0, 2.0]), vectorized=True)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"h": 0.0}, ValueError, "h must be a positive finite number"),
        ({"h": -1e-4}, ValueError, "h must be a positive finite number"),
        ({"h": np.inf}, ValueError, "h must be a positive finite number"),
        ({"h": np.nan}, ValueError, "h must be a positive finite number"),
        ({"h": "tiny"}, TypeError, "h must be a positive finite number"),
        ({"h": True}, TypeError, "h must be a positive finite number"),
        ({"h": [1e-4, 1e-4, 1e-4]}, ValueError, r"h must be broadcastable to x's shape \(2,\)"),
        ({"h": [1e-4, 0.0]}, ValueError, r"h must be positive and finite everywhere; h\[1\] = 0.0"),
        ({"h": [1e-4, np.nan]}, ValueError, r"h\[1\] = nan \(for x\[1\]\)"),
        ({"h": ["a", "b"]}, TypeError, "h must be a positive finite number, an array"),
        ({"workers": 0}, TypeError, "workers must be a positive integer"),
        ({"workers": "4"}, TypeError, "workers must be a positive integer"),
        ({"method": "secant"}, ValueError, "method must be one of"),
        ({"batch": 1}, TypeError, "batch must be True or False"),
        ({"vectorized": "yes"}, TypeError, "vectorized must be True or False"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message):
    x = np.array([1.0, 2.0])
    with pytest.raises(error, match=message):
        numerical_gradient(lambda v: np.sum(v**2), x, **kwargs)


def test_batch_needs_a_first_axis():
    with pytest.raises(ValueError, match="batch=True needs x with a first axis"):
        numerical_gradient(lambda v: v**2, 3.0, batch=True)


def test_complex_x_is_rejected():
    with pytest.raises(TypeError, match="x must be a real"):
        numerical_gradient(np.sum, np.array([1j]))


@pytest.mark.parametrize("vectorized", [False, True])
def test_nan_from_f_is_reported_with_its_index(vectorized):
    def f(v):
        return np.sum(np.sqrt(v), axis=-1) if vectorized else np.sum(np.sqrt(v))

    x = np.array([4.0, 0.0, 9.0])
    with (
        pytest.warns(RuntimeWarning, match=r"NaN or infinity when x\[1\] was perturbed"),
        np.errstate(invalid="ignore"),
    ):
        grad = numerical_gradient(f, x, vectorized=vectorized)
    assert np.isnan(grad[1])
    np.testing.assert_allclose(grad[[0, 2]], [0.25, 1 / 6], atol=1e-7)


@pytest.mark.parametrize(
    ("kwargs", "f"),
    [
        ({}, np.sum),
        ({"batch": True}, np.sum),
        ({"vectorized": True}, lambda s: np.sum(s, axis=(1, 2))),
        ({"batch": True, "vectorized": True}, lambda s: np.sum(s, axis=1)),
    ],
)
def test_empty_input_gives_an_empty_gradient(kwargs, f):
    assert numerical_gradient(f, np.zeros((0, 3)), **kwargs).shape == (0, 3)


def test_a_step_that_vanishes_in_float16_warns_with_the_index():
    # 1 + 1e-4 rounds back to 1 in float16: the book's step gives a silent 0.
    x = np.array([1.0, 2.0], dtype=np.float16)
    with pytest.warns(RuntimeWarning, match=r'h=0.0001 does not change x\[0\].*use h="auto"'):
        grad = numerical_gradient(lambda v: float(np.sum(v.astype(np.float64) ** 2)), x)
    assert np.all(grad == 0)  # what the warning is about
    auto = numerical_gradient(lambda v: float(np.sum(v.astype(np.float64) ** 2)), x, "auto")
    np.testing.assert_allclose(auto, [2.0, 4.0], rtol=1e-3)


def test_a_step_that_vanishes_next_to_a_large_value_warns():
    with pytest.warns(
        RuntimeWarning, match=r"does not change x\[1\] = 10000000000000.0 in float64"
    ):
        numerical_gradient(np.sum, np.array([1.0, 1e13]))


def read_only(array):
    array.flags.writeable = False
    return array


@pytest.mark.parametrize(
    "make_w",
    [
        lambda: np.array([[1, 2], [3, 4]]),
        lambda: read_only(np.array([[1.0, 2.0], [3.0, 4.0]])),
        lambda: [[1.0, 2.0], [3.0, 4.0]],
    ],
    ids=["int", "read-only", "list"],
)
def test_f_that_ignores_a_copied_x_warns(make_w):
    # The book's idiom on an array numgrad must copy: f reads the original.
    W = make_w()
    with pytest.warns(RuntimeWarning, match=r"f seems to ignore its argument.*lambda w"):
        grad = numerical_gradient(lambda w: float(np.sum(np.asarray(W) ** 2)), W)
    assert np.all(grad == 0)


def test_threads_on_the_same_array_both_get_right_answers():
    import threading
    import time

    x = np.array([1.0, 2.0, 3.0])
    before = x.tobytes()
    results = {}

    def slow_f(v):
        time.sleep(0.0005)  # let the other thread run while x is perturbed
        return float(np.sum(v**2))

    def work(name):
        results[name] = numerical_gradient(slow_f, x)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert x.tobytes() == before
    for grad in results.values():
        np.testing.assert_allclose(grad, [2.0, 4.0, 6.0], rtol=1e-8)


def test_threads_on_views_of_one_array_take_turns(rng):
    import threading
    import time

    base = rng.standard_normal((2, 20))
    before = base.tobytes()
    results = {}

    def loss(_):
        time.sleep(0.0005)  # f reads all of base, while the other thread perturbs its row
        return float(np.sum(base**3))

    def work(row):
        results[row] = numerical_gradient(loss, base[row])

    threads = [threading.Thread(target=work, args=(row,)) for row in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert base.tobytes() == before
    for row in (0, 1):
        np.testing.assert_allclose(results[row], 3 * base[row] ** 2, rtol=1e-6, atol=1e-7)


def test_recursion_on_the_same_array_in_one_thread():
    x = np.array([1.0, 2.0])

    def f(v):
        # The gradient of f inside f: the lock is re-entrant.
        inner = numerical_gradient(lambda w: float(np.sum(w**2)), x)
        return float(np.sum(v**2) + 0 * inner.sum())

    np.testing.assert_allclose(numerical_gradient(f, x), [2.0, 4.0], rtol=1e-8)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_vectorized_f_that_changes_its_stack_gets_a_clear_error():
    def centred(stack):
        stack -= stack.mean(axis=1, keepdims=True)
        return np.sum(stack**2, axis=1)

    with pytest.raises(ValueError, match="f must not change its argument"):
        numerical_gradient(centred, np.arange(10.0), vectorized=True)


def test_vectorized_f_sees_every_stack_fresh(rng):
    # The same computation without the in-place change is right, element by element.
    x = rng.standard_normal(1000)

    def centred(stack):
        stack = stack - stack.mean(axis=1, keepdims=True)
        return np.sum(stack**2, axis=1)

    exact = 2 * (x - x.mean())
    np.testing.assert_allclose(numerical_gradient(centred, x, vectorized=True), exact, atol=1e-6)


def test_a_float_matrix_is_perturbed_in_place():
    with pytest.warns(PendingDeprecationWarning):
        x = np.matrix([[1.0, 2.0]])
    grad = numerical_gradient(lambda m: float(np.sum(np.asarray(m) ** 2)), x)
    np.testing.assert_allclose(grad, [[2.0, 4.0]], rtol=1e-8)
    assert type(grad) is np.ndarray


def test_a_batch_without_batch_true_gets_a_short_hint(rng):
    points = rng.standard_normal((30, 30))
    with pytest.raises(ValueError, match="batch=True") as raised:
        numerical_gradient(lambda v: np.sum(v**2, axis=-1), points)
    assert len(str(raised.value)) < 300


@pytest.mark.parametrize("shape", [(50,), (5, 10), (2, 3, 4)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_the_lean_vectorized_path_is_the_general_one_bit_for_bit(monkeypatch, rng, shape, dtype):
    import numgrad._engine.stacks as module

    x = (rng.standard_normal(shape) * 10).astype(dtype)
    w = rng.standard_normal(shape)
    axes = tuple(range(1, len(shape) + 1))

    def f_stack(s):  # row sums, not BLAS products: the same rounding for one row or a stack
        return np.sum(np.sin(s) * w, axis=axes)

    lean = numerical_gradient(f_stack, x, vectorized=True)
    monkeypatch.setattr(module, "STACK_BYTES", 1000)  # too small for the lean path's stack
    general = numerical_gradient(f_stack, x, vectorized=True)
    assert lean.shape == x.shape
    assert lean.tobytes() == general.tobytes()
    if dtype is not np.float32:  # the loop perturbs float32 in place, in float32
        assert lean.tobytes() == numerical_gradient(lambda v: np.sum(np.sin(v) * w), x).tobytes()


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (np.array([1.0, 1e13]), r"does not change x\[1\]"),
        (np.array([4.0, 0.0]), r"NaN or infinity when x\[1\] was perturbed"),
    ],
)
def test_the_lean_vectorized_path_still_warns(x, message):
    with pytest.warns(RuntimeWarning, match=message), np.errstate(invalid="ignore"):
        numerical_gradient(lambda s: np.sum(np.sqrt(s), axis=1), x, vectorized=True)


@pytest.mark.parametrize("shape", [(), (1,), (7,), (3, 4), (2, 3, 2)])
def test_the_textbook_branch_is_the_general_loop_bit_for_bit(rng, shape):
    # A float h takes the engine's first branch (central_loop); an np.float64 h of the
    # same value takes the general loop: the same numbers, bit for bit.
    x = rng.standard_normal(shape) * 10
    w = rng.standard_normal(shape)

    def f(v):
        return float(np.sum(np.sin(v) * w))

    lean = numerical_gradient(f, x, 1e-4)
    general = numerical_gradient(f, x, np.float64(1e-4))
    assert lean.shape == general.shape == x.shape
    assert lean.tobytes() == general.tobytes()

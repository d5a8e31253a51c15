"""workers=: any map evaluates the points, and the result is the serial one, bit for bit."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from numgrad import numerical_gradient, numerical_hessian, numerical_jacobian


# Module-level functions: a process pool pickles f by reference.
def loss(v):
    return float(np.sum(np.sin(v) * v**2) + np.prod(np.cos(v)))


def vector(v):
    return np.stack([np.sin(v) * v[0], np.exp(v / 4)])


def differentiate(workers):
    x = np.linspace(-1.0, 1.0, 5)
    return (
        numerical_gradient(loss, x, workers=workers),
        numerical_gradient(loss, x, "auto", workers=workers),
        numerical_gradient(loss, x.astype(np.float32), workers=workers),
        numerical_jacobian(vector, x, workers=workers),
        numerical_jacobian(vector, x, "auto", method="richardson", workers=workers),
        numerical_hessian(loss, x, workers=workers),
        numerical_hessian(loss, x, method="richardson", workers=workers),
    )


def assert_bit_identical(results, serial):
    for result, expected in zip(results, serial, strict=True):
        assert result.tobytes() == expected.tobytes()


@pytest.fixture(scope="module")
def serial():
    return differentiate(1)


def test_a_thread_pool(serial):
    with ThreadPoolExecutor(4) as pool:
        assert_bit_identical(differentiate(pool.map), serial)


def test_an_int_is_a_process_pool(serial):
    assert_bit_identical(differentiate(2), serial)


def test_a_multiprocessing_pool(serial):
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        assert_bit_identical(differentiate(pool.map), serial)


def test_a_local_dask_cluster(serial):
    import distributed  # a test dependency

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert_bit_identical(differentiate(client.get_executor().map), serial)


def test_threads_are_faster_for_a_slow_f():
    # 8 variables, 16 evaluations of 10 ms: serial takes 160 ms at least.
    import time

    def slow(v):
        time.sleep(0.01)
        return float(np.sum(v**2))

    with ThreadPoolExecutor(8) as pool:
        start = time.perf_counter()
        grad = numerical_gradient(slow, np.ones(8), workers=pool.map)
        elapsed = time.perf_counter() - start
    np.testing.assert_allclose(grad, 2.0, rtol=1e-8)
    assert elapsed < 0.16  # a correctness check of parallelism, not a speed target


def test_a_lambda_cannot_go_to_processes():
    with pytest.raises(TypeError, match="must be picklable"):
        numerical_gradient(lambda v: float(np.sum(v)), np.ones(3), workers=2)


def test_f_that_ignores_the_copies_warns():
    weights = np.ones(3)
    with (
        ThreadPoolExecutor(2) as pool,
        pytest.warns(RuntimeWarning, match="f seems to ignore its argument"),
    ):
        numerical_gradient(lambda _: float(np.sum(weights**2)), weights, workers=pool.map)


@pytest.mark.parametrize(
    ("workers", "error"), [(0, TypeError), (2.5, TypeError), (True, TypeError)]
)
def test_bad_workers(workers, error):
    with pytest.raises(error, match="workers must be a positive integer"):
        numerical_jacobian(vector, np.ones(2), workers=workers)


def test_workers_and_vectorized_are_alternatives():
    with pytest.raises(ValueError, match="workers= and vectorized=True"):
        numerical_gradient(np.sum, np.ones(2), vectorized=True, workers=2)


def test_workers_true_is_not_one():
    with pytest.raises(TypeError, match="workers must be a positive integer"):
        numerical_gradient(loss, np.ones(3), workers=True)

"""The benchmark's second half: Jacobians, Hessians, fixed costs and parallel workers.

Imported by ``tests/benchmark.py``, which prints these sections after its own
and collects their targets with the others:

D. Jacobian of a small R^3 -> R^4 function and Hessian of a smooth
   non-polynomial function of 10 variables, against numdifftools and
   scipy.differentiate: relative error and median time;
E. fixed costs on the book's own examples against the book's code, and
   ``vectorized=True`` against its floor (one call of f on the stack of the
   2N perturbed points, built with np.tile);
F. ``workers=`` threads on a gradient whose f sleeps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import numdifftools as nd
import numpy as np
from benchmark_common import (
    BOOK_H,
    Target,
    _at_least,
    _at_most,
    book_gradient,
    fmt_err,
    fmt_num,
    fmt_ratio,
    markdown_table,
    median_times,
)
from scipy import differentiate

from numgrad import (
    gradient_descent,
    numerical_diff,
    numerical_gradient,
    numerical_hessian,
    numerical_jacobian,
)

# --------------------------------------------------------------------------- D. Jacobian, Hessian


def vector_function(x: np.ndarray) -> np.ndarray:
    """A smooth R^3 -> R^4 function."""
    return np.array([x[0] * x[1], np.sin(x[0]), np.exp(x[2]) * x[0], x[1] ** 3])


def vector_function_jacobian(x: np.ndarray) -> np.ndarray:
    e = np.exp(x[2])
    return np.array(
        [
            [x[1], x[0], 0.0],
            [np.cos(x[0]), 0.0, 0.0],
            [e, 0.0, e * x[0]],
            [0.0, 3 * x[1] ** 2, 0.0],
        ]
    )


def vector_function_stack(stack: np.ndarray) -> np.ndarray:
    """``vector_function`` on the last axis, for scipy.differentiate.jacobian."""
    return np.stack(
        [stack[0] * stack[1], np.sin(stack[0]), np.exp(stack[2]) * stack[0], stack[1] ** 3]
    )


_MATRIX = np.random.default_rng(7).standard_normal((10, 10))
_MATRIX = (_MATRIX + _MATRIX.T) / 2


def scalar_function(x: np.ndarray) -> Any:
    """A smooth non-polynomial function of 10 variables."""
    quadratic = 0.5 * x @ _MATRIX @ x
    return np.sum(np.exp(0.3 * x) * np.sin(x)) + quadratic * np.cos(0.1 * np.sum(x))


def scalar_function_hessian(x: np.ndarray) -> np.ndarray:
    e = np.exp(0.3 * x)
    diagonal = np.diag(e * ((0.09 - 1) * np.sin(x) + 0.6 * np.cos(x)))
    quadratic, slope = 0.5 * x @ _MATRIX @ x, _MATRIX @ x
    c, s = np.cos(0.1 * np.sum(x)), np.sin(0.1 * np.sum(x))
    ones = np.ones_like(x)
    mixed = np.outer(slope, ones) + np.outer(ones, slope)
    return diagonal + _MATRIX * c - 0.1 * s * mixed - 0.01 * c * quadratic * np.outer(ones, ones)


def scalar_function_stack(stack: np.ndarray) -> Any:
    """``scalar_function`` for scipy.differentiate.hessian: points along the first axis."""
    quadratic = 0.5 * np.einsum("i...,ij,j...->...", stack, _MATRIX, stack)
    return np.sum(np.exp(0.3 * stack) * np.sin(stack), axis=0) + quadratic * np.cos(
        0.1 * np.sum(stack, axis=0)
    )


def _relative(value: np.ndarray, exact: np.ndarray) -> float:
    return float(np.max(np.abs(value - exact)) / np.max(np.abs(exact)))


def measure_second_half() -> dict[str, dict[str, tuple[float, float]]]:
    """(relative error, median seconds) of each Jacobian and Hessian estimator."""
    x3 = np.array([0.5, 1.5, -0.3])
    x10 = np.random.default_rng(3).uniform(-1, 1, 10)
    jacobians: dict[str, Callable[[], Any]] = {
        "numgrad central h=1e-4": lambda: numerical_jacobian(vector_function, x3),
        "numgrad central auto": lambda: numerical_jacobian(vector_function, x3, "auto"),
        "numgrad richardson auto": lambda: numerical_jacobian(
            vector_function, x3, "auto", method="richardson"
        ),
        "numgrad complex auto": lambda: numerical_jacobian(
            vector_function, x3, "auto", method="complex"
        ),
        "numdifftools Jacobian": partial(nd.Jacobian(vector_function), x3),
        "scipy differentiate.jacobian": lambda: (
            differentiate.jacobian(vector_function_stack, x3).df
        ),
    }
    hessians: dict[str, Callable[[], Any]] = {
        "numgrad central": lambda: numerical_hessian(scalar_function, x10),
        "numgrad richardson": lambda: numerical_hessian(scalar_function, x10, method="richardson"),
        "numgrad complex": lambda: numerical_hessian(scalar_function, x10, method="complex"),
        "numdifftools Hessian": partial(nd.Hessian(scalar_function), x10),
        "scipy differentiate.hessian": lambda: (
            differentiate.hessian(scalar_function_stack, x10).ddf
        ),
    }
    results = {}
    for name, (estimators, exact) in {
        "jacobian": (jacobians, vector_function_jacobian(x3)),
        "hessian": (hessians, scalar_function_hessian(x10)),
    }.items():
        times = median_times(estimators, repeats=7, min_seconds=0.02)
        results[name] = {
            estimator: (_relative(np.asarray(fn()), exact), times[estimator])
            for estimator, fn in estimators.items()
        }
    return results


def print_second_half(results: dict[str, dict[str, tuple[float, float]]]) -> None:
    print("## D. Jacobians and Hessians\n")
    for name, title in (
        ("jacobian", "Jacobian of (x0 x1, sin x0, exp(x2) x0, x1^3) at (0.5, 1.5, -0.3)"),
        (
            "hessian",
            "Hessian of sum(exp(0.3x) sin x) + (x^T A x / 2) cos(sum(x) / 10), 10 variables",
        ),
    ):
        rows = [
            [estimator, fmt_err(error), fmt_num(seconds * 1e3)]
            for estimator, (error, seconds) in results[name].items()
        ]
        print(f"### {title}\n")
        print(markdown_table(["method", "rel error", "time (ms)"], rows))
        print()


def second_half_targets(results: dict[str, dict[str, tuple[float, float]]]) -> list[Target]:
    jacobian, hessian = results["jacobian"], results["hessian"]
    richardson = jacobian["numgrad richardson auto"]
    best = min(
        (name for name in hessian if name.startswith("numgrad") and hessian[name][0] <= 1e-9),
        key=lambda name: hessian[name][1],
        default="numgrad richardson",
    )
    return [
        _at_most("Jacobian, richardson auto, rel error on R^3 -> R^4", richardson[0], 1e-11, fmt_err),
        _at_least(
            "Jacobian, richardson auto, speedup over numdifftools.Jacobian",
            jacobian["numdifftools Jacobian"][1] / richardson[1], 5, fmt_ratio,
        ),
        _at_most(f"Hessian, {best}, rel error in 10 variables", hessian[best][0], 1e-9, fmt_err),
        _at_least(
            f"Hessian, {best}, speedup over numdifftools.Hessian",
            hessian["numdifftools Hessian"][1] / hessian[best][1], 5, fmt_ratio,
        ),
    ]  # fmt: skip


# --------------------------------------------------------------------------- E. fixed costs


def function_1(x: Any) -> Any:
    return 0.01 * x**2 + 0.1 * x


def function_2(x: np.ndarray) -> Any:
    return x[0] ** 2 + x[1] ** 2


def book_descent(f: Callable, init_x: np.ndarray, lr: float, step_num: int) -> np.ndarray:
    """The book's gradient_descent, on its own copy so that repeats start alike."""
    x = init_x.copy()
    for _ in range(step_num):
        x -= lr * book_gradient(f, x)
    return x


def measure_fixed_costs() -> dict[str, float]:
    """Ratios of numgrad's time to the book's code, and of vectorized to its floor."""
    x2 = np.array([3.0, 4.0])
    init = np.array([-3.0, 4.0])
    pairs: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "numerical_diff(function_1, 5.0) / the bare formula": (
            lambda: numerical_diff(function_1, 5.0),
            lambda: (function_1(5.0 + BOOK_H) - function_1(5.0 - BOOK_H)) / (2 * BOOK_H),
        ),
        "numerical_gradient(function_2, [3., 4.]) / the book's loop": (
            lambda: numerical_gradient(function_2, x2),
            lambda: book_gradient(function_2, x2),
        ),
        "100 steps of gradient_descent / the book's": (
            lambda: gradient_descent(function_2, init, lr=0.1, step_num=100),
            lambda: book_descent(function_2, init, 0.1, 100),
        ),
    }
    rng = np.random.default_rng(11)
    for n in (100, 300, 1000):
        w, x = rng.standard_normal(n), rng.standard_normal(n)
        functions = {
            "a dot product": lambda s, w=w: s @ w,
            "a linear f": lambda s, w=w: s @ w + 2.0,
            "a sum of squares": lambda s: np.einsum("ij,ij->i", s, s),
        }
        for name, f in functions.items():
            pairs[f"vectorized, {name}, N={n} / its floor"] = (
                lambda f=f, x=x: numerical_gradient(f, x, vectorized=True),
                lambda f=f, x=x, n=n: f(np.tile(x, (2 * n, 1))),
            )
    ratios = {}
    for name, (ours, reference) in pairs.items():
        times = median_times({"ours": ours, "reference": reference}, repeats=9, min_seconds=0.02)
        ratios[name] = times["ours"] / times["reference"]
    return ratios


def print_fixed_costs(ratios: dict[str, float]) -> None:
    print("## E. Fixed costs\n")
    print(
        "Median time of numgrad's call over the book's code for the same result, and of "
        "vectorized=True over its floor: f called once on the stack of the 2N perturbed "
        "points, built with np.tile.\n"
    )
    print(markdown_table(["call", "time ratio"], [[k, fmt_ratio(v)] for k, v in ratios.items()]))
    print()


def fixed_cost_targets(ratios: dict[str, float]) -> list[Target]:
    bounds = {
        "numerical_diff(function_1, 5.0) / the bare formula": 3,
        "numerical_gradient(function_2, [3., 4.]) / the book's loop": 2,
        "100 steps of gradient_descent / the book's": 2,
    }
    for name in ratios:
        if name.startswith("vectorized"):
            bounds[name] = 1.5 if "N=100 " in name else 1.25
    return [_at_most(name, ratios[name], bound, fmt_ratio) for name, bound in bounds.items()]


# --------------------------------------------------------------------------- F. workers


def measure_workers() -> dict[str, float]:
    """Seconds for the gradient of 8 variables whose f sleeps 10 ms: serial and 8 threads."""

    def slow(v: np.ndarray) -> float:
        time.sleep(0.01)
        return float(np.sum(v**2))

    x = np.ones(8)
    start = time.perf_counter()
    numerical_gradient(slow, x)
    serial = time.perf_counter() - start
    with ThreadPoolExecutor(8) as pool:
        start = time.perf_counter()
        numerical_gradient(slow, x, workers=pool.map)
        threads = time.perf_counter() - start
    return {"serial": serial, "8 threads": threads}


def print_workers(seconds: dict[str, float]) -> None:
    print("## F. Parallel evaluation\n")
    print("Gradient of 8 variables, f sleeps 10 ms (16 evaluations).\n")
    rows = [[name, fmt_num(value * 1e3)] for name, value in seconds.items()]
    print(markdown_table(["workers", "time (ms)"], rows))
    print()


def workers_targets(seconds: dict[str, float]) -> list[Target]:
    return [
        _at_most(
            "workers=8 threads, 8 variables, f sleeps 10 ms (ms)",
            seconds["8 threads"] * 1e3,
            80,
            fmt_num,
        )
    ]


def run() -> list[Target]:
    """Measure and print sections D to F; return their targets."""
    second = measure_second_half()
    print_second_half(second)
    ratios = measure_fixed_costs()
    print_fixed_costs(ratios)
    workers = measure_workers()
    print_workers(workers)
    return second_half_targets(second) + fixed_cost_targets(ratios) + workers_targets(workers)

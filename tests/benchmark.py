"""Accuracy and speed of numgrad against the book's code, scipy and numdifftools.

Run it with ``nox -s bench``, or ``python tests/benchmark.py`` wherever numgrad,
scipy and numdifftools are installed. It prints Markdown: the machine, then

A. derivatives of functions of one variable: relative error, evaluations of
   ``f`` and median time per derivative, for each method;
C. gradient timings against the book's loop and ``scipy.optimize.approx_fprime``;
D.-F. Jacobians and Hessians against numdifftools and scipy.differentiate,
   fixed costs against the book's code, and parallel workers
   (``tests/benchmark_beyond.py``);
B. the targets, one ``TARGET ...: measured ... (need ...) PASS/FAIL`` line each
   (printed last, since they use the measurements of the other sections).

It is a report, not a test: it exits 0 whatever the targets say, unless run
with ``--check`` (``nox -s bench -- --check``), which exits 1 when one fails.
Times are medians over repeats, each repeat long enough (or a single call for
slow ones) for ``time.perf_counter``; the variants compared in a ratio are
timed in turn, repeat after repeat, so that a slow spell of the machine hits
them alike. The whole run takes under a minute on a 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numdifftools as nd
import numpy as np
import scipy
from scipy.differentiate import derivative as scipy_derivative
from scipy.optimize import approx_fprime

import numgrad
from numgrad import numerical_diff, numerical_gradient

sys.path.insert(0, str(Path(__file__).parent))  # run as a script: its sibling modules
import benchmark_beyond
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

SEED = 20261128
GRADIENT_SIZES = (10, 300, 1000, 10000)
BATCH_POINTS = 10_000
# Reported, never changed: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are set on some CPUs
# of this environment and slow numpy; the thread counts matter for BLAS-bound f.
ENV_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")


# --------------------------------------------------------------------------- the book's code


def book_diff(f: Callable[[Any], Any], x: float) -> Any:
    """The book's central difference, h = 1e-4."""
    h = BOOK_H
    return (f(x + h) - f(x - h)) / (2 * h)


def book_gradient_over_points(f: Callable[[np.ndarray], Any], points: np.ndarray) -> np.ndarray:
    """The book's gradient at each row of ``points``, one row at a time."""
    grad = np.zeros_like(points)
    for k in range(points.shape[0]):
        grad[k] = book_gradient(f, points[k])
    return grad


# --------------------------------------------------------------------------- measuring


class CountingFunction:
    """Wrap ``f`` to count its calls and the points it was given (``np.size`` of the argument)."""

    def __init__(self, f: Callable[[Any], Any]) -> None:
        self.f = f
        self.calls = 0
        self.points = 0

    def __call__(self, x: Any) -> Any:
        self.calls += 1
        self.points += int(np.size(x))
        return self.f(x)


def peak_memory_mb(fn: Callable[[], Any]) -> float:
    """Growth of traced memory (numpy's buffers included) at its peak during ``fn()``, in MB."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return (peak - baseline) / 2**20


# --------------------------------------------------------------------------- formatting


def load_average() -> str:
    """The 1-minute load average, where the system has one."""
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "unknown"


def _blas() -> str:
    try:
        blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
    except (AttributeError, KeyError, TypeError):
        return "unknown"
    return f"{blas.get('name', 'unknown')} {blas.get('version', '')}".strip()


def print_header() -> None:
    cpu = platform.processor() or "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for row in cpuinfo.read_text().splitlines():
            if row.startswith("model name"):
                cpu = row.split(":", 1)[1].strip()
                break
    variables = ", ".join(f"{name}={os.environ.get(name, 'not set')}" for name in ENV_VARIABLES)
    print("# numgrad benchmark\n")
    print(f"- date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"- python {platform.python_version()} ({platform.python_implementation()})")
    print(
        f"- numgrad {numgrad.__version__} ({Path(numgrad.__file__).parent}), "
        f"numpy {np.__version__} (BLAS: {_blas()}), scipy {scipy.__version__}, "
        f"numdifftools {nd.__version__}"
    )
    print(f"- machine: {platform.platform()}, {cpu}, cpu count {os.cpu_count()}")
    print(f"- environment: {variables}")
    print(f"- load average at start (1 min): {load_average()}")
    print()


# --------------------------------------------------------------------------- A. derivatives


def quadratic(x: Any) -> Any:
    return 0.01 * x**2 + 0.1 * x


def reciprocal(x: Any) -> Any:
    return 1 / x


@dataclass(frozen=True)
class DiffCase:
    label: str
    f: Callable[[Any], Any]
    x: float
    exact: float


@dataclass(frozen=True)
class Estimator:
    """A derivative method: ``prepare(f)`` gives the function ``x -> f'(x)`` that is timed."""

    label: str
    prepare: Callable[[Callable[[Any], Any]], Callable[[float], float]]
    note: Callable[[Callable[[Any], Any], float], str] | None = None


@dataclass(frozen=True)
class DiffResult:
    case: DiffCase
    estimator: str
    value: float
    rel_error: float
    calls: int
    points: int
    seconds: float
    note: str


DIFF_CASES = (
    DiffCase("0.01x^2+0.1x", quadratic, 5.0, 0.2),
    DiffCase("0.01x^2+0.1x", quadratic, 10.0, 0.3),
    DiffCase("sin", np.sin, 1.0, math.cos(1.0)),
    DiffCase("exp", np.exp, 10.0, math.exp(10.0)),
    DiffCase("1/x", reciprocal, 1e-3, -1e6),
)


def _numgrad_diff(h: float | str, method: str) -> Callable[[Callable], Callable[[float], float]]:
    def prepare(f: Callable[[Any], Any]) -> Callable[[float], float]:
        return partial(numerical_diff, f, h=h, method=method)

    return prepare


def _book(f: Callable[[Any], Any]) -> Callable[[float], float]:
    return partial(book_diff, f)


def _approx_fprime(f: Callable[[Any], Any]) -> Callable[[float], float]:
    def scalar_f(v: np.ndarray) -> Any:
        return f(v[0])

    def derivative(x: float) -> float:
        return float(approx_fprime(np.array([x]), scalar_f)[0])

    return derivative


def _scipy_derivative(f: Callable[[Any], Any]) -> Callable[[float], float]:
    def derivative(x: float) -> float:
        return float(scipy_derivative(f, x).df)

    return derivative


def _scipy_note(f: Callable[[Any], Any], x: float) -> str:
    result = scipy_derivative(f, x)
    return "" if result.success else f"success=False ({result.nit} iterations)"


def _numdifftools(f: Callable[[Any], Any]) -> Callable[[float], float]:
    # Built once, as a user would; only the call is timed.
    derivative = nd.Derivative(f)

    def call(x: float) -> float:
        return float(derivative(x))

    return call


ESTIMATORS = (
    Estimator("numgrad central h=1e-4", _numgrad_diff(BOOK_H, "central")),
    Estimator("numgrad central auto", _numgrad_diff("auto", "central")),
    Estimator("numgrad forward auto", _numgrad_diff("auto", "forward")),
    Estimator("numgrad richardson auto", _numgrad_diff("auto", "richardson")),
    Estimator("numgrad complex auto", _numgrad_diff("auto", "complex")),
    Estimator("book formula h=1e-4", _book),
    Estimator("scipy approx_fprime", _approx_fprime),
    Estimator("scipy differentiate.derivative", _scipy_derivative, _scipy_note),
    Estimator("numdifftools Derivative", _numdifftools),
)


def measure_derivatives() -> list[DiffResult]:
    results = []
    for case in DIFF_CASES:
        times = median_times(
            {e.label: partial(e.prepare(case.f), case.x) for e in ESTIMATORS},
            repeats=9,
            min_seconds=0.01,
        )
        for estimator in ESTIMATORS:
            counter = CountingFunction(case.f)
            value = estimator.prepare(counter)(case.x)
            results.append(
                DiffResult(
                    case=case,
                    estimator=estimator.label,
                    value=value,
                    rel_error=abs(value - case.exact) / abs(case.exact),
                    calls=counter.calls,
                    points=counter.points,
                    seconds=times[estimator.label],
                    note=estimator.note(case.f, case.x) if estimator.note else "",
                )
            )
    return results


def print_derivatives(results: Sequence[DiffResult]) -> None:
    print("## A. Derivatives of one variable\n")
    print(
        "Relative error |d - exact| / |exact|; f calls and points evaluated (they differ "
        "only for scipy.differentiate, which calls f on arrays of points); median time of "
        "one derivative in microseconds (numdifftools: the call of a prebuilt Derivative).\n"
    )
    for case in DIFF_CASES:
        rows = [
            [
                r.estimator,
                fmt_err(r.rel_error),
                str(r.calls),
                str(r.points),
                fmt_num(r.seconds * 1e6),
                r.note,
            ]
            for r in results
            if r.case is case
        ]
        print(f"### {case.label} at x = {case.x:g} (exact {case.exact!r})\n")
        headers = ["method", "rel error", "f calls", "points", "time (us)", "note"]
        print(markdown_table(headers, rows, text_columns=(0, 5)))
        print()


# --------------------------------------------------------------------------- C. gradients


@dataclass(frozen=True)
class GradientRow:
    n: int
    seconds: dict[str, float]
    error: dict[str, float]
    vectorized_peak_mb: float


@dataclass(frozen=True)
class BatchResult:
    seconds: dict[str, float]
    error: dict[str, float]


def dot_functions(w: np.ndarray) -> tuple[Callable[[np.ndarray], Any], Callable[[np.ndarray], Any]]:
    """``f(x) = x @ w`` on one point, and on a stack of points."""

    def f(x: np.ndarray) -> Any:
        return x @ w

    def f_stack(stack: np.ndarray) -> np.ndarray:
        return stack @ w

    return f, f_stack


def sum_of_squares(point: np.ndarray) -> Any:
    return np.sum(point**2)


def sum_of_squares_stack(stack: np.ndarray) -> np.ndarray:
    return np.sum(stack**2, axis=1)


def gradient_variants(n: int, rng: np.random.Generator) -> tuple[dict[str, Callable], np.ndarray]:
    """The four gradients of ``x @ w`` at a random ``x`` of size ``n``, and the exact ``w``."""
    x = rng.standard_normal(n)
    w = rng.standard_normal(n)
    f, f_stack = dot_functions(w)
    # One copy of x each: the book's loop and numgrad's default perturb it in place.
    variants = {
        "book loop": partial(book_gradient, f, x.copy()),
        "numgrad default": partial(numerical_gradient, f, x.copy()),
        "numgrad vectorized": partial(numerical_gradient, f_stack, x.copy(), vectorized=True),
        "scipy approx_fprime": partial(approx_fprime, x.copy(), f),
    }
    return variants, w


def measure_gradients(rng: np.random.Generator) -> list[GradientRow]:
    rows = []
    for n in GRADIENT_SIZES:
        variants, w = gradient_variants(n, rng)
        large = n >= 10000
        seconds = median_times(
            variants, repeats=5 if large else 15, min_seconds=0.0 if large else 0.03
        )
        error = {name: float(np.max(np.abs(fn() - w))) for name, fn in variants.items()}
        peak = peak_memory_mb(variants["numgrad vectorized"])
        rows.append(GradientRow(n, seconds, error, peak))
    return rows


def measure_batch(rng: np.random.Generator) -> BatchResult:
    points = rng.standard_normal((BATCH_POINTS, 2))
    variants = {
        "book loop over points": partial(book_gradient_over_points, sum_of_squares, points.copy()),
        "numgrad batch": partial(numerical_gradient, sum_of_squares, points.copy(), batch=True),
        "numgrad batch+vectorized": partial(
            numerical_gradient, sum_of_squares_stack, points.copy(), batch=True, vectorized=True
        ),
    }
    seconds = median_times(variants, repeats=5, min_seconds=0.0)
    exact = 2 * points
    error = {name: float(np.max(np.abs(fn() - exact))) for name, fn in variants.items()}
    return BatchResult(seconds, error)


def print_gradients(rows: Sequence[GradientRow], batch: BatchResult) -> None:
    print("## C. Gradients\n")
    print(
        "f(x) = x @ w for x of size N (vectorized: f(stack) = stack @ w). Median time of one "
        "gradient in milliseconds; 'x book' is the time divided by the book loop's (below 1 "
        "is faster); error is max |grad - w|; peak MB is tracemalloc's peak growth during "
        "one vectorized gradient.\n"
    )
    names = ("numgrad default", "numgrad vectorized", "scipy approx_fprime")
    table = []
    for row in rows:
        book = row.seconds["book loop"]
        cells = [str(row.n), fmt_num(book * 1e3)]
        for name in names:
            cells += [fmt_num(row.seconds[name] * 1e3), fmt_ratio(row.seconds[name] / book)]
        cells += [fmt_err(row.error["numgrad vectorized"]), f"{row.vectorized_peak_mb:.1f}"]
        table.append(cells)
    headers = [
        "N", "book loop (ms)",
        "numgrad default (ms)", "x book",
        "numgrad vectorized (ms)", "x book",
        "approx_fprime (ms)", "x book",
        "vectorized error", "vectorized peak MB",
    ]  # fmt: skip
    print(markdown_table(headers, table))
    print()
    worst = {name: max(row.error[name] for row in rows) for name in ("book loop", *names)}
    print(
        "Max error over all N: "
        + ", ".join(f"{name} {fmt_err(value)}" for name, value in worst.items())
        + " (approx_fprime: forward difference, step 1.5e-8).\n"
    )
    print(
        f"{BATCH_POINTS:,} points in 2-D, f = sum of squares (stacked: along axis 1). "
        "Median time of the gradient at all points; error is max |grad - 2x|.\n"
    )
    book = batch.seconds["book loop over points"]
    table = [
        [name, fmt_num(seconds * 1e3), fmt_ratio(seconds / book), fmt_err(batch.error[name])]
        for name, seconds in batch.seconds.items()
    ]
    print(markdown_table(["method", "time (ms)", "x book", "error"], table))
    print()


# --------------------------------------------------------------------------- B. targets


def _diff(results: Sequence[DiffResult], estimator: str, *cases: int) -> list[DiffResult]:
    """The results of ``estimator`` on DIFF_CASES[i] for each i in ``cases``."""
    wanted = [DIFF_CASES[i] for i in cases]
    return [r for r in results if r.estimator == estimator and r.case in wanted]


def derivative_targets(results: Sequence[DiffResult]) -> list[Target]:
    rich, cplx = "numgrad richardson auto", "numgrad complex auto"
    all_cases = range(len(DIFF_CASES))

    def worst(estimator: str, *cases: int) -> float:
        return max(r.rel_error for r in _diff(results, estimator, *cases))

    def evaluations(estimator: str, *cases: int) -> int:
        return max(r.calls for r in _diff(results, estimator, *(cases or all_cases)))

    def seconds(estimator: str, case: int) -> float:
        return _diff(results, estimator, case)[0].seconds

    speedup = seconds("numdifftools Derivative", 2) / seconds(rich, 2)
    return [
        _at_most(
            "richardson auto, max rel err on 0.01x^2+0.1x at 5 and 10 and sin at 1",
            worst(rich, 0, 1, 2), 1e-12, fmt_err,
        ),
        _at_most("richardson auto, rel err on exp at 10", worst(rich, 3), 1e-9, fmt_err),
        # The pilot step is relative to max(|x|, 1): where f varies on that scale it
        # is enough; 1/x at 1e-3 varies on the scale |x| and takes a refinement.
        # Seven: the pilot's six points and f(x). Six values fix the six Taylor terms
        # that Richardson's pair needs (f', f''' and f^(5) from the odd parts, f(x),
        # f'' and f'''' from the even ones), so a kink inside the step shows only
        # against a seventh, f(x); without it the error estimate misses kinks.
        _at_most(
            "richardson auto, f evaluations (max over the four cases of scale max(|x|, 1))",
            evaluations(rich, 0, 1, 2, 3), 7, str,
        ),
        _at_most("richardson auto, f evaluations on 1/x at 1e-3", evaluations(rich, 4), 13, str),
        _at_least(
            "richardson auto, speedup over numdifftools.Derivative on sin at 1",
            speedup, 20, fmt_ratio,
        ),
        _at_most(
            "complex auto, max rel err on 0.01x^2+0.1x at 5 and 10, sin at 1, exp at 10",
            worst(cplx, 0, 1, 2, 3), 1e-15, fmt_err,
        ),
        _at_most("complex auto, rel err on 1/x at 1e-3", worst(cplx, 4), 1e-12, fmt_err),
        Target(
            "complex auto, f evaluations (max over A)",
            str(evaluations(cplx)), "= 1", evaluations(cplx) == 1,
        ),
        _at_most(
            "central auto, rel err on 1/x at 1e-3",
            worst("numgrad central auto", 4), 1e-6, fmt_err,
        ),
    ]  # fmt: skip


def gradient_targets(rows: Sequence[GradientRow], batch: BatchResult) -> list[Target]:
    by_n = {row.n: row.seconds for row in rows}
    vec = "numgrad vectorized"

    def speedup(n: int, other: str) -> float:
        return by_n[n][other] / by_n[n][vec]

    batch_speedup = (
        batch.seconds["book loop over points"] / batch.seconds["numgrad batch+vectorized"]
    )
    return [
        _at_least(
            "vectorized gradient of x@w, speedup over the book's loop at N=300",
            speedup(300, "book loop"), 5, fmt_ratio,
        ),
        _at_least(
            "vectorized gradient of x@w, speedup over scipy approx_fprime at N=300",
            speedup(300, "scipy approx_fprime"), 10, fmt_ratio,
        ),
        _at_least(
            "vectorized gradient of x@w, speedup over the book's loop at N=1000",
            speedup(1000, "book loop"), 1, fmt_ratio,
        ),
        _at_most(
            f"vectorized gradient of x@w, max abs error vs w over N={GRADIENT_SIZES}",
            max(row.error[vec] for row in rows), 1e-8, fmt_err,
        ),
        _at_most(
            "vectorized gradient of x@w, tracemalloc peak growth at N=10000 (MB)",
            next(row.vectorized_peak_mb for row in rows if row.n == 10000), 64, fmt_num,
        ),
        _at_least(
            f"batch+vectorized gradient at {BATCH_POINTS:,} points in 2-D, "
            "speedup over the book's loop over points",
            batch_speedup, 100, fmt_ratio,
        ),
        _at_most(
            "default (loop) numerical_gradient of x@w, time / book's loop at N=1000",
            by_n[1000]["numgrad default"] / by_n[1000]["book loop"], 1.3, fmt_ratio,
        ),
    ]  # fmt: skip


def print_targets(targets: Sequence[Target]) -> None:
    print("## B. Targets\n")
    print("```text")
    for target in targets:
        print(target)
    passed = sum(target.passed for target in targets)
    print(f"targets met: {passed} of {len(targets)}")
    print("```\n")


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a target fails")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rng = np.random.default_rng(SEED)

    print_header()
    derivatives = measure_derivatives()
    print_derivatives(derivatives)
    gradients = measure_gradients(rng)
    batch = measure_batch(rng)
    print_gradients(gradients, batch)
    targets = derivative_targets(derivatives) + gradient_targets(gradients, batch)
    targets += benchmark_beyond.run()
    print_targets(targets)
    print(
        f"Total run time {time.perf_counter() - start:.0f} s; load average at the end "
        f"(1 min): {load_average()} on {os.cpu_count()} cpus. A load near the cpu count means "
        "other processes competed for the cpus: multithreaded BLAS calls (f = stack @ w) "
        "suffer most."
    )
    return 1 if args.check and not all(t.passed for t in targets) else 0


if __name__ == "__main__":
    sys.exit(main())

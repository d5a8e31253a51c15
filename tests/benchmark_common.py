"""What both halves of the benchmark share: the book's loop, timing, formatting, targets."""

from __future__ import annotations

import math
import statistics
import time
import timeit
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

BOOK_H = 1e-4


def book_gradient(f: Callable[[np.ndarray], Any], x: np.ndarray) -> np.ndarray:
    """The book's gradient loop over a 1-D float array, perturbing ``x`` in place."""
    h = BOOK_H
    grad = np.zeros_like(x)
    for idx in range(x.size):
        tmp = x[idx]
        x[idx] = tmp + h
        fxh1 = f(x)
        x[idx] = tmp - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp
    return grad


def _calibrate(fn: Callable[[], Any], min_seconds: float) -> tuple[timeit.Timer, int]:
    """Warm ``fn`` up and find how many calls make one repeat last ``min_seconds``."""
    timer = timeit.Timer(fn, timer=time.perf_counter)
    timer.timeit(1)
    number = 1
    while (elapsed := timer.timeit(number)) < min_seconds:
        wanted = math.ceil(1.2 * number * min_seconds / max(elapsed, 1e-9))
        number = min(100 * number, max(number + 1, wanted))
    return timer, number


def median_times(
    fns: dict[str, Callable[[], Any]], *, repeats: int, min_seconds: float
) -> dict[str, float]:
    """Median seconds per call of each of ``fns``, their repeats taken in turn."""
    timers = {name: _calibrate(fn, min_seconds) for name, fn in fns.items()}
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, (timer, number) in timers.items():
            samples[name].append(timer.timeit(number) / number)
    return {name: statistics.median(values) for name, values in samples.items()}


def markdown_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], text_columns: Sequence[int] = (0,)
) -> str:
    """A Markdown table padded to read as plain text: text columns left, numbers right."""
    widths = [max(len(c) for c in column) for column in zip(headers, *rows, strict=True)]
    left = [i in text_columns for i in range(len(widths))]
    rules = [
        ":" + "-" * (w - 1) if lt else "-" * (w - 1) + ":"
        for w, lt in zip(widths, left, strict=True)
    ]

    def line(cells: Sequence[str]) -> str:
        padded = [
            c.ljust(w) if lt else c.rjust(w) for c, w, lt in zip(cells, widths, left, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    return "\n".join([line(headers), line(rules), *(line(row) for row in rows)])


def fmt_num(value: float) -> str:
    """Three significant digits, without exponents for the sizes printed here."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def fmt_err(value: float) -> str:
    return "0" if value == 0 else f"{value:.1e}"


def fmt_ratio(value: float) -> str:
    return f"{fmt_num(value)}x"


@dataclass(frozen=True)
class Target:
    description: str
    measured: str
    need: str
    passed: bool

    def __str__(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return f"TARGET {self.description}: measured {self.measured} (need {self.need}) {verdict}"


def _at_most(description: str, value: float, bound: float, fmt: Callable[[float], str]) -> Target:
    return Target(description, fmt(value), f"<= {fmt(bound)}", value <= bound)


def _at_least(description: str, value: float, bound: float, fmt: Callable[[float], str]) -> Target:
    return Target(description, fmt(value), f">= {fmt(bound)}", value >= bound)

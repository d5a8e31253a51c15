"""``workers=``: evaluating f's points in parallel, through any map.

An int asks for a process pool of that size, which numgrad creates and
closes; anything callable is used as ``map(f, points)``, as SciPy takes
``workers``: ``concurrent.futures`` executors' ``map``,
``multiprocessing.Pool.map``, and through them a Dask or Ray cluster.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

__all__ = ["mapper_for"]

_BOTH = "workers= and vectorized=True are two ways to evaluate many points: pass one of them"


@contextlib.contextmanager
def mapper_for(workers: Any, vectorized: bool = False) -> Iterator[Callable | None]:
    """Yield the map that ``workers`` asks for, or None to evaluate in this thread."""
    if callable(workers):
        if vectorized:
            raise ValueError(_BOTH)
        yield workers
        return
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise TypeError(
            f"workers must be a positive integer (a process pool of that size) or a "
            f"map-like callable such as ThreadPoolExecutor(8).map; got {workers!r}"
        )
    if workers == 1:
        yield None
        return
    if vectorized:
        raise ValueError(_BOTH)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield lambda f, points: pool.map(f, points, chunksize=8)

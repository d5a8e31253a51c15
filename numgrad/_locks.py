"""One lock per array, so that threads never perturb the same memory at once."""

from __future__ import annotations

import threading
import weakref

import numpy as np

__all__ = ["lock_for"]

# id of a base array -> (weak reference that removes the entry, its lock)
_LOCKS: dict[int, tuple[weakref.ref, threading.RLock]] = {}
_REGISTRY = threading.Lock()


def lock_for(array: np.ndarray) -> threading.RLock:
    """Return the lock of the memory ``array`` views (re-entrant: recursion works).

    Views of one base array share its lock. The entry disappears with the array.
    """
    base = array
    while isinstance(base.base, np.ndarray):
        base = base.base
    key = id(base)
    with _REGISTRY:
        entry = _LOCKS.get(key)
        if entry is None or entry[0]() is not base:
            entry = (weakref.ref(base, lambda _, key=key: _LOCKS.pop(key, None)), threading.RLock())
            _LOCKS[key] = entry
    return entry[1]

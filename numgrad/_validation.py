"""Argument checks shared by the public functions; each message names the argument."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["check_flag", "check_positive_number", "element_name", "preview", "real_array"]


def real_array(value: Any, name: str) -> np.ndarray:
    """Return ``value`` as an array, or raise a TypeError if it is not real."""
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real number or array; got dtype {array.dtype}")
    return array


def check_positive_number(
    value: Any, name: str, *, alternative: str = "", zero: bool = False
) -> None:
    """Raise unless ``value`` is a positive (``zero=True``: non-negative) finite number.

    Bools are not numbers here. The message names ``name``, and ``alternative``
    what else it may be.
    """
    kind = "non-negative" if zero else "positive"
    expected = f"{name} must be a {kind} finite number{alternative}"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{expected}; got {preview(value)}")
    if not (math.isfinite(value) and (value >= 0 if zero else value > 0)):
        raise ValueError(f"{expected}; got {value!r}")


def check_flag(value: Any, name: str) -> None:
    """Raise a TypeError unless ``value`` is True or False."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False; got {value!r}")


def element_name(name: str, index: tuple) -> str:
    """Return an element as the user would index it: ``x[1, 2]``, or ``x`` for a 0-d array."""
    return f"{name}[{', '.join(str(int(i)) for i in index)}]" if index else name


def preview(value: Any, limit: int = 60) -> str:
    """Return a short text for ``value``: a few elements of an array, never the whole."""
    regular = isinstance(value, np.ndarray | list | tuple)
    if regular:
        try:
            array = np.asarray(value)
        except ValueError:  # a ragged list
            regular = False
    if regular:
        text = np.array2string(array, threshold=6, edgeitems=2, precision=4, separator=", ")
        text = " ".join(text.split())
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."

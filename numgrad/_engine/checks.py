"""Checks, each message naming what it checks: the caller's arguments, and f's values.

Arguments are validated once, at the top of each public function; f's values
as they come, by the evaluators: one number (a gradient, a Hessian), one
array of one shape (a Jacobian), one number per element (an elementwise f),
real at real x for the complex step. A leaf of the engine: the problem and
the scheme they read are annotated ``Any``, not imported.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "PLAIN_SCALARS",
    "check_flag",
    "check_numbers",
    "check_positive_number",
    "check_real_at_real",
    "checked",
    "element_name",
    "given_step",
    "is_auto",
    "output",
    "preview",
    "real_array",
    "scalar",
]


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


def is_auto(h: Any) -> bool:
    """Whether ``h`` asks for the automatic step."""
    return isinstance(h, str) and h == "auto"


_STEP_KINDS = 'a positive finite number, an array of them broadcastable to x, or "auto"'


def given_step(h: Any, shape: tuple[int, ...] = ()) -> float | np.ndarray:
    """Validate a step the caller gave (anything but ``"auto"``).

    Returns a float, or for an array of steps (one per element of ``x``, of
    shape ``shape``) a float64 array of that shape.
    """
    if isinstance(h, str):
        raise TypeError(f"h must be {_STEP_KINDS}; got {h!r}")
    if isinstance(h, (list, tuple, np.ndarray)):
        return _given_steps(h, shape)
    check_positive_number(h, "h", alternative=' (or an array of them, or "auto")')
    return float(h)


def _given_steps(h: Any, shape: tuple[int, ...]) -> np.ndarray:
    array = np.asarray(h)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"h must be {_STEP_KINDS}; got an array of dtype {array.dtype}")
    try:
        steps = np.broadcast_to(array, shape).astype(np.float64)
    except ValueError:
        raise ValueError(
            f"h must be broadcastable to x's shape {shape}; got an array of shape {array.shape}"
        ) from None
    bad = ~(np.isfinite(steps) & (steps > 0))
    if bad.any():
        index = np.unravel_index(int(np.argmax(bad)), shape)
        raise ValueError(
            f"h must be positive and finite everywhere; {element_name('h', index)} = "
            f"{float(steps[index])!r} (for {element_name('x', index)})"
        )
    return steps


# ---------------------------------------- f's values

_NO_VALUE = object()  # check_numbers without a value of f to show

# Return types accepted without further checks (the common case, kept fast).
PLAIN_SCALARS = (float, np.float64)


def output(value: Any, problem: Any) -> Any:
    """Return ``value`` if it is what f must return: one number, or an array of one shape."""
    if not problem.outputs:
        shape = problem.stack.shape[1:] if not problem.batch else ()
        return scalar(value, problem.scheme.is_complex, shape)
    if (
        type(value) is np.ndarray
        and value.shape == problem.out_shape
        and value.dtype == problem.out_dtype
    ):
        # As the values before it: checked already. A copy, since f may return its
        # argument or a view of it, which numgrad goes on perturbing.
        return value.copy()
    try:
        array = np.array(value)
    except ValueError as error:
        raise ValueError(
            f"f must return an array of one shape (a number, or a regular array); it "
            f"returned {preview(value)}"
        ) from error
    check_numbers(array.dtype, problem.scheme, value)
    if problem.out_shape is None:
        problem.out_shape, problem.out_dtype = array.shape, array.dtype
    elif array.shape != problem.out_shape:
        raise ValueError(
            f"f must return arrays of one shape; it returned shape {problem.out_shape} "
            f"and then {array.shape}"
        )
    return array


def check_numbers(dtype: np.dtype, scheme: Any, value: Any = _NO_VALUE) -> None:
    """Check that f's values are real numbers, or complex ones for the complex step.

    The message shows ``value`` when given (one value of f), else the dtype.
    """
    if dtype.kind not in ("biufc" if scheme.is_complex else "biuf"):
        returned = f"dtype {dtype}" if value is _NO_VALUE else preview(value)
        raise TypeError(f"f must return real numbers; it returned {returned}")
    if scheme.is_complex and dtype.kind != "c":
        raise TypeError(
            "with method='complex', f must keep the imaginary part of its argument; it "
            f"returned dtype {dtype} (abs, np.real, float() and comparisons drop it)"
        )


def scalar(value: Any, is_complex: bool, point_shape: tuple[int, ...]) -> Any:
    """Return ``value`` if it is one real (or complex, for the complex step) number.

    ``point_shape`` is the shape of the point f was given (``()`` for a point
    of a batch): a 2-D point and an array of its first axis's length look like
    a batch given without ``batch=True``, and the message says so.
    """
    if value is None or isinstance(value, str):
        raise TypeError(f"f must return a real scalar; it returned {value!r}")
    if np.ndim(value) != 0:
        shape = np.shape(value)
        hint = ""
        if len(point_shape) >= 2 and shape == point_shape[:1]:
            hint = (
                f"; x looks like a batch of {shape[0]} points: pass batch=True for the "
                f"gradient at each point"
            )
        raise ValueError(
            f"f must return a scalar; it returned an array of shape {shape}: {preview(value)}{hint}"
        )
    kind = np.asarray(value).dtype.kind
    if kind not in ("biufc" if is_complex else "biuf"):
        raise TypeError(f"f must return a real scalar; it returned {preview(value)}")
    if is_complex and kind != "c":
        raise TypeError(
            "with method='complex', f must keep the imaginary part of its argument; it "
            f"returned a real {preview(value)} (abs, np.real, float() and comparisons drop it)"
        )
    # A number, not a 0-d array: that may be f's argument, which numgrad goes on perturbing.
    return value[()] if isinstance(value, np.ndarray) else value


def check_real_at_real(at_x: Any) -> None:
    """Raise unless ``at_x``, f at a real x, is real (as the complex step needs)."""
    if np.any(np.imag(np.asarray(at_x)) != 0):
        raise ValueError(
            "with method='complex', f must be real at real x (its derivative is then "
            f"Im f(x + ih) / h), but f(x) = {preview(at_x)}: differentiate its real and "
            "imaginary parts with a real method instead"
        )


def checked(value: Any, point: Any, scheme: Any) -> Any:
    """Return ``value`` if it is one real number per element of the point, else raise."""
    if value is None or isinstance(value, str) or np.asarray(value).dtype.kind not in "biufc":
        raise TypeError(
            f"f must return a real number for each element of x; it returned {preview(value)}"
        )
    if np.shape(value) != np.shape(point):
        hint = ""
        if np.ndim(value) == 0 and np.ndim(point) == 1:
            hint = (
                "; f looks like a function of a vector: numerical_gradient gives its "
                "partial derivatives"
            )
        raise ValueError(
            f"f must return one number per element of x (shape {np.shape(point)}), as an "
            f"elementwise function does; it returned shape {np.shape(value)}{hint}"
        )
    if scheme.is_complex and np.asarray(value).dtype.kind != "c":
        raise TypeError(
            "with method='complex', f must keep the imaginary part of its argument; it "
            "returned real values (abs, np.real, float() and comparisons drop it)"
        )
    return value

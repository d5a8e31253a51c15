r"""
Which difference formula?
=========================

The textbook uses one formula, the central difference with
:math:`h = 10^{-4}`. :func:`numgrad.numerical_diff` offers five, which differ
in how fast their error shrinks with the step and in how badly rounding hurts
them. Measuring all five on one function, over twenty orders of magnitude of
``h``, shows which to pick and why ``h="auto"`` picks the steps it does.

.. admonition:: In the book: section 4.3.1
   :class: book-section

   **Covers:** Chapter 4, section 4.3.1: the forward and central
   differences.

   **Beyond the book:** the backward difference, Richardson extrapolation
   and the complex step, all five measured against the exact derivative, and
   how ``h="auto"`` chooses its steps.
"""

# %%
# Five methods on sin at 1
# ------------------------
# We differentiate :math:`\sin` at :math:`x = 1`, where the answer is
# :math:`\cos 1`. ``np.sin`` accepts complex numbers, which the complex step
# needs. The *order* :math:`p` of a method is how its truncation error
# scales, :math:`\propto h^p`:
#
# * forward :math:`(f(x+h) - f(x))/h` and backward :math:`(f(x) - f(x-h))/h`:
#   order 1;
# * central :math:`(f(x+h) - f(x-h))/2h`: order 2, the odd terms of the
#   Taylor series cancel;
# * Richardson :math:`(4D(h/2) - D(h))/3`, with :math:`D` the central
#   difference: order 4, the :math:`h^2` terms of the two central
#   differences cancel too;
# * complex step :math:`\operatorname{Im} f(x + ih)/h`: order 2, but with
#   no subtraction at all.

import matplotlib.pyplot as plt
import numpy as np

from numgrad import numerical_diff

x = 1.0
exact = np.cos(x)
eps = np.finfo(np.float64).eps
steps = np.logspace(-20, 0, 201)
# method: (order, the step h="auto" takes its value from at |x| = 1): half the
# pilot step eps**(1/(p+1)) of numerical_diff's Notes, which is enough for sin
# at 1; the complex step's own 1e-20.
methods = {
    "forward": (1, eps ** (1 / 2) / 2),
    "backward": (1, eps ** (1 / 2) / 2),
    "central": (2, eps ** (1 / 3) / 2),
    "richardson": (4, eps ** (1 / 5) / 2),
    "complex": (2, 1e-20),
}


def error(method, h):
    # A real step below half an ulp of x does not change x: numgrad refuses it.
    if method != "complex" and x + h == x:
        return np.nan
    return abs(numerical_diff(np.sin, x, h, method=method) - exact)


calls = []


def counted_sin(z):
    """np.sin, remembering each call: what each method costs."""
    calls.append(z)
    return np.sin(z)


errors = {method: np.array([error(method, h) for h in steps]) for method in methods}
auto_errors, auto_evaluations = {}, {}
for method in methods:
    calls.clear()
    auto_errors[method] = abs(numerical_diff(counted_sin, x, h="auto", method=method) - exact)
    auto_evaluations[method] = len(calls)
for method, (order, auto_step) in methods.items():
    print(
        f"{method:10s} order {order}: smallest error {np.nanmin(errors[method]):.1e} "
        f"at h = {steps[np.nanargmin(errors[method])]:.0e}; "
        f'h="auto" = {auto_step:.1e} gives {auto_errors[method]:.1e}; '
        f"calls of sin: {auto_evaluations[method]}"
    )

# %%
# The error of the complex step is often exactly zero, which a logarithmic
# axis cannot show, so every error is drawn no lower than
# :math:`10^{-18}`.

floor = 1e-18
styles = {
    "forward": ("C0", "-"),
    "backward": ("C9", "--"),
    "central": ("C1", "-"),
    "richardson": ("C2", "-"),
    "complex": ("C3", (0, (5, 2))),
}
fig, ax = plt.subplots(figsize=(8.5, 6.5), layout="constrained")
for method, (color, linestyle) in styles.items():
    order = methods[method][0]
    ax.loglog(
        steps,
        np.maximum(errors[method], floor),
        color=color,
        linestyle=linestyle,
        label=f"{method} (order {order})",
    )
    ax.plot(
        methods[method][1],
        max(auto_errors[method], floor),
        "o",
        color=color,
        markersize=9,
        markeredgecolor="black",
    )
ax.plot([], [], "o", color="white", markeredgecolor="black", markersize=9, label='h="auto"')
ax.axhline(eps * exact, color="0.5", linestyle=":", linewidth=1)
ax.text(
    2e-20,
    eps * exact * 1.6,
    r"$\epsilon \cos 1$: double precision relative to $\cos 1$",
    color="0.4",
)
ax.text(2e-20, floor * 1.6, "error exactly 0, drawn at the floor", color="C3")
ax.set_xlabel("step h")
ax.set_ylabel(r"absolute error $|D(h) - \cos 1|$")
ax.set_title(r"Error of numerical_diff for $\sin x$ at $x = 1$")
ax.set_ylim(floor / 5, 5)
ax.grid(True, which="major", alpha=0.3)
fig.legend(loc="outside lower center", ncols=3)
plt.show()

# %%
# Right of each minimum the truncation error rules, and the slopes are the
# orders: 1 for forward and backward (their lines lie on top of each other,
# with errors of opposite sign), 2 for central and complex (their lines
# coincide too: both are off by about :math:`h^2 |f'''| / 6`), 4 for Richardson.
# Left of it, the four real formulas drown in rounding error growing like
# :math:`\epsilon / h`; the higher the order, the larger the best step
# (about :math:`\epsilon^{1/(p+1)}`, where the ``h="auto"`` markers sit) and
# the smaller the best error: roughly :math:`10^{-9}` for order 1,
# :math:`10^{-12}` for order 2 and :math:`10^{-14}` for order 4. Below
# :math:`h \approx 10^{-16}`, ``x + h`` rounds to ``x``: rather than return
# a derivative of 0, numgrad refuses such a step with a ValueError, so the
# lines of the real formulas stop there. The complex step never subtracts two close numbers, so
# it has no rounding floor: once :math:`h^2/6` is below :math:`\epsilon`, it
# is exact to the last bit, for any smaller ``h``. It needs a function that
# accepts complex input, and costs only one evaluation of it. For everything
# else the central difference with ``h="auto"`` is a good default. Richardson
# extrapolation's best error is about two digits below the central
# difference's, at a step that ``h="auto"`` only approaches: with it,
# Richardson costs 7 evaluations of :math:`\sin` against the central
# difference's 5, and gains less than one digit here.

"""
Rounding error: why the step h cannot be tiny
=============================================

A derivative is the limit of a difference quotient as the step ``h`` goes to
zero, so it is tempting to make ``h`` as small as the computer allows. But a
floating-point number keeps only about 16 significant digits, and a difference
quotient subtracts two nearly equal numbers: the smaller ``h``, the more of
those digits cancel. This example shows a tiny step going badly wrong, then
measures the trade-off that decides a good step.

.. admonition:: In the book: section 4.3.1
   :class: book-section

   **Covers:** Chapter 4, section 4.3.1: the :term:`rounding error` of a step
   :math:`h = 10^{-50}`, and the step :math:`h = 10^{-4}` that the book uses
   instead.

   **Beyond the book:** the total error measured over twenty orders of
   magnitude of :math:`h`, with the truncation and rounding terms that shape
   it.
"""

# %%
# Numbers too small to keep
# -------------------------
# A float32 cannot hold anything smaller than about :math:`1.4 \times 10^{-45}`,
# so :math:`10^{-50}` is stored as zero, while :math:`10^{-4}` survives.
# float64 goes much lower, but the *sum* ``x + h`` has only 16 significant
# digits: next to 5, a step of :math:`10^{-49}` vanishes without a trace.

import matplotlib.pyplot as plt
import numpy as np

from numgrad import numerical_diff

print("np.float32(1e-50) =", np.float32(1e-50))
print("np.float32(1e-4)  =", np.float32(1e-4))
print("5.0 + 1e-49 == 5.0:", 5.0 + 1e-49 == 5.0)


# %%
# The wrong implementation
# ------------------------
# The book's section 4.3.1 shows a forward difference with a step of
# ``10e-50`` (that is, :math:`10^{-49}`) as its example of what not to do.
# Here it has a second mistake on top, easy to make when copying it: a
# missing pair of parentheses, so that only ``f(x)`` is divided by ``h``.
# It is reproduced here **only to show what goes wrong**; do not use it.


def numerical_diff_wrong(f, x):
    """WRONG, kept as a warning: the step is too small and the brackets are missing."""
    h = 10e-50
    return f(x + h) - f(x) / h


def f(x):
    return 0.01 * x**2 + 0.1 * x


def f_of_x0(x0):
    return x0 * x0 + 4.0**2.0  # x0**2 + x1**2 with x1 fixed at 4


print("wrong f'(5)  for 0.01x^2 + 0.1x:", numerical_diff_wrong(f, 5))
print("wrong df/dx0 at 3 for x0^2 + 16:", numerical_diff_wrong(f_of_x0, 3.0))

# %%
# The true values are 0.2 and 6. The first answer is :math:`f(5) - f(5)/h =
# 0.75 - 0.75 \times 10^{49}`, nonsense of the size of :math:`1/h`. Putting
# the brackets back does not rescue the tiny step: ``5 + h`` rounds to 5, the
# two values of ``f`` are equal, and the quotient is exactly zero. A
# reasonable step, here numgrad's default central difference with
# :math:`h = 10^{-4}`, gives the right slope to 12 digits.

h = 10e-50
print("brackets fixed, same h:", (f(5 + h) - f(5)) / h)
print("numgrad, h = 1e-4:     ", numerical_diff(f, 5))

# %%
# The error as a function of h
# ----------------------------
# Two errors pull in opposite directions. The *truncation* error comes from
# the formula itself: the forward difference is off by about
# :math:`h f''/2`, the central difference by about :math:`h^2 f'''/6`. The
# *rounding* error comes from the cancellation: each value of ``f`` is off by
# about :math:`\epsilon |f|`, with :math:`\epsilon \approx 2.2 \times
# 10^{-16}`, and dividing by ``h`` blows that up to about
# :math:`\epsilon |f| / h`. The total is smallest where the two balance, near
# :math:`h \approx \epsilon^{1/2}` for the forward difference and
# :math:`h \approx \epsilon^{1/3}` for the central one.
#
# We measure both on :math:`e^x` at :math:`x = 1`, where every derivative is
# :math:`e`. (On the quadratic above the central difference has no truncation
# error at all, since :math:`f''' = 0`, so the trade-off would not show.)

eps = np.finfo(np.float64).eps
steps = np.logspace(-15.9, -1, 150)  # from the smallest step that still changes 1.0
errors = {
    method: np.array([abs(numerical_diff(np.exp, 1.0, h, method=method) - np.e) for h in steps])
    for method in ("forward", "central")
}
best = {method: steps[np.argmin(error)] for method, error in errors.items()}
for method, error in errors.items():
    print(f"{method:8s} best h = {best[method]:.1e}, smallest error = {error.min():.1e}")
print(f"eps**(1/2) = {eps ** (1 / 2):.1e}, eps**(1/3) = {eps ** (1 / 3):.1e}")

# %%
fig, ax = plt.subplots(figsize=(8, 6), layout="constrained")
styles = {
    "forward": ("C0", r"forward $(f(x+h) - f(x))\,/\,h$"),
    "central": ("C1", r"central $(f(x+h) - f(x-h))\,/\,2h$"),
}
for method, (color, label) in styles.items():
    ax.loglog(steps, errors[method], color=color, label=label)
    ax.plot(
        best[method],
        errors[method].min(),
        "o",
        color=color,
        markersize=9,
        markeredgecolor="black",
        label=f"smallest {method} error, h = {best[method]:.0e}",
    )
for power, text, color in ((1 / 2, r"$\epsilon^{1/2}$", "C0"), (1 / 3, r"$\epsilon^{1/3}$", "C1")):
    ax.axvline(eps**power, color=color, linestyle=":", linewidth=1.5)
    ax.text(eps**power * 1.3, 3e-1, text, color=color, fontsize=13)
ax.text(3e-15, 2e-6, r"rounding $\propto \epsilon/h$", rotation=-38, fontsize=12)
ax.text(2e-3, 2e-4, r"$\propto h$", color="C0", fontsize=12)
ax.text(1.5e-2, 1e-6, r"$\propto h^2$", color="C1", fontsize=12)
ax.set_xlabel("step h")
ax.set_ylabel(r"absolute error $|D(h) - e|$")
ax.set_title(r"Error of finite differences of $e^x$ at $x = 1$")
ax.set_ylim(1e-13, 3)
ax.grid(True, which="major", alpha=0.3)
fig.legend(loc="outside lower center", ncols=2)
plt.show()

# %%
# Read the figure from the right. For large ``h`` the truncation error
# rules: it falls in a straight line of slope 1 (forward) or 2 (central) as
# ``h`` shrinks. Below the bottom of the V the rounding error takes over and
# grows like :math:`1/h`, noisily, to a sizeable part of the derivative
# itself at the left edge. A step below about :math:`1.1 \times 10^{-16}`
# does not change ``x = 1`` at all (``1 + h`` rounds to 1); numgrad then
# raises a ValueError instead of returning a derivative of 0. The lowest
# points sit near :math:`\epsilon^{1/2} \approx 1.5 \times 10^{-8}` and
# :math:`\epsilon^{1/3} \approx 6 \times 10^{-6}`: smaller steps make the
# derivative worse, not better, and the central difference's best error
# (about :math:`10^{-12}`) is far below the forward difference's (about
# :math:`10^{-8}`).

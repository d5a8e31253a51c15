"""
Tangent lines from a numerical derivative
=========================================

The derivative of a function at a point is the slope of the line that just
touches its graph there. Drawing that tangent line is the quickest way to see
whether a numerical derivative is right: a wrong slope is obvious at a glance.
Here we draw the tangents of :math:`f(x) = 0.01x^2 + 0.1x` at two points.

.. admonition:: In the book: section 4.3.2
   :class: book-section

   **Covers:** Chapter 4, section 4.3.2: the derivative of :math:`0.01x^2 +
   0.1x` at 5 and 10, and its tangent lines.

   **Beyond the book:** the tangent line as an object with its slope and
   intercept, checked against the exact derivative.
"""

# %%
# The function and its slopes
# ---------------------------
# The exact derivative is :math:`f'(x) = 0.02x + 0.1`, so 0.2 at
# :math:`x = 5` and 0.3 at :math:`x = 10`. The central difference with the
# textbook's step :math:`h = 10^{-4}` is exact for a quadratic in theory; the
# last digits it loses are rounding error.

import matplotlib.pyplot as plt
import numpy as np

from numgrad import numerical_diff, tangent_line


def f(x):
    return 0.01 * x**2 + 0.1 * x


for point in (5, 10):
    print(f"numerical f'({point}) = {numerical_diff(f, point)!r}")

# %%
# :func:`numgrad.tangent_line` returns the line as a
# :class:`~numgrad.TangentLine`: a function of ``x`` that also knows its
# ``slope`` and ``intercept``, and prints as its equation, rounded to 6
# significant digits.

tangents = {point: tangent_line(f, point) for point in (5, 10)}
for point, line in tangents.items():
    print(f"tangent at x = {point}: {line}")
print(repr(tangents[5]))

# %%
# The tangents
# ------------

x = np.arange(0.0, 20.0, 0.1)
fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
ax.plot(x, f(x), color="black", linewidth=2, label=r"$f(x) = 0.01x^2 + 0.1x$")
for (point, line), color in zip(tangents.items(), ("C0", "C3"), strict=True):
    ax.plot(x, line(x), color=color, linestyle="--", label=f"tangent at x = {point}: {line}")
    ax.plot(point, f(point), "o", color=color, markersize=8, markeredgecolor="black")
ax.set_xlabel("x")
ax.set_ylabel("f(x)")
ax.set_title("Tangent lines with slopes from numerical_diff")
ax.set_xlim(0, 20)
ax.set_ylim(-1.5, 6.5)
ax.grid(True, alpha=0.3)
ax.legend(loc="upper left")
plt.show()

# %%
# Each dashed line touches the curve at its marked point and nowhere else,
# and the tangent at :math:`x = 10` is steeper (slope 0.3) than the one at
# :math:`x = 5` (slope 0.2), as the curve bends upwards. With a broken
# derivative (a step of :math:`10^{-49}` and a missing bracket, see
# :doc:`plot_rounding_error`) the slope comes out as
# :math:`-7.5 \times 10^{48}`, and that line could not touch the curve.

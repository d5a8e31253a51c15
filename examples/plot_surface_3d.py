"""
A function of two variables
===========================

Partial derivatives and gradients are about functions of several variables.
Before computing any, it helps to see one: :math:`f(x_0, x_1) = x_0^2 +
x_1^2` is a bowl whose lowest point is the origin, and every gradient example
in this gallery walks on it.

.. admonition:: In the book: section 4.3.3
   :class: book-section

   **Covers:** Chapter 4, section 4.3.3: the graph of :math:`f(x_0, x_1) =
   x_0^2 + x_1^2`.

   **Beyond the book:** the partial derivatives read off the surface as
   slopes of its cross-sections.
"""

# %%
# The surface
# -----------
# ``np.meshgrid`` turns two 1-D ranges into the grid of :math:`(x_0, x_1)`
# pairs, and the function is evaluated on all of them at once. The 3-D axes
# come from ``fig.add_subplot(projection="3d")``; the contour lines drawn on
# the floor below are the same function seen from above. Surface, contours
# and colorbar share one colour scale, from 0 to the 18 of the corners.

import matplotlib.pyplot as plt
import numpy as np

from numgrad import numerical_gradient


def f(x):
    return x[0] ** 2 + x[1] ** 2


x0, x1 = np.meshgrid(np.linspace(-3, 3, 61), np.linspace(-3, 3, 61))
height = f(np.array([x0, x1]))
print(f"f ranges from {height.min():.1f} at (0, 0) to {height.max():.1f} at the corners")

fig = plt.figure(figsize=(7, 5.6))
ax = fig.add_subplot(projection="3d")
levels = np.arange(0, 19, 2)  # one colour scale, 0 to 18, for the surface, floor and colorbar
colors = {"cmap": "viridis", "vmin": 0, "vmax": 18}
surface = ax.plot_surface(x0, x1, height, alpha=0.85, linewidth=0, **colors)
ax.contour(x0, x1, height, levels=levels[1:], zdir="z", offset=-4, linewidths=1.5, **colors)
ax.set_xlabel("$x_0$")
ax.set_ylabel("$x_1$")
ax.set_zlim(-4, 18)
ax.set_zticks([0, 6, 12, 18])
ax.view_init(elev=28, azim=-60)
ax.set_box_aspect(None, zoom=1.05)
fig.colorbar(surface, ax=ax, shrink=0.65, pad=0.1, ticks=levels[::3], label="height $f(x_0, x_1)$")
fig.suptitle(r"$f(x_0, x_1) = x_0^2 + x_1^2$", y=0.95)
fig.subplots_adjust(left=0.02, right=0.95, bottom=0.02, top=0.98)
plt.show()

# %%
# The slope in each direction
# ---------------------------
# A partial derivative is the slope along one axis with the other variable
# held fixed, and the gradient collects both. At :math:`(3, 4)` they are
# :math:`2x_0 = 6` and :math:`2x_1 = 8`.

for point in ([3.0, 4.0], [0.0, 2.0], [3.0, 0.0]):
    grad = numerical_gradient(f, np.array(point))
    print(f"gradient at {tuple(point)}: {grad.round(6)}")

# %%
# The figure shows a round bowl: the height grows with the square of the
# distance from the origin, so the walls get steeper further out and the
# contour lines on the floor crowd together. The gradient printed above is
# larger where the bowl is steeper, and it is zero only at the bottom.

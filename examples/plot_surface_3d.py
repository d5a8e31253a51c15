"""
A function of two variables
===========================

Partial derivatives and gradients are about functions of several variables.
Before computing any, it helps to see one: :math:`f(x_0, x_1) = x_0^2 +
x_1^2` is a bowl whose lowest point is the origin, and every gradient example
in this gallery walks on it.
"""

# %%
# The surface
# -----------
# ``np.meshgrid`` turns two 1-D ranges into the grid of :math:`(x_0, x_1)`
# pairs, and the function is evaluated on all of them at once. The 3-D axes
# come from ``fig.add_subplot(projection="3d")``; the contour lines drawn on
# the floor below are the same function seen from above.

import matplotlib.pyplot as plt
import numpy as np

from numgrad import numerical_gradient


def f(x):
    return x[0] ** 2 + x[1] ** 2


x0, x1 = np.meshgrid(np.linspace(-3, 3, 61), np.linspace(-3, 3, 61))
height = f(np.array([x0, x1]))
print(f"f ranges from {height.min():.1f} at (0, 0) to {height.max():.1f} at the corners")

fig = plt.figure(figsize=(7, 5.5), layout="constrained")
ax = fig.add_subplot(projection="3d")
surface = ax.plot_surface(x0, x1, height, cmap="viridis", alpha=0.85, linewidth=0)
ax.contour(x0, x1, height, levels=8, zdir="z", offset=-4, cmap="viridis", linewidths=1)
ax.set_xlabel("$x_0$")
ax.set_ylabel("$x_1$")
ax.set_zlabel("$f(x_0, x_1)$")
ax.set_zlim(-4, 18)
ax.set_title(r"$f(x_0, x_1) = x_0^2 + x_1^2$")
ax.view_init(elev=28, azim=-60)
fig.colorbar(surface, ax=ax, shrink=0.6, pad=0.08, label="$f(x_0, x_1)$")
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

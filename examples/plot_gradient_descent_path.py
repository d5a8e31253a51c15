r"""
Gradient descent, step by step
==============================

:term:`Gradient descent <gradient descent>` looks for the minimum of a function by repeatedly taking a
small step against the gradient, :math:`x \leftarrow x - \eta \nabla f(x)`,
where the learning rate :math:`\eta` sets the size of the step. Drawing each
point it visits shows how it homes in on the minimum, fast at first and then
ever more slowly.

.. admonition:: In the book: section 4.4.1
   :class: book-section

   **Covers:** Chapter 4, section 4.4.1: gradient descent from :math:`(-3,
   4)` with :math:`\eta = 0.1`, and the path it takes.

   **Beyond the book:** the shrinking steps explained by the factor :math:`1
   - 2\eta`, and a history that includes the final point.
"""

# %%
# Twenty steps from (-3, 4)
# -------------------------
# :func:`numgrad.gradient_descent` computes each gradient numerically. With
# ``history=True`` it also returns every point visited, starting point
# included, so 20 steps give 21 points. The starting array is copied, never
# modified.

import matplotlib.pyplot as plt
import numpy as np

from numgrad import gradient_descent


def f(x):
    return x[0] ** 2 + x[1] ** 2


init_x = np.array([-3.0, 4.0])
x, path = gradient_descent(f, init_x, lr=0.1, step_num=20, history=True)
print("path shape:", path.shape)
print("first points:", path[:3].round(4).tolist())
print("after 20 steps:", x, " init_x unchanged:", init_x)

# %%
# Here :math:`\nabla f = 2x`, so each step multiplies :math:`x` by
# :math:`1 - 2\eta = 0.8`: the distance to the minimum shrinks by a fifth at
# every step. After 100 steps it is :math:`5 \times 0.8^{100} \approx 1.0
# \times 10^{-9}`, from the starting distance of 5.

x_100 = gradient_descent(f, init_x, lr=0.1, step_num=100)
print("after 100 steps:", x_100)
print(f"distance to the minimum: {np.linalg.norm(x_100):.3g} (5 * 0.8**100 = {5 * 0.8**100:.3g})")

# %%
# The path
# --------

fig, ax = plt.subplots(figsize=(6, 7), layout="constrained")
grid0, grid1 = np.meshgrid(np.linspace(-4, 4, 201), np.linspace(-5, 5, 251))
contours = ax.contour(grid0, grid1, grid0**2 + grid1**2, levels=[1, 4, 9, 16, 25], colors="0.7")
# The values of f on the contours, labelled along a ray (-60°) that neither the
# path, nor the dashed axes, nor the legend cross.
ray = np.deg2rad(-60)
ax.clabel(
    contours,
    fmt="%g",
    colors="0.3",
    manual=[(r * np.cos(ray), r * np.sin(ray)) for r in range(1, 6)],
)
ax.axhline(0, color="C0", linestyle="--", linewidth=1)
ax.axvline(0, color="C0", linestyle="--", linewidth=1)
ax.plot(path[:, 0], path[:, 1], "o-", color="C3", markersize=5, label="points visited (lr = 0.1)")
ax.plot(*init_x, "s", color="black", markersize=9, label="start (-3, 4)")
ax.plot(*x, "*", color="gold", markeredgecolor="black", markersize=16, label="after 20 steps")
ax.set_xlim(-3.5, 3.5)
ax.set_ylim(-4.5, 4.5)
ax.set_aspect("equal")
ax.set_xlabel("$x_0$")
ax.set_ylabel("$x_1$")
ax.set_title("Gradient descent on $x_0^2 + x_1^2$, 20 steps")
ax.legend(loc="upper right", framealpha=1)
plt.show()

# %%
# The points run in a straight line from :math:`(-3, 4)` towards the
# origin, always crossing the contour lines (labelled with the value of
# :math:`f`) at right angles, the direction of steepest descent. The first
# steps are long and the last ones bunch up near the origin: the step is
# proportional to the gradient, which shrinks as the bowl flattens towards
# its minimum.

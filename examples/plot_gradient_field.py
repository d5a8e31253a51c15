"""
The gradient as a field of arrows
=================================

The :term:`gradient` of a function of two variables is a vector at every point: it
points in the direction in which the function grows fastest, and its length
says how fast. Drawing the *negative* gradient on a grid shows at a glance
which way is downhill everywhere, which is all that gradient descent needs to
know.

.. admonition:: In the book: section 4.4
   :class: book-section

   **Covers:** Chapter 4, section 4.4: the negative gradient of :math:`x_0^2
   + x_1^2` drawn as arrows.

   **Beyond the book:** all 324 gradients in one call, with one point per
   row, and why the book's layout gives the right picture only by accident.
"""

# %%
# Gradients at 324 points in one call
# -----------------------------------
# We take the textbook's grid, 18 values from -2 to 2.25 in steps of 0.25
# along each axis, and stack the :math:`18 \times 18 = 324` points as the
# **rows** of an array of shape ``(324, 2)``. With ``batch=True``,
# :func:`numgrad.numerical_gradient` treats the first axis as a list of
# points and returns one gradient per row; with ``vectorized=True`` it hands
# ``f`` many perturbed points at once, so ``f`` must take a stack of shape
# ``(m, 2)`` and return ``m`` values.

import matplotlib.pyplot as plt
import numpy as np

from numgrad import numerical_gradient


def f(stack):
    return stack[:, 0] ** 2 + stack[:, 1] ** 2


axis = np.arange(-2, 2.5, 0.25)
x0, x1 = np.meshgrid(axis, axis)
points = np.column_stack([x0.ravel(), x1.ravel()])
grad = numerical_gradient(f, points, batch=True, vectorized=True)
print("points:", points.shape, " gradients:", grad.shape)
print("gradient at", points[0], "is", grad[0].round(6))
print("largest gradient length:", np.linalg.norm(grad, axis=1).max().round(4))

# %%
# The textbook instead passes ``np.array([X, Y])``, of shape ``(2, 324)``:
# two "points" of 324 coordinates each, one holding every :math:`x_0` and
# one every :math:`x_1`. Its plot still came out right, by accident: the
# gradient of a sum of squares is twice each coordinate, whichever way the
# numbers are grouped. For any function that mixes its variables, such as
# :math:`x_0 x_1`, that layout computes something meaningless, and there
# would be no way to even write ``f`` for it. One point per row is the layout
# that means what it says.
#
# The field
# ---------
# We draw the negative gradient, the direction of steepest *descent*, on top
# of a few contour lines of :math:`f`. The arrows leave no room for labels on
# the lines, so their colour gives the value, read off the colorbar.

fig, ax = plt.subplots(figsize=(7.5, 6.5), layout="constrained")
fine = np.linspace(-2.75, 2.75, 221)
g0, g1 = np.meshgrid(fine, fine)
levels = [0.5, 1, 2, 4, 6, 8]
contours = ax.contour(
    g0, g1, g0**2 + g1**2, levels=levels, cmap="viridis", vmin=0, vmax=10, linewidths=2
)
fig.colorbar(contours, ax=ax, ticks=levels, format="%g", shrink=0.8, label="$f$ on the contour")
ax.quiver(
    points[:, 0],
    points[:, 1],
    -grad[:, 0],
    -grad[:, 1],
    angles="xy",
    scale_units="xy",
    scale=18,
    color="0.2",
)
ax.plot(0, 0, "*", color="C3", markersize=16, label="minimum of f at (0, 0)")
ax.set_xlabel("$x_0$")
ax.set_ylabel("$x_1$")
ax.set_title(r"Negative gradient $-\nabla f$ of $f(x_0, x_1) = x_0^2 + x_1^2$")
ax.set_xlim(-2.5, 2.75)
ax.set_ylim(-2.5, 2.75)
ax.set_aspect("equal")
fig.legend(loc="outside lower center")
plt.show()

# %%
# Every arrow points straight at the minimum, crossing the contour lines at
# right angles, and the arrows grow longer further from it, because the
# bowl is steeper there (:math:`-\nabla f = -2x` has length twice the
# distance to the origin). Near the centre they shrink to nothing: at the
# minimum the gradient is zero, and a descent that gets there stops.

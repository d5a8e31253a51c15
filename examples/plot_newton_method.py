"""
Hessian and Newton's method
===========================

Gradient descent uses the slope only, and its learning rate must suit the
whole landscape at once. Newton's method also uses the curvature, the Hessian
:math:`H`, and jumps to where a quadratic model of the function has its
minimum: :math:`x \\leftarrow x - H^{-1} \\nabla f(x)`. Both need only
function values when the derivatives are numerical:
:func:`numgrad.numerical_gradient` and :func:`numgrad.numerical_hessian`.

.. admonition:: In the book: beyond section 4.4.1
   :class: book-section

   **Covers:** Chapter 4, section 4.4.1: gradient descent and its learning
   rate, here in a curved valley.

   **Beyond the book:** the Hessian, from ``numgrad.numerical_hessian``, and
   Newton's method, which uses the curvature as well as the slope.
"""

# %%
# A curved valley
# ---------------
# :math:`f(x_0, x_1) = (1 - x_0)^2 + 5 (x_1 - x_0^2)^2` has its minimum at
# (1, 1) at the bottom of a curved valley, where the best step along the
# valley and across it differ by far. We start both methods at (-1.5, 2).

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from numgrad import gradient_descent, numerical_gradient, numerical_hessian


def f(x):
    return (1 - x[0]) ** 2 + 5 * (x[1] - x[0] ** 2) ** 2


start = np.array([-1.5, 2.0])
print("Hessian at the start:")
print(numerical_hessian(f, start).round(3))

# %%
# Newton's method
# ---------------
# Each step solves :math:`H \, d = -\nabla f` for the step :math:`d`. Away from
# the minimum the Hessian need not be positive definite, and Newton's step
# could then head for a saddle or a maximum; on this path its eigenvalues stay
# positive (the smallest is 0.39, at the minimum). The steps are not always
# downhill, though: the quadratic model is only a model.

x = start.copy()
newton = [x.copy()]
for _ in range(8):
    step = np.linalg.solve(numerical_hessian(f, x), -numerical_gradient(f, x, "auto"))
    x = x + step
    newton.append(x.copy())
newton = np.array(newton)
for k, point in enumerate(newton):
    print(f"Newton step {k}: x = {point.round(6)}, f = {f(point):.2e}")

# %%
# Gradient descent, for comparison
# --------------------------------
# The learning rate must suit the steep direction across the valley, where
# the curvature is about 50: here 0.08 already diverges. With 0.04 the path
# first bounces across the valley, then crawls along its floor, where the
# curvature is only 0.4.

_, descent = gradient_descent(f, start, lr=0.04, step_num=200, history=True)
print(f"gradient descent after 200 steps: x = {descent[-1].round(4)}, f = {f(descent[-1]):.2e}")

# %%
# The two paths
# -------------

x0, x1 = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-1, 3.5, 300))
fig, ax = plt.subplots(figsize=(8.8, 5.6), layout="constrained")
levels = np.logspace(-2, 2.5, 12)
contours = ax.contour(
    x0, x1, f(np.array([x0, x1])), levels=levels, cmap="viridis", norm=LogNorm(), linewidths=1.2
)
fig.colorbar(contours, ax=ax, label="f(x)", format="%.2g")
ax.plot(
    *descent.T, ".-", color="C0", markersize=3, linewidth=1, label="gradient descent, 200 steps"
)
ax.plot(*newton.T, "o-", color="C3", markersize=6, linewidth=2, label="Newton, 8 steps")
ax.plot(1, 1, "*", color="gold", markersize=18, markeredgecolor="black", label="minimum (1, 1)")
ax.set_xlabel("$x_0$")
ax.set_ylabel("$x_1$")
ax.set_title("Newton's method and gradient descent on a curved valley")
ax.legend(loc="lower left")
plt.show()

# %%
# Newton's method is within :math:`10^{-6}` of the minimum after 8 steps,
# with :math:`f` at :math:`3 \times 10^{-13}`: near the minimum each step
# squares the error (:math:`10^{-3}`, then :math:`10^{-6}`). Gradient
# descent, with 200 steps, is still on its way along the valley floor. The price of
# Newton's speed is the Hessian: :math:`2N^2 + 1` evaluations per step for
# :math:`N` variables, against :math:`2N` for a gradient, and a linear solve,
# which is why training neural networks, with millions of weights, uses
# gradients alone.

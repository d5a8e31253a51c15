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
# The learning rate must suit the steep direction across the valley. Near the
# minimum the curvature across it is the largest eigenvalue of the Hessian,
# :math:`\lambda_{\max}`, and gradient descent can settle there only with a
# learning rate below :math:`2 / \lambda_{\max}`: above it, each step
# across the valley overshoots its floor by more than it started from. Here
# 0.08 already diverges, and 0.04 is just above the limit. The path first
# bounces across the valley, then crawls along its floor, and ends bouncing
# between two points on either side of the floor: every second step brings
# it back to the same point, after 1,000 steps as after 20,000.

curvatures = np.linalg.eigvalsh(numerical_hessian(f, np.array([1.0, 1.0])))
print(f"curvatures at the minimum: {curvatures.round(2)}, 2 / largest = {2 / curvatures.max():.4f}")

_, descent = gradient_descent(f, start, lr=0.04, step_num=20_000, history=True)
for k in (200, 1000, 1001, 1002, 20_000):
    print(
        f"gradient descent, lr=0.04, {k:>6} steps: x = {descent[k].round(4)}, f = {f(descent[k]):.4f}"
    )
cycle = descent[-2:]
descent = descent[:201]

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
ax.plot(
    *cycle.T,
    "s",
    color="C0",
    markersize=7,
    markeredgecolor="black",
    label="where it ends: 2 points",
)
ax.plot(*newton.T, "o-", color="C3", markersize=6, linewidth=2, label="Newton, 8 steps")
ax.plot(1, 1, "*", color="gold", markersize=18, markeredgecolor="black", label="minimum (1, 1)")
ax.set_xlabel("$x_0$")
ax.set_ylabel("$x_1$")
ax.set_title("Newton's method and gradient descent on a curved valley")
ax.legend(loc="lower left")
# The end of gradient descent, zoomed in: it hops between the two points for good.
zoom = ax.inset_axes([0.72, 0.57, 0.26, 0.41], xlim=(0.93, 1.03), ylim=(0.93, 1.01))
zoom.contour(x0, x1, f(np.array([x0, x1])), levels=levels, cmap="viridis", norm=LogNorm())
zoom.plot(*cycle.T, "s-", color="C0", markersize=7, markeredgecolor="black")
zoom.plot(1, 1, "*", color="gold", markersize=14, markeredgecolor="black")
zoom.tick_params(labelsize=8)
ax.indicate_inset_zoom(zoom, edgecolor="0.3")
plt.show()

# %%
# Newton's method is within :math:`10^{-6}` of the minimum after 8 steps,
# with :math:`f` at :math:`3 \times 10^{-13}`: near the minimum each step
# squares the error (:math:`10^{-3}`, then :math:`10^{-6}`). Gradient
# descent with a learning rate of 0.04 never gets there, however many steps it
# takes: it hops between the two square markers, across the valley floor
# (zoomed in at the top right), because 0.04 is above :math:`2 / \lambda_{\max} = 0.0388`. A learning rate
# below that limit would reach the minimum, slowly. The price of
# Newton's speed is the Hessian: :math:`2N^2 + 1` evaluations per step for
# :math:`N` variables, against :math:`2N` for a gradient, and a linear solve,
# which is why training neural networks, with millions of weights, uses
# gradients alone.

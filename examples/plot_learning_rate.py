r"""
Choosing the learning rate
==========================

The learning rate :math:`\eta` is a :term:`hyperparameter`: gradient descent does
not learn it, we have to pick it. Too large, and each step overshoots the
minimum by more than it started from; too small, and the steps are so short
that nothing happens. Running the same descent with three learning rates
makes both failures visible.

.. admonition:: In the book: section 4.4.1
   :class: book-section

   **Covers:** Chapter 4, section 4.4.1: the experiment with too large and
   too small a learning rate, and hyperparameters.

   **Beyond the book:** the distance to the minimum at every step, and why
   the divergent run stops growing: rounding, which numgrad reports.
"""

# %%
# Three learning rates, 100 steps each
# ------------------------------------
# Every run starts from :math:`(-3, 4)` on :math:`f(x) = x_0^2 + x_1^2`,
# whose minimum is the origin.

import warnings

import matplotlib.pyplot as plt
import numpy as np

from numgrad import gradient_descent


def f(x):
    return x[0] ** 2 + x[1] ** 2


init_x = np.array([-3.0, 4.0])
runs = {}
for lr in (10.0, 1e-10, 0.1):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x, path = gradient_descent(f, init_x, lr=lr, step_num=100, history=True)
    runs[lr] = path
    print(f"lr = {lr:<6g} -> x = {x}")
    for warning in caught:
        print("   warning:", warning.message)

# %%
# These are the textbook's numbers. With :math:`\nabla f = 2x`, one step
# multiplies :math:`x` by :math:`1 - 2\eta`:
#
# * :math:`\eta = 0.1`: by 0.8, a steady approach to the minimum;
# * :math:`\eta = 10^{-10}`: by :math:`1 - 2 \times 10^{-10}`, so after 100
#   steps :math:`x` has moved by about :math:`2 \times 10^{-8}` of itself;
# * :math:`\eta = 10`: by :math:`-19`, so :math:`x` flips sign and grows
#   19-fold at every step.
#
# Exact arithmetic would take the last run to a distance of
# :math:`5 \times 19^{100} \approx 4 \times 10^{128}`, yet it stopped near
# :math:`2.6 \times 10^{13}`. The reason is rounding (see
# :doc:`plot_rounding_error`): once :math:`|x_i|` passes about
# :math:`10^{12}`, adding the gradient's step :math:`h = 10^{-4}` no longer
# changes it, both evaluations of :math:`f` are equal, and the numerical
# gradient is exactly zero. The descent is not at a minimum; it has gone
# blind, and :func:`numgrad.gradient_descent` says so in the warning printed
# above.

x_big = runs[10.0][-1]
print(f"exact distance after 100 steps: {5 * 19.0**100:.1e}")
print("x + 1e-4 == x for the lr = 10 run:", x_big + 1e-4 == x_big)

# %%
# Distance to the minimum
# -----------------------

fig, ax = plt.subplots(figsize=(7.5, 5), layout="constrained")
styles = {
    10.0: ("C3", r"$\eta = 10$: diverges, then freezes"),
    1e-10: ("C7", r"$\eta = 10^{-10}$: hardly moves"),
    0.1: ("C0", r"$\eta = 0.1$: converges"),
}
for lr, (color, label) in styles.items():
    distance = np.linalg.norm(runs[lr], axis=1)
    ax.semilogy(np.arange(distance.size), distance, "o-", markersize=3, color=color, label=label)
ax.annotate(
    "x + h rounds to x:\nthe numerical gradient is 0",
    xy=(12, 2.6e13),
    xytext=(30, 1e7),
    arrowprops={"arrowstyle": "->", "color": "C3"},
    color="C3",
)
ax.set_xlabel("step")
ax.set_ylabel("distance to the minimum $\\|x\\|$")
ax.set_title("Gradient descent on $x_0^2 + x_1^2$ from (-3, 4)")
ax.set_ylim(1e-11, 1e16)
ax.grid(True, alpha=0.3)
ax.legend(loc="lower left")
plt.show()

# %%
# On a logarithmic scale a constant factor per step is a straight line. The
# run with :math:`\eta = 0.1` falls in a straight line from 5 to
# :math:`5 \times 0.8^{100} \approx 1.0 \times 10^{-9}`; the one with
# :math:`\eta = 10^{-10}` stays flat at 5, not wrong but useless; the one with :math:`\eta = 10` climbs by a factor
# of 19 per step for ten steps and then goes flat, stuck at a huge value
# where the numerical gradient can no longer see any slope. A good learning
# rate lies between the two failures, and in practice it is found by trying.

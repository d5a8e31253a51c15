"""
The Jacobian of softmax
=======================

A gradient is the derivative of one number with respect to many. Softmax maps
many numbers to many, so its derivative is a matrix, the Jacobian
:math:`J_{ij} = \\partial y_i / \\partial a_j`. Backpropagation through a
softmax layer needs it; here :func:`numgrad.numerical_jacobian` computes it
column by column, and we compare it with the formula
:math:`J = \\operatorname{diag}(y) - y y^\\top`.

.. admonition:: In the book: beyond section 4.4
   :class: book-section

   **Covers:** Chapter 4 differentiates scalar functions only, with the
   gradient of section 4.4; softmax itself is from section 3.5.

   **Beyond the book:** the Jacobian of a function from vectors to vectors,
   numerically and by its formula, as backpropagation through softmax
   (chapter 5) needs it.
"""

# %%
# The Jacobian, numerically
# -------------------------
# Each column :math:`j` comes from nudging one score :math:`a_j` up and down
# and watching all the probabilities move: :math:`2N` evaluations of softmax
# for :math:`N` scores. ``h="auto"`` chooses the step for each score.

import matplotlib.pyplot as plt
import numpy as np

from numgrad import numerical_jacobian, softmax

scores = np.array([0.3, 2.9, 4.0, -1.2])
y = softmax(scores)
numerical = numerical_jacobian(softmax, scores, "auto")
print("probabilities:", y.round(4))
print("Jacobian, numerically:")
print(numerical.round(4))

# %%
# The formula
# -----------
# Differentiating :math:`y_i = e^{a_i} / \sum_k e^{a_k}` gives
# :math:`\partial y_i / \partial a_j = y_i (\delta_{ij} - y_j)`: the diagonal
# :math:`y_i (1 - y_i)` is positive (raising a score raises its own
# probability) and every other entry :math:`-y_i y_j` is negative (it takes
# probability from the others). Each column sums to 0, because the
# probabilities always sum to 1.

exact = np.diag(y) - np.outer(y, y)
print(f"largest difference from diag(y) - y y^T: {np.abs(numerical - exact).max():.1e}")
print("column sums:", numerical.sum(axis=0).round(12))

# %%
# The complex step
# ----------------
# ``method="complex"`` evaluates softmax at scores with a tiny imaginary part
# and reads the derivative from the imaginary part of the result.
# :func:`numgrad.softmax` turns its scores into real numbers first, which
# drops that part, so ``numerical_jacobian`` refuses it with a TypeError that
# says so. A softmax that subtracts only the real part of the largest score
# keeps it:


def complex_softmax(a):
    exp = np.exp(a - a.real.max())
    return exp / exp.sum()


complex_step = numerical_jacobian(complex_softmax, scores, "auto", method="complex")
print(f"complex step, largest difference: {np.abs(complex_step - exact).max():.1e}")

# %%
# What the entries look like
# --------------------------

fig, axes = plt.subplots(1, 2, figsize=(8.8, 4.2), layout="constrained")
limit = np.abs(exact).max()
for ax, matrix, title in zip(
    axes,
    (numerical, numerical - exact),
    ("numerical Jacobian", "numerical minus diag(y) - y yᵀ"),
    strict=True,
):
    scale = limit if matrix is numerical else np.abs(matrix).max()
    image = ax.imshow(matrix, cmap="RdBu_r", vmin=-scale, vmax=scale)
    ax.set_xticks(range(4), [f"$a_{j}$" for j in range(4)])
    ax.set_yticks(range(4), [f"$y_{i}$" for i in range(4)])
    ax.set_title(title)
    fig.colorbar(image, ax=ax, shrink=0.8, format="%.0e" if matrix is not numerical else None)
plt.show()

# %%
# The diagonal is red and the rest blue, as the formula says, and the
# difference is a few times :math:`10^{-12}` or smaller: rounding, since
# softmax is smooth and the automatic step balances truncation against it.
# The complex step, which subtracts nothing, is off by :math:`10^{-16}` or
# so, the rounding of the formula itself.

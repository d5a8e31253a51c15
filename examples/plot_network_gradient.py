r"""
The gradient of a neural network's loss
=======================================

Training a neural network means changing its weights so that its loss goes
down, and the gradient of the loss with respect to the weights says how. It
is computed exactly like the gradient of :math:`x_0^2 + x_1^2`, one weight at
a time; only the function is different. Here we compute it for a one-layer
network with six weights and read what its signs tell us.

.. admonition:: In the book: section 4.4.2
   :class: book-section

   **Covers:** Chapter 4, section 4.4.2: the gradient of a one-layer
   network's loss with respect to its weights.

   **Beyond the book:** what the sign and size of each entry say about its
   weight, shown next to the network's probabilities.
"""

# %%
# A tiny network and one example
# ------------------------------
# :class:`numgrad.SimpleNet` maps 2 inputs to 3 class scores through a
# :math:`2 \times 3` weight matrix ``W``, turns the scores into probabilities
# with softmax, and scores them with the cross-entropy loss. Its weights are
# random; the seed makes them the same on every run.

import matplotlib.pyplot as plt
import numpy as np

from numgrad import SimpleNet, numerical_gradient

net = SimpleNet(rng=42)
x = np.array([0.6, 0.9])
t = np.array([0, 0, 1])  # the correct class is 2

print("W =\n", net.W.round(4))
print("scores x @ W =", net.predict(x).round(4), "-> predicted class", np.argmax(net.predict(x)))
print("probabilities =", net.predict_proba(x).round(4))
print(f"loss = {net.loss(x, t):.6f}")

# %%
# The network's answer is wrong: it puts most of its probability on class
# 0, and the loss is large.
#
# The gradient with respect to W
# ------------------------------
# The loss depends on ``W`` through ``net``, so the function we differentiate
# ignores its argument and just asks the network for its loss.
# :func:`numgrad.numerical_gradient` nudges each entry of ``net.W`` in place,
# reads the loss, and puts the entry back exactly as it was.

dW = numerical_gradient(lambda _: net.loss(x, t), net.W)
print("dW =\n", dW.round(4))

# %%
# For this network the gradient is also known in closed form:
# :math:`\partial L / \partial W = x^\top (y - t)`, the outer product of the
# input with the error of the probabilities. The two agree to better than
# :math:`10^{-6}`, and most of that small gap is not the finite difference's
# fault: the loss adds :math:`\delta = 10^{-7}` inside the logarithm to
# avoid :math:`\log 0`, and the closed form leaves it out. Keeping it scales
# the closed form by :math:`y_2 / (y_2 + \delta)`, and then the two agree
# to about :math:`10^{-10}`.

y = net.predict_proba(x)
exact = np.outer(x, y - t)
print("exact =\n", exact.round(4))
print(f"largest difference: {np.abs(dW - exact).max():.1e}")
exact_with_delta = exact * y[2] / (y[2] + 1e-7)
print(f"largest difference, with the 1e-7 kept: {np.abs(dW - exact_with_delta).max():.1e}")

# %%
# Weights and gradient side by side
# ---------------------------------


def heatmap(ax, values, title, cmap):
    limit = np.abs(values).max()
    image = ax.imshow(values, cmap=cmap, vmin=-limit, vmax=limit)
    for (row, col), value in np.ndenumerate(values):
        color = "white" if abs(value) > 0.6 * limit else "black"
        ax.text(col, row, f"{value:+.3f}", ha="center", va="center", color=color)
    ax.set_xticks(range(3), ["class 0", "class 1", "class 2 (correct)"])
    ax.set_yticks(range(2), ["$x_0$ = 0.6", "$x_1$ = 0.9"])
    ax.set_ylabel("input (row of W)")
    ax.set_title(title)
    return image


fig, (ax_w, ax_dw) = plt.subplots(2, 1, figsize=(7.5, 6), layout="constrained", sharex=True)
fig.colorbar(heatmap(ax_w, net.W, "weights W", "PuOr_r"), ax=ax_w, label="weight")
fig.colorbar(
    heatmap(ax_dw, dW, r"gradient $\partial L / \partial W$", "RdBu_r"),
    ax=ax_dw,
    label="change in loss\nper unit weight",
)
ax_dw.set_xlabel("output class (column of W)")
plt.show()

# %%
# Each entry of the gradient is the rate at which the loss changes when that
# one weight grows. Where it is **positive** (red), increasing the weight
# increases the loss, so the weight should be *decreased*; where it is
# **negative** (blue), the weight should be *increased*. Its size says how
# much that weight matters right now.
#
# The lower panel reads like a sentence. The column of the correct class
# 2 is blue: raise those weights to raise class 2's score. The column of
# class 0, which the network wrongly prefers, is the reddest: lower those
# weights. Class 1 already has almost no probability, so its weights barely
# matter. And every entry in the :math:`x_1` row is 1.5 times the one above
# it, because the input 0.9 is 1.5 times 0.6: a weight's influence on the
# loss is proportional to the input it multiplies. The weights above,
# by contrast, show no such pattern; the gradient depends on them only
# through the probabilities they produce.

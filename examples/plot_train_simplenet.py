r"""
Training a tiny network with numerical gradients
================================================

A gradient tells us which way to change the weights for *one* step; training
is just taking many such steps. Here we put the pieces together: a small data
set of three classes, a one-layer network, the numerical gradient of its
average loss, and plain gradient descent, :math:`W \leftarrow W - \eta\,
\partial L / \partial W`. We watch the loss fall and the decision regions
fall into place.

.. admonition:: In the book: section 4.4.2
   :class: book-section

   **Covers:** Chapter 4, section 4.4.2, whose network this is, and the idea
   of section 4.5: repeated gradient steps are training.

   **Beyond the book:** a whole training run on a three-class data set, with
   the loss curve and the decision regions before and after.
"""

# %%
# A three-class data set
# ----------------------
# Three Gaussian blobs of 50 points each, centred at distance 2 from the
# origin at angles of 90°, 210° and 330°. :class:`numgrad.SimpleNet` has no
# bias term: its scores :math:`x W` are linear in :math:`x`, so the
# boundaries between its classes are lines through the origin. Blobs spread
# around the origin, 120° apart, can be told apart by such lines.

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from numgrad import SimpleNet, numerical_gradient

rng = np.random.default_rng(2024)
angles = np.deg2rad([90, 210, 330])
centres = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
labels = np.repeat(np.arange(3), 50)
points = centres[labels] + rng.normal(scale=0.8, size=(labels.size, 2))
print("data:", points.shape, "points, classes", np.bincount(labels))

# %%
# Training
# --------
# The loss is the cross-entropy averaged over all 150 points, and
# ``net.loss`` computes it for the whole batch in one call. Each step
# computes its gradient with respect to the six weights (12 evaluations of
# the loss with the central difference) and moves the weights against it.


def accuracy(net):
    return np.mean(np.argmax(net.predict(points), axis=1) == labels)


net = SimpleNet(rng=3)
W_before = net.W.copy()
lr = 0.1
step_num = 300
losses = [net.loss(points, labels)]
print(f"before training: loss {losses[0]:.4f}, accuracy {accuracy(net):.1%}")

for _ in range(step_num):
    dW = numerical_gradient(lambda _: net.loss(points, labels), net.W)
    net.W -= lr * dW
    losses.append(net.loss(points, labels))

print(f"after {step_num} steps: loss {losses[-1]:.4f}, accuracy {accuracy(net):.1%}")
print("trained W =\n", net.W.round(3))

# %%
# The loss curve
# --------------

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ax.plot(np.arange(step_num + 1), losses, color="C0")
ax.set_xlabel("step")
ax.set_ylabel("mean cross-entropy loss")
ax.set_title(f"Training SimpleNet with numerical gradients (lr = {lr})")
ax.set_ylim(bottom=0)
ax.grid(True, alpha=0.3)
plt.show()

# %%
# The loss falls steeply in the first few dozen steps, while the gradient is
# large, then levels off: once the points are classified, further steps only
# make the network more confident.
#
# Decision regions before and after
# ---------------------------------
# Each position of the plane gets the class with the highest score.

colors = ["#1f77b4", "#ff7f0e", "#2ca02c"]
region_cmap = ListedColormap(["#c6dbef", "#fdd0a2", "#c7e9c0"])
grid0, grid1 = np.meshgrid(np.linspace(-4.5, 4.5, 301), np.linspace(-4.5, 4.5, 301))
grid = np.column_stack([grid0.ravel(), grid1.ravel()])

fig, axes = plt.subplots(1, 2, figsize=(8.8, 5.8), layout="constrained", sharey=True)
titles = ("before training", f"after {step_num} steps")
for ax, W, name in zip(axes, (W_before, net.W), titles, strict=True):
    predicted = np.argmax(grid @ W, axis=1).reshape(grid0.shape)
    ax.contourf(grid0, grid1, predicted, levels=[-0.5, 0.5, 1.5, 2.5], cmap=region_cmap)
    for label, color in enumerate(colors):
        mine = labels == label
        ax.scatter(
            *points[mine].T, s=18, color=color, edgecolor="k", lw=0.4, label=f"class {label}"
        )
    correct = np.mean(np.argmax(points @ W, axis=1) == labels)
    ax.set_title(f"{name}: accuracy {correct:.1%}")
    ax.set_xlabel("$x_0$")
    ax.set_aspect("equal")
axes[0].set_ylabel("$x_1$")
handles, names = axes[1].get_legend_handles_labels()
fig.legend(handles, names, loc="outside lower center", ncols=3, title="true class of the points")
fig.suptitle("Decision regions of SimpleNet (shaded: predicted class)")
plt.show()

# sphinx_gallery_thumbnail_number = 2

# %%
# Before training, the random weights carve the plane into regions that
# have little to do with the data. After training, the three regions are
# wedges meeting at the origin, each holding one blob: exactly the shape a
# network without a bias can draw. The few points still misclassified lie
# where the blobs overlap, near the boundaries. Every gradient here came from
# finite differences alone; backpropagation computes the same numbers, only
# much faster for a network with more than six weights.

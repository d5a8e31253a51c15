r"""
A two-layer network learns handwritten digits
=============================================

The chapter ends by training a two-layer network with numerical gradients
alone, and the next chapter checks backpropagation against them. Here both
happen, on real handwritten digits, in one short training run: scikit-learn's 1,797
digits of 8 by 8 pixels, a network small enough for finite differences, and
:func:`numgrad.check_gradient` to confirm a backpropagated gradient and to
catch a broken one.

.. admonition:: In the book: sections 4.5 and 5.7.3
   :class: book-section

   **Covers:** Chapter 4, section 4.5, implementing the learning algorithm:
   the two-layer network class (4.5.1), mini-batch training (4.5.2) and
   evaluation on test data (4.5.3); and the gradient check of chapter 5,
   section 5.7.3.

   **Beyond the book:** a loss evaluated for a whole stack of perturbed
   weights at once (``vectorized=True``), the time of one training step
   measured against the book's loop, and a gradient check that finds the
   layer where a bug hides.

Besides numpy and matplotlib, this script needs scikit-learn, for the data,
and threadpoolctl, which comes with it.
"""

# %%
# The data
# --------
# Each digit is a row of 64 pixel values from 0 to 16, which we scale to
# :math:`[0, 1]`. A seeded shuffle sets 450 digits aside as :term:`test data`: the
# network never trains on them, so its accuracy there measures how well it
# generalises.

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from threadpoolctl import threadpool_limits

from numgrad import TwoLayerNet, check_gradient

digits = load_digits()
x_all, t_all = digits.data / 16.0, digits.target
rng = np.random.default_rng(0)
order = rng.permutation(len(t_all))
x_train, t_train = x_all[order[450:]], t_all[order[450:]]
x_test, t_test = x_all[order[:450]], t_all[order[:450]]
print(f"train: {x_train.shape}, test: {x_test.shape}, classes: {np.unique(t_all)}")

# %%
# What one step costs
# -------------------
# A numerical gradient evaluates the loss twice per parameter. The book's
# network for MNIST has 784 inputs and 50 hidden units, 39,760 parameters:
# 79,520 evaluations of the loss for one step of training. Our images have
# 64 pixels, and we shrink the hidden layer from 50 units to 10, so that
# the network has 760 parameters instead of 3,760.
#
# Below, one step's gradient on a mini-batch of 100 digits is timed five
# ways: the book's loop, one call of the loss per perturbed weight, on the
# 50-unit network; the same network with ``vectorized=True``, where
# :meth:`~numgrad.TwoLayerNet.loss_stack` computes the loss for a whole
# stack of perturbed copies of a weight in one call; then both on the
# 10-unit network (the loop as :meth:`numgrad.TwoLayerNet.numerical_gradient`
# runs it); and backpropagation.
#
# numpy multiplies matrices with a BLAS library, which may split each product
# among all the processor's cores. For matrices this small the threads only
# wait for each other, and how much that costs differs from one machine to the
# next; so the timings, and the training below, use one thread.


def book_loop_gradient(net, x, t):
    """The book's loop: perturb one weight, evaluate the loss, restore it."""
    grads = {}
    for name, param in net.params.items():
        grad = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + 1e-4
            upper = net.loss(x, t)
            param[index] = saved - 1e-4
            lower = net.loss(x, t)
            param[index] = saved
            grad[index] = (upper - lower) / 2e-4
        grads[name] = grad
    return grads


def ms_per_call(compute, repeat=1):
    start = time.perf_counter()
    for _ in range(repeat):
        compute()
    return 1000 * (time.perf_counter() - start) / repeat


threadpool_limits(limits=1, user_api="blas")
x_batch, t_batch = x_train[:100], t_train[:100]
book_net = TwoLayerNet(64, 50, 10, rng=1)
net = TwoLayerNet(64, 10, 10, weight_init_std=0.1, rng=1)
timings = {
    "book's loop, 50 units": ms_per_call(lambda: book_loop_gradient(book_net, x_batch, t_batch)),
    "vectorized, 50 units": ms_per_call(
        lambda: book_net.numerical_gradient(x_batch, t_batch, vectorized=True)
    ),
    "loop, 10 units": ms_per_call(lambda: net.numerical_gradient(x_batch, t_batch)),
    "vectorized, 10 units": ms_per_call(
        lambda: net.numerical_gradient(x_batch, t_batch, vectorized=True), repeat=3
    ),
    "backpropagation, 10 units": ms_per_call(lambda: net.gradient(x_batch, t_batch), repeat=100),
}
book = timings["book's loop, 50 units"]
print("one step's gradient: time, and speed-up over the book's loop")
for method, ms in timings.items():
    print(f"{method:>26}: {ms:8.2f} ms {book / ms:8.1f}x")

# %%
# The small network alone makes a step several times cheaper than the
# book's: a fifth of the parameters, so a fifth of the evaluations, each on
# smaller matrices. The stacked loss then cuts the time by more than half,
# because numpy computes dozens of forward passes per call instead of
# returning to Python after each one. That gain is largest for small
# networks, where the cost of a call is mostly Python's and not the
# arithmetic: on the 50-unit network it saves less. All together, one step
# costs less than a tenth of the book's. Backpropagation is hundreds of times
# faster still, or more, which is why chapter 5 exists; numerical gradients
# are there to check it.
#
# Training
# --------
# Each step draws a :term:`mini-batch` of 100 training digits, computes the
# numerical gradient of the loss with the stacked loss, and moves every
# parameter against it. The book trains for 10,000 steps with a learning
# rate of 0.1; we take 150 steps with a learning rate of 3, and start from
# weights of standard deviation 0.1 instead of 0.01, so that the sigmoid
# units leave their flat start sooner. Too large a rate would make the loss
# jump about instead (see :doc:`plot_learning_rate`); with this one the loss
# still falls steadily, as the curve below shows. Every 10 steps we record
# the accuracy on the whole training set and on the test set.

lr = 3.0
step_num = 150
batch_size = 100
losses, checkpoints, train_acc, test_acc = [], [], [], []
start = time.perf_counter()
for step in range(1, step_num + 1):
    batch = rng.choice(len(t_train), batch_size, replace=False)
    x_batch, t_batch = x_train[batch], t_train[batch]
    grads = net.numerical_gradient(x_batch, t_batch, vectorized=True)
    for name in net.params:
        net.params[name] -= lr * grads[name]
    losses.append(net.loss(x_batch, t_batch))
    if step % 10 == 0:
        checkpoints.append(step)
        train_acc.append(net.accuracy(x_train, t_train))
        test_acc.append(net.accuracy(x_test, t_test))
elapsed = time.perf_counter() - start
print(f"{step_num} steps in {elapsed:.1f} s ({1000 * elapsed / step_num:.0f} ms per step)")
print(f"train accuracy {train_acc[-1]:.1%}, test accuracy {test_acc[-1]:.1%}")

# %%
# The learning curves
# -------------------

fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.8), layout="constrained")
ax_loss.plot(np.arange(1, step_num + 1), losses, color="C0", lw=1)
ax_loss.set_xlabel("step")
ax_loss.set_ylabel("loss on the mini-batch")
ax_loss.set_ylim(bottom=0)
ax_acc.plot(checkpoints, train_acc, "o-", color="C0", ms=4, label="train")
ax_acc.plot(checkpoints, test_acc, "s--", color="C1", ms=4, label="test")
ax_acc.set_xlabel("step")
ax_acc.set_ylabel("accuracy")
ax_acc.set_ylim(0, 1)
ax_acc.legend(loc="lower right")
for ax in (ax_loss, ax_acc):
    ax.grid(True, alpha=0.3)
plt.show()

# %%
# The loss falls from :math:`\ln 10 \approx 2.3`, the loss of a network that
# gives every digit the same probability, and the two accuracy curves rise
# together. A test curve that stayed far below the training curve would mean
# that the network learns its training digits by heart (:term:`overfitting`, section
# 4.1.2); here the gap stays a few percent.
#
# Test digits and their predicted labels
# --------------------------------------
# The first 60 test digits, each with the label the network predicts. A red
# frame marks a mistake, with the true label in brackets.

predicted = net.predict(x_test).argmax(axis=1)
fig, axes = plt.subplots(5, 12, figsize=(8.6, 4.4), layout="constrained")
for ax, image, guess, truth in zip(axes.flat, x_test, predicted, t_test, strict=False):
    ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    if guess == truth:
        ax.set_title(f"{guess}", fontsize=11)
    else:
        ax.set_title(f"{guess} ({truth})", fontsize=11, color="red")
        for spine in ax.spines.values():
            spine.set(color="red", linewidth=2.5)
plt.show()

mistakes = np.flatnonzero(predicted != t_test)
print(f"{mistakes.size} mistakes among {t_test.size} test digits")

# sphinx_gallery_thumbnail_number = 2

# %%
# Checking backpropagation
# ------------------------
# :meth:`numgrad.TwoLayerNet.gradient` computes the same gradient by
# backpropagation, the subject of chapter 5. :func:`numgrad.check_gradient`
# compares it with a numerical gradient, parameter by parameter: a
# :term:`gradient check`. A check
# needs no speed, so it uses a small batch of 20 digits.

x_check, t_check = x_test[:20], t_test[:20]
grads = net.gradient(x_check, t_check)
for name, param in net.params.items():
    result = check_gradient(lambda _: net.loss(x_check, t_check), param, grads[name])
    print(f"{name}: {'passed' if result else 'FAILED'}, max rel error {result.max_rel_error:.1e}")

# %%
# Now a backpropagation with a classic bug: the error reaches the hidden
# layer without being multiplied by the sigmoid's derivative
# :math:`\sigma(a)(1 - \sigma(a))`.


def broken_backprop(net, x, t):
    """Backpropagation that forgets the sigmoid's derivative."""
    p = net.params
    z1 = 1 / (1 + np.exp(-(x @ p["W1"] + p["b1"])))
    y = net.predict_proba(x)
    delta2 = (y - np.eye(y.shape[1])[t]) / len(x)
    delta1 = delta2 @ p["W2"].T  # BUG: should be multiplied by z1 * (1 - z1)
    return {
        "W1": x.T @ delta1,
        "b1": delta1.sum(axis=0),
        "W2": z1.T @ delta2,
        "b2": delta2.sum(axis=0),
    }


broken = broken_backprop(net, x_check, t_check)
for name, param in net.params.items():
    result = check_gradient(lambda _: net.loss(x_check, t_check), param, broken[name])
    print(f"{name}: {'passed' if result else 'FAILED'}, max rel error {result.max_rel_error:.1e}")

# %%
# The correct gradients agree with the numerical ones to about
# :math:`10^{-7}`, the size of the :math:`10^{-7}` that the loss adds inside its
# logarithm. The broken backpropagation still gets the output layer right,
# ``W2`` and ``b2``, and fails on exactly the two parameters that the bug
# touches, ``W1`` and ``b1``, with errors of order one: the check says not
# only that a gradient is wrong, but where.

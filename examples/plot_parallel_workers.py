"""
A slow function's gradient, in parallel
=======================================

When one evaluation of :math:`f` is a simulation that takes a while, a
numerical gradient over :math:`N` parameters is :math:`2N` independent
simulations, and nothing stops them from running at the same time.
``workers=`` hands the perturbed points to any map: a pool of threads or
processes on this machine, or a Dask cluster. The result is the same, bit for
bit, as the serial one.

.. admonition:: In the book: beyond section 4.5
   :class: book-section

   **Covers:** Chapter 4, section 4.5, which finds numerical gradients slow:
   two evaluations of the loss per parameter, one after the other.

   **Beyond the book:** the same evaluations run at the same time with
   ``workers=``, on threads, processes or a Dask cluster, with the same
   result bit for bit.
"""

# %%
# A simulation to differentiate
# -----------------------------
# A damped oscillator :math:`u'' = -k u - c u'`, integrated with small
# explicit steps; the "loss" is how far its final position lands from a
# target. Its parameters are the stiffness :math:`k`, the damping :math:`c`,
# and the starting position and speed. ``time.sleep`` stands in for the cost
# of a real simulation (40 ms here); it releases the interpreter, as a call
# into compiled code or an external program would.

import time
from concurrent.futures import ThreadPoolExecutor

import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster

from numgrad import numerical_gradient


def simulate(params):
    k, c, u, v = params
    dt = 0.01
    for _ in range(400):
        u, v = u + dt * v, v + dt * (-k * u - c * v)
    time.sleep(0.04)
    return (u - 0.5) ** 2


params = np.array([4.0, 0.3, 1.0, 0.0])
print(f"loss at the start: {simulate(params):.4f}")

# %%
# Serial, then threads
# --------------------
# Four parameters take eight evaluations: about 0.3 s one after the other.
# With eight threads they overlap.

timings = {}
start = time.perf_counter()
serial = numerical_gradient(simulate, params)
timings["serial"] = time.perf_counter() - start

with ThreadPoolExecutor(8) as pool:
    start = time.perf_counter()
    threaded = numerical_gradient(simulate, params, workers=pool.map)
    timings["8 threads"] = time.perf_counter() - start
print("gradient:", serial.round(6))
print("threads give the same bits:", threaded.tobytes() == serial.tobytes())

# %%
# A Dask cluster
# --------------
# The same call runs on a Dask cluster through its executor's ``map``. Here
# the cluster is local, with four workers in this process; with
# ``Client("tcp://scheduler:8786")`` the simulations would run on the
# cluster's machines instead. (An ``int``, such as ``workers=4``, asks numgrad
# for a pool of processes, which needs an ``f`` defined at module level, so
# that it can be sent to them; the threads and the cluster above do not.)

with (
    LocalCluster(
        n_workers=4, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster,
    Client(cluster) as client,
):
    executor = client.get_executor()
    start = time.perf_counter()
    distributed = numerical_gradient(simulate, params, workers=executor.map)
    timings["Dask, 4 workers x 2 threads"] = time.perf_counter() - start
print("Dask gives the same bits:", distributed.tobytes() == serial.tobytes())
for name, seconds in timings.items():
    print(f"{name:>28}: {seconds * 1e3:6.0f} ms")

# %%
# The timings
# -----------

fig, ax = plt.subplots(figsize=(8.8, 3.6), layout="constrained")
names = list(timings)
ax.barh(names, [timings[name] * 1e3 for name in names], color=["C7", "C0", "C2"])
ax.axvline(40, color="black", linestyle=":", linewidth=1.5, label="one evaluation of f")
ax.invert_yaxis()
ax.set_xlabel("time for the gradient (ms)")
ax.set_title("Eight evaluations of a 40 ms simulation")
fig.legend(loc="outside lower right")
plt.show()

# %%
# Serially the gradient costs eight evaluations, one after the other. In
# parallel they overlap, and what a parallel bar adds to the dotted line of
# one evaluation is the price of running them that way: handing the points out and collecting the
# values, and the simulations' Python loops, which take turns on the
# interpreter. That price depends on the machine and on the pool: the bars
# show it on the machine that built this page. The numbers do not change, only
# who computes them: each worker gets a copy of the perturbed point, which is
# why ``f`` must read its argument. A function that reads its parameters
# from elsewhere, as the book's ``lambda w: net.loss(x, t)`` does, would see
# no perturbation at all, and numgrad warns when every value comes back the
# same.

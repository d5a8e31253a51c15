"""Encrypt the traffic between the build and its notebook kernels.

myst-nb executes each page in a fresh ipykernel through nbclient. By default
the kernel manager talks to the kernel over plain TCP on localhost, and
ipykernel 7 warns about that on its stderr, once per page: "Kernel is running
over TCP without encryption". jupyter_client can instead give the kernel
CurveZMQ keys (``transport_encryption="auto"``, for kernels whose kernelspec
declares support, as ipykernel's does), and then the warning does not apply.
myst-nb offers no way to configure its kernel manager, so this sets the
default of that option. (The warning's other remedy, IPC sockets, did not
work with nbclient's manager: its socket path is the relative "kernel-ipc",
and the kernel, started in the page's directory, never answered.)
"""

from __future__ import annotations

import zmq
from jupyter_client.manager import KernelManager


def setup(app):  # noqa: ARG001
    if zmq.has("curve"):  # pyzmq's wheels have it; a libzmq without libsodium does not
        KernelManager.class_traits()["transport_encryption"].default_value = "auto"
    return {"parallel_read_safe": True, "parallel_write_safe": True}

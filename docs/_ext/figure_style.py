"""One matplotlib style for every figure of the site: ``matplotlibrc`` beside this file.

Its text is as large as the body text of the pages (16 px) when a figure is
shown at its natural size. The gallery's examples get it after sphinx-gallery's
own reset of matplotlib (``reset_modules`` in ``conf.py``); the notebook
kernels of the tutorials read it at start, from ``MATPLOTLIBRC``.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib as mpl

RC_FILE = Path(__file__).with_name("matplotlibrc")


def reset_matplotlib(gallery_conf, fname) -> None:  # noqa: ARG001
    """Apply the site's style; sphinx-gallery calls this before each example."""
    mpl.rc_file(RC_FILE)


def setup(app):  # noqa: ARG001
    os.environ["MATPLOTLIBRC"] = str(RC_FILE)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

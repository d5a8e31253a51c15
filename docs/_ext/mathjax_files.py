"""MathJax 3 served by the site itself, so that math renders offline.

The files come from the ``django-static-mathjax`` package (MathJax's files
only; no Django needed). ``conf.py`` points ``mathjax_path`` at
``_static/mathjax/tex-chtml.js``; this copies what that script loads.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import mathjax

SOURCE = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
# What tex-chtml.js loads: its fonts, and the parts it fetches on demand
# (TeX extensions, the menu, accessibility). Not the 4 MB speech engine.
PARTS = ["tex-chtml.js", "input", "output", "ui", "a11y", "adaptors"]


def _copy_mathjax(app) -> None:
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in PARTS:
        source, destination = SOURCE / part, target / part
        if destination.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, destination)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def setup(app):
    app.connect("builder-inited", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""MathJax 3 served by the site itself, so that math renders offline.

The files come from the ``django-static-mathjax`` package (MathJax's files
only; no Django needed). ``conf.py`` points ``mathjax_path`` at
``_static/mathjax/startup.js``, MathJax's loader; this tells it which
components to load and copies their files.

The components are those of MathJax's ``tex-chtml.js`` bundle (1.16 MB)
that the site's formulas need: TeX with its ``ams`` package (and
``noundefined``, which shows an unknown macro in red instead of failing the
formula), the CommonHTML output with its fonts, and the assistive MathML
that screen readers read. Left out: the contextual menu (``ui/menu``,
426 kB of the bundle: "Show Math As", zoom and the accessibility explorer's
settings), and the TeX packages that the bundle's ``autoload`` would fetch
on first use; no page uses one. A formula that needs another package shows
a TeX error, which tests/test_browser.py looks for on every page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import mathjax

SOURCE = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
# The loader fetches each component, and what it depends on (core.js, the
# fonts), from the folder of startup.js.
COMPONENTS = [
    "input/tex-base",
    "[tex]/ams",
    "[tex]/noundefined",
    "output/chtml",
    "a11y/assistive-mml",
]
TEX_PACKAGES = ["base", "ams", "noundefined"]
PARTS = ["startup.js", "core.js", "input", "output", "a11y", "adaptors"]


def _configure_mathjax(app, config) -> None:  # noqa: ARG001
    mathjax_config = dict(config.mathjax3_config or {})
    mathjax_config["loader"] = {"load": COMPONENTS}
    mathjax_config["tex"] = {**mathjax_config.get("tex", {}), "packages": TEX_PACKAGES}
    config.mathjax3_config = mathjax_config


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
    app.connect("config-inited", _configure_mathjax)
    app.connect("builder-inited", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

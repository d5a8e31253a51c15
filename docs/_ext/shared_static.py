"""A translation's pages load the English edition's static files.

Each language is built by its own ``sphinx-build`` (``nox -s docs``), the
translations into ``html/<language>``, beside the English pages, and each
copies the same ``_static`` folder: a reader who switched language fetched
every stylesheet, script, font and MathJax component a second time, under
another URL. Once a translation is built, its pages' links to
``_static/<file>`` point one folder up, at the English copy, for every file
that is byte for byte the same there; the others stay (``documentation_options.js``
names the language, ``translations.js`` holds Sphinx's own strings), and the
duplicates are deleted. The links stay relative, so the site works from any
folder or host. Building a translation without the English edition beside it
leaves the translation as it is.
"""

from __future__ import annotations

import filecmp
import re
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)


def _share_static(app, exception) -> None:
    if exception is not None or app.builder.format != "html" or app.config.language == "en":
        return
    outdir = Path(app.outdir)
    own, english = outdir / "_static", outdir.parent / "_static"
    if not english.is_dir() or not (outdir.parent / "index.html").is_file():
        logger.info("%s: no English edition beside it; its _static stays its own", outdir.name)
        return
    shared = {
        path.relative_to(own).as_posix()
        for path in own.rglob("*")
        if path.is_file()
        and (english / path.relative_to(own)).is_file()
        and filecmp.cmp(path, english / path.relative_to(own), shallow=False)
    }
    for page in outdir.rglob("*.html"):
        if page.relative_to(outdir).parts[0].startswith("_"):
            continue
        depth = len(page.relative_to(outdir).parts) - 1
        prefix = "../" * depth + "_static/"
        # A link to this edition's own _static (not one already pointing up).
        link = re.compile(
            r'(?P<attribute>(?:href|src)=")(?P<prefix>' + re.escape(prefix) + r')(?P<file>[^"?#]+)'
        )
        text = page.read_text(encoding="utf-8")
        new = link.sub(
            lambda match: (
                f"{match['attribute']}../{match['prefix']}{match['file']}"
                if match["file"] in shared
                else match[0]
            ),
            text,
        )
        if new != text:
            page.write_text(new, encoding="utf-8")
    for name in shared:
        (own / name).unlink()
    for folder in sorted(own.rglob("*"), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def setup(app):
    # After the theme's own build-finished handler, which rewrites pygments.css.
    app.connect("build-finished", _share_static, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Re-read the pages with mini-galleries when the examples or their use changed.

The landing page and the API pages show thumbnails of the examples that use
each function; Sphinx alone would only re-read them when their own source
changes, and keep showing a removed example or miss a new one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PAGES = ("index",)
PREFIXES = ("gen_modules/",)


def _gallery_digest(app) -> str:
    conf = app.config.sphinx_gallery_conf
    srcdir = Path(app.srcdir)
    examples = srcdir / conf["examples_dirs"]
    backrefs = srcdir / conf["backreferences_dir"] / "backreferences_all.json"
    listing = "\n".join(sorted(path.name for path in examples.glob("plot_*.py")))
    content = backrefs.read_bytes() if backrefs.is_file() else b""
    return hashlib.sha256(listing.encode() + content).hexdigest()


def _reread_minigalleries(app, env, added, changed, removed) -> list[str]:  # noqa: ARG001
    digest = _gallery_digest(app)
    if getattr(env, "numgrad_gallery_digest", None) == digest:
        return []
    env.numgrad_gallery_digest = digest
    return [name for name in env.found_docs if name in PAGES or name.startswith(PREFIXES)]


def setup(app):
    app.connect("env-get-outdated", _reread_minigalleries)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Gallery thumbnails titled in the language of the page that shows them.

sphinx-gallery writes each thumbnail (in the gallery's index and in every
mini-gallery) as raw HTML with the example's title in it, which no catalog
reaches. In a translated build, each title is replaced by the translation
of that title in the example's own catalog
(``locale/<language>/LC_MESSAGES/auto_examples/<example>.po``), so a title
is translated once, where the example is. The tooltips, plain-text copies
of each example's first paragraph, stay English.
"""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path

from babel.messages.pofile import read_po
from docutils import nodes

TITLE = re.compile(r'(<div class="sphx-glr-thumbnail-title">)([^<]*)(</div>)')


def _translated_titles(app) -> dict[str, str]:
    """Every message of the gallery's catalogs, msgid to msgstr (titles among them)."""
    gallery = app.config.sphinx_gallery_conf["gallery_dirs"]
    gallery = gallery if isinstance(gallery, str) else gallery[0]
    messages: dict[str, str] = {}
    for locale_dir in app.config.locale_dirs:
        folder = Path(app.srcdir, locale_dir, app.config.language, "LC_MESSAGES", gallery)
        for po in sorted(folder.glob("plot_*.po")):
            with po.open("rb") as file:
                messages |= {m.id: m.string for m in read_po(file) if m.id and m.string}
    return messages


def _translate(app, doctree, *, titles: dict[str, str]) -> None:  # noqa: ARG001
    def title(match: re.Match) -> str:
        english = html.unescape(match[2])
        return match[1] + html.escape(titles.get(english, english), quote=False) + match[3]

    for raw in doctree.findall(nodes.raw):
        text = raw.astext()
        if "sphx-glr-thumbnail-title" in text:
            raw.children = [nodes.Text(TITLE.sub(title, text))]


def _connect(app) -> None:
    if app.config.language != "en":
        app.connect("doctree-read", functools.partial(_translate, titles=_translated_titles(app)))


def setup(app):
    app.connect("builder-inited", _connect)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

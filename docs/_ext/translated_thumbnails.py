"""Gallery thumbnails titled and described in the language of the page that shows them.

sphinx-gallery writes each thumbnail (in the gallery's index and in every
mini-gallery) as raw HTML with the example's title in it, and its first
paragraph as plain text in the ``tooltip`` attribute that shows on hover,
which no catalog reaches. In a translated build, each title is replaced by
the translation of that title in the example's own catalog
(``locale/<language>/LC_MESSAGES/auto_examples/<example>.po``), and each
tooltip by the translation of that first paragraph, made plain text the way
sphinx-gallery makes the English one. Both are translated once, where the
example is.
"""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path

from babel.messages.pofile import read_po
from docutils import nodes
from sphinx_gallery.gen_rst import extract_intro_and_title
from sphinx_gallery.py_source_parser import split_code_and_text_blocks

TITLE = re.compile(r'(<div class="sphx-glr-thumbnail-title">)([^<]*)(</div>)')
TOOLTIP = re.compile(r'(<div class="sphx-glr-thumbcontainer" [^>]*?tooltip=")([^"]*)(")')


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


def _translated_tooltips(app, titles: dict[str, str]) -> dict[str, str]:
    """Each example's tooltip, English to translated.

    sphinx-gallery's tooltip is the docstring's first paragraph after the
    title, joined into one line and stripped of its reST roles and markup.
    The catalog's message for that paragraph is the same paragraph joined
    into one line, so the translation goes through the same stripping.
    """
    examples = app.config.sphinx_gallery_conf["examples_dirs"]
    examples = examples if isinstance(examples, str) else examples[0]
    tooltips: dict[str, str] = {}
    for script in sorted(Path(app.srcdir, examples).glob("plot_*.py")):
        docstring = split_code_and_text_blocks(script)[1][0][1]
        english, _ = extract_intro_and_title(script, docstring)
        paragraphs = [p for p in docstring.lstrip().split("\n\n") if p and not p.startswith(".. ")]
        if len(paragraphs) < 2:
            continue
        translated = titles.get(paragraphs[1].replace("\n", " ").strip())
        if translated:
            intro, _ = extract_intro_and_title(script, f"{paragraphs[0]}\n\n{translated}")
            tooltips[english] = _plain(intro)
    return tooltips


def _plain(text: str) -> str:
    """The reST markup that sphinx-gallery's stripping leaves in a translation.

    It strips roles, literals and emphasis only between spaces; next to
    Chinese characters they have none around them (or an escaped one,
    ``\\ ``), so they are still there.
    """
    text = text.replace("\\ ", "")
    text = re.sub(r":(?:[\w-]+:)+`([^`<]+?)\s*<[^>`]+>`", r"\1", text)  # :role:`title <target>`
    text = re.sub(r":(?:[\w-]+:)+`~?([^`]+)`", r"\1", text)  # :role:`target`
    text = re.sub(r"``([^`]+)``|`([^`]+)`", lambda m: m[1] or m[2], text)
    return re.sub(r"\*\*?([^*]+?)\*\*?", r"\1", text)


def _translate(app, doctree, *, titles: dict[str, str], tooltips: dict[str, str]) -> None:  # noqa: ARG001
    def title(match: re.Match) -> str:
        english = html.unescape(match[2])
        return match[1] + html.escape(titles.get(english, english), quote=False) + match[3]

    def tooltip(match: re.Match) -> str:
        english = html.unescape(match[2])
        return match[1] + html.escape(tooltips.get(english, english)) + match[3]

    for raw in doctree.findall(nodes.raw):
        text = raw.astext()
        if "sphx-glr-thumb" in text:
            raw.children = [nodes.Text(TOOLTIP.sub(tooltip, TITLE.sub(title, text)))]


def _connect(app) -> None:
    if app.config.language != "en":
        titles = _translated_titles(app)
        tooltips = _translated_tooltips(app, titles)
        app.connect("doctree-read", functools.partial(_translate, titles=titles, tooltips=tooltips))


def setup(app):
    app.connect("builder-inited", _connect)
    # The thumbnails are rewritten when a page is read: a new version of this
    # rewriting reads every page again, instead of keeping old thumbnails.
    return {"env_version": 2, "parallel_read_safe": True, "parallel_write_safe": True}

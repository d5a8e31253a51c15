"""Search result snippets without raw TeX.

Sphinx's search page builds each result's snippet in the browser, from the
text of the page it found (``Search.htmlToText`` in ``searchtools.js``). The
formulas there are still their TeX source, which MathJax typesets only on the
page itself, so snippets read ``\\(\\eta\\)`` and ``\\[\\nabla f = \\left(...``.
``_static/search_snippets.js`` replaces each formula by a plain-text reading
before the snippet is cut, and escapes the anchor of a result (an API
object's id, ``numgrad.numerical_gradient``) that Sphinx would otherwise use
as a CSS selector as it is, find nothing with, and warn about in the console.
"""

from __future__ import annotations


def _add_script(app, pagename: str, templatename: str, context, doctree) -> None:  # noqa: ARG001
    if pagename == "search":
        # Deferred: it runs after searchtools.js, before the first search.
        app.add_js_file("search_snippets.js", loading_method="defer")


def setup(app):
    app.connect("html-page-context", _add_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

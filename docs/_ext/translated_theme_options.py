"""Theme options that show as text, translated like the theme's own words.

pydata-sphinx-theme puts its ``search_bar_text`` option into every page's
search field as it is, where no catalog reaches it. Here it goes through
the builder's translator (the ``sphinx`` domain: the theme's catalog, and
``locale/<language>/LC_MESSAGES/sphinx.po`` before it), so the translated
builds show their language's words and the English build its own.
"""

from __future__ import annotations

TRANSLATED = ("theme_search_bar_text",)


def _translate(app, pagename, templatename, context, doctree) -> None:  # noqa: ARG001
    for name in TRANSLATED:
        if isinstance(context.get(name), str):
            context[name] = app.translator.gettext(context[name])


def setup(app):
    app.connect("html-page-context", _translate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

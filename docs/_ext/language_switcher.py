"""A link on every page to the same page in each other language of the site.

The English site is at the root of the build and each translation in a
folder named after its language (``zh_CN/``), with the same relative paths,
so the link to a page's twin is relative: it works from a local build as on
any host. ``conf.py`` names the languages in ``site_languages``; the template
``_templates/language-switcher.html`` shows the links in the navigation bar.
On the search page, ``_static/language-switcher.js`` adds the query
(``?q=...``) to the links, so the other language's page searches for it too.
"""

from __future__ import annotations

import posixpath

DEFAULT = "en"


def _site_root(app, pagename: str) -> str:
    """The relative URL of the English site's root, seen from ``pagename``."""
    depth = pagename.count("/") + (app.config.language != DEFAULT)
    return "../" * depth


def _language_links(app, pagename: str, templatename, context, doctree) -> None:  # noqa: ARG001
    root = _site_root(app, pagename)
    page = app.builder.get_target_uri(pagename)
    if pagename == "search":
        app.add_js_file("language-switcher.js", loading_method="defer")
    context["site_language_links"] = [
        {
            "code": code,
            "name": name,
            "url": posixpath.join(root, "" if code == DEFAULT else code, page),
            "current": code == app.config.language,
        }
        for code, name in app.config.site_languages.items()
    ]


def setup(app):
    app.add_config_value("site_languages", {DEFAULT: "English"}, "html", types=(dict,))
    app.connect("html-page-context", _language_links)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

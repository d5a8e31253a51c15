"""Chinese words in the search index of the zh_CN edition.

Sphinx splits Chinese text into words with jieba (a docs dependency; without
it the Chinese pages would be indexed by their Latin words only). The
chapter's terms are added to jieba's dictionary (``search_terms_zh.txt``
beside this file, one word per line), so that, for example, 梯度法 is one
word and 梯度 another. jieba's own log lines are silenced.

Sphinx 9.0 also writes ``window.Stemmer = ChineseStemmer;`` into the
Chinese site's ``language_data.js``, a class that does not exist (the Chinese
index stems its Latin words with the English stemmer): every page then
raises a ReferenceError and search never answers (sphinx-doc/sphinx#14229,
fixed after 9.0.4). The stemmer's class name is made from ``language_name``,
so the search language is registered again under the name of the stemmer it
uses.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sphinx.search.zh import SearchChinese

TERMS = Path(__file__).with_name("search_terms_zh.txt")


def _chinese_options(app, config) -> None:  # noqa: ARG001
    if config.language.startswith("zh"):
        import jieba  # noqa: PLC0415 (only the Chinese build needs it)

        jieba.setLogLevel(logging.WARNING)
        config.html_search_options = {"dict": str(TERMS), **config.html_search_options}


class _SearchChinese(SearchChinese):
    language_name = "English"  # the name of the JS stemmer: EnglishStemmer


def setup(app):
    app.add_search_language(_SearchChinese)
    app.connect("config-inited", _chinese_options)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

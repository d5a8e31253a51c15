"""Messages whose numbers change at every build, translated by pattern.

sphinx-gallery writes each example's running time into its page, and the
total into the computation-times page. A catalog entry holds the text of
one build, numbers included, and would stop matching at the next. For such
messages ``locale/<language>/LC_MESSAGES/patterns.po`` holds the text with
``{name}`` fields (``{seconds}``) in place of the numbers; in a translated
build each match in a page's source is replaced by the translation, with the
same numbers, before the page is read.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = "patterns.po"
FIELD = re.compile(r"\\\{(\w+)\\\}")


def _patterns(app) -> list[tuple[re.Pattern, str]]:
    patterns = []
    for locale_dir in app.config.locale_dirs:
        po = Path(app.srcdir, locale_dir, app.config.language, "LC_MESSAGES", CATALOG)
        if not po.is_file():
            continue
        with po.open("rb") as file:
            for message in read_po(file):
                if message.id and message.string and not message.fuzzy:
                    english = FIELD.sub(r"(?P<\1>[0-9.:]+)", re.escape(message.id))
                    patterns.append((re.compile(english), message.string))
    return patterns


def _translate(app, docname: str, source: list[str], *, patterns) -> None:  # noqa: ARG001
    for english, translation in patterns:
        source[0] = english.sub(
            lambda match, t=translation: t.format(**match.groupdict()), source[0]
        )


def _load(app) -> None:
    if app.config.language != "en":
        app.connect("source-read", functools.partial(_translate, patterns=_patterns(app)))


def setup(app):
    app.connect("builder-inited", _load)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Table cells that hold a number get the class ``numeric``.

``_static/wide-content.css`` keeps such a cell on one line: a browser may
break a line after a hyphen, so in a narrow column (a phone's screen)
"4.6e-12" became "4.6e-" over "12". Marking the cells here covers every
table of the site in both languages, whatever the alignment of its columns.
"""

from __future__ import annotations

import re

from docutils import nodes

# 0, 1.03, 15,000, 4.6e-12, 1.0e+00, 0.0689x, 12 %: a number, with a sign,
# an exponent, a ratio's x or a percent sign. tests/test_browser.py checks
# that no such cell spans two lines.
NUMBER = re.compile(r"[-+\u2212]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][-+\u2212]?\d+)?\s*[x%]?")


def _mark_numeric_cells(app, doctree, docname) -> None:  # noqa: ARG001
    for entry in doctree.findall(nodes.entry):
        if NUMBER.fullmatch(entry.astext().strip()):
            entry["classes"].append("numeric")


def setup(app):
    app.connect("doctree-resolved", _mark_numeric_cells)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

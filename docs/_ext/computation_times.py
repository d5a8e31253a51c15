"""The gallery's computation-times page, as a plain table that needs no CDN.

sphinx-gallery writes ``sg_execution_times.rst`` with a raw-HTML block that
loads Bootstrap, jQuery and DataTables from three CDNs to make the table
sortable: offline that is three failed requests and "$ is not defined". The
table under it is already sorted by time, so the block is dropped when the
page is read. sphinx-gallery also writes the same table per gallery
(``auto_examples/sg_execution_times``); with one gallery that page is an
orphan duplicate, which ``conf.py`` excludes and this removes from old builds.

The table's third column, "Mem (MB)", is the peak memory of each example,
which sphinx-gallery measures only with ``show_memory``; without it every
row reads 0.0, so a column of zeros only is dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

PAGE = "sg_execution_times"
DUPLICATE = "auto_examples/sg_execution_times"
# From the raw directive to the table, which stays inside its container.
CDN_BLOCK = re.compile(
    r"^  \.\. raw:: html\n(?:\n|    .*\n)*?(?=  \.\. list-table::)", re.MULTILINE
)
MEMORY_HEADER = "Mem (MB)"
MEMORY_ZERO = re.compile(r"0(?:\.0*)?|N/A")


def _drop_empty_memory_column(text: str) -> str:
    """The list-table without its third column if that holds only zeros.

    Each row is ``   * - example`` followed by ``     - time`` and
    ``     - memory``; the first row is the header.
    """
    lines = text.splitlines(keepends=True)
    cells: list[int] = []  # the line numbers of the third cells
    column = None
    for number, line in enumerate(lines):
        if line.startswith("   * - "):
            column = 0
        elif line.startswith("     - ") and column is not None:
            column += 1
            if column == 2:
                cells.append(number)
        else:
            column = None
    values = [lines[number].removeprefix("     - ").strip() for number in cells]
    if not values or values[0] != MEMORY_HEADER:
        return text
    if any(MEMORY_ZERO.fullmatch(value) is None for value in values[1:]):
        return text
    dropped = set(cells)
    return "".join(line for number, line in enumerate(lines) if number not in dropped)


def _drop_cdn_block(app, docname: str, source: list[str]) -> None:  # noqa: ARG001
    if docname != PAGE:
        return
    source[0] = _drop_empty_memory_column(source[0])
    source[0], count = CDN_BLOCK.subn("", source[0])
    if count != 1 or "https://" in source[0]:
        logger.warning(
            "%s: sphinx-gallery's raw-HTML block has changed; update docs/_ext/%s.py",
            PAGE,
            __name__,
        )


def _remove_old_duplicate(app) -> None:
    Path(app.outdir, f"{DUPLICATE}.html").unlink(missing_ok=True)


def setup(app):
    app.connect("source-read", _drop_cdn_block)
    app.connect("builder-inited", _remove_old_duplicate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

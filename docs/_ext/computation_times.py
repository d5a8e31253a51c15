"""The gallery's computation-times page, as a plain table that needs no CDN.

sphinx-gallery writes ``sg_execution_times.rst`` with a raw-HTML block that
loads Bootstrap, jQuery and DataTables from three CDNs to make the table
sortable: offline that is three failed requests and "$ is not defined". The
table under it is already sorted by time, so the block is dropped when the
page is read. sphinx-gallery also writes the same table per gallery
(``auto_examples/sg_execution_times``); with one gallery that page is an
orphan duplicate, which ``conf.py`` excludes and this removes from old builds.
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


def _drop_cdn_block(app, docname: str, source: list[str]) -> None:  # noqa: ARG001
    if docname != PAGE:
        return
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

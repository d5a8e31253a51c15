"""Run the code of every MyST notebook page of the docs, cell by cell.

The site build executes these pages too (myst-nb), but only when the docs are
built; this runs them with the tests, one fresh namespace per page, in the
page's directory, as the kernel would. A cell that raises fails the test,
unless the page tags it ``raises-exception``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
GENERATED = ("_build", "jupyter_execute", "auto_examples", "gen_modules")

# ```{code-cell} or ```{code-cell} ipython3, with any number (>= 3) of backticks.
CELL_START = re.compile(r"^(?P<fence>`{3,}|~{3,})\{code-cell\}(?P<language>[^\n]*)$")


def _pages() -> list[Path]:
    pages = []
    for path in sorted(DOCS.rglob("*.md")):
        if any(part in GENERATED for part in path.relative_to(DOCS).parts):
            continue
        if "{code-cell}" in path.read_text(encoding="utf-8"):
            pages.append(path)
    return pages


def _cells(text: str) -> list[tuple[int, str, set[str]]]:
    """The code cells of a MyST notebook: (first line number, code, tags)."""
    lines = text.splitlines()
    cells = []
    i = 0
    while i < len(lines):
        match = CELL_START.match(lines[i])
        if not match or match["language"].strip() not in ("", "ipython3", "python", "python3"):
            i += 1
            continue
        fence = match["fence"]
        i += 1
        tags: set[str] = set()
        # Cell options: a ---...--- YAML block or leading ":key: value" lines.
        if i < len(lines) and lines[i].strip() == "---":
            end = lines.index("---", i + 1)
            options, i = lines[i + 1 : end], end + 1
        else:
            options = []
            while i < len(lines) and lines[i].startswith(":"):
                options.append(lines[i][1:])
                i += 1
        for option in options:
            key, _, value = option.partition(":")
            if key.strip() == "tags":
                tags |= {tag.strip(" '\"") for tag in value.strip(" []").split(",")}
        start = i
        while i < len(lines) and lines[i].rstrip() != fence:
            i += 1
        cells.append((start + 1, "\n".join(lines[start:i]), tags))
        i += 1
    return cells


def test_the_cell_parser_reads_options_and_fences():
    text = """\
```{code-cell} ipython3
:tags: [raises-exception, hide-input]
1 / 0
```
````{code-cell}
---
tags: [remove-output]
---
x = 1
```
````
"""
    assert _cells(text) == [
        (3, "1 / 0", {"raises-exception", "hide-input"}),
        (9, "x = 1\n```", {"remove-output"}),
    ]


def test_there_are_pages_to_run():
    assert _pages(), f"no MyST notebook page with a {{code-cell}} under {DOCS}"


@pytest.mark.parametrize("page", _pages(), ids=lambda page: page.relative_to(DOCS).as_posix())
def test_page_code_runs(page, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(page.parent)
    plt = None
    try:
        import matplotlib as mpl

        mpl.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # a page that never plots does not need matplotlib
        pass
    cells = _cells(page.read_text(encoding="utf-8"))
    assert cells, f"{page} has {{code-cell}} blocks that the parser did not find"
    namespace = {"__name__": "__main__", "__file__": str(page)}
    try:
        for line, code, tags in cells:
            magic = [row for row in code.splitlines() if row.lstrip().startswith(("%", "!"))]
            assert not magic, f"{page}:{line}: IPython magics cannot run here: {magic}"
            # Pad with blank lines so that tracebacks give the line in the page.
            compiled = compile("\n" * (line - 1) + code, str(page), "exec")
            # A warning fails here as in the site build (pyproject makes it an error).
            if "raises-exception" in tags:  # the page shows an error on purpose
                with pytest.raises(Exception):  # noqa: B017, PT011
                    exec(compiled, namespace)  # noqa: S102
            else:
                exec(compiled, namespace)  # noqa: S102
    finally:
        if plt is not None:
            plt.close("all")

"""The gallery's downloaded notebooks in Markdown, without raw reST.

sphinx-gallery turns an example's text into the notebook's Markdown cells
with a few regular expressions: headings, math, notes and warnings. The rest
stays reST, which Jupyter shows as it is: the "In the book" box
(``.. admonition::``) and the cross-references (``:func:``, ``:term:``,
``:doc:``, ...). Once the pages are written, this makes each gallery notebook
in ``_downloads/`` (and in the zip of all notebooks) again from its example,
with that text made Markdown first: an admonition becomes a quotation under
its bold title, an API name code (``numgrad.numerical_diff()``, as on the
page), a glossary term its text, and a reference to a page or section that
page's title in italics, in the language of the build. A downloaded notebook
has no site around it, so nothing links into the site.

The English notebooks are made here; ``translated_downloads`` makes those of
a translation from the translated text with :func:`example_notebook`.
"""

from __future__ import annotations

import posixpath
import re
import textwrap
import zipfile
from pathlib import Path

from sphinx.locale import admonitionlabels
from sphinx_gallery.notebook import jupyter_notebook, save_notebook
from sphinx_gallery.py_source_parser import (
    Block,
    remove_config_comments,
    remove_ignore_blocks,
    split_code_and_text_blocks,
)

# An admonition-like directive, its options and its indented body (sphinx-gallery
# converts math, code-block and image directives itself).
DIRECTIVE = re.compile(
    rf"^(?P<indent>[ \t]*)\.\. (?P<name>admonition|{'|'.join(admonitionlabels)})::"
    r"[ \t]*(?P<title>.*)\n"
    r"(?:(?P=indent)[ \t]+:[\w-]+:.*\n)*"
    r"(?P<body>(?:(?P=indent)[ \t]+\S.*\n|[ \t]*\n)*)",
    re.MULTILINE,
)
# A role, :name:`content` or :domain:name:`content`; the content may span lines.
# With the space that rST needs between it and a wide (CJK) character.
WIDE = "\u2e80-\ufaff\uff00-\uffef"
ROLE = re.compile(
    rf"(?P<before>(?<=[{WIDE}]) )?:(?:[\w-]+:)?(?P<name>[\w-]+):`(?P<content>[^`]+)`"
    rf"(?P<after> (?=[{WIDE}]))?"
)
EXPLICIT = re.compile(r"(?P<title>.+?)\s*<(?P<target>[^<>]+)>", re.DOTALL)
API_ROLES = {"func", "meth", "class", "attr", "mod", "data", "exc", "obj", "const", "type"}
CODE_ROLES = {"file", "samp", "kbd", "command", "program", "envvar", "option"}


def _title(app, docname: str, name: str, target: str) -> str | None:
    """The title of a page (``:doc:``) or section (``:ref:``) in this build, or None."""
    env = app.env
    if name == "doc":
        path = target.removesuffix(".rst").removesuffix(".md")
        if path.startswith("/"):
            path = path[1:]
        else:
            path = posixpath.normpath(posixpath.join(posixpath.dirname(docname), path))
        title = env.titles.get(path)
        return title.astext() if title is not None else None
    label = env.get_domain("std").labels.get(target.lower())
    return label[2] if label else None


def _role(match: re.Match, app, docname: str) -> str:
    """The role as Markdown; the spaces around it dropped where it became wide text."""
    text = _role_text(match, app, docname)
    before, after = match["before"] or "", match["after"] or ""
    if re.match(f"[{WIDE}]", text):
        before = ""
    if re.search(f"[{WIDE}]$", text):
        after = ""
    return before + text + after


def _role_text(match: re.Match, app, docname: str) -> str:
    name, content = match["name"], match["content"]
    if name == "math":  # sphinx-gallery makes it $...$
        return match[0].strip()
    explicit = EXPLICIT.fullmatch(content)
    title, target = (explicit["title"], explicit["target"]) if explicit else (None, content)
    if name in API_ROLES:
        if title is None:
            target = target.lstrip("!")
            title = target[1:].rsplit(".", 1)[-1] if target.startswith("~") else target
            if name in ("func", "meth") and app.config.add_function_parentheses:
                title += "()"
        return f"``{title}``"
    if name in ("doc", "ref"):
        title = title or _title(app, docname, name, target) or target
        return f"*{title}*"
    if name in CODE_ROLES:
        return f"``{content}``"
    return title or target  # :term:, :abbr:, ...


def _admonition(match: re.Match, app, docname: str) -> str:
    name, indent, argument = match["name"], match["indent"], match["title"].strip()
    body = textwrap.dedent(match["body"]).strip()
    if name == "admonition":
        title = argument
    else:  # the label, in the build's language; text after "::" starts the body
        title, body = str(admonitionlabels[name]), f"{argument}\n{body}".strip()
    body = markdown(body + "\n", app, docname).strip()
    lines = [f"**{title}**", "", *body.splitlines()]
    # A blank line of the quotation is "> " with its space: a line of ">" alone
    # under the title would be taken for a heading's underline by sphinx-gallery.
    return "\n".join(f"{indent}> {line}" for line in lines) + "\n\n"


def markdown(text: str, app, docname: str) -> str:
    """An example's text block, reST, made ready for sphinx-gallery's Markdown conversion."""
    # The directive's pattern ends its lines with "\n": the block's last line too.
    end = "" if text.endswith("\n") else "\n"
    text = DIRECTIVE.sub(lambda match: _admonition(match, app, docname), text + end)
    text = ROLE.sub(lambda match: _role(match, app, docname), text)
    return text.removesuffix(end) if end else text


def example_notebook(app, source: Path, blocks: list[Block], docname: str) -> str:
    """The notebook of an example as sphinx-gallery writes it, from its blocks, as text."""
    conf = app.config.sphinx_gallery_conf
    cells = []
    for block in blocks:
        if block.type == "text":
            content = markdown(block.content, app, docname)
        else:
            content = remove_ignore_blocks(block.content)
            if conf["remove_config_comments"]:
                content = remove_config_comments(content)
        cells.append(Block(block.type, content, block.lineno))
    notebook = jupyter_notebook(cells, conf, source.parent)
    path = source.with_suffix(".markdown.ipynb")
    try:
        save_notebook(notebook, path)
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)


def gallery_dir(app) -> str:
    gallery = app.config.sphinx_gallery_conf["gallery_dirs"]
    return gallery if isinstance(gallery, str) else gallery[0]


def rewrite_downloads(app, texts: dict[str, str]) -> None:
    """Write ``texts`` (file name to text) over the gallery's downloads, and into its zips."""
    outdir, gallery = Path(app.outdir) / "_downloads", gallery_dir(app)
    for name, (_, target) in app.env.dlfiles.items():
        path, destination = Path(name), outdir / target
        if path.parent.name != gallery or not destination.is_file():
            continue
        if path.name in texts:
            destination.write_text(texts[path.name], encoding="utf-8")
        elif path.suffix == ".zip":
            _rewrite_zip(destination, texts)


def _rewrite_zip(destination: Path, texts: dict[str, str]) -> None:
    with zipfile.ZipFile(destination) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            name = Path(info.filename).name
            archive.writestr(info, texts[name].encode() if name in texts else data)


def _rewrite_notebooks(app, exception) -> None:
    # A translation's notebooks are made by translated_downloads, from its text.
    if exception is not None or app.config.language != "en" or app.builder.format != "html":
        return
    gallery = gallery_dir(app)
    texts = {}
    for source in sorted((Path(app.srcdir) / gallery).glob("*.py")):
        _, blocks = split_code_and_text_blocks(str(source))
        docname = f"{gallery}/{source.stem}"
        texts[f"{source.stem}.ipynb"] = example_notebook(app, source, blocks, docname)
    rewrite_downloads(app, texts)


def setup(app):
    app.connect("build-finished", _rewrite_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

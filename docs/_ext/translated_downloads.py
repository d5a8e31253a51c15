"""The gallery's downloads in the language of the page that offers them.

sphinx-gallery writes one ``.py`` and one ``.ipynb`` per example, and a zip
of each kind, from the English source; a translated build would copy those
as they are. In a build with another ``language``, this rewrites the copies
in ``_downloads/`` once the pages are written: each paragraph and heading of
the example's text blocks (the docstring and the ``# %%`` comments) is
looked up in the page's catalog (``locale/<language>/LC_MESSAGES/<page>.po``),
the script is put together again from its blocks, and the notebook is made
from them as the English one is (``notebook_markdown``: sphinx-gallery's own
converter, with the reST made Markdown first). The code, its comments
and its output stay as they are: one example serves every language. A
paragraph without a translation stays English, as on the page.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po
from notebook_markdown import example_notebook, gallery_dir, rewrite_downloads
from sphinx_gallery.py_source_parser import Block, split_code_and_text_blocks

UNDERLINE = re.compile(r"^([=\-~^\"'`#*+])\1+$")
BULLET = re.compile(r"^([*-]|\d+\.) +")
DIRECTIVE = re.compile(r"^(?P<start>\.\. [\w-]+:: )(?P<title>.+)$")
# Where a long translated line may be broken: after Chinese punctuation,
# outside inline markup (``literal``, :role:`target`, **strong**, *emphasis*).
BREAK_AFTER = "，。；：、）"  # noqa: RUF001 (the Chinese punctuation, on purpose)
MARKUP = re.compile(r"``.+?``|:[\w:]+:`[^`]+`|\*\*.+?\*\*|\*[^*\s].*?\*")
WIDTH = 76


def _catalog(app, docname: str) -> dict[str, str]:
    """The translated messages of one page, msgid to msgstr."""
    for locale_dir in app.config.locale_dirs:
        po = Path(app.srcdir, locale_dir, app.config.language, "LC_MESSAGES", f"{docname}.po")
        if po.is_file():
            with po.open("rb") as file:
                catalog = read_po(file)
            return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    return {}


def _width(text: str) -> int:
    """Columns of ``text``, two for each wide (CJK) character, as docutils counts them."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _translate_chunk(chunk: list[str], messages: dict[str, str]) -> list[str]:
    """Translate one paragraph, heading, directive or list of a text block, given as lines."""
    indent = min(len(line) - len(line.lstrip()) for line in chunk)
    if indent:
        lines = _translate_chunk([line[indent:] for line in chunk], messages)
        return [" " * indent + line for line in lines]
    if len(chunk) >= 2 and UNDERLINE.match(chunk[1]):
        title = messages.get(chunk[0].strip(), chunk[0])
        heading = [title, chunk[1][0] * max(len(chunk[1]), _width(title))]
        return heading + (_translate_chunk(chunk[2:], messages) if chunk[2:] else [])
    if directive := DIRECTIVE.match(chunk[0]):
        title = directive["title"]
        return [directive["start"] + messages.get(title, title), *chunk[1:]]
    if BULLET.match(chunk[0]):
        items: list[list[str]] = []
        for line in chunk:
            if BULLET.match(line):
                items.append([line])
            else:
                items[-1].append(line)
        translated = []
        for item in items:
            marker = BULLET.match(item[0]).group(0)
            text = " ".join([item[0][len(marker) :], *(line.strip() for line in item[1:])])
            lines = messages.get(text, text).splitlines()
            translated += [marker + lines[0], *(" " * len(marker) + line for line in lines[1:])]
        return translated
    # Sphinx's messages are the paragraphs' source, lines joined by spaces.
    text = " ".join(line.strip() for line in chunk)
    return messages[text].splitlines() if text in messages else chunk


def _translate_text(text: str, messages: dict[str, str]) -> str:
    chunks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            chunks[-1].append(line)
        elif chunks[-1]:
            chunks.append([])
    paragraphs = [_translate_chunk(chunk, messages) for chunk in chunks if chunk]
    return "\n\n".join("\n".join(lines) for lines in paragraphs) + "\n"


def _wrap(line: str) -> list[str]:
    """Break a long line of Chinese text after its punctuation, for the script's comments."""
    lines = []
    while _width(line) > WIDTH:
        columns = [_width(line[: i + 1]) for i in range(len(line))]
        inside = {i for token in MARKUP.finditer(line) for i in range(*token.span())}
        breaks = [
            i
            for i, char in enumerate(line[:-1])
            if char in BREAK_AFTER and i not in inside and line[i + 1] not in BREAK_AFTER
        ]
        if not breaks:
            break
        # The last break that fits, or else the first one.
        cut = max((i for i in breaks if columns[i] <= WIDTH), default=breaks[0])
        indent = line[: len(line) - len(line.lstrip())]
        if bullet := BULLET.match(line.lstrip()):  # continued inside the list item
            indent += " " * len(bullet.group(0))
        lines.append(line[: cut + 1])
        line = indent + line[cut + 1 :]
    return [*lines, line]


def _notebook_text(text: str) -> str:
    """A translated text block with what Markdown reads differently from rST taken out."""
    # In Markdown a line break inside Chinese text shows as a space, and the
    # escaped spaces that rST needs between markup and Chinese show as "\ ".
    return re.sub(r"(?<=[^\x00-\x7f])\n(?=[^\x00-\x7f])", "", text).replace("\\ ", "")


def _script(blocks: list[Block]) -> str:
    """The example as a sphinx-gallery script again: docstring, code, ``# %%`` comments."""
    first, *rest = blocks
    docstring = "\n".join(
        part for line in first.content.strip().splitlines() for part in _wrap(line)
    )
    parts = [f'r"""\n{docstring}\n"""\n']
    for block in rest:
        if block.type == "code":
            code = block.content.strip("\n")
            # Two blank lines before a definition, as in the source.
            parts.append(("\n" if code.startswith(("def ", "class ", "@")) else "") + code + "\n")
        else:
            lines = [
                part for line in block.content.strip("\n").splitlines() for part in _wrap(line)
            ]
            parts.append("# %%\n" + "\n".join(f"# {line}".rstrip() for line in lines) + "\n")
    return "\n".join(parts)


def _translated_example(app, source: Path, docname: str) -> tuple[str, str]:
    """The translated script and notebook of one example, as text."""
    messages = _catalog(app, docname)
    _, blocks = split_code_and_text_blocks(str(source))
    translated = [
        Block(b.type, _translate_text(b.content, messages), b.lineno) if b.type == "text" else b
        for b in blocks
    ]
    notebook_blocks = [
        Block(b.type, _notebook_text(b.content), b.lineno) if b.type == "text" else b
        for b in translated
    ]
    notebook = example_notebook(app, source, notebook_blocks, docname)
    return _script(translated), notebook


def _rewrite_downloads(app, exception) -> None:
    if exception is not None or app.config.language == "en" or app.builder.format != "html":
        return
    gallery = gallery_dir(app)
    texts: dict[str, str] = {}
    for source in sorted((Path(app.srcdir) / gallery).glob("*.py")):
        script, notebook = _translated_example(app, source, f"{gallery}/{source.stem}")
        texts[source.name], texts[f"{source.stem}.ipynb"] = script, notebook
    rewrite_downloads(app, texts)


def setup(app):
    app.connect("build-finished", _rewrite_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

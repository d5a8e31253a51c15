"""Alt texts of the gallery's figures that a screen reader can read, in the page's language.

sphinx-gallery takes a figure's alt text from its matplotlib titles, TeX and
all (``Gradient descent on $x_0^2 + x_1^2$``), or, for a figure without a
title, from its file name (``plot train digits``), and writes it into the
page as it is. Here, in the English pages, the TeX becomes the text it
stands for (``Gradient descent on x₀² + x₁²``), and a figure without a title,
or with one too long to be a description (a grid of labelled digits), is
described by the example's title. In a translated page, where the figures'
titles stay English, every figure is described by the example's translated
title (numbered when the page has several figures).

The tutorials' figures (myst-nb outputs) get theirs from their code cells
(``mystnb: image: alt:``), which the page's catalog translates.
"""

from __future__ import annotations

import html
import re
import unicodedata

from docutils import nodes
from sphinx_gallery.directives import imgsgnode

LONGEST = 120  # characters: beyond this a list of subplot titles is no description
SUPERSCRIPTS = str.maketrans("0123456789+-=()nix", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱˣ")
SUBSCRIPTS = str.maketrans("0123456789+-=()ijknx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ᵢⱼₖₙₓ")
NAMED = {
    "nabla": "∇",
    "partial": "∂",
    "times": "\N{MULTIPLICATION SIGN}",
    "cdot": "·",
    "approx": "≈",
    "leq": "≤",
    "geq": "≥",
    "infty": "∞",
    "to": "→",
}
# A page's figures, when they are described by its title.
NUMBERED = {
    "en": "{}, figure {} of {}",
    "zh_CN": "{}\N{FULLWIDTH LEFT PARENTHESIS}图 {}/{}\N{FULLWIDTH RIGHT PARENTHESIS}",
}
FUNCTIONS = {"sin", "cos", "tan", "exp", "log", "ln", "max", "min"}
MATH = re.compile(r"\$([^$]*)\$")
COMMAND = re.compile(r"\\([A-Za-z]+)\s*")
SCRIPT = re.compile(r"([_^])(\{[^{}]*\}|.)")


def _command(match: re.Match) -> str:
    name = match[1]
    if name in NAMED:
        return NAMED[name]
    if name in FUNCTIONS:
        return name + " "
    if name in ("left", "right", "mathrm", "mathbf", "operatorname"):
        return ""
    try:
        case = "CAPITAL" if name[0].isupper() else "SMALL"
        return unicodedata.lookup(f"GREEK {case} LETTER {name.upper()}")
    except KeyError:
        return name


def _script(match: re.Match) -> str:
    text = match[2].strip("{}")
    table = SUPERSCRIPTS if match[1] == "^" else SUBSCRIPTS
    converted = text.translate(table)
    # A script that has no Unicode form is written out: e^(x+y).
    if any(ord(c) < 128 and c.isalnum() for c in converted):
        return f"{match[1]}({text})" if len(text) > 1 else f"{match[1]}{text}"
    return converted


def tex_to_text(formula: str) -> str:
    """Inline TeX as plain Unicode text: ``x_0^2`` becomes ``x₀²``, ``\\nabla f`` ``∇f``."""
    text = COMMAND.sub(_command, formula)
    text = SCRIPT.sub(_script, text)
    text = text.replace("{", "").replace("}", "").replace("\\,", " ")
    return re.sub(r"(?<![\w)])-", "\N{MINUS SIGN}", text).strip()


def readable(alt: str) -> str:
    """An alt text with its ``$...$`` formulas written as text."""
    return MATH.sub(lambda match: tex_to_text(match[1]), alt)


def _describe(app, doctree) -> None:
    figures = list(doctree.findall(imgsgnode))
    if not figures:
        return
    title = next(iter(doctree.findall(nodes.title)), None)
    title = title.astext() if title is not None else ""
    english = app.config.language == "en"
    for number, figure in enumerate(figures, start=1):
        alt = html.unescape(figure.get("alt", ""))
        filename = figure["uri"].rsplit("/", 1)[-1]
        untitled = not alt or alt.replace(" ", "_") in filename
        if english and not untitled and len(alt) <= LONGEST:
            alt = readable(alt)
        else:
            several = NUMBERED.get(app.config.language, NUMBERED["en"])
            alt = several.format(title, number, len(figures)) if len(figures) > 1 else title
        # sphinx-gallery's HTML writer puts the alt text between quotes unescaped.
        figure["alt"] = html.escape(alt, quote=True)


def setup(app):
    app.connect("doctree-read", _describe)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

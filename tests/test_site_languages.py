"""The built site in both languages: twins, switcher links, chrome, book sections, downloads.

Reads docs/_build/html (English) and docs/_build/html/zh_CN (Chinese) as
files; tests/test_browser.py checks the same pages in a browser. A missing
build fails, never skips: build it with ``nox -s docs``.
"""

from __future__ import annotations

import ast
import filecmp
import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import numgrad

HTML = Path(__file__).resolve().parents[1] / "docs" / "_build" / "html"
ZH = HTML / "zh_CN"
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
SECTION = re.compile(r"\b4\.[1-5](\.\d)?\b")
# The share of Chinese characters among the letters of a page's prose.
MOSTLY = 0.5
# Examples whose catalogs (docs/locale/zh_CN/LC_MESSAGES/auto_examples/*.po)
# are still to be translated: only their book-section boxes and sphinx-gallery's
# own lines are Chinese so far. A page leaves this list once it reads in
# Chinese; the test below fails until it does.
AWAITING_TRANSLATION: set[str] = set()


def _require_build() -> None:
    for index in (HTML / "index.html", ZH / "index.html"):
        if not index.is_file():
            pytest.fail(f"{index} is missing: build the site first with `nox -s docs`")


def _english_pages() -> list[str]:
    _require_build()
    pages = (path.relative_to(HTML).as_posix() for path in HTML.rglob("*.html"))
    return sorted(p for p in pages if not p.startswith(("_", "zh_CN/")))


def _lessons() -> list[str]:
    pages = _english_pages()
    tutorials = [p for p in pages if p.startswith("tutorials/") and p != "tutorials/index.html"]
    examples = [p for p in pages if re.fullmatch(r"auto_examples/plot_\w+\.html", p)]
    return tutorials + examples


class _Page(HTMLParser):
    """The language links and the prose of a page: its <article>, without code, math or tables.

    Tables are left out because those of this site hold numbers and method
    names (``numgrad central h=1e-4``), which read the same in every language;
    so are the API pages' signatures (``numerical_gradient(f, x, h=1e-4, ...)``).
    The prose is also kept block by block (paragraphs, list items, headings,
    the terms and definitions of the API pages' parameter lists), with the
    names that the page writes as code or in bold as a parameter's, and which
    blocks are the glossary's terms (its English entries, on purpose).
    """

    SKIPPED = frozenset({"pre", "code", "script", "style", "mjx-container", "table"})
    BLOCKS = frozenset(
        {"article", "section", "div", "p", "li", "dt", "dd", "caption", "figcaption", "blockquote"}
        | {f"h{level}" for level in range(1, 7)}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: dict[str, str] = {}
        self.prose: list[str] = []
        self.blocks: list[str] = []
        self.code_words: set[str] = set()
        self.terms: set[int] = set()
        self.book_sections: list[str] = []
        self._stack: list[tuple[str, bool, bool, int | None]] = []
        self._link: str | None = None

    def _skipping(self) -> bool:
        return any(skip for _, skip, _, _ in self._stack)

    def _in_article(self) -> bool:
        return any(tag == "article" for tag, _, _, _ in self._stack)

    def _in_box(self) -> bool:
        return any(box for _, _, box, _ in self._stack)

    def _block(self) -> int | None:
        return next((block for *_, block in reversed(self._stack) if block is not None), None)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "a" and "language-link" in classes:
            self._link = attributes.get("hreflang")
            self.links[self._link] = attributes["href"]
        if tag in ("br", "img", "hr", "input", "meta", "link"):
            return
        skip = tag in self.SKIPPED or bool({"math", "highlight", "sig"} & set(classes))
        block = None
        if tag in self.BLOCKS and (tag == "article" or self._in_article()):
            block = len(self.blocks)
            self.blocks.append("")
            if tag == "dt" and (attributes.get("id") or "").startswith("term-"):
                self.terms.add(block)
        self._stack.append((tag, skip, "book-section" in classes, block))

    def handle_endtag(self, tag):
        # An end tag with no start (HTML allows some) closes nothing.
        while any(open_tag == tag for open_tag, *_ in self._stack):
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._in_box():
            self.book_sections.append(data)
        tags = [tag for tag, *_ in self._stack]
        if self._in_article() and (
            "code" in tags or "pre" in tags or tags[-2:] == ["dt", "strong"]
        ):
            self.code_words.update(re.findall(r"\w+", data))
        if self._in_article() and not self._skipping():
            # Inline math still in its TeX source: \( ... \) is not prose.
            text = re.sub(r"\\\(.*?\\\)|\\\[.*?\\\]", " ", data, flags=re.DOTALL)
            self.prose.append(text)
            if (block := self._block()) is not None:
                self.blocks[block] += f" {text}"


def _read(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _chinese_share(text: str) -> float:
    chinese, latin = len(CJK.findall(text)), len(LATIN.findall(text))
    return chinese / max(1, chinese + latin)


def _target(page: str, href: str) -> str:
    return posixpath.normpath(
        posixpath.join(posixpath.dirname(page), href.split("#", maxsplit=1)[0])
    )


def test_every_english_page_has_a_chinese_twin_that_links_back():
    pages = _english_pages()
    assert len(pages) > 30, pages
    problems = []
    for page in pages:
        twin = f"zh_CN/{page}"
        if not (HTML / twin).is_file():
            problems.append(f"{page}: no {twin}")
            continue
        there, back = _read(HTML / page).links.get("zh-CN"), _read(HTML / twin).links.get("en")
        if there is None or _target(page, there) != twin:
            problems.append(f"{page}: its 中文 link {there!r} does not lead to {twin}")
        if back is None or _target(twin, back) != page:
            problems.append(f"{twin}: its English link {back!r} does not lead to {page}")
    assert not problems, "\n".join(problems)


def test_every_chinese_page_reads_in_chinese():
    # The index and search pages have no prose of their own; every other page,
    # the API pages included (their docstrings are translated in
    # docs/locale/zh_CN/LC_MESSAGES/gen_modules), is mostly Chinese, and its
    # English twin mostly not.
    problems = []
    for page in _english_pages():
        if page in ("genindex.html", "search.html"):
            continue
        chinese = _chinese_share(" ".join(_read(ZH / page).prose))
        english = _chinese_share(" ".join(_read(HTML / page).prose))
        if page in AWAITING_TRANSLATION:
            if chinese >= MOSTLY:
                problems.append(f"{page} reads in Chinese now: remove it from AWAITING_TRANSLATION")
        elif chinese < MOSTLY or english > 0.1:
            problems.append(f"{page}: {chinese:.0%} Chinese in zh_CN, {english:.0%} in English")
    assert not problems, "\n".join(problems)


# What an English paragraph of a Chinese page may say in Latin letters: the
# API's names and the words the page writes as code (the parameter lists
# name f, x, h and their types), identifiers (h=1e-4, float64, max_abs_error,
# numpy.ndarray), and the proper names and terms the Chinese text keeps as
# they are, as the book's Chinese edition does (one-hot, softmax, ReLU).
NAMES = {
    *numgrad.__all__, "numgrad", "NumPy", "numpy", "SciPy", "scipy", "Python", "Dask", "MNIST",
    "scikit", "learn", "Matplotlib", "Jupyter", "Sphinx", "Gallery", "PyData", "Theme", "API",
    "PyPI", "pip", "GitHub", "Richardson", "Newton", "Hessian", "Jacobian", "Taylor", "BLAS",
    "OpenBLAS", "one", "hot", "softmax", "sigmoid", "ReLU", "Affine", "SGD", "NaN", "inf",
    "float", "int", "bool", "str", "tuple", "dict", "list", "None", "True", "False", "callable",
    "array_like", "ulp", "ulps", "repr", "pickle", "lambda", "map", "MiB", "MB", "CPU", "GPU",
    "ValueError", "TypeError", "RuntimeWarning", "Generator", "Ctrl", "K", "English", "ipynb", "numdifftools",
    "zip", "py",
}  # fmt: skip
CODE_LIKE = re.compile(
    r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+"  # numpy.ndarray, numgrad.numerical_diff
    r"|[A-Za-z0-9_]*[_0-9][A-Za-z0-9_]*"  # float64, max_abs_error, 1e
    r"|\S+=\S*"  # h=1e-4, lr=10
    r'|"[^"]*"'  # the values of a parameter: "central", "auto"
    r"|(?<![A-Za-z])[A-Za-z](?![A-Za-z])"  # the variables: f, x, h, i
)
# An English paragraph: this many Latin letters at least, and this share of its letters.
ENGLISH_LETTERS, ENGLISH_SHARE = 12, 0.5


def _english_blocks(page: _Page) -> list[str]:
    """The blocks of a page's prose that read in English, once its names and code are set aside."""
    names = "|".join(sorted(map(re.escape, NAMES | page.code_words), key=len)[::-1])
    allowed = re.compile(rf"\b(?:{names})\b")
    english = []
    for block in (block for i, block in enumerate(page.blocks) if i not in page.terms):
        text = allowed.sub(" ", CODE_LIKE.sub(" ", block))
        latin, chinese = len(LATIN.findall(text)), len(CJK.findall(text))
        if latin >= ENGLISH_LETTERS and latin > ENGLISH_SHARE * (latin + chinese):
            english.append(" ".join(block.split()))
    return english


def test_no_chinese_page_has_an_english_paragraph():
    # Page by page, the test above could miss an English paragraph among
    # Chinese ones (a new paragraph, not yet translated, or a docstring
    # section the catalogs lack); here every block of prose of every Chinese
    # page counts, the API pages' too, down to a parameter's description.
    problems = []
    for page in _english_pages():
        problems += [f"{page}: {block[:100]!r}" for block in _english_blocks(_read(ZH / page))]
    assert not problems, f"{len(problems)} English paragraphs:\n" + "\n".join(problems[:40])


def test_the_chinese_gallery_thumbnails_tooltips_are_chinese():
    # sphinx-gallery's thumbnails show the example's first paragraph on hover
    # (their tooltip attribute), in the gallery and in each API page's
    # examples; the Chinese pages show its translation, without reST markup.
    tooltips = 0
    for page in _english_pages():
        html = (ZH / page).read_text(encoding="utf-8")
        for tooltip in re.findall(r'class="sphx-glr-thumbcontainer"[^>]*?tooltip="([^"]*)"', html):
            tooltips += 1
            assert len(CJK.findall(tooltip)) >= 20, f"{page}: {tooltip!r}"
            assert not re.search(r"``|:\w+:`|\\ ", tooltip), f"{page}: {tooltip!r}"
    assert tooltips >= 13, tooltips


class _Chrome(HTMLParser):
    """What a page says around its article: navigation, sidebars, footer, and the
    text of its title, aria-label and placeholder attributes (tooltips, the
    search field, what a screen reader reads)."""

    SKIPPED = ("article", "script", "style", "code", "pre", "svg")
    ATTRIBUTES = ("title", "aria-label", "placeholder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fragments: list[str] = []
        self.code_words: set[str] = set()  # names the page itself writes as code
        self._stack: list[str] = []

    def _skipping(self) -> bool:
        return any(tag in self.SKIPPED for tag in self._stack)

    def handle_starttag(self, tag, attrs):
        if not self._skipping():
            self.fragments += [value for name, value in attrs if name in self.ATTRIBUTES and value]
        if tag not in ("br", "img", "hr", "input", "meta", "link"):
            self._stack.append(tag)

    def handle_endtag(self, tag):
        while tag in self._stack:  # an end tag with no start closes nothing
            if self._stack.pop() == tag:
                break

    def handle_data(self, data):
        if "code" in self._stack or "pre" in self._stack:
            self.code_words.update(re.findall(r"\w+", data))
        if not self._skipping():
            self.fragments.append(data)


def test_the_chinese_pages_chrome_is_chinese():
    # The theme's and the site's own words around each article (sidebar
    # buttons, the colour-mode menu, the search field, the footer) are
    # Chinese in the Chinese edition. Names stay as they are: the API's, the
    # tools', the authors', and what the page writes as code (the headings
    # in its table of contents quote init_x, lambda, ...).
    names = {*numgrad.__all__, "numgrad", "API", "English", "Ctrl", "K", "JavaScript"}
    names |= {"PyData Sphinx Theme", "Sphinx-Gallery", "Sphinx", "the numgrad developers"}
    problems = set()
    for page in _english_pages():
        chrome = _Chrome()
        chrome.feed((ZH / page).read_text(encoding="utf-8"))
        alternatives = "|".join(sorted(map(re.escape, names | chrome.code_words), key=len)[::-1])
        pattern = re.compile(rf"\b(?:{alternatives})\b")
        for fragment in chrome.fragments:
            text = re.sub(r"\\\(.*?\\\)", " ", pattern.sub(" ", fragment))  # names, inline TeX
            if re.search(r"[A-Za-z]{3,}", text):
                problems.add(f"{page}: {fragment.strip()!r}")
    assert not problems, "\n".join(sorted(problems)[:20])


def test_the_chinese_api_pages_have_chinese_titles_and_headings():
    page = _read(ZH / "api.html")
    assert _chinese_share(" ".join(page.prose)) > 0.2
    html = (ZH / "gen_modules" / "numgrad.numerical_gradient.html").read_text(encoding="utf-8")
    for heading in ("参数", "返回值", "使用 <code"):
        assert heading in html, heading


@pytest.mark.parametrize("root", [HTML, ZH], ids=["en", "zh_CN"])
def test_every_lesson_names_its_book_section(root):
    lessons = _lessons()
    assert len(lessons) >= 14, lessons
    missing = []
    for page in lessons:
        box = " ".join(_read(root / page).book_sections)
        if not SECTION.search(box):
            missing.append(f"{page}: {box[:80]!r}")
    assert not missing, "pages that name no section of chapter 4:\n" + "\n".join(missing)


def _download(root: Path, name: str) -> Path:
    found = sorted(root.glob(f"_downloads/*/{name}"))
    assert len(found) == 1, f"{name} in {root}: {found}"
    return found[0]


def _code(source: str) -> str:
    """A script's code without its docstring and comments, for comparison."""
    tree = ast.parse(source)
    if (
        tree.body
        and isinstance(tree.body[0], ast.Expr)
        and isinstance(tree.body[0].value, ast.Constant)
    ):
        tree.body = tree.body[1:]
    return ast.dump(tree)


def test_chinese_downloads_carry_chinese_text_and_the_same_code():
    examples = [Path(page).stem for page in _lessons() if page.startswith("auto_examples/")]
    for stem in examples:
        english = _download(HTML, f"{stem}.py").read_text(encoding="utf-8")
        chinese = _download(ZH, f"{stem}.py").read_text(encoding="utf-8")
        assert not CJK.search(english.split('"""')[1]), f"{stem}.py: English docstring"
        assert _code(chinese) == _code(english), f"{stem}.py: the code differs"
        translated = f"auto_examples/{stem}.html" not in AWAITING_TRANSLATION
        if translated:
            assert _chinese_share(chinese.split('"""')[1]) > MOSTLY, f"{stem}.py: docstring"
        notebooks = [
            json.loads(_download(root, f"{stem}.ipynb").read_text(encoding="utf-8"))
            for root in (HTML, ZH)
        ]
        code, text = [], []
        for notebook in notebooks:
            cells = notebook["cells"]
            code.append(["".join(c["source"]) for c in cells if c["cell_type"] == "code"])
            text.append(" ".join("".join(c["source"]) for c in cells if c["cell_type"] != "code"))
        assert code[0] == code[1], f"{stem}.ipynb: the code differs"
        if translated:
            share = _chinese_share(text[1])
            assert share > MOSTLY, f"{stem}.ipynb: {share:.0%} Chinese"
        assert "\\ " not in text[1], f"{stem}.ipynb: rST escapes in the Markdown"


class _Figures(HTMLParser):
    """The alt text of every figure of a page's article: the gallery's and the notebooks'."""

    FIGURES = ("sphx-glr-single-img", "sphx-glr-multi-img")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.alts: list[tuple[str, str | None]] = []
        self._outputs = 0  # open <div>s inside a notebook cell's output

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "div" and (self._outputs or "cell_output" in classes):
            self._outputs += 1
        if tag == "img" and (self._outputs or any(c in classes for c in self.FIGURES)):
            self.alts.append(
                (attributes.get("src") or attributes.get("srcset"), attributes.get("alt"))
            )

    def handle_endtag(self, tag):
        if tag == "div" and self._outputs:
            self._outputs -= 1


# What a figure's alt text must not be: a file's path, or a formula's TeX source.
NOT_A_DESCRIPTION = re.compile(r"\.(png|jpe?g|svg|gif)$|_images/|\$|\\[A-Za-z]+")


@pytest.mark.parametrize("root", [HTML, ZH], ids=["en", "zh_CN"])
def test_every_figure_has_a_readable_alt_text_in_the_pages_language(root):
    problems, figures = [], 0
    for page in _english_pages():
        parser = _Figures()
        parser.feed((root / page).read_text(encoding="utf-8"))
        for src, alt in parser.alts:
            figures += 1
            if not alt or NOT_A_DESCRIPTION.search(alt) or len(alt) > 300:
                problems.append(f"{page}: {src} has alt={alt!r}")
            elif root == ZH and not CJK.search(alt):
                problems.append(f"{page}: {src} has an alt text in English: {alt!r}")
    assert figures >= 16, f"only {figures} figures"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("root", [HTML, ZH], ids=["en", "zh_CN"])
def test_the_landing_page_says_how_to_install_numgrad(root):
    html = (root / "index.html").read_text(encoding="utf-8")
    section = re.search(r'<section id="install(?:ation)?">(.*?)</section>', html, re.DOTALL)
    assert section, "the landing page has no install section"
    page = _Page()
    page.feed(f"<article>{section[1]}</article>")
    code = re.sub(r"<[^>]+>", "", section[1]).replace("&quot;", '"')
    assert "pip install ." in code, code
    assert 'pip install ".[examples]"' in code, code
    prose = " ".join(page.prose)
    assert "PyPI" in prose, prose
    if root == ZH:
        assert _chinese_share(prose) > MOSTLY, prose
        assert "另一个" in prose or "不同的" in prose, prose


# The private notebook numgrad was first written from: its readers never see
# it, so no page cites it (the book, its code and this site are what they have).
# from_the_book.html is the exception: it introduces those study notes, and
# lists the traps and slips in them that numgrad answers.
NOTES_PAGE = "from_the_book.html"
SOURCE_NOTEBOOK = re.compile(
    r"\b(the|source|its|this) notebook\b|notebook (this|numgrad)", re.IGNORECASE
)


@pytest.mark.parametrize("root", [HTML, ZH], ids=["en", "zh_CN"])
def test_no_page_cites_the_source_notebook(root):
    cited = []
    for page in _english_pages():
        if page == NOTES_PAGE:
            continue
        prose = " ".join(_read(root / page).prose)
        for match in SOURCE_NOTEBOOK.finditer(prose):
            cited.append(f"{page}: ...{prose[max(0, match.start() - 60) : match.end() + 40]}...")
        if root == ZH and re.search(r"原笔记|源笔记|[那这]份笔记", prose):
            cited.append(f"{page}: cites the notebook in Chinese")
    assert not cited, "\n".join(cited)


def test_the_computation_times_table_has_no_column_of_zeros():
    # sphinx-gallery's "Mem (MB)" column reads 0.0 in every row unless it measures
    # memory (show_memory), which this site does not: docs/_ext/computation_times.py
    # drops it then.
    _require_build()
    for root in (HTML, ZH):
        html = (root / "sg_execution_times.html").read_text(encoding="utf-8")
        body = re.search(r"<table[^>]*sg-datatable.*?<tbody>(.*?)</tbody>", html, re.DOTALL)
        assert body, f"{root}: no computation-times table"
        rows = [
            [
                re.sub(r"<[^>]+>", "", cell).strip()
                for cell in re.findall(r"<td.*?</td>", row, re.DOTALL)
            ]
            for row in re.findall(r"<tr.*?</tr>", body[1], re.DOTALL)
        ]
        assert len(rows) >= len(list((HTML / "auto_examples").glob("plot_*.html"))), rows
        for column in zip(*rows, strict=True):
            assert not all(re.fullmatch(r"0(\.0*)?", value) for value in column), (
                f"{root / 'sg_execution_times.html'}: a column of zeros: {column}"
            )


def test_the_chinese_pages_load_the_english_static_files():
    # A reader who switches language fetches no stylesheet, script, font or MathJax
    # again: docs/_ext/shared_static.py points the Chinese pages at the English
    # edition's _static for every file that is the same there.
    _require_build()
    missing, duplicated, shared = [], [], 0
    for page in sorted(ZH.rglob("*.html")):
        path = page.relative_to(HTML).as_posix()
        if path.split("/")[1].startswith("_"):
            continue
        html = page.read_text(encoding="utf-8")
        for url in re.findall(r'(?:href|src)="([^"?#]*_static/[^"?#]+)', html):
            target = _target(path, url)
            if not (HTML / target).is_file():
                missing.append(f"{path}: {url}")
            elif not target.startswith("zh_CN/"):
                shared += 1
            elif (HTML / target.removeprefix("zh_CN/")).is_file() and filecmp.cmp(
                HTML / target, HTML / target.removeprefix("zh_CN/"), shallow=False
            ):
                duplicated.append(f"{path}: {url}")
    assert not missing, "links to missing files:\n" + "\n".join(missing)
    assert shared > 0, "no Chinese page links the English _static"
    assert not duplicated, f"{len(duplicated)} links to copies of English files:\n" + "\n".join(
        duplicated[:20]
    )

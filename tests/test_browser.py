"""The built site in a real browser: it works offline, images decode, search answers.

Serves docs/_build/html on 127.0.0.1 and drives headless Chromium with
Playwright: NUMGRAD_CHROMIUM, else a Chromium on PATH, else Playwright's own
(``nox -s tests`` finds or installs one). No test here skips: without a build
or a browser they fail. Every request that leaves the site is blocked and
fails the test that made it, as does every console error. Build the site
first with ``nox -s docs`` (``nox -s tests`` does).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright import sync_api as playwright_sync

DOCS = Path(__file__).resolve().parents[1] / "docs"
HTML = DOCS / "_build" / "html"
SCREENSHOTS = DOCS / "_build" / "screenshots"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 20_000
VIEWPORT = {"width": 1280, "height": 900}
NARROW = {"width": 390, "height": 844}  # a phone
# A formula's TeX source: \( \) \[ \] delimiters or a command such as \frac, \eta.
RAW_TEX = re.compile(r"\\[()\[\]]|\\[A-Za-z]{2,}")

# Waits until every <img> has loaded (lazy ones too) and reports the broken ones.
BROKEN_IMAGES_JS = """
async () => {
  const images = Array.from(document.images);
  await Promise.all(images.map((img) => {
    img.loading = "eager";
    return img.decode().catch(() => null);
  }));
  return images
    .filter((img) => !(img.complete && img.naturalWidth > 0))
    .map((img) => img.currentSrc || img.src);
}
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def site():
    """Base URL of docs/_build/html served on an ephemeral port."""
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _require_build() -> None:
    # A missing build is a failure, never a skip: the site is what is under test.
    if not (HTML / "index.html").is_file():
        pytest.fail(f"{HTML / 'index.html'} is missing: build the site first with `nox -s docs`")


def _chromium_executable() -> str | None:
    """Chromium from NUMGRAD_CHROMIUM or the PATH; None means Playwright's own build."""
    if os.environ.get("NUMGRAD_CHROMIUM"):
        return os.environ["NUMGRAD_CHROMIUM"]
    for name in CHROMIUM_NAMES:
        if path := shutil.which(name):
            return path
    return None


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium_executable(), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


class _Problems:
    """Requests that leave the site, console errors, page errors and failed requests."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.items: list[str] = []

    def watch(self, context, page) -> None:
        # Every request that leaves the site is blocked, so a test never waits
        # on the network, and recorded, so the test fails.
        context.route(re.compile(r"^(?!data:|blob:)"), self._route)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.items.append(f"{page.url}: page error: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _route(self, route) -> None:
        if route.request.url.startswith(self.base):
            route.continue_()
        else:
            self.items.append(f"request to another host: {route.request.url}")
            route.abort()

    def _console(self, message) -> None:
        if message.type == "error":
            self.items.append(f"console error: {message.text} ({message.location})")

    def _request_failed(self, request) -> None:
        if request.url.startswith(self.base):
            self.items.append(f"request failed: {request.url}: {request.failure}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.items.append(f"HTTP {response.status}: {response.url}")


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    problems = _Problems(site)
    problems.watch(context, page)
    page.problems = problems
    try:
        yield page
    finally:
        context.close()


def _gallery_pages() -> list[Path]:
    _require_build()
    return sorted((HTML / "auto_examples").glob("plot_*.html"))


def _all_pages() -> list[str]:
    """Every HTML page of the build, both languages, as paths relative to its root."""
    _require_build()
    pages = [path.relative_to(HTML) for path in HTML.rglob("*.html")]
    # Not _static/ and the like, in either language (zh_CN/_static/...).
    return sorted(
        path.as_posix() for path in pages if not any(p.startswith("_") for p in path.parts)
    )


def _visit(page, site: str, path: str) -> None:
    _require_build()
    response = page.goto(urljoin(site, path), wait_until="load")
    assert response is not None
    assert response.status == 200, f"{path}: HTTP {response.status}"


def test_gallery_pages_show_all_their_images(page, site):
    pages = _gallery_pages()
    assert pages, "no auto_examples/plot_*.html in the build"
    broken = {}
    for html in pages:
        path = html.relative_to(HTML).as_posix()
        _visit(page, site, path)
        if bad := page.evaluate(BROKEN_IMAGES_JS):
            broken[path] = bad
        figures = page.locator("img.sphx-glr-single-img, img.sphx-glr-multi-img").count()
        assert figures > 0, f"{path} shows no figure"
    assert not broken, f"images that did not load: {broken}"
    assert not page.problems.items, "\n".join(page.problems.items)


def test_gallery_index_and_landing_page_show_the_thumbnails(page, site):
    for path in ("index.html", "auto_examples/index.html"):
        _visit(page, site, path)
        assert not page.evaluate(BROKEN_IMAGES_JS), f"{path} has broken images"
        thumbnails = page.locator(".sphx-glr-thumbcontainer img").count()
        assert thumbnails == len(_gallery_pages()), f"{path}: {thumbnails} thumbnails"
    assert not page.problems.items, "\n".join(page.problems.items)


def test_every_page_stays_on_the_site(page, site):
    pages = _all_pages()
    assert "sg_execution_times.html" in pages
    assert "auto_examples/sg_execution_times.html" not in pages, "the orphan duplicate is back"
    for path in pages:
        _visit(page, site, path)
        page.wait_for_load_state("networkidle")
    assert not page.problems.items, "\n".join(page.problems.items)


def test_every_page_has_the_favicon(page, site):
    for path in (
        "index.html",
        "auto_examples/plot_tangent_line.html",
        "gen_modules/numgrad.softmax.html",
    ):
        _visit(page, site, path)
        hrefs = page.eval_on_selector_all('link[rel~="icon"]', "links => links.map(l => l.href)")
        assert hrefs, f"{path} links no favicon"
        for href in hrefs:
            response = page.request.get(href)
            assert response.status == 200, f"{path}: {href} -> HTTP {response.status}"
            assert response.body().startswith(b"\x00\x00\x01\x00"), f"{href} is not an icon"
    # Where browsers and tools ask for it when a page names none.
    assert page.request.get(urljoin(site, "favicon.ico")).status == 200
    assert not page.problems.items, "\n".join(page.problems.items)


def _search(page, site: str, query: str) -> tuple[list[str], list[str]]:
    """The titles and snippets of the results, once every snippet has arrived."""
    _visit(page, site, f"search.html?q={query}")
    page.wait_for_function("document.querySelectorAll('#search-results ul.search li').length > 0")
    page.wait_for_load_state("networkidle")  # each snippet is a fetch of its page
    results = page.locator("#search-results ul.search li")
    titles = results.locator("a").all_inner_texts()
    return titles, results.locator("p.context").all_inner_texts()


def test_search_finds_gradient(page, site):
    titles, _ = _search(page, site, "gradient")
    assert any("gradient" in title.lower() for title in titles), titles
    assert not page.problems.items, "\n".join(page.problems.items)


@pytest.mark.parametrize("query", ["gradient", "learning rate", "derivative"])
def test_search_snippets_show_no_raw_tex(page, site, query):
    _, snippets = _search(page, site, query)
    assert len(snippets) >= 5, snippets
    raw = [snippet for snippet in snippets if RAW_TEX.search(snippet)]
    assert not raw, "snippets with TeX source:\n" + "\n".join(raw)
    assert not page.problems.items, "\n".join(page.problems.items)


def test_search_snippets_read_formulas_as_text(page, site):
    # The learning-rate example opens with "The learning rate \(\eta\) is ...".
    _, snippets = _search(page, site, "hyperparameter")
    assert any("learning rate η is" in snippet for snippet in snippets), snippets


FIGURE_SIZES_JS = """
() => Array.from(
  document.querySelectorAll("img.sphx-glr-single-img, img.sphx-glr-multi-img, div.cell_output img"),
  (img) => [img.src.split("/").pop(), img.naturalWidth, img.getBoundingClientRect().width],
)
"""
WIDE_TABLES_JS = """
() => Array.from(document.querySelectorAll("article table"))
  .filter((table) => table.scrollWidth > table.parentElement.clientWidth + 1)
  .map((table) => `${table.scrollWidth} px in ${table.parentElement.clientWidth} px`)
"""


def test_figures_and_tables_fit_the_page(page, site):
    # At 1280 px, no figure is scaled below 90 % of its width, so its text
    # stays as large as the page's (docs/_ext/matplotlibrc), and no table is
    # cut off or needs scrolling.
    problems = []
    figures = 0
    for path in _all_pages():
        _visit(page, site, path)
        page.evaluate(BROKEN_IMAGES_JS)
        sizes = page.evaluate(FIGURE_SIZES_JS)
        figures += len(sizes)
        for name, natural, shown in sizes:
            if shown < 0.9 * natural:
                problems.append(f"{path}: {name} shown at {shown:.0f} of its {natural} px")
        problems += [f"{path}: a table of {wide}" for wide in page.evaluate(WIDE_TABLES_JS)]
    assert figures >= len(_gallery_pages()) + 4, f"only {figures} figures found"
    assert not problems, "\n".join(problems)


# At a phone's width, what in a page's tables and display math a reader cannot
# see or read: a number split over two lines, a first column (the one that
# names the rows) off the screen with the table scrolled to its start or to
# its end, a table wider than the page that does not scroll in a box of its
# own, and a formula wider than its box that is cut off, or that scrolls
# without a cue (headless Chromium, like a phone, shows no scrollbar until
# one scrolls): the fade that wide-content.css paints over its edges.
PHONE_LAYOUT_JS = """
() => {
  const found = [];
  const NUMBER = /^[-+\u2212]?(\\d[\\d,]*(\\.\\d*)?|\\.\\d+)([eE][-+\u2212]?\\d+)?\\s*[x%]?$/;
  const scrolls = (element) => ["auto", "scroll"].includes(getComputedStyle(element).overflowX);
  const right = document.documentElement.clientWidth;
  // Whether a cell's text takes more than one line: a rect below the first.
  const split = (cell) => {
    const rects = [];
    const range = document.createRange();
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      range.selectNodeContents(walker.currentNode);
      rects.push(...Array.from(range.getClientRects()).filter((rect) => rect.width > 0));
    }
    return rects.some((rect) => rect.top >= rects[0].bottom - 1);
  };
  const offscreen = (table, box, where) => {
    const bounds = box.getBoundingClientRect();
    const [left, end] = [Math.max(0, bounds.left), Math.min(right, bounds.right)];
    for (const row of table.rows) {
      const rect = row.cells[0].getBoundingClientRect();
      if (rect.left < left - 0.5 || rect.right > end + 0.5) {
        return [`table ${where}: its first column is at ${Math.round(rect.left)} to ` +
                `${Math.round(rect.right)} px, outside 0 to ${right} px`];
      }
    }
    return [];
  };
  document.querySelectorAll("article table").forEach((table, index) => {
    if (table.getClientRects().length === 0) return;
    const key = table.rows[0].cells[0].textContent.trim().replace(/\\s+/g, " ");
    const name = `${index + 1} (${key.slice(0, 30)})`;
    for (const cell of table.querySelectorAll("td, th")) {
      const text = cell.textContent.trim();
      if (NUMBER.test(text) && split(cell)) found.push(`table ${name}: "${text}" on two lines`);
    }
    const box = table.parentElement;
    if (!scrolls(box)) {
      if (table.getBoundingClientRect().right > right + 0.5) {
        found.push(`table ${name}: wider than the screen, not in a box of its own that scrolls`);
      }
      found.push(...offscreen(table, box, name));
      return;
    }
    box.scrollLeft = 0;
    found.push(...offscreen(table, box, name));
    box.scrollLeft = box.scrollWidth;
    found.push(...offscreen(table, box, `${name} scrolled to its end`));
    box.scrollLeft = 0;
  });
  for (const formula of document.querySelectorAll("article mjx-container[display='true']")) {
    const width = formula.querySelector("mjx-math").getBoundingClientRect().width;
    const source = formula.querySelector("mjx-assistive-mml")?.textContent.slice(0, 40);
    for (let box = formula; box.tagName !== "ARTICLE"; box = box.parentElement) {
      if (scrolls(box) && box.scrollWidth > box.clientWidth + 1) {
        if (box.getBoundingClientRect().right > right + 0.5) {
          found.push(`formula ${source}: its box ends off the screen`);
        }
        if (getComputedStyle(box).backgroundImage === "none") {
          found.push(`formula ${source}: scrolls without a cue`);
        }
        break;
      }
      if (width > box.clientWidth + 1) {
        found.push(`formula ${source}: ${Math.round(width)} px cut to ${box.clientWidth} px`);
        break;
      }
    }
  }
  return found;
}
"""


def test_tables_and_math_fit_a_phone(page, site):
    page.set_viewport_size(NARROW)
    problems = []
    for path in _all_pages():
        _visit(page, site, path)
        page.wait_for_function("!window.MathJax || !!(MathJax.startup && MathJax.startup.promise)")
        page.evaluate("window.MathJax ? MathJax.startup.promise : null")
        problems += [f"{path}: {problem}" for problem in page.evaluate(PHONE_LAYOUT_JS)]
    assert not problems, f"{len(problems)} problems at 390 px:\n" + "\n".join(problems)


def test_every_download_link_answers(page, site):
    links: dict[str, str] = {}
    for html in [HTML / "auto_examples" / "index.html", *_gallery_pages()]:
        path = html.relative_to(HTML).as_posix()
        _visit(page, site, path)
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            if href.split("#")[0].endswith((".py", ".ipynb", ".zip")):
                links[href] = path
    names = {href.rsplit("/", 1)[-1] for href in links}
    assert {"auto_examples_python.zip", "auto_examples_jupyter.zip"} <= names, names
    for html in _gallery_pages():
        for suffix in (".py", ".ipynb"):
            assert html.stem + suffix in names, f"no {html.stem}{suffix} download link"
    failures = []
    for href, origin in links.items():
        assert href.startswith(site), f"{origin} links a download outside the site: {href}"
        response = page.request.get(href)
        if response.status != 200 or not response.body():
            failures.append(f"{origin}: {href} -> HTTP {response.status}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        "api.html",
        "from_the_book.html",
        "accuracy.html",
        "tutorials/index.html",
        "tutorials/numerical_differentiation.html",
        "tutorials/partial_derivatives_and_gradient.html",
        "tutorials/gradient_method.html",
        "tutorials/network_gradient.html",
        "gen_modules/numgrad.numerical_gradient.html",
    ],
)
def test_page_loads_cleanly(page, site, path):
    _visit(page, site, path)
    assert not page.evaluate(BROKEN_IMAGES_JS), f"{path} has broken images"
    # MathJax (served by the site itself) typesets every formula.
    page.wait_for_function("!window.MathJax || !!(MathJax.startup && MathJax.startup.promise)")
    page.evaluate("window.MathJax ? MathJax.startup.promise : null")
    unrendered = page.locator(
        "div.math:not(:has(mjx-container)), span.math:not(:has(mjx-container))"
    )
    assert unrendered.count() == 0, f"{path}: {unrendered.count()} formulas not typeset"
    assert not page.problems.items, "\n".join(page.problems.items)


# The bytes of MathJax's scripts a page loads (docs/_ext/mathjax_files.py), its
# formulas left untypeset, and those that show a TeX error (a macro of a TeX
# package that the site does not load).
MATH_JS = """
() => [
  performance.getEntriesByType("resource")
    .filter((entry) => entry.name.includes("/_static/mathjax/") && entry.name.split("?")[0].endsWith(".js"))
    .reduce((total, entry) => total + entry.encodedBodySize, 0),
  document.querySelectorAll("div.math:not(:has(mjx-container)), span.math:not(:has(mjx-container))").length,
  Array.from(document.querySelectorAll("mjx-merror"), (error) => error.textContent),
]
"""
# MathJax's tex-chtml.js bundle alone is 1.16 MB.
MATHJAX_BYTES = 800_000


def test_every_formula_typesets_with_a_small_mathjax(page, site):
    problems = []
    largest = 0
    for path in _all_pages():
        _visit(page, site, path)
        page.wait_for_function("!window.MathJax || !!(MathJax.startup && MathJax.startup.promise)")
        page.evaluate("window.MathJax ? MathJax.startup.promise : null")
        page.wait_for_load_state("networkidle")
        size, untypeset, errors = page.evaluate(MATH_JS)
        largest = max(largest, size)
        if size > MATHJAX_BYTES:
            problems.append(f"{path}: {size} bytes of MathJax")
        if untypeset:
            problems.append(f"{path}: {untypeset} formulas not typeset")
        problems += [f"{path}: TeX error: {error}" for error in errors]
    assert largest > 0, "no page loaded MathJax"
    assert not problems, "\n".join(problems)
    assert not page.problems.items, "\n".join(page.problems.items)


def test_screenshots(browser, site):
    _require_build()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    example = _gallery_pages()[0].relative_to(HTML).as_posix()
    shots = [
        ("landing.png", "index.html", "light"),
        ("example.png", example, "light"),
        ("landing-dark.png", "index.html", "dark"),
    ]
    for name, path, scheme in shots:
        context = browser.new_context(viewport=VIEWPORT, color_scheme=scheme)
        try:
            page = context.new_page()
            page.goto(urljoin(site, path), wait_until="load")
            page.evaluate(BROKEN_IMAGES_JS)
            mode = page.evaluate("document.documentElement.dataset.theme")
            assert mode == scheme, f"{path} rendered in {mode} mode, expected {scheme}"
            page.screenshot(path=SCREENSHOTS / name, full_page=True)
        finally:
            context.close()
        assert (SCREENSHOTS / name).stat().st_size > 10_000


# -- the Chinese edition ------------------------------------------------------

CHINESE_PAGES = [
    "zh_CN/index.html",
    "zh_CN/tutorials/gradient_method.html",
    "zh_CN/auto_examples/plot_train_digits.html",
]
# The text a reader sees in the page's article, without code, math and tables.
VISIBLE_PROSE_JS = """
() => {
  const skipped = "pre, code, .math, mjx-container, table, script, style";
  const walker = document.createTreeWalker(document.querySelector("article"), NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (parent.closest(skipped) || parent.getClientRects().length === 0) continue;
    parts.push(walker.currentNode.textContent);
  }
  return parts.join(" ");
}
"""
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def _chinese_share(text: str) -> float:
    chinese, latin = len(CJK.findall(text)), len(LATIN.findall(text))
    return chinese / max(1, chinese + latin)


@pytest.mark.parametrize("path", CHINESE_PAGES)
def test_chinese_pages_read_in_chinese(page, site, path):
    _visit(page, site, path)
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    prose = page.evaluate(VISIBLE_PROSE_JS)
    assert _chinese_share(prose) > 0.5, (
        f"{path}: {_chinese_share(prose):.0%} Chinese: {prose[:300]}"
    )
    navigation = page.locator(".bd-header ul.navbar-nav").first.inner_text()
    assert "教程" in navigation, navigation
    assert "示例" in navigation, navigation
    assert not page.problems.items, "\n".join(page.problems.items)


@pytest.mark.parametrize("path", CHINESE_PAGES)
def test_the_language_switcher_round_trips(page, site, path):
    english = path.removeprefix("zh_CN/")
    _visit(page, site, path)
    page.locator('.bd-header a.language-link[hreflang="en"]').click()
    page.wait_for_load_state("load")
    assert page.url == urljoin(site, english), page.url
    assert page.evaluate("document.documentElement.lang") == "en"
    assert _chinese_share(page.evaluate(VISIBLE_PROSE_JS)) < 0.1
    page.locator('.bd-header a.language-link[hreflang="zh-CN"]').click()
    page.wait_for_load_state("load")
    assert page.url == urljoin(site, path), page.url
    assert not page.problems.items, "\n".join(page.problems.items)


def test_chinese_search_finds_gradient(page, site):
    _visit(page, site, "zh_CN/search.html?q=梯度")
    page.wait_for_function("document.querySelectorAll('#search-results ul.search li').length > 0")
    page.wait_for_load_state("networkidle")
    results = page.locator("#search-results ul.search li")
    titles = results.locator("a").all_inner_texts()
    assert sum("梯度" in title for title in titles) >= 3, titles
    hrefs = results.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert all(href.startswith(urljoin(site, "zh_CN/")) for href in hrefs), hrefs
    assert not page.problems.items, "\n".join(page.problems.items)


def test_chinese_search_for_a_function_warns_of_nothing(page, site):
    # Its index entry, "numerical_gradient() (in module numgrad)" in Chinese, is a result
    # whose snippet is the part of the page at #numgrad.numerical_gradient: an
    # id with a dot, which Sphinx's search put into a CSS selector unescaped.
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    _visit(page, site, "zh_CN/search.html?q=numerical_gradient")
    page.wait_for_function("document.querySelectorAll('#search-results ul.search li').length > 0")
    page.wait_for_load_state("networkidle")
    results = page.locator("#search-results ul.search li")
    assert results.count() >= 5, results.all_inner_texts()
    assert not warnings, "\n".join(warnings)
    assert not page.problems.items, "\n".join(page.problems.items)


def test_the_language_switcher_keeps_the_search_query(page, site):
    for path, other, lang in (
        ("zh_CN/search.html?q=梯度", "search.html", "en"),
        ("search.html?q=gradient", "zh_CN/search.html", "zh-CN"),
    ):
        query = path.split("?", 1)[1]
        _visit(page, site, path)
        # The results' snippets first: leaving while they load aborts their requests.
        page.wait_for_function(
            "document.querySelectorAll('#search-results ul.search li').length > 0"
        )
        page.wait_for_load_state("networkidle")
        page.locator(f'.bd-header a.language-link[hreflang="{lang}"]').click()
        page.wait_for_load_state("load")
        assert unquote(page.url) == urljoin(site, f"{other}?{query}"), page.url
        page.wait_for_function(
            "document.querySelectorAll('#search-results ul.search li').length > 0"
        )
    assert not page.problems.items, "\n".join(page.problems.items)


# -- accessibility: axe-core on every page of both editions --------------------

# axe-core's rules, with its experimental ones (label-content-name-mismatch among
# them), reporting violations only.
AXE_OPTIONS_JS = """
() => ({
  resultTypes: ["violations"],
  rules: Object.fromEntries(
    axe.getRules(["experimental"]).map((rule) => [rule.ruleId, {enabled: true}])
  ),
})
"""
SERIOUS = ("serious", "critical")


def _serious_violations(site: str, viewport: dict[str, int]) -> list[str]:
    """axe-core on every page of both editions at one width: its serious and critical findings.

    Each width runs in its own thread, with its own Playwright and browser (its
    sync API is bound to the thread that started it), so the two widths share
    the machine's cores.
    """
    axe = Axe()
    found = []
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium_executable(), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport=viewport)
            page.set_default_timeout(TIMEOUT_MS)
            for path in _all_pages():
                _visit(page, site, path)
                page.evaluate(axe.axe_script)
                options = page.evaluate(AXE_OPTIONS_JS)
                results = page.evaluate("(options) => axe.run(document, options)", options)
                for violation in results["violations"]:
                    if violation["impact"] in SERIOUS:
                        nodes = violation["nodes"]
                        more = f" and {len(nodes) - 1} more" if len(nodes) > 1 else ""
                        found.append(
                            f"{violation['id']} ({violation['impact']}) on {path} at "
                            f"{viewport['width']} px: {' '.join(nodes[0]['target'])}{more}"
                        )
        finally:
            browser.close()
    return found


def test_no_serious_accessibility_violations(site):
    with ThreadPoolExecutor(2) as pool:
        widths = list(pool.map(functools.partial(_serious_violations, site), [VIEWPORT, NARROW]))
    found = [line for width in widths for line in width]
    assert not found, f"{len(found)} serious or critical violations:\n" + "\n".join(found)

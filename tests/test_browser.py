"""The built site in a real browser: images decode, search answers, downloads exist.

Serves docs/_build/html on 127.0.0.1 and drives headless Chromium with
Playwright. Build the site first with ``nox -s docs`` (``nox -s tests`` does).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urljoin

import pytest
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
    """Console errors, page errors and failed requests of the site's own URLs."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.items: list[str] = []

    def own(self, url: str) -> bool:
        # The browser asks for /favicon.ico by itself; no page of the site links it.
        return url.startswith(self.base) and url != f"{self.base}favicon.ico"

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.items.append(f"{page.url}: page error: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, message) -> None:
        # Errors about external resources (a CDN, unreachable offline) are not ours.
        if message.type == "error" and self.own(message.location.get("url", "") or self.base):
            self.items.append(f"console error: {message.text} ({message.location})")

    def _request_failed(self, request) -> None:
        if self.own(request.url):
            self.items.append(f"request failed: {request.url}: {request.failure}")

    def _response(self, response) -> None:
        if self.own(response.url) and response.status >= 400:
            self.items.append(f"HTTP {response.status}: {response.url}")


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    problems = _Problems(site)
    problems.watch(page)
    page.problems = problems
    try:
        yield page
    finally:
        context.close()


def _gallery_pages() -> list[Path]:
    _require_build()
    return sorted((HTML / "auto_examples").glob("plot_*.html"))


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


def test_search_finds_gradient(page, site):
    _visit(page, site, "search.html?q=gradient")
    page.wait_for_function("document.querySelectorAll('#search-results ul.search li').length > 0")
    titles = page.locator("#search-results ul.search li a").all_inner_texts()
    assert any("gradient" in title.lower() for title in titles), titles
    assert not page.problems.items, "\n".join(page.problems.items)


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
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
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

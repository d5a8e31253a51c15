"""Sessions: tests, docs, lint, serve, translations, bench. Run ``nox -l`` to list them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["docs", "tests"]

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml("pyproject.toml")
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"
CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome"]
# The site's translations (docs/locale/<language>): each is built into
# docs/_build/html/<language>, beside the English pages at the root.
TRANSLATIONS = ["zh_CN"]
GENERATED = [
    BUILD,
    DOCS / "auto_examples",
    DOCS / "gen_modules",
    DOCS / "sg_execution_times.rst",
    DOCS / "jupyter_execute",
]


def _install(session: nox.Session, *groups: str) -> None:
    requirements = [r for g in groups for r in nox.project.dependency_groups(PYPROJECT, g)]
    session.install("-e", ".", *requirements)


def _chromium(session: nox.Session) -> str | None:  # noqa: RET503 (session.error raises)
    """The Chromium for the browser test: a path, or None for Playwright's own build.

    In this order: NUMGRAD_CHROMIUM, a Chromium on PATH, Playwright's download,
    Debian's package (as root on Debian or Ubuntu). Otherwise the session fails
    here, in one line, instead of skipping the browser test.
    """
    if path := os.environ.get("NUMGRAD_CHROMIUM"):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            session.error(f"NUMGRAD_CHROMIUM={path} is not an executable file")
        return path
    if path := _chromium_on_path():
        return path
    session.log("No Chromium on PATH: Playwright downloads its own")
    playwright = shutil.which("playwright", path=session.bin)
    download = subprocess.run(
        [playwright, "install", "chromium"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    if download.returncode == 0:
        return None
    errors = [line for line in download.stdout.splitlines() if line.startswith("Error:")]
    session.log(f"Playwright's download failed: {errors[0] if errors else download.stdout}")
    debian = Path("/etc/debian_version").is_file() and shutil.which("apt-get")
    if debian and os.geteuid() == 0:
        session.log("Installing Debian's chromium package with apt-get")
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", "-qq", external=True, env=env, silent=True)
        session.run(
            "apt-get", "install", "-y", "-qq", "chromium", external=True, env=env, silent=True
        )
        if path := _chromium_on_path():
            return path
    session.error(
        "No Chromium for the browser test: install one (Debian/Ubuntu: `sudo apt-get install "
        "chromium`; macOS: `brew install --cask chromium`) or set NUMGRAD_CHROMIUM to its path"
    )


def _chromium_on_path() -> str | None:
    return next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)


@nox.session(requires=["docs"])
def tests(session: nox.Session) -> None:
    """Unit tests, doctests, the tutorial code and the browser test of the built site."""
    _install(session, "test", "browser")
    if path := _chromium(session):
        session.env["NUMGRAD_CHROMIUM"] = path
    session.run("pytest", "numgrad", "tests", "--doctest-modules", *session.posargs)


@nox.session(reuse_venv=True)
def docs(session: nox.Session) -> None:
    """Build the site, every language, into docs/_build/html (``-- --clean`` starts afresh).

    English first: it executes the gallery's examples and the tutorials'
    notebooks. The translations then find both in sphinx-gallery's MD5 cache
    and myst-nb's jupyter cache, and run nothing again.
    """
    _install(session, "docs")
    # Keep the compiled bytecode: importing sphinx, matplotlib and jupyter from
    # source costs ~4 s per build, and per notebook kernel.
    session.env["PYTHONDONTWRITEBYTECODE"] = ""
    # The examples multiply small matrices: OpenBLAS's threads only get in
    # their way, and on a busy 2-core machine they make them several times slower.
    session.env["OPENBLAS_NUM_THREADS"] = "1"
    args = list(session.posargs)
    if "--clean" in args:
        args.remove("--clean")
        for path in GENERATED:
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(
                missing_ok=True
            )
    for language in ["en", *TRANSLATIONS]:
        english = language == "en"
        session.run(
            "sphinx-build", "-W", "--keep-going", "-n", "-b", "html",
            *([] if english else ["-D", f"language={language}"]),
            "-d", str(BUILD / ("doctrees" if english else f"doctrees-{language}")),
            "docs", str(BUILD / "html" / ("" if english else language)), *args,
        )  # fmt: skip


@nox.session
def translations(session: nox.Session) -> None:
    """Update docs/locale/<language>/LC_MESSAGES/*.po from the pages' English text.

    New and changed paragraphs arrive untranslated (or marked fuzzy): they show
    in English until a translator fills them in. ``nox -s docs`` then builds
    the translated pages.
    """
    _install(session, "docs", "translate")
    session.env["PYTHONDONTWRITEBYTECODE"] = ""
    session.run(
        "sphinx-build", "-q", "-b", "gettext", "-d", str(BUILD / "doctrees-gettext"),
        "docs", str(BUILD / "gettext"),
    )  # fmt: skip
    languages = [arg for language in TRANSLATIONS for arg in ("-l", language)]
    session.run(
        "sphinx-intl", "update", "-p", str(BUILD / "gettext"), "-d", str(DOCS / "locale"),
        "-w", "0", *languages, *session.posargs,
    )  # fmt: skip


@nox.session(reuse_venv=True)
def serve(session: nox.Session) -> None:
    """Rebuild the site on every change and serve it on http://127.0.0.1:8000."""
    _install(session, "docs")
    session.install("sphinx-autobuild")
    session.env["PYTHONDONTWRITEBYTECODE"] = ""
    # The build writes these itself: watching them would rebuild forever.
    ignored = [str(path.relative_to(ROOT)) for path in GENERATED]
    session.run(
        "sphinx-autobuild", "--host", "127.0.0.1", "--port", "8000",
        "--watch", "numgrad", "--watch", "examples",
        *[arg for path in ignored for arg in ("--ignore", path)],
        "-d", str(BUILD / "doctrees"), "docs", str(BUILD / "html"), *session.posargs,
    )  # fmt: skip


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff: lint (numpy docstring convention) and format check."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".", *session.posargs)
    session.run("ruff", "format", "--check", ".")


@nox.session
def bench(session: nox.Session) -> None:
    """Accuracy and speed against the book's loop, scipy and numdifftools."""
    _install(session, "bench")
    session.run("python", "tests/benchmark.py", *session.posargs)

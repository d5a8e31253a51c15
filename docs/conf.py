"""Sphinx configuration of the numgrad site (built by ``nox -s docs``)."""

from __future__ import annotations

import os
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import matplotlib as mpl

import numgrad

# The builder draws off-screen. myst-nb's kernels are separate processes:
# without MPLBACKEND they get ipykernel's inline backend, which is what puts
# the figures in the pages, so a stray MPLBACKEND=Agg must not reach them.
mpl.use("Agg")
os.environ.pop("MPLBACKEND", None)

DOCS = Path(__file__).parent
sys.path[:0] = [str(DOCS), str(DOCS / "_ext")]  # gallery_order; the local extensions
EXAMPLES = DOCS.parent / "examples"

project = "numgrad"
author = "the numgrad developers"
copyright = "2026, the numgrad developers"
version = release = numgrad.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
    # docs/_ext: the site's own build steps, one concern each
    "computation_times",
    "figure_alt_texts",
    "figure_style",
    "mathjax_files",
    "minigallery_refresh",
    "notebook_markdown",
    "numeric_cells",
    "quiet_kernels",
    "search_snippets",
    "shared_static",
    "stale_gallery_files",
    "language_switcher",
    "translated_downloads",
    "translated_patterns",
    "translated_theme_options",
    "translated_thumbnails",
    "chinese_search",
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "jupyter_execute",
    "**.ipynb_checkpoints",
    # sphinx-gallery writes these next to its .rst pages; they are downloads,
    # not pages (myst-nb would otherwise read the .ipynb as a second copy).
    "auto_examples/**/*.ipynb",
    "auto_examples/**/*.py",
    "auto_examples/**/*.zip",
    "auto_examples/**/*.codeobj.json",
    "auto_examples/**/*.md5",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.codeobj.json",
    "auto_examples/*.md5",
    # The one gallery's own copy of sg_execution_times.rst (see _ext/computation_times.py).
    "auto_examples/sg_execution_times.rst",
]
nitpicky = True

# -- languages: English at the root, each translation in its own folder --------
# `nox -s docs` builds every language of `site_languages`, the translations
# with `-D language=zh_CN` into docs/_build/html/zh_CN. The text of a
# translation is in docs/locale/<language>/LC_MESSAGES, one .po file per page
# (`nox -s translations` updates them); an untranslated message stays English.

language = "en"
site_languages = {"en": "English", "zh_CN": "中文"}
locale_dirs = ["locale/"]
gettext_compact = False  # one catalog per page
gettext_location = False  # no line numbers in the .po files: they would churn on every edit
gettext_uuid = False

# -- API pages: autodoc, autosummary, numpydoc ------------------------------

autosummary_generate = True
autodoc_typehints = "none"  # the numpydoc Parameters sections give the types
autodoc_preserve_defaults = True  # show h=1e-4 as written, not 0.0001
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# -- intersphinx, only when the inventories can be fetched -------------------

_INVENTORIES = {
    "python": "https://docs.python.org/3",
    "numpy": "https://numpy.org/doc/stable",
    "matplotlib": "https://matplotlib.org/stable",
}


def _reachable(url: str) -> bool:
    request = urllib.request.Request(f"{url}/objects.inv", method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def _online_inventories() -> dict[str, tuple[str, None]]:
    """The intersphinx mappings whose inventory answers now (none when offline).

    An unreachable inventory is a warning, and the build runs with -W, so a
    machine without network builds without intersphinx instead. Set
    NUMGRAD_DOCS_OFFLINE=1 to skip the check.
    """
    if os.environ.get("NUMGRAD_DOCS_OFFLINE", "") not in ("", "0"):
        return {}
    with ThreadPoolExecutor(len(_INVENTORIES)) as pool:
        answers = dict(zip(_INVENTORIES, pool.map(_reachable, _INVENTORIES.values()), strict=True))
    return {name: (url, None) for name, url in _INVENTORIES.items() if answers[name]}


intersphinx_mapping = _online_inventories()
intersphinx_timeout = 10
# Without an inventory, references into that project (the docstrings cite
# numpy functions) render as plain code instead of failing the nitpicky build.
_UNLINKED = {
    "python": r"(collections|typing|builtins)(\..*)?",
    "numpy": r"(numpy|np)(\..*)?",
    "matplotlib": r"(matplotlib|plt|mpl)(\..*)?",
}
nitpick_ignore_regex = [
    (r"py:.*", pattern) for name, pattern in _UNLINKED.items() if name not in intersphinx_mapping
]

# -- the example gallery ------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("numgrad",),
    # "reference_url" is deprecated and ignored by sphinx-gallery >= 0.22:
    # links to numgrad come from this build, to other projects from intersphinx.
    "filename_pattern": r"[\\/]plot_",  # run every plot_*.py
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "gallery_order.LessonOrder",
    "minigallery_sort_order": "gallery_order.lesson_key",
    "download_all_examples": True,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib", "figure_style.reset_matplotlib"),
    "remove_config_comments": True,
    "show_memory": False,
    "write_computation_times": True,  # sg_execution_times is in a toctree
    "abort_on_example_error": False,  # report every failing example, then fail
    "only_warn_on_example_error": False,
}

# -- MyST notebooks: executed through the jupyter cache ----------------------

nb_execution_mode = "cache"
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache")
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 120
nb_merge_streams = True
nb_output_stderr = "warn"  # a warning printed by a cell fails the -W build
# The catalogs take the figures' alt texts (``mystnb: image: alt:`` in a
# cell) from the gettext build, which otherwise keeps a figure's text/plain
# form ("<Figure size ...>") instead of its image.
nb_mime_priority_overrides = [("gettext", "image/png", 5)]
myst_enable_extensions = ["amsmath", "colon_fence", "deflist", "dollarmath"]
myst_heading_anchors = 3

# -- math: MathJax served from the site itself (_ext/mathjax_files.py) -------

mathjax_path = "mathjax/startup.js"  # the loader; _ext/mathjax_files.py names what it loads

# -- copy buttons without the prompts ----------------------------------------

copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = False

# -- HTML ---------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = "numgrad"
html_static_path = ["_static"]
# wide-content.css: tables and formulas wider than a phone scroll in their own box.
html_css_files = ["language-switcher.css", "gallery-thumbnails.css", "wide-content.css"]
# math-focus.js: a formula that scrolls can be reached and scrolled with the keyboard.
html_js_files = ["math-focus.js"]
html_extra_path = ["_extra"]  # favicon.ico at the root, where browsers ask for it
html_favicon = "_extra/favicon.ico"
html_show_sourcelink = False
html_theme_options = {
    "logo": {"text": "numgrad"},
    "navbar_align": "left",
    "navbar_end": ["language-switcher", "theme-switcher", "navbar-icon-links"],
    "header_links_before_dropdown": 6,
    # Gallery pages are short: their figures get the width of the page-toc column.
    "secondary_sidebar_items": {
        "**": ["page-toc"],
        **{f"auto_examples/{path.stem}": [] for path in EXAMPLES.glob("plot_*.py")},
    },
    "show_prev_next": True,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_context = {"default_mode": "auto"}
# Pages without sub-pages: no empty "Section Navigation" column beside them.
html_sidebars = {page: [] for page in ("index", "from_the_book", "glossary", "accuracy", "search")}

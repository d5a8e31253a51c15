"""The gallery's downloads as readers get them: each script and notebook, in both languages.

Reads the built site (docs/_build/html, and docs/_build/html/zh_CN for the
Chinese edition): build it first with ``nox -s docs``. Every downloaded
example runs in a fresh virtual environment set up as the README tells
readers to (``pip install ".[examples]"`` in a clone; with uv when there is
one, which is faster), the notebooks as their code cells put one after
another, since the README has readers install no Jupyter. The notebooks'
Markdown must carry no reST, which Jupyter would show as it is.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "docs" / "_build" / "html"
SITES = {"en": HTML, "zh_CN": HTML / "zh_CN"}
EXAMPLES = sorted(path.stem for path in (ROOT / "examples").glob("plot_*.py"))
DOWNLOADS = [
    (language, f"{stem}{suffix}")
    for language in SITES
    for stem in EXAMPLES
    for suffix in (".py", ".ipynb")
]
TIMEOUT = 300  # seconds for one example; the slowest takes about 20
# reST left in Markdown: a role (:func:`x`, :math: aside, which Jupyter reads as
# math), a directive (.. admonition:: x) or a directive's option line (:class: x).
ROLE = re.compile(r":(?:[\w-]+:)?(?!math:)[\w-]+:`")
DIRECTIVE = re.compile(r"^[ \t>]*\.\. [\w-]+::|^[ \t>]*:[\w-]+:( |$)", re.MULTILINE)


def _download(language: str, name: str) -> Path:
    site = SITES[language]
    if not (site / "index.html").is_file():
        pytest.fail(f"{site / 'index.html'} is missing: build the site first with `nox -s docs`")
    found = sorted(site.glob(f"_downloads/*/{name}"))
    assert len(found) == 1, f"{name} in {site}/_downloads: {found}"
    return found[0]


def _cells(notebook: Path | str, kind: str) -> list[str]:
    """The sources of a notebook's cells of one kind; ``notebook`` is a path or the text."""
    text = notebook if isinstance(notebook, str) else notebook.read_text(encoding="utf-8")
    cells = json.loads(text)["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == kind]


def _notebook_script(notebook: Path) -> str:
    """The notebook's code cells, in order, as one script (IPython magics commented out)."""
    code = "\n\n".join(_cells(notebook, "code"))
    return re.sub(r"^(\s*)([%!])", r"\1# \2", code, flags=re.MULTILINE)


def _uv() -> str | None:
    """uv, on PATH or beside this Python (nox's environment), if there is one."""
    beside = Path(sys.executable).parent / "uv"
    return shutil.which("uv") or (str(beside) if beside.is_file() else None)


@pytest.fixture(scope="module")
def reader_python(tmp_path_factory) -> Path:
    """The Python of a fresh virtual environment with ``pip install ".[examples]"`` done."""
    venv = tmp_path_factory.mktemp("reader") / ".venv"
    python = venv / "bin" / "python"
    if uv := _uv():
        commands = [
            [uv, "venv", "-q", "--python", sys.executable, str(venv)],
            [uv, "pip", "install", "-q", "--python", str(python), ".[examples]"],
        ]
    else:
        commands = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(python), "-m", "pip", "install", "-q", ".[examples]"],
        ]
    for command in commands:
        subprocess.run(command, cwd=ROOT, check=True, env=_environment())
    return python


def _environment(bin_dir: Path | None = None) -> dict[str, str]:
    """The environment of a reader's shell: nothing of this test session's Python."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "MPLBACKEND"}
    }
    if bin_dir is not None:
        env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(bin_dir.parent)
    return env


def _run(python: Path, language: str, name: str, workdir: Path) -> tuple[str, float]:
    """Run one download in ``workdir``; its failure as text ("" if none), and its seconds."""
    download = _download(language, name)
    workdir.mkdir(parents=True)
    if download.suffix == ".ipynb":
        script = workdir / f"{download.stem}_notebook.py"
        script.write_text(_notebook_script(download), encoding="utf-8")
    else:
        script = workdir / download.name
        shutil.copyfile(download, script)
    # Agg: no display here. One BLAS thread: two examples run at once on few cores.
    env = _environment(python.parent) | {"MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"}
    start = time.perf_counter()
    try:
        result = subprocess.run(
            [str(python), script.name],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"no end after {TIMEOUT} s", TIMEOUT
    seconds = time.perf_counter() - start
    if result.returncode:
        return f"exit status {result.returncode}:\n{result.stderr[-3000:]}", seconds
    return "", seconds


@pytest.fixture(scope="module")
def runs(reader_python, tmp_path_factory) -> dict[tuple[str, str], str]:
    """Every download run once, two at a time: (language, file name) to its failure."""
    workdir = tmp_path_factory.mktemp("runs")
    with ThreadPoolExecutor(2) as pool:
        futures = {
            key: pool.submit(_run, reader_python, *key, workdir / key[0] / key[1])
            for key in DOWNLOADS
        }
    return {key: future.result()[0] for key, future in futures.items()}


@pytest.mark.parametrize(("language", "name"), DOWNLOADS)
def test_download_runs_after_the_readme_install(runs, language, name):
    assert not runs[language, name], f"{language} {name}: {runs[language, name]}"


@pytest.mark.parametrize("language", SITES)
def test_notebook_markdown_has_no_rest(language):
    """The downloaded notebooks, alone and in the zips, in Markdown only."""
    notebooks = {
        name: _download(language, name) for _, name in DOWNLOADS if name.endswith(".ipynb")
    }
    for archive in sorted(SITES[language].glob("_downloads/*/*.zip")):
        with zipfile.ZipFile(archive) as opened:
            notebooks |= {
                f"{archive.name}:{name}": opened.read(name).decode()
                for name in opened.namelist()
                if name.endswith(".ipynb")
            }
    assert len(notebooks) > len(EXAMPLES), sorted(notebooks)  # the zips have some
    found = []
    for name, notebook in notebooks.items():
        for text in _cells(notebook, "markdown"):
            found += [f"{name}: {m.group(0)!r}" for m in ROLE.finditer(text)]
            found += [f"{name}: {m.group(0)!r}" for m in DIRECTIVE.finditer(text)]
    assert not found, f"{len(found)} pieces of reST:\n" + "\n".join(found)

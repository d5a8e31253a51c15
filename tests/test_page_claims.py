"""The built pages' claims against the output printed beside them, in both languages.

A page's prose is written once, but its output is computed on every build,
on the build machine and on a reader's: a claim must hold for the numbers it
sits next to. These tests read docs/_build/html (and its zh_CN twin), take
the numbers a page prints, and check the statements its text makes about
them. A missing build fails, never skips: build it with ``nox -s docs``.
"""

from __future__ import annotations

import html
import math
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from test_site_languages import HTML, ZH, _require_build

import numgrad

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
ROOTS = pytest.mark.parametrize("root", [HTML, ZH], ids=["en", "zh_CN"])
# The printed output of sphinx-gallery (script-out) and of myst-nb (output ...).
OUTPUT = re.compile(
    r'<div class="(?:sphx-glr-script-out|output) [^"]*"><div class="highlight"><pre>(.*?)</pre>',
    flags=re.DOTALL,
)
BLOCK = re.compile(r"<pre>.*?</pre>", flags=re.DOTALL)
NUMBER = r"[-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?"


def _untag(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def _article(root: Path, page: str) -> str:
    _require_build()
    source = (root / page).read_text(encoding="utf-8")
    return re.search(r"<article.*?</article>", source, flags=re.DOTALL)[0]


def _outputs(root: Path, page: str) -> list[str]:
    """The text of every printed output of a page, in order."""
    return [_untag(block) for block in OUTPUT.findall(_article(root, page))]


def _output(root: Path, page: str) -> str:
    return "\n".join(_outputs(root, page))


def _paragraphs(root: Path, page: str) -> list[str]:
    """The page's paragraphs of prose, with inline math in its TeX source.

    A gallery example's paragraphs end with its closing sentences: the lines
    that sphinx-gallery adds after them (running time, downloads) are left out.
    """
    article = BLOCK.sub(" ", _article(root, page).split('<p class="sphx-glr-timing">')[0])
    return [" ".join(_untag(p).split()) for p in re.findall(r"<p>(.*?)</p>", article, re.DOTALL)]


def _prose(root: Path, page: str) -> str:
    return "\n".join(_paragraphs(root, page))


def _vector(text: str) -> np.ndarray:
    return np.array([float(value) for value in text.split()])


# Newton's method: gradient descent with lr=0.04 ends in a cycle of period 2.


@ROOTS
def test_newton_gradient_descent_ends_in_the_two_point_cycle_its_text_describes(root):
    page = "auto_examples/plot_newton_method.html"
    output, prose = _output(root, page), _prose(root, page)
    limit = float(re.search(rf"2 / largest = ({NUMBER})", output)[1])
    points = {
        int(steps): _vector(x)
        for steps, x in re.findall(r"lr=0\.04,\s+(\d+) steps: x = \[([^\]]*)\]", output)
    }
    assert {1000, 1001, 1002, 20_000} <= set(points), output
    # The learning rate is above the limit, and the path repeats itself every
    # second step, the same after 1,000 steps as after 20,000, without the
    # two points of the cycle being one.
    assert limit < 0.04
    assert np.array_equal(points[1000], points[1002])
    assert np.array_equal(points[1000], points[20_000])
    assert not np.allclose(points[1000], points[1001], atol=1e-3)
    assert not np.allclose(points[20_000], [1.0, 1.0], atol=1e-3)
    # The text quotes the limit it prints.
    assert f"{limit:.4f}" in prose


# The Jacobian of softmax: what the complex step gives, and with which softmax.


@ROOTS
def test_jacobian_complex_step_claims_match_its_output(root):
    page = "auto_examples/plot_jacobian_softmax.html"
    output, closing = _output(root, page), _paragraphs(root, page)[-1]
    difference = float(re.search(rf"complex step, largest difference: ({NUMBER})", output)[1])
    quoted = [int(power) for power in re.findall(r"10\^\{-(\d+)\}", closing)]
    assert quoted, closing
    assert quoted[-1] == -round(math.log10(difference)), (closing, difference)
    # The text says numgrad's own softmax refuses the complex step.
    assert "TypeError" in _prose(root, page)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        with pytest.raises(TypeError):
            numgrad.numerical_jacobian(numgrad.softmax, [0.3, 2.9, 4.0, -1.2], method="complex")


# Which method: what Richardson extrapolation costs and gains against the central difference.


@ROOTS
def test_which_method_richardson_claims_match_its_output(root):
    page = "auto_examples/plot_which_method.html"
    output, closing = _output(root, page), _paragraphs(root, page)[-1]
    rows = {
        method: (float(best), float(auto), int(calls))
        for method, best, auto, calls in re.findall(
            rf"(\w+)\s+order \d: smallest error ({NUMBER}) at h = {NUMBER}; "
            rf'h="auto" = {NUMBER} gives ({NUMBER}); calls of sin: (\d+)',
            output,
        )
    }
    (central_best, central_auto, central_calls) = rows["central"]
    (richardson_best, richardson_auto, richardson_calls) = rows["richardson"]
    # "about two digits below" at the best steps; "less than one digit" with h="auto".
    assert round(math.log10(central_best / richardson_best)) == 2
    assert 0 < math.log10(central_auto / richardson_auto) < 1
    # The text quotes both numbers of calls.
    for calls in (richardson_calls, central_calls):
        assert re.search(rf"(?<![\d.]){calls}(?![\d.])", closing), (calls, closing)


# The parallel example: its figure's legend covers none of its bars.


def _cell(example: Path, marker: str) -> str:
    """The code of the cell of a sphinx-gallery script that contains ``marker``."""
    (cell,) = [c for c in example.read_text(encoding="utf-8").split("\n# %%") if marker in c]
    return cell


@ROOTS
def test_parallel_legend_covers_no_bar(root, monkeypatch):
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    output = _output(root, "auto_examples/plot_parallel_workers.html")
    timings = {
        name.strip(): float(ms) / 1e3
        for name, ms in re.findall(rf"^\s*([^:\n]+): +({NUMBER}) ms$", output, flags=re.MULTILINE)
    }
    assert len(timings) == 3, output
    monkeypatch.setattr(plt, "show", lambda: None)
    # The example's own figure cell, drawn with the times the page printed,
    # then with every bar as long as the longest: another machine's times.
    code = _cell(EXAMPLES / "plot_parallel_workers.py", "ax.barh(")
    longest = dict.fromkeys(timings, max(timings.values()))
    for times in (timings, longest):
        try:
            exec(code, {"plt": plt, "np": np, "timings": times})  # noqa: S102
            fig = plt.gcf()
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
            legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
            bars = [patch for ax in fig.axes for patch in ax.patches]
            assert legends, "the figure has no legend"
            assert len(bars) == len(times)
            for legend in legends:
                box = legend.get_window_extent(renderer)
                for bar in bars:
                    assert not box.overlaps(bar.get_window_extent(renderer)), (times, bar)
        finally:
            plt.close("all")


# The digits example: its timings are measured with one BLAS thread wherever
# it runs, and its claims about them hold for the numbers it prints.


def test_digits_example_times_with_one_blas_thread():
    example = EXAMPLES / "plot_train_digits.py"
    head = example.read_text(encoding="utf-8").split("x_batch, t_batch = x_train[:100]")[0]
    script = (
        "from threadpoolctl import threadpool_info\n"
        "def blas():\n"
        "    return max(i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas')\n"
        f"exec(compile({head!r}, {str(example)!r}, 'exec'), {{'__name__': '__main__'}})\n"
        "print(blas())\n"
    )
    # A reader's environment: no thread count set from outside.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    }
    env["MPLBACKEND"] = "Agg"
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=EXAMPLES,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[-1] == "1", run.stdout


# Each statement of the digits example about its timings, and the test of it
# against the speed-ups printed above it (over the book's loop).
DIGITS_CLAIMS = {
    "five to seven times cheaper": lambda up: 5 <= up["loop, 10 units"] <= 7,
    "several times cheaper": lambda up: up["loop, 10 units"] >= 3,
    "cuts the time by more than half": lambda up: (
        up["vectorized, 10 units"] > 2 * up["loop, 10 units"]
    ),
    "saves about a third": lambda up: 0.25 <= 1 - 1 / up["vectorized, 50 units"] <= 0.42,
    "saves less": lambda up: (
        up["vectorized, 50 units"] < up["vectorized, 10 units"] / up["loop, 10 units"]
    ),
    "less than a tenth of the book": lambda up: up["vectorized, 10 units"] > 10,
    "hundreds of times faster still": lambda up: (
        up["backpropagation, 10 units"] >= 100 * up["vectorized, 10 units"]
    ),
}


@ROOTS
def test_digits_timing_claims_hold_for_the_printed_times(root):
    page = "auto_examples/plot_train_digits.html"
    output = _output(root, page)
    speedups = {
        name.strip(): float(up)
        for name, up in re.findall(
            rf"^\s*([^:\n]+): +{NUMBER} ms +({NUMBER})x$", output, flags=re.MULTILINE
        )
    }
    assert len(speedups) == 5, output
    english = _prose(HTML, page).replace("\u2019", "'")
    claims = [claim for claim in DIGITS_CLAIMS if claim in english]
    assert len(claims) >= 4, claims
    for claim in claims:
        assert DIGITS_CLAIMS[claim](speedups), (claim, speedups)


@ROOTS
def test_a_few_seconds_means_a_few_seconds(root):
    for path in sorted((root / "auto_examples").glob("plot_*.html")):
        page = path.relative_to(root).as_posix()
        article = _article(root, page)
        # sphinx-gallery's line "Total running time of the script: (0 minutes 1.2
        # seconds)", in Chinese "0 分 1.2 秒".
        timing = re.search(r'<p class="sphx-glr-timing">(.*?)</p>', article, re.DOTALL)[1]
        minutes, seconds = re.search(r"(\d+) \D+ ([\d.]+)", _untag(timing)).groups()
        if re.search(r"a few seconds|几秒", _prose(root, page)):
            assert 60 * int(minutes) + float(seconds) <= 10, page


# The tutorials' index: where the digits example is in the gallery.


def test_tutorials_index_places_the_digits_example_where_the_gallery_does():
    from test_site_languages import _read

    gallery = _article(HTML, "auto_examples/index.html")
    order = list(dict.fromkeys(re.findall(r'href="(plot_\w+)\.html"', gallery)))
    book = [
        name
        for name in order
        if "beyond" not in " ".join(_read(HTML / f"auto_examples/{name}.html").book_sections)[:40]
    ]
    (paragraph,) = [
        p
        for p in re.findall(r"<p>(.*?)</p>", _article(HTML, "tutorials/index.html"), re.DOTALL)
        if "plot_train_digits" in p
    ]
    text = " ".join(_untag(paragraph).split()).replace("\u2019", "'")
    claims = {
        "the gallery's last example": order[-1] == "plot_train_digits",
        "the last of the gallery's examples that follow the book": book[-1] == "plot_train_digits",
    }
    stated = [claim for claim in claims if claim in text]
    assert stated, text
    for claim in stated:
        assert claims[claim], (claim, order, book)


# Errors on the pages: shown as a message, not as a traceback from the build
# machine, and the text before one promises only what the message says.


@ROOTS
def test_no_output_shows_a_traceback_or_a_path_of_the_build_machine(root):
    _require_build()
    for path in sorted(root.rglob("*.html")):
        page = path.relative_to(root).as_posix()
        if page.startswith(("_", "zh_CN/")) or "<article" not in path.read_text(encoding="utf-8"):
            continue
        for output in _outputs(root, page):
            assert "Traceback" not in output, page
            for leak in (str(ROOT), "site-packages", "/usr/lib/python"):
                assert leak not in output, (page, leak)


@ROOTS
def test_from_the_book_promises_what_the_error_message_says(root):
    article = _article(root, "from_the_book.html")
    outputs = [(m.start(), _untag(m[1])) for m in OUTPUT.finditer(article)]
    ((position, message),) = [(at, text) for at, text in outputs if "h=1e-50" in text]
    before = re.findall(r"<p>(.*?)</p>", BLOCK.sub(" ", article[:position]), re.DOTALL)[-1]
    advice = [_untag(code) for code in re.findall(r"<code[^>]*>(.*?)</code>", before, re.DOTALL)]
    advice = [code for code in advice if code.startswith("h=")]
    assert advice, before
    for code in advice:
        assert code in message, (code, message)


# The network tutorial: how closely the numerical gradient matches the
# gradient of the loss as computed, in the text and in the output below it.


def _order_claim_holds(paragraph: str, value: float) -> bool:
    """Whether the last power of ten the paragraph quotes describes ``value``.

    "within 10^-N" (以内) means at most 10^-N; otherwise ("about", 约) the
    power of ten nearest to the value.
    """
    (*_, (power, after)) = re.findall(r"10\^\{-(\d+)\}\\\)(.{0,4})", paragraph)
    if "within" in paragraph[-60:] or "以内" in after:
        return value <= 10.0 ** -int(power)
    return round(math.log10(value)) == -int(power)


@ROOTS
def test_network_tutorial_quotes_the_agreement_it_prints(root):
    article = _article(root, "tutorials/network_gradient.html")
    (*_, last) = [
        m for m in OUTPUT.finditer(article) if re.fullmatch(r"True \S+", _untag(m[1]).strip())
    ]
    value = float(_untag(last[1]).split()[1])
    before = re.findall(r"<p>(.*?)</p>", BLOCK.sub(" ", article[: last.start()]), re.DOTALL)[-1]
    paragraph = " ".join(_untag(before).split())
    assert _order_claim_holds(paragraph, value), (paragraph, value)

"""Delete what sphinx-gallery generated for examples that no longer exist.

sphinx-gallery never deletes: a removed ``examples/plot_x.py`` would leave
``auto_examples/plot_x.rst`` (built as a page, listed nowhere) and its
images, downloads and HTML page behind. This runs before sphinx-gallery's own
``builder-inited`` handler (priority 500), in every language's build.
"""

from __future__ import annotations

from pathlib import Path


def _gallery_dirs(app) -> list[tuple[Path, Path]]:
    conf = app.config.sphinx_gallery_conf
    srcdir = Path(app.srcdir)
    examples, galleries = conf["examples_dirs"], conf["gallery_dirs"]
    if isinstance(examples, str):
        examples, galleries = [examples], [galleries]
    return [(srcdir / e, srcdir / g) for e, g in zip(examples, galleries, strict=True)]


def _remove_generated(gallery: Path, current: set[str]) -> set[str]:
    """Delete the generated files of examples not in ``current``; return their names."""
    stale: set[str] = set()
    for path in list(gallery.rglob("*")):
        if not path.is_file():
            continue
        name = path.name
        if name.startswith("sphx_glr_"):  # images and thumbnails
            if not any(name.startswith(f"sphx_glr_{stem}_") for stem in current):
                path.unlink()
            continue
        stem = name.split(".", 1)[0]
        if stem.startswith("plot_") and stem not in current:
            stale.add(stem)
            path.unlink()
    return stale


def _remove_built(app, gallery_name: str, stale: set[str]) -> None:
    outdir, doctrees = Path(app.outdir), Path(app.doctreedir)
    for stem in stale:
        built = [
            outdir / gallery_name / f"{stem}.html",
            outdir / "_sources" / gallery_name / f"{stem}.rst.txt",
            doctrees / gallery_name / f"{stem}.doctree",
            *outdir.glob(f"_images/sphx_glr_{stem}_*"),
            *outdir.glob(f"_downloads/*/{stem}.*"),
        ]
        for path in built:
            path.unlink(missing_ok=True)


def _remove_stale_gallery_files(app) -> None:
    for examples, gallery in _gallery_dirs(app):
        if gallery.is_dir():
            current = {path.stem for path in examples.glob("*.py")}
            _remove_built(app, gallery.name, _remove_generated(gallery, current))


def setup(app):
    app.connect("builder-inited", _remove_stale_gallery_files, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

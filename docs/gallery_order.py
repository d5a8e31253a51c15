"""The order of the gallery: the order of the lessons, not of the file names."""

from __future__ import annotations

from pathlib import Path

LESSONS = [
    "plot_rounding_error.py",
    "plot_tangent_line.py",
    "plot_which_method.py",
    "plot_surface_3d.py",
    "plot_gradient_field.py",
    "plot_gradient_descent_path.py",
    "plot_learning_rate.py",
    "plot_network_gradient.py",
    "plot_train_simplenet.py",
    "plot_train_digits.py",
    # Beyond the book
    "plot_jacobian_softmax.py",
    "plot_newton_method.py",
    "plot_parallel_workers.py",
]


def lesson_key(path: str) -> tuple[int, str]:
    """Sort key of an example: its place among the lessons, new examples last."""
    name = Path(path).name
    return (LESSONS.index(name) if name in LESSONS else len(LESSONS), name)


class LessonOrder:
    """The ``within_subsection_order`` key: sphinx-gallery builds it per directory."""

    def __init__(self, src_dir: str) -> None:
        self.src_dir = src_dir

    def __call__(self, filename: str) -> tuple[int, str]:
        return lesson_key(filename)

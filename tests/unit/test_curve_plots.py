"""``.plot()`` of point-pattern results: a PNG at a path, or matplotlib axes for notebooks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from clusteratlas.errors import ParameterError
from clusteratlas.measures.pointpattern import kd, m_function, ripley_k

POINTS = pd.DataFrame({
    "x": [0.0, 300.0, 0.0, 900.0, 950.0, 500.0],
    "y": [0.0, 0.0, 400.0, 900.0, 100.0, 500.0],
    "industry": ["A", "A", "A", "B", "B", "B"],
})  # fmt: skip
WINDOW = (0, 0, 1000, 1000)


def test_without_a_path_plot_returns_axes_with_the_curves() -> None:
    result = kd(POINTS, industry="A", window=WINDOW, bandwidth=50.0, n_r=64)
    ax = result.plot()
    try:
        assert ax.get_title() == "Kd of industry A (bandwidth 50 m)"
        (line,) = ax.get_lines()
        assert line.get_label() == "Kd"
        np.testing.assert_allclose(line.get_ydata(), result.kd)
        np.testing.assert_allclose(line.get_xdata(), result.r)  # metres below 5 km
    finally:
        plt.close(ax.figure)


def test_plot_draws_on_given_axes_with_a_reference_line() -> None:
    figure, given = plt.subplots()
    try:
        result = m_function(POINTS, industry="A", window=WINDOW, r=[100.0, 500.0, 1200.0])
        assert result.plot(ax=given, title="M here") is given
        assert given.get_title() == "M here"
        labels = [line.get_label() for line in given.get_lines()]
        assert labels[0] == "M"
        # The dashed M = 1 line is the second one.
        assert list(given.get_lines()[1].get_ydata()) == [1.0, 1.0]
    finally:
        plt.close(figure)


def test_a_path_still_writes_a_png(tmp_path: Path) -> None:
    result = ripley_k(POINTS, industry="A", window=WINDOW, r=[10.0, 300.0, 500.0])
    path = result.plot(tmp_path / "l.png")
    assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    figure, given = plt.subplots()
    try:
        with pytest.raises(ParameterError, match="not both"):
            result.plot(tmp_path / "other.png", ax=given)
        assert not (tmp_path / "other.png").exists()
    finally:
        plt.close(figure)

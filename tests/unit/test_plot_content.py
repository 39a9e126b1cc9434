"""What the PNG maps and the network plot say: title, legend classes, attribution footer,
node positions. Read back from the figure's artists at the moment it is saved (the
figure's ``savefig`` is wrapped, so the code under test runs unchanged)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

gpd = pytest.importorskip("geopandas")
matplotlib_figure = pytest.importorskip("matplotlib.figure")
nx = pytest.importorskip("networkx")
shapely_geometry = pytest.importorskip("shapely.geometry")

from clusteratlas.connect.related import plot_network  # noqa: E402
from clusteratlas.report.plots import plot_choropleth_png, plot_portfolio_png  # noqa: E402

ATTRIBUTION = [
    "Source: Eurostat, Structural business statistics (sbs_r_nuts06_r2)",
    "Boundaries: © EuroGeographics for the administrative boundaries (licence: CC BY 4.0)",
]


@pytest.fixture
def saved(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every figure saved during the test, captured just before it is written."""
    figures: list[Any] = []
    original = matplotlib_figure.Figure.savefig

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        figures.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(matplotlib_figure.Figure, "savefig", spy)
    return figures


@pytest.fixture
def boundaries() -> gpd.GeoDataFrame:
    squares = [shapely_geometry.box(x, 48.0, x + 1.0, 49.0) for x in (8.0, 9.0, 10.0)]
    return gpd.GeoDataFrame(
        {"region": ["R1", "R2", "R3"], "name": ["Alpha", "Beta", "Gamma"]},
        geometry=squares,
        crs="EPSG:4326",
    )


@pytest.fixture
def results() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["R1", "R1", "R2", "R2", "R3", "R3"],
            "region_name": ["Alpha", "Alpha", "Beta", "Beta", "Gamma", "Gamma"],
            "category": ["A", "B"] * 3,
            "category_label": ["Category A", "Category B"] * 3,
            "year": 2015,
            "employment": [100.0, 300.0, 50.0, 50.0, np.nan, 200.0],
            "lq": [1.17, 0.95, 2.33, 0.64, np.nan, 1.27],
            "share_of_region": [0.25, 0.75, 0.5, 0.5, np.nan, 1.0],
            "growth": [0.01, -0.02, 0.03, np.nan, np.nan, 0.0],
            "stars": [1, 0, 2, 0, 0, 1],
        }
    )


def _texts(fig: Any) -> list[str]:
    return [t.get_text() for t in fig.texts]


def _legend(fig: Any) -> tuple[str, list[str]]:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    assert len(legends) == 1
    return legends[0].get_title().get_text(), [t.get_text() for t in legends[0].get_texts()]


def test_lq_map_has_title_legend_classes_and_footer(tmp_path, results, boundaries, saved):
    plot_choropleth_png(
        tmp_path / "lq.png",
        results=results,
        boundaries=boundaries,
        category="A",
        attribution=ATTRIBUTION,
        dpi=40,
    )
    (fig,) = saved
    assert fig.get_suptitle() == "Location quotient (LQ): A – Category A"
    title, labels = _legend(fig)
    assert title == "Location quotient (LQ)"
    # The diverging LQ scale around 1 (breaks .5, .8, 1.25, 2, 3), the suppressed class and
    # the outline of rated regions (stars >= 1).
    assert labels == [
        "< 0.5",
        "0.5 – 0.8",
        "0.8 – 1.25",
        "1.25 – 2",
        "2 – 3",
        "≥ 3",
        "n/a (suppressed)",
        "stars ≥ 1",
    ]
    footer = "\n".join(_texts(fig))
    for line in ATTRIBUTION:  # every source and the boundary licence are printed
        assert line in footer.replace("\n", " ")


def test_quantile_map_legend_and_custom_title(tmp_path, results, boundaries, saved):
    # Employment of A: R1 100, R2 50, R3 missing. Quintile breaks of (50, 100) by linear
    # interpolation: 50 + 50 p for p = .2, .4, .6, .8 -> 60, 70, 80, 90.
    plot_choropleth_png(
        tmp_path / "emp.png",
        results=results,
        boundaries=boundaries,
        category="A",
        measure="employment",
        title="Jobs in A",
        attribution="Source: Eurostat",
        rating=None,
        dpi=40,
    )
    (fig,) = saved
    assert fig.get_suptitle() == "Jobs in A"
    title, labels = _legend(fig)
    assert title == "Employment"
    assert labels == ["≤ 60", "60 – 70", "70 – 80", "80 – 90", "> 90", "n/a (suppressed)"]
    assert "Source: Eurostat" in _texts(fig)[-1]


def test_portfolio_chart_prints_the_attribution(tmp_path, results, saved):
    plot_portfolio_png(tmp_path / "p.png", results=results, region="R1", attribution=ATTRIBUTION)
    (fig,) = saved
    footer = " ".join(_texts(fig)).replace("\n", " ")
    assert all(line in footer for line in ATTRIBUTION)


def test_network_plot_places_nodes_at_the_given_positions(tmp_path, saved):
    graph = nx.Graph()
    graph.add_nodes_from(["One", "Two", "Three & co"], size=1)
    graph.add_edge("Two", "Three & co", relatedness=0.55)
    # Keys by name and by slug; screen coordinates (y down).
    positions = {"One": (0.0, 0.0), "two": (10.0, 0.0), "three_co": (5.0, 8.0)}
    plot_network(graph, tmp_path / "net.png", positions=positions, title="Related")
    (fig,) = saved
    (axes,) = fig.axes
    assert axes.get_title() == "Related"
    where = {t.get_text(): tuple(t.get_position()) for t in axes.texts}
    assert where == {"One": (0.0, 0.0), "Two": (10.0, 0.0), "Three & co": (5.0, 8.0)}
    nodes = axes.collections[-1].get_offsets()  # the node markers, in graph order
    assert np.allclose(nodes, [[0.0, 0.0], [10.0, 0.0], [5.0, 8.0]])
    assert axes.yaxis_inverted()  # published positions are screen coordinates

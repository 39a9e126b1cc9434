"""The polygon edge index of Ripley's isotropic correction leaves every weight unchanged."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import MultiPolygon, Polygon

from clusteratlas.measures.pointpattern import as_window, numba_available
from clusteratlas.measures.pointpattern._edges import edge_index
from clusteratlas.measures.pointpattern.ripley import ripley_counts


def jagged_window() -> MultiPolygon:
    """A 200-vertex star-shaped outline with a hole, plus a separate island."""
    angles = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    radius = 10_000 + 2_500 * np.sin(7 * angles) + 800 * np.cos(23 * angles)
    outline = np.column_stack([radius * np.cos(angles), radius * np.sin(angles)])
    hole = [(-1500, -1000), (1500, -1200), (1800, 1400), (-1200, 1600)]
    island = Polygon([(16_000, 0), (20_000, 0), (20_000, 4_000), (16_000, 4_000)])
    return MultiPolygon([Polygon(outline, [hole]), island])


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_indexed_weights_equal_every_edge_visited(backend: str) -> None:
    if backend == "numba" and not numba_available():
        pytest.skip("numba not installed")
    none = np.zeros(0)
    window = as_window(jagged_window(), none, none)
    xy = window.sample(400 if backend == "numba" else 120, rng=11)
    r = np.linspace(0, 9_000, 19)
    plain = ripley_counts(xy[:, 0], xy[:, 1], r, window, corrected=True, backend=backend,
                          indexed=False)  # fmt: skip
    indexed = ripley_counts(xy[:, 0], xy[:, 1], r, window, corrected=True, backend=backend)
    np.testing.assert_array_equal(indexed, plain)
    # The correction did act: the weighted counts exceed the plain pair counts.
    raw = ripley_counts(xy[:, 0], xy[:, 1], r, window, corrected=False, backend=backend)
    assert indexed.sum() > raw.sum() * 1.01


def test_index_keeps_exactly_the_segments_within_reach() -> None:
    # Unit square's four edges; a point at (0.5, 0.2): distances 0.2 (bottom), 0.5 (left,
    # right), 0.8 (top). Within 0.55: bottom, left, right, nearest first.
    edges = np.array([[0, 0, 1, 0], [1, 0, 1, 1], [1, 1, 0, 1], [0, 1, 0, 0]], dtype=float)
    index = edge_index(edges, np.array([0.5]), np.array([0.2]), 0.55)
    assert list(index.near_edges) == [0, 1, 3]
    np.testing.assert_allclose(index.near_reach[:, 0], [0.2, 0.5, 0.5], rtol=1e-8)
    # Farthest points: bottom edge's ends at hypot(0.5, 0.2); the side edges' top ends.
    far = [np.hypot(0.5, 0.2), np.hypot(0.5, 0.8), np.hypot(0.5, 0.8)]
    np.testing.assert_allclose(index.near_reach[:, 1], far, rtol=1e-8)
    # Bands: every edge spanning a y lies in that y's band.
    ymin, height = index.band_geometry
    for y in (0.0, 0.3, 0.99):
        band = int((y - ymin) / height)
        members = set(index.band_edges[index.band_ptr[band] : index.band_ptr[band + 1]])
        assert {1, 3} <= members

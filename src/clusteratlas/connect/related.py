r"""Related clusters: between-cluster relatedness, its network, and agreement with DPS 2016.

:func:`between_cluster_relatedness` averages an industry × industry similarity over the
industry pairs of two clusters; :func:`rank_correlation` compares it with the published
table of Delgado, Porter & Stern (2016); :func:`related_cluster_graph` keeps the
strongest pairs as a networkx graph, written by :func:`write_network` and drawn by
:func:`plot_network`. Nothing here opens an input file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from clusteratlas._validation import RngLike, as_rng, check_columns, check_in, check_interval
from clusteratlas.connect.clustering import block_averages
from clusteratlas.errors import SchemaError
from clusteratlas.export import atomic_write

if TYPE_CHECKING:
    import networkx as nx

NETWORK_FORMATS: tuple[str, ...] = (".csv", ".graphml", ".json")


@dataclass(frozen=True)
class RankCorrelation:
    """Spearman rank correlation of our between-cluster relatedness with a published one."""

    statistic: float
    pvalue: float
    n_pairs: int
    column: str


def between_cluster_relatedness(similarity: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    r"""Average relatedness between the industries of every two clusters.

    Parameters
    ----------
    similarity : pandas.DataFrame
        Square industry × industry similarity (diagonal ignored, NaN = unknown pair).
    labels : pandas.Series
        Industry → cluster; industries missing from ``similarity`` are left out.

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair of distinct clusters (sorted): ``cluster_a``,
        ``cluster_b``, ``relatedness``, ``percentile`` (0–100, among these pairs),
        ``size_a``, ``size_b``.

    Notes
    -----
    :math:`B_{cd} = \frac{1}{|P_{cd}|}\sum_{(i,j) \in P_{cd}} S_{ij}` over the pairs
    :math:`P_{cd}` of an industry of c and an industry of d with a known similarity (the
    block average of :func:`~clusteratlas.connect.clustering.block_averages`, made exactly
    symmetric as :math:`(B_{cd} + B_{dc})/2`), and the
    percentile :math:`100\,(L + E/2)/n` among the n pairs with a value (L smaller, E equal,
    itself included), as in :func:`~clusteratlas.measures.relatedness.percentile_ranks`.
    """
    common = labels.index.intersection(similarity.index)
    if len(common) == 0:
        raise SchemaError("labels and similarity share no industry.")
    aligned = labels.reindex(common)
    matrix = similarity.reindex(index=common, columns=common)
    _, between = block_averages(matrix, aligned.to_numpy())
    between = (between + between.T) / 2  # exactly symmetric (sums in two orders differ)
    names = np.sort(aligned.unique())
    sizes = aligned.value_counts().reindex(names).to_numpy()
    a, b = np.nonzero(~np.eye(len(names), dtype=bool))
    out = pd.DataFrame(
        {
            "cluster_a": names[a],
            "cluster_b": names[b],
            "relatedness": between[a, b],
            "size_a": sizes[a],
            "size_b": sizes[b],
        }
    )
    values = out["relatedness"]
    out.insert(3, "percentile", (values.rank(method="average") - 0.5) / values.count() * 100)
    return out


def rank_correlation(
    ours: pd.DataFrame, published: pd.DataFrame, *, column: str = "cr_all"
) -> RankCorrelation:
    """Spearman rank correlation of our between-cluster relatedness with a published column.

    Parameters
    ----------
    ours : pandas.DataFrame
        :func:`between_cluster_relatedness` (``cluster_a``, ``cluster_b``, ``relatedness``).
    published : pandas.DataFrame
        The DPS table, with ``cluster_name``, ``cluster_name_2`` and ``column``.
    column : str, default "cr_all"
        ``cr_all`` (all linkages), ``cr_lc`` (co-location), ``cr_io`` (input–output)…

    Returns
    -------
    RankCorrelation
        Over the unordered pairs of distinct clusters found in both tables.
    """
    from scipy.stats import spearmanr

    check_columns(published, ["cluster_name", "cluster_name_2", column], what="published")
    check_columns(ours, ["cluster_a", "cluster_b", "relatedness"], what="ours")
    theirs = published.rename(columns={"cluster_name": "cluster_a", "cluster_name_2": "cluster_b"})
    merged = ours.merge(theirs[["cluster_a", "cluster_b", column]], on=["cluster_a", "cluster_b"])
    merged = merged[merged["cluster_a"].astype(str) < merged["cluster_b"].astype(str)]
    merged = merged.dropna(subset=["relatedness", column])
    if len(merged) < 3:
        raise SchemaError(
            f"Only {len(merged)} cluster pairs are in both tables; the cluster names must match."
        )
    result = spearmanr(merged["relatedness"], merged[column])
    return RankCorrelation(float(result.statistic), float(result.pvalue), len(merged), column)


def related_cluster_graph(between: pd.DataFrame, *, threshold: float = 90.0) -> nx.Graph:
    """Graph of related clusters: an edge where the pair's percentile is at least ``threshold``.

    Nodes are all clusters of ``between`` (attribute ``size``); edges carry ``relatedness``
    and ``percentile``. The relatedness is symmetric, so each unordered pair is one edge.
    """
    import networkx as nx

    check_interval(threshold, name="threshold", low=0.0, high=100.0)
    check_columns(between, ["cluster_a", "cluster_b", "relatedness", "percentile"], what="between")
    graph = nx.Graph()
    sizes = between["size_a"] if "size_a" in between else pd.Series(1, index=between.index)
    for name, size in zip(between["cluster_a"], sizes, strict=True):
        graph.add_node(str(name), size=int(size))
    keep = between[
        (between["percentile"] >= threshold) & (between["cluster_a"] < between["cluster_b"])
    ]
    columns = [keep[c].tolist() for c in ("cluster_a", "cluster_b", "relatedness", "percentile")]
    for a, b, value, percentile in zip(*columns, strict=True):
        graph.add_edge(str(a), str(b), relatedness=float(value), percentile=float(percentile))
    return graph


#: Attribution of the related-cluster outputs: built on CBP, BEA and the DPS definitions.
DPS_SOURCE = (
    "Source: U.S. Census Bureau, CBP 2019; U.S. BEA input-output accounts; Delgado, Porter & "
    "Stern (2016) benchmark clusters, U.S. Cluster Mapping Project"
)


def write_network(graph: nx.Graph, between: pd.DataFrame, path: str | Path) -> Path:
    """Write the related clusters by suffix: ``.graphml``, node-link ``.json`` or ``.csv``.

    The CSV holds every pair of ``between``; GraphML and JSON hold the graph. Writes are
    atomic (:func:`clusteratlas.export.atomic_write`).
    """
    import networkx as nx

    target = Path(path)
    suffix = target.suffix.lower()
    check_in(suffix, NETWORK_FORMATS, name="output suffix")
    graph = graph.copy()
    graph.graph["attribution"] = DPS_SOURCE
    between = between.assign(attribution=DPS_SOURCE)
    if suffix == ".graphml":
        return atomic_write(target, lambda tmp: nx.write_graphml(graph, tmp), what="GraphML")
    if suffix == ".json":
        text = json.dumps(nx.node_link_data(graph, edges="edges"), indent=1, ensure_ascii=False)
        return atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"), what="JSON")
    return atomic_write(target, lambda tmp: between.to_csv(tmp, index=False), what="CSV")


def slug(name: str) -> str:
    """``"Aerospace Vehicles and Defense"`` → ``"aerospace_vehicles_and_defense"``."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def plot_network(
    graph: nx.Graph,
    path: str | Path,
    *,
    positions: Mapping[str, tuple[float, float]] | None = None,
    rng: RngLike = 0,
    title: str = "Related clusters",
) -> Path:
    """Draw the graph to a PNG (matplotlib Agg); published positions where given.

    Nodes found in ``positions`` (name or :func:`slug` of the name → x, y) are placed there;
    the others by a spring layout seeded from ``rng`` (the fixed ones held in place).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx

    seed = int(as_rng(rng).integers(2**31 - 1))
    fixed: dict[Any, tuple[float, float]] = {}
    for node in graph.nodes:
        where = (positions or {}).get(node) or (positions or {}).get(slug(str(node)))
        if where is not None:
            fixed[node] = (float(where[0]), float(where[1]))
    layout = nx.spring_layout(
        graph, pos=fixed or None, fixed=list(fixed) or None, seed=seed, weight="relatedness"
    )
    figure, axes = plt.subplots(figsize=(12, 10))
    sizes = [20 + 4 * graph.nodes[n].get("size", 1) for n in graph.nodes]
    nx.draw_networkx_edges(graph, layout, ax=axes, alpha=0.3, edge_color="#555555")
    nx.draw_networkx_nodes(graph, layout, ax=axes, node_size=sizes, node_color="#4e7fa4")
    nx.draw_networkx_labels(graph, layout, ax=axes, font_size=6)
    axes.set_title(title)
    axes.set_axis_off()
    if fixed:
        axes.invert_yaxis()  # published positions are screen coordinates (y down)

    def save(tmp: Path) -> None:
        figure.savefig(tmp, format="png", dpi=120, bbox_inches="tight")

    try:
        return atomic_write(Path(path), save, what="network plot")
    finally:
        plt.close(figure)


__all__ = [
    "NETWORK_FORMATS",
    "RankCorrelation",
    "between_cluster_relatedness",
    "plot_network",
    "rank_correlation",
    "related_cluster_graph",
    "slug",
    "write_network",
]

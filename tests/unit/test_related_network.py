"""Between-cluster relatedness, rank correlation, network exports and the CLI's errors."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from clusteratlas.cli import related_commands  # noqa: F401  (registers the commands)
from clusteratlas.cli._common import app
from clusteratlas.connect import (
    between_cluster_relatedness,
    plot_network,
    rank_correlation,
    related_cluster_graph,
    write_network,
)
from clusteratlas.connect.related import DPS_SOURCE
from clusteratlas.connect.service import relatedness_matrices
from clusteratlas.errors import ParameterError, SchemaError

CODES = ["a", "b", "c", "d"]
SIMILARITY = pd.DataFrame(
    [
        [0.0, 0.2, 0.1, 0.2],
        [0.2, 0.0, 0.6, 0.5],
        [0.1, 0.6, 0.0, 0.8],
        [0.2, 0.5, 0.8, 0.0],
    ],
    index=CODES,
    columns=CODES,
)


def test_between_cluster_relatedness_by_hand() -> None:
    labels = pd.Series(["X", "X", "Y", "Y"], index=CODES)
    between = between_cluster_relatedness(SIMILARITY, labels)
    # X = {a, b}, Y = {c, d}: pairs ac 0.1, ad 0.2, bc 0.6, bd 0.5 -> mean 1.4 / 4 = 0.35
    assert between[["cluster_a", "cluster_b"]].to_numpy().tolist() == [["X", "Y"], ["Y", "X"]]
    assert between["relatedness"].tolist() == pytest.approx([0.35, 0.35])
    assert between["percentile"].tolist() == pytest.approx([50.0, 50.0])  # a tie of 2
    assert between["size_a"].tolist() == [2, 2]
    # three clusters {a}, {b}, {c, d}: a-b 0.2, a-cd 0.15, b-cd 0.55
    three = between_cluster_relatedness(SIMILARITY, pd.Series([1, 2, 3, 3], index=CODES))
    got = three.set_index(["cluster_a", "cluster_b"])["relatedness"]
    assert got[(1, 2)] == pytest.approx(0.2)
    assert got[(1, 3)] == pytest.approx(0.15)
    assert got[(3, 2)] == pytest.approx(0.55)
    # percentiles among 6 ordered pairs: 0.15 x2 -> (1.5 - 0.5)/6, 0.55 x2 -> (5.5 - 0.5)/6
    assert three.set_index(["cluster_a", "cluster_b"])["percentile"][(2, 3)] == pytest.approx(
        500 / 6
    )


def published_like(between: pd.DataFrame, transform: object) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cluster_name": between["cluster_a"],
            "cluster_name_2": between["cluster_b"],
            "cr_all": [transform(v) for v in between["relatedness"]],  # type: ignore[operator]
        }
    )


def test_rank_correlation_sanity() -> None:
    rng = np.random.default_rng(0)
    n = 6
    values = rng.random((n, n))
    values = (values + values.T) / 2
    names = [f"c{k}" for k in range(n)]
    between = between_cluster_relatedness(
        pd.DataFrame(values, index=names, columns=names), pd.Series(names, index=names)
    )
    same = rank_correlation(between, published_like(between, lambda v: np.exp(3 * v)))
    assert same.statistic == pytest.approx(1.0) and same.n_pairs == n * (n - 1) // 2
    reverse = rank_correlation(between, published_like(between, lambda v: -v))
    assert reverse.statistic == pytest.approx(-1.0)
    with pytest.raises(SchemaError, match="cluster names"):
        other = published_like(between, float).assign(cluster_name="zz")
        rank_correlation(between, other)


def graph_fixture() -> tuple[nx.Graph, pd.DataFrame]:
    labels = pd.Series([1, 2, 3, 3], index=CODES).map({1: "One", 2: "Two", 3: "Three & co"})
    between = between_cluster_relatedness(SIMILARITY, labels)
    return related_cluster_graph(between, threshold=60), between


def test_graph_and_exports_round_trip(tmp_path: Path) -> None:
    graph, between = graph_fixture()
    assert set(graph.nodes) == {"One", "Two", "Three & co"}
    assert [tuple(sorted(e)) for e in graph.edges] == [("Three & co", "Two")]  # 0.55 only
    write_network(graph, between, tmp_path / "net.graphml")
    back = nx.read_graphml(tmp_path / "net.graphml")
    assert set(back.nodes) == set(graph.nodes)
    assert back.edges["Two", "Three & co"]["relatedness"] == pytest.approx(0.55)
    assert back.nodes["Three & co"]["size"] == 2
    write_network(graph, between, tmp_path / "net.json")
    data = json.loads((tmp_path / "net.json").read_text(encoding="utf-8"))
    again = nx.node_link_graph(data, edges="edges")
    assert again.graph.pop("attribution") == DPS_SOURCE  # every output names its sources
    assert nx.utils.graphs_equal(again, graph)
    assert nx.read_graphml(tmp_path / "net.graphml").graph["attribution"] == DPS_SOURCE
    write_network(graph, between, tmp_path / "net.csv")
    table = pd.read_csv(tmp_path / "net.csv")
    assert len(table) == 6 and list(table.columns[:4]) == [
        "cluster_a",
        "cluster_b",
        "relatedness",
        "percentile",
    ]
    with pytest.raises(ParameterError, match="suffix"):
        write_network(graph, between, tmp_path / "net.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.csv", "net.graphml", "net.json"]


def test_plot_network(tmp_path: Path) -> None:
    graph, _ = graph_fixture()
    out = plot_network(graph, tmp_path / "a.png", rng=1)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    positions = {"one": (0.0, 0.0), "two": (1.0, 0.0), "three_co": (0.5, 1.0)}  # slugs
    plot_network(graph, tmp_path / "b.png", positions=positions)
    assert (tmp_path / "b.png").stat().st_size > 1000


def test_threshold_and_measure_errors() -> None:
    _, between = graph_fixture()
    with pytest.raises(ParameterError, match="threshold"):
        related_cluster_graph(between, threshold=120)
    with pytest.raises(ParameterError, match="measure"):
        relatedness_matrices("us-cbp", measures=["occupations"])
    with pytest.raises(ParameterError, match="source"):
        relatedness_matrices("jp-census")


def test_cli_rejects_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["related", "--measure", "bogus", "--output", str(tmp_path / "r.csv")]
    )
    assert isinstance(result.exception, ParameterError)
    assert "'measure'" in str(result.exception) and "bogus" in str(result.exception)
    result = runner.invoke(app, ["related", "--output", str(tmp_path / "r.xlsx")])
    assert isinstance(result.exception, ParameterError) and "suffix" in str(result.exception)
    result = runner.invoke(
        app,
        ["define-clusters", "--n-clusters", "forty", "--output", str(tmp_path / "d.csv")],
    )
    assert isinstance(result.exception, ParameterError)
    assert "--n-clusters" in str(result.exception)
    assert not list(tmp_path.iterdir())

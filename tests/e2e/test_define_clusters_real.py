"""End-to-end: define clusters from CBP 2019 and Eurostat SBS; relate the benchmark clusters.

The candidate grid is limited to keep the run under a minute.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score
from typer.testing import CliRunner

from clusteratlas.cli import related_commands  # noqa: F401  (registers the commands)
from clusteratlas.cli._common import app
from clusteratlas.connect import define_clusters, related_clusters_table
from clusteratlas.errors import ParameterError, UnknownCodeError

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def us(data_dir: Path) -> object:
    return define_clusters(
        "us-cbp",
        2019,
        n_clusters=[40, 50],
        methods=("complete", "kmeans-spectral", "spectral"),
        rng=0,
    )


def traded_in_cbp(data_dir: Path) -> set[str]:
    """Independently: benchmark traded 6-digit codes that CBP 2019 lists at 6 digits."""
    bench = pd.read_csv(data_dir / "clusters" / "us_benchmark_clusters_naics.csv", dtype=str)
    traded = set(bench.loc[bench["TradedLocal"].str.strip() == "Traded", "NAICS"].str.strip())
    with gzip.open(data_dir / "us" / "cbp2019_cbsa_naics.csv.gz", "rt") as handle:
        cbp = pd.read_csv(handle, dtype=str, usecols=["naics_code", "naics_level"])
    return traded & set(cbp.loc[cbp["naics_level"] == "6", "naics_code"])


def test_one_cluster_per_traded_industry(us: object, data_dir: Path) -> None:
    table = us.table  # type: ignore[attr-defined]
    assert set(table["industry"]) == traded_in_cbp(data_dir)
    assert table["industry"].is_unique and table["cluster"].notna().all()
    assert list(table.columns) == ["industry", "cluster", "label", "outlier", "best_other_cluster"]


def test_scores_and_selection(us: object) -> None:
    scores = us.result.scores  # type: ignore[attr-defined]
    assert len(scores) == 6
    values = scores.filter(like="vs_")
    assert ((values >= 0) & (values <= 1)).all().all()
    assert scores.loc[scores["selected"], "score"].iloc[0] >= scores["score"].max()


def test_ari_beats_random_baseline(us: object) -> None:
    labels = us.result.labels  # type: ignore[attr-defined]
    bench = us.table.set_index("industry")  # type: ignore[attr-defined]
    from clusteratlas.data.definitions import us_benchmark_definitions

    reference = us_benchmark_definitions(kind="traded").set_index("industry")["category"]
    reference = reference.reindex(bench.index)
    rng = np.random.default_rng(0)
    random_ari = max(
        adjusted_rand_score(reference, rng.permutation(labels.to_numpy())) for _ in range(20)
    )
    assert us.ari > random_ari + 0.05  # type: ignore[attr-defined]
    assert us.ari == pytest.approx(adjusted_rand_score(reference, labels))  # type: ignore[attr-defined]


def test_related_clusters_agree_with_published(tmp_path: Path) -> None:
    related = related_clusters_table("us-cbp", measure="colocation")
    assert related.correlation.column == "cr_lc" and related.correlation.n_pairs == 51 * 50 // 2
    assert related.correlation.statistic > 0.5
    result = CliRunner().invoke(
        app,
        [
            "related",
            "--measure",
            "io",
            "--output",
            str(tmp_path / "r.graphml"),
            "--plot",
            str(tmp_path / "r.png"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "rank correlation with the published cr_io" in result.output
    assert nx.read_graphml(tmp_path / "r.graphml").number_of_nodes() == 51
    assert (tmp_path / "r.png").stat().st_size > 10_000


def test_eu_divisions_and_bad_regions(tmp_path: Path, data_dir: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            *("define-clusters", "--source", "eu-sbs", "--year", "2014", "--n-clusters", "8:12:4"),
            *("--methods", "average,spectral", "--output", str(tmp_path / "eu.csv")),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "eu.csv", dtype={"industry": str})
    assert table["industry"].str.fullmatch(r"[B-S]\d\d").all() and len(table) > 50
    with pytest.raises(UnknownCodeError, match="XX"):
        define_clusters("eu-sbs", 2014, regions=["XX"], n_clusters=[8])
    with pytest.raises(ParameterError, match="regions"):
        define_clusters("eu-sbs", 2014, regions=[], n_clusters=[8])
    with pytest.raises(ParameterError, match="year"):
        define_clusters("eu-sbs", 2031, n_clusters=[8])

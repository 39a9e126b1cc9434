"""Define clusters and relate them, from a source's observations: load → measure → cluster.

The orchestration layer of :mod:`clusteratlas.connect`: it loads observations
(:func:`~clusteratlas.mapping.sources.load_observations`), builds the relatedness matrices,
runs :func:`~clusteratlas.connect.clustering.cluster_industries` and compares the result
with the US benchmark clusters of Delgado, Porter & Stern (2016). DPS also relate
industries by occupation similarity; no occupation data are in the catalog, so our
matrices are co-location (employment, establishments) and, in the US, input–output links.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from clusteratlas._validation import RngLike, check_in
from clusteratlas.connect.clustering import (
    METHODS,
    ClusteringResult,
    cluster_industries,
    combine_similarity,
)
from clusteratlas.connect.compare import (
    adjusted_rand,
    overlap_table,
    perturbed_ari,
    random_baseline_ari,
)
from clusteratlas.connect.related import (
    RankCorrelation,
    between_cluster_relatedness,
    rank_correlation,
    related_cluster_graph,
)
from clusteratlas.errors import ParameterError, UnknownCodeError
from clusteratlas.store import Store

SOURCE_MEASURES: dict[str, tuple[str, ...]] = {
    "us-cbp": ("colocation-employment", "colocation-establishments", "io"),
    "eu-sbs": ("colocation-employment", "colocation-establishments"),
}
#: ``related --measure`` → (matrices, published column it is compared with).
RELATED_MEASURES: dict[str, tuple[tuple[str, ...], str]] = {
    "colocation": (("colocation-employment", "colocation-establishments"), "cr_lc"),
    "io": (("io",), "cr_io"),
    "combined": (SOURCE_MEASURES["us-cbp"], "cr_all"),
}
DEFAULT_GRID: dict[str, range] = {"us-cbp": range(40, 71, 5), "eu-sbs": range(6, 21, 2)}
DEFAULT_YEARS: dict[str, int] = {"us-cbp": 2019, "eu-sbs": 2014}


@dataclass(frozen=True)
class DefinedClusters:
    """Clusters defined from a source, with their comparison to the benchmark (US).

    ``table`` has one row per industry: ``industry``, ``cluster``, ``label``, ``outlier``,
    ``best_other_cluster``. ``ari``, ``random_ari`` and ``perturbed_ari`` are NaN without a
    benchmark (EU).
    """

    source: str
    year: int
    measures: tuple[str, ...]
    result: ClusteringResult
    table: pd.DataFrame
    overlap: pd.DataFrame
    ari: float = float("nan")
    random_ari: float = float("nan")
    perturbed_ari: float = float("nan")
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class RelatedClusters:
    """Between-cluster relatedness of the benchmark clusters and its agreement with DPS."""

    measure: str
    between: pd.DataFrame
    correlation: RankCorrelation
    correlations: dict[str, RankCorrelation]
    graph: Any


def _observations(
    source: str, year: int, regions: Iterable[str] | None, store: Store | None
) -> pd.DataFrame:
    from clusteratlas.mapping.sources import get_source, load_observations

    if regions is not None:
        regions = [str(r) for r in regions]
        if not regions:
            raise ParameterError("The 'regions' parameter must name at least one region. Got none.")
    frame = load_observations(get_source(source), store=store)
    years = sorted(int(y) for y in frame["year"].unique())
    if year not in years:
        raise ParameterError(
            f"The 'year' parameter must be one of {years} for {source}. Got {year!r} instead."
        )
    frame = frame[frame["year"] == year]
    if regions is not None:
        wanted = list(regions)
        known = frame["region"].astype(str)
        keep = np.zeros(len(frame), dtype=bool)
        for code in wanted:
            hit = known.str.startswith(code).to_numpy()
            if not hit.any():
                raise UnknownCodeError(
                    f"Region {code!r} is not in {source} {year} (codes or prefixes)."
                )
            keep |= hit
        frame = frame[keep]
        if frame["region"].nunique() < 3:
            raise ParameterError(
                f"Co-location needs at least 3 regions; {wanted} give {frame['region'].nunique()}."
            )
    return frame.reset_index(drop=True)


def _benchmark() -> pd.Series:
    from clusteratlas.data.definitions import us_benchmark_definitions

    definitions = us_benchmark_definitions(kind="traded")
    return definitions.drop_duplicates("industry").set_index("industry")["category"]


def relatedness_matrices(
    source: str = "us-cbp",
    *,
    year: int | None = None,
    measures: Sequence[str] | None = None,
    industries: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
    store: Store | None = None,
) -> dict[str, pd.DataFrame]:
    """Return square industry × industry relatedness matrices for a source.

    ``colocation-*`` is :func:`~clusteratlas.measures.relatedness.colocation` of employment
    or establishments, correlating location quotients across regions (CBSAs, NUTS-2);
    ``io`` the BEA detail 2017 links of :func:`~clusteratlas.measures.io_links.io_links`
    carried to 6-digit NAICS (US only). US industries default to the benchmark traded
    industries present in CBP; EU industries to every division observed.
    """
    from clusteratlas.measures.relatedness import as_matrix, colocation

    check_in(source, tuple(SOURCE_MEASURES), name="source")
    chosen = tuple(measures or SOURCE_MEASURES[source])
    for measure in chosen:
        check_in(measure, SOURCE_MEASURES[source], name="measure")
    frame = _observations(source, year or DEFAULT_YEARS[source], regions, store)
    observed = set(frame["industry"])
    if industries is None:
        wanted = (
            sorted(set(_benchmark().index) & observed) if source == "us-cbp" else sorted(observed)
        )
    else:
        wanted = sorted({str(code) for code in industries})
        unknown = [code for code in wanted if code not in observed]
        if unknown:
            raise UnknownCodeError(f"Industries not observed in {source}: {unknown[:10]}.")
    frame = frame[frame["industry"].isin(wanted)]
    out: dict[str, pd.DataFrame] = {}
    for measure in chosen:
        if measure.startswith("colocation"):
            value = "employment" if measure.endswith("employment") else "establishments"
            out[measure] = as_matrix(colocation(frame, value=value, on="lq"))
        else:
            out[measure] = _io_matrix(pd.Index(wanted))
    index = pd.Index(wanted, name="industry")
    return {name: m.reindex(index=index, columns=index) for name, m in out.items()}


def _io_matrix(index: pd.Index) -> pd.DataFrame:
    from clusteratlas.data.io_tables import io_industry_naics, read_bea_make, read_bea_use
    from clusteratlas.measures.io_links import io_links, naics_io_links
    from clusteratlas.measures.relatedness import as_matrix

    links = io_links(read_bea_use(level="detail"), read_bea_make(level="detail"))
    return as_matrix(naics_io_links(links, io_industry_naics(level="detail"))).reindex(
        index=index, columns=index
    )


def _labels(
    source: str, labels: pd.Series, frame_titles: pd.Series, benchmark: pd.Series | None
) -> pd.Series:
    if benchmark is not None:
        table = overlap_table(labels, benchmark)
        return labels.map(dict(zip(table["cluster"], table["best_match"], strict=True)))
    # the cluster's industry with the most employment names it
    titles = {}
    for cluster, members in labels.groupby(labels):
        top = frame_titles.reindex(members.index).sort_values(ascending=False).index[0]
        titles[cluster] = str(top)
    return labels.map(titles)


def define_clusters(
    source: Literal["us-cbp", "eu-sbs"] = "us-cbp",
    year: int | None = None,
    *,
    n_clusters: Iterable[int] | None = None,
    methods: Sequence[str] = METHODS,
    measures: Sequence[str] | None = None,
    standardise: Literal["zscore", "percentile"] = "percentile",
    regions: Iterable[str] | None = None,
    rng: RngLike = 0,
    store: Store | None = None,
) -> DefinedClusters:
    """Define clusters of related industries from a source, as DPS (2016) do.

    Parameters
    ----------
    source : {"us-cbp", "eu-sbs"}
        US CBP (benchmark traded 6-digit NAICS industries present, CBSAs) or Eurostat SBS
        (NACE divisions, NUTS-2; co-location only).
    year : int, optional
        2019 for us-cbp, 2008–2015 for eu-sbs (default 2014).
    n_clusters : iterable of int, optional
        Candidate numbers of clusters (default 40–70 by 5 for US, 6–20 by 2 for EU).
    methods, standardise, rng
        See :func:`~clusteratlas.connect.clustering.cluster_industries`.
    measures : sequence of str, optional
        Relatedness matrices (:data:`SOURCE_MEASURES`); all of the source's by default.
    regions : iterable of str, optional
        Region codes or prefixes to keep (e.g. ``["DE", "FR"]``); all by default.
    store : Store, optional
        Cache of parsed observations.

    Returns
    -------
    DefinedClusters
        For the US also the adjusted Rand index with the 51 benchmark traded clusters, the
        mean ARI of 20 random clusterings with our cluster sizes and the ARI of the
        benchmark with itself after moving 10 % of its industries at random.
    """
    check_in(source, tuple(SOURCE_MEASURES), name="source")
    year = year or DEFAULT_YEARS[source]
    matrices = relatedness_matrices(
        source, year=year, measures=measures, regions=regions, store=store
    )
    grid = DEFAULT_GRID[source] if n_clusters is None else n_clusters
    result = cluster_industries(
        matrices, n_clusters=grid, methods=methods, standardise=standardise, rng=rng
    )
    labels = result.labels
    notes = ["No occupation similarity (DPS use one): not in the catalog."]
    benchmark = _benchmark() if source == "us-cbp" else None
    employment = _observations(source, year, regions, store).groupby("industry")["employment"].sum()
    if source == "eu-sbs":
        from clusteratlas.data.definitions import nace_division_definitions

        names = nace_division_definitions().set_index("industry")["category_label"]
        employment.index = [f"{code} {names.get(code, '')}".strip() for code in employment.index]
        labels_named = labels.rename(index=lambda code: f"{code} {names.get(code, '')}".strip())
        label = pd.Series(
            _labels(source, labels_named, employment, None).to_numpy(), index=labels.index
        )
    else:
        label = _labels(source, labels, employment, benchmark)
    outliers = result.outliers.set_index("industry")
    table = pd.DataFrame(
        {
            "industry": labels.index.to_numpy(),
            "cluster": labels.to_numpy(),
            "label": label.to_numpy(),
            "outlier": outliers["outlier"].reindex(labels.index).to_numpy(),
            "best_other_cluster": outliers["best_other_cluster"].reindex(labels.index).to_numpy(),
        }
    )
    if benchmark is None:
        return DefinedClusters(
            source,
            year,
            tuple(matrices),
            result,
            table,
            overlap_table(labels, labels),
            notes=tuple(notes),
        )
    return DefinedClusters(
        source,
        year,
        tuple(matrices),
        result,
        table,
        overlap_table(labels, benchmark),
        ari=adjusted_rand(labels, benchmark),
        random_ari=random_baseline_ari(labels, benchmark, rng=rng),
        perturbed_ari=perturbed_ari(benchmark.reindex(labels.index), share=0.1, rng=rng),
        notes=tuple(notes),
    )


def published_relatedness() -> pd.DataFrame:
    """Return the published DPS (2016) table of the 51 × 51 traded-cluster pairs."""
    from clusteratlas.data.catalog import dataset_path

    return pd.read_csv(dataset_path(None, "us_related_clusters"))


def published_positions() -> dict[str, tuple[float, float]]:
    """Return the published network positions of the traded clusters (slug → x, y), if any."""
    from clusteratlas.data.catalog import dataset_path

    path = dataset_path(None, "us_related_clusters").parent / "us_cluster_positions.json"
    if not path.is_file():
        return {}
    document = json.loads(path.read_text(encoding="utf-8"))
    return {key: (float(v["x"]), float(v["y"])) for key, v in document.items()}


def related_clusters_table(
    source: str = "us-cbp",
    *,
    measure: str = "combined",
    year: int | None = None,
    threshold: float = 90.0,
    store: Store | None = None,
) -> RelatedClusters:
    """Between-cluster relatedness of the 51 benchmark traded clusters from our matrices.

    ``measure`` is ``colocation`` (employment and establishments), ``io`` or ``combined``
    (all three, percentile-averaged by
    :func:`~clusteratlas.connect.clustering.combine_similarity`); the result's
    ``correlation`` is its Spearman rank correlation with the published ``cr_lc``,
    ``cr_io`` or ``cr_all`` respectively (``correlations`` with all three).
    """
    check_in(source, ("us-cbp",), name="source")
    check_in(measure, tuple(RELATED_MEASURES), name="measure")
    names, column = RELATED_MEASURES[measure]
    matrices = relatedness_matrices(source, year=year, measures=names, store=store)
    similarity = (
        combine_similarity(matrices) if len(matrices) > 1 else next(iter(matrices.values()))
    )
    between = between_cluster_relatedness(similarity, _benchmark())
    published = published_relatedness()
    correlations = {
        c: rank_correlation(between, published, column=c) for c in ("cr_all", "cr_lc", "cr_io")
    }
    graph = related_cluster_graph(between, threshold=threshold)
    return RelatedClusters(measure, between, correlations[column], correlations, graph)


__all__ = [
    "DEFAULT_GRID",
    "RELATED_MEASURES",
    "SOURCE_MEASURES",
    "DefinedClusters",
    "RelatedClusters",
    "define_clusters",
    "published_positions",
    "published_relatedness",
    "related_clusters_table",
    "relatedness_matrices",
]

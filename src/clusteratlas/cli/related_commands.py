"""Commands that define clusters of related industries and relate clusters to each other."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clusteratlas.cli._common import (
    DEFAULT_YEARS,
    DbOption,
    SourceOption,
    YearOption,
    app,
    check_writable,
    console,
    err_console,
    open_store,
    show_table,
)
from clusteratlas.errors import ParameterError


def _grid(text: str | None) -> range | None:
    """Parse ``--n-clusters`` as ``K``, ``LOW:HIGH`` or ``LOW:HIGH:STEP`` (inclusive)."""
    if text is None:
        return None
    try:
        parts = [int(p) for p in text.split(":")]
    except ValueError:
        parts = []
    if not 1 <= len(parts) <= 3 or (len(parts) == 3 and parts[2] < 1):
        raise ParameterError(
            f"The '--n-clusters' option takes K, LOW:HIGH or LOW:HIGH:STEP, e.g. 40:70:5. "
            f"Got {text!r} instead."
        )
    low, high = parts[0], parts[1] if len(parts) > 1 else parts[0]
    return range(low, high + 1, parts[2] if len(parts) == 3 else 1)


@app.command("define-clusters")
def define_clusters_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV: one row per industry.")],
    source: SourceOption = "us-cbp",
    year: YearOption = None,
    n_clusters: Annotated[
        str | None,
        typer.Option("--n-clusters", help="Candidates: K, LOW:HIGH or LOW:HIGH:STEP."),
    ] = None,
    methods: Annotated[
        str | None,
        typer.Option("--methods", help="Comma list: average,complete,ward,kmeans-rows,…"),
    ] = None,
    region: Annotated[
        list[str] | None,
        typer.Option("--region", help="Keep regions with this code or prefix (repeatable)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    db: DbOption = None,
) -> None:
    """Define clusters of related industries from co-location (and US IO links), as DPS 2016.

    Example: `clusteratlas define-clusters --source us-cbp --year 2019 --output clusters.csv`
    """
    from clusteratlas.connect.clustering import METHODS
    from clusteratlas.connect.service import define_clusters
    from clusteratlas.export import write_table

    check_writable(output)
    chosen = tuple(m.strip() for m in methods.split(",")) if methods else METHODS
    with err_console.status("Measuring relatedness and clustering …"):
        defined = define_clusters(
            source,  # type: ignore[arg-type]  # checked by define_clusters
            year or DEFAULT_YEARS.get(source, 0),
            n_clusters=_grid(n_clusters),
            methods=chosen,
            regions=region,
            rng=seed,
            store=open_store(db),
        )
    result = defined.result
    best = result.scores[result.scores["selected"]].iloc[0]
    score_columns = [c for c in result.scores.columns if c.startswith("vs_")]
    show_table(
        defined.overlap, "Clusters and their best match", columns=list(defined.overlap.columns)
    )
    console.print(
        f"Selected: {result.method}, {result.n_clusters} clusters, mean validation score "
        f"{best['score']:.3f} (of {len(result.scores)} candidates)"
    )
    for column in score_columns:
        console.print(f"  {column}: {best[column]:.3f}")
    console.print(
        f"Outlier industries: {int(defined.table['outlier'].sum())} of {len(defined.table)}"
    )
    if defined.ari == defined.ari:  # not NaN: a benchmark exists
        console.print(
            f"ARI vs the 51 benchmark traded clusters: {defined.ari:.3f} "
            f"(random clusterings of the same sizes: {defined.random_ari:.3f}; "
            f"benchmark with 10 % of industries moved: {defined.perturbed_ari:.3f})"
        )
    for note in defined.notes:
        err_console.print(f"note: {note}", highlight=False)
    from clusteratlas.mapping.sources import get_source

    datasets = ["us_benchmark_clusters", "bea_use_detail_2017"] if source == "us-cbp" else []
    texts = get_source(source).attribution(tuple(datasets))
    write_table(defined.table, output, attribution=texts)
    console.print(f"Wrote {len(defined.table)} industries to {output}")


@app.command("related")
def related_command(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="`.csv` (all pairs), `.graphml` or `.json`.")
    ],
    source: SourceOption = "us-cbp",
    measure: Annotated[
        str, typer.Option("--measure", help="`colocation`, `io` or `combined`.")
    ] = "combined",
    year: YearOption = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Edge when the pair's percentile ≥ this.")
    ] = 90.0,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Also draw the network (PNG).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Relate the 51 benchmark traded clusters and compare with the published relatedness.

    Example: `clusteratlas related --source us-cbp --measure combined --output rel.graphml`
    """
    from clusteratlas._validation import check_in
    from clusteratlas.connect.related import NETWORK_FORMATS, plot_network, write_network
    from clusteratlas.connect.service import published_positions, related_clusters_table

    check_in(output.suffix.lower(), NETWORK_FORMATS, name="--output suffix")
    check_writable(output)
    if plot is not None:
        check_writable(plot)
    with err_console.status(f"Relating clusters by {measure} …"):
        related = related_clusters_table(
            source, measure=measure, year=year, threshold=threshold, store=open_store(db)
        )
    shown = related.between.sort_values("relatedness", ascending=False, ignore_index=True)
    shown = shown[shown["cluster_a"] < shown["cluster_b"]]
    show_table(shown, f"Most related clusters ({measure})", columns=list(shown.columns), limit=15)
    rc = related.correlation
    console.print(
        f"Spearman rank correlation with the published {rc.column}: {rc.statistic:.3f} "
        f"over {rc.n_pairs} cluster pairs"
    )
    for column, other in related.correlations.items():
        if column != rc.column:
            console.print(f"  (with {column}: {other.statistic:.3f})")
    write_network(related.graph, related.between, output)
    console.print(
        f"Wrote {output} ({related.graph.number_of_nodes()} clusters, "
        f"{related.graph.number_of_edges()} edges at percentile ≥ {threshold:g})"
    )
    if plot is not None:
        plot_network(
            related.graph,
            plot,
            positions=published_positions(),
            title=f"Related clusters ({measure})",
        )
        console.print(f"Wrote {plot}")

"""``clusteratlas detect all``: Kd or M of every industry of a register, ranked by localisation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clusteratlas.cli._common import check_writable, console, err_console, show_table
from clusteratlas.cli.detect_commands import (
    CellOption,
    ColumnOption,
    EnvelopeOption,
    JobsOption,
    SeedOption,
    WeightOption,
    WindowOption,
    detect_app,
    load_window,
)
from clusteratlas.errors import ParameterError


@detect_app.command("all")
def detect_all_command(
    points: Annotated[
        Path,
        typer.Option(
            "--points",
            help="CSV, Parquet or GeoParquet of located establishments, or a register folder "
            "of SIRENE-layout Parquet parts (`clusteratlas register generate`).",
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Parquet file of every curve to write.")
    ],
    industry_column: ColumnOption = "industry",
    weight_column: WeightOption = None,
    level: Annotated[
        str,
        typer.Option(help="NAF level of the industries: `naf` (as given), `class`, `group`, "
                     "`division`."),
    ] = "naf",
    min_plants: Annotated[
        int, typer.Option("--min-plants", help="Establishments an industry needs to be measured.")
    ] = 10,
    measure: Annotated[str, typer.Option(help="`kd` (Duranton–Overman) or `m` (Marcon–Puech).")] = "kd",
    simulations: Annotated[
        int, typer.Option("--simulations", help="Simulations of the null per industry.")
    ] = 99,
    envelope: EnvelopeOption = "global",
    seed: SeedOption = None,
    window: WindowOption = None,
    crs: Annotated[
        str | None, typer.Option(help="CRS of plain x/y columns (e.g. EPSG:4326).")
    ] = None,
    to_crs: Annotated[
        str | None,
        typer.Option("--to-crs", help="Projected CRS to measure in (a register: Lambert-93)."),
    ] = None,
    jobs: JobsOption = 1,
    approx_from: Annotated[
        int | None,
        typer.Option(
            "--approx-from",
            help="Kd of industries with at least this many establishments from gridded counts "
            "(e.g. 100000); their error bound is in the summary. Default: all exact.",
        ),
    ] = None,
    cell: CellOption = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="`local` (default: industries one after another on this machine) or `spark` "
            "(each industry's simulations spread over the Spark executors).",
        ),
    ] = "local",
    spark_master: Annotated[
        str | None, typer.Option("--spark-master", help="Spark master URL (default local[2]).")
    ] = None,
) -> None:  # fmt: skip
    """Measure every industry with enough establishments and rank them by localisation.

    Writes the curves and envelopes (one row per industry and distance) to --output and a
    summary, most localised first (Γ, Ψ, p-value of the global test, localised distances),
    to OUTPUT_summary.csv, as Duranton and Overman's tables do. An interrupted run resumes:
    finished industries are kept in OUTPUT.partial/ until the output is written.
    Example: `clusteratlas detect all --points firms.csv --min-plants 10 --simulations 99
    --seed 1 --output kd_all.parquet`
    """
    from clusteratlas.detect.scan import load_located_points, remove_checkpoint, scan_industries
    from clusteratlas.export import atomic_write

    if engine not in ("local", "spark"):
        raise ParameterError(
            f"The '--engine' option of detect all takes `local` or `spark`. Got {engine!r}."
        )
    if spark_master is not None and engine != "spark":
        raise ParameterError("The '--spark-master' option needs '--engine spark'.")
    if cell is not None and approx_from is None:
        raise ParameterError(
            "The '--cell' option is the grid of '--approx-from'; add '--approx-from'."
        )
    if output.suffix.lower() != ".parquet":
        raise ParameterError(
            f"The '--output' option takes a .parquet file. Got {str(output)!r} instead."
        )
    summary_path = output.with_name(f"{output.stem}_summary.csv")
    check_writable(output)
    checkpoint = output.with_name(output.name + ".partial")
    # A window file or region is brought into the CRS the points are measured in.
    region = load_window(window, to_crs or ("EPSG:2154" if points.is_dir() else crs))
    frame, unlocated = load_located_points(
        points, industry_column=industry_column, weight_column=weight_column, level=level,
        crs=crs, to_crs=to_crs,
    )  # fmt: skip
    if unlocated:
        err_console.print(f"{unlocated:,} establishments without coordinates are left out.")
    from contextlib import ExitStack

    from rich.progress import Progress

    with ExitStack() as stack, Progress(console=err_console, transient=True) as bar:
        spark = None
        if engine == "spark":
            from clusteratlas.engine.backends import connect

            spark = stack.enter_context(connect("spark", spark_master=spark_master)).session
        task = bar.add_task("Industries", total=None)

        def update(done: int, total: int, industry: str) -> None:
            bar.update(task, completed=done, total=total, description=f"Industry {industry}")

        try:
            result = scan_industries(
                frame, weight="weight" if weight_column else None, measure=measure,
                min_plants=min_plants, simulations=simulations, envelope=envelope,
                window=region, seed=seed, n_jobs=jobs, checkpoint=checkpoint,
                progress=update, approx_from=approx_from, cell=cell, spark=spark,
            )  # fmt: skip
        except KeyboardInterrupt:
            err_console.print(
                f"Interrupted: the finished industries are kept in {checkpoint}; run the same "
                "command again to resume.",
                highlight=False,
            )
            raise typer.Exit(130) from None
    atomic_write(output, lambda tmp: result.curves.to_parquet(tmp, index=False), what="output")
    atomic_write(summary_path, lambda tmp: result.summary.to_csv(tmp, index=False), what="summary")
    remove_checkpoint(checkpoint)
    measured = len(result.summary)
    if result.resumed:
        console.print(f"Resumed {result.resumed} of {measured} industries from {checkpoint}.")
    show_table(
        result.summary.head(10),
        f"Most localised industries ({result.function}, {simulations} simulations, seed "
        f"{result.seed})",
        columns=["rank", "industry", "plants", "gamma", "pvalue", "localised_from", "localised_to"],
    )
    approximate = result.summary.dropna(subset=["error_bound"])
    if len(approximate):
        console.print(
            f"{len(approximate)} {'industry' if len(approximate) == 1 else 'industries'} "
            "measured from gridded counts: largest error measured on a sample "
            f"{approximate['error_measured'].max():.3g} per metre, at most "
            f"{approximate['error_bound'].max():.3g} (columns error_measured and error_bound "
            "of the summary).",
            highlight=False,
        )
    localised = int(result.summary["localised"].sum())
    console.print(
        f"{measured} industries measured ({localised} localised, "
        f"{int(result.summary['dispersed'].sum())} dispersed); {len(result.skipped)} with "
        f"fewer than {min_plants} establishments left out. Wrote {output} and {summary_path}.",
        highlight=False,
    )

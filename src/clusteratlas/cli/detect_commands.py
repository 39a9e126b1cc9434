"""Commands of the Detect pillar: firm-level concentration (Kd, M, Ripley's K) from points."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from clusteratlas.cli._common import (
    app,
    check_writable,
    console,
    err_console,
    option_names,
    show_table,
)
from clusteratlas.errors import ParameterError, SchemaError

detect_app = typer.Typer(
    help="Detect concentration from firm locations: Kd, M and Ripley's K with envelopes.",
    no_args_is_help=True,
)
app.add_typer(detect_app, name="detect")

PointsOption = Annotated[
    Path, typer.Option("--points", help="CSV of points: coordinates in metres, industry code.")
]
OutputOption = Annotated[Path, typer.Option("--output", "-o", help="CSV file to write.")]
IndustryOption = Annotated[str, typer.Option("--industry", help="The industry measured.")]
XOption = Annotated[str, typer.Option("--x", help="Column of x coordinates (metres).")]
YOption = Annotated[str, typer.Option("--y", help="Column of y coordinates (metres).")]
ColumnOption = Annotated[str, typer.Option("--industry-column", help="Column of industry codes.")]
WeightOption = Annotated[
    str | None, typer.Option("--weight-column", help="Column of weights (e.g. employees).")
]
WindowOption = Annotated[
    str | None,
    typer.Option(
        "--window",
        help="Rectangle XMIN,YMIN,XMAX,YMAX, a boundary file (.geojson, .gpkg, .shp, "
        ".parquet) or a region code of the shipped boundaries (a French département: 67, "
        "2A; a NUTS 2013 code: FRF11). Default: the points' box.",
    ),
]
CrsOption = Annotated[
    str | None,
    typer.Option(
        "--crs",
        help="Projected CRS of x/y (e.g. EPSG:2154): a --window file or region in another "
        "CRS is reprojected to it (and says so).",
    ),
]
ROption = Annotated[
    str | None,
    typer.Option("--r", help="Distances: comma-separated (0,100,200) or a CSV with column r."),
]
SimOption = Annotated[int, typer.Option("--simulations", help="Simulations of the null (0: none).")]
EnvelopeOption = Annotated[
    str,
    typer.Option(
        "--envelope",
        help="Envelope: `rank` (global extreme rank length, recommended), `global` (Duranton–"
        "Overman), `dbmss` (dbmss's GlobalEnvelope) or `pointwise`.",
    ),
]
SeedOption = Annotated[int | None, typer.Option("--seed", help="Seed of the simulations.")]
PlotOption = Annotated[Path | None, typer.Option("--plot", help="Also write a PNG chart.")]
JobsOption = Annotated[int, typer.Option("--jobs", help="Threads running simulations.")]
CellOption = Annotated[
    float | None,
    typer.Option(
        "--cell",
        help="Side (metres) of the grid cells of approximate Kd curves; default the extent "
        "over 2,048.",
    ),
]


def read_points(path: Path, industry_column: str) -> pd.DataFrame:
    """Read a CSV of points, industry codes as text."""
    if not path.is_file():
        raise ParameterError(f"The points file {str(path)!r} does not exist.")
    from clusteratlas.data._compressed import decompression_errors

    with decompression_errors(path):
        try:
            return pd.read_csv(path, dtype={industry_column: str})
        except (ValueError, pd.errors.ParserError) as err:
            raise SchemaError(f"Cannot read the points file {str(path)!r}: {err}") from err


def parse_window(text: str | None) -> tuple[float, ...] | None:
    """Parse ``XMIN,YMIN,XMAX,YMAX``."""
    if text is None:
        return None
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4:
        raise ParameterError(
            f"The '--window' option takes XMIN,YMIN,XMAX,YMAX in metres. Got {text!r} instead."
        )
    return values


def load_window(text: str | None, crs: str | None = None) -> Any:
    """Return the window of ``--window``: a rectangle, or a polygon read from a file or region.

    A polygon is reprojected to ``crs`` (the points' CRS) when its own differs; what was read
    and done is printed on stderr.
    """
    if text is None:
        return None
    parts = [part.strip() for part in text.split(",")]
    try:
        [float(part) for part in parts]
        numbers = len(parts) > 1  # "67" is a département, "0,0,1000,1000" a rectangle
    except ValueError:
        numbers = False
    if numbers:
        return parse_window(text)
    from clusteratlas.data.windows import read_window

    source = read_window(text, crs=crs)
    console.print(f"Window: {source.description}.", highlight=False)
    return source.geometry


def parse_r(text: str | None) -> list[float] | None:
    """Parse ``--r``: comma-separated distances, or a CSV file with a column ``r``."""
    if text is None:
        return None
    path = Path(text)
    if path.suffix.lower() == ".csv" or path.is_file():
        if not path.is_file():
            raise ParameterError(f"The '--r' file {text!r} does not exist.")
        frame = pd.read_csv(path)
        if "r" not in frame.columns:
            raise SchemaError(f"The '--r' file {text!r} needs a column 'r'.")
        return [float(v) for v in frame["r"]]
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError as err:
        raise ParameterError(
            f"The '--r' option takes distances in metres, e.g. 0,100,200, or a CSV file with a "
            f"column r. Got {text!r} instead."
        ) from err


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[int, int], None] | None]:
    """Show a Rich progress bar on stderr; yield the ``progress(done, total)`` callback."""
    if total <= 0:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("Simulating", total=total)

        def update(done: int, _total: int) -> None:
            bar.update(task, completed=done)

        yield update


def _finish(result: Any, frame: pd.DataFrame, output: Path, plot: Path | None) -> None:
    from clusteratlas.export import atomic_write

    atomic_write(output, lambda tmp: frame.to_csv(tmp, index=False), what="output")
    if plot is not None:
        result.plot(plot)
    console.print(f"Wrote {len(frame)} distances to {output}" + (f" and {plot}" if plot else ""))


def _start(output: Path, plot: Path | None, simulations: int) -> None:
    check_writable(output)
    if plot is not None:
        check_writable(plot)
    if simulations < 0:
        raise ParameterError(f"The '--simulations' option must be >= 0. Got {simulations}.")


def _run_function(
    function: Callable[..., Any],
    test: Callable[..., Any],
    *,
    points: Path,
    industry: str,
    output: Path,
    x: str,
    y: str,
    industry_column: str,
    weight_column: str | None,
    window: str | None,
    r: str | None,
    simulations: int,
    envelope: str,
    seed: int | None,
    plot: Path | None,
    jobs: int,
    crs: str | None = None,
    approximation: dict[str, Any] | None = None,
) -> None:
    """Compute a distance-based function (Kd or M), with its envelope when simulated.

    ``approximation`` (Kd only) holds ``approx`` and ``cell``; with simulations the observed
    curve is computed on the test's cells, so that curve and band are the same estimate.
    """
    _start(output, plot, simulations)
    frame_in = read_points(points, industry_column)
    options: dict[str, Any] = {
        "industry": industry, "x": x, "y": y, "industry_column": industry_column,
        "weight": weight_column, "window": load_window(window, crs), "r": parse_r(r),
    }  # fmt: skip
    approximate = dict(approximation or {})
    tested: Any = None
    if simulations:
        with progress_bar(simulations) as progress:
            tested = test(
                frame_in, **options, simulations=simulations, envelope=envelope, rng=seed,
                n_jobs=jobs, progress=progress, **approximate,
            )  # fmt: skip
        if tested.approximate:
            approximate["cell"] = tested.cell
    result: Any = function(frame_in, **options, **approximate)
    frame = result.to_frame()
    if getattr(result, "approximate", False):
        console.print(
            f"Approximate Kd from {result.cell:,.1f} m cells: error measured on a sample "
            f"{result.error_measured:.3g} per metre, at most {result.error_bound:.3g} (the "
            f"curve's maximum is {float(result.kd.max()):.3g}).",
            highlight=False,
        )
    if tested is not None:
        frame = frame.assign(lower=tested.lower, upper=tested.upper)
        result = tested
        console.print(f"Global test (extreme rank length): p = {tested.pvalue:.3g}")
        console.print(
            f"Band: {tested.band}; {tested.n_inside} of {tested.n_simulations} simulated "
            "curves lie wholly inside it",
            highlight=False,
        )
    _finish(result, frame, output, plot)


@detect_app.command("kd")
def kd_command(
    points: PointsOption, industry: IndustryOption, output: OutputOption,
    x: XOption = "x", y: YOption = "y", industry_column: ColumnOption = "industry",
    weight_column: WeightOption = None, window: WindowOption = None, r: ROption = None,
    simulations: SimOption = 0, envelope: EnvelopeOption = "global", seed: SeedOption = None,
    plot: PlotOption = None, jobs: JobsOption = 1, crs: CrsOption = None,
    approx: Annotated[
        bool,
        typer.Option(
            "--approx",
            help="Pair distances from gridded counts (for 100,000 firms and more); the error "
            "bound is printed.",
        ),
    ] = False,
    cell: CellOption = None,
) -> None:  # fmt: skip
    """Duranton and Overman's Kd (as dbmss's Kdhat), with an envelope of random location.

    Example: `clusteratlas detect kd --points firms.csv --industry A --window 0,0,10000,10000
    --simulations 99 --seed 1 --output kd.csv`
    """
    from clusteratlas.measures.pointpattern import kd, kd_test

    if cell is not None and not approx:
        raise ParameterError("The '--cell' option is the grid of '--approx'; add '--approx'.")
    _run_function(
        kd, kd_test, points=points, industry=industry, output=output, x=x, y=y,
        industry_column=industry_column, weight_column=weight_column, window=window, r=r,
        simulations=simulations, envelope=envelope, seed=seed, plot=plot, jobs=jobs, crs=crs,
        approximation={"approx": True, "cell": cell} if approx else None,
    )  # fmt: skip


@detect_app.command("m")
def m_command(
    points: PointsOption, industry: IndustryOption, output: OutputOption,
    x: XOption = "x", y: YOption = "y", industry_column: ColumnOption = "industry",
    weight_column: WeightOption = None, window: WindowOption = None, r: ROption = None,
    simulations: SimOption = 0, envelope: EnvelopeOption = "global", seed: SeedOption = None,
    plot: PlotOption = None, jobs: JobsOption = 1, crs: CrsOption = None,
) -> None:  # fmt: skip
    """Marcon and Puech's M (as dbmss's Mhat), with an envelope of random location.

    Example: `clusteratlas detect m --points firms.csv --industry A --weight-column weight
    --output m.csv`
    """
    from clusteratlas.measures.pointpattern import m_function, m_test

    _run_function(
        m_function, m_test, points=points, industry=industry, output=output, x=x, y=y,
        industry_column=industry_column, weight_column=weight_column, window=window, r=r,
        simulations=simulations, envelope=envelope, seed=seed, plot=plot, jobs=jobs, crs=crs,
    )  # fmt: skip


@detect_app.command("k")
def k_command(
    points: PointsOption, industry: IndustryOption, output: OutputOption,
    x: XOption = "x", y: YOption = "y", industry_column: ColumnOption = "industry",
    window: WindowOption = None, r: ROption = None, plot: PlotOption = None,
    crs: CrsOption = None,
    correction: Annotated[
        str, typer.Option("--correction", help="Edge correction: `ripley` or `none`.")
    ] = "ripley",
) -> None:  # fmt: skip
    """Ripley's K and Besag's L with Ripley's isotropic edge correction (rectangle or polygon).

    Example: `clusteratlas detect k --points firms.csv --industry A --window 0,0,10000,10000
    --output k.csv`; in a département: `--window 67 --crs EPSG:2154`.
    """
    from clusteratlas.measures.pointpattern import ripley_k

    _start(output, plot, 0)
    frame_in = read_points(points, industry_column)
    result = ripley_k(
        frame_in, industry=industry, x=x, y=y, industry_column=industry_column,
        window=load_window(window, crs), r=parse_r(r), correction=correction,
    )  # fmt: skip
    _finish(result, result.to_frame(), output, plot)


@detect_app.command("eg")
def eg_command(
    output: OutputOption,
    establishments: Annotated[
        Path | None,
        typer.Option(
            "--establishments",
            help="Establishments file (default: the real Strasbourg 2010 SIRENE extract).",
        ),
    ] = None,
    layout: Annotated[
        str, typer.Option(help="Layout of --establishments: `points` (canonical) or `sirene`.")
    ] = "points",
    levels: Annotated[
        str, typer.Option(help="Areal levels (region columns), comma-separated.")
    ] = "iris,commune",
    industry_level: Annotated[
        str, typer.Option(help="NAF level: `naf`, `class`, `group` or `division`.")
    ] = "naf",
    min_plants: Annotated[int, typer.Option(help="Plants needed for a `reliable` row.")] = 20,
    max_herfindahl: Annotated[
        float, typer.Option(help="Largest plant Herfindahl H for a `reliable` row.")
    ] = 0.1,
    top: Annotated[int, typer.Option(help="Reliable rows shown per level.")] = 10,
) -> None:
    """Ellison–Glaeser and Maurel–Sédillot indices and the locational Gini of every industry.

    Rows with few plants or one dominant plant (high H) have huge γ with huge standard
    errors; they are kept in the output but marked `reliable = False`. MS γ is shown
    beside EG γ with `gamma_gap` = MS − EG: a large negative gap means the industry is
    under-represented in the large areas (it avoids the city rather than clusters).
    Example: `clusteratlas detect eg --levels iris,commune --output eg.csv`
    """
    from clusteratlas.data.establishments_io import (
        read_points,
        read_sirene,
        read_strasbourg_extract,
    )
    from clusteratlas.detect import agglomeration_table

    check_writable(output)
    if establishments is None:
        frame = read_strasbourg_extract()
        attribution = ["Source: INSEE, SIRENE"]
    elif layout == "sirene":
        frame, attribution = read_sirene(establishments), ["Source: INSEE, SIRENE"]
    elif layout == "points":
        frame, attribution = read_points(establishments), []
    else:
        raise ParameterError(f"The '--layout' option must be 'points' or 'sirene'. Got {layout!r}.")
    chosen = [level.strip() for level in levels.split(",") if level.strip()]
    with err_console.status("Computing the indices of every industry …"):
        table = agglomeration_table(
            frame, levels=chosen, industry_level=industry_level, missing="drop"
        )
    table["z_gamma"] = table["gamma"] / table["sd_gamma"]
    table["reliable"] = (table["n_plants"] >= min_plants) & (table["H"] <= max_herfindahl)
    from clusteratlas.export import write_table

    write_table(table, output, attribution=attribution)
    for level in chosen:
        rows = table[(table["level"] == level) & table["reliable"]].nlargest(top, "gamma")
        show_table(
            rows,
            f"Most localised industries across {level} (n_plants ≥ {min_plants}, H ≤ {max_herfindahl})",
            columns=[
                "industry",
                "n_plants",
                "employment",
                "H",
                "gamma",
                "gamma_ms",
                "gamma_gap",
                "z_gamma",
                "gini",
            ],
        )
    console.print(
        "gamma_gap = MS γ − EG γ: strongly negative when the industry avoids the large "
        "areas (localised around, not in, the dominant commune)."
    )
    console.print(f"Wrote {len(table):,} rows to {output}")


@detect_app.command("footprints")
def footprints_command(
    points: PointsOption,
    industry: Annotated[
        str, typer.Option("--industry", help="Industry code(s), comma-separated (a category).")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="GeoJSON or GeoParquet file of footprints.")
    ],
    x: XOption = "x",
    y: YOption = "y",
    industry_column: ColumnOption = "industry",
    weight_column: WeightOption = None,
    method: Annotated[str, typer.Option(help="`hdbscan` or `dbscan`.")] = "hdbscan",
    min_cluster_size: Annotated[int, typer.Option(help="Establishments per footprint.")] = 5,
    eps: Annotated[float | None, typer.Option(help="DBSCAN radius in metres.")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of x/y, e.g. EPSG:2154.")] = None,
    simulations: SimOption = 99,
    seed: SeedOption = None,
) -> None:
    """Delineate an industry's concentrations (HDBSCAN/DBSCAN) and test each against the null.

    Example: `clusteratlas detect footprints --points firms.csv --industry A --crs EPSG:2154
    --weight-column weight --simulations 99 --seed 1 --output footprints.geojson`
    """
    from clusteratlas.detect.footprints import footprints, write_footprints

    check_writable(output)
    codes = [code.strip() for code in industry.split(",") if code.strip()]
    frame_in = read_points(points, industry_column)
    with (
        err_console.status(f"Delineating footprints ({simulations} simulations) …"),
        option_names(crs="--crs"),
    ):
        found = footprints(
            frame_in,
            industry=codes if len(codes) > 1 else codes[0],
            x=x,
            y=y,
            industry_column=industry_column,
            weight=weight_column,
            method=method,
            min_cluster_size=min_cluster_size,
            eps=eps,
            simulations=simulations,
            rng=seed,
            crs=crs,
        )
    write_footprints(found, output)
    show_table(
        found.drop(columns="geometry"),
        f"Footprints of {industry}",
        columns=[
            "footprint",
            "n_establishments",
            "employment",
            "area_km2",
            "density",
            "pvalue",
            "significant",
        ],
    )
    console.print(f"Wrote {len(found)} footprints to {output}")

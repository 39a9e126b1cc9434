r"""Every industry of a register in one run: Kd or M with envelopes, resumable, ranked.

Duranton and Overman (2005) computed :math:`K_d` for every four-digit industry of UK
manufacturing and ranked the industries by their localisation index :math:`\Gamma`; this
module does the same for any register of located establishments. For each industry with at
least ``min_plants`` establishments it runs :func:`~clusteratlas.measures.pointpattern.kd_test`
(or :func:`~clusteratlas.measures.pointpattern.m_test`) and keeps the curve, its envelope,
the global localisation and dispersion indices

.. math:: \Gamma = \int \max(\hat K(r) - \overline{K}(r), 0)\,dr, \qquad
          \Psi = \int \max(\underline{K}(r) - \hat K(r), 0)\,dr \ \text{ when } \Gamma = 0,

and the p-value of the global extreme rank length test (Myllymäki et al. 2017).

Interrupted runs resume: with a ``checkpoint`` folder, each finished industry is written
there at once (atomically), and a later call with the same inputs and options reads the
finished industries back instead of computing them again. Industry ``k`` of the sorted list
draws its simulations from the ``k``-th child of the seed, so a resumed run gives the same
numbers as an uninterrupted one. With a Spark session, each industry's simulations are
spread over the executors, with the same numbers.

References
----------
Duranton, G. and Overman, H. G. (2005). Testing for localization using micro-geographic
data. *Review of Economic Studies* 72(4): 1077-1106.
Myllymäki, M., Mrkvička, T., Grabarnik, P., Seijo, H. and Hahn, U. (2017). Global envelope
tests for spatial processes. *Journal of the Royal Statistical Society B* 79(2): 381-404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, check_in, check_interval
from clusteratlas.detect._checkpoint import (
    fingerprint,
    is_finished,
    read_part,
    remove_checkpoint,
    resolve_seed,
    write_part,
)
from clusteratlas.errors import ParameterError
from clusteratlas.measures.pointpattern.windows import as_window

MEASURES = ("kd", "m")
SUMMARY_COLUMNS = (
    "rank", "industry", "plants", "gamma", "psi", "pvalue", "localised", "dispersed",
    "localised_from", "localised_to", "band", "n_inside", "simulations", "error_bound",
    "error_measured",
)  # fmt: skip

#: Industries per Spark job in :func:`scan_industries` (a job's results reach the checkpoint
#: when it ends, so an interruption loses at most this many industries' work).
SPARK_CHUNK = 16

IndustryProgress = Callable[[int, int, str], None]
"""Called with (industries done, industries in all, the industry just done)."""


@dataclass(frozen=True)
class ScanResult:
    """Every industry's curve and envelope, and the industries ranked by localisation.

    Attributes
    ----------
    curves : pandas.DataFrame
        Tidy: ``industry``, ``r``, the function (``kd``, ``kd_weighted`` or ``m``),
        ``lower``, ``upper``.
    summary : pandas.DataFrame
        One row per industry measured, most localised first (:data:`SUMMARY_COLUMNS`):
        ``gamma`` and ``psi`` as above, ``pvalue`` of the global test, ``localised``
        (``gamma > 0``) and ``dispersed`` (``psi > 0``), the first and last localised
        distance, the band in words, how many simulated curves lie inside it and, for an
        industry measured from gridded counts (``approx_from``), the ``error_bound`` of its
        curves and the ``error_measured`` of its observed curve on a sample (both missing
        when exact).
    skipped : pandas.DataFrame
        Industries with fewer than ``min_plants`` establishments: ``industry``, ``plants``.
    resumed : int
        Industries read back from the checkpoint instead of computed.
    function : str
        ``"kd"``, ``"kd_weighted"`` or ``"m"``.
    seed : int
        The seed the simulations were drawn from (give it again to reproduce the run).
    """

    curves: pd.DataFrame
    summary: pd.DataFrame
    skipped: pd.DataFrame
    resumed: int
    function: str
    seed: int


def scan_industries(
    points: pd.DataFrame,
    *,
    industry_column: str = "industry",
    x: str = "x",
    y: str = "y",
    weight: str | None = None,
    measure: str = "kd",
    min_plants: int = 10,
    simulations: int = 99,
    envelope: str = "global",
    alpha: float = 0.05,
    window: Any = None,
    r: Any = None,
    seed: int | None = None,
    n_jobs: int = 1,
    checkpoint: str | Path | None = None,
    progress: IndustryProgress | None = None,
    approx_from: int | None = None,
    cell: float | None = None,
    spark: Any = None,
) -> ScanResult:
    r"""Measure the localisation of every industry of a register, as Duranton and Overman did.

    Parameters
    ----------
    points : pandas.DataFrame
        One row per establishment: coordinates in metres (``x``, ``y``), an industry code
        (text) and optionally a weight.
    industry_column, x, y, weight : str
        Column names; ``weight`` (e.g. employees) tests the weighted Kd or weights M.
    measure : {"kd", "m"}
        Duranton and Overman's Kd (:func:`~clusteratlas.measures.pointpattern.kd_test`) or
        Marcon and Puech's M (:func:`~clusteratlas.measures.pointpattern.m_test`).
    min_plants : int, default 10
        Industries with fewer establishments are listed in ``skipped`` (Duranton and Overman
        left out industries with fewer than 10).
    simulations : int, default 99
        Simulations of the null (random location among all sites) per industry.
    envelope : {"global", "rank", "dbmss", "pointwise"}
        The band :math:`\Gamma` and :math:`\Psi` are measured against (see
        :func:`~clusteratlas.measures.pointpattern.kd_test`); the p-value is always the
        extreme rank length test's.
    alpha : float, default 0.05
        Level of the envelope.
    window, r
        As for :func:`~clusteratlas.measures.pointpattern.kd_test`; one window for all.
    seed : int, optional
        Seed of the simulations; by default a fresh one, returned in the result and kept in
        the checkpoint so that a resumed run goes on with it.
    n_jobs : int, default 1
        Threads running each industry's simulations (the result does not depend on it).
    checkpoint : str or pathlib.Path, optional
        Folder where each finished industry is saved at once; a later call with the same
        points and options resumes from it. Left in place: remove it once the output is
        written (:func:`remove_checkpoint`).
    progress : callable(done, total, industry), optional
        Called after each industry.
    approx_from : int, optional
        Industries with at least this many establishments have their curves computed from
        gridded counts (``kd_test(..., approx=True)``; Kd only): 99 exact curves of an
        industry of 100,000 firms take hours. Their summary row gives ``error_bound``, the
        largest distance of any of their curves to its exact kernel sum (per metre); it is
        missing for the industries measured exactly. By default every industry is exact.
    cell : float, optional
        Side of the grid cells (metres) of the approximate industries; default the longer
        side of the sites' extent over 2,048.
    spark : pyspark.sql.SparkSession, optional
        Distribute each industry's simulations over this session's executors
        (:func:`~clusteratlas.engine.spark_simulations.spark_envelopes`), :data:`SPARK_CHUNK`
        industries per Spark job, each saved to the checkpoint as its job ends. Every
        industry's numbers are those of the local run with the same seed. The sites travel
        to every task, so they should fit in a worker's memory (1,000,000 sites: 24 MB);
        ``n_jobs`` is then unused.

    Returns
    -------
    ScanResult

    Raises
    ------
    SchemaError
        When a column is missing.
    ParameterError
        When an option is out of range, no industry has ``min_plants`` establishments, or the
        checkpoint was written by a run with other points or options.
    """
    check_in(measure, MEASURES, name="measure")
    check_interval(min_plants, name="min_plants", low=2)
    check_interval(simulations, name="simulations", low=1)
    if approx_from is not None:
        check_interval(approx_from, name="approx_from", low=2)
        if measure != "kd":
            raise ParameterError(
                f"The 'approx_from' parameter approximates Kd only; measure {measure!r} is "
                "always exact (M counts neighbours up to each distance, with no kernel to "
                "bound the error of gridded counts)."
            )
    columns = [industry_column, x, y] + ([weight] if weight else [])
    check_columns(points, columns, what="points")
    codes = points[industry_column].astype("string")
    counts = codes.value_counts(dropna=True).sort_index()
    measured = [str(code) for code in counts.index[counts >= min_plants]]
    few = counts[counts < min_plants]
    skipped = pd.DataFrame({"industry": few.index.astype(str), "plants": few.to_numpy()})
    if not measured:
        raise ParameterError(
            f"No industry has {min_plants} establishments or more (the largest has "
            f"{int(counts.max()) if len(counts) else 0}); lower min_plants."
        )
    options = {
        "measure": measure, "min_plants": int(min_plants), "simulations": int(simulations),
        "envelope": envelope, "alpha": float(alpha), "weight": weight,
        "window": None if window is None else as_window(window, np.zeros(1), np.zeros(1)).key(),
        "r": None if r is None else [float(v) for v in r],
        "points": fingerprint(points[columns]), "industries": measured,
    }  # fmt: skip
    if approx_from is not None:
        # Only then, so that checkpoints of exact runs made before the option still resume.
        options["approx"] = {
            "from": int(approx_from),
            "cell": None if cell is None else float(cell),
        }
    folder = Path(checkpoint) if checkpoint is not None else None
    seed = resolve_seed(folder, options, seed)
    from clusteratlas.measures.pointpattern import kd_test, m_test

    test = kd_test if measure == "kd" else m_test
    frame = points[columns].assign(**{industry_column: codes})
    children = np.random.SeedSequence(seed).spawn(len(measured))
    curves: list[pd.DataFrame] = []
    rows: list[dict[str, Any]] = []
    resumed = 0
    function = measure
    common: dict[str, Any] = {
        "x": x, "y": y, "industry_column": industry_column, "weight": weight, "r": r,
        "window": window, "envelope": envelope, "alpha": alpha,
    }  # fmt: skip
    computed: dict[int, tuple[pd.DataFrame, dict[str, Any]]] = {}
    for done, (code, child) in enumerate(zip(measured, children, strict=True), start=1):
        index = done - 1
        saved = computed.pop(index, None)
        if saved is None:
            saved = read_part(folder, index)
            resumed += saved is not None
        if saved is None and spark is None:
            result = test(
                frame, industry=code, simulations=int(simulations),
                rng=np.random.default_rng(child), n_jobs=n_jobs,
                **_approximation(measure, int(counts[code]), approx_from, cell), **common,
            )  # fmt: skip
            saved = _industry_tables(result, plants=int(counts[code]))
            write_part(folder, index, saved)
        elif saved is None:
            # The next industries without a saved part go to Spark together.
            chunk = [i for i in range(index, len(measured)) if not is_finished(folder, i)]
            for i, tables in _on_spark(
                spark, frame, chunk[:SPARK_CHUNK], codes=measured, counts=counts,
                children=children, measure=measure, simulations=int(simulations),
                approx_from=approx_from, cell=cell, options=common,
            ):  # fmt: skip
                write_part(folder, i, tables)
                computed[i] = tables
            saved = computed.pop(index)
        curve, row = saved
        function = str(curve.columns[2])
        curves.append(curve)
        rows.append(row)
        if progress is not None:
            progress(done, len(measured), code)
    return ScanResult(
        curves=pd.concat(curves, ignore_index=True),
        summary=_ranked(pd.DataFrame(rows)),
        skipped=skipped.reset_index(drop=True),
        resumed=resumed,
        function=function,
        seed=seed,
    )


def _industry_tables(result: Any, *, plants: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    curve = result.to_frame()
    curve.insert(0, "industry", result.industry)
    localised = result.localised
    row = {
        "industry": result.industry, "plants": plants, "gamma": result.gamma,
        "psi": result.psi, "pvalue": result.pvalue, "localised": bool(result.gamma > 0),
        "dispersed": bool(result.psi > 0),
        "localised_from": float(localised.min()) if len(localised) else np.nan,
        "localised_to": float(localised.max()) if len(localised) else np.nan,
        "band": result.band, "n_inside": int(result.n_inside),
        "simulations": int(result.n_simulations),
        "error_bound": np.nan if result.error_bound is None else float(result.error_bound),
        "error_measured": (
            np.nan if result.error_measured is None else float(result.error_measured)
        ),
    }  # fmt: skip
    return curve, row


def _on_spark(
    spark: Any, frame: pd.DataFrame, chunk: list[int], *, codes: list[str], counts: pd.Series,
    children: list[np.random.SeedSequence], measure: str, simulations: int,
    approx_from: int | None, cell: float | None, options: dict[str, Any],
) -> list[tuple[int, tuple[pd.DataFrame, dict[str, Any]]]]:  # fmt: skip
    """Test the industries of ``chunk`` on Spark; exact and gridded ones in separate jobs."""
    from clusteratlas.engine.spark_simulations import spark_envelopes

    # One job per set of kd_test options: a job's industries share them.
    groups: dict[bool, tuple[dict[str, Any], list[int]]] = {}
    for i in chunk:
        approximation = _approximation(measure, int(counts[codes[i]]), approx_from, cell)
        groups.setdefault(bool(approximation), (approximation, []))[1].append(i)
    done = []
    for approximation, members in groups.values():
        results = spark_envelopes(
            spark, frame, industries=[codes[i] for i in members], function=measure,
            simulations=simulations, seeds=[children[i] for i in members],
            **approximation, **options,
        )  # fmt: skip
        for i in members:
            done.append((i, _industry_tables(results[codes[i]], plants=int(counts[codes[i]]))))
    return done


def _approximation(
    measure: str, plants: int, approx_from: int | None, cell: float | None
) -> dict[str, Any]:
    """Options of ``kd_test`` for an industry: gridded counts from ``approx_from`` plants."""
    if measure != "kd" or approx_from is None or plants < approx_from:
        return {}
    return {"approx": True, "cell": cell}


def _ranked(summary: pd.DataFrame) -> pd.DataFrame:
    # Most localised first (Duranton and Overman rank by Γ); ties (Γ = 0) by dispersion, least
    # dispersed first, then by code.
    ordered = summary.sort_values(
        ["gamma", "psi", "industry"], ascending=[False, True, True], kind="mergesort"
    ).reset_index(drop=True)
    ordered.insert(0, "rank", np.arange(1, len(ordered) + 1))
    # Parts saved before the error columns existed resume with them missing.
    return ordered.reindex(columns=list(SUMMARY_COLUMNS))


def load_located_points(
    path: str | Path,
    *,
    industry_column: str = "industry",
    weight_column: str | None = None,
    level: str = "naf",
    crs: Any = None,
    to_crs: Any = None,
) -> tuple[pd.DataFrame, int]:
    """Read establishments with coordinates for :func:`scan_industries`.

    Parameters
    ----------
    path : str or pathlib.Path
        A CSV, Parquet or GeoParquet file of points (coordinates ``x``/``y`` or a point
        geometry), or a register folder of SIRENE-layout Parquet parts (as written by
        ``clusteratlas register generate``), projected to Lambert-93 unless ``to_crs`` says
        otherwise.
    industry_column, weight_column : str
        Columns of a points file (a register has its own).
    level : {"naf", "class", "group", "division"}
        NAF level of the industries of a register or of NAF-coded points (``"naf"``: as
        given).
    crs, to_crs
        CRS of plain ``x``/``y`` columns and the projected CRS to measure in (needed for
        longitude/latitude).

    Returns
    -------
    (pandas.DataFrame, int)
        Canonical establishments (``industry``, ``x``, ``y``, ``weight``) with coordinates,
        and the number of establishments left out for having none.
    """
    from clusteratlas.data.establishments import naf_codes
    from clusteratlas.data.establishments_io import read_points, read_sirene

    source = Path(path)
    if source.is_dir():
        parts = sorted(source.glob("*.parquet"))
        if not parts:
            raise ParameterError(f"The register folder {str(source)!r} holds no .parquet file.")
        options = {} if to_crs is None else {"to_crs": to_crs}
        frame = pd.concat([read_sirene(part, **options) for part in parts], ignore_index=True)
    elif source.is_file():
        columns = {"industry": industry_column}
        if weight_column is not None:
            columns["weight"] = weight_column
        frame = read_points(source, columns=columns, crs=crs, to_crs=to_crs)
    else:
        raise ParameterError(f"The points file {str(source)!r} does not exist.")
    if level != "naf":
        frame = frame.assign(industry=naf_codes(frame["industry"], level))
    located = frame["x"].notna() & frame["y"].notna()
    return frame[located].reset_index(drop=True), int((~located).sum())


__all__ = [
    "SPARK_CHUNK",
    "SUMMARY_COLUMNS",
    "ScanResult",
    "load_located_points",
    "remove_checkpoint",
    "scan_industries",
]

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
numbers as an uninterrupted one.

References
----------
Duranton, G. and Overman, H. G. (2005). Testing for localization using micro-geographic
data. *Review of Economic Studies* 72(4): 1077-1106.
Myllymäki, M., Mrkvička, T., Grabarnik, P., Seijo, H. and Hahn, U. (2017). Global envelope
tests for spatial processes. *Journal of the Royal Statistical Society B* 79(2): 381-404.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, check_in, check_interval
from clusteratlas.errors import ParameterError
from clusteratlas.export import atomic_write
from clusteratlas.measures.pointpattern.windows import as_window

MEASURES = ("kd", "m")
SUMMARY_COLUMNS = (
    "rank", "industry", "plants", "gamma", "psi", "pvalue", "localised", "dispersed",
    "localised_from", "localised_to", "band", "n_inside", "simulations", "error_bound",
    "error_measured",
)  # fmt: skip

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
        "points": _fingerprint(points[columns]), "industries": measured,
    }  # fmt: skip
    if approx_from is not None:
        # Only then, so that checkpoints of exact runs made before the option still resume.
        options["approx"] = {
            "from": int(approx_from),
            "cell": None if cell is None else float(cell),
        }
    folder = Path(checkpoint) if checkpoint is not None else None
    seed = _resolve_seed(folder, options, seed)
    from clusteratlas.measures.pointpattern import kd_test, m_test

    test = kd_test if measure == "kd" else m_test
    frame = points[columns].assign(**{industry_column: codes})
    children = np.random.SeedSequence(seed).spawn(len(measured))
    curves: list[pd.DataFrame] = []
    rows: list[dict[str, Any]] = []
    resumed = 0
    function = measure
    for done, (code, child) in enumerate(zip(measured, children, strict=True), start=1):
        saved = _read_part(folder, done - 1)
        if saved is None:
            result = test(
                frame, industry=code, x=x, y=y, industry_column=industry_column,
                weight=weight, r=r, window=window, simulations=int(simulations),
                envelope=envelope, alpha=alpha, rng=np.random.default_rng(child), n_jobs=n_jobs,
                **_approximation(measure, int(counts[code]), approx_from, cell),
            )  # fmt: skip
            saved = _industry_tables(result, plants=int(counts[code]))
            _write_part(folder, done - 1, saved)
        else:
            resumed += 1
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


def remove_checkpoint(checkpoint: str | Path) -> None:
    """Remove a checkpoint folder written by :func:`scan_industries` (and nothing else)."""
    folder = Path(checkpoint)
    if (folder / "run.json").is_file():
        shutil.rmtree(folder)


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


def _fingerprint(frame: pd.DataFrame) -> str:
    """Return a digest of the points, so that a checkpoint is never resumed on other data."""
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def _resolve_seed(folder: Path | None, options: dict[str, Any], seed: int | None) -> int:
    if seed is not None:
        check_interval(seed, name="seed", low=0)
    meta = folder / "run.json" if folder is not None else None
    if meta is not None and meta.is_file():
        saved = json.loads(meta.read_text(encoding="utf-8"))
        differs = sorted(k for k in options if saved["options"].get(k) != options[k])
        if differs:
            raise ParameterError(
                f"The checkpoint {str(folder)!r} belongs to a run with other "
                f"{', '.join(differs)}; give the same ones to resume, or remove the folder "
                "to start again."
            )
        if seed is not None and seed != saved["seed"]:
            raise ParameterError(
                f"The checkpoint {str(folder)!r} was drawn with seed {saved['seed']}, not "
                f"{seed}; give the same seed to resume, or remove the folder."
            )
        return int(saved["seed"])
    chosen = int(seed) if seed is not None else int(np.random.default_rng().integers(2**63))
    if folder is not None and meta is not None:
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"seed": chosen, "options": options})
        atomic_write(meta, lambda tmp: tmp.write_text(text, encoding="utf-8"), what="checkpoint")
    return chosen


def _part(folder: Path, index: int) -> tuple[Path, Path]:
    return folder / f"curve-{index:05d}.parquet", folder / f"summary-{index:05d}.json"


def _write_part(
    folder: Path | None, index: int, tables: tuple[pd.DataFrame, dict[str, Any]]
) -> None:
    if folder is None:
        return
    curve_path, row_path = _part(folder, index)
    curve, row = tables
    atomic_write(curve_path, lambda tmp: curve.to_parquet(tmp, index=False), what="checkpoint")
    # The summary row is written last: its presence marks the industry as finished.
    text = json.dumps(row, default=float)
    atomic_write(row_path, lambda tmp: tmp.write_text(text, encoding="utf-8"), what="checkpoint")


def _read_part(folder: Path | None, index: int) -> tuple[pd.DataFrame, dict[str, Any]] | None:
    if folder is None:
        return None
    curve_path, row_path = _part(folder, index)
    if not (row_path.is_file() and curve_path.is_file()):
        return None
    row = json.loads(row_path.read_text(encoding="utf-8"))
    return pd.read_parquet(curve_path), row


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

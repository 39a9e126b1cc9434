"""A synthetic national establishment register in the SIRENE stock layout, for scale tests.

What is real and what is not
----------------------------
* **Real:** the joint distribution of activity (NAF rév. 2 sub-class) and INSEE employee
  band is the empirical one of the real SIRENE 2010 extract of the Strasbourg area
  (81,921 establishments, :func:`~clusteratlas.data.establishments_io.read_strasbourg_extract`);
  the 96 metropolitan départements, their codes (``2A``/``2B`` for Corsica) and their
  bounding boxes come from ``fr/departements.geojson`` (IGN Admin Express).
* **Synthetic:** the regional mix. Départements are drawn with probability proportional to
  their land area (computed from the polygons), a crude proxy: real registers concentrate
  in cities, and the NAF mix of Strasbourg is applied everywhere. Communes are synthetic
  codes (département + a 3-digit number drawn from a Zipf-like law over 1…400, so a few
  communes are large); coordinates are uniform in the département's bounding box
  (longitude/latitude, WGS84), not in the commune. Creation dates, closures and SIRETs
  are random. Nothing here is a statistic about France; use it to measure speed and
  memory, never to map clusters.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import as_rng, check_interval, optional_import
from clusteratlas.errors import DataNotFoundError, ParameterError

_COMMUNES_PER_DEPARTEMENT = 400
_CLOSED_SHARE = 0.15


def _departements(path: str | Path | None) -> pd.DataFrame:
    if path is None:
        from clusteratlas.data.catalog import resolve

        path = resolve("fr_departements")
    if not Path(path).is_file():
        raise DataNotFoundError(
            f"The départements boundaries {path} do not exist; pass departements=PATH to a "
            "GeoJSON of the départements (properties code, nom)."
        )
    rows = []
    for feature in json.loads(Path(path).read_text(encoding="utf-8"))["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        area, points = 0.0, []
        for polygon in polygons:
            for k, ring in enumerate(polygon):
                xy = np.asarray(ring, dtype=float)
                points.append(xy)
                x = xy[:, 0] * np.cos(np.radians(xy[:, 1].mean()))
                shoelace = 0.5 * abs(
                    np.dot(x, np.roll(xy[:, 1], 1)) - np.dot(xy[:, 1], np.roll(x, 1))
                )
                area += shoelace if k == 0 else -shoelace  # holes
        every = np.vstack(points)
        rows.append(
            (str(feature["properties"]["code"]), area, *every.min(axis=0), *every.max(axis=0))
        )
    return pd.DataFrame(rows, columns=["code", "area", "lon0", "lat0", "lon1", "lat1"])


def _industry_bands(extract: str | Path | None) -> pd.DataFrame:
    from clusteratlas.data.establishments_io import read_strasbourg_extract

    real = read_strasbourg_extract(extract)
    pairs = real.groupby(["industry", "size_band"]).size().rename("n").reset_index()
    code = pairs["industry"]
    pairs["naf"] = code.str[:2] + "." + code.str[2:]
    pairs["p"] = pairs["n"] / pairs["n"].sum()
    return pairs


def _chunk(
    start: int, n: int, rng: np.random.Generator, mix: pd.DataFrame, deps: pd.DataFrame
) -> Any:
    pa = optional_import("pyarrow", extra="scale")
    pair = rng.choice(len(mix), size=n, p=mix["p"].to_numpy())
    dep = rng.choice(len(deps), size=n, p=(deps["area"] / deps["area"].sum()).to_numpy())
    ranks = np.arange(1, _COMMUNES_PER_DEPARTEMENT + 1)
    commune = rng.choice(ranks, size=n, p=(1 / ranks) / (1 / ranks).sum())
    codes = pd.Series(deps["code"].to_numpy()[dep]) + pd.Series(commune).map("{:03d}".format)
    lon = rng.uniform(deps["lon0"].to_numpy()[dep], deps["lon1"].to_numpy()[dep])
    lat = rng.uniform(deps["lat0"].to_numpy()[dep], deps["lat1"].to_numpy()[dep])
    created = np.datetime64("2024-12-31") - rng.exponential(4000, size=n).astype("timedelta64[D]")
    created = np.maximum(created, np.datetime64("1950-01-01"))
    closed = rng.random(n) < _CLOSED_SHARE
    lifetime = (rng.random(n) * (np.datetime64("2025-01-01") - created)).astype("timedelta64[D]")
    since = np.where(closed, created + lifetime, created)
    return pa.table(
        {
            "siret": pa.array([f"{i:014d}" for i in range(start + 1, start + n + 1)]),
            "activitePrincipaleEtablissement": pa.array(mix["naf"].to_numpy()[pair]),
            "trancheEffectifsEtablissement": pa.array(mix["size_band"].to_numpy()[pair]),
            "codeCommuneEtablissement": pa.array(codes.to_numpy(dtype=str)),
            "longitude": pa.array(lon),
            "latitude": pa.array(lat),
            "dateCreationEtablissement": pa.array(created.astype("datetime64[D]")),
            "etatAdministratifEtablissement": pa.array(np.where(closed, "F", "A")),
            "dateDebut": pa.array(since.astype("datetime64[D]")),
        }
    )


def generate_register(
    path: str | Path,
    *,
    n: int,
    rng: Any = None,
    chunk_size: int = 1_000_000,
    departements: str | Path | None = None,
    extract: str | Path | None = None,
) -> list[Path]:
    """Write a synthetic establishment register as Parquet chunks with bounded memory.

    Parameters
    ----------
    path : str or pathlib.Path
        Directory to create (or fill); files are ``part-00000.parquet`` … Parts of an
        earlier register in the same directory (``part-*.parquet``) are replaced or removed,
        so that the directory holds this register only.
    n : int
        Number of establishments.
    rng : None, int or numpy.random.Generator
        Randomness (SPEC 7); chunk ``k`` uses the ``k``-th child generator, so the output
        does not depend on anything but ``rng``, ``n`` and ``chunk_size``.
    chunk_size : int, default 1,000,000
        Rows per file; memory stays around a few hundred bytes per row of one chunk.
    departements : str or pathlib.Path, optional
        ``departements.geojson``; default ``$CLUSTERATLAS_DATA/fr/departements.geojson``.
    extract : str or pathlib.Path, optional
        The Strasbourg SIRENE extract; default from the data catalog.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    ParameterError
        If ``n`` or ``chunk_size`` is below 1, or ``path`` is a file.
    DataNotFoundError
        If the départements boundaries or the Strasbourg extract are missing.

    Notes
    -----
    Columns (SIRENE stock layout): ``siret`` (14 digits), ``activitePrincipaleEtablissement``
    (``"62.01Z"``), ``trancheEffectifsEtablissement``, ``codeCommuneEtablissement``,
    ``longitude``/``latitude`` (WGS84), ``dateCreationEtablissement`` (date),
    ``etatAdministratifEtablissement`` (``A`` active, ``F`` closed, 15 %) and
    ``dateDebut`` (date of the current state: the closure date when closed). See the
    module docstring for what is real and what is synthetic.
    """
    check_interval(n, name="n", low=1)
    check_interval(chunk_size, name="chunk_size", low=1)
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise ParameterError(
            f"The 'path' parameter must be a directory for the Parquet files; {folder} is a file."
        )
    pq = optional_import("pyarrow.parquet", extra="scale")
    mix = _industry_bands(extract)
    deps = _departements(departements)
    folder.mkdir(parents=True, exist_ok=True)
    starts = range(0, int(n), int(chunk_size))
    children = as_rng(rng).spawn(len(starts))
    written = []
    for k, (start, child) in enumerate(zip(starts, children, strict=True)):
        table = _chunk(start, min(int(chunk_size), int(n) - start), child, mix, deps)
        file = folder / f"part-{k:05d}.parquet"
        partial = folder / f".{file.name}.tmp"  # a crash leaves no half-written part file
        pq.write_table(table.replace_schema_metadata(_synthetic_metadata(table, rng)), partial)
        partial.replace(file)
        written.append(file)
    # parts of an earlier, larger register in the same folder would be read with this one
    for stale in sorted(set(folder.glob("part-*.parquet")) - set(written)):
        stale.unlink()
    return written


#: Attribution of a generated register, kept in each Parquet file's metadata so that every
#: map built from it says it is synthetic (see ``mapping.registers.register_attribution``).
SYNTHETIC_ATTRIBUTION = (
    "Synthetic register generated by Cluster Atlas (clusteratlas register generate): not real "
    "establishments; industry × size-band mix drawn from INSEE SIRENE (Strasbourg 2010), "
    "regions synthetic"
)


def _synthetic_metadata(table: Any, rng: Any) -> dict[bytes, bytes]:
    seed = f"; seed {rng}" if isinstance(rng, int) else ""
    return {
        **(table.schema.metadata or {}),
        b"attribution": (SYNTHETIC_ATTRIBUTION + seed).encode("utf-8"),
        b"synthetic": b"true",
    }


__all__ = ["SYNTHETIC_ATTRIBUTION", "generate_register"]

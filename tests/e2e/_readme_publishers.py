"""Files in the publishers' exact formats, written from the data mirror's copies.

The README test serves these on a loopback server at each data set's download address, so
the commands exercise the download paths (rewritten by ``CLUSTERATLAS_DOWNLOAD_BASE``) and
the readers of the publishers' layouts, not the mirror's.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

#: The column header of the Census metro-area files since 2017 (``cbpYYmsa.txt``).
CBP_MSA_COLUMNS = (
    "msa,naics,emp_nf,emp,qp1_nf,qp1,ap_nf,ap,est,n1_4,n5_9,n10_19,n20_49,n50_99,"
    "n100_249,n250_499,n500_999,n1000,n1000_1,n1000_2,n1000_3,n1000_4"
)


def eurostat_api_tsv(mirror: Path) -> bytes:
    """The dissemination API's gzipped TSV (``freq,...,geo\\TIME_PERIOD``) from the bulk TSV.

    The API puts the frequency first and names the time dimension ``TIME_PERIOD``; values
    and flags are written as in the bulk file (``665 ``, ``: c``, ``12 b``).
    """
    lines = gzip.decompress(mirror.read_bytes()).decode("utf-8").splitlines()
    key, _, years = lines[0].partition("\t")
    assert key == "nace_r2,indic_sb,geo\\time", key
    out = [f"freq,nace_r2,indic_sb,geo\\TIME_PERIOD\t{years}"]
    out.extend(f"A,{line}" for line in lines[1:] if line)
    return gzip.compress(("\n".join(out) + "\n").encode("utf-8"))


def _census_naics(code: str) -> str:
    """Census padding: ``------`` all industries, ``22----`` sector, ``221///`` … ``221111``."""
    if code == "00":
        return "------"
    if len(code) == 2 or "-" in code:
        return code[:2] + "----"
    return code + "/" * (6 - len(code))


def census_cbp_msa_zip(mirror: Path, year: int) -> bytes:
    """``cbpYYmsa.zip`` holding ``cbpYYmsa.txt`` in the Census layout, from the tidy extract.

    The extract has no payroll: ``qp1``/``ap`` are written 0 with the flag ``D`` (withheld),
    which the reader turns into missing wages. A withheld employment (``EMP`` 0 with
    establishments) is written ``emp`` 0 with ``emp_nf`` ``D``; other cells get ``G``.
    """
    tidy = pd.read_csv(mirror, dtype=str, keep_default_na=False)
    withheld = (tidy["EMP"].astype(int) == 0) & (tidy["ESTAB"].astype(int) > 0)
    frame = pd.DataFrame(
        {
            "msa": tidy["cbsa_code"],
            "naics": tidy["naics_code"].map(_census_naics),
            "emp_nf": withheld.map({True: "D", False: "G"}),
            "emp": tidy["EMP"],
            "qp1_nf": "D",
            "qp1": "0",
            "ap_nf": "D",
            "ap": "0",
            "est": tidy["ESTAB"],
        }
    )
    for column in CBP_MSA_COLUMNS.split(",")[9:]:
        frame[column] = "0"
    text = frame.to_csv(index=False, header=False, lineterminator="\r\n")
    name = f"cbp{year % 100:02d}msa.txt"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, CBP_MSA_COLUMNS + "\r\n" + text)
    return buffer.getvalue()


def gisco_nuts_geojson(mirror: Path, level: int) -> bytes:
    """A GISCO ``NUTS_RG_20M_2013_4326_LEVL_n.geojson``: ids and GISCO's property names."""
    data = json.loads(mirror.read_text(encoding="utf-8"))
    features = []
    for feature in data["features"]:
        props = feature["properties"]
        code, name = props["NUTS_ID"], props["Name"]
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {
                    "NUTS_ID": code,
                    "LEVL_CODE": level,
                    "CNTR_CODE": code[:2],
                    "NAME_LATN": name,
                    "NUTS_NAME": name,
                    "FID": code,
                },
                "geometry": feature["geometry"],
            }
        )
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4326"}},
        "features": features,
    }
    return json.dumps(collection).encode("utf-8")


def verbatim(mirror: Path) -> bytes:
    """The publisher's file itself (the mirror holds an identical copy)."""
    return mirror.read_bytes()


#: How to write each downloadable catalog data set in its publisher's format.
BUILDERS: dict[str, Callable[[Path], bytes]] = {
    "sbs_r_nuts06_r2": eurostat_api_tsv,
    "cbp2019_cbsa": lambda path: census_cbp_msa_zip(path, 2019),
    **{
        f"nuts2013_level{level}": (lambda path, level=level: gisco_nuts_geojson(path, level))
        for level in range(4)
    },
    "us_states": verbatim,
    "us_counties": verbatim,
}

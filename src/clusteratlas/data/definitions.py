"""Cluster-category definitions: which industries make up which category.

Four families, all returned as the canonical definition table of
:mod:`clusteratlas.data.schemas` (``industry``, ``category``, ``category_label``,
``category_type``, ``subcategory``, ``status``):

* the US benchmark clusters of Delgado, Porter & Stern (2016): 51 traded and 16 local
  clusters (plus 3 government clusters) over 6-digit NAICS;
* NACE Rev. 2 divisions, the "88 sectors" of the European Cluster Panorama;
* the 14 EU industrial ecosystems, whose NACE membership is only partly confirmed (each
  row keeps its status so that outputs can say so);
* any user CSV with at least ``industry`` and ``category`` columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.data.catalog import dataset_path
from clusteratlas.data.schemas import validate_definitions
from clusteratlas.errors import SchemaError

US_CLUSTER_KINDS = ("traded", "local", "government", "all")
_GOVERNMENT = (
    "Federal Government Services",
    "State Government Services",
    "Local Government Services",
)


def us_benchmark_definitions(
    path: str | Path | None = None, *, kind: str = "traded"
) -> pd.DataFrame:
    """Return the US benchmark cluster definitions (Delgado, Porter & Stern 2016).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The definitions CSV (columns ``NAICS``, ``TradedLocal``, ``Cluster``,
        ``SubclusterName``); by default the catalog's ``us_benchmark_clusters``.
    kind : {"traded", "local", "government", "all"}
        Which clusters to return. Traded: the 51 clusters of industries that sell across
        regions; local: the 16 clusters serving local markets; government: federal, state and
        local government services (local in the source file).

    Returns
    -------
    pandas.DataFrame
        Canonical definitions; ``category`` is the cluster name, ``category_type`` one of
        ``traded``, ``local``, ``government``, ``subcategory`` the subcluster. Industries
        that belong to no cluster in the source (814110 Private Households) are left out.

    References
    ----------
    Delgado, M., Porter, M. E., & Stern, S. (2016). Defining clusters of related
    industries. *Journal of Economic Geography*, 16(1), 1–38.
    """
    check_in(kind, US_CLUSTER_KINDS, name="kind")
    source = dataset_path(path, "us_benchmark_clusters")
    raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    required = {"NAICS", "TradedLocal", "Cluster"}
    if not required <= set(raw.columns):
        raise SchemaError(
            f"{source}: expected columns {sorted(required)}, found {list(raw.columns)}."
        )
    raw.index = raw.index + 2  # file line numbers, for error messages
    # A few industries belong to no cluster (814110 Private Households): not mapped.
    raw = raw[raw["Cluster"].str.strip() != ""]
    cluster = raw["Cluster"].str.strip()
    cluster_type = raw["TradedLocal"].str.strip().str.lower()
    cluster_type = cluster_type.where(~cluster.isin(_GOVERNMENT), "government")
    frame = pd.DataFrame(
        {
            "industry": raw["NAICS"].str.strip(),
            "category": cluster,
            "category_label": cluster,
            "category_type": cluster_type,
            "subcategory": raw["SubclusterName"] if "SubclusterName" in raw.columns else "",
            "status": "CONFIRMED",
        }
    )
    if kind != "all":
        frame = frame[frame["category_type"] == kind]
    return validate_definitions(frame, origin=str(source))


def nace_division_definitions(
    industries: Iterable[str] | None = None, *, path: str | Path | None = None
) -> pd.DataFrame:
    """Return NACE Rev. 2 divisions as categories of their own (the "88 sectors").

    Parameters
    ----------
    industries : iterable of str, optional
        Division codes (Eurostat form, e.g. ``"C26"``) to keep; all 88 by default.
    path : str or pathlib.Path, optional
        The NACE divisions label file; by default the catalog's ``nace_divisions``.
    """
    from clusteratlas.data.classifications import nace_divisions

    divisions = nace_divisions(path)
    if industries is not None:
        wanted = set(industries)
        divisions = divisions[divisions["code"].isin(wanted)]
    frame = pd.DataFrame(
        {
            "industry": divisions["code"],
            "category": divisions["code"],
            "category_label": divisions["label_en"],
            "category_type": "",
            "subcategory": "",
            "status": "CONFIRMED",
        }
    )
    return validate_definitions(frame, origin="NACE Rev. 2 divisions")


def _membership_status(text: str) -> str:
    # "CONFIRMED (division membership); share UNCONFIRMED" confirms the membership itself.
    text = text.strip()
    if text.startswith("UNCONFIRMED"):
        return "UNCONFIRMED"
    return "CONFIRMED-derived" if text.startswith("CONFIRMED-derived") else "CONFIRMED"


def ecosystem_definitions(path: str | Path | None = None) -> pd.DataFrame:
    """Return the EU industrial ecosystems with their NACE codes and confirmation status.

    Rows of the reference table without a NACE code (the ecosystem list itself, rules) are
    skipped. ``status`` is ``CONFIRMED`` where the membership was read in a source,
    ``CONFIRMED-derived`` where the source described the activity in words and the code
    was derived from it, and ``UNCONFIRMED`` for candidate codes: results built on an
    ecosystem with an unconfirmed member say so. Codes are in Eurostat form (``C30.3`` →
    ``C303``); weights of split codes are not applied (unknown in the sources).
    """
    from clusteratlas.data.classifications import normalise_nace

    source = dataset_path(path, "eu_ecosystems")
    raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    required = {"ecosystem", "nace_code", "status"}
    if not required <= set(raw.columns):
        raise SchemaError(
            f"{source}: expected columns {sorted(required)}, found {list(raw.columns)}."
        )
    raw.index = raw.index + 2
    rows = raw[raw["nace_code"].str.strip() != ""]
    status = [_membership_status(text) for text in rows["status"]]
    frame = pd.DataFrame(
        {
            "industry": [normalise_nace(code) for code in rows["nace_code"]],
            "category": rows["ecosystem"].str.strip(),
            "category_label": rows["ecosystem"].str.strip(),
            "category_type": "ecosystem",
            "subcategory": "",
            "status": status,
        },
        index=rows.index,
    )
    return validate_definitions(frame, origin=str(source))


def read_definitions(path: str | Path) -> pd.DataFrame:
    """Read a user's category definitions from CSV (``industry``, ``category`` required).

    Optional columns: ``category_label``, ``category_type``, ``subcategory``, ``status``.
    Codes are read as strings; error messages name the file's line numbers.
    """
    from clusteratlas.data.generic import read_delimited, record_lines

    source = Path(path)
    try:
        raw = read_delimited(source, ",", skip_blank_lines=True)
    except FileNotFoundError as err:
        raise SchemaError(f"Category definitions file {source} does not exist.") from err
    lines = record_lines(source, ",")
    # Blank lines are skipped, so a row's position is not its line; should the csv module and
    # pandas ever disagree on what a record is, positions counted from line 2.
    raw.index = pd.Index(lines) if len(lines) == len(raw) else raw.index + 2
    return validate_definitions(raw, origin=str(source))


def related_clusters(path: str | Path | None = None) -> pd.DataFrame:
    """Return related traded-cluster pairs with their strength.

    Strongly related: between-cluster relatedness percentile ``cr_all_pc`` ≥ 90 and both
    ``rel_all_90_v3`` and ``rel_i20_all_min_90_v3`` set; weakly related (when not strongly):
    ``cr_all_pc`` > 50 and the co-location percentile ``cr_lc_pc`` ≥ 25 (Delgado, Porter &
    Stern 2016; U.S. Cluster Mapping Project).

    Returns
    -------
    pandas.DataFrame
        Columns ``category``, ``related``, ``strength`` (``strong`` or ``weak``),
        ``relatedness_percentile``, ``colocation_percentile``; pairs that are neither are left
        out, as are self-pairs.
    """
    source = dataset_path(path, "us_related_clusters")
    raw = pd.read_csv(source)
    required = {
        "cluster_name",
        "cluster_name_2",
        "cr_all_pc",
        "cr_lc_pc",
        "rel_all_90_v3",
        "rel_i20_all_min_90_v3",
    }
    missing = sorted(required - set(raw.columns))
    if missing:
        raise SchemaError(
            f"{source}: expected columns {sorted(required)}, found {list(raw.columns)}; "
            f"missing {missing}."
        )
    pairs = raw[raw["cluster_name"] != raw["cluster_name_2"]]
    strong = (
        (pairs["cr_all_pc"] >= 90)
        & (pairs["rel_all_90_v3"] == 1)
        & (pairs["rel_i20_all_min_90_v3"] == 1)
    )
    weak = ~strong & (pairs["cr_all_pc"] > 50) & (pairs["cr_lc_pc"] >= 25)
    kept = pairs[strong | weak]
    return pd.DataFrame(
        {
            "category": kept["cluster_name"].astype(str),
            "related": kept["cluster_name_2"].astype(str),
            "strength": ["strong" if s else "weak" for s in strong[strong | weak]],
            "relatedness_percentile": kept["cr_all_pc"].astype(float),
            "colocation_percentile": kept["cr_lc_pc"].astype(float),
        }
    ).reset_index(drop=True)

"""Regional specialisation: location quotients and the shares they are made of.

Missing values (NaN: suppressed or confidential) are left out of every total and give a
missing result for their own cell, never a zero; a pair with no row at all counts as zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clusteratlas._validation import (
    check_columns,
    check_finite,
    check_in,
    check_non_negative,
    suggest,
)
from clusteratlas.errors import ParameterError, SchemaError, UnknownCodeError

TOTAL_COLUMNS: tuple[str, ...] = ("region_total", "reference_category_total", "reference_total")


def _as_by(by: str | Sequence[str]) -> tuple[str, ...]:
    """Return ``by`` as a tuple of column labels (a lone string is one label)."""
    return (by,) if isinstance(by, str) else tuple(by)


def _check_table(
    frame: pd.DataFrame, keys: Sequence[str], values: Sequence[str], *, what: str
) -> None:
    """Check the columns, the uniqueness of ``keys`` and the numeric ``values`` of a table."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame. Got {type(frame).__name__} instead.")
    repeated = sorted({key for key in keys if list(keys).count(key) > 1})
    if repeated:
        raise ParameterError(
            f"The key columns of {what} must be distinct; {', '.join(map(repr, repeated))} "
            "is given for more than one key parameter."
        )
    check_columns(frame, [*keys, *values], what=what)
    for column in values:
        dtype = frame[column].dtype
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            raise SchemaError(
                f"{what}: column {column!r} must be numeric (NaN for missing values); "
                f"it has dtype {dtype}."
            )
    numbers = pd.DataFrame({column: _floats(frame[column]) for column in values}, frame.index)
    check_non_negative(numbers, values, what=what)
    check_finite(numbers, values, what=what)
    duplicated = frame.duplicated(list(keys), keep=False).to_numpy() if keys else np.zeros(0, bool)
    if duplicated.any():
        repeated_keys = frame.loc[duplicated, list(keys)].drop_duplicates()
        raise SchemaError(
            f"{what}: each ({', '.join(keys)}) must appear once; repeated key(s) "
            f"{_list_keys(repeated_keys)}."
        )


def _list_keys(keys: pd.DataFrame, limit: int = 5) -> str:
    """Return the first ``limit`` rows of ``keys`` as tuples, for an error message."""
    shown = ", ".join(str(tuple(row)) for row in keys.head(limit).itertuples(index=False))
    return shown + (" …" if keys.shape[0] > limit else "")


def _merge(
    left: pd.DataFrame, right: pd.DataFrame, keys: Sequence[str], *, what: str, cover: bool = False
) -> pd.DataFrame:
    """Left-merge ``right`` onto ``left`` on ``keys`` keeping the row order of ``left``.

    With ``cover``, raise :class:`SchemaError` when a key of ``left`` has no row in ``right``.
    """
    try:
        merged = left.merge(right, "left", on=list(keys), validate="m:1", indicator=cover)
    except (ValueError, TypeError) as err:  # incompatible key dtypes
        raise SchemaError(f"{what} cannot be matched to data on {list(keys)}: {err}") from err
    if cover:
        absent = merged.loc[merged.pop("_merge").eq("left_only"), list(keys)].drop_duplicates()
        if absent.shape[0]:
            raise SchemaError(
                f"{what} has no row for {absent.shape[0]} key(s) of data ({', '.join(keys)}): "
                f"{_list_keys(absent)}."
            )
    return merged


def _floats(values: pd.Series) -> np.ndarray:
    """Return ``values`` as a float array with NaN for missing values (also ``pd.NA``)."""
    return values.to_numpy(dtype="float64", na_value=np.nan)


def _ratio(numerator: ArrayLike, denominator: ArrayLike) -> np.ndarray:
    """Divide element-wise, giving NaN where the denominator is 0 or missing."""
    num = np.asarray(numerator, dtype="float64")
    den = np.asarray(denominator, dtype="float64")
    out = np.full(np.broadcast_shapes(num.shape, den.shape), np.nan)
    np.divide(num, den, out=out, where=np.isfinite(den) & (den != 0))
    return out


def _sum(
    frame: pd.DataFrame, keys: Sequence[str], column: str, name: str, min_count: int = 1
) -> pd.DataFrame:
    """Sum ``column`` per ``keys`` skipping NaN (NaN below ``min_count`` values), as a frame."""
    if not keys:
        return pd.DataFrame({name: [frame[column].sum(min_count=min_count)]})
    summed = frame.groupby(list(keys), sort=False)[column].sum(min_count=min_count)
    return summed.rename(name).reset_index()


def _lookup(
    left: pd.DataFrame, right: pd.DataFrame, keys: Sequence[str], column: str
) -> np.ndarray:
    """Return ``right[column]`` for each row of ``left`` matched on ``keys``, in row order."""
    if not keys:
        return np.full(left.shape[0], right[column].iloc[0], dtype="float64")
    return _floats(_merge(left[list(keys)], right, keys, what="totals")[column])


def _reference_codes(
    data: pd.DataFrame, region: str, reference_regions: Iterable[str] | None
) -> tuple[str, ...] | None:
    """Validate ``reference_regions`` against the codes in ``data``."""
    if reference_regions is None:
        return None
    codes = (reference_regions,) if isinstance(reference_regions, str) else tuple(reference_regions)
    if not codes:
        raise ParameterError("The 'reference_regions' parameter must name at least one region.")
    known = set(data[region].unique())
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise UnknownCodeError(
            f"reference_regions names region(s) {', '.join(map(repr, unknown))} that are not in "
            f"column {region!r} of data.{suggest(str(unknown[0]), sorted(map(str, known)))}"
        )
    return codes


def _with_totals(
    data: pd.DataFrame,
    *,
    region: str,
    category: str,
    value: str,
    by: str | Sequence[str],
    region_totals: pd.DataFrame | None = None,
    reference_regions: Iterable[str] | None = None,
    reference_totals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return a copy of ``data`` with T_r, E_c and E (the one place they are computed)."""
    keys_by = _as_by(by)
    region_keys = [region, *keys_by]
    category_keys = [category, *keys_by]
    _check_table(data, [region, category, *keys_by], [value], what="data")
    clash = [name for name in (region, category, *keys_by) if name in TOTAL_COLUMNS]
    if clash:
        raise ParameterError(f"Key column(s) {clash} clash with output columns {TOTAL_COLUMNS}.")
    reference = _reference_codes(data, region, reference_regions)
    national_total = reference_totals is not None and "total" in reference_totals.columns
    if reference is not None and national_total:
        raise ParameterError(
            "The 'reference_regions' parameter has no effect when reference_totals has a "
            "'total' column; pass one or the other."
        )
    # T_r per (region, *by): the region's available categories, or the given totals.
    if region_totals is None:
        totals_r = _sum(data, region_keys, value, "region_total")
    else:
        _check_table(region_totals, region_keys, ["total"], what="region_totals")
        given = region_totals[[*region_keys, "total"]].rename(columns={"total": "region_total"})
        pairs = data[region_keys].drop_duplicates()
        totals_r = _merge(pairs, given, region_keys, what="region_totals", cover=True)
    codes = list(totals_r[region].unique()) if reference is None else list(reference)
    in_reference_r = totals_r[region].isin(codes)
    # E_c per (category, *by) and E per by: over the reference regions, or given. E_c is 0
    # for a category with no row (or only missing values) in the reference regions.
    if reference_totals is None:
        masked = data[category_keys].assign(_value=data[value].where(data[region].isin(codes), 0))
        totals_c = _sum(masked, category_keys, "_value", "reference_category_total", 0)
    else:
        needed = ["category_total", "total"] if national_total else ["category_total"]
        _check_table(reference_totals, category_keys, needed, what="reference_totals")
        given = reference_totals[[*category_keys, "category_total"]]
        pairs = data[category_keys].drop_duplicates()
        totals_c = _merge(pairs, given, category_keys, what="reference_totals", cover=True)
        totals_c = totals_c.rename(columns={"category_total": "reference_category_total"})
    if reference_totals is not None and national_total:
        grand = reference_totals[[*keys_by, "total"]].drop_duplicates()
        groups = grand[list(keys_by)].drop_duplicates().shape[0] if keys_by else 1
        if grand.shape[0] != groups:
            raise SchemaError(
                f"reference_totals: column 'total' must be the same for all rows of one "
                f"({', '.join(keys_by) or 'table'}) group."
            )
        totals = grand.rename(columns={"total": "reference_total"})
    else:
        totals = _sum(totals_r[in_reference_r], keys_by, "region_total", "reference_total")
    out = data.drop(columns=[c for c in TOTAL_COLUMNS if c in data.columns]).copy()
    out["region_total"] = _lookup(data, totals_r, region_keys, "region_total")
    out["reference_category_total"] = _lookup(
        data, totals_c, category_keys, "reference_category_total"
    )
    out["reference_total"] = _lookup(data, totals, keys_by, "reference_total")
    return out


def location_quotient(
    data: pd.DataFrame,
    *,
    region: str = "region",
    category: str = "category",
    value: str = "employment",
    by: str | Sequence[str] = ("year",),
    region_totals: pd.DataFrame | None = None,
    reference_regions: Iterable[str] | None = None,
    reference_totals: pd.DataFrame | None = None,
    convention: Literal["observatory", "econgeo"] = "observatory",
) -> pd.DataFrame:
    r"""Compute the location quotient of each region in each category.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table with one row per (``region``, ``category``, ``*by``) and a ``value``
        column; NaN marks a missing (suppressed or confidential) value.
    region, category, value : str
        Column labels of the region code, the category (industry or cluster) code and the
        value (employment, establishments, wages…).
    by : str or sequence of str, default ("year",)
        Columns that split the table into independent groups (e.g. year); may be empty.
    region_totals : pandas.DataFrame, optional
        Columns [``region``, ``*by``, ``"total"``] giving T_r instead of the sum of the
        region's categories in ``data``, e.g. all-industry employment. It must have a row
        for every (region, ``*by``) in ``data``.
    reference_regions : iterable of str, optional
        Region codes that make up the reference area (default: every region in ``data``).
        Regions outside it still get a quotient relative to it.
    reference_totals : pandas.DataFrame, optional
        Columns [``category``, ``*by``, ``"category_total"``] giving E_c (e.g. national
        figures), and optionally ``"total"`` giving E (one value per ``*by`` group).
    convention : {"observatory", "econgeo"}, default "observatory"
        ``"econgeo"`` gives 0 instead of a missing LQ where :math:`T_r = 0` or
        :math:`E_c = 0`, as EconGeo's ``location_quotient`` and ``rca`` do (a missing
        :math:`E_{rc}` still gives a missing LQ).

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` (same index and row order) with float columns ``region_total``
        (T_r), ``reference_category_total`` (E_c), ``reference_total`` (E) and ``lq``.

    Raises
    ------
    SchemaError
        When a column is missing, a value is not numeric or is negative, a
        (region, category, ``*by``) key repeats, or a totals table lacks a needed row.
    UnknownCodeError
        When ``reference_regions`` names a region absent from ``data``.
    ParameterError
        When options contradict each other or key columns are not distinct.

    See Also
    --------
    shares : The two shares the quotient is the ratio of.

    Notes
    -----
    The default definition is the one of the European Cluster Observatory:

    .. math:: LQ_{rc} = \frac{E_{rc} / T_r}{E_c / E}

    where :math:`E_{rc}` is the value of region r in category c, :math:`T_r` the sum of
    region r's *available* (non-missing) values in the ``by`` group, :math:`E_c` the sum of
    the non-missing :math:`E_{rc}` over the reference regions and :math:`E` the sum of
    :math:`T_r` over the reference regions. A missing :math:`E_{rc}` gives a missing LQ,
    as does :math:`T_r = 0` or :math:`E_c = 0` (EconGeo gives 0 there: ``convention``).

    The US Cluster Mapping Project divides by *traded* employment: that is what this
    function does by default when ``data`` holds only the traded clusters. Pass
    ``region_totals`` to divide by all-industry employment instead. Extra-regio codes
    (e.g. NUTS ``ZZ``) are kept as regions; drop them first if they should not count.

    References
    ----------
    .. [1] Porter, M. E. (2003). The economic performance of regions. Regional Studies,
       37(6-7), 549-578.
    .. [2] Ketels, C., & Protsiv, S. (2014). European Cluster Panorama 2014. European
       Cluster Observatory, Center for Strategy and Competitiveness, Stockholm School of
       Economics.
    .. [3] Delgado, M., Porter, M. E., & Stern, S. (2016). Defining clusters of related
       industries. Journal of Economic Geography, 16(1), 1-38.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusteratlas.measures import location_quotient
    >>> data = pd.DataFrame({"region": list("AABBCC"), "category": list("xyxyxy"),
    ...                      "employment": [10.0, 30.0, 20.0, 20.0, 30.0, 10.0]})
    >>> location_quotient(data, by=())[["region", "category", "lq"]]
      region category   lq
    0      A        x  0.5
    1      A        y  1.5
    2      B        x  1.0
    3      B        y  1.0
    4      C        x  1.5
    5      C        y  0.5
    """
    out = _with_totals(
        data,
        region=region,
        category=category,
        value=value,
        by=by,
        region_totals=region_totals,
        reference_regions=reference_regions,
        reference_totals=reference_totals,
    )
    focus = _ratio(_floats(data[value]), out["region_total"])
    weight = _ratio(out["reference_category_total"], out["reference_total"])
    out["lq"] = _ratio(focus, weight)
    check_in(convention, ("observatory", "econgeo"), name="convention")
    if convention == "econgeo":
        out["lq"] = out["lq"].mask(out["lq"].isna() & data[value].notna().to_numpy(), 0.0)
    return out


def shares(
    data: pd.DataFrame,
    *,
    region: str = "region",
    category: str = "category",
    value: str = "employment",
    by: str | Sequence[str] = ("year",),
    region_totals: pd.DataFrame | None = None,
    reference_regions: Iterable[str] | None = None,
    reference_totals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    r"""Compute each cell's share of its region (focus) and of its category (size).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table with one row per (``region``, ``category``, ``*by``) and a ``value``
        column; NaN marks a missing value.
    region, category, value : str
        Column labels of the region code, the category code and the value.
    by : str or sequence of str, default ("year",)
        Columns that split the table into independent groups; may be empty.
    region_totals, reference_regions, reference_totals
        As in :func:`location_quotient`.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with the totals columns of :func:`location_quotient`,
        ``share_of_region`` and ``share_of_category``.

    Raises
    ------
    SchemaError, UnknownCodeError, ParameterError
        As in :func:`location_quotient`.

    Notes
    -----
    With the totals of :func:`location_quotient`:

    .. math:: \text{share\_of\_region}_{rc} = E_{rc} / T_r, \qquad
              \text{share\_of\_category}_{rc} = E_{rc} / E_c

    The first is the *focus* (specialisation) and the second the *size* of the cluster in
    the star rating of the European Cluster Observatory; the LQ is the first divided by
    :math:`E_c / E`. Missing values give missing shares; a zero denominator gives NaN.

    References
    ----------
    .. [1] Ketels, C., & Protsiv, S. (2014). European Cluster Panorama 2014. European
       Cluster Observatory, Center for Strategy and Competitiveness, Stockholm School of
       Economics.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusteratlas.measures import shares
    >>> data = pd.DataFrame({"region": list("AABB"), "category": list("xyxy"),
    ...                      "employment": [10.0, 30.0, 30.0, 30.0]})
    >>> shares(data, by=())[["region", "category", "share_of_region", "share_of_category"]]
      region category  share_of_region  share_of_category
    0      A        x             0.25               0.25
    1      A        y             0.75               0.50
    2      B        x             0.50               0.75
    3      B        y             0.50               0.50
    """
    out = _with_totals(
        data,
        region=region,
        category=category,
        value=value,
        by=by,
        region_totals=region_totals,
        reference_regions=reference_regions,
        reference_totals=reference_totals,
    )
    values = _floats(data[value])
    out["share_of_region"] = _ratio(values, out["region_total"])
    out["share_of_category"] = _ratio(values, out["reference_category_total"])
    return out


__all__ = ["location_quotient", "shares"]

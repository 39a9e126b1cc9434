"""Views of a cluster map: a region's portfolio, cluster strength, rankings, comparisons."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

import pandas as pd

from clusteratlas._validation import check_columns, check_in, suggest
from clusteratlas.errors import ParameterError, UnknownCodeError
from clusteratlas.mapping.rulesets import RuleSet

MAX_COMPARED = 10


def resolve_region(frame: pd.DataFrame, region: str, *, name: str = "region") -> str:
    """Return the map's code for ``region``: exact, in any letter case, or by its name.

    Raises
    ------
    UnknownCodeError
        Naming ``name`` (the parameter or option typed), with a suggestion that knows NUTS
        versions: an EU code of another version is not answered with a look-alike code.
    """
    regions = [str(code) for code in frame["region"].unique()]
    text = str(region).strip()
    if text in regions:
        return text
    by_case = {code.upper(): code for code in regions}
    if text.upper() in by_case:
        return by_case[text.upper()]
    names = dict(
        zip(frame["region"].astype(str), frame.get("region_name", frame["region"]), strict=False)
    )
    by_name = [code for code, label in names.items() if str(label).lower() == text.lower()]
    if len(by_name) == 1:
        return by_name[0]
    from clusteratlas.data.regions import nuts_vintage_hint

    hint = nuts_vintage_hint(text, {c: str(names.get(c, c)) for c in regions})
    if not hint:
        hint = suggest(text.upper(), regions) or _suggest_by_label(text, names)
    examples = ", ".join(sorted(regions)[:5])
    raise UnknownCodeError(
        f"Unknown region {text!r} for {name!r}: not a region of this map.{hint}"
        + ("" if hint and "here:" in hint else f" Regions are codes such as {examples}.")
    )


def resolve_category(frame: pd.DataFrame, category: str, *, name: str = "category") -> str:
    """Return the map's code for ``category``: exact, in any letter case, or by its label."""
    categories = [str(code) for code in frame["category"].unique()]
    text = str(category).strip()
    if text in categories:
        return text
    by_case = {code.upper(): code for code in categories}
    if text.upper() in by_case:
        return by_case[text.upper()]
    labels = dict(
        zip(
            frame["category"].astype(str),
            frame.get("category_label", frame["category"]),
            strict=False,
        )
    )
    exact = [c for c, label in labels.items() if str(label).lower() == text.lower()]
    if len(exact) == 1:
        return exact[0]
    partial = [c for c, label in labels.items() if text.lower() in str(label).lower()]
    hint = (
        f" Did you mean {partial[0]!r} ({labels[partial[0]]})?"
        if partial
        else suggest(text.upper(), categories) or _suggest_by_label(text, labels)
    )
    examples = ", ".join(sorted(categories)[:5])
    raise UnknownCodeError(
        f"Unknown category {text!r} for {name!r}: not a category of this map.{hint} "
        f"Categories are codes such as {examples}."
    )


def _check_measure(frame: pd.DataFrame, measure: str) -> None:
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    if measure not in numeric:
        check_in(measure, numeric, name="measure")


def rating_column(frame: pd.DataFrame) -> str | None:
    """Return the map's headline rating column (``strong``, ``stars`` or ``specialised``)."""
    for column in ("strong", "stars", "specialised"):
        if column in frame.columns:
            return column
    return None


def portfolio(
    frame: pd.DataFrame, region: str, *, related: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Return a region's cluster portfolio: every category with its measures and ratings.

    Parameters
    ----------
    frame : pandas.DataFrame
        A map built by :func:`~clusteratlas.mapping.pipeline.build_map`.
    region : str
        Region code (a name is suggested back when a code is not found).
    related : pandas.DataFrame, optional
        Related-cluster pairs (``category``, ``related``, ``strength``) as returned by
        :func:`~clusteratlas.data.definitions.related_clusters`; adds the columns
        ``strongly_related`` and ``weakly_related`` (``; ``-separated category names, those
        rated in the region marked with ``*``).

    Returns
    -------
    pandas.DataFrame
        The region's rows sorted by decreasing LQ, with ``rank_in_category`` (1 = the
        region with the highest LQ among all regions for that category).
    """
    check_columns(frame, ("region", "category", "lq"), what="map")
    region = resolve_region(frame, region)
    ranks = frame.groupby("category")["lq"].rank(ascending=False, method="min")
    ranked = frame.assign(rank_in_category=ranks.astype("Int64"))
    rows = ranked[ranked["region"] == region].sort_values("lq", ascending=False, ignore_index=True)
    if related is not None:
        rating = rating_column(rows)
        rated = set(rows.loc[rows[rating] > 0, "category"]) if rating else set()
        for strength in ("strong", "weak"):
            pairs = related[related["strength"] == strength]
            links = pairs.groupby("category")["related"].agg(
                lambda names: "; ".join(f"{n}*" if n in rated else str(n) for n in sorted(names))
            )
            rows[f"{strength}ly_related"] = rows["category"].map(links).fillna("")
    return rows


def cluster_rule(
    frame: pd.DataFrame, ruleset: RuleSet | None, *, min_stars: int | None = None
) -> tuple[str, int, str]:
    """Return the column, the least value and a sentence saying what counts as a cluster.

    The rule-set's ``[cluster]`` declaration decides (eco2007: two or more stars;
    panorama2021: ``specialised``; uscmp: ``strong``); ``min_stars`` overrides the number
    of stars. A rule-set without a declaration falls back on :func:`rating_column`, one
    star or a true flag.

    Raises
    ------
    ParameterError
        When the map is not rated, or ``min_stars`` is given for a flag or out of range.
    """
    declared = ruleset.cluster if ruleset is not None else None
    column = declared.output if declared is not None else rating_column(frame)
    if column is None or column not in frame.columns:
        raise ParameterError("Cluster strength needs a rated map: give --rules.")
    is_stars = pd.api.types.is_integer_dtype(frame[column]) and not pd.api.types.is_bool_dtype(
        frame[column]
    )
    if min_stars is not None and not is_stars:
        raise ParameterError(
            f"The '--min-stars' option applies to star ratings; {column!r} of this rule-set "
            "is a yes/no flag."
        )
    if min_stars is not None and not 1 <= min_stars <= int(frame[column].max() or 1):
        highest = int(frame[column].max() or 1)
        raise ParameterError(
            f"The '--min-stars' option must be between 1 and {highest}. Got {min_stars} instead."
        )
    least = min_stars or (declared.min_stars if declared and declared.min_stars else 1)
    name = ruleset.name if ruleset is not None else "the rule-set"
    if is_stars:
        rule = f"{column} >= {least}"
        why = (
            declared.note
            if declared is not None and declared.note and min_stars in (None, declared.min_stars)
            else ""
        )
    else:
        rule = f"{column} = true"
        why = declared.note if declared is not None else ""
    return column, least, f"clusters are rows with {rule} ({name}{': ' + why if why else ''})"


def cluster_strength(
    frame: pd.DataFrame, *, flag: str = "strong", min_stars: int = 1
) -> pd.DataFrame:
    """Share of each region's employment (over the mapped categories) in rated clusters.

    With the US traded clusters and the ``uscmp`` rule-set this is the US Cluster Mapping
    Project's *cluster strength*: the share of a region's traded employment in strong
    clusters. A stars column counts where it reaches ``min_stars`` (see
    :func:`cluster_rule` for what each rule-set declares).

    Returns
    -------
    pandas.DataFrame
        ``region``, ``region_name``, ``employment`` (sum over categories),
        ``employment_in_clusters``, ``cluster_strength`` and ``n_clusters``, sorted by
        decreasing strength.
    """
    check_columns(frame, ("region", "employment", flag), what="map")
    rated = frame[flag].fillna(0).astype(float) >= float(min_stars)
    work = frame.assign(
        employment_in_clusters=frame["employment"].where(rated, 0.0), n_clusters=rated.astype(int)
    )
    keys = ["region", "region_name"] if "region_name" in frame.columns else ["region"]
    out = work.groupby(keys, as_index=False).agg(
        employment=("employment", "sum"),
        employment_in_clusters=("employment_in_clusters", "sum"),
        n_clusters=("n_clusters", "sum"),
    )
    out["cluster_strength"] = out["employment_in_clusters"] / out["employment"].where(
        out["employment"] > 0
    )
    return out.sort_values("cluster_strength", ascending=False, ignore_index=True)


def rank_regions(
    frame: pd.DataFrame, category: str, *, measure: str = "lq", top: int | None = None
) -> pd.DataFrame:
    """Rank the regions for one category by a measure (missing values last)."""
    check_columns(frame, ("region", "category"), what="map")
    _check_measure(frame, measure)
    category = resolve_category(frame, category)
    rows = frame[frame["category"] == category].sort_values(
        measure, ascending=False, na_position="last", ignore_index=True
    )
    rows.insert(0, "rank", rows[measure].rank(ascending=False, method="min").astype("Int64"))
    return rows.head(top) if top else rows


def compare_regions(
    frame: pd.DataFrame, regions: Sequence[str], *, measure: str = "lq"
) -> pd.DataFrame:
    """Compare up to ten regions category by category.

    Returns
    -------
    pandas.DataFrame
        One row per category, one column per region holding ``measure``, plus (when the map
        is rated) a column per region with its rating, named ``<region>_<rating>``.
    """
    if not 1 <= len(regions) <= MAX_COMPARED:
        raise ParameterError(
            f"Compare between 1 and {MAX_COMPARED} regions. Got {len(regions)} instead."
        )
    check_columns(frame, ("region", "category"), what="map")
    _check_measure(frame, measure)
    regions = [resolve_region(frame, region, name="regions") for region in regions]
    chosen = frame[frame["region"].isin(regions)]
    index = ["category", "category_label"] if "category_label" in frame.columns else ["category"]
    wide = chosen.pivot(index=index, columns="region", values=measure).reindex(
        columns=list(regions)
    )
    rating = rating_column(frame)
    if rating:
        flags = chosen.pivot(index=index, columns="region", values=rating)
        flags = flags.reindex(columns=list(regions)).add_suffix(f"_{rating}")
        wide = wide.join(flags)
    return wide.reset_index().rename_axis(columns=None)


def _suggest_by_label(text: str, labels: Mapping[str, object]) -> str:
    """Return ``" Did you mean 'B' (Beta)?"`` for a near-miss of a name or label."""
    by_label = {str(label).lower(): code for code, label in labels.items()}
    close = difflib.get_close_matches(text.lower(), list(by_label), n=1, cutoff=0.6)
    if not close:
        return ""
    code = by_label[close[0]]
    return f" Did you mean {code!r} ({labels[code]})?"

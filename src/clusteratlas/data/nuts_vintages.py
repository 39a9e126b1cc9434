"""NUTS versions (2010, 2013, 2016, 2021): code correspondences, recoding and suggestions.

Eurostat revises the NUTS classification every few years. Most NUTS-2 regions keep their
code; some keep their territory under a new code (France 2016: the 22 former régions became
``FRB0``…``FRM0``, e.g. ``FR71`` Rhône-Alpes → ``FRK2``); others are split, merged or have
their boundary moved (Ireland 2016, Croatia and Norway 2021). This module reads the
packaged correspondence table (``files/nuts/nuts2_correspondence.csv``, derived from the
JRC NUTS converter matrices; see its README) and offers:

* :func:`nuts_correspondence`: the links between any two versions (chains of consecutive
  versions composed, and reversed for going back in time);
* :func:`recode_regions`: recode a frame's region codes where a region is unchanged, and
  flag (never merge) the regions whose boundaries changed;
* :func:`suggest_code` and :func:`match_region`: understand a code typed in another
  version than the data's ("FRK2 is NUTS 2016 Rhône-Alpes; these data use NUTS 2013:
  FR71"), for the region options of the command line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources

import pandas as pd

from clusteratlas._validation import check_columns, check_in, suggest
from clusteratlas.errors import UnknownCodeError

#: The NUTS versions the correspondence table covers, oldest first.
NUTS_VERSIONS: tuple[int, ...] = (2010, 2013, 2016, 2021)

#: Change types, from the mildest; a chain of links takes the strongest of its steps.
CHANGE_TYPES: tuple[str, ...] = ("unchanged", "recoded", "boundary_changed", "merged", "split")

#: Changes under which a region keeps its territory, so its code can be replaced.
ONE_TO_ONE: frozenset[str] = frozenset({"unchanged", "recoded"})

#: Text to show with any output that used the correspondences.
NUTS_HISTORY_ATTRIBUTION = (
    "Source: Eurostat, NUTS history; correspondences derived from the JRC NUTS converter "
    "matrices (European Commission, Joint Research Centre)"
)

_COLUMNS = [
    "from_version",
    "from_code",
    "to_version",
    "to_code",
    "change",
    "from_share",
    "to_share",
]
_STRENGTH = {change: rank for rank, change in enumerate(CHANGE_TYPES)}
_INVERSE = {"split": "merged", "merged": "split"}


@cache
def _table() -> pd.DataFrame:
    source = resources.files("clusteratlas.data").joinpath("files/nuts/nuts2_correspondence.csv")
    with resources.as_file(source) as path:
        table = pd.read_csv(path, dtype={"from_code": str, "to_code": str, "change": str})
    return table[_COLUMNS]


def _compose(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    joined = first.merge(second, left_on="to_code", right_on="from_code", suffixes=("", "_2"))
    joined["from_share"] = joined["from_share"] * joined["from_share_2"]
    joined["to_share"] = joined["to_share"] * joined["to_share_2"]
    joined["rank"] = [
        max(_STRENGTH[a], _STRENGTH[b])
        for a, b in zip(joined["change"], joined["change_2"], strict=True)
    ]
    grouped = (
        joined.groupby(["from_code", "to_code_2"], as_index=False)
        .agg(from_share=("from_share", "sum"), to_share=("to_share", "sum"), rank=("rank", "max"))
        .rename(columns={"to_code_2": "to_code"})
    )
    grouped["change"] = [CHANGE_TYPES[rank] for rank in grouped["rank"]]
    return grouped.drop(columns="rank")


def nuts_correspondence(from_version: int, to_version: int) -> pd.DataFrame:
    """Return the NUTS-2 links between two NUTS versions.

    Parameters
    ----------
    from_version, to_version : {2010, 2013, 2016, 2021}
        The versions of the codes one has and the codes one wants. Going back in time
        (``from_version > to_version``) reverses the links (a split becomes a merger).

    Returns
    -------
    pandas.DataFrame
        Columns ``from_version``, ``from_code``, ``to_version``, ``to_code``, ``change``
        (one of :data:`CHANGE_TYPES`), ``from_share`` (share of the source region's 2021
        population carried by the link) and ``to_share`` (share of the target region's).
        Across several versions the links are composed and a link takes the strongest change
        of its steps; one-to-one steps stay ``unchanged`` (same code) or ``recoded``.

    Examples
    --------
    >>> links = nuts_correspondence(2013, 2016)
    >>> links.loc[links["from_code"] == "FR71", ["to_code", "change"]].values.tolist()
    [['FRK2', 'recoded']]
    """
    check_in(from_version, NUTS_VERSIONS, name="from_version")
    check_in(to_version, NUTS_VERSIONS, name="to_version")
    low, high = sorted((from_version, to_version))
    table = _table()
    if low == high:
        codes = sorted(nuts_codes(low))
        links = pd.DataFrame(
            {"from_code": codes, "to_code": codes, "change": "unchanged", "from_share": 1.0}
        ).assign(to_share=1.0)
    else:
        steps = [v for v in NUTS_VERSIONS if low <= v <= high]
        links = table[table["from_version"] == steps[0]][
            ["from_code", "to_code", "change", "from_share", "to_share"]
        ]
        for start in steps[1:-1]:
            links = _compose(links, table[table["from_version"] == start])
        same_code = links["from_code"] == links["to_code"]
        links.loc[same_code & links["change"].eq("recoded"), "change"] = "unchanged"
        links.loc[~same_code & links["change"].eq("unchanged"), "change"] = "recoded"
    if from_version > to_version:
        links = links.rename(
            columns={
                "from_code": "to_code",
                "to_code": "from_code",
                "from_share": "to_share",
                "to_share": "from_share",
            }
        )
        links["change"] = links["change"].map(lambda change: _INVERSE.get(change, change))
    out = links.assign(from_version=from_version, to_version=to_version)[_COLUMNS]
    return out.sort_values(["from_code", "to_code"]).reset_index(drop=True)


def nuts_codes(version: int) -> frozenset[str]:
    """Return the NUTS-2 codes of a version that the correspondence table knows."""
    check_in(version, NUTS_VERSIONS, name="version")
    table = _table()
    codes = set(table.loc[table["from_version"] == version, "from_code"])
    codes |= set(table.loc[table["to_version"] == version, "to_code"])
    return frozenset(codes)


def detect_version(codes: Iterable[str]) -> int:
    """Return the NUTS version whose NUTS-2 codes cover most of ``codes`` (latest on a tie)."""
    wanted = {str(code).upper() for code in codes if len(str(code)) == 4}
    scores = {version: len(wanted & nuts_codes(version)) for version in NUTS_VERSIONS}
    best = max(scores.values())
    return max(version for version, score in scores.items() if score == best)


def recode_regions(
    frame: pd.DataFrame,
    *,
    from_version: int,
    to_version: int,
    region: str = "region",
) -> pd.DataFrame:
    """Recode a frame's NUTS-2 codes to another NUTS version, flagging changed regions.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table with a column of NUTS codes.
    from_version, to_version : {2010, 2013, 2016, 2021}
        The version of the codes in ``frame`` and the version wanted.
    region : str, default "region"
        The column of codes.

    Returns
    -------
    pandas.DataFrame
        A new frame (``frame`` is not modified) whose ``region`` holds the ``to_version``
        code where the region kept its territory (``unchanged`` or ``recoded``) and the
        original code otherwise; ``{region}_original`` holds the code read, and
        ``{region}_change`` the change type: ``split``, ``merged`` or ``boundary_changed``
        (the row is **not** recoded: its value covers another territory, and summing or
        splitting it would invent numbers), or ``not_in_table`` (not a NUTS-2 code of
        ``from_version`` in the table: extra-regio codes, other levels).

    Examples
    --------
    >>> frame = pd.DataFrame({"region": ["FR71", "IE01", "DE11"], "employment": [1, 2, 3]})
    >>> recode_regions(frame, from_version=2013, to_version=2016)["region"].tolist()
    ['FRK2', 'IE01', 'DE11']
    """
    check_columns(frame, (region,), what="frame")
    links = nuts_correspondence(from_version, to_version)
    per_code = links.groupby("from_code").agg(
        targets=("to_code", list),
        change=("change", lambda c: max(c, key=lambda item: _STRENGTH[item])),
    )
    codes = frame[region].astype(str)
    change = codes.map(per_code["change"]).fillna("not_in_table")
    single = codes.map(per_code["targets"].map(lambda t: t[0] if len(t) == 1 else None))
    recode = change.isin(ONE_TO_ONE) & single.notna()
    out = frame.copy()
    out[f"{region}_original"] = codes
    out[region] = codes.where(~recode, single)
    out[f"{region}_change"] = change
    return out


def _describe(change: str, targets: list[str]) -> str:
    joined = ", ".join(targets)
    if change == "split":
        return f"its territory is divided between {joined}"
    if change == "merged":
        return f"its territory lies within {joined}"
    return f"its territory is in {joined} (boundaries changed)"


def suggest_code(
    code: str,
    known_codes: Iterable[str],
    *,
    names: Mapping[str, str] | None = None,
) -> str:
    """Explain how a NUTS-2 code typed by a user relates to the codes of the data.

    Parameters
    ----------
    code : str
        The code typed (any case).
    known_codes : iterable of str
        The region codes of the data; their NUTS version is detected from them.
    names : mapping of str to str, optional
        Region names by code (any version); a code whose territory is unchanged between
        versions shares the name of its counterpart.

    Returns
    -------
    str
        An empty string when ``code`` is in the data; otherwise one sentence, e.g.
        ``"FRK2 is NUTS 2016 Rhône-Alpes; these data use NUTS 2013: FR71."``, or a
        "Did you mean" hint for a code of no NUTS version.
    """
    text = str(code).strip().upper()
    known = {str(item).upper() for item in known_codes}
    if text in known:
        return ""
    data_version = detect_version(known)
    version = _code_version(text, data_version)
    if version is None:
        return suggest(text, sorted(known)).strip()
    links = nuts_correspondence(version, data_version)
    mine = links[links["from_code"] == text]
    targets = sorted(set(mine["to_code"]) & known) or sorted(set(mine["to_code"]))
    name = _name(text, version, names or {}, mine)
    label = f"{text} is NUTS {version}" + (f" {name}" if name else "")
    if not targets:
        return f"{label}; these data use NUTS {data_version}, which has no counterpart."
    change = max(mine["change"], key=lambda item: _STRENGTH[item])
    if change in ONE_TO_ONE:
        return f"{label}; these data use NUTS {data_version}: {targets[0]}."
    return f"{label}; these data use NUTS {data_version}, where {_describe(change, targets)}."


def _code_version(code: str, data_version: int) -> int | None:
    """Return the version a code is read in: the first newer than the data's, else the last older."""
    newer = [v for v in NUTS_VERSIONS if v > data_version and code in nuts_codes(v)]
    older = [v for v in NUTS_VERSIONS if v < data_version and code in nuts_codes(v)]
    return newer[0] if newer else older[-1] if older else None


def _name(code: str, version: int, names: Mapping[str, str], links: pd.DataFrame) -> str:
    if code in names:
        return names[code]
    if len(links) == 1 and links["change"].iloc[0] in ONE_TO_ONE:
        return names.get(str(links["to_code"].iloc[0]), "")
    return ""


def match_region(
    code: str,
    known_codes: Iterable[str],
    *,
    names: Mapping[str, str] | None = None,
    option: str = "--region",
) -> str:
    """Return the data's code for a region typed in any case and any NUTS version.

    This is the one call a command line needs for a region option: ``"ded2"`` gives
    ``"DED2"``; ``"FRK2"`` on NUTS 2013 data gives ``"FR71"`` (same territory, older
    code); a code whose region was split, merged or redrawn is refused with an explanation.

    Raises
    ------
    UnknownCodeError
        When the code has no one-to-one counterpart in the data; the one-line message names
        ``option`` and says why (see :func:`suggest_code`).
    """
    text = str(code).strip().upper()
    known = {str(item).upper(): str(item) for item in known_codes}
    if text in known:
        return known[text]
    data_version = detect_version(known)
    version = _code_version(text, data_version)
    if version is not None:
        links = nuts_correspondence(version, data_version)
        mine = links[links["from_code"] == text]
        if len(mine) == 1 and mine["change"].iloc[0] in ONE_TO_ONE:
            target = str(mine["to_code"].iloc[0])
            if target in known:
                return known[target]
    hint = suggest_code(text, known, names=names)
    raise UnknownCodeError(
        f"{option} {code}: not a region of these data." + (f" {hint}" if hint else "")
    )


__all__ = [
    "CHANGE_TYPES",
    "NUTS_HISTORY_ATTRIBUTION",
    "NUTS_VERSIONS",
    "ONE_TO_ONE",
    "detect_version",
    "match_region",
    "nuts_codes",
    "nuts_correspondence",
    "recode_regions",
    "suggest_code",
]

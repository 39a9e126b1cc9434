"""Matching a cluster's skill needs to training programmes, and the skills left uncovered.

A **need** is posted by a cluster for its members: free text and/or ESCO skill URIs, a number
of people, a region and a horizon. Its needed skills are the stated ones plus the best ESCO
skills of its text (:func:`needed_skills`). A programme **covers** a needed skill when the
skill is among its tags (automatic, corrected by hand). :func:`match_programmes` ranks the
programmes of each need, explains each match by the shared skills and lists the rest as the
gap; :func:`skill_gaps` lists, per cluster or per region, the needed skills that no
reachable programme covers.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, check_in
from clusteratlas.errors import ParameterError, ParseError, SchemaError, UnknownCodeError
from clusteratlas.skills.esco import URI_PREFIX
from clusteratlas.skills.search import ConceptIndex
from clusteratlas.skills.training import FORMATS

NEED_COLUMNS = ("need_id", "cluster", "region", "text", "skills", "people", "horizon")
"""Columns of a needs table (``lat``, ``lon`` and ``format`` optional)."""
EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), for great-circle distances."""
_SEPARATORS = re.compile(r"[\s;,|]+")


def read_needs(path: str | Path) -> pd.DataFrame:
    """Read skill needs from a CSV with the columns :data:`NEED_COLUMNS`.

    ``skills`` holds ESCO skill URIs separated by spaces, ``;``, ``,`` or ``|`` (may be
    empty when ``text`` is given); ``people`` is a whole number ≥ 1 (empty: 1); ``horizon``
    is free text (``2027``, ``12 months``). Optional ``format`` (a preferred programme
    format) and ``lat``/``lon`` (WGS84 degrees, for distances).

    Raises
    ------
    ParseError, SchemaError
        Naming the file, row and column at fault.
    """
    where = str(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise ParseError(f"Cannot read the needs file {where}: {err}.") from err
    check_columns(frame, NEED_COLUMNS, what=f"The needs file {where}")
    frame = frame.apply(lambda column: column.str.strip())

    def fail(bad: pd.Series, column: str, expected: str) -> None:
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise SchemaError(
                f"{where}, row {row + 2}, column {column!r}: expected {expected}, "
                f"got {frame[column].iloc[row]!r}."
            )

    fail(frame["need_id"] == "", "need_id", "a non-empty id")
    fail(frame["need_id"].duplicated(), "need_id", "an id that appears once")
    fail((frame["text"] == "") & (frame["skills"] == ""), "skills", "ESCO skill URIs or a text")
    people = frame["people"].replace("", "1")
    fail(~people.str.fullmatch(r"[1-9][0-9]*"), "people", "a whole number of at least 1")
    frame["people"] = people.astype(int)
    if "format" in frame:
        fail(~frame["format"].isin(("", *FORMATS)), "format", "one of " + ", ".join(FORMATS))
    for column, bound in (("lat", 90.0), ("lon", 180.0)):
        if column in frame:
            values = pd.to_numeric(frame[column].replace("", None), errors="coerce")
            bad = (frame[column] != "") & (values.isna() | (values.abs() > bound))
            fail(bad, column, f"a number in [-{bound:g}, {bound:g}] or empty")
            frame[column] = values.astype(float)
    return frame


def needed_skills(
    needs: pd.DataFrame, *, index: ConceptIndex, top: int = 5, min_score: float = 0.0
) -> pd.DataFrame:
    """Return the skills of each need: the stated URIs, then the ``top`` skills of its text.

    Returns
    -------
    pandas.DataFrame
        Columns ``need_id``, ``skill_id``, ``label``, ``source`` (``stated`` or ``text``) and
        ``score`` (NaN for stated skills), one row per need and distinct skill.

    Raises
    ------
    UnknownCodeError
        When a stated URI is not a skill of ``index`` (naming the need); occupations are
        refused with the reason: the catalog's ESCO mirror has no occupation–skill relations.
    """
    check_columns(needs, ["need_id", "text", "skills"], what="The needs table")
    labels: dict[str, str] = dict(zip(index.concepts["id"], index.concepts["label"], strict=True))
    rows: list[dict[str, object]] = []
    for need_id, stated in zip(needs["need_id"], needs["skills"], strict=True):
        for uri in (u for u in _SEPARATORS.split(str(stated)) if u):
            if uri.startswith(URI_PREFIX["occupation"]):
                raise UnknownCodeError(
                    f"Need {need_id!r}: {uri!r} is an ESCO occupation; needs take skills, and "
                    "the ESCO mirror in the catalog has no occupation–skill relations to "
                    "expand it. List the occupation's skills instead."
                )
            if uri not in labels:
                raise UnknownCodeError(f"Need {need_id!r}: {uri!r} is not an ESCO skill.")
            rows.append({"need_id": need_id, "skill_id": uri, "label": labels[uri],
                         "source": "stated", "score": np.nan})  # fmt: skip
    # As text: a column with no text at all is float64 (all NaN), which fillna("") would
    # no longer accept (pandas 4).
    with_text = needs[needs["text"].astype("string").fillna("").str.strip() != ""]
    if len(with_text):
        found, scores = index.top_k(with_text["text"].tolist(), top=top)
        for need_id, row_ids, row_scores in zip(with_text["need_id"], found, scores, strict=True):
            for concept, score in zip(row_ids, row_scores, strict=True):
                if score > min_score:
                    uri = str(index.concepts["id"].iat[concept])
                    rows.append({"need_id": need_id, "skill_id": uri, "label": labels[uri],
                                 "source": "text", "score": float(score)})  # fmt: skip
    columns = ["need_id", "skill_id", "label", "source", "score"]
    result = pd.DataFrame(rows, columns=columns).drop_duplicates(["need_id", "skill_id"])
    result.attrs["attribution"] = list(index.attribution)
    return result.reset_index(drop=True)


def haversine_km(lat1: object, lon1: object, lat2: object, lon2: object) -> np.ndarray:
    r"""Great-circle distance in km between WGS84 points (NaN where a coordinate is missing).

    :math:`d = 2R \arcsin\sqrt{\sin^2\frac{\Delta\varphi}{2} + \cos\varphi_1
    \cos\varphi_2 \sin^2\frac{\Delta\lambda}{2}}` with :math:`R` = 6371.0088 km.

    Examples
    --------
    >>> round(float(haversine_km(0.0, 0.0, 0.0, 1.0)), 3)
    111.195
    """
    p1, p2 = np.radians(np.asarray(lat1, float)), np.radians(np.asarray(lat2, float))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a)))


def _pairs(
    needs: pd.DataFrame, needed: pd.DataFrame, programmes: pd.DataFrame, tags: pd.DataFrame
) -> pd.DataFrame:
    """Every (need, programme) pair sharing at least one skill, with reach and distance."""
    check_columns(needed, ["need_id", "skill_id"], what="The needed skills")
    check_columns(tags, ["programme_id", "skill_id"], what="The programme tags")
    check_columns(programmes, ["programme_id", "title", "format", "region"], what="The programmes")
    shared = needed[["need_id", "skill_id"]].merge(
        tags[["programme_id", "skill_id"]].drop_duplicates(), on="skill_id"
    )
    pairs = shared[["need_id", "programme_id"]].drop_duplicates()
    keep = [
        c for c in ("need_id", "cluster", "region", "people", "format", "lat", "lon") if c in needs
    ]
    pairs = pairs.merge(needs[keep], on="need_id")
    prog = [c for c in ("programme_id", "provider_id", "title", "format", "region", "lat", "lon")
            if c in programmes]  # fmt: skip
    pairs = pairs.merge(programmes[prog], on="programme_id", suffixes=("", "_programme"))
    if "format_programme" not in pairs:
        pairs = pairs.rename(columns={"format": "format_programme"})
    online = pairs["format_programme"] == "online"
    same = (pairs["region"] != "") & (pairs["region"] == pairs["region_programme"])
    pairs["reachable"] = online | same
    if {"lat", "lon", "lat_programme", "lon_programme"} <= set(pairs.columns):
        pairs["distance_km"] = haversine_km(
            pairs["lat"], pairs["lon"], pairs["lat_programme"], pairs["lon_programme"]
        )
    else:
        pairs["distance_km"] = np.nan
    if "format" in pairs:
        stated = pairs["format"].fillna("") != ""
        pairs["format_match"] = ~stated | (pairs["format"] == pairs["format_programme"])
    else:
        pairs["format_match"] = True
    return pairs


def match_programmes(
    needs: pd.DataFrame,
    needed: pd.DataFrame,
    programmes: pd.DataFrame,
    tags: pd.DataFrame,
    *,
    top: int = 5,
) -> pd.DataFrame:
    r"""Rank, for each need, the programmes that cover its skills, explaining each match.

    Parameters
    ----------
    needs : pandas.DataFrame
        As from :func:`read_needs`.
    needed : pandas.DataFrame
        As from :func:`needed_skills` (``need_id``, ``skill_id``, ``label``).
    programmes : pandas.DataFrame
        As from :func:`~clusteratlas.skills.training.read_programmes`.
    tags : pandas.DataFrame
        Programme skills: ``programme_id``, ``skill_id`` (from
        :func:`~clusteratlas.skills.tagging.tag_programmes`, corrected by hand).
    top : int
        Programmes per need.

    Returns
    -------
    pandas.DataFrame
        One row per need and programme sharing at least one skill, ``top`` per need:
        ``need_id``, ``cluster``, ``region``, ``rank``, ``programme_id``, ``provider_id``,
        ``title``, ``coverage``, ``n_shared``, ``n_needed``, ``reachable``, ``distance_km``,
        ``format``, ``shared_skills`` and ``gap_skills`` (labels joined by ``"; "``),
        ``shared_skill_ids`` and ``gap_skill_ids`` (URIs joined by ``" "``).

    Notes
    -----
    The coverage share of programme :math:`p` for need :math:`n` is
    :math:`|S_n \cap S_p| / |S_n|`, with :math:`S_n` the needed skills and :math:`S_p` the
    programme's tags. Programmes are ranked by, in order: coverage (descending); reachable
    first (the programme is online, or in the need's region); distance in km between the
    need's and the programme's coordinates (ascending, unknown last); the need's preferred
    format first, when it states one; ``programme_id``.
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ParameterError(
            f"The 'top' parameter must be an int in [1, inf). Got {top!r} instead."
        )
    pairs = _pairs(needs, needed, programmes, tags)
    labels: dict[str, str] = dict(zip(needed["skill_id"], needed["label"], strict=True))
    needed_sets: dict[str, list[str]] = {}
    for need_id, skill in zip(needed["need_id"], needed["skill_id"], strict=True):
        needed_sets.setdefault(str(need_id), []).append(str(skill))
    tag_sets: dict[str, set[str]] = {}
    for programme_id, skill in zip(tags["programme_id"], tags["skill_id"], strict=True):
        tag_sets.setdefault(str(programme_id), set()).add(str(skill))
    rows = []
    for need_id, programme_id in zip(pairs["need_id"], pairs["programme_id"], strict=True):
        wanted = needed_sets[str(need_id)]
        have = tag_sets[str(programme_id)]
        shared = [s for s in wanted if s in have]
        gap = [s for s in wanted if s not in have]
        rows.append((len(shared) / len(wanted), len(shared), len(wanted), shared, gap))
    columns = ["coverage", "n_shared", "n_needed", "shared", "gap"]
    pairs[columns] = pd.DataFrame(rows, columns=columns, index=pairs.index)
    pairs["_distance"] = pairs["distance_km"].fillna(np.inf)
    pairs = pairs.sort_values(
        ["need_id", "coverage", "reachable", "_distance", "format_match", "programme_id"],
        ascending=[True, False, False, True, False, True],
        kind="stable",
    )
    pairs["rank"] = pairs.groupby("need_id").cumcount() + 1
    pairs = pairs[pairs["rank"] <= top]
    result = pd.DataFrame(
        {
            "need_id": pairs["need_id"],
            "cluster": pairs.get("cluster", ""),
            "region": pairs["region"],
            "rank": pairs["rank"],
            "programme_id": pairs["programme_id"],
            "provider_id": pairs.get("provider_id", ""),
            "title": pairs["title"],
            "coverage": pairs["coverage"],
            "n_shared": pairs["n_shared"],
            "n_needed": pairs["n_needed"],
            "reachable": pairs["reachable"],
            "distance_km": pairs["distance_km"],
            "format": pairs["format_programme"],
            "shared_skills": pairs["shared"].map(lambda ids: "; ".join(labels[i] for i in ids)),
            "gap_skills": pairs["gap"].map(lambda ids: "; ".join(labels[i] for i in ids)),
            "shared_skill_ids": pairs["shared"].str.join(" "),
            "gap_skill_ids": pairs["gap"].str.join(" "),
        }
    ).reset_index(drop=True)
    result.attrs["attribution"] = list(needed.attrs.get("attribution", []))
    return result


def skill_gaps(
    needs: pd.DataFrame,
    needed: pd.DataFrame,
    programmes: pd.DataFrame,
    tags: pd.DataFrame,
    *,
    by: str = "cluster",
) -> pd.DataFrame:
    """Return, per cluster or per region, each needed skill and the programmes covering it.

    A skill is a **gap** of a group when no programme covers it that is reachable from
    one of the group's needs posting it (online, or in the need's region).

    Parameters
    ----------
    by : {"cluster", "region"}
        The group.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``skill_id``, ``label``, ``people`` (sum over the group's needs posting the
        skill), ``n_needs``, ``n_programmes`` (distinct reachable programmes covering it),
        ``programme_ids`` and ``gap`` (True when ``n_programmes`` is 0); per group, gaps
        first, then by people needing the skill (descending), then label.
    """
    check_in(by, ("cluster", "region"), name="by")
    check_columns(needs, ["need_id", by, "people"], what="The needs table")
    wanted = needed[["need_id", "skill_id", "label"]].merge(
        needs[["need_id", by, "people"]], on="need_id"
    )
    pairs = _pairs(needs, needed, programmes, tags)
    reach = pairs.loc[pairs["reachable"], ["need_id", "programme_id"]]
    covering = (
        wanted[["need_id", "skill_id"]]
        .merge(reach, on="need_id")
        .merge(
            tags[["programme_id", "skill_id"]].drop_duplicates(), on=["programme_id", "skill_id"]
        )
    )
    covering = covering.merge(needs[["need_id", by]], on="need_id")
    programmes_per = covering.groupby([by, "skill_id"])["programme_id"].agg(
        lambda ids: " ".join(sorted(set(ids)))
    )
    table = wanted.groupby([by, "skill_id"], as_index=False).agg(
        label=("label", "first"), people=("people", "sum"), n_needs=("need_id", "nunique")
    )
    table["programme_ids"] = pd.MultiIndex.from_frame(table[[by, "skill_id"]]).map(
        programmes_per.to_dict().get
    )
    table["programme_ids"] = table["programme_ids"].fillna("")
    table["n_programmes"] = table["programme_ids"].map(lambda ids: len(ids.split())).astype(int)
    table["gap"] = table["n_programmes"] == 0
    table = table.sort_values(
        [by, "gap", "people", "label"], ascending=[True, False, False, True], kind="stable"
    ).reset_index(drop=True)
    table = table[
        [by, "skill_id", "label", "people", "n_needs", "n_programmes", "programme_ids", "gap"]
    ]
    table.attrs["attribution"] = list(needed.attrs.get("attribution", []))
    return table

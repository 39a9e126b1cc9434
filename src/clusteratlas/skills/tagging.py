"""Tagging training programmes with ESCO skills from their text, and hand corrections.

A programme's title and description are scored against every ESCO skill
(:class:`~clusteratlas.skills.search.ConceptIndex`); its ``top`` best skills are its tags,
ranked, with their scores. A person then corrects the tags with a table of ``add`` and
``remove`` rows (:func:`apply_corrections`); the corrected tags say which came from where.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns
from clusteratlas.errors import ParameterError, ParseError, SchemaError, UnknownCodeError
from clusteratlas.skills.search import ConceptIndex

TAG_COLUMNS = ("rank", "skill_id", "label", "score", "source")
"""Columns of a tag table after the programme id column."""
ACTIONS = ("add", "remove")


def _texts(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    parts = [frame[column].fillna("").astype(str) for column in columns]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.str.cat(part, sep=". ")
    return joined


def _check_ids(frame: pd.DataFrame, column: str, what: str) -> None:
    ids = frame[column].astype("string").str.strip()
    empty = ids.isna() | (ids == "")
    if empty.any():
        row = int(empty.to_numpy().argmax())
        raise SchemaError(f"{what}, row {row + 2}, column {column!r}: the id is empty.")
    duplicated = ids.duplicated()
    if duplicated.any():
        row = int(duplicated.to_numpy().argmax())
        raise SchemaError(
            f"{what}, row {row + 2}, column {column!r}: id {ids.iloc[row]!r} appears twice."
        )


def tag_programmes(
    programmes: pd.DataFrame,
    *,
    index: ConceptIndex,
    id_column: str = "id",
    text_columns: str | Sequence[str] = "text",
    top: int = 5,
    min_score: float = 0.0,
    what: str = "The programmes table",
) -> pd.DataFrame:
    """Return each programme's ``top`` ESCO skills, ranked by TF-IDF cosine score.

    Parameters
    ----------
    programmes : pandas.DataFrame
        One row per programme.
    index : ConceptIndex
        The skills to choose from (usually all ESCO skills, :func:`~.search.build_index`).
    id_column : str
        Column of unique programme ids (read as text).
    text_columns : str or sequence of str
        Column(s) whose text is tagged; several are joined (``title``, ``description``).
    top : int
        Tags per programme (fewer when fewer skills score above ``min_score``).
    min_score : float
        Keep only tags scoring above this; ``0`` keeps skills sharing at least one term.
    what : str
        Name of the table in error messages (a file name).

    Returns
    -------
    pandas.DataFrame
        Columns ``id_column``, ``rank`` (1 = best), ``skill_id`` (the ESCO URI), ``label``,
        ``score`` (cosine in [0, 1]) and ``source`` (``"auto"``), programmes in input order;
        ``attrs["attribution"]`` holds the ESCO attribution. Programmes with no text or no
        matching term get no rows.

    Raises
    ------
    SchemaError
        When a column is missing or an id is empty or repeated (naming the row).
    ParameterError
        When ``top`` is not a positive int or ``min_score`` is not in [0, 1).
    """
    columns = [text_columns] if isinstance(text_columns, str) else list(text_columns)
    if not columns:
        raise ParameterError("The 'text_columns' parameter must name at least one column.")
    check_columns(programmes, [id_column, *columns], what=what)
    if not 0 <= min_score < 1:
        raise ParameterError(
            f"The 'min_score' parameter must be a float in [0, 1). Got {min_score!r} instead."
        )
    _check_ids(programmes, id_column, what)
    ids = programmes[id_column].astype(str).str.strip().to_numpy()
    rows, scores = index.top_k(_texts(programmes, columns).tolist(), top=top)
    k = rows.shape[1]
    keep = (scores > min_score).ravel()
    concepts = index.concepts
    found = concepts.iloc[rows.ravel()[keep]]
    tags = pd.DataFrame(
        {
            id_column: np.repeat(ids, k)[keep],
            "rank": np.tile(np.arange(1, k + 1), len(ids))[keep],
            "skill_id": found["id"].to_numpy(),
            "label": found["label"].to_numpy(),
            "score": scores.ravel()[keep],
            "source": "auto",
        }
    )
    tags.attrs["attribution"] = list(index.attribution)
    return tags


def read_corrections(path: str | Path, *, id_column: str = "id") -> pd.DataFrame:
    """Read hand corrections of tags: one row per programme, skill and action.

    The CSV has columns ``id_column`` (the programme), ``skill_id`` (an ESCO URI) and
    ``action`` (``add`` or ``remove``).

    Raises
    ------
    ParseError, SchemaError
        Naming the file, row and column of what is wrong.
    """
    where = str(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise ParseError(f"Cannot read the corrections file {where}: {err}.") from err
    check_columns(frame, [id_column, "skill_id", "action"], what=f"The corrections file {where}")
    frame = frame.assign(
        **{c: frame[c].str.strip() for c in (id_column, "skill_id")},
        action=frame["action"].str.strip().str.lower(),
    )
    for column in (id_column, "skill_id"):
        empty = frame[column] == ""
        if empty.any():
            row = int(empty.to_numpy().argmax())
            raise SchemaError(f"{where}, row {row + 2}, column {column!r}: the value is empty.")
    bad = ~frame["action"].isin(ACTIONS)
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise SchemaError(
            f"{where}, row {row + 2}, column 'action': expected 'add' or 'remove', "
            f"got {frame['action'].iloc[row]!r}."
        )
    return frame[[id_column, "skill_id", "action"]]


def apply_corrections(
    tags: pd.DataFrame,
    corrections: pd.DataFrame,
    *,
    concepts: pd.DataFrame,
    id_column: str = "id",
) -> pd.DataFrame:
    """Apply hand corrections to a tag table.

    Removed skills disappear; added skills come first (in the corrections' order), with
    ``source="hand"`` and no score (NaN: a person's choice is not a similarity), then the
    remaining automatic tags by their former rank. Ranks are renumbered from 1 per
    programme. An ``add`` of a skill that is already a tag turns it into a hand tag; a
    ``remove`` of a skill that is not a tag changes nothing.

    Parameters
    ----------
    tags : pandas.DataFrame
        As from :func:`tag_programmes`.
    corrections : pandas.DataFrame
        As from :func:`read_corrections`.
    concepts : pandas.DataFrame
        The ESCO concepts (``id``, ``label``): added skills must be among them.

    Raises
    ------
    UnknownCodeError
        When an added skill is not an ESCO concept of ``concepts`` (naming the row).
    """
    check_columns(tags, [id_column, "rank", "skill_id", "label", "score"], what="The tags")
    check_columns(corrections, [id_column, "skill_id", "action"], what="The corrections")
    labels = concepts.set_index("id")["label"]
    removed = corrections[corrections["action"] == "remove"]
    added = corrections[corrections["action"] == "add"].drop_duplicates([id_column, "skill_id"])
    unknown = ~added["skill_id"].isin(labels.index)
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise UnknownCodeError(
            f"Correction {row + 1} of the 'add' rows: skill {added['skill_id'].iloc[row]!r} "
            "is not an ESCO skill of the index."
        )
    drop = pd.MultiIndex.from_frame(pd.concat([removed, added])[[id_column, "skill_id"]])
    pairs = pd.MultiIndex.from_frame(tags[[id_column, "skill_id"]].astype(str))
    auto = tags[~pairs.isin(drop)].copy()
    hand = pd.DataFrame(
        {
            id_column: added[id_column].to_numpy(),
            "rank": 0,
            "skill_id": added["skill_id"].to_numpy(),
            "label": labels.reindex(added["skill_id"]).to_numpy(),
            "score": np.nan,
            "source": "hand",
        }
    )
    auto["source"] = auto.get("source", "auto")
    order = {key: i for i, key in enumerate(pd.unique(tags[id_column].astype(str)))}
    for key in hand[id_column]:
        order.setdefault(key, len(order))
    merged = pd.concat([hand, auto], ignore_index=True)
    merged["_programme"] = merged[id_column].astype(str).map(order)
    merged["_hand"] = merged["source"] != "hand"
    merged["_row"] = np.arange(len(merged))
    merged = merged.sort_values(["_programme", "_hand", "rank", "_row"], kind="stable")
    merged["rank"] = merged.groupby("_programme").cumcount() + 1
    result = merged.drop(columns=["_programme", "_hand", "_row"]).reset_index(drop=True)
    result.attrs["attribution"] = list(tags.attrs.get("attribution", []))
    return result

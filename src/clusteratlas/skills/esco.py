"""Reading ESCO occupations and skills, with a schema check and their attribution.

ESCO (European Skills, Competences, Qualifications and Occupations) is the EU's multilingual
taxonomy of occupations and skills, © European Union, CC BY 4.0. Two layouts are read:

* the **catalog mirror** (``esco/esco_skills_en.csv.gz``, ``esco/esco_occupations_en.csv.gz``):
  columns ``id`` (the ESCO concept URI) and ``description`` (the preferred label, then the
  alternative labels, then the definition, run together with spaces). The mirror does not
  mark where one label ends, so :func:`read_esco` splits the names from the definition at
  the definition's first capitalised word and gives ``label`` as the start of the names
  (the preferred label comes first, but may run on into the alternative labels);
* the **official ESCO download** (``skills_en.csv``, ``occupations_fr.csv`` … from the ESCO
  portal, any language): columns ``conceptUri``, ``preferredLabel``, ``altLabels``
  (newline-separated) and ``description``; ``label`` is then the preferred label exactly.

Either way the result has the columns of :data:`ESCO_COLUMNS` and carries the ESCO
attribution in ``frame.attrs["attribution"]``, which the exports write beside every row.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.data.catalog import ESCO_ATTRIBUTION, get_dataset, resolve
from clusteratlas.errors import ParseError, SchemaError

Kind = Literal["skill", "occupation"]
KINDS: tuple[Kind, ...] = ("skill", "occupation")
DATASETS: dict[Kind, str] = {"skill": "esco_skills_en", "occupation": "esco_occupations_en"}
"""ESCO kind → catalog data set of the English mirror."""
ESCO_COLUMNS = ("id", "kind", "label", "alt_labels", "definition", "text")
"""Columns of a frame returned by :func:`read_esco`."""
URI_PREFIX: dict[Kind, tuple[str, ...]] = {
    "skill": ("http://data.europa.eu/esco/skill/",),
    "occupation": (
        "http://data.europa.eu/esco/occupation/",
        "http://data.europa.eu/esco/isco/",  # the ISCO-08 groups above the occupations
    ),
}
ISCO_PREFIX = "http://data.europa.eu/esco/isco/"
LABEL_CHARS = 60
"""Longest ``label`` taken from the mirror's run-together names (cut at a word boundary)."""
_MIRROR = ("id", "description")
_OFFICIAL = ("conceptUri", "preferredLabel")
_DEFINITION_START = re.compile(r"^[A-Z][a-z]+[,:;]?$")


def split_names(text: str) -> tuple[str, str]:
    """Split a mirror ``description`` into its names and its definition.

    The definition starts at the first capitalised word (``Assign``, not ``ICT`` or ``SQL``)
    followed by a lower-case word; labels are lower case except for proper names, so a
    capitalised word already met among the names (``use Java Java programming``) is taken
    for a name, not for the definition's start.

    Examples
    --------
    >>> split_names("weld metal welding Join metal parts by melting them.")
    ('weld metal welding', 'Join metal parts by melting them.')
    >>> split_names("use Java Java programming The techniques of software development.")
    ('use Java Java programming', 'The techniques of software development.')
    """
    tokens = text.split()
    for i in range(1, len(tokens) - 1):
        if (
            _DEFINITION_START.match(tokens[i])
            and tokens[i + 1][:1].islower()
            and tokens[i] not in tokens[1:i]
        ):
            return " ".join(tokens[:i]), " ".join(tokens[i:])
    return " ".join(tokens), ""


def short_label(names: str, *, width: int = LABEL_CHARS) -> str:
    """Return ``names`` cut at a word boundary to at most ``width`` characters (``…`` if cut).

    Examples
    --------
    >>> short_label("manage musical staff manage staff of music", width=25)
    'manage musical staff …'
    """
    if len(names) <= width:
        return names
    cut = names[: width - 1].rsplit(" ", 1)[0]
    return f"{cut} …"


def _check_ids(frame: pd.DataFrame, column: str, kind: Kind, where: str) -> None:
    ids = frame[column]
    prefix = URI_PREFIX[kind]
    bad = ~ids.str.startswith(prefix, na=False)
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise SchemaError(
            f"{where}, row {row + 2}, column {column!r}: expected an ESCO {kind} URI starting "
            f"with {' or '.join(map(repr, prefix))}, got {ids.iloc[row]!r}."
        )
    duplicated = ids.duplicated()
    if duplicated.any():
        row = int(duplicated.to_numpy().argmax())
        raise SchemaError(
            f"{where}, row {row + 2}, column {column!r}: ESCO URI {ids.iloc[row]!r} appears twice."
        )


def _check_text(frame: pd.DataFrame, column: str, where: str) -> None:
    empty = frame[column].fillna("").str.strip() == ""
    if empty.any():
        row = int(empty.to_numpy().argmax())
        raise SchemaError(f"{where}, row {row + 2}, column {column!r}: the text is empty.")


def esco_frame(raw: pd.DataFrame, *, kind: Kind, where: str = "ESCO table") -> pd.DataFrame:
    """Validate an ESCO table (mirror or official layout) and return it in the house layout.

    Parameters
    ----------
    raw : pandas.DataFrame
        All columns as strings: ``id`` and ``description`` (the catalog mirror), or
        ``conceptUri``, ``preferredLabel`` and optionally ``altLabels`` and ``description``
        (the official ESCO download).
    kind : {"skill", "occupation"}
        Which concepts the table holds; every URI must be of that kind.
    where : str
        What to call the table in error messages (a file name).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ESCO_COLUMNS`: ``id`` (URI), ``kind`` (``skill``, ``occupation``, or
        ``isco_group`` for the ISCO-08 groups that the occupation files also hold), ``label``, ``alt_labels``
        (``" | "``-joined; empty for the mirror, which does not separate them),
        ``definition`` and ``text`` (every name and the definition: what search indexes),
        sorted by ``id``; ``attrs["attribution"]`` holds the ESCO attribution.

    Raises
    ------
    SchemaError
        Naming the row and column of a missing column, a URI of another kind, a repeated
        URI or an empty text.
    """
    check_in(kind, KINDS, name="kind")
    if set(_OFFICIAL) <= set(raw.columns):
        _check_ids(raw, "conceptUri", kind, where)
        _check_text(raw, "preferredLabel", where)
        alt = raw.get("altLabels", pd.Series("", index=raw.index)).fillna("")
        alt_labels = alt.map(lambda s: " | ".join(p.strip() for p in s.splitlines() if p.strip()))
        definition = raw.get("description", pd.Series("", index=raw.index)).fillna("")
        label = raw["preferredLabel"].str.strip()
        frame = pd.DataFrame(
            {
                "id": raw["conceptUri"],
                "kind": kind,
                "label": label,
                "alt_labels": alt_labels,
                "definition": definition.str.strip(),
                "text": label + " " + alt_labels.str.replace(" | ", " ") + " " + definition,
            }
        )
    elif set(_MIRROR) <= set(raw.columns):
        _check_ids(raw, "id", kind, where)
        _check_text(raw, "description", where)
        parts = raw["description"].map(split_names)
        frame = pd.DataFrame(
            {
                "id": raw["id"],
                "kind": kind,
                "label": parts.str[0].map(short_label),
                "alt_labels": "",
                "definition": parts.str[1],
                "text": raw["description"].str.strip(),
            }
        )
    else:
        raise SchemaError(
            f"{where} has neither the catalog mirror's columns ('id', 'description') nor the "
            f"official ESCO download's ('conceptUri', 'preferredLabel'); it has "
            f"{', '.join(map(repr, map(str, raw.columns)))}."
        )
    frame["text"] = frame["text"].str.split().str.join(" ")
    frame.loc[frame["id"].str.startswith(ISCO_PREFIX), "kind"] = "isco_group"
    frame = frame.sort_values("id", ignore_index=True)
    frame.attrs["attribution"] = [ESCO_ATTRIBUTION]
    return frame


def read_esco(
    kind: Kind = "skill", *, path: str | Path | None = None, download: bool = False
) -> pd.DataFrame:
    """Read ESCO skills or occupations from a file or from the catalog.

    Parameters
    ----------
    kind : {"skill", "occupation"}
        Which concepts to read.
    path : str or path-like, optional
        A CSV (optionally gzip-compressed) in the catalog mirror's layout or the official
        ESCO download's (any language). Default: the catalog data set
        ``esco_skills_en`` / ``esco_occupations_en`` (data directory, else packaged copy).
    download : bool
        Passed to :func:`clusteratlas.data.catalog.resolve`; ESCO has no direct download, so
        this only matters for a future catalog entry that gains one.

    Returns
    -------
    pandas.DataFrame
        See :func:`esco_frame`.

    Raises
    ------
    SchemaError, ParseError
        When the file is not an ESCO table of ``kind``; the message names the file.
    DataNotFoundError
        When no path is given and the catalog data set cannot be found.

    References
    ----------
    European Commission, ESCO — European Skills, Competences, Qualifications and Occupations,
    https://esco.ec.europa.eu (v1.2; CC BY 4.0).

    Examples
    --------
    >>> skills = read_esco("skill")
    >>> skills.loc[skills["id"].str.endswith("1f56f042-27cd-4ef0-8a57-28860af950e7"), "label"].item()
    'photonics technology of photonics field of photonics …'
    """
    check_in(kind, KINDS, name="kind")
    file = Path(path) if path is not None else resolve(DATASETS[kind], download=download)
    where = str(file) if path is not None else f"{get_dataset(DATASETS[kind]).filename}"
    try:
        raw = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, OSError, EOFError) as err:
        raise ParseError(f"Cannot read the ESCO {kind} table {where}: {err}.") from err
    return esco_frame(raw, kind=kind, where=where)

"""The skills service: what the command line (and later the API) calls.

It reads files, builds (once per process) the ESCO index, and chains tagging, corrections
and matching; the measures themselves live in :mod:`~clusteratlas.skills.tagging` and
:mod:`~clusteratlas.skills.matching`.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from clusteratlas._validation import check_columns
from clusteratlas.errors import OutputError, ParameterError, ParseError, UnknownCodeError
from clusteratlas.skills.esco import Kind, read_esco
from clusteratlas.skills.matching import match_programmes, needed_skills, read_needs, skill_gaps
from clusteratlas.skills.search import Analyzer, ConceptIndex
from clusteratlas.skills.tagging import apply_corrections, read_corrections, tag_programmes
from clusteratlas.skills.training import read_programmes

PROGRAMME_TAGS = 10
"""Skills tagged per programme before matching (a need's skill is covered when among them)."""
NEED_TAGS = 5
"""Skills taken from a need's free text."""


INDEX_FORMAT = 1
"""Bumped when :class:`ConceptIndex` changes, so that older cached indexes are not loaded."""


def _cache_file(kind: Kind, esco: str | None, language: str | None, analyzer: Analyzer) -> Path:
    import sklearn

    from clusteratlas.data.catalog import resolve
    from clusteratlas.paths import cache_dir
    from clusteratlas.skills.esco import DATASETS

    source = Path(esco) if esco is not None else resolve(DATASETS[kind], download=False)
    digest = hashlib.sha256(source.read_bytes())
    digest.update(f"{kind}|{language}|{analyzer}|{sklearn.__version__}|{INDEX_FORMAT}".encode())
    return cache_dir() / "skills" / f"esco-index-{digest.hexdigest()[:24]}.pickle"


@lru_cache(maxsize=4)
def _index(kind: Kind, esco: str | None, language: str | None, analyzer: Analyzer) -> ConceptIndex:
    """Load the index from the user cache, else build it and save it there.

    The cache key is the ESCO file's SHA-256 with the options and the scikit-learn version;
    a cache file that cannot be read is rebuilt, one that cannot be written is skipped. The
    file is a pickle (loading it takes under a second, building the index several): it is
    only ever read from the user's own cache directory, which only the user writes.
    """
    from clusteratlas.export import atomic_write

    file = _cache_file(kind, esco, language, analyzer)
    if file.is_file():
        try:
            cached = pickle.loads(file.read_bytes())
        except Exception:  # a damaged or foreign file: rebuild it
            cached = None
        if isinstance(cached, ConceptIndex):
            return cached
    index = ConceptIndex.build(read_esco(kind, path=esco), language=language, analyzer=analyzer)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps(index, protocol=5)
        atomic_write(file, lambda tmp: tmp.write_bytes(data), what="ESCO index cache")
    except (OSError, OutputError):
        pass  # a read-only cache only costs the next run a rebuild
    return index


def concept_index(
    kind: Kind = "skill",
    *,
    esco: str | Path | None = None,
    language: str | None = "en",
    analyzer: Analyzer = "word",
) -> ConceptIndex:
    """Return the TF-IDF index of ESCO ``kind`` concepts (cached on disk and per process).

    ``esco`` is an ESCO file (mirror or official layout); default the catalog's English one.
    Building the index over all 13,939 skills takes seconds; it is kept in the user cache
    (``CLUSTERATLAS_CACHE``/skills, about 23 MB) keyed by the file's SHA-256, the options
    and the scikit-learn version, so later commands load it instead.
    """
    return _index(kind, None if esco is None else str(Path(esco).resolve()), language, analyzer)


def read_table(path: str | Path, *, option: str) -> pd.DataFrame:
    """Read a user's CSV as text, or raise an error naming the option and the file."""
    file = Path(path)
    if not file.is_file():
        raise ParameterError(f"The {option!r} file {str(file)!r} does not exist.")
    try:
        return pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise ParseError(f"Cannot read {option} file {str(file)!r} as UTF-8 CSV: {err}.") from err


def tag_table(
    programmes: pd.DataFrame,
    *,
    id_column: str = "id",
    text_columns: str | Sequence[str] = "text",
    top: int = 5,
    min_score: float = 0.0,
    corrections: str | Path | None = None,
    index: ConceptIndex | None = None,
    what: str = "The programmes table",
) -> pd.DataFrame:
    """Tag programmes with ESCO skills and apply hand corrections from a CSV, if given."""
    index = index or concept_index()
    tags = tag_programmes(
        programmes,
        index=index,
        id_column=id_column,
        text_columns=text_columns,
        top=top,
        min_score=min_score,
        what=what,
    )
    if corrections is not None:
        fixes = read_corrections(corrections, id_column=id_column)
        tags = apply_corrections(tags, fixes, concepts=index.concepts, id_column=id_column)
    return tags


@dataclass(frozen=True)
class MatchInputs:
    """Needs, their skills, programmes and programme tags, ready for matching."""

    needs: pd.DataFrame
    needed: pd.DataFrame
    programmes: pd.DataFrame
    tags: pd.DataFrame


def prepare(
    needs: str | Path,
    *,
    programmes: str | Path | pd.DataFrame | None = None,
    corrections: str | Path | None = None,
    tags: str | Path | None = None,
    stored_corrections: pd.DataFrame | None = None,
    need_tags: int = NEED_TAGS,
    programme_tags: int = PROGRAMME_TAGS,
    min_score: float = 0.0,
    index: ConceptIndex | None = None,
) -> MatchInputs:
    """Read needs and programmes (default: the packaged seed) and tag both with ESCO skills.

    ``programmes`` is a CSV file, or a table already read (the registry's programmes,
    :func:`clusteratlas.registry.services_programmes.programme_table`). ``tags`` is a table
    of programme skills (``programme_id`` or ``id``, ``skill_id``: the output of
    ``clusteratlas skills tag``, reviewed) used instead of tagging the programmes again.
    ``stored_corrections`` (``programme_id``, ``skill_id``, ``action``: the registry's
    hand corrections) and then the ``corrections`` file apply to the tags, so a correction
    in the file has the last word.
    """
    index = index or concept_index()
    need_table = read_needs(needs)
    if isinstance(programmes, pd.DataFrame):
        programme_table, source = programmes, "of the registry"
    else:
        programme_table, source = read_programmes(programmes), str(programmes or "seed")
    if tags is not None:
        given = read_table(tags, option="--tags")
        if "programme_id" not in given and "id" in given:
            given = given.rename(columns={"id": "programme_id"})
        check_columns(given, ["programme_id", "skill_id"], what=f"The --tags file {str(tags)!r}")
        unknown = ~given["programme_id"].isin(programme_table["programme_id"])
        if unknown.any():
            row = int(unknown.to_numpy().argmax())
            raise UnknownCodeError(
                f"The --tags file {str(tags)!r}, row {row + 2}: programme "
                f"{given['programme_id'].iloc[row]!r} is not in the programmes table."
            )
        programme_skills = given
    else:
        programme_skills = tag_table(
            programme_table,
            id_column="programme_id",
            text_columns=["title", "description"],
            top=programme_tags,
            min_score=min_score,
            index=index,
            what=f"The programmes table {source}",
        )
    fixes = []
    if stored_corrections is not None and not stored_corrections.empty:
        fixes.append(stored_corrections[["programme_id", "skill_id", "action"]])
    if corrections is not None:
        fixes.append(read_corrections(corrections, id_column="programme_id"))
    for fix in fixes:
        programme_skills = _correct(programme_skills, fix, index)
    needed = needed_skills(need_table, index=index, top=need_tags, min_score=min_score)
    return MatchInputs(need_table, needed, programme_table, programme_skills)


def _correct(tags: pd.DataFrame, fixes: pd.DataFrame, index: ConceptIndex) -> pd.DataFrame:
    table = tags.assign(
        rank=pd.to_numeric(tags.get("rank", 0), errors="coerce"),
        score=pd.to_numeric(tags.get("score", float("nan")), errors="coerce"),
        label=tags.get("label", ""),
    )
    return apply_corrections(table, fixes, concepts=index.concepts, id_column="programme_id")


def match(inputs: MatchInputs, *, top: int = 5) -> pd.DataFrame:
    """Rank programmes per need (:func:`~clusteratlas.skills.matching.match_programmes`)."""
    return match_programmes(inputs.needs, inputs.needed, inputs.programmes, inputs.tags, top=top)


def gaps(inputs: MatchInputs, *, by: str = "cluster") -> pd.DataFrame:
    """Needed skills per group and their covering programmes (:func:`~.matching.skill_gaps`)."""
    return skill_gaps(inputs.needs, inputs.needed, inputs.programmes, inputs.tags, by=by)

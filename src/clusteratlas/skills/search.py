"""Text search over ESCO skills and occupations with scikit-learn's TF-IDF.

Every concept is a document: its labels and definition (``text`` from
:func:`clusteratlas.skills.esco.read_esco`). A query (a search box's words, or a training
programme's title and description) is scored against every concept by the cosine of their
TF-IDF vectors; the best scores come first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, check_in, optional_import
from clusteratlas.errors import ParameterError

Analyzer = Literal["word", "char_wb"]
CHUNK = 512
"""Queries scored at once (bounds the dense score block to CHUNK × concepts floats)."""


def _check_top(top: int) -> None:
    if isinstance(top, bool) or not isinstance(top, int | np.integer) or top < 1:
        raise ParameterError(
            f"The 'top' parameter must be an int in [1, inf). Got {top!r} instead."
        )


def top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Return, per row of ``scores``, the columns of its ``k`` largest values, best first.

    Ties are broken by column (the lower first), exactly, also across the k-th place:
    a partial partition finds the k-th largest value, then only the columns above it and
    the first columns equal to it are sorted.

    Examples
    --------
    >>> top_rows(np.array([[0.1, 0.5, 0.5, 0.0, 0.5]]), 2).tolist()
    [[1, 2]]
    """
    m, n = scores.shape
    k = min(k, n)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    kth = np.take_along_axis(scores, part, axis=1).min(axis=1)
    out = np.empty((m, k), dtype=np.int64)
    for i in range(m):
        row, value = scores[i], kth[i]
        above = np.flatnonzero(row > value)
        ties = np.flatnonzero(row == value)[: k - len(above)]
        chosen = np.concatenate([above, ties])
        out[i] = chosen[np.lexsort((chosen, -row[chosen]))]
    return out


@dataclass(frozen=True)
class ConceptIndex:
    """A TF-IDF index of ESCO concepts (skills or occupations).

    Build one with :meth:`build`; it is immutable and can be reused for any number of
    queries.

    Attributes
    ----------
    concepts : pandas.DataFrame
        The indexed concepts (``id``, ``kind``, ``label``, …) in matrix row order.
    vectorizer : sklearn.feature_extraction.text.TfidfVectorizer
        The fitted vectorizer.
    matrix : scipy.sparse.csr_matrix
        One L2-normalised TF-IDF row per concept.
    attribution : tuple of str
        The attribution of the concepts' source, carried to every result.
    """

    concepts: pd.DataFrame
    vectorizer: Any
    matrix: Any
    attribution: tuple[str, ...]

    @classmethod
    def build(
        cls,
        concepts: pd.DataFrame,
        *,
        language: str | None = "en",
        analyzer: Analyzer = "word",
        ngram_range: tuple[int, int] | None = None,
    ) -> ConceptIndex:
        r"""Fit a TF-IDF index on ``concepts["text"]``.

        Parameters
        ----------
        concepts : pandas.DataFrame
            Columns ``id``, ``label`` and ``text`` (as from
            :func:`~clusteratlas.skills.esco.read_esco`).
        language : str or None
            ``"en"`` drops scikit-learn's English stop words; any other value (ESCO files in
            other languages) keeps every word.
        analyzer : {"word", "char_wb"}
            Word n-grams (default ``(1, 2)``) or character n-grams inside word boundaries
            (default ``(3, 5)``; matches ``weld`` with ``welding`` without a stemmer).
        ngram_range : (int, int), optional
            Overrides the default n-gram range of ``analyzer``.

        Notes
        -----
        Term weights are scikit-learn's smoothed TF-IDF with sublinear term frequency,
        :math:`w_{t,d} = (1 + \ln tf_{t,d}) \cdot (1 + \ln\frac{1 + n}{1 + df_t})`,
        rows L2-normalised, so the score of a query :math:`q` for a concept :math:`d` is the
        cosine :math:`\mathbf{w}_q \cdot \mathbf{w}_d` in [0, 1].

        References
        ----------
        Manning, Raghavan & Schütze (2008), *Introduction to Information Retrieval*, ch. 6.
        """
        check_columns(concepts, ["id", "label", "text"], what="The ESCO concepts table")
        check_in(analyzer, ("word", "char_wb"), name="analyzer")
        text = optional_import("sklearn.feature_extraction.text", extra="skills")
        default = (1, 2) if analyzer == "word" else (3, 5)
        vectorizer = text.TfidfVectorizer(
            analyzer=analyzer,
            ngram_range=ngram_range or default,
            lowercase=True,
            strip_accents="unicode",
            stop_words="english" if language == "en" and analyzer == "word" else None,
            sublinear_tf=True,
            dtype=np.float32,
        )
        matrix = vectorizer.fit_transform(concepts["text"].fillna("").astype(str))
        frame = concepts.reset_index(drop=True)
        return cls(
            concepts=frame,
            vectorizer=vectorizer,
            matrix=matrix.tocsr(),
            attribution=tuple(concepts.attrs.get("attribution", ())),
        )

    def top_k(self, texts: Sequence[str], *, top: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """Return the row numbers and scores of the ``top`` best concepts for each text.

        Returns
        -------
        (rows, scores) : (numpy.ndarray, numpy.ndarray)
            Both of shape ``(len(texts), min(top, n_concepts))``, best first; ties are broken
            by concept row (the order of ``concepts``, sorted by URI when read by
            :func:`~clusteratlas.skills.esco.read_esco`).
        """
        _check_top(top)
        k = min(top, self.matrix.shape[0])
        rows = np.zeros((len(texts), k), dtype=np.int64)
        scores = np.zeros((len(texts), k), dtype=np.float64)
        for start in range(0, len(texts), CHUNK):
            chunk = [str(t) for t in texts[start : start + CHUNK]]
            block = (self.vectorizer.transform(chunk) @ self.matrix.T).toarray()
            best = top_rows(block, k)
            rows[start : start + len(chunk)] = best
            scores[start : start + len(chunk)] = np.take_along_axis(block, best, axis=1)
        return rows, scores

    def search(self, query: str, *, top: int = 10, min_score: float = 0.0) -> pd.DataFrame:
        """Return the concepts that best match ``query``, best first.

        Parameters
        ----------
        query : str
            Free text (a few words or a whole description).
        top : int
            At most this many results.
        min_score : float
            Drop results scoring at or below this (``0`` drops concepts sharing no term).

        Returns
        -------
        pandas.DataFrame
            Columns ``rank``, ``id``, ``kind``, ``label``, ``score``;
            ``attrs["attribution"]`` holds the source's attribution.
        """
        if not isinstance(query, str):
            raise ParameterError(f"The 'query' parameter must be a str. Got {query!r} instead.")
        rows, scores = self.top_k([query], top=top)
        keep = scores[0] > min_score
        found = self.concepts.iloc[rows[0][keep]]
        result = pd.DataFrame(
            {
                "rank": np.arange(1, int(keep.sum()) + 1),
                "id": found["id"].to_numpy(),
                "kind": found["kind"].to_numpy() if "kind" in found else "skill",
                "label": found["label"].to_numpy(),
                "score": scores[0][keep],
            }
        )
        result.attrs["attribution"] = list(self.attribution)
        return result


def build_index(
    kind: Literal["skill", "occupation"] = "skill",
    *,
    path: str | None = None,
    language: str | None = "en",
    analyzer: Analyzer = "word",
) -> ConceptIndex:
    """Read ESCO ``kind`` concepts (catalog or ``path``) and index them; see :class:`ConceptIndex`."""
    from clusteratlas.skills.esco import read_esco

    return ConceptIndex.build(read_esco(kind, path=path), language=language, analyzer=analyzer)

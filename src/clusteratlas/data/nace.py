"""NACE Rev. 2, the European Union's classification of economic activities.

Codes are written in Eurostat's compact form: a section letter followed by the digits of
the division, group or class without dots (``"C"``, ``"C26"``, ``"C261"``, ``"C2611"``).
The code-shape helpers are pure string functions; the label tables are read from the
classification files of the data catalog.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.data._codes import clean_code, read_code_table
from clusteratlas.data.catalog import dataset_path
from clusteratlas.errors import ParameterError, UnknownCodeError

#: NACE Rev.2 sections and the ranges of the divisions they hold (published structure).
NACE_SECTION_DIVISIONS: dict[str, tuple[int, int]] = {
    "A": (1, 3),
    "B": (5, 9),
    "C": (10, 33),
    "D": (35, 35),
    "E": (36, 39),
    "F": (41, 43),
    "G": (45, 47),
    "H": (49, 53),
    "I": (55, 56),
    "J": (58, 63),
    "K": (64, 66),
    "L": (68, 68),
    "M": (69, 75),
    "N": (77, 82),
    "O": (84, 84),
    "P": (85, 85),
    "Q": (86, 88),
    "R": (90, 93),
    "S": (94, 96),
    "T": (97, 98),
    "U": (99, 99),
}

#: The section letter of each of the 88 NACE Rev.2 divisions (``"26"`` → ``"C"``).
NACE_DIVISION_SECTION: dict[str, str] = {
    f"{division:02d}": section
    for section, (low, high) in NACE_SECTION_DIVISIONS.items()
    for division in range(low, high + 1)
}

NACE_LEVELS: tuple[str, ...] = ("section", "division", "group", "class")
_NACE_DIGITS: dict[str, int] = {"section": 0, "division": 2, "group": 3, "class": 4}
_NACE_PATTERN = re.compile(r"(?P<section>[A-Z])?(?P<division>\d{2})?(?:\.?(?P<rest>\d{1,2}))?")


def normalise_nace(code: str) -> str:
    """Return a NACE Rev.2 code in Eurostat's compact form.

    Parameters
    ----------
    code : str
        A section (``"C"``), a division with or without its section (``"26"``, ``"C26"``),
        a group or class in dotted or compact form (``"26.1"``, ``"C26.1"``, ``"C261"``,
        ``"26.11"``, ``"D35.11"``). Case and surrounding spaces are ignored.

    Returns
    -------
    str
        The compact code: ``"C"``, ``"C26"``, ``"C261"``, ``"C2611"``. A bare division gets
        its section letter from the published NACE Rev.2 structure.

    Raises
    ------
    TypeError
        When ``code`` is not a string.
    UnknownCodeError
        When the code does not have the shape of a NACE code, names a division that does
        not exist, or gives a section letter that does not hold the division.

    Notes
    -----
    Groups and classes are checked for their shape and their division only: the list of
    the 272 groups and 615 classes is not consulted.

    Examples
    --------
    >>> normalise_nace("26.1")
    'C261'
    >>> normalise_nace("D35.11")
    'D3511'
    """
    text = clean_code(code, "NACE")
    match = _NACE_PATTERN.fullmatch(text)
    if not text or match is None or (match["division"] is None and match["rest"] is not None):
        raise UnknownCodeError(
            f"{code!r} is not a NACE Rev.2 code; expected a section letter, a division "
            f"('26' or 'C26'), a group ('26.1' or 'C261') or a class ('26.11' or 'C2611')."
        )
    section, division, rest = match["section"], match["division"], match["rest"] or ""
    if division is None:
        if section not in NACE_SECTION_DIVISIONS:
            raise UnknownCodeError(
                f"{code!r} is not a NACE Rev.2 section; sections run from 'A' to 'U'."
            )
        return str(section)
    expected = NACE_DIVISION_SECTION.get(division)
    if expected is None:
        nearest = min(NACE_DIVISION_SECTION, key=lambda known: abs(int(known) - int(division)))
        raise UnknownCodeError(
            f"{code!r}: {division!r} is not a NACE Rev.2 division. "
            f"Did you mean {NACE_DIVISION_SECTION[nearest] + nearest!r}?"
        )
    if section is not None and section != expected:
        raise UnknownCodeError(
            f"{code!r}: division {division} belongs to section {expected!r}, not {section!r}. "
            f"Did you mean {expected + division + rest!r}?"
        )
    return expected + division + rest


def nace_level(code: str) -> str:
    """Return the level of a NACE Rev.2 code.

    Parameters
    ----------
    code : str
        A NACE code in any form accepted by :func:`normalise_nace`.

    Returns
    -------
    str
        ``"section"``, ``"division"``, ``"group"`` or ``"class"``.

    Examples
    --------
    >>> nace_level("C26.1")
    'group'
    """
    compact = normalise_nace(code)
    return {1: "section", 3: "division", 4: "group", 5: "class"}[len(compact)]


def nace_parent(code: str, level: str) -> str:
    """Return the code at ``level`` that contains a NACE Rev.2 code.

    Parameters
    ----------
    code : str
        A NACE code in any form accepted by :func:`normalise_nace`.
    level : {"section", "division", "group", "class"}
        The level of the parent; the code's own level returns the code itself.

    Returns
    -------
    str
        The parent code in compact form.

    Raises
    ------
    ParameterError
        When ``level`` is not a level name, or is finer than the level of ``code``.

    Examples
    --------
    >>> nace_parent("26.11", "division")
    'C26'
    >>> nace_parent("C2611", "section")
    'C'
    """
    check_in(level, NACE_LEVELS, name="level")
    compact = normalise_nace(code)
    own = nace_level(compact)
    if NACE_LEVELS.index(level) > NACE_LEVELS.index(own):
        raise ParameterError(
            f"The 'level' parameter of nace_parent must not be finer than the code's level: "
            f"{code!r} is a {own}. Got {level!r} instead."
        )
    return compact[: 1 + _NACE_DIGITS[level]]


@functools.lru_cache(maxsize=8)
def _nace_sections(path: Path) -> pd.DataFrame:
    raw = read_code_table(path, ("section", "label_en", "label_fr"))
    section = raw["section"].str.strip()
    return pd.DataFrame(
        {
            "code": section,
            "section": section,
            "label_en": raw["label_en"].str.strip(),
            "label_fr": raw["label_fr"].str.strip(),
        }
    )


@functools.lru_cache(maxsize=8)
def _nace_divisions(path: Path) -> pd.DataFrame:
    raw = read_code_table(path, ("section", "division", "label_en", "label_fr"))
    section = raw["section"].str.strip()
    division = raw["division"].str.strip().str.zfill(2)
    return pd.DataFrame(
        {
            "code": section + division,
            "section": section,
            "label_en": raw["label_en"].str.strip(),
            "label_fr": raw["label_fr"].str.strip(),
        }
    )


def nace_sections(path: str | Path | None = None) -> pd.DataFrame:
    """Return the 21 NACE Rev.2 sections with English and French labels.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A CSV with columns ``section``, ``label_en``, ``label_fr``. By default the catalog
        data set ``"nace_sections"`` is resolved.

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (the section letter), ``section`` (the same letter), ``label_en``,
        ``label_fr``; a new frame at each call.

    Raises
    ------
    SchemaError
        When the file lacks one of the columns.
    """
    return _nace_sections(dataset_path(path, "nace_sections")).copy()


def nace_divisions(path: str | Path | None = None) -> pd.DataFrame:
    """Return the 88 NACE Rev.2 divisions with English and French labels.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A CSV with columns ``section``, ``division`` (two digits), ``label_en``,
        ``label_fr``. By default the catalog data set ``"nace_divisions"`` is resolved.

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` in Eurostat form (``"C26"``), ``section``, ``label_en``,
        ``label_fr``; a new frame at each call.

    Raises
    ------
    SchemaError
        When the file lacks one of the columns.
    """
    return _nace_divisions(dataset_path(path, "nace_divisions")).copy()


__all__ = [
    "NACE_DIVISION_SECTION",
    "NACE_LEVELS",
    "NACE_SECTION_DIVISIONS",
    "nace_divisions",
    "nace_level",
    "nace_parent",
    "nace_sections",
    "normalise_nace",
]

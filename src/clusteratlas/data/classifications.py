"""Industry classifications: NACE Rev.2 (European Union) and NAICS 2017 (United States).

NACE codes are written in Eurostat's compact form: a section letter followed by the digits
of the division, group or class without dots (``"C"``, ``"C26"``, ``"C261"``, ``"C2611"``).
NAICS codes are written as published by the US Census Bureau: 2 to 6 digits, except the
three sectors that span several 2-digit prefixes, written as ranges: ``"31-33"``
(Manufacturing), ``"44-45"`` (Retail Trade) and ``"48-49"`` (Transportation and
Warehousing). ``"00"`` is the all-industries total of County Business Patterns.

The code-shape helpers (:func:`normalise_nace`, :func:`nace_level`, :func:`nace_parent`,
:func:`normalise_naics`, :func:`naics_parent`) are pure string functions; the tables
(:func:`nace_sections`, :func:`nace_divisions`, :func:`naics_codes`) are read from the
classification files of the data catalog.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pandas as pd

from clusteratlas._validation import check_in, suggest
from clusteratlas.errors import ParameterError, SchemaError, UnknownCodeError

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

#: The NAICS sectors written as ranges, and the 2-digit prefixes each one covers.
NAICS_RANGE_SECTORS: dict[str, str] = {
    "31": "31-33",
    "32": "31-33",
    "33": "31-33",
    "44": "44-45",
    "45": "44-45",
    "48": "48-49",
    "49": "48-49",
}
NAICS_TOTAL = "00"
#: Codes that County Business Patterns uses beside NAICS: the all-industries total and the
#: establishments whose industry is not classified. They are not in the NAICS code list.
CBP_PSEUDO_CODES: dict[str, str] = {
    NAICS_TOTAL: "Total for all sectors",
    "99": "Industries not classified",
}


def _clean(code: object, what: str) -> str:
    if not isinstance(code, str):
        raise TypeError(f"A {what} code must be a str. Got {type(code).__name__} {code!r} instead.")
    return code.strip().upper()


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
    text = _clean(code, "NACE")
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


def _resolve(path: str | Path | None, name: str) -> Path:
    if path is None:
        from clusteratlas.data.catalog import resolve

        return resolve(name)
    return Path(path)


def _read_codes(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise SchemaError(
            f"{path} is missing column(s) {', '.join(map(repr, missing))}; "
            f"it has {', '.join(map(repr, map(str, frame.columns)))}."
        )
    return frame


@functools.lru_cache(maxsize=8)
def _nace_sections(path: Path) -> pd.DataFrame:
    raw = _read_codes(path, ("section", "label_en", "label_fr"))
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
    raw = _read_codes(path, ("section", "division", "label_en", "label_fr"))
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
    return _nace_sections(_resolve(path, "nace_sections")).copy()


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
    return _nace_divisions(_resolve(path, "nace_divisions")).copy()


def normalise_naics(code: str) -> str:
    """Return a NAICS code in the form used across Cluster Atlas.

    Parameters
    ----------
    code : str
        A NAICS code as found in Census files: ``"311111"``, the padded forms of the CBP
        metro files (``"3111//"``, ``"31----"``, ``"------"``), a range sector
        (``"31-33"``) or one of its 2-digit prefixes (``"32"``).

    Returns
    -------
    str
        2 to 6 digits, a range sector (``"31-33"``, ``"44-45"``, ``"48-49"``) for the
        2-digit prefixes 31–33, 44–45 and 48–49, or ``"00"`` for the all-industries total.

    Raises
    ------
    TypeError
        When ``code`` is not a string.
    UnknownCodeError
        When the code does not have the shape of a NAICS code.

    Examples
    --------
    >>> normalise_naics("31----")
    '31-33'
    >>> normalise_naics("3111//")
    '3111'
    >>> normalise_naics("------")
    '00'
    """
    text = _clean(code, "NAICS")
    if text in NAICS_RANGE_SECTORS.values():
        return text
    if text and set(text) == {"-"}:
        return NAICS_TOTAL
    stripped = text.rstrip("-/")
    if not re.fullmatch(r"\d{2,6}", stripped):
        raise UnknownCodeError(
            f"{code!r} is not a NAICS code; expected 2 to 6 digits (e.g. '3111' or '311111'), "
            f"a range sector such as '31-33', or '00' for all industries."
        )
    return NAICS_RANGE_SECTORS.get(stripped, stripped)


def naics_digits(code: str) -> int:
    """Return the number of digits of a NAICS code (2 for a range sector, 0 for ``"00"``).

    Parameters
    ----------
    code : str
        A NAICS code in any form accepted by :func:`normalise_naics`.

    Returns
    -------
    int
        0 for the all-industries total, else 2 to 6.
    """
    normal = normalise_naics(code)
    if normal == NAICS_TOTAL:
        return 0
    return 2 if "-" in normal else len(normal)


def naics_parent(code: str, digits: int) -> str:
    """Return the NAICS code with ``digits`` digits that contains ``code``.

    Parameters
    ----------
    code : str
        A NAICS code in any form accepted by :func:`normalise_naics`.
    digits : {2, 3, 4, 5, 6}
        The level of the parent. At 2 digits, codes under 31–33, 44–45 and 48–49 give the
        range sectors ``"31-33"``, ``"44-45"`` and ``"48-49"``, as in the NAICS manual.

    Returns
    -------
    str
        The parent code.

    Raises
    ------
    ParameterError
        When ``digits`` is not 2 to 6, or is more than the digits of ``code``.
    UnknownCodeError
        When ``code`` is not a NAICS code.

    Examples
    --------
    >>> naics_parent("336411", 3)
    '336'
    >>> naics_parent("336411", 2)
    '31-33'
    """
    check_in(digits, (2, 3, 4, 5, 6), name="digits")
    normal = normalise_naics(code)
    own = naics_digits(normal)
    if digits > own:
        raise ParameterError(
            f"The 'digits' parameter of naics_parent must not exceed the digits of the code: "
            f"{code!r} has {own}. Got {digits!r} instead."
        )
    if "-" in normal:
        return normal
    return NAICS_RANGE_SECTORS.get(normal[:digits], normal[:digits])


@functools.lru_cache(maxsize=8)
def _naics_codes(path: Path) -> pd.DataFrame:
    raw = _read_codes(path, ("code", "title"))
    code = raw["code"].str.strip()
    digits = code.map(naics_digits)
    parent = [
        naics_parent(value, n - 1) if n > 2 else "" for value, n in zip(code, digits, strict=True)
    ]
    return pd.DataFrame(
        {
            "code": code,
            "title": raw["title"].str.strip(),
            "digits": digits.astype("int64"),
            "parent": pd.Series(parent, index=raw.index, dtype="str"),
        }
    )


def naics_codes(path: str | Path | None = None) -> pd.DataFrame:
    """Return the NAICS 2017 codes with their titles, levels and parents.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A CSV with columns ``code`` and ``title`` (``naics2017_us.csv``). By default the
        catalog data set ``"naics2017"`` is resolved.

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (str; sectors 31–33, 44–45, 48–49 written ``"31-33"``…),
        ``title``, ``digits`` (int, 2 to 6) and ``parent`` (the code one level up, empty
        for sectors); a new frame at each call.

    Raises
    ------
    SchemaError
        When the file lacks a column.
    """
    return _naics_codes(_resolve(path, "naics2017")).copy()


def naics_label(code: str, *, path: str | Path | None = None) -> str:
    """Return the title of a NAICS 2017 code.

    Parameters
    ----------
    code : str
        A NAICS code in any form accepted by :func:`normalise_naics`; the County Business
        Patterns codes ``"00"`` (all industries) and ``"99"`` (industries not classified)
        are also known.
    path : str or pathlib.Path, optional
        The NAICS code list, as for :func:`naics_codes`.

    Returns
    -------
    str
        The title, e.g. ``"Manufacturing"`` for ``"31-33"`` (or ``"31"``).

    Raises
    ------
    UnknownCodeError
        When the code is not in the list; the message suggests a close code.
    """
    try:
        normal = normalise_naics(code)
    except UnknownCodeError:
        normal = str(code)
    if normal in CBP_PSEUDO_CODES:
        return CBP_PSEUDO_CODES[normal]
    table = _naics_codes(_resolve(path, "naics2017"))
    found = table.loc[table["code"] == normal, "title"]
    if found.empty:
        hint = suggest(normal, table["code"])
        raise UnknownCodeError(f"{code!r} is not a NAICS 2017 code.{hint}")
    return str(found.iloc[0])


__all__ = [
    "CBP_PSEUDO_CODES",
    "NACE_DIVISION_SECTION",
    "NACE_LEVELS",
    "NACE_SECTION_DIVISIONS",
    "NAICS_RANGE_SECTORS",
    "NAICS_TOTAL",
    "nace_divisions",
    "nace_level",
    "nace_parent",
    "nace_sections",
    "naics_codes",
    "naics_digits",
    "naics_label",
    "naics_parent",
    "normalise_nace",
    "normalise_naics",
]

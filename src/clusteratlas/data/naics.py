"""NAICS 2017, the North American Industry Classification System.

Codes are written as published by the US Census Bureau: 2 to 6 digits, except the three
sectors that span several 2-digit prefixes, written as ranges: ``"31-33"`` (Manufacturing),
``"44-45"`` (Retail Trade) and ``"48-49"`` (Transportation and Warehousing). ``"00"`` is
the all-industries total of County Business Patterns.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pandas as pd

from clusteratlas._validation import check_in, suggest
from clusteratlas.data._codes import clean_code, read_code_table
from clusteratlas.data.catalog import dataset_path
from clusteratlas.errors import ParameterError, UnknownCodeError

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
    text = clean_code(code, "NAICS")
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
    raw = read_code_table(path, ("code", "title"))
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
    return _naics_codes(dataset_path(path, "naics2017")).copy()


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
    table = _naics_codes(dataset_path(path, "naics2017"))
    found = table.loc[table["code"] == normal, "title"]
    if found.empty:
        hint = suggest(normal, table["code"])
        raise UnknownCodeError(f"{code!r} is not a NAICS 2017 code.{hint}")
    return str(found.iloc[0])


__all__ = [
    "CBP_PSEUDO_CODES",
    "NAICS_RANGE_SECTORS",
    "NAICS_TOTAL",
    "naics_codes",
    "naics_digits",
    "naics_label",
    "naics_parent",
    "normalise_naics",
]

"""NUTS region codes: levels, countries, parents and extra-regio territories.

A NUTS code is a two-letter country code followed by one character per level below the
country: ``"DE"`` (level 0), ``"DE1"`` (level 1), ``"DE11"`` (level 2), ``"DE111"``
(level 3). Eurostat writes Greece ``"EL"`` and the United Kingdom ``"UK"``. Extra-regio
territories (continental shelf, embassies…) have a suffix of ``Z`` only: ``"DEZ"``,
``"DEZZ"``, ``"DEZZZ"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from clusteratlas._validation import check_in
from clusteratlas.errors import ParameterError, UnknownCodeError

#: The 27 member states of the European Union since 1 February 2020, as NUTS country codes.
EU27: frozenset[str] = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip

#: The 28 member states of the European Union from 1 July 2013 to 31 January 2020.
EU28: frozenset[str] = EU27 | {"UK"}

_NUTS_PATTERN = re.compile(r"[A-Z]{2}[0-9A-Z]{0,3}")


def _checked(code: object) -> str:
    if not isinstance(code, str):
        raise TypeError(f"A NUTS code must be a str. Got {type(code).__name__} {code!r} instead.")
    text = code.strip().upper()
    if not _NUTS_PATTERN.fullmatch(text):
        raise UnknownCodeError(
            f"{code!r} is not a NUTS code; expected a two-letter country code followed by "
            f"0 to 3 letters or digits (e.g. 'DE', 'DE1', 'DE11', 'DE111')."
        )
    return text


def nuts_level(code: str) -> int:
    """Return the NUTS level of a code (0 for a country, up to 3).

    Parameters
    ----------
    code : str
        A NUTS code such as ``"DE11"``.

    Returns
    -------
    int
        ``len(code) - 2``.

    Raises
    ------
    TypeError
        When ``code`` is not a string.
    UnknownCodeError
        When ``code`` does not have the shape of a NUTS code.

    Examples
    --------
    >>> nuts_level("DE11")
    2
    """
    return len(_checked(code)) - 2


def nuts_country(code: str) -> str:
    """Return the country code of a NUTS code.

    Parameters
    ----------
    code : str
        A NUTS code such as ``"EL30"``.

    Returns
    -------
    str
        Its first two letters (``"EL"`` for Greece, ``"UK"`` for the United Kingdom).

    Examples
    --------
    >>> nuts_country("FR10")
    'FR'
    """
    return _checked(code)[:2]


def is_extra_regio(code: str) -> bool:
    """Return whether a NUTS code is an extra-regio territory.

    Parameters
    ----------
    code : str
        A NUTS code.

    Returns
    -------
    bool
        True for codes below the country level whose suffix is all ``Z`` (``"DEZ"``,
        ``"DEZZ"``, ``"FRZZZ"``); False otherwise, countries included.

    Examples
    --------
    >>> is_extra_regio("FRZZ"), is_extra_regio("CZ01")
    (True, False)
    """
    suffix = _checked(code)[2:]
    return bool(suffix) and set(suffix) == {"Z"}


def nuts_parent(code: str, level: int) -> str:
    """Return the code at ``level`` that contains a NUTS code.

    Parameters
    ----------
    code : str
        A NUTS code.
    level : {0, 1, 2, 3}
        The level of the parent; the code's own level returns the code itself.

    Returns
    -------
    str
        The first ``2 + level`` characters of the code.

    Raises
    ------
    ParameterError
        When ``level`` is not 0 to 3 or is finer than the level of ``code``.

    Examples
    --------
    >>> nuts_parent("DE111", 1)
    'DE1'
    """
    check_in(level, (0, 1, 2, 3), name="level")
    text = _checked(code)
    if level > len(text) - 2:
        raise ParameterError(
            f"The 'level' parameter of nuts_parent must not exceed the level of the code: "
            f"{code!r} is at level {len(text) - 2}. Got {level!r} instead."
        )
    return text[: 2 + level]


def nuts_vintage_hint(
    code: str, names: Mapping[str, str], *, data_vintage: str = "NUTS 2010/2013"
) -> str:
    """Explain an unknown NUTS code that may belong to another NUTS version.

    Parameters
    ----------
    code : str
        The code a user typed, e.g. ``"FRK2"`` (NUTS 2016 Auvergne-Rhône-Alpes).
    names : mapping of str to str
        Region code → name of the data at hand.
    data_vintage : str
        The NUTS version(s) of the data, for the message.

    Returns
    -------
    str
        ``""`` when ``code`` is not NUTS-shaped or its country is not in the data; else a
        sentence (with a leading space) saying that the data use ``data_vintage`` codes and
        listing that country's regions, so that no look-alike code of another region is
        offered. What the NUTS correspondence table says of the code
        (:func:`clusteratlas.data.nuts_vintages.suggest_code`) comes first.
    """
    text = str(code).strip().upper()
    if not _NUTS_PATTERN.fullmatch(text) or len(text) < 3:
        return ""
    country = text[:2]
    same = sorted(c for c in names if c[:2] == country and len(c) == len(text))
    if not same:
        return ""
    known = _vintage_sentence(text, names)
    shown = ", ".join(f"{c} {names[c]}" for c in same[:30]) + (" …" if len(same) > 30 else "")
    lead = (
        f" {known}."
        if known
        else " It looks like a code of another NUTS version (NUTS 2016/2021 recoded many regions)."
    )
    return f"{lead} These data use {data_vintage} codes; {country} regions here: {shown}."


def _vintage_sentence(code: str, names: Mapping[str, str]) -> str | None:
    """Return what the NUTS correspondence table says of ``code`` ("FRK2 is NUTS 2016 …")."""
    from clusteratlas.data.nuts_vintages import suggest_code

    try:
        sentence = suggest_code(code, names.keys(), names=names)
    except (KeyError, ValueError):  # a code of no NUTS version: the generic hint follows
        return None
    return sentence.rstrip(".") or None


__all__ = [
    "EU27",
    "EU28",
    "is_extra_regio",
    "nuts_country",
    "nuts_level",
    "nuts_parent",
    "nuts_vintage_hint",
]

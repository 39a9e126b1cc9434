"""Neutralising spreadsheet formulas in CSV exports (CSV injection).

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be
run as a formula when the CSV is opened in a spreadsheet. Text cells starting so are
prefixed with an apostrophe, which spreadsheets show as text; numbers are left alone, so a
negative number in a numeric column stays a number.

References
----------
OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection .
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""


def neutralise(value: Any) -> Any:
    """Return ``value`` with an apostrophe in front when it is text starting like a formula.

    Examples
    --------
    >>> neutralise("=HYPERLINK(1)"), neutralise("-12"), neutralise(-12), neutralise("ok")
    ("'=HYPERLINK(1)", "'-12", -12, 'ok')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose text cells are :func:`neutralise`-d (numbers untouched)."""
    out = frame.copy()
    for column in out.columns:
        if not (
            pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column])
        ):
            out[column] = out[column].map(neutralise)
    return out

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

from clusteratlas.data.nace import (
    NACE_DIVISION_SECTION,
    NACE_LEVELS,
    NACE_SECTION_DIVISIONS,
    nace_divisions,
    nace_level,
    nace_parent,
    nace_sections,
    normalise_nace,
)
from clusteratlas.data.naics import (
    CBP_PSEUDO_CODES,
    NAICS_RANGE_SECTORS,
    NAICS_TOTAL,
    naics_codes,
    naics_digits,
    naics_label,
    naics_parent,
    normalise_naics,
)

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

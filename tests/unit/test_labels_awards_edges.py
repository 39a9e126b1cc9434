"""Edges of label validity and expiry, each date worked out by hand from the rule it tests.

Written for the survivors of the mutation run over ``labels/awards.py`` (see
``benchmarks/mutation_report.md``): the renewal window's first day, levels without a
validity or with a cap only, the default horizon, a label expiring today, awards tables
without ``valid_until``, and the exact messages.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.labels import load_scheme, parse_scheme
from clusteratlas.labels.awards import expiring_labels, label_validity

D = dt.date
LEVELS = """
id = "caps"
version = "1"
title = "Caps"
body = "Us"
description = "Levels with and without validity and caps."
status = "UNCONFIRMED"
provenance = [{ title = "Our own" }]

[[groups]]
id = "g"
name = "G"
[[groups.indicators]]
id = "I1"
question = "Members?"
kind = "number"
unit = "members"

[[levels]]
name = "Open"
[[levels]]
name = "Phase"
ends_on = 2030-06-30
[[levels]]
name = "Year"
validity_months = 12
ends_on = 2030-06-30
"""


@pytest.fixture
def caps():
    return parse_scheme(LEVELS)


def test_a_level_without_validity_or_cap_never_expires(caps) -> None:
    assert label_validity(caps, level="Open", awarded=D(2026, 5, 4)) is None


def test_a_level_with_a_cap_only_ends_with_the_cap(caps) -> None:
    assert label_validity(caps, level="Phase", awarded=D(2026, 5, 4)) == D(2030, 6, 30)


def test_the_cap_shortens_only_a_validity_that_runs_past_it(caps) -> None:
    # 12 months from 4 May 2026: to 3 May 2027, well before the cap.
    assert label_validity(caps, level="Year", awarded=D(2026, 5, 4)) == D(2027, 5, 3)
    # From 1 Nov 2029: 31 Oct 2030 would run past 30 Jun 2030, the cap.
    assert label_validity(caps, level="Year", awarded=D(2029, 11, 1)) == D(2030, 6, 30)


def test_the_renewal_window_opens_the_day_after_the_expiry() -> None:
    # Our reading of "renewable up to 1 year after expiry": the window is (expiry,
    # expiry + 12 months]. Awarded on the expiry day itself: a new label, 2 years from the
    # interview month (31 Mar 2026 -> 31 Mar 2028); the day after: 3 years (30 Apr 2029).
    bronze = load_scheme("esca-bronze")
    expiry = D(2026, 3, 31)
    assert label_validity(bronze, level="Bronze", awarded=expiry, previous_expiry=expiry) == D(
        2028, 3, 31
    )
    assert label_validity(
        bronze, level="Bronze", awarded=D(2026, 4, 1), previous_expiry=expiry
    ) == D(2029, 4, 30)


def test_an_unknown_level_lists_every_level() -> None:
    with pytest.raises(ParameterError) as info:
        label_validity(load_scheme("poles-phase5"), level="Platinum", awarded=D(2023, 1, 1))
    assert str(info.value) == (
        "Scheme poles-phase5@" + load_scheme("poles-phase5").version + " has no level "
        "'Platinum'; its levels are '1 year', '2 years', '4 years'."
    )


def _gold(valid_until: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "organisation_id": [f"o{i}" for i in range(len(valid_until))],
            "scheme": "esca-gold",
            "level": "Gold",
            "awarded": "2024-01-01",
            "valid_until": valid_until,
        }
    )


def test_the_default_horizon_is_six_months() -> None:
    # From 15 Jan 2026, six months run to 15 Jul 2026: the 15 Jul label is in, 16 Jul out.
    awards = _gold(["2026-07-15", "2026-07-16"])
    out = expiring_labels(awards, today=D(2026, 1, 15))
    assert out["organisation_id"].tolist() == ["o0"]


def test_a_label_expiring_today_is_listed_with_no_day_left() -> None:
    awards = _gold(["2026-01-15", "2026-01-14", "2026-01-16"])
    out = expiring_labels(awards, today=D(2026, 1, 15), within_months=0)
    # within 0 months: only what expires today; yesterday's label has expired.
    assert out["organisation_id"].tolist() == ["o0"]
    assert out["days_left"].tolist() == [0]
    assert list(out.columns) == [*awards.columns, "days_left"]
    assert out.index.tolist() == [0]


def test_an_awards_table_without_valid_until_is_computed_from_the_schemes() -> None:
    # ESCA Gold from 1 Jul 2024: 24 months, to 30 Jun 2026; Bronze from 12 Mar 2024: to
    # 31 Mar 2026. From 15 Jan 2026 both are within six months, Bronze first.
    awards = pd.DataFrame(
        {
            "organisation_id": ["gold", "bronze"],
            "scheme": ["esca-gold", "esca-bronze"],
            "level": ["Gold", "Bronze"],
            "awarded": ["2024-07-01", "2024-03-12"],
        },
        index=[10, 11],
    )
    out = expiring_labels(awards, today=D(2026, 1, 15))
    assert out["organisation_id"].tolist() == ["bronze", "gold"]
    assert out["valid_until"].tolist() == [D(2026, 3, 31), D(2026, 6, 30)]
    assert out["days_left"].tolist() == [75, 166]  # 16 + 28 + 31; + 30 + 31 + 30
    assert out.index.tolist() == [0, 1]


def test_a_bad_award_date_and_a_missing_column_are_named() -> None:
    awards = pd.DataFrame(
        {"organisation_id": ["a"], "scheme": ["esca-gold"], "level": ["Gold"],
         "awarded": ["soon"]}
    )  # fmt: skip
    with pytest.raises(ParameterError) as info:
        expiring_labels(awards, today=D(2026, 1, 15))
    assert str(info.value) == "awards, row 0: 'awarded' must be a date; got 'soon'."
    with pytest.raises(SchemaError) as missing:
        expiring_labels(awards.drop(columns="level"), today=D(2026, 1, 15))
    assert str(missing.value) == (
        "awards is missing column(s) 'level'; it has 'organisation_id', 'scheme', 'awarded'."
    )

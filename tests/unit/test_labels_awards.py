"""Validity and expiry of labels, dates worked out by hand from the scheme's rules."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from clusteratlas.errors import ParameterError
from clusteratlas.labels import load_scheme
from clusteratlas.labels.awards import expiring_labels, label_validity

D = dt.date


def test_bronze_is_valid_two_years_from_the_interview_month() -> None:
    bronze = load_scheme("esca-bronze")
    assert label_validity(bronze, level="Bronze", awarded=D(2024, 3, 12)) == D(2026, 3, 31)
    assert label_validity(bronze, level="bronze", awarded=D(2024, 1, 31)) == D(2026, 1, 31)
    # renewal within 1 year of the expiry: 3 years from the renewal interview month
    assert label_validity(
        bronze, level="Bronze", awarded=D(2026, 9, 10), previous_expiry=D(2026, 3, 31)
    ) == D(2029, 9, 30)
    # 31 Mar 2027 is the last day of the window; 1 Apr 2027 is a new label (2 years)
    assert label_validity(
        bronze, level="Bronze", awarded=D(2027, 3, 31), previous_expiry=D(2026, 3, 31)
    ) == D(2030, 3, 31)
    assert label_validity(
        bronze, level="Bronze", awarded=D(2027, 4, 1), previous_expiry=D(2026, 3, 31)
    ) == D(2029, 4, 30)


def test_day_based_and_capped_validity() -> None:
    gold = load_scheme("esca-gold")
    assert label_validity(gold, level="Gold", awarded=D(2024, 3, 1)) == D(2026, 2, 28)
    # 29 Feb 2024: no 29 Feb in 2026, the anniversary is 1 Mar, so valid to 28 Feb
    assert label_validity(gold, level="Gold", awarded=D(2024, 2, 29)) == D(2026, 2, 28)
    poles = load_scheme("poles-phase5")
    assert label_validity(poles, level="4 years", awarded=D(2023, 1, 1)) == D(2026, 12, 31)
    # labelled in January 2024 for 2024-2026: 48 months would run past the phase's end
    assert label_validity(poles, level="4 years", awarded=D(2024, 1, 15)) == D(2026, 12, 31)
    assert label_validity(poles, level="2 years", awarded=D(2023, 1, 1)) == D(2024, 12, 31)
    with pytest.raises(ParameterError, match="has no level 'Platinum'; its levels are '1 year'"):
        label_validity(poles, level="Platinum", awarded=D(2023, 1, 1))


def test_expiring_within_six_months() -> None:
    awards = pd.DataFrame(
        {
            "organisation_id": ["a", "b", "c", "d", "e"],
            "scheme": ["esca-bronze", "esca-gold", "esca-gold", "esca-gold", "poles-phase5"],
            "level": ["Bronze", "Gold", "Gold", "Gold", "4 years"],
            "awarded": ["2024-03-12", "2025-01-10", "2023-06-01", "2024-07-01", "2023-01-01"],
            "valid_until": ["", "", "2025-12-31", "2026-07-15", ""],
        }
    )
    out = expiring_labels(awards, today=D(2026, 1, 15), within_months=6)
    # a: 31 Mar 2026 (75 days: 16 + 28 + 31); d: given 15 Jul 2026 = the horizon (181 days);
    # b: 9 Jan 2027 is after the horizon; c expired already; e: 31 Dec 2026 after it.
    assert out["organisation_id"].tolist() == ["a", "d"]
    assert out["valid_until"].tolist() == [D(2026, 3, 31), D(2026, 7, 15)]
    assert out["days_left"].tolist() == [75, 181]
    assert len(awards) == 5 and "days_left" not in awards  # the input is not changed
    with pytest.raises(ParameterError, match="'within_months' parameter must be an int"):
        expiring_labels(awards, today=D(2026, 1, 15), within_months=-1)

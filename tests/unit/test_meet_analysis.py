"""The organiser's figures after an event, on four participants worked out by hand.

P1 (FR, SME), P2 (FR, large company), P3 (DE, SME), P4 (IT, investor). Requests: P1→P2
accepted, P2→P3 declined, P3→P1 accepted, P4→P1 requested, P1→P4 cancelled: acceptance
2 / (2 + 1). Meetings P1–P2 and P3–P1: P1 has 2, P2 and P3 one, P4 none → coverage 3/4,
minimum 0, median of (0, 1, 1, 2) = 1. Ratings: P1 rates P2 4 and "may lead to
cooperation", P2 rates P1 2 and not, P3 says its meeting with P1 was not held → one meeting
held, mean rating 3, share of cooperation 1/2. Countries: FR–FR 1, DE–FR 1.
"""

from __future__ import annotations

import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.meet.analysis import (
    meeting_figures,
    meetings_matrix,
    organiser_summary,
    plot_meetings_network,
    ratings_summary,
    registrations,
    request_figures,
    validate_ratings,
    write_meetings_chart,
)

pytest.importorskip("matplotlib")
pytest.importorskip("networkx")


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame({
        "participant_id": ["P1", "P2", "P3", "P4"],
        "organisation_id": ["a", "b", "c", "d"],
        "type": ["SME", "large company", "SME", "investor"],
        "country": ["FR", "FR", "DE", "IT"],
    })  # fmt: skip


@pytest.fixture
def requests() -> pd.DataFrame:
    return pd.DataFrame({
        "from": ["P1", "P2", "P3", "P4", "P1"], "to": ["P2", "P3", "P1", "P1", "P4"],
        "status": ["accepted", "declined", "accepted", "requested", "cancelled"],
    })  # fmt: skip


@pytest.fixture
def schedule() -> pd.DataFrame:
    return pd.DataFrame({"participant_a": ["P1", "P3"], "participant_b": ["P2", "P1"],
                         "status": ["confirmed", "confirmed"]})  # fmt: skip


@pytest.fixture
def ratings(people: pd.DataFrame) -> pd.DataFrame:
    raw = pd.DataFrame({
        "rater": ["P1", "P2", "P3"], "other": ["P2", "P1", "P1"], "held": ["yes", "yes", "no"],
        "rating": ["4", "2", ""], "cooperation": ["yes", "no", ""],
    })  # fmt: skip
    return validate_ratings(raw, participants=people)


def test_registrations_by_type_and_country(people: pd.DataFrame) -> None:
    by_type = registrations(people, by="type")
    assert by_type.values.tolist() == [
        ["SME", 2, 0.5], ["investor", 1, 0.25], ["large company", 1, 0.25]
    ]  # fmt: skip
    by_country = registrations(people, by="country")
    assert by_country["country"].tolist() == ["FR", "DE", "IT"]
    assert by_country["participants"].tolist() == [2, 1, 1]


def test_requests_meetings_and_ratings_by_hand(people, requests, schedule, ratings) -> None:
    figures = request_figures(requests)
    assert figures["requests"] == 5
    assert figures["acceptance_rate"] == pytest.approx(2 / 3)
    assert figures["by_status"] == {"accepted": 2, "cancelled": 1, "declined": 1, "requested": 1}
    meetings = meeting_figures(schedule, participants=people, ratings=ratings)
    assert meetings == {"meetings_scheduled": 2, "meetings_held": 1, "coverage": 0.75,
                        "min_meetings": 0, "median_meetings": 1.0}  # fmt: skip
    assert ratings_summary(ratings) == {"ratings": 2, "mean_rating": 3.0, "share_cooperation": 0.5}
    summary = organiser_summary(participants=people, requests=requests, schedule=schedule)
    assert summary["meetings_held"] is None and summary["mean_rating"] is None
    assert summary["by_country"] == {"FR": 2, "DE": 1, "IT": 1}
    assert all(type(v) is int for v in summary["by_type"].values())  # JSON writes 2, not 2.0


def test_no_answered_request_has_no_acceptance_rate() -> None:
    only_open = pd.DataFrame({"from": ["A"], "to": ["B"], "status": ["requested"]})
    assert request_figures(only_open)["acceptance_rate"] is None


def test_meetings_matrix_counts_each_meeting_once(people, schedule) -> None:
    matrix = meetings_matrix(schedule, participants=people, by="country")
    assert list(matrix.index) == ["DE", "FR", "IT"]
    assert matrix.to_numpy().tolist() == [[0, 1, 0], [1, 1, 0], [0, 0, 0]]
    by_type = meetings_matrix(schedule, participants=people, by="type")
    assert by_type.loc["SME", "large company"] == 1 and by_type.loc["SME", "SME"] == 1


def test_the_chart_shows_groups_meetings_and_its_sources(people, schedule) -> None:
    matrix = meetings_matrix(schedule, participants=people, by="country")
    ax = plot_meetings_network(matrix, attribution=["Source: test meetings", "SYNTHETIC"])
    assert ax.get_title() == "Meetings between countries"
    texts = [t.get_text() for t in ax.texts]
    assert "Source: test meetings\nSYNTHETIC" in texts
    assert "FR\n2 (1 within)" in texts and "DE\n1 (0 within)" in texts
    assert not any(t.startswith("IT") for t in texts)  # no meeting, no node
    nodes = [c for c in ax.collections if type(c).__name__ == "PathCollection"]
    edges = [c for c in ax.collections if type(c).__name__ == "LineCollection"]
    assert len(nodes[0].get_offsets()) == 2
    assert len(edges[0].get_segments()) == 1  # DE–FR; FR–FR is in the label


def test_the_chart_needs_its_sources_and_is_written_whole(people, schedule, tmp_path) -> None:
    matrix = meetings_matrix(schedule, participants=people, by="type")
    with pytest.raises(ParameterError, match="'attribution' parameter"):
        plot_meetings_network(matrix, attribution="  ")
    path = write_meetings_chart(tmp_path / "chart.png", matrix, attribution="Source: test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("column", "value", "needle"),
    [
        ("rating", "6", "line 2, column 'rating' must be an integer from 1 to 5"),
        ("rating", "3.5", "column 'rating' must be an integer"),
        ("held", "maybe", "line 2, column 'held' must be yes or no"),
        ("other", "P9", "line 2, column 'other': 'P9' is not among the participants"),
    ],
)
def test_bad_ratings_name_line_and_column(people, column, value, needle) -> None:
    raw = pd.DataFrame({"rater": ["P1"], "other": ["P2"], "held": ["yes"], "rating": ["4"],
                        "cooperation": ["no"]})  # fmt: skip
    raw.loc[0, column] = value
    with pytest.raises(SchemaError, match=needle):
        validate_ratings(raw, participants=people, what="ratings.csv")


def test_a_rating_of_a_meeting_not_held_is_refused(people) -> None:
    raw = pd.DataFrame({"rater": ["P1"], "other": ["P2"], "held": ["no"], "rating": ["4"]})
    with pytest.raises(SchemaError, match="rating is given for a meeting not held"):
        validate_ratings(raw, participants=people)


def test_a_schedule_with_an_unknown_participant_is_named(people) -> None:
    bad = pd.DataFrame({"participant_a": ["P1"], "participant_b": ["P9"]})
    with pytest.raises(SchemaError, match="line 2: participant 'P9'"):
        meetings_matrix(bad, participants=people)

"""Peer benchmark: never below N, and no single peer can be read back by varying filters."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusteratlas.errors import AssessmentError, ParameterError
from clusteratlas.labels.benchmark import (
    ANY,
    assessments_frame,
    benchmark_peers,
    disclosure_table,
    size_band,
)

DIMS = ("country", "ecosystem", "size_band")


def _population(
    rows: list[tuple[str, str, str]], shares: list[float] | None = None
) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(DIMS))
    frame.insert(0, "organisation_id", [f"o{i}" for i in range(len(rows))])
    frame["strategy"] = shares if shares is not None else np.linspace(0, 1, len(rows))
    return frame


def _selected(records: list[dict], combo: tuple[str, ...]) -> frozenset[str]:
    """The peer group of a filter set, computed here independently of the module."""
    return frozenset(
        row["organisation_id"]
        for row in records
        if all(value in (ANY, row[d]) for d, value in zip(DIMS, combo, strict=True))
    )


def _assert_no_differencing(frame: pd.DataFrame, min_peers: int) -> int:
    """Every pair of filter sets whose peer groups differ by one: at least one suppressed."""
    table = disclosure_table(frame, min_peers=min_peers)
    values = [[ANY, *sorted(frame[d].unique())] for d in DIMS]
    assert len(table) == np.prod([len(v) for v in values])  # every filter set is judged
    shown = dict(
        zip(table[list(DIMS)].itertuples(index=False, name=None), table["shown"], strict=True)
    )
    records = frame.to_dict(orient="records")
    groups = {combo: _selected(records, combo) for combo in itertools.product(*values)}
    pairs = 0
    for (f1, g1), (f2, g2) in itertools.combinations(groups.items(), 2):
        if len(g1 ^ g2) == 1:
            pairs += 1
            assert not (shown[f1] and shown[f2]), (f1, sorted(g1), f2, sorted(g2))
    for combo, group in groups.items():
        if shown[combo]:
            assert len(group) >= min_peers
    return pairs


SMALL = [  # 12 organisations: 2 countries x 2 ecosystems x 2 size bands, unevenly filled
    ("FR", "digital", "1-49"),
    ("FR", "digital", "1-49"),
    ("FR", "digital", "50-149"),
    ("FR", "digital", "50-149"),
    ("FR", "digital", "50-149"),
    ("FR", "health", "1-49"),
    ("FR", "health", "50-149"),
    ("DE", "digital", "1-49"),
    ("DE", "digital", "1-49"),
    ("DE", "health", "50-149"),
    ("DE", "health", "50-149"),
    ("DE", "health", "1-49"),
]


@pytest.mark.parametrize("min_peers", [2, 3, 4, 5, 6])
def test_exhaustive_no_differencing_on_a_small_population(min_peers: int) -> None:
    pairs = _assert_no_differencing(_population(SMALL), min_peers)
    assert pairs > 10  # the population does offer differencing pairs to defeat


def test_exhaustive_over_every_subset_of_a_population() -> None:
    # every one of the 2^8 sub-populations of 8 organisations, N = 2 and 3
    base = SMALL[:5] + SMALL[7:10]
    for mask in range(1, 2 ** len(base)):
        rows = [row for i, row in enumerate(base) if mask >> i & 1]
        for n in (2, 3):
            _assert_no_differencing(_population(rows), n)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("AB"), st.sampled_from("xyz"), st.sampled_from("sl")),
        min_size=1,
        max_size=16,
    ),
    st.integers(2, 6),
)
def test_property_no_differencing(rows: list[tuple[str, str, str]], min_peers: int) -> None:
    _assert_no_differencing(_population(rows), min_peers)


def test_the_attack_the_rule_blocks() -> None:
    # 6 French clusters, 5 in digital and 1 in health: the health one's score would be
    # 6 x mean(FR) - 5 x mean(FR, digital). The broader group is suppressed, the specific shown.
    rows = [("FR", "digital", "1-49")] * 5 + [("FR", "health", "1-49")]
    frame = _population(rows, [0.2, 0.4, 0.6, 0.8, 1.0, 0.1])
    digital = benchmark_peers(
        frame, groups=["strategy"], filters={"country": "FR", "ecosystem": "digital"}
    )
    everyone = benchmark_peers(frame, groups=["strategy"], filters={"country": "FR"})
    assert digital.shown and not everyone.shown
    assert everyone.n is None and everyone.percentiles is None
    assert "6" not in everyone.message  # a suppressed group does not tell its size
    # numpy linear percentiles of 0.2 .. 1.0: p25 = 0.4, p50 = 0.6, p75 = 0.8
    assert digital.percentiles.iloc[0, 1:].tolist() == pytest.approx([0.4, 0.6, 0.8])
    assert digital.n == 5
    reasons = disclosure_table(frame).set_index(list(DIMS))["reason"]
    assert reasons[("FR", ANY, ANY)] == "differencing"
    assert reasons[(ANY, "health", ANY)] == "fewer than N"


def test_never_below_n_and_rank_of_a_target() -> None:
    frame = _population([("FR", "digital", "1-49")] * 4)
    assert not benchmark_peers(frame, groups=["strategy"]).shown
    assert not benchmark_peers(frame, groups=["strategy"], min_peers=5).shown
    shown = benchmark_peers(frame, groups=["strategy"], min_peers=4, target="o2")
    # shares 0, 1/3, 2/3, 1: o2 has 2/3, and 3 of 4 peers score at most that -> 75
    assert shown.target["percentile_rank"].tolist() == [75.0]
    assert shown.target["share"].tolist() == pytest.approx([2 / 3])
    assert not benchmark_peers(
        frame, groups=["strategy"], filters={"country": "XX"}, min_peers=2
    ).shown


def test_bad_parameters() -> None:
    frame = _population(SMALL)
    with pytest.raises(
        ParameterError, match=r"Unknown peer filter 'contry'.*Did you mean 'country'"
    ):
        benchmark_peers(frame, groups=["strategy"], filters={"contry": "FR"})
    with pytest.raises(
        ParameterError, match="'min_peers' parameter must be an int in \\[2, inf\\)"
    ):
        disclosure_table(frame, min_peers=1)
    with pytest.raises(AssessmentError, match="appear\\(s\\) more than once"):
        disclosure_table(pd.concat([frame, frame.head(1)]))


def _record(org: str, status: str, day: str, share: float, scheme: str = "esca-gold@1.0") -> dict:
    return {
        "scheme": scheme,
        "assessment": {
            "organisation_id": org,
            "status": status,
            "assessed_on": day,
            "peer": {"country": "FR"},
        },
        "groups": [{"group": "strategy", "share": share}],
    }


def test_assessments_frame_keeps_the_latest_submitted_per_organisation() -> None:
    frame, groups = assessments_frame([
        _record("a", "submitted", "2026-01-01", 0.1), _record("a", "submitted", "2026-06-01", 0.5),
        _record("b", "draft", "2026-06-01", 0.9), _record("c", "submitted", "2026-02-01", 0.3),
    ])  # fmt: skip
    assert groups == ["strategy"]
    assert frame[["organisation_id", "strategy"]].values.tolist() == [["a", 0.5], ["c", 0.3]]
    assert frame["country"].tolist() == ["FR", "FR"]
    with pytest.raises(AssessmentError, match="drafts never count"):
        assessments_frame([_record("b", "draft", "", 0.9)])
    with pytest.raises(AssessmentError, match="several schemes"):
        assessments_frame(
            [_record("a", "submitted", "", 0.1), _record("b", "submitted", "", 0.1, "x@1")]
        )


def test_size_bands() -> None:
    assert [size_band(n) for n in (1, 49, 50, 149, 150, 499, 500, 5000)] == [
        "1-49",
        "1-49",
        "50-149",
        "50-149",
        "150-499",
        "150-499",
        "500+",
        "500+",
    ]
    assert size_band(float("nan")) is None
    assert size_band(10, edges=(10,)) == "10+"


def test_result_as_json_data() -> None:
    frame = _population([("FR", "digital", "1-49")] * 5, [0.2, 0.4, 0.6, 0.8, 1.0])
    data = benchmark_peers(frame, groups=["strategy"], target="o0").to_dict()
    assert data["shown"] and data["n"] == 5
    assert data["percentiles"] == [{"group": "strategy", "p25": 0.4, "p50": 0.6, "p75": 0.8}]
    assert data["target"] == [{"group": "strategy", "share": 0.2, "percentile_rank": 20.0}]
    hidden = benchmark_peers(frame, groups=["strategy"], min_peers=6).to_dict()
    assert (hidden["shown"], hidden["n"], hidden["percentiles"]) == (False, None, None)

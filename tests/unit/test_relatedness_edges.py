"""Relatedness measures at their edges (written for mutation survivors, issue 16)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.measures import colocation, cooccurrence, rca_incidence
from clusteratlas.measures.relatedness import normalise_cooccurrence

DATA = pd.DataFrame({"region": list("AABB"), "industry": list("xyxy"),
                     "employment": [1.0, 3.0, 3.0, 1.0]})  # fmt: skip


def test_rca_incidence_labels_its_axes_with_the_column_names() -> None:
    # LQ(A, x) = (1/4) / (4/8) = 0.5, LQ(A, y) = 1.5; B the other way round.
    data = DATA.rename(columns={"region": "nuts2", "industry": "nace"})
    out = rca_incidence(data, region="nuts2", industry="nace")
    assert out.index.name == "nuts2" and out.columns.name == "nace"
    assert out.to_numpy().tolist() == [[0, 1], [1, 0]]


def test_a_missing_column_names_the_data_table() -> None:
    with pytest.raises(SchemaError, match=r"^data is missing column\(s\) 'employment'"):
        colocation(DATA.drop(columns="employment"))


def test_rca_incidence_is_an_integer_table_with_lq_1_included() -> None:
    # A: x 2, y 2; B: x 1, y 3: LQ(A, x) = (2/4) / (3/8) = 4/3, LQ(A, y) = (2/4) / (5/8) = .8;
    # C: x 3, y 5 has the reference's structure exactly: LQ 1 for both, an RCA (LQ >= 1).
    data = pd.DataFrame({"region": list("AABBCC"), "industry": list("xyxyxy"),
                         "employment": [2.0, 2.0, 1.0, 3.0, 3.0, 5.0]})  # fmt: skip
    out = rca_incidence(data)
    assert (out.dtypes == "int64").all()
    assert out.loc["C"].tolist() == [1, 1]
    assert out.loc["A"].tolist() == [1, 0]


def _table(columns: dict[str, list[float]]) -> pd.DataFrame:
    rows = [(f"r{i}", name, value) for name, values in columns.items()
            for i, value in enumerate(values)]  # fmt: skip
    return pd.DataFrame(rows, columns=["region", "industry", "employment"])


def test_colocation_with_missing_values_matches_pandas_pairwise_correlation() -> None:
    # Suppressed cells are missing: each pair is correlated over the regions where both
    # are known, as pandas.DataFrame.corr does (the independent reference). z and w share
    # exactly two regions (r0, r4), where z falls as w rises: a correlation of -1 (two points).
    nan = np.nan
    columns = {
        "x": [1.0, 4.0, 2.0, 8.0, 5.0, 7.0],
        "y": [2.0, nan, 3.0, 5.0, 9.0, 1.0],
        "z": [6.0, 2.0, nan, nan, 4.0, nan],
        "w": [3.0, nan, nan, nan, 7.0, 2.0],
    }
    shares = pd.DataFrame({k: np.array(v) / np.nansum(v) for k, v in columns.items()})
    expected = shares.corr(method="pearson", min_periods=2)
    out = colocation(_table(columns)).set_index(["industry_a", "industry_b"])["relatedness"]
    for a in columns:
        for b in columns:
            if a != b:
                assert out[(a, b)] == pytest.approx(expected.loc[a, b], rel=1e-12), (a, b)
    assert out[("z", "w")] == pytest.approx(-1.0)


def test_colocation_stays_within_minus_1_and_1_despite_rounding() -> None:
    # y = 6 x: r = 1, computed as 1 + 2.2e-16; v = 69 - u: r = -1, computed as
    # -1 - 2.2e-16 (both found by a search over random tables): clipped to the bounds.
    x = [31.0, 38.0, 6.0, 39.0, 10.0]
    same = colocation(_table({"x": x, "y": [6.0 * v for v in x]}))["relatedness"]
    assert same.tolist() == [1.0, 1.0]
    opposite = colocation(_table({"u": [27.0, 42.0, 37.0], "v": [42.0, 27.0, 32.0]}))
    assert opposite["relatedness"].tolist() == [-1.0, -1.0]


def test_an_industry_without_employment_is_related_to_nothing() -> None:
    # z employs nobody: its shares are 0/0, missing, and so are its correlations (no
    # warning escapes: the tests turn warnings into errors).
    out = colocation(_table({"x": [1.0, 2.0, 4.0], "y": [2.0, 1.0, 3.0], "z": [0.0, 0.0, 0.0]}))
    related = out.set_index(["industry_a", "industry_b"])["relatedness"]
    assert np.isnan(related[("x", "z")]) and np.isnan(related[("z", "y")])
    assert np.isfinite(related[("x", "y")])


def test_colocation_with_missing_values_is_accurate_for_nearly_even_industries() -> None:
    # x is spread almost evenly (shares .25 ± 1e-6): a correlation computed without
    # centering on the pairwise means loses most of its digits to cancellation. pandas'
    # pairwise correlation is the reference, to 1e-9.
    columns = {
        "x": [1e6 + 1.0, 1e6 + 3.0, 1e6 + 2.0, 1e6 + 5.0, np.nan],
        "y": [2.0, 5.0, 1.0, 7.0, 3.0],
        "z": [4.0, 1.0, 2.0, np.nan, 6.0],
    }
    shares = pd.DataFrame({k: np.array(v) / np.nansum(v) for k, v in columns.items()})
    expected = shares.corr(method="pearson")
    out = colocation(_table(columns)).set_index(["industry_a", "industry_b"])["relatedness"]
    for a, b in [("x", "y"), ("x", "z"), ("y", "z")]:
        assert out[(a, b)] == pytest.approx(expected.loc[a, b], rel=1e-9, abs=1e-12), (a, b)


def test_column_names_and_threshold_are_passed_through() -> None:
    # The same table under other column names gives the same answers. The RCAs are
    # LQ(A, y) = 1.5 and LQ(B, x) = 1.5 (x and y never co-occur): a threshold of 1.4 keeps
    # both, one of 1.6 neither.
    renamed = DATA.rename(columns={"region": "nuts2", "industry": "nace", "employment": "jobs"})
    names = {"region": "nuts2", "industry": "nace", "value": "jobs"}
    assert rca_incidence(renamed, **names).to_numpy().tolist() == [[0, 1], [1, 0]]
    counts = cooccurrence(renamed, **names, threshold=1.4)
    assert counts.to_numpy().tolist() == [[1, 0], [0, 1]]
    # With a threshold of 1.6 nothing is an RCA: every count is 0.
    assert cooccurrence(renamed, **names, threshold=1.6).to_numpy().sum() == 0


COUNTS = pd.DataFrame(
    [[4, 2, 1, 0], [2, 3, 0, 0], [1, 0, 2, 0], [0, 0, 0, 1]],
    index=list("xyzw"), columns=list("xyzw"),
)  # fmt: skip
"""Co-occurrences: x with y twice, x with z once; w (one RCA) co-occurs with nothing."""


def test_jaccard_normalisation_on_paper() -> None:
    # Off-diagonal sums s = (3, 2, 1, 0). Jaccard(x, y) = 2 / (3 + 2 - 2) = 2/3,
    # Jaccard(x, z) = 1 / (3 + 1 - 1) = 1/3; proximity would give 2/4 and 1/4.
    out = normalise_cooccurrence(COUNTS, method="jaccard")
    values = out.set_index(["industry_a", "industry_b"])["relatedness"]
    assert values[("x", "y")] == pytest.approx(2 / 3)
    assert values[("x", "z")] == pytest.approx(1 / 3)


@pytest.mark.parametrize("method", ["association", "probability", "cosine", "jaccard", "proximity"])
def test_an_industry_that_co_occurs_with_nothing_is_related_to_nothing(method: str) -> None:
    # w's row is 0/0 under every normalisation: 0 (no relatedness), with no warning.
    out = normalise_cooccurrence(COUNTS, method=method)  # type: ignore[arg-type]
    values = out.set_index(["industry_a", "industry_b"])["relatedness"]
    assert [values[("w", b)] for b in "xyz"] == [0.0, 0.0, 0.0]
    assert values[("x", "y")] > 0


def test_normalisation_messages() -> None:
    with pytest.raises(ParameterError, match=r"'method'"):
        normalise_cooccurrence(COUNTS, method="lift")  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"^counts must be a pandas DataFrame\. Got list instead\.$"
    ):
        normalise_cooccurrence([[1]])  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match=r"^counts must be square with the same industries"):
        normalise_cooccurrence(COUNTS.iloc[:, :3])


def test_proximity_with_given_occurrences_in_another_order() -> None:
    # Proximity = co-occurrences / max(occurrences of the two). Occurrences given in reverse
    # order are matched by industry: x 5, y 4 -> φ(x, y) = 2 / 5; y, z -> 0 / 4.
    occurrences = pd.Series({"w": 1, "z": 3, "y": 4, "x": 5})
    out = normalise_cooccurrence(COUNTS, occurrences, method="proximity")
    values = out.set_index(["industry_a", "industry_b"])["relatedness"]
    assert values[("x", "y")] == pytest.approx(2 / 5)
    assert values[("x", "z")] == pytest.approx(1 / 5)
    missing = pd.Series({"x": 1})
    with pytest.raises(SchemaError, match=r"^occurrences has no value for \['w', 'y', 'z'\]\.$"):
        normalise_cooccurrence(COUNTS, missing, method="proximity")


def test_missing_occurrences_are_listed_five_at_most() -> None:
    names = [f"i{k}" for k in range(7)]
    counts = pd.DataFrame(np.eye(7, dtype=int), index=names, columns=names)
    with pytest.raises(SchemaError, match=r"for \['i1', 'i2', 'i3', 'i4', 'i5'\]\.$"):
        normalise_cooccurrence(counts, pd.Series({"i0": 1}), method="proximity")

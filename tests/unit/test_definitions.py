from __future__ import annotations

from pathlib import Path

import pytest

from clusteratlas.data.definitions import (
    ecosystem_definitions,
    read_definitions,
    related_clusters,
    us_benchmark_definitions,
)
from clusteratlas.errors import ParameterError, SchemaError

BENCHMARK = """NAICS,TradedLocal,Cluster,SubclusterName,EmsiSpecificNAICS,Description
336411,Traded,Aerospace Vehicles and Defense,Aircraft,FALSE,Aircraft Manufacturing
336412,Traded,Aerospace Vehicles and Defense,Aircraft,FALSE,Aircraft Engines
722511,Local,Local Hospitality Establishments,Restaurants,FALSE,Full-Service Restaurants
814110,Local,,,FALSE,Private Households
921110,Local,Federal Government Services,,FALSE,Executive Offices
"""


@pytest.fixture
def benchmark(tmp_path: Path) -> Path:
    path = tmp_path / "benchmark.csv"
    path.write_text(BENCHMARK)
    return path


def test_benchmark_keeps_every_industry_of_its_kind(benchmark: Path) -> None:
    traded = us_benchmark_definitions(benchmark, kind="traded")
    # The first two lines of the file are traded: both must survive.
    assert list(traded["industry"]) == ["336411", "336412"]
    assert set(traded["subcategory"]) == {"Aircraft"}
    every = us_benchmark_definitions(benchmark, kind="all")
    kinds = dict(zip(every["industry"], every["category_type"], strict=True))
    assert kinds == {
        "336411": "traded",
        "336412": "traded",
        "722511": "local",
        "921110": "government",
    }  # 814110 belongs to no cluster and is left out


def test_benchmark_kind_is_checked(benchmark: Path) -> None:
    with pytest.raises(ParameterError, match="'kind' parameter"):
        us_benchmark_definitions(benchmark, kind="tradde")


def test_user_definitions_name_the_line_of_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("industry,category\n26,Electronics\n,Electronics\n")
    with pytest.raises(SchemaError, match=r"mine\.csv.*'industry'.*row\(s\) 3"):
        read_definitions(path)


def test_user_definitions_count_lines_past_blank_lines_and_quoted_breaks(tmp_path: Path) -> None:
    # Line 1 header, 2 a row, 3 blank, 4-5 one row whose label holds a line break, 6 spaces
    # only, 7 the row without an industry: the message must say 7, not its position (4).
    path = tmp_path / "mine.csv"
    path.write_text(
        'industry,category,category_label\n26,Electronics,E\n\n27,Electrical,"two\nlines"\n'
        "   \n,Electronics,E\n"
    )
    with pytest.raises(SchemaError, match=r"mine\.csv.*'industry'.*row\(s\) 7\b"):
        read_definitions(path)


def test_ecosystem_status_is_normalised(tmp_path: Path) -> None:
    path = tmp_path / "eco.csv"
    path.write_text(
        "ecosystem,nace_code,nace_label,level,share_if_any,status,source,note\n"
        "Tourism,,,ecosystem,,CONFIRMED (ecosystem name),u,n\n"
        'Tourism,I55,Accommodation,division,w,"CONFIRMED (division membership); share UNCONFIRMED",u,n\n'
        "Textiles,C13,Textiles,division,,CONFIRMED-derived (activity -> division),u,n\n"
        "Aerospace,C30.3,Air and spacecraft,group,,UNCONFIRMED (candidate),u,n\n"
    )
    out = ecosystem_definitions(path).set_index("industry")
    assert out.loc["I55", "status"] == "CONFIRMED"
    assert out.loc["C13", "status"] == "CONFIRMED-derived"
    assert out.loc["C303", "status"] == "UNCONFIRMED"  # code normalised to Eurostat form
    assert len(out) == 3


def test_related_cluster_strengths(tmp_path: Path) -> None:
    path = tmp_path / "related.csv"
    path.write_text(
        "cluster_name,cluster_name_2,cr_all_pc,cr_lc_pc,rel_all_90_v3,rel_i20_all_min_90_v3\n"
        "A,A,99,99,1,1\n"  # self pair: dropped
        "A,B,95,10,1,1\n"  # strong: percentile >= 90 and both flags
        "A,C,95,30,1,0\n"  # not strong (one flag), weak: > 50 and co-location >= 25
        "A,D,50,90,0,0\n"  # neither: percentile must exceed 50
        "A,E,51,25,0,0\n"  # weak at both boundaries
    )
    out = related_clusters(path).set_index("related")["strength"].to_dict()
    assert out == {"B": "strong", "C": "weak", "E": "weak"}

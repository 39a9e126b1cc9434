"""The packaged training seed: names as the issue gives them, details UNCONFIRMED, links to pôles."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from clusteratlas.data.catalog import resolve
from clusteratlas.errors import SchemaError
from clusteratlas.skills.training import (
    PROGRAMME_COLUMNS,
    read_partnerships,
    read_programmes,
    read_providers,
)

# Issue 13's seed wording, typed here independently of the shipped files.
ISSUE_PARTNERSHIPS = {
    ("Systematic", "EQL"),
    ("Systematic", "DORANCO"),
    ("Systematic", "WEBFORCE3"),
    ("ALPHA-RLH", "PYLA"),
    ("Nextmove", "E-MOBILITY-INDUSTRY-ACADEMY"),
}


def test_the_seed_has_the_providers_and_partnerships_the_issue_names() -> None:
    providers = read_providers()
    assert sorted(providers["name"]) == sorted(name for _, name in ISSUE_PARTNERSHIPS)
    assert set(providers["name_status"]) == {"CONFIRMED"}
    assert set(providers["details_status"]) == {"UNCONFIRMED"}
    # Unsourced details stay empty rather than guessed.
    assert (providers[["country", "region_name", "website"]] == "").all().all()
    partnerships = read_partnerships(providers=providers)
    assert partnerships["source"].str.contains("issue 13 seed wording").all()
    partnerships = partnerships.merge(providers[["provider_id", "name"]], on="provider_id")
    pairs = {(cluster.split()[0], name) for cluster, name in
             zip(partnerships["cluster_name"], partnerships["name"], strict=True)}  # fmt: skip
    assert pairs == ISSUE_PARTNERSHIPS


def test_partnerships_point_at_the_packaged_poles() -> None:
    with resolve("poles_competitivite_phase5", download=False).open(encoding="utf-8") as handle:
        poles = {row["name"] for row in csv.DictReader(handle)}
    partnerships = read_partnerships()
    assert set(partnerships["cluster_name"]) <= poles
    seed = pytest.importorskip("clusteratlas.registry.seed")
    for name, key in zip(partnerships["cluster_name"], partnerships["cluster_key"], strict=True):
        assert key == seed.natural_key("FR", name)


def test_seed_programmes_are_placeholders_marked_unconfirmed() -> None:
    programmes = read_programmes(providers=read_providers())
    assert set(PROGRAMME_COLUMNS) <= set(programmes.columns)
    assert programmes["status"].str.startswith("UNCONFIRMED").all()
    assert programmes["duration_hours"].isna().all()


def _programmes(tmp_path: Path, row: str) -> Path:
    file = tmp_path / "p.csv"
    file.write_text(",".join(PROGRAMME_COLUMNS) + "\n" + row + "\n", encoding="utf-8")
    return file


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ("p1,x,Title,Desc,40,remote,Paris,FR10,EQF 5,fr", r"row 2, column 'format'.*'remote'"),
        ("p1,x,Title,Desc,40,online,Paris,FR10,EQF 5,French", r"column 'language'.*'French'"),
        ("p1,x,Title,Desc,-3,online,Paris,FR10,EQF 5,fr", r"column 'duration_hours'.*'-3'"),
        ("p1,x,,Desc,3,online,Paris,FR10,EQF 5,fr", r"column 'title'"),
    ],
)
def test_programme_schema_errors(tmp_path: Path, row: str, needle: str) -> None:
    with pytest.raises(SchemaError, match=needle):
        read_programmes(_programmes(tmp_path, row))


def test_a_good_programme_row(tmp_path: Path) -> None:
    frame = read_programmes(
        _programmes(tmp_path, "p1,x,Title,Desc,35.5,blended,Paris,FR10,EQF 5,fr")
    )
    assert frame["duration_hours"].tolist() == [35.5]
    with pytest.raises(SchemaError, match="provider"):
        read_programmes(_programmes(tmp_path, "p1,x,T,D,1,,,,,"), providers=read_providers())
